"""Smoke test of benchmarks/: the generator and the measuring code on ~200 generated passages, 20 questions."""
from __future__ import annotations

import json
import re

import pytest

from benchmarks import generate as G
from benchmarks import run as R
from conftest import shared_path



@pytest.fixture(autouse=True, scope="module")
def idk_mrc() -> None:
    """IDK-MRC comes from ../shared: missing, these tests fail under CI=true and are skipped elsewhere."""
    if not G.DATASET.is_dir():
        shared_path("datasets", "idk-mrc")

N_PASSAGES, N_QUESTIONS = 200, 20
ROW_FIELDS = {"system", "passages", "build_s", "build_cpu_s", "median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms",
              "questions", "indexed_passages", "longest_silence_s"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A prepared 200-passage generated size, as the runner's workers read it."""
    data = tmp_path_factory.mktemp("bench") / "200"
    meta = R.prepare(str(N_PASSAGES), data, N_QUESTIONS)
    return data, meta


def test_split_sentences_keeps_abbreviations_and_citation_marks():
    text = ("Ia lahir di Jl. Merdeka No. 5 tahun 1990.[1] H. Agus Salim adalah tokoh besar. "
            "Ia wafat pada tahun 1954 di Jakarta.")
    assert G.split_sentences(text) == ["Ia lahir di Jl. Merdeka No. 5 tahun 1990.[1]",
                                       "H. Agus Salim adalah tokoh besar.", "Ia wafat pada tahun 1954 di Jakarta."]


def test_generate_is_deterministic_and_made_of_real_sentences():
    a = G.generate(N_PASSAGES, seed=3)
    assert a == G.generate(N_PASSAGES, seed=3) and len(a) == N_PASSAGES and a != G.generate(N_PASSAGES, seed=4)
    parts = G.compose(N_PASSAGES, seed=3)
    assert [" ".join(p) for p in parts] == a
    assert G.generate(50, seed=3) == a[:50]            # a smaller size is a prefix of a larger one
    pool = set(G.sentence_pool())
    assert all(G.MIN_SENTENCES <= len(p) <= G.MAX_SENTENCES for p in parts)
    sentences = [s for p in parts for s in p]
    assert set(sentences) <= pool
    assert len(sentences) == len(set(sentences))      # no sentence repeats before the pool is used up


def test_prepare_writes_corpus_and_questions(small):
    data, meta = small
    assert meta["passages"] == N_PASSAGES and meta["questions"] == N_QUESTIONS
    assert len(json.loads((data / "passages.json").read_text())) == N_PASSAGES
    assert len(list((data / "corpus").glob("*.txt"))) == meta["files"] == N_PASSAGES // R.PER_FILE


@pytest.mark.parametrize("system", R.SYSTEMS)
def test_measure_gives_a_full_row_with_positive_timings(small, system):
    data, _ = small
    passages = json.loads((data / "passages.json").read_text())
    questions = json.loads((data / "questions.json").read_text())
    row, ask = R.measure(system, data / "corpus", passages, questions, questions[:2], quiet=True)
    assert ROW_FIELDS <= set(row)
    assert row["build_s"] > 0 and row["median_ms"] > 0 and row["p95_ms"] >= row["median_ms"] > 0
    assert row["questions"] == N_QUESTIONS
    assert row["indexed_passages"] > 0.9 * N_PASSAGES
    ask(questions[0])


def test_worker_subprocess_reports_peak_memory_and_outputs_are_written(small, tmp_path):
    data, meta = small
    row = R.run_worker("bm25s", str(N_PASSAGES), data, timeout=120)
    assert "error" not in row, row
    assert row["peak_mb"] > 10 and row["median_ms"] > 0 and row["size"] == str(N_PASSAGES)
    report = {"command": "test", "started": "now", "code_version": "x", "code_version_end": "x",
              "duration_s": 1.0, "machine": R.machine(), "sizes": [meta], "rows": [row], "questions": N_QUESTIONS}
    report["targets"] = R.targets(report["rows"], None)
    R.write_outputs(report, tmp_path)
    md = (tmp_path / "results.md").read_text()
    assert re.search(r"\| 200 \| 200 \| bm25s \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ \|", md)
    assert (tmp_path / "scaling.png").stat().st_size > 1000
    assert json.loads((tmp_path / "results.json").read_text())["rows"][0]["system"] == "bm25s"


def test_percentile_matches_numpy_linear():
    values = sorted([5.0, 1.0, 3.0, 2.0, 4.0])
    assert R.percentile(values, 50) == 3.0 and R.percentile(values, 95) == pytest.approx(4.8)
