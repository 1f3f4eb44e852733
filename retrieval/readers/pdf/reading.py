"""The whole reading of one PDF in this process: open, extract, measure, number pages, build blocks.

Only the worker process calls this; everyone else reads through `sandbox.read_pdf`.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...model import Document
from .body import build_blocks
from .budget import MAX_UNPACKED
from .errors import ScannedPdf
from .extract import extract_pages, open_pdf, read_meta
from .measure import measure_layout, number_pages, page_labels, remove_running_lines, split_zones


def read_in_process(path: Path, progress: Callable[[int, int], None] | None = None, budget: int = MAX_UNPACKED,
                    starting: Callable[[int, int], None] | None = None) -> Document:
    """Return the PDF at path as a Document of blocks in reading order; progress(done, total) after each page,
    starting(index, total) before it; page content may unpack to `budget` bytes in all."""
    path = Path(path)
    reader = open_pdf(path)
    pages = extract_pages(reader, path.name, progress, budget, starting)
    if not any(p.lines for p in pages):
        raise ScannedPdf(f"{path.name}: no extractable text (scanned?)")
    layout = measure_layout(pages)
    number_pages(pages, layout, page_labels(reader))
    remove_running_lines(pages)
    split_zones(pages, layout)
    blocks = build_blocks(pages, layout)
    return Document(source=path.name, blocks=tuple(blocks), meta=read_meta(reader, len(pages)))
