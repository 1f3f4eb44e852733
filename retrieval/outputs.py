"""Output files the CLI writes (study export): new files only (or --force), never through a link or into the corpus."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import RefusedWrite

_HARD_LINK = "{path}: berkas yang sama punya nama lain (tautan keras) / a hard link: the same file has another name"


def check_output(path: Path, force: bool = False, corpus: Path | None = None) -> None:
    """Raise RefusedWrite unless path may be written: not a link, not in the corpus folder, new (or force)."""
    if os.path.islink(path):
        raise RefusedWrite(f"{path}: tautan, tidak diikuti / a link, not followed")
    if corpus is not None and Path(os.path.abspath(path)).resolve().is_relative_to(corpus.resolve()):
        raise RefusedWrite(f"{path}: di dalam folder korpus / inside the corpus folder")
    if os.path.lexists(path) and not force:
        raise RefusedWrite(f"{path}: sudah ada; pakai --force untuk menimpa / already exists; --force overwrites it")
    if os.path.lexists(path) and os.lstat(path).st_nlink > 1:
        raise RefusedWrite(_HARD_LINK.format(path=path))


def write_output(path: Path, text: str, force: bool = False) -> None:
    """Write text to a new file (an existing regular file only with force), never through a link (symbolic or hard)
    nor into a FIFO."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | (0 if force else os.O_EXCL)
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
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedWrite(f"{path}: bukan berkas biasa / not a regular file")
        if info.st_nlink > 1:               # checked before anything is cut: the other name keeps its text
            raise RefusedWrite(_HARD_LINK.format(path=path))
        os.ftruncate(fd, 0)
        handle.write(text)
