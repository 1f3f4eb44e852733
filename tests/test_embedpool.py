"""A large build embeds in worker processes: the same vectors as in-process, and a dead worker costs nothing; in
this process a question is embedded beside a batch of passages, not after it."""
from __future__ import annotations

import threading
import time

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


def test_a_question_is_embedded_beside_a_batch_of_passages_not_after_it(model):
    """The background fill of an upload embeds passages in this process: a question asked meanwhile (any session)
    has a model state of its own (before, it waited for that batch and often the next: up to 26 s in
    benchmarks.handover)."""
    long = [f"Kerja sama kota kembar Batam dan Gimje di bidang ekonomi, budaya dan pendidikan ({n}). " * 24
            for n in range(4)]
    started = threading.Event()

    def batch() -> None:
        """Embed the long passages."""
        started.set()
        model.passages(long)
    worker = threading.Thread(target=batch)
    t0 = time.perf_counter()
    worker.start()
    started.wait()
    time.sleep(0.1)
    t1 = time.perf_counter()
    vector = model.query("Apa yang belum pernah ditanyakan tentang Gimje sebelum tes ini?")
    waited = time.perf_counter() - t1
    still = worker.is_alive()
    worker.join()
    took = time.perf_counter() - t0
    assert vector.shape == (dense.DIM,)
    assert still and waited < took / 4, (waited, took)


def test_a_build_embedding_in_slices_starts_its_workers_once_and_stops_them_at_the_end(model, monkeypatch, tmp_path):
    from retrieval import embedstore
    from retrieval.embedstore import Store
    inside = np.vstack([here(model, chunk) for chunk in CHUNKS])
    monkeypatch.setattr(dense, "PARALLEL_MIN", 20)
    monkeypatch.setattr(embedpool.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(embedstore, "SLICE", 25)                   # three slices of 24, 23, 23
    started: list = []
    real_popen = embedpool.subprocess.Popen
    monkeypatch.setattr(embedpool.subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k))
                        or started[-1])
    monkeypatch.setattr(model, "_passage", never)                  # every chunk is embedded by a worker
    embedstore.embed_into(TEXTS, model.passages, Store(tmp_path))
    assert len(started) == 2                                       # not 2 a slice
    assert all(proc.poll() is not None for proc in started)        # none left running
    stored = Store(tmp_path).vectors([embedstore.text_key(t, embedstore.model_id()) for t in TEXTS])
    assert len(stored) == 70
    assert np.array_equal(np.vstack([np.frombuffer(stored[embedstore.text_key(t, embedstore.model_id())],
                                                   np.float16) for t in TEXTS]), inside.astype(np.float16))


def test_a_kept_worker_stopped_mid_call_is_not_used_again(model, monkeypatch):
    inside = np.vstack([here(model, chunk) for chunk in CHUNKS])
    started: list = []
    real_popen = embedpool.subprocess.Popen
    monkeypatch.setattr(embedpool.subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k))
                        or started[-1])
    with embedpool.kept():
        first = embedpool.embedded(CHUNKS, 2, dense.DIM, never)
        next(first)
        first.close()                                              # its other chunks' vectors are never read
        again = np.vstack(list(embedpool.embedded(CHUNKS, 2, dense.DIM, never)))
        assert len(started) == 4 and all(proc.poll() is not None for proc in started[:2])
    assert np.array_equal(again, inside) and all(proc.poll() is not None for proc in started)
