"""Files on disk: atomic writes, output files that never overwrite or follow a link, fetched sources' records."""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import RefusedWrite

# where fetch keeps what it knows of a downloaded file, beside it: <dir>/.kutip/<stem>.json (url, final_url, ...)
META_DIR = ".kutip"


@contextmanager
def temporary_file(folder: Path, data: bytes) -> Iterator[Path]:
    """Yield a hidden temporary file in folder holding data (flushed to disk); it is gone on exit unless moved."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        yield Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path so a reader sees the old file or the new one whole, never a part (temp file + rename)."""
    with temporary_file(path.parent, data) as tmp:
        os.replace(tmp, path)


def sidecar_path(path: Path, suffix: str = ".json") -> Path:
    """Return where fetch keeps what it knows of a saved file: <dir>/.kutip/<stem>.json (or another suffix)."""
    return path.parent / META_DIR / f"{path.stem}{suffix}"


def failure_path(folder: Path, number: int) -> Path:
    """Return where a failed fetch of footnote `number` into folder is recorded: <folder>/.kutip/<N>-failed.json."""
    return sidecar_path(folder / f"{number}-failed")


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
