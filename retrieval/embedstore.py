"""Sentence vectors and word stems worked out once: kept by content in memory and in one SQLite file of the cache
folder.

A vector's key is the SHA-256 of the model id and the text embedded, so a sentence is embedded once whatever
corpus it is in; each row carries a checksum of its key and bytes, and only float16 bytes of the right length are
read back (SQLite holds values, never code).  A row that does not check out is embedded again and replaced; a file
SQLite cannot read is removed and started afresh.  The file lives only in a private cache folder (cache.private_dir).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .cache import private_dir
from .embedpool import kept

DIM = 384                    # multilingual-e5-small (dense.DIM)
ROW_BYTES = DIM * 2          # float16
FILE = "sentences.sqlite"
MEMORY_MAX = 250_000         # vectors kept in this process (float16: ~190 MB at most), oldest dropped first
SLICE = 4096                 # texts embedded between two saves: an interrupted build keeps what it embedded
QUERY_ROWS = 500             # keys per SELECT (SQLite's variable limit is 999 on old builds)
BUSY_SECONDS = 30            # how long to wait for another process's write; then it is a miss, never a broken file
_BUSY = (5, 6)               # SQLITE_BUSY, SQLITE_LOCKED: the file is in use, not corrupt
_MEMORY: dict[bytes, bytes] = {}
_MEMORY_LOCK = threading.Lock()
Progress = Callable[[str, int, int], None]


def model_id() -> str:
    """Return what a vector depends on besides its text: the encoder and its versions, the input kind, the length
    cut."""
    from .dense import MAX_CHARS
    from .e5onnx import version
    return f"{version()} multilingual-e5-small q4 passage {MAX_CHARS} tokens by word"


def text_key(text: str, model: str) -> bytes:
    """Return the store key of one text embedded by one model: SHA-256(model, NUL, text)."""
    return hashlib.sha256(f"{model}\0{text}".encode("utf-8", "surrogatepass")).digest()


def _check(key: bytes, blob: bytes) -> bytes:
    """Return a row's checksum: the first 8 bytes of SHA-256(key + vector bytes)."""
    return hashlib.sha256(key + blob).digest()[:8]


class Store:
    """Vectors and stems by content: the process memory always, the SQLite file when a folder is given and private."""

    def __init__(self, folder: Path | None, write: bool = True) -> None:
        """Use folder/FILE too when folder is given and is this user's own (else memory only); with write False
        the file is only read (nothing created or changed on disk: a session's uploads stay off it)."""
        self.write = write
        self.path = folder / FILE if folder is not None and private_dir(folder, create=write) else None

    def _connect(self) -> sqlite3.Connection | None:
        """Return a connection to the file (tables made), or None when it is not a regular file of this user."""
        if self.path is None:
            return None
        try:
            info = os.lstat(self.path)
            if not stat.S_ISREG(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return None
        except FileNotFoundError:
            if not self.write:
                return None
        except OSError:
            return None
        if not self.write:
            try:
                return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
            except sqlite3.DatabaseError:
                return None
        db = None
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB, chk BLOB) WITHOUT ROWID")
            db.execute("CREATE TABLE IF NOT EXISTS stems (version TEXT, word TEXT, stem TEXT, "
                       "PRIMARY KEY (version, word)) WITHOUT ROWID")
            return db
        except sqlite3.DatabaseError as e:
            if db is not None:
                db.close()
            self._discard(e)
            return None

    def _discard(self, error: sqlite3.DatabaseError) -> None:
        """Remove a file SQLite cannot read (it is only a cache), unless the store only reads or the file was only
        busy (another process writing past BUSY_SECONDS: a miss this time, the store is kept)."""
        if not self.write or self.path is None or getattr(error, "sqlite_errorcode", 0) & 0xFF in _BUSY:
            return
        try:
            self.path.unlink()
        except OSError:
            pass

    def vectors(self, keys: list[bytes]) -> dict[bytes, bytes]:
        """Return the stored float16 bytes of each key found (memory first, then the file)."""
        with _MEMORY_LOCK:
            found = {k: _MEMORY[k] for k in keys if k in _MEMORY}
        rest = [k for k in keys if k not in found]
        db = self._connect() if rest else None
        if db is None:
            return found
        read: dict[bytes, bytes] = {}
        try:
            with db:
                for start in range(0, len(rest), QUERY_ROWS):
                    part = rest[start:start + QUERY_ROWS]
                    rows = db.execute(f"SELECT key, vec, chk FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                      part).fetchall()
                    read.update((bytes(k), bytes(v)) for k, v, c in rows
                                if isinstance(v, bytes) and len(v) == ROW_BYTES and c == _check(k, v))
        except sqlite3.DatabaseError as e:
            self._discard(e)
            read = {}
        finally:
            db.close()
        _remember(read.items())
        return {**found, **read}

    def put_vectors(self, items: list[tuple[bytes, bytes]]) -> None:
        """Keep (key, float16 bytes) pairs in memory and, when there is a file, in it."""
        _remember(items)
        db = self._connect() if self.write else None
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                               [(k, v, _check(k, v)) for k, v in items])
        except sqlite3.DatabaseError as e:
            self._discard(e)
        finally:
            db.close()

    def stems(self, version: str) -> dict[str, str]:
        """Return the stored stems (word -> stem) of one stemmer version."""
        db = self._connect()
        if db is None:
            return {}
        try:
            with db:
                rows = db.execute("SELECT word, stem FROM stems WHERE version = ?", (version,)).fetchall()
            return {w: s for w, s in rows if isinstance(w, str) and isinstance(s, str)}
        except sqlite3.DatabaseError as e:
            self._discard(e)
            return {}
        finally:
            db.close()

    def put_stems(self, version: str, stems: dict[str, str]) -> None:
        """Store stems (word -> stem) of one stemmer version."""
        db = self._connect() if stems and self.write else None
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO stems VALUES (?, ?, ?)",
                               [(version, w, s) for w, s in stems.items()])
        except sqlite3.DatabaseError as e:
            self._discard(e)
        finally:
            db.close()


def _remember(items: Iterable[tuple[bytes, bytes]]) -> None:
    """Keep vectors in this process's memory, dropping the oldest past MEMORY_MAX."""
    with _MEMORY_LOCK:
        _MEMORY.update(items)
        over = len(_MEMORY) - MEMORY_MAX
        if over > 0:
            for k in list(_MEMORY)[:over]:
                del _MEMORY[k]


def missing(texts: list[str], store: Store) -> list[str]:
    """Return the distinct texts (first-seen order) the store has no vector for."""
    model = model_id()
    keys = {text_key(t, model): t for t in texts}
    found = store.vectors(list(keys))
    return [t for k, t in keys.items() if k not in found]


def embed_into(texts: list[str], embed: Callable[..., np.ndarray], store: Store,
               progress: Progress | None = None) -> None:
    """Embed texts (distinct, none stored yet) in equal slices of at most SLICE, storing each slice when done
    (equal, so no short last slice falls below the size at which both cores are used); the worker processes a
    slice starts serve the next ones (embedpool.kept)."""
    model = model_id()
    size = -(-len(texts) // max(1, -(-len(texts) // SLICE)))
    with kept():
        for start in range(0, len(texts), max(1, size)):
            part = texts[start:start + size]

            def report(stage: str, done: int, total: int, start: int = start) -> None:
                """Report progress over all texts, not this slice."""
                if progress:
                    progress(stage, start + done, len(texts))
            vectors = embed(part, report).astype(np.float16)
            store.put_vectors([(text_key(t, model), v.tobytes()) for t, v in zip(part, vectors)])


def vectors_for(texts: list[str], embed: Callable[..., np.ndarray], store: Store, progress: Progress | None = None,
                budget: int | None = None) -> tuple[np.ndarray | None, list[str]]:
    """Return (one vector per text at float16 precision, []), embedding only the distinct texts not stored yet;
    or (None, the texts to embed) when they are more than budget."""
    todo = missing(texts, store)
    if budget is not None and len(todo) > budget:
        return None, todo
    distinct = len(set(texts))
    have = distinct - len(todo)           # progress counts distinct sentences with a vector, stored ones included
    if todo:
        embed_into(todo, embed, store, progress and (lambda stage, done, total: progress(stage, have + done, distinct)))
    if progress:
        progress("embed", distinct, distinct)
    model = model_id()
    keys = [text_key(t, model) for t in texts]
    found = store.vectors(list(dict.fromkeys(keys)))
    if len(found) < len(set(keys)):        # memory full and no file: embed what fell out, once more, in place
        lost = [t for t, k in zip(texts, keys) if k not in found]
        found.update((text_key(t, model), v.tobytes()) for t, v in
                     zip(lost, embed(lost, None).astype(np.float16)))
    out = np.frombuffer(b"".join(found[k] for k in keys), np.float16).reshape(len(keys), DIM)
    return out.astype(np.float32), []


def fill(texts: tuple[str, ...] | list[str], store: Store, progress: Progress | None = None) -> int:
    """Embed with the e5 model the inputs the store still lacks (a budgeted build's `todo`, e5onnx.grouped); return
    how many."""
    from .dense import load_model
    from .e5onnx import expanded
    model, _ = load_model()
    if model is None:
        return 0
    todo = missing(expanded(texts), store)
    if todo:
        embed_into(todo, model.passages, store, progress)
    return len(todo)
