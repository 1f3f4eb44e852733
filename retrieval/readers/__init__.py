"""Readers: one module per format, each turning a file into a Document; chosen by suffix."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Callable

from ..errors import UnsupportedFormat
from ..model import Document

# suffix -> "module:function"; imported on first use so a missing optional library only affects its format
READERS: dict[str, str] = {
    ".md": "markdown:read_markdown",
    ".markdown": "markdown:read_markdown",
    ".txt": "text:read_text",
    ".pdf": "pdf:read_pdf",
    ".html": "html:read_html",
    ".htm": "html:read_html",
}


def reader_for(path: Path) -> Callable[[Path], Document]:
    """Return the read function for path's suffix, or raise UnsupportedFormat naming it."""
    spec = READERS.get(path.suffix.lower())
    if spec is None:
        raise UnsupportedFormat(f"{path.name}: format {path.suffix or '(tanpa akhiran)'} tidak didukung")
    module, func = spec.split(":")
    return getattr(import_module(f"{__name__}.{module}"), func)


def read_file(path: Path, source: str | None = None) -> Document:
    """Read one file into a Document whose source is `source` (default: the file name)."""
    doc = reader_for(path)(path)
    if source is not None and doc.source != source:
        doc = Document(source=source, blocks=doc.blocks, meta=doc.meta)
    return doc
