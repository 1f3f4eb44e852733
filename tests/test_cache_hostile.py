"""Hostile cache folders and corpus folders: a FIFO, a sparse giant, a forged file in a shared folder, deep nesting."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, write_corpus
from retrieval import Engine
from retrieval.cache import MAGIC, MAX_DEPTH, cache_path, corpus_key, corpus_listing, read_cache, write_cache
from retrieval.readers import KNOWN

TEXT = "Kota Batam menandatangani MoU dengan Gimje pada tahun 2013."
OTHER = "Festival Jipyeongseon diadakan di kota Gimje setiap musim gugur."


def key_of(corpus: Path) -> str:
    files, refused = corpus_listing(corpus, KNOWN)
    return corpus_key(corpus, files, tuple(name for name, _ in refused))


def cli(corpus: Path, cache: Path, timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "KUTIP_CACHE_DIR": str(cache), "KUTIP_NO_DENSE": "1"}
    return subprocess.run([sys.executable, "-m", "retrieval", "ask", "Kapan MoU ditandatangani?", "--corpus",
                           str(corpus), "--json"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_a_fifo_at_the_cache_path_does_not_hang_ask(tmp_path):
    corpus = write_corpus(tmp_path / "korpus", {"a.txt": TEXT})
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    fifo = cache_path(cache, key_of(corpus))
    os.mkfifo(fifo)
    done = cli(corpus, cache, timeout=60)          # before: blocked forever opening the FIFO for reading
    assert done.returncode == 0, done.stderr
    assert "2013" in done.stdout
    assert fifo.is_file() and read_cache(fifo) is not None      # the FIFO replaced by a real cache file


def peak_bytes(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("prefix, size, tail", [(b"", 1024 ** 3, b""), (MAGIC + bytes(32), 1024 ** 3, b""),
                                               (MAGIC + bytes(32), 256 * 1024 ** 2, b"PK\x05\x06" + bytes(18))])
def test_a_sparse_cache_file_is_rejected_without_filling_memory(tmp_path, prefix, size, tail):
    path = tmp_path / "index-sparse.npz"
    with open(path, "wb") as f:
        f.write(prefix)
        f.truncate(size - len(tail))                # holes: nothing on disk, all of it when read
        f.seek(0, 2)
        f.write(tail)                               # the last: ends as a zip does, so it is hashed, a MiB at a time
    result, peak = peak_bytes(lambda: read_cache(path))
    assert result is None
    assert peak < 16 * 1024 ** 2                    # before: the whole file, then the payload, in memory (2 GB)


def test_a_cache_file_past_the_size_limit_is_not_read_at_all(tmp_path, monkeypatch):
    import retrieval.cache as cache
    path = tmp_path / "index-big.npz"
    assert write_cache(path, {}, {"key": "x"})
    assert read_cache(path) == ({}, {"key": "x"})
    monkeypatch.setattr(cache, "MAX_BYTES", path.stat().st_size - 1)
    assert read_cache(path) is None


def test_a_forged_cache_in_a_folder_others_can_write_is_not_trusted(tmp_path):
    mine = write_corpus(tmp_path / "mine", {"a.txt": TEXT})
    forged_from = write_corpus(tmp_path / "forged", {"a.txt": OTHER})
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)                             # a shared KUTIP_CACHE_DIR anyone can write to
    forged = Engine.build(forged_from, use_cache=False)
    arrays, meta = forged.to_state()
    key = key_of(mine)
    shared.chmod(0o700)
    assert write_cache(cache_path(shared, key), arrays, {**meta, "key": key})   # valid checksum, valid key
    shared.chmod(0o777)
    engine = Engine.build(mine, cache_dir=shared)
    assert [p.text for p in engine.passages] == [TEXT]          # before: the forged passage was answered from
    shared.chmod(0o755)
    assert [p.text for p in Engine.build(mine, cache_dir=shared).passages] == [OTHER]   # the folder's mode decides


def test_the_cache_folder_is_created_private(tmp_path):
    corpus = write_corpus(tmp_path / "korpus", {"a.txt": TEXT})
    Engine.build(corpus, cache_dir=tmp_path / "baru" / "cache")
    assert (tmp_path / "baru" / "cache").stat().st_mode & 0o777 == 0o700
    assert len(list((tmp_path / "baru" / "cache").glob("index-*.npz"))) == 1


def nested(root: Path, depth: int) -> Path:
    """Make root/d/d/.../d (depth folders) holding deep.txt; return root.  Built with relative paths (the full
    path would pass PATH_MAX)."""
    root.mkdir()
    here = os.getcwd()
    os.chdir(root)
    try:
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("deep.txt").write_text(OTHER)
    finally:
        os.chdir(here)
    return root


@pytest.fixture
def deep_folder(tmp_path) -> Path:
    """A corpus folder 1,100 levels deep, removed afterwards from the bottom up (shutil.rmtree, and pytest's own
    clean-up of old temp folders, would raise RecursionError on it)."""
    root = nested(tmp_path / "korpus", 1100)
    yield root
    here = os.getcwd()
    os.chdir(root)
    try:
        levels = 0
        while os.path.isdir("d"):
            os.chdir("d")
            levels += 1
        for _ in range(levels):
            for name in os.listdir("."):
                os.unlink(name)
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


def test_a_corpus_folder_nested_1100_levels_deep_is_listed_without_recursion_error(deep_folder):
    corpus = deep_folder
    (corpus / "a.txt").write_text(TEXT)
    files, refused = corpus_listing(corpus, KNOWN)   # before: RecursionError from Path.rglob
    assert [f.name for f in files] == ["a.txt"]
    assert [name.count("/") + 1 for name, _ in refused] == [MAX_DEPTH]
    assert "40" in refused[0][1]
    engine = Engine.build(corpus, use_cache=False)
    assert [p.text for p in engine.passages] == [TEXT]
    assert [(d.source.count("/") + 1, d.status) for d in engine.documents] == [(1, "indexed"), (MAX_DEPTH, "skipped")]


def test_files_within_the_depth_limit_are_read(tmp_path):
    corpus = nested(tmp_path / "korpus", MAX_DEPTH - 1)
    files, refused = corpus_listing(corpus, KNOWN)
    assert [f.name for f in files] == ["deep.txt"] and refused == []


def test_arrays_read_back_equal_writable_and_aligned_whatever_their_shape_or_order(tmp_path):
    path = tmp_path / "index-odd.npz"
    sent = {"f": np.asfortranarray(np.arange(12, dtype=">f8").reshape(3, 4)), "empty": np.zeros((0, 5), np.int32),
            "one": np.array(7, np.int16), "bytes": np.frombuffer(b"\x00\xffabc", np.uint8)}
    assert write_cache(path, sent, {"key": "x"})
    arrays, meta = read_cache(path)
    assert meta == {"key": "x"} and arrays.keys() == sent.keys()
    for name, a in arrays.items():
        assert a.dtype == sent[name].dtype and a.shape == sent[name].shape and np.array_equal(a, sent[name])
        assert a.flags.writeable and a.flags.aligned
    assert arrays["f"].flags.f_contiguous


def test_an_array_claiming_more_bytes_than_its_file_holds_is_refused_before_it_is_allocated(tmp_path):
    path = tmp_path / "index-claim.npz"
    assert write_cache(path, {"v": np.arange(4, dtype=np.float32)}, {"key": "x"})
    payload = path.read_bytes()[len(MAGIC) + 32:]
    old, new = b"'shape': (4,), }", b"'shape': (4000000000,), }"
    at = payload.index(old)
    assert payload[at + len(old):at + len(new)] == b" " * (len(new) - len(old))     # the header's own padding
    payload = payload[:at] + new + payload[at + len(new):]
    path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)             # anyone can write a checksum
    result, peak = peak_bytes(lambda: read_cache(path))
    assert result is None
    assert peak < 16 * 1024 ** 2                    # not the 16 GB the header claims
