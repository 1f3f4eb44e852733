"""Hostile PDFs: bombs made here with pypdf are refused at their bound, quickly, in a worker process of their own,
while a normal PDF reads exactly as in-process and one refused file never stops the others."""
from __future__ import annotations

import io
import resource
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from retrieval import Engine
from retrieval.readers.pdf import LIMITS, PdfLimits, TooLargePdf, read_pdf
from retrieval.readers.pdf.reading import read_in_process

CHAPTER_PDF = Path(__file__).parent / "data" / "bab3-sister-city-batam-gimje.pdf"
CHAPTER_UNPACKED = 129_222  # bytes the chapter's 12 content streams unpack to (11.5 KB a page)
SPACES = b" " * 63 + b"\n"          # unpacks big, parses fast: a byte bomb
MOVES = b"1 0 0 1 0 0 cm\n"         # seven tokens in 15 bytes: parses slowly, a time bomb
SLACK = 2.0  # seconds a refusal may take beyond its bound and a worker's start (a loaded test machine)


def flate_pdf(pages: int, unit: bytes, size: int, shared: bool = False) -> bytes:
    """Return a PDF of `pages` pages whose content stream is `unit` repeated to `size` bytes, flate-packed;
    shared: every page draws the same stream object (unpacked once, parsed once per page)."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    content = None
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if content is None or not shared:
            stream = DecodedStreamObject()
            stream.set_data(unit * (size // len(unit)))
            content = writer._add_object(stream.flate_encode(level=9))
        page[NameObject("/Contents")] = content
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def worker_start() -> float:
    """Return the seconds a worker takes to start and read the chapter now (on this machine, at its load)."""
    start = time.monotonic()
    read_pdf(CHAPTER_PDF)
    return time.monotonic() - start


def refused(path: Path, limits: PdfLimits, progress: list | None = None) -> tuple[str, float]:
    """Return the TooLargePdf message for path read under limits, and the seconds it took."""
    start = time.monotonic()
    with pytest.raises(TooLargePdf) as caught:
        read_pdf(path, progress=None if progress is None else lambda *a: progress.append(a), limits=limits)
    return str(caught.value), time.monotonic() - start


@pytest.mark.parametrize("shared", [False, True], ids=["own-streams", "one-shared-stream"])
def test_page_bomb_stops_at_the_documents_unpacked_bound(tmp_path, shared):
    path = tmp_path / "bom.pdf"
    path.write_bytes(flate_pdf(20, SPACES, 1_000_000, shared=shared))
    assert path.stat().st_size < 100_000                     # 20 MB of page content in a small file
    pages: list[tuple[int, int]] = []
    message, seconds = refused(path, PdfLimits(unpacked_bytes=3_000_000), pages)
    assert message == ("bom.pdf: PDF terlalu besar setelah dibuka (isi halaman total lebih dari 3 MB) / "
                       "too large when unpacked (page content over 3 MB in all)")
    assert pages == [(1, 20), (2, 20), (3, 20)]              # three pages fill the budget, the fourth passes it
    assert seconds < worker_start() + SLACK


def test_one_stream_over_the_budget_is_cut_by_pypdfs_own_cap(tmp_path):
    path = tmp_path / "satu.pdf"
    path.write_bytes(flate_pdf(1, SPACES, 50_000_000))        # 50 MB on one page, ~50 KB packed
    message, seconds = refused(path, PdfLimits(unpacked_bytes=1_000_000))
    assert message.endswith("too large when unpacked (page content over 1 MB in all)")
    assert seconds < worker_start() + SLACK


def test_the_issues_bomb_is_refused_at_the_default_bound(tmp_path):
    """Issue 14's file: one 70 MB flate stream per page; before, 227 s and 2.95 GB."""
    path = tmp_path / "bom.pdf"
    path.write_bytes(flate_pdf(40, SPACES, 70_000_000, shared=True))
    message, seconds = refused(path, LIMITS)
    assert message == ("bom.pdf: PDF terlalu besar setelah dibuka (isi halaman total lebih dari 64 MB) / "
                       "too large when unpacked (page content over 64 MB in all)")
    assert seconds < worker_start() + SLACK


def test_a_slow_page_is_stopped_at_the_page_bound(tmp_path):
    path = tmp_path / "lambat.pdf"
    path.write_bytes(flate_pdf(3, MOVES, 3_000_000))          # ~1.4 million operands a page: seconds each
    message, seconds = refused(path, PdfLimits(page_seconds=0.5))
    assert message == ("lambat.pdf: PDF terlalu besar setelah dibuka (halaman 1 lebih dari 0.5 detik) / "
                       "too large when unpacked (page 1 took over 0.5 s)")
    assert seconds < worker_start() + 0.5 + SLACK


def test_a_slow_document_is_stopped_at_the_document_bound(tmp_path):
    path = tmp_path / "panjang.pdf"
    path.write_bytes(flate_pdf(20, MOVES, 400_000))           # every page quick enough, all of them not
    message, seconds = refused(path, PdfLimits(document_seconds=1.5))
    assert message == ("panjang.pdf: PDF terlalu besar setelah dibuka (lebih dari 1.5 detik) / "
                       "too large when unpacked (over 1.5 s)")
    assert 1.5 <= seconds < 1.5 + SLACK


def test_memory_is_bounded_in_the_worker(tmp_path):
    path = tmp_path / "memori.pdf"
    path.write_bytes(flate_pdf(1, SPACES, 20_000_000))        # within the byte budget, not within 100 MB
    message, _ = refused(path, PdfLimits(memory_bytes=100_000_000))
    assert message == ("memori.pdf: PDF terlalu besar setelah dibuka (lebih dari 100 MB memori) / "
                       "too large when unpacked (over 100 MB of memory)")


def test_the_chapter_reads_exactly_as_in_process_and_its_bytes_are_counted(tmp_path):
    inside = read_in_process(CHAPTER_PDF)
    assert read_pdf(CHAPTER_PDF) == inside
    assert read_pdf(CHAPTER_PDF, limits=PdfLimits(unpacked_bytes=CHAPTER_UNPACKED)) == inside
    message, _ = refused(CHAPTER_PDF, PdfLimits(unpacked_bytes=CHAPTER_UNPACKED - 1))
    assert message.endswith("(page content over 0.129221 MB in all)")


def test_reading_runs_in_another_process(tmp_path):
    """The caller's interpreter only waits: the unpacking and parsing are the worker's CPU time, not its own."""
    path = tmp_path / "lambat.pdf"
    path.write_bytes(flate_pdf(1, MOVES, 3_000_000))
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    refused(path, PdfLimits(page_seconds=1.5))                # the worker is stopped, so its CPU time is counted
    own_cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - own.ru_utime
    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - children.ru_utime
    assert own_cpu < 0.1 < worker_cpu


def test_a_worker_reads_one_pdf_after_another_and_a_stopped_one_is_replaced(tmp_path):
    slow = tmp_path / "lambat.pdf"
    slow.write_bytes(flate_pdf(1, MOVES, 3_000_000))
    first = read_pdf(CHAPTER_PDF)
    refused(slow, PdfLimits(page_seconds=0.2))
    assert [read_pdf(CHAPTER_PDF) for _ in range(3)] == [first] * 3


def test_a_bomb_is_skipped_and_the_other_files_are_indexed(tmp_path):
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / "bom.pdf").write_bytes(flate_pdf(10, SPACES, 70_000_000, shared=True))
    (corpus / "catatan.md").write_text("# Catatan\n\nKota Batam menjalin kerja sama dengan kota Gimje.\n",
                                       encoding="utf-8")
    status = {d.source: d for d in Engine.build(corpus, use_cache=False).documents}
    assert status["catatan.md"].status == "indexed"
    assert status["bom.pdf"].status == "skipped"
    assert status["bom.pdf"].reason == ("bom.pdf: PDF terlalu besar setelah dibuka (isi halaman total lebih dari "
                                        "64 MB) / too large when unpacked (page content over 64 MB in all)")
