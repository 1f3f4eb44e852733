"""A large build embeds in worker processes: the same vectors as in-process, and a dead worker costs nothing."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval import dense, embedpool

TEXTS = [f"Kerja sama kota kembar Batam dan Gimje, langkah {n}." for n in range(70)]
CHUNKS = [TEXTS[k:k + dense.BATCH] for k in range(0, len(TEXTS), dense.BATCH)]


@pytest.fixture(scope="module")
def model():
    loaded, status = dense.load_model()
    assert loaded is not None, status.reason
    return loaded


def here(model, chunk: list[str]) -> np.ndarray:
    """Embed in this process (a chunk is far below dense.PARALLEL_MIN)."""
    assert len(chunk) < dense.PARALLEL_MIN
    return model.passages(chunk)


def never(chunk: list[str]) -> np.ndarray:
    """A fallback that must not be needed: the workers do the work."""
    pytest.fail("a chunk fell back to this process")


def test_workers_give_the_vectors_this_process_gives(model):
    inside = np.vstack([here(model, chunk) for chunk in CHUNKS])
    there = np.vstack(list(embedpool.embedded(CHUNKS, 2, dense.DIM, never)))
    assert there.shape == (70, dense.DIM)
    assert np.array_equal(inside, there)


def test_a_worker_that_dies_leaves_its_chunks_to_this_process(model, monkeypatch):
    monkeypatch.setattr(embedpool, "BOOT", "import sys; sys.exit(3)")
    inside = np.vstack([here(model, chunk) for chunk in CHUNKS])
    fell_back = []
    done = list(embedpool.embedded(CHUNKS, 2, dense.DIM, lambda chunk: fell_back.append(1) or here(model, chunk)))
    assert np.array_equal(np.vstack(done), inside)
    assert len(fell_back) == len(CHUNKS)


def test_only_a_large_build_starts_workers(monkeypatch):
    monkeypatch.setattr(embedpool.os, "cpu_count", lambda: 2)
    assert embedpool.workers_for(1999, 2000) == 0
    assert embedpool.workers_for(2000, 2000) == 2
    monkeypatch.setattr(embedpool.os, "cpu_count", lambda: 1)
    assert embedpool.workers_for(50_000, 2000) == 0


def test_passages_reports_progress_and_uses_workers_above_the_bound(model, monkeypatch):
    inside = np.vstack([here(model, chunk) for chunk in CHUNKS])
    monkeypatch.setattr(dense, "PARALLEL_MIN", 40)
    monkeypatch.setattr(embedpool.os, "cpu_count", lambda: 2)
    started = []
    real_popen = embedpool.subprocess.Popen
    monkeypatch.setattr(embedpool.subprocess, "Popen", lambda *a, **k: started.append(1) or real_popen(*a, **k))
    monkeypatch.setattr(model, "_passage", never)                  # every chunk is embedded by a worker
    seen = []
    vectors = model.passages(TEXTS, lambda stage, done, total: seen.append((stage, done, total)))
    assert len(started) == 2 and np.array_equal(vectors, inside)
    assert seen == [("embed", 0, 70), ("embed", 32, 70), ("embed", 64, 70), ("embed", 70, 70)]
