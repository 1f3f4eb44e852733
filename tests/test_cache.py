"""The index cache: under KUTIP_CACHE_DIR, keyed by content, checksummed (a bad file is rebuilt), written atomically."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import CHAPTER, CHAPTER_NAME, write_corpus
from retrieval import cache
from retrieval.cache import MAGIC, corpus_files, corpus_key, read_cache, write_cache
from retrieval.engine import Engine
from retrieval.readers import READERS


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    """A fresh KUTIP_CACHE_DIR for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


@pytest.fixture
def chapter_dir(tmp_path) -> Path:
    return write_corpus(tmp_path / "korpus", {CHAPTER_NAME: CHAPTER.read_bytes()})


@pytest.fixture
def fresh_builds(monkeypatch) -> list[int]:
    """Count the engine's fresh (non-cached) builds."""
    calls: list[int] = []
    original = Engine._fresh.__func__

    def counting(cls, *args, **kwargs):
        calls.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Engine, "_fresh", classmethod(counting))
    return calls


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("index-*.pkl"))


def same_engine(a: Engine, b: Engine) -> bool:
    return a.passages == b.passages and a.footnotes == b.footnotes and a.documents == b.documents


def test_cache_goes_to_kutip_cache_dir_never_into_a_read_only_corpus(cache_home, chapter_dir):
    before = sorted(p.name for p in chapter_dir.rglob("*"))
    chapter_dir.chmod(0o555)
    try:
        engine = Engine.build(chapter_dir)
    finally:
        chapter_dir.chmod(0o755)
    assert engine.documents[0].status == "indexed"
    assert sorted(p.name for p in chapter_dir.rglob("*")) == before
    files = cache_files(cache_home)
    key = corpus_key(chapter_dir, corpus_files(chapter_dir, READERS))
    assert [f.name for f in files] == [f"index-{key[:40]}.pkl"]
    assert read_cache(files[0]).passages == engine.passages


def test_explicit_cache_dir_wins_over_the_environment(cache_home, chapter_dir, tmp_path):
    Engine.build(chapter_dir, cache_dir=tmp_path / "explicit")
    assert len(cache_files(tmp_path / "explicit")) == 1
    assert not cache_home.exists()


def test_no_cache_writes_nothing(cache_home, chapter_dir):
    Engine.build(chapter_dir, use_cache=False)
    assert not cache_home.exists()


def test_second_build_loads_from_the_cache(cache_home, chapter_dir, fresh_builds):
    t0 = time.perf_counter()
    first = Engine.build(chapter_dir)
    t1 = time.perf_counter()
    second = Engine.build(chapter_dir)
    t2 = time.perf_counter()
    assert len(fresh_builds) == 1                     # the second build did not read or index anything
    assert same_engine(first, second)
    assert second.built_at == first.built_at          # the stored engine, not a new one
    assert t2 - t1 < t1 - t0
    assert second.ask("Kapan MoU Batam dan Gimje ditandatangani?").quotes[0].text == \
        first.ask("Kapan MoU Batam dan Gimje ditandatangani?").quotes[0].text


def corrupt_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def corrupt_flip_payload(data: bytes) -> bytes:
    i = len(data) - 100
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]


def corrupt_flip_magic(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x20]) + data[1:]


def corrupt_flip_digest(data: bytes) -> bytes:
    i = len(MAGIC) + 3
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]


def corrupt_empty(data: bytes) -> bytes:
    return b""


def corrupt_not_a_pickle(data: bytes) -> bytes:
    import hashlib
    payload = b"this is not a pickle"
    return MAGIC + hashlib.sha256(payload).digest() + payload   # a valid checksum over garbage


@pytest.mark.parametrize("corrupt", [corrupt_truncate, corrupt_flip_payload, corrupt_flip_magic, corrupt_flip_digest,
                                     corrupt_empty, corrupt_not_a_pickle])
def test_corrupt_cache_is_rebuilt_and_rewritten(cache_home, chapter_dir, fresh_builds, corrupt):
    good = Engine.build(chapter_dir)
    [path] = cache_files(cache_home)
    path.write_bytes(corrupt(path.read_bytes()))
    assert read_cache(path) is None                   # never trusted
    rebuilt = Engine.build(chapter_dir)
    assert len(fresh_builds) == 2
    assert same_engine(rebuilt, good)
    assert cache_files(cache_home) == [path]
    assert path.read_bytes().startswith(MAGIC)
    assert same_engine(read_cache(path), good)        # rewritten whole and valid
    assert not list(cache_home.glob(".tmp-*"))


def test_changed_corpus_file_changes_the_key_and_the_answer(cache_home, tmp_path):
    corpus = write_corpus(tmp_path / "k", {"mou.txt": "Kota Batam bermitra dengan Kota Gimje sejak tahun 2013.\n"})
    question = "Sejak kapan Batam bermitra dengan Gimje?"
    key1 = corpus_key(corpus, corpus_files(corpus, READERS))
    assert "2013" in Engine.build(corpus).ask(question).quotes[0].text
    (corpus / "mou.txt").write_text("Kota Batam bermitra dengan Kota Gimje sejak tahun 2015.\n", encoding="utf-8")
    key2 = corpus_key(corpus, corpus_files(corpus, READERS))
    assert key1 != key2
    answer = Engine.build(corpus).ask(question)
    assert answer.quotes[0].text == "Kota Batam bermitra dengan Kota Gimje sejak tahun 2015."
    assert sorted(f.name for f in cache_files(cache_home)) == sorted([f"index-{key1[:40]}.pkl",
                                                                       f"index-{key2[:40]}.pkl"])


def test_renamed_or_added_file_changes_the_key(tmp_path):
    corpus = write_corpus(tmp_path / "k", {"a.txt": "Satu."})
    k1 = corpus_key(corpus, corpus_files(corpus, READERS))
    (corpus / "a.txt").rename(corpus / "b.txt")
    k2 = corpus_key(corpus, corpus_files(corpus, READERS))
    (corpus / "c.md").write_text("Dua.", encoding="utf-8")
    k3 = corpus_key(corpus, corpus_files(corpus, READERS))
    (corpus / "_draft").mkdir()
    (corpus / "_draft" / "d.md").write_text("Tiga.", encoding="utf-8")   # '_' folders are passed over
    (corpus / "e.pages").write_bytes(b"PK")                              # no reader: not part of the corpus
    k4 = corpus_key(corpus, corpus_files(corpus, READERS))
    assert len({k1, k2, k3}) == 3 and k4 == k3


def test_write_is_atomic_and_leaves_no_temp_files(cache_home, chapter_dir):
    Engine.build(chapter_dir)
    Engine.build(chapter_dir, use_cache=True)
    names = [p.name for p in cache_home.iterdir()]
    assert len(names) == 1 and names[0].startswith("index-") and names[0].endswith(".pkl")


def test_failed_write_keeps_the_previous_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "index-x.pkl"
    assert write_cache(path, {"versi": 1})
    monkeypatch.setattr(cache.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk penuh")))
    assert write_cache(path, {"versi": 2}) is False
    assert read_cache(path) == {"versi": 1}


def test_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "index-x.pkl"
    monkeypatch.setattr(cache.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk penuh")))
    assert write_cache(path, {"versi": 2}) is False
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_dir_still_builds(tmp_path, monkeypatch, chapter_dir):
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    engine = Engine.build(chapter_dir)
    assert engine.passages and not engine.ask("siapa penulis buku Paradiplomacy").abstained


def test_old_cache_files_are_pruned(tmp_path):
    for i in range(cache.KEEP + 3):
        p = tmp_path / f"index-{i:02d}.pkl"
        assert write_cache(p, i)
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
    write_cache(tmp_path / "index-new.pkl", "new")
    left = sorted(p.name for p in tmp_path.glob("index-*.pkl"))
    assert len(left) == cache.KEEP and "index-new.pkl" in left and "index-00.pkl" not in left
