"""npyfile reads the .npy headers numpy writes as numpy reads them, without parsing Python; others are refused."""
from __future__ import annotations

import ast
import io

import numpy as np
import pytest

from retrieval import npyfile
from retrieval.cache import read_cache, write_cache

SHAPES = [(), (0, 5), (3,), (2, 3, 4), (1, 70000)]


def saved(array: np.ndarray, version: tuple[int, int] | None = None) -> bytes:
    """Return array as numpy writes it to an .npy file."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


KINDS = ["|b1", "|u1", "|i1"] + [order + kind for order in "<>" for kind in
                                  ("u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8")]


def test_the_plain_types_are_numbers_and_booleans_of_either_byte_order():
    assert npyfile.PLAIN == frozenset(KINDS)


@pytest.mark.parametrize("descr", KINDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_each_plain_type_and_shape_reads_as_numpy_reads_it(descr, shape):
    for array in (np.zeros(shape, descr), np.asfortranarray(np.ones(shape, descr).T)):
        raw = saved(array)
        head = npyfile.header(raw, "x.npy", len(raw))
        with io.BytesIO(raw) as f:
            assert np.lib.format.read_magic(f) == (1, 0)
            shape_np, fortran_np, dtype_np = np.lib.format.read_array_header_1_0(f)
            start = f.tell()
        assert (head.dtype, head.shape, head.fortran, head.size) == (dtype_np, shape_np, fortran_np, start)
        assert head.size + head.nbytes == len(raw)


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
def test_all_three_header_versions_are_read(version):
    array = np.arange(6, dtype="<i8").reshape(2, 3)
    raw = saved(array, version)
    head = npyfile.header(raw, "x.npy", len(raw))
    assert (head.dtype, head.shape, head.fortran) == (np.dtype("<i8"), (2, 3), False)
    assert np.array_equal(np.frombuffer(raw, head.dtype, offset=head.size).reshape(head.shape), array)


@pytest.mark.parametrize("array", [np.array(["a"]), np.array([1 + 2j]), np.zeros(2, [("a", "<f4")]),
                                   np.array([b"ab"]), np.array([None], dtype=object)])
def test_arrays_that_are_not_plain_numbers_are_refused(array):
    with pytest.raises(ValueError, match="x.npy: not a plain array"):
        raw = saved(array)
        npyfile.header(raw, "x.npy", len(raw))


def test_only_the_types_asked_for_are_taken():
    raw = saved(np.zeros(3, "<f8"))
    assert npyfile.header(raw, "x.npy", len(raw)).dtype == np.dtype("<f8")
    with pytest.raises(ValueError, match="not a plain array"):
        npyfile.header(raw, "x.npy", len(raw), frozenset({"<f2", "<f4"}))


@pytest.mark.parametrize("extra", [-1, 1, 4096])
def test_a_member_longer_or_shorter_than_its_header_states_is_refused(extra):
    raw = saved(np.zeros((2, 3), "<f4"))
    with pytest.raises(ValueError, match="x.npy: not a plain array of its stated size"):
        npyfile.header(raw, "x.npy", len(raw) + extra)


@pytest.mark.parametrize("mangle, message", [
    (lambda raw: b"\x93NUMPX" + raw[6:], "not an .npy array"),
    (lambda raw: raw[:6] + b"\x09\x00" + raw[8:], "not an .npy array"),
    (lambda raw: raw[:6] + b"\x01\x01" + raw[8:], "not an .npy array"),
    (lambda raw: raw[:8] + (20_000).to_bytes(2, "little") + raw[10:], "header of 20000 bytes"),
    (lambda raw: raw[:40], "cut short in its header"),
    (lambda raw: raw[:8], "not an .npy array"),
    (lambda raw: raw.replace(b"'shape': (3,), }", b"'shape': (3,),'x':1}"), "not a plain array"),
    (lambda raw: raw.replace(b"'fortran_order': False", b"'fortran_order': 0    "), "not a plain array"),
    (lambda raw: raw.replace(b"'shape': (3,)", b"'shape': (-3,)"), "not a plain array"),
    (lambda raw: raw.replace(b"'shape': (3,)", b"'shape': (3) "), "not a plain array"),
    (lambda raw: raw.replace(b"'shape': (3,)", b"'shape': (03,)"), "not a plain array"),
])
def test_a_header_numpy_would_not_write_is_refused(mangle, message):
    with pytest.raises(ValueError, match=message):
        raw = mangle(saved(np.zeros(3, "<f4")))
        npyfile.header(raw, "x.npy", len(raw))


def test_the_index_cache_reads_without_parsing_python(tmp_path, monkeypatch):
    """A cache is read in one session's script thread while another session's rerun may compile app.py; numpy's
    header parser (ast.literal_eval) is not safe beside it on CPython 3.11."""
    sent = {"v": np.arange(5, dtype=np.float32), "m": np.asfortranarray(np.eye(3, 2, dtype=np.int64)),
            "b": np.array([True, False])}
    assert write_cache(tmp_path / "index-a.npz", sent, {"key": "x"})

    def refuse(*args, **kwargs):
        raise AssertionError("ast.parse called")
    monkeypatch.setattr(ast, "parse", refuse)
    read = read_cache(tmp_path / "index-a.npz")
    monkeypatch.undo()                              # before any assertion: pytest's own reporting parses Python
    assert read is not None
    arrays, meta = read
    assert meta == {"key": "x"} and all(np.array_equal(arrays[k], sent[k]) for k in sent)
    assert arrays["m"].flags.f_contiguous and not arrays["m"].flags.c_contiguous


def test_the_cache_refuses_to_write_what_it_would_not_read(tmp_path):
    with pytest.raises(ValueError, match="plain numpy arrays"):
        write_cache(tmp_path / "index-a.npz", {"names": np.array(["a", "b"])}, {"key": "x"})
    assert not (tmp_path / "index-a.npz").exists()
