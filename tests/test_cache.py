"""The index cache: under KUTIP_CACHE_DIR, keyed by content, checksummed (a bad file is rebuilt), written atomically."""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import CHAPTER, CHAPTER_NAME, write_corpus
from retrieval import Engine, cache
from retrieval.cache import MAGIC, cache_path, corpus_files, corpus_key, read_cache, write_cache
from retrieval.readers import READERS

QUESTIONS = Path(__file__).resolve().parent / "data" / "core" / "mini_eval.jsonl"


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
    return sorted(folder.glob("index-*.npz"))


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
    assert [f.name for f in files] == [f"index-{key[:40]}.npz"]
    assert Engine.from_state(*read_cache(files[0])).passages == engine.passages


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


def corrupt_not_an_npz(data: bytes) -> bytes:
    import hashlib
    payload = b"this is not an npz"
    return MAGIC + hashlib.sha256(payload).digest() + payload   # a valid checksum over garbage


@pytest.mark.parametrize("corrupt", [corrupt_truncate, corrupt_flip_payload, corrupt_flip_magic, corrupt_flip_digest,
                                     corrupt_empty, corrupt_not_an_npz])
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
    assert same_engine(Engine.from_state(*read_cache(path)), good)        # rewritten whole and valid
    assert not list(cache_home.glob(".*.tmp"))


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
    assert sorted(f.name for f in cache_files(cache_home)) == sorted([f"index-{key1[:40]}.npz",
                                                                       f"index-{key2[:40]}.npz"])


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
    names = sorted(p.name for p in cache_home.iterdir())
    assert len(names) == 2 and names[0].startswith("index-") and names[0].endswith(".npz")
    assert names[1] == "sentences.sqlite"             # the sentence vectors (embedstore.py), no journal left


def small_state(version: int):
    return {"n": np.arange(3, dtype=np.int32) * version}, {"versi": version}


def test_failed_write_keeps_the_previous_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "index-x.npz"
    assert write_cache(path, *small_state(1))
    monkeypatch.setattr(cache.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk penuh")))
    assert write_cache(path, *small_state(2)) is False
    arrays, meta = read_cache(path)
    assert meta == {"versi": 1} and arrays["n"].tolist() == [0, 1, 2]


def test_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "index-x.npz"
    monkeypatch.setattr(cache.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk penuh")))
    assert write_cache(path, *small_state(2)) is False
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_dir_still_builds(tmp_path, monkeypatch, chapter_dir):
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    engine = Engine.build(chapter_dir)
    assert engine.passages and not engine.ask("Kapan MoU Batam dan Gimje ditandatangani?").abstained


def our_name(i: int) -> str:
    return f"index-{i:040x}.npz"


def test_old_cache_files_are_pruned(tmp_path):
    for i in range(cache.KEEP + 3):
        p = tmp_path / our_name(i)
        assert write_cache(p, *small_state(i))
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
    write_cache(tmp_path / our_name(999), *small_state(5))
    left = sorted(p.name for p in tmp_path.glob("index-*.npz"))
    assert len(left) == cache.KEEP and our_name(999) in left and our_name(0) not in left
    assert our_name(cache.KEEP + 2) in left


def test_pruning_keeps_the_file_just_written_and_leaves_other_files_alone(tmp_path):
    future = time.time() + 10 * 365 * 86400      # others look newer than the file just written
    for i in range(cache.KEEP + 3):
        p = tmp_path / our_name(i)
        assert write_cache(p, *small_state(i))
        os.utime(p, (future + i, future + i))
    foreign = [tmp_path / "index-notes.txt", tmp_path / "index-backup.npz"]
    for p in foreign:
        p.write_text("bukan milik Kutip")
        os.utime(p, (1_000, 1_000))
    assert write_cache(tmp_path / our_name(999), *small_state(7))
    assert read_cache(tmp_path / our_name(999))[1] == {"versi": 7}
    ours = sorted(p.name for p in tmp_path.iterdir() if cache._OURS.match(p.name))
    assert len(ours) == cache.KEEP and our_name(999) in ours
    assert ours[:-1] == [our_name(i) for i in range(4, cache.KEEP + 3)]     # the newest others
    assert all(p.read_text() == "bukan milik Kutip" for p in foreign)


def test_old_pickled_caches_of_ours_are_removed(tmp_path):
    old = tmp_path / f"index-{'a' * 40}.pkl"
    old.write_bytes(b"old pickle")
    assert write_cache(tmp_path / our_name(1), *small_state(1))
    assert not old.exists() and (tmp_path / our_name(1)).exists()


# --- a cache file is data, never code -----------------------------------------------------------------------

class Planted:
    """Unpickling this would create the marker file: the proof that a loader ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def with_checksum(payload: bytes) -> bytes:
    import hashlib
    return MAGIC + hashlib.sha256(payload).digest() + payload


def planted_pickle(marker: Path) -> bytes:
    import pickle
    return with_checksum(pickle.dumps(Planted(marker)))


def planted_object_npz(marker: Path) -> bytes:
    import io
    buffer = io.BytesIO()
    np.savez(buffer, idf=np.array([Planted(marker)], dtype=object))     # numpy pickles object arrays
    return with_checksum(buffer.getvalue())


def planted_meta_npz(marker: Path) -> bytes:
    import io
    import pickle
    buffer = io.BytesIO()
    np.savez(buffer, __meta__=np.frombuffer(pickle.dumps(Planted(marker)), np.uint8))
    return with_checksum(buffer.getvalue())


@pytest.mark.parametrize("plant", [planted_pickle, planted_object_npz, planted_meta_npz])
def test_planted_cache_file_is_rejected_not_run(cache_home, chapter_dir, fresh_builds, tmp_path, plant):
    marker = tmp_path / "DIJALANKAN"
    import pickle
    pickle.loads(pickle.dumps(Planted(tmp_path / "control")))          # the payload does run when unpickled
    assert (tmp_path / "control").exists()
    key = corpus_key(chapter_dir, corpus_files(chapter_dir, READERS))
    path = cache_path(cache_home, key)
    cache_home.mkdir()
    path.write_bytes(plant(marker))
    assert read_cache(path) is None
    engine = Engine.build(chapter_dir)
    assert not marker.exists()
    assert len(fresh_builds) == 1                                       # rebuilt, and the planted file replaced
    assert same_engine(Engine.from_state(*read_cache(path)), engine)


@pytest.mark.parametrize("save, loads", [(np.savez, True), (np.savez_compressed, False)])
def test_only_stored_npz_members_are_read(tmp_path, save, loads):
    import io
    buffer = io.BytesIO()
    meta = np.frombuffer(b'{"versi": 1}', np.uint8)
    save(buffer, big=np.zeros(1_000_000, np.float32), __meta__=meta)     # compressed: 4 MB from a few KB
    path = tmp_path / "index-x.npz"
    path.write_bytes(with_checksum(buffer.getvalue()))
    assert (read_cache(path) is not None) is loads


def test_tampered_checksum_is_rejected(cache_home, chapter_dir, fresh_builds):
    Engine.build(chapter_dir)
    [path] = cache_files(cache_home)
    data = bytearray(path.read_bytes())
    data[len(MAGIC) + 40] ^= 0x01                                        # a byte of the npz, checksum left as is
    path.write_bytes(bytes(data))
    assert read_cache(path) is None
    Engine.build(chapter_dir)
    assert len(fresh_builds) == 2


def test_a_state_that_does_not_fit_is_rebuilt(cache_home, chapter_dir, fresh_builds):
    good = Engine.build(chapter_dir)
    [path] = cache_files(cache_home)
    arrays, meta = read_cache(path)
    arrays["units.passage"] = arrays["units.passage"].astype(np.float64)     # wrong kind, valid checksum
    assert write_cache(path, arrays, meta)
    assert same_engine(Engine.build(chapter_dir), good) and len(fresh_builds) == 2
    arrays, meta = read_cache(path)
    meta["passages"]["fields"] = meta["passages"]["fields"][:-1]         # another shape of Passage
    assert write_cache(path, arrays, meta)
    assert same_engine(Engine.build(chapter_dir), good) and len(fresh_builds) == 3


def test_object_arrays_are_never_written(tmp_path):
    with pytest.raises(ValueError):
        write_cache(tmp_path / "index-x.npz", {"a": np.array([object()], dtype=object)}, {})
    assert not list(tmp_path.iterdir())


def test_round_trip_gives_identical_answers(cache_home, chapter_dir):
    import json
    built = Engine.build(chapter_dir)
    loaded = Engine.from_state(*read_cache(cache_files(cache_home)[0]))
    assert loaded is not built and loaded.index.vocab == built.index.vocab
    questions = [json.loads(line)["q"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions += ["Apa saja tujuan kerjasama sister city?", "Apa yang dimaksud dengan paradiplomasi?",
                  "Mengapa Batam memilih Gimje?", "Siapa presiden Korea Selatan tahun 1990?"]
    for q in questions:
        assert loaded.ask(q) == built.ask(q), q
    assert loaded.search("sister city Gimje") == built.search("sister city Gimje")


# --- what was read is what is keyed -------------------------------------------------------------------------

def test_file_edited_during_the_build_is_not_stored_under_the_old_key(cache_home, tmp_path, fresh_builds):
    corpus = write_corpus(tmp_path / "k", {"mou.txt": "Kota Batam bermitra dengan Kota Gimje sejak tahun 2013.\n"})
    old_key = corpus_key(corpus, corpus_files(corpus, READERS))

    def edit_before_reading(stage: str, done: int, total: int) -> None:
        if stage == "read" and done == 0:
            (corpus / "mou.txt").write_text("Kota Batam bermitra dengan Kota Gimje sejak tahun 2015.\n")

    engine = Engine.build(corpus, progress=edit_before_reading)
    assert "2015" in engine.passages[0].text
    assert not cache_path(cache_home, old_key).exists()                 # 2015 text never under the 2013 key
    (corpus / "mou.txt").write_text("Kota Batam bermitra dengan Kota Gimje sejak tahun 2013.\n")
    assert "2013" in Engine.build(corpus).passages[0].text
    assert len(fresh_builds) == 2


# --- links out of the corpus --------------------------------------------------------------------------------

def test_links_out_of_the_corpus_are_not_followed_and_are_listed(cache_home, tmp_path):
    outside = write_corpus(tmp_path / "luar", {"rahasia.txt": "RAHASIA kata sandi server batam.\n",
                                               "bab.md": "# Bab\n\nRAHASIA folder luar batam.\n"})
    corpus = write_corpus(tmp_path / "k", {"mou.txt": "Kota Batam bermitra dengan Kota Gimje sejak tahun 2013.\n",
                                           "asli/bab.md": "# Bab\n\nKota Gimje di Korea Selatan.\n"})
    (corpus / "passwd.txt").symlink_to(outside / "rahasia.txt")
    (corpus / "luar").symlink_to(outside, target_is_directory=True)
    (corpus / "salinan.md").symlink_to(corpus / "asli" / "bab.md")       # inside the corpus: followed
    engine = Engine.build(corpus)
    assert not any("RAHASIA" in p.text for p in engine.passages)
    status = {d.source: (d.status, d.reason) for d in engine.documents}
    assert status["passwd.txt"] == ("skipped", "passwd.txt: tautan ke luar folder korpus tidak diikuti / "
                                               "berkas / file link pointing outside the corpus folder not followed")
    assert status["luar"][0] == "skipped" and "folder link" in status["luar"][1]
    assert status["salinan.md"][0] == "indexed" and status["mou.txt"][0] == "indexed"
    assert engine.ask("Sejak kapan Batam bermitra dengan Gimje?").quotes[0].text.endswith("tahun 2013.")
