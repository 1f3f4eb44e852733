""".npy headers read without numpy's parser: np.lib.format reads each header with ast.literal_eval, and CPython
3.11's ast is not safe beside another thread's (a Streamlit rerun compiling app.py beside a thread loading arrays
failed with "AST constructor recursion depth mismatch").  Only the header numpy itself writes is accepted.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass

import numpy as np

MAGIC = b"\x93NUMPY"
PREFIX = 12                      # bytes that hold the magic, the version and the header's length (either width)
MAX_HEADER = 10_000              # numpy's own limit on a header it reads without being told otherwise
PLAIN = frozenset({"|b1", "|u1", "|i1"} | {order + kind for order in "<>" for kind in
                                            ("u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8")})
_DIM = r"(?:0|[1-9][0-9]*)"
_HEADER = re.compile(r"\{'descr': '([<>|][a-z][0-9]+)', 'fortran_order': (False|True), "
                     rf"'shape': \((|{_DIM},|{_DIM}(?:, {_DIM})+)\), \}}")    # (), (3,), (2, 3): as numpy writes them


@dataclass(frozen=True)
class Header:
    """One array's dtype, shape and order, and how many bytes precede its data (magic and header)."""

    dtype: np.dtype
    shape: tuple[int, ...]
    fortran: bool
    size: int

    @property
    def nbytes(self) -> int:
        """Return the bytes of the array's data."""
        return math.prod(self.shape) * self.dtype.itemsize


def header_size(prefix: bytes, name: str) -> int:
    """Return how many bytes an .npy member's magic and header take, from its first PREFIX bytes."""
    if len(prefix) < PREFIX or prefix[:6] != MAGIC or prefix[6] not in (1, 2, 3) or prefix[7] != 0:
        raise ValueError(f"{name}: not an .npy array")
    start = 10 if prefix[6] == 1 else 12
    length = struct.unpack("<H" if prefix[6] == 1 else "<I", prefix[8:start])[0]
    if length > MAX_HEADER:
        raise ValueError(f"{name}: an .npy header of {length} bytes")
    return start + length


def header(head: bytes, name: str, length: int, dtypes: frozenset[str] = PLAIN) -> Header:
    """Return the header at the start of head (an .npy member's first header_size bytes at least), if its dtype is
    one of dtypes (numpy's descr: byte order, kind, width) and the member's length is the header's plus the data it
    states; raise ValueError on anything else."""
    size = header_size(head[:PREFIX], name)
    if len(head) < size:
        raise ValueError(f"{name}: cut short in its header")
    text = head[10 if head[6] == 1 else 12:size].decode("latin-1")
    found = _HEADER.fullmatch(text.rstrip(" \n"))
    if found is None or found.group(1) not in dtypes:
        raise ValueError(f"{name}: not a plain array of an accepted type")
    shape = tuple(int(d) for d in found.group(3).split(",") if d.strip())
    out = Header(np.dtype(found.group(1)), shape, found.group(2) == "True", size)
    if size + out.nbytes != length:
        raise ValueError(f"{name}: not a plain array of its stated size")
    return out
