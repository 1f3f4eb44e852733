"""The index cache: outside the corpus, keyed by corpus content and code version, checksummed, written atomically.

A cache file is data, never code: MAGIC, a SHA-256 of the rest, then an .npz of plain numpy arrays (loaded with
allow_pickle=False) holding one more uint8 array, the JSON of everything else.  A file that does not fit is
rebuilt, never run.  The folder must be the user's own and writable by nobody else (it is created 0700): in a
folder others can write, a forged file with a valid checksum could be planted, so such a folder is not used.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from . import npyfile
from .files import write_atomic
from .state import Arrays, State

MAGIC = b"KUTIP-INDEX-2\n"
KEEP = 8                         # newest cache files kept (the one just written always among them); older removed
ENV = "KUTIP_CACHE_DIR"
SUFFIX = ".npz"
META_KEY = "__meta__"            # the array holding the JSON part (an array name no state uses)
MAX_BYTES = 2 * 1024 ** 3       # a cache file larger than this is not read (the 13,691-sentence IDK-MRC is ~30 MB)
MAX_DEPTH = 40                   # corpus folders nested deeper are not entered (listed as skipped)
ZIP_END_BYTES = 22               # a zip's end-of-central-directory record without a comment, as np.savez writes it
LOCAL_HEADER = 30                # bytes of a zip member's local header before its name and extra field
CHUNK = 1 << 20                  # bytes hashed at a time: a large file is checked without being held in memory
_OURS = re.compile(r"^index-[0-9a-f]{40}\.(npz|pkl)$")   # our own cache names (.pkl: the old pickled format)


class Cacheable(Protocol):
    """What the cache stores: a value that is its state and can be made from it."""

    def to_state(self) -> State: ...

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> Cacheable: ...


def private_dir(folder: Path, create: bool = True) -> bool:
    """Create folder (mode 0700) if missing (and create); tell whether it is this user's own, writable by no one
    else."""
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(folder)
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & 0o022


def cache_dir(explicit: Path | None = None) -> Path:
    """Return the cache folder: explicit, else $KUTIP_CACHE_DIR, else the user's cache folder."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("kutip", appauthor=False))


def corpus_listing(corpus: Path, readers: dict[str, str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Return (files a reader may take, sorted; [(name, why skipped)] for links leading out of the corpus).

    Hidden and '_' folders are passed over; a file or folder link whose target lies outside the corpus is
    not followed (a link `passwd.txt -> /etc/passwd` must not be read and quoted); folders nested deeper than
    MAX_DEPTH are not entered.
    """
    root = corpus.resolve()
    files, refused = [], []
    for path, too_deep in _walk(corpus):
        name = path.relative_to(corpus).as_posix()
        if too_deep:
            refused.append((name, f"{name}: folder lebih dalam dari {MAX_DEPTH} tingkat tidak dibuka / "
                                  f"folder nested deeper than {MAX_DEPTH} levels not entered"))
        elif path.is_symlink() and (path.is_dir() or path.suffix.lower() in readers) and not _inside(path, root):
            what = "folder" if path.is_dir() else "berkas / file"
            refused.append((name, f"{name}: tautan ke luar folder korpus tidak diikuti / "
                                  f"{what} link pointing outside the corpus folder not followed"))
        elif path.is_file() and path.suffix.lower() in readers and _inside(path, root):
            files.append(path)
    return files, refused


def _walk(corpus: Path) -> list[tuple[Path, bool]]:
    """Return every entry under corpus, sorted as paths sort, each with whether it is a folder too deep to enter.

    A loop over a stack, not recursion (a folder 1,100 levels deep must not raise RecursionError); links to
    folders are listed but not entered, hidden and '_' entries are left out with everything under them.
    """
    out: list[tuple[Path, bool]] = []
    stack = [(corpus, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                found = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
        except OSError:
            continue
        for name, is_dir in found:
            if name.startswith((".", "_")):
                continue
            path = folder / name
            deep = is_dir and depth + 1 >= MAX_DEPTH
            out.append((path, deep))
            if is_dir and not deep:
                stack.append((path, depth + 1))
    return sorted(out)


def _inside(path: Path, root: Path) -> bool:
    """Tell whether path, with every link resolved, lies within root (a broken link resolves outside nothing)."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):     # a link loop
        return False


def corpus_files(corpus: Path, readers: dict[str, str]) -> list[Path]:
    """Return the files under corpus a reader may take, sorted (links out of the corpus left out)."""
    return corpus_listing(corpus, readers)[0]


def code_version() -> str:
    """Return a hash of the core's source code, so a code change invalidates old caches."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def corpus_key(corpus: Path, files: list[Path], extra: tuple[str, ...] = ()) -> str:
    """Return the cache key: code version plus every file's name and content hash (plus extra names)."""
    h = hashlib.sha256(code_version().encode())
    for path in files:
        h.update(path.relative_to(corpus).as_posix().encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    for name in extra:
        h.update(b"\1" + name.encode("utf-8", "replace") + b"\0")
    return h.hexdigest()


def cache_path(folder: Path, key: str) -> Path:
    """Return where the cache of one key lives."""
    return folder / f"index-{key[:40]}{SUFFIX}"


def load_or_build(corpus: Path, files: list[Path], build: Callable[[], Any], where: Path | None = None,
                  use_cache: bool = True, kind: type[Cacheable] | None = None, extra: tuple[str, ...] = ()) -> Any:
    """Return the `kind` value cached for this corpus content, or build, store (if unchanged meanwhile), return it.

    The key is computed again after the build: a file edited while it was being read would otherwise store new
    text under the old content's key, so then nothing is stored.
    """
    if not use_cache or kind is None:
        return build()
    key = corpus_key(corpus, files, extra)
    folder = cache_dir(where)
    if not private_dir(folder):         # others could plant a file with a valid checksum here: not used
        return build()
    path = cache_path(folder, key)
    state = read_cache(path)
    if state is not None and state[1].get("key") == key:
        try:
            return kind.from_state(*state)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError,
                RecursionError):        # a cache is never trusted: a state that does not fit means rebuild
            pass
    value = build()
    try:
        unchanged = corpus_key(corpus, files, extra) == key
    except OSError:                     # a file vanished during the build
        unchanged = False
    if unchanged and getattr(value, "complete", True):   # an index still missing vectors is not stored
        arrays, meta = value.to_state()
        write_cache(path, arrays, {**meta, "key": key})
    return value


def read_cache(path: Path) -> State | None:
    """Return (arrays, meta) if the file is whole, its checksum holds and it holds plain arrays only, else None.

    Only a regular file of this user, at most MAX_BYTES, is read (a FIFO would block, a sparse 1 GB file would
    fill memory); its checksum is computed a CHUNK at a time and the arrays are read from the file itself.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        head = len(MAGIC) + 32
        if not stat.S_ISREG(info.st_mode) or not mine or not head < info.st_size <= MAX_BYTES:
            return None
        try:
            if f.read(len(MAGIC)) != MAGIC or not _ends_as_zip(f, info.st_size, head):
                return None
            f.seek(len(MAGIC))
            digest, h = f.read(32), hashlib.sha256()
            while chunk := f.read(CHUNK):
                h.update(chunk)
            if h.digest() != digest:
                return None
            return _arrays(f, head)
        except Exception:   # np.load raises many kinds on a crafted file (ValueError for objects, zip errors, ...)
            return None


def _ends_as_zip(f: io.BufferedReader, size: int, head: int) -> bool:
    """Tell whether the file ends as np.savez ends it (a zip end record, no comment): checked before the whole
    file is hashed, so a file of zeros after the header is turned away at once."""
    if size - head < ZIP_END_BYTES:
        return False
    f.seek(size - ZIP_END_BYTES)
    return f.read(4) == b"PK\x05\x06"


def _arrays(f: io.BufferedReader, start: int) -> State | None:
    """Return (arrays, meta) of the .npz that starts at offset start of f, if it holds stored plain arrays only."""
    f.seek(start)
    with zipfile.ZipFile(f) as z:       # stored members only: nothing unpacks past the file's size
        members = z.infolist()
    if any(info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy") for info in members):
        return None
    size = os.fstat(f.fileno()).st_size
    arrays = {info.filename[:-4]: _member(f, info, size) for info in members}
    meta = json.loads(arrays.pop(META_KEY).tobytes().decode("utf-8"))
    if not isinstance(meta, dict):
        return None
    return arrays, meta


def _member(f: io.BufferedReader, info: zipfile.ZipInfo, size: int) -> np.ndarray:
    """Return one stored .npy member of f, read straight into a new array: one read, no loop over its bytes in
    Python (np.load's loop held the GIL 0.2 s for a 117 MB engine, and 1.3 s beside a busy session), and its header
    read by npyfile, not numpy's parser (not safe beside a thread compiling a script). The whole file was checked
    against its SHA-256 already, so the zip's CRCs are not computed again."""
    f.seek(info.header_offset)
    local = f.read(LOCAL_HEADER)
    if len(local) != LOCAL_HEADER or local[:4] != b"PK\x03\x04":
        raise ValueError(f"{info.filename}: no local header")
    name_bytes, extra_bytes = struct.unpack("<HH", local[26:30])
    data = info.header_offset + LOCAL_HEADER + name_bytes + extra_bytes
    f.seek(data)
    head = npyfile.header(f.read(npyfile.MAX_HEADER + npyfile.PREFIX), info.filename, info.file_size)
    f.seek(data + head.size)
    nbytes = head.nbytes
    if data + info.file_size > size:
        raise ValueError(f"{info.filename}: ends past the file")
    array = np.empty(math.prod(head.shape), head.dtype)
    if f.readinto(array.view(np.uint8).data) != nbytes:
        raise ValueError(f"{info.filename}: cut short")
    return array.reshape(head.shape, order="F" if head.fortran else "C")


def write_cache(path: Path, arrays: Arrays, meta: dict) -> bool:
    """Write arrays and meta atomically (temp file + rename); return False if the folder is not writable."""
    if META_KEY in arrays or any(not isinstance(a, np.ndarray) or a.dtype.str not in npyfile.PLAIN
                                 for a in arrays.values()):
        raise ValueError("cache state must be plain numpy arrays (numbers or booleans)")
    buffer = io.BytesIO()
    blob = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8)
    np.savez(buffer, **arrays, **{META_KEY: blob})  # type: ignore[arg-type]  # array names, never allow_pickle
    payload = buffer.getvalue()
    try:
        if not private_dir(path.parent):
            return False
        write_atomic(path, MAGIC + hashlib.sha256(payload).digest() + payload)
        _prune(path.parent, path)
        return True
    except OSError:
        return False


def _prune(folder: Path, written: Path) -> None:
    """Remove our own cache files (index-<40 hex>) past the KEEP newest, and old pickles; keep the one just written."""
    ours = []
    for p in folder.iterdir():
        if p.suffix == ".pkl" and _OURS.match(p.name):     # the old pickled format: never loaded, removed at once
            p.unlink(missing_ok=True)
        elif p != written and _OURS.match(p.name):
            try:
                ours.append((p.stat().st_mtime, p))
            except OSError:
                continue
    ours.sort(key=lambda t: t[0], reverse=True)
    for _, old in ours[KEEP - 1:]:
        try:
            old.unlink()
        except OSError:
            pass
