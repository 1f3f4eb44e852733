"""The index cache: outside the corpus, keyed by corpus content and code version, checksummed, written atomically."""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")
MAGIC = b"KUTIP-INDEX-1\n"
KEEP = 8                         # newest cache files kept; older ones are removed
ENV = "KUTIP_CACHE_DIR"


def cache_dir(explicit: Path | None = None) -> Path:
    """Return the cache folder: explicit, else $KUTIP_CACHE_DIR, else the user's cache folder."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("kutip", appauthor=False))


def corpus_files(corpus: Path, readers: dict[str, str]) -> list[Path]:
    """Return the files under corpus a reader may take, sorted; hidden and '_' folders are passed over."""
    out = []
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus).parts
        if any(part.startswith((".", "_")) for part in rel) or not path.is_file():
            continue
        if path.suffix.lower() in readers:
            out.append(path)
    return out


def code_version() -> str:
    """Return a hash of the core's source code, so a code change invalidates old caches."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def corpus_key(corpus: Path, files: list[Path]) -> str:
    """Return the cache key: code version plus every file's name and content hash."""
    h = hashlib.sha256(code_version().encode())
    for path in files:
        h.update(path.relative_to(corpus).as_posix().encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def load_or_build(corpus: Path, files: list[Path], build: Callable[[], T], where: Path | None = None,
                  use_cache: bool = True, kind: type | None = None) -> T:
    """Return the cached value (of type `kind`) for this corpus content, or build, store and return it."""
    if not use_cache:
        return build()
    key = corpus_key(corpus, files)
    folder = cache_dir(where)
    path = folder / f"index-{key[:40]}.pkl"
    value = read_cache(path)
    if value is not None and (kind is None or isinstance(value, kind)):
        return value
    value = build()
    write_cache(path, value)
    return value


def read_cache(path: Path):
    """Return the unpickled value if the file is whole and its checksum holds, else None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if len(data) < head or not data.startswith(MAGIC):
        return None
    digest, payload = data[len(MAGIC):head], data[head:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:          # a cache is never trusted: any failure means rebuild
        return None


def write_cache(path: Path, value) -> bool:
    """Write value atomically (temp file + rename); return False if the folder is not writable."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
        _prune(path.parent)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def _prune(folder: Path) -> None:
    """Remove all but the KEEP newest cache files."""
    files = sorted(folder.glob("index-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
