"""Output files the CLI writes (study export): new files only (or --force), never through a link or into the corpus."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import RefusedWrite


def check_output(path: Path, force: bool = False, corpus: Path | None = None) -> None:
    """Raise RefusedWrite unless path may be written: not a link, not in the corpus folder, new (or force)."""
    if os.path.islink(path):
        raise RefusedWrite(f"{path}: tautan, tidak diikuti / a link, not followed")
    if corpus is not None and Path(os.path.abspath(path)).resolve().is_relative_to(corpus.resolve()):
        raise RefusedWrite(f"{path}: di dalam folder korpus / inside the corpus folder")
    if os.path.lexists(path) and not force:
        raise RefusedWrite(f"{path}: sudah ada; pakai --force untuk menimpa / already exists; --force overwrites it")


def write_output(path: Path, text: str, force: bool = False) -> None:
    """Write text to a new file (an existing regular file only with force), never through a link or into a FIFO."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | (
        os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        raise RefusedWrite(f"{path}: sudah ada; pakai --force untuk menimpa / already exists; --force overwrites it") \
            from None
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.EMLINK):       # O_NOFOLLOW met a link (EMLINK on FreeBSD)
            raise RefusedWrite(f"{path}: tautan, tidak diikuti / a link, not followed") from None
        if e.errno == errno.ENXIO:                        # a FIFO nobody reads
            raise RefusedWrite(f"{path}: bukan berkas biasa / not a regular file") from None
        raise
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RefusedWrite(f"{path}: bukan berkas biasa / not a regular file")
        handle.write(text)
