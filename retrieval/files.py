"""Files on disk: atomic writes through a temporary file, and where a fetched source's record lives (.kutip/)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
