"""Fuzzing the readers with mutated real bytes: every outcome is a Document or a one-line ReadError, in bounded time."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import CHAPTER, one_page_pdf
from retrieval.errors import ReadError
from retrieval.readers import read_file
from retrieval.structure import structure

MD = CHAPTER.read_bytes()[:6000]        # the real chapter's opening (headings, paragraphs, footnote markers)
HTML = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Uji</title></head><body><nav>Beranda</nav>"
        b"<main><article><h1>Gimje dan Batam</h1><p>Kerja sama sister city dibahas pada Agustus 2011<sup>1</sup>."
        b"</p><ul><li>pariwisata</li><li>industri</li></ul><table><tr><th>Tahun</th><th>Kegiatan</th></tr><tr>"
        b"<td>2013</td><td>MoU</td></tr></table></article></main><footer>Hak cipta</footer></body></html>")
EXAMPLES = 120                          # per format: enough to hit odd bytes everywhere, well under a minute in all

edits = st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete", "cut", "repeat"]), st.floats(0, 1),
                           st.binary(min_size=1, max_size=8)), min_size=1, max_size=6)


def mutate(data: bytes, ops) -> bytes:
    """Return data with the edits applied at their relative positions."""
    for op, where, blob in ops:
        i = int(where * len(data)) if data else 0
        if op == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ blob[0]]) + data[i + 1:]
        elif op == "insert":
            data = data[:i] + blob + data[i:]
        elif op == "delete":
            data = data[:i] + data[i + len(blob) * 8:]
        elif op == "cut":
            data = data[:i]
        elif op == "repeat":
            data = data[:i] + data[i:i + 64] * (blob[0] % 8 + 1) + data[i:]
    return data


def read_mutated(data: bytes, suffix: str) -> None:
    """Read and structure the bytes as a file of that suffix; only a ReadError may stop it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"uji{suffix}"
        path.write_bytes(data)
        try:
            doc = read_file(path)
        except ReadError as e:
            assert str(e) and "\n" not in str(e)
            return
        structure(doc)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_mutated_markdown(ops):
    read_mutated(mutate(MD, ops), ".md")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_mutated_html(ops):
    read_mutated(mutate(HTML, ops), ".html")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([".md", ".txt", ".html"]))
def test_random_bytes(data, suffix):
    read_mutated(data, suffix)


PDF = one_page_pdf("BAB III. Kerja sama sister city Batam dan Gimje dalam lima bidang.")


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_mutated_pdf(ops):
    read_mutated(mutate(PDF, ops), ".pdf")
