"""A corpus built in a worker process: the same engine as a build here, its errors raised as themselves."""
from __future__ import annotations

import json
import sys
from dataclasses import replace

import numpy as np
import pytest
from test_app import ask, docs, quotes, shown_text, start  # noqa: F401 - docs is a fixture

from conftest import CHAPTER, CHAPTER_NAME, write_corpus
from retrieval import Engine, buildproc, dense, e5onnx, embedstore, userdocs
from retrieval.embedstore import Store
from retrieval.errors import BuildFailed, CorpusNotFound, EmptyCorpus
from retrieval.render import answer_dict

LAKE = ("Telaga Sunyi di Morvania berwarna biru safir sepanjang tahun. "          # texts no other test embeds
        "Airnya jernih karena berasal dari salju yang mencair.\n\n"
        "Para nelayan menangkap ikan gurami di telaga itu setiap senja.\n")
MARSH = ("Payau Belanak di Morvania berwarna cokelat tua pada musim hujan. "
         "Airnya asin karena dialiri pasang dari laut.\n\n"
         "Para petani menanam bakau belanak di tepi payau itu.\n")
QUESTIONS = ("Apa warna Telaga Sunyi di Morvania?", "Kapan MoU Batam dan Gimje ditandatangani?",
             "Ikan apa yang ditangkap nelayan?", "Apa yang ditanam di tepi Payau Belanak?", "Siapa presiden Prancis?")


def answers(engine: Engine) -> str:
    return json.dumps([answer_dict(engine.ask(q)) for q in QUESTIONS], ensure_ascii=False)


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes(), "telaga.txt": LAKE.encode()})


def test_a_worker_builds_the_engine_a_build_here_would_and_reports_its_progress(corpus):
    stages: list[str] = []
    done = buildproc.build(corpus, lambda stage, done, total: stages.append(stage), use_cache=False, budget=2,
                           suggestions=4)
    here = Engine.build(corpus, use_cache=False, budget=2)       # the chapter's vectors: the session's cache
    there = done.engine
    assert len(done.suggestions) == 4 and done == replace(buildproc.built(here, 4), engine=there)
    assert there.passages == here.passages and there.footnotes == here.footnotes
    assert there.documents == here.documents and there.compounds == here.compounds
    assert there.todo == here.todo and there.vectors is None                            # past the budget: by words
    assert len(there.todo) == 2 and e5onnx.count(there.todo) == 5     # two passages: their 3 sentences folded in
    assert answers(there) == answers(here)
    assert {"read", "structure", "index"} <= set(stages)


def test_a_worker_within_the_budget_returns_the_vectors(corpus):
    if dense.load_model()[0] is None:
        pytest.skip("e5 model not loaded")
    there = buildproc.build(corpus, use_cache=False).engine      # the new document's 4 texts embedded there
    here = Engine.build(corpus, use_cache=False)
    assert there.complete and np.array_equal(there.vectors, here.vectors)
    assert answers(there) == answers(here)


def test_the_text_comes_back_in_chunks_each_parsed_on_its_own(engine, monkeypatch):
    monkeypatch.setattr(buildproc, "CHUNK_ROWS", 7)
    arrays, meta = buildproc.pack(buildproc.built(engine, 4))
    chunks = [name for name in arrays if name.startswith("chunk.passages.")]
    assert len(chunks) == meta["passages"]["chunks"] == -(-len(engine.passages) // 7) > 1
    assert "rows" not in meta["passages"]             # no single JSON string holds every passage
    texts = arrays["str.passages.text.bytes"].tobytes().decode()   # the text apart, as bytes with end offsets
    assert texts == "".join(p.text for p in engine.passages)
    assert engine.passages[0].text not in arrays["chunk.passages.0"].tobytes().decode()
    spans = [x for p in engine.passages for pair in p.sentences for x in pair]      # the spans apart, as numbers
    assert arrays["pairs.passages.sentences.flat"].tolist() == spans
    back = buildproc.unpack((dict(arrays), json.loads(json.dumps(meta))))
    assert back.engine.passages == engine.passages and back.engine.todo == engine.todo == ()
    assert vars(back.engine)["abbreviations"] == engine.abbreviations and engine.abbreviations["loi"] == \
        "Letter of Intent"                            # read by the worker: the server's first question does not
    assert answers(back.engine) == answers(engine) and back == replace(buildproc.built(engine, 4), engine=back.engine)


def test_a_packed_engine_that_does_not_fit_is_refused(engine):
    arrays, meta = buildproc.pack(buildproc.built(engine, 0))
    ends = arrays["str.passages.text.ends"]
    ends[0] = ends[-1] + 1
    with pytest.raises(ValueError, match="offsets out of order"):
        buildproc.unpack((arrays, meta))
    arrays, meta = buildproc.pack(buildproc.built(engine, 0))
    arrays["pairs.passages.sentences.counts"][0] += 1
    with pytest.raises(ValueError, match="counts and numbers differ"):
        buildproc.unpack((arrays, meta))
    arrays, meta = buildproc.pack(buildproc.built(engine, 0))
    meta["abbreviations"] = {"loi": ["Letter", "of", "Intent"]}
    with pytest.raises(ValueError, match="not words and their expansions"):
        buildproc.unpack((arrays, meta))


def test_the_cores_errors_come_back_as_themselves(tmp_path):
    (tmp_path / "kosong").mkdir()
    with pytest.raises(EmptyCorpus, match="korpus kosong"):
        buildproc.build(tmp_path / "kosong", use_cache=False)
    with pytest.raises(CorpusNotFound, match="tidak-ada"):
        buildproc.build(tmp_path / "tidak-ada", use_cache=False)


def test_a_worker_that_dies_or_leaves_no_engine_is_a_build_failure(corpus, monkeypatch):
    monkeypatch.setattr(buildproc, "BOOT", "import os; os._exit(3)")
    with pytest.raises(BuildFailed, match=r"kode 3\) / the build worker stopped \(exit code 3\)"):
        buildproc.build(corpus, use_cache=False)
    monkeypatch.setattr(buildproc, "BOOT", "import sys; sys.stdin.readline(); print('{\"done\": true}')")
    with pytest.raises(BuildFailed, match="worker's index file is corrupt"):
        buildproc.build(corpus, use_cache=False)
    monkeypatch.setattr(buildproc, "BOOT", "print('{\"error\": \"ValueError\", \"message\": \"rusak\"}')")
    with pytest.raises(BuildFailed, match="^ValueError: rusak$"):
        buildproc.build(corpus, use_cache=False)


def test_without_a_worker_the_build_runs_here(corpus, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(corpus / "no-such-python"))
    assert "ikan gurami" in answers(buildproc.build(corpus, use_cache=False, budget=2).engine)


def test_filling_in_the_vectors_gives_a_fresh_builds_engine(tmp_path):
    if dense.load_model()[0] is None:
        pytest.skip("e5 model not loaded")
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes(), "payau.txt": MARSH.encode()})
    store = Store(tmp_path / "cache")                            # the chapter's vectors: this process's memory
    partial = Engine.build(corpus, cache_dir=tmp_path / "cache", budget=2)
    assert len(partial.todo) == 2 and embedstore.fill(partial.todo, store) == 5
    full = partial.filled(store)
    fresh = Engine.build(corpus, cache_dir=tmp_path / "cache")
    assert full.complete and full.dense_status.loaded and np.array_equal(full.vectors, fresh.vectors)
    assert answers(full) == answers(fresh) != answers(partial)
    assert full.filled(store) is full


def test_a_large_upload_is_built_in_a_worker_and_answers(docs, monkeypatch):
    calls: list[bool] = []
    real = buildproc.build

    def counted(*args, **kwargs):
        calls.append(kwargs.get("worker", True))
        return real(*args, **kwargs)
    monkeypatch.setattr(buildproc, "build", counted)
    monkeypatch.setattr(buildproc, "MIN_BYTES", len(LAKE.encode()))
    monkeypatch.setenv("KUTIP_SHARED_LIBRARY", "1")
    userdocs.save_document("telaga.txt", LAKE.encode())
    at = ask(start(), "Ikan apa yang ditangkap nelayan di Telaga Sunyi?")
    assert any("ikan gurami" in shown_text(q) for q in quotes(at))
    assert calls == [True]                # the chapter with the upload, built in a worker
