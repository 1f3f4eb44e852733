"""A corpus that grows: a new document costs its own sentences, and the answers are those of a fresh build."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import CHAPTER, CHAPTER_NAME, REPO, write_corpus
from retrieval import Engine, dense, e5onnx, embedstore
from retrieval.cache import cache_dir, read_cache
from retrieval.embedstore import Store

NEW_DOC = ("Kota Gimje mengirim tiga belas pelajar ke Batam pada tahun 2016. "
           "Mereka belajar bahasa Indonesia selama dua minggu.\n\n"
           "Program itu dibiayai oleh pemerintah kota Gimje.\n")
BUDGET_DOC = ("Walikota Batam meresmikan taman Gimje pada bulan Mei. "
              "Taman itu memiliki sebuah kolam teratai.\n\nPengunjung datang dari Singapura.\n")
QUESTIONS = ("Kapan MoU Batam dan Gimje ditandatangani?\nBerapa penghasilan Shenzhen pada tahun 2011?\n"
             "Festival apa yang ada di kota Gimje?\nSiapa presiden Prancis?\n")


@pytest.fixture
def model():
    loaded, status = dense.load_model()
    if loaded is None:
        pytest.skip(f"e5 model not loaded: {status.reason}")
    return loaded


@pytest.fixture
def embedded(model, monkeypatch) -> list[str]:
    """The texts the e5 model embeds during the test."""
    seen: list[str] = []
    original = model.passages

    def counting(texts, progress=None):
        seen.extend(texts)
        return original(texts, progress)
    monkeypatch.setattr(model, "passages", counting)
    return seen


def test_adding_a_document_embeds_only_its_sentences(tmp_path, embedded):
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes()})
    before = Engine.build(corpus, cache_dir=tmp_path / "cache")
    assert embedded == []                                  # the chapter was embedded once, for the session
    (corpus / "baru.txt").write_text(NEW_DOC, encoding="utf-8")
    after = Engine.build(corpus, cache_dir=tmp_path / "cache")
    sentences = ["Kota Gimje mengirim tiga belas pelajar ke Batam pada tahun 2016.",
                 "Mereka belajar bahasa Indonesia selama dua minggu.",
                 "Program itu dibiayai oleh pemerintah kota Gimje."]
    # its paragraphs whole, and its sentences read off them (e5onnx.span)
    first, cut = " ".join(sentences[:2]), len(sentences[0])
    assert sorted(embedded) == sorted([first, sentences[2], e5onnx.span(first, [(0, cut)]),
                                       e5onnx.span(first, [(cut + 1, len(first))]),
                                       e5onnx.span(sentences[2], [(0, len(sentences[2]))])])
    units, passages = len(after.units.passage), len(after.passages)
    assert after.vectors.shape == (units + passages, dense.DIM)
    old_units, old_passages = len(before.units.passage), len(before.passages)
    assert (after.vectors[:old_units] == before.vectors[:old_units]).all()   # the chapter's units come first
    assert (after.vectors[units:units + old_passages] == before.vectors[old_units:]).all()   # ... and its passages
    (corpus / "baru.txt").unlink()
    again = Engine.build(corpus, cache_dir=tmp_path / "cache")
    assert len(embedded) == 5 and (again.vectors == before.vectors).all()


def cli(corpus: Path, env: dict, *extra: str) -> str:
    done = subprocess.run([sys.executable, "-m", "retrieval", "ask", "--batch", "-", "--json", "--corpus", str(corpus),
                           *extra], input=QUESTIONS, cwd=REPO, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ask_after_add_then_remove_is_byte_identical_to_a_fresh_build(tmp_path, model):
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes()})
    cache = tmp_path / "cache"                             # an index cache of its own, the session's vectors
    cache.mkdir(mode=0o700)
    (cache / embedstore.FILE).write_bytes((cache_dir() / embedstore.FILE).read_bytes())
    env = {"KUTIP_CACHE_DIR": str(cache)}
    # a fresh build: no index read or written (--no-cache); its vectors are the store's, which are what e5 gives
    # (test_embedstore: a build without the cache reads stored vectors and writes nothing)
    fresh = cli(corpus, env, "--no-cache")
    assert not list(cache.glob("index-*.npz"))
    (corpus / "baru.txt").write_text(NEW_DOC, encoding="utf-8")
    with_new = cli(corpus, env)
    (corpus / "baru.txt").unlink()
    for index in cache.glob("index-*.npz"):                 # no index to load: built again from stored vectors
        index.unlink()
    assert cli(corpus, env) == fresh
    assert with_new != fresh and "tiga belas pelajar" not in fresh


def test_a_build_far_past_its_budget_folds_its_todo_without_looking_up_each_sentence(tmp_path, embedded,
                                                                                     monkeypatch):
    asked: list[str] = []       # every input whose store key is worked out
    key = embedstore.text_key
    monkeypatch.setattr(embedstore, "text_key", lambda text, model: asked.append(text) or key(text, model))
    first = "Perpustakaan Gimje dibuka pada tahun 2019. Koleksinya berisi seribu buku."
    second = "Ruang bacanya menghadap ke laut."
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes(),
                                                "perpus.txt": f"{first}\n\n{second}\n"})
    folder = tmp_path / "cache"
    looked_up = Engine.build(corpus, cache_dir=folder, budget=2).todo   # 2 new passages: each input looked up
    assert e5onnx.span(second, [(0, len(second))]) in asked
    asked.clear()
    skipped = Engine.build(corpus, cache_dir=folder, budget=1).todo     # more new passages than that: not looked up
    assert second in asked and not any(second in t and t != second for t in asked)
    cut = first.index(" K")
    assert skipped == looked_up == (e5onnx.span(second, [(0, len(second))]),     # shorter passages first
                                    e5onnx.SPAN + f"0:{cut};{cut + 1}:{len(first)}" + e5onnx.SPAN + first)
    Store(folder).put_vectors([(key(first, embedstore.model_id()), bytes(2 * dense.DIM))])
    assert Engine.build(corpus, cache_dir=folder, budget=0).todo == \
        Engine.build(corpus, cache_dir=folder, budget=1).todo == looked_up     # a stored passage's spans: looked up
    assert embedded == []


def test_a_build_past_its_budget_answers_by_words_until_the_meaning_is_filled_in(tmp_path, embedded):
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes(), "baru.txt": BUDGET_DOC})
    folder = tmp_path / "cache"
    partial = Engine.build(corpus, cache_dir=folder, budget=2)
    assert embedded == [] and partial.vectors is None and not partial.complete
    first = ["Walikota Batam meresmikan taman Gimje pada bulan Mei.", "Taman itu memiliki sebuah kolam teratai."]
    second = "Pengunjung datang dari Singapura."              # each passage once, its sentences' spans folded in
    whole = " ".join(first)
    assert sorted(partial.todo) == sorted([e5onnx.SPAN + f"0:{len(first[0])};{len(first[0]) + 1}:{len(whole)}"
                                           + e5onnx.SPAN + whole, e5onnx.span(second, [(0, len(second))])])
    assert not partial.dense_status.loaded and "5 kalimat" in partial.dense_status.reason
    assert not list(folder.glob("index-*.npz"))            # an engine still missing vectors is never cached
    assert not partial.ask("Kapan MoU Batam dan Gimje ditandatangani?").abstained   # but it answers, by words
    done: list[tuple[int, int]] = []
    assert embedstore.fill(partial.todo, Store(folder), lambda s, d, t: done.append((d, t))) == 5
    assert done[-1] == (5, 5)
    full = Engine.build(corpus, cache_dir=folder, budget=2)
    assert full.complete and full.dense_status.loaded and len(embedded) == 5
    [index] = folder.glob("index-*.npz")
    assert np.array_equal(Engine.from_state(*read_cache(index)).vectors, full.vectors)
