"""Readers: one module per format, each turning a file into a Document; chosen by suffix from one table."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from ..errors import ReadError, UnsupportedFormat
from ..model import Document
from ..strings import thousands


@dataclass(frozen=True)
class Format:
    """One file format: its suffix, the reader ("module:function", empty when refused), a label, and advice."""

    suffix: str
    reader: str
    label: str
    advice: str = ""          # for a refused format: what the user should do instead (Indonesian / English)


MAX_TEXT_CHARS = 24_000_000   # characters of text one document may hold: a 20 MB .txt (the upload limit) fits; a
                              # small archive that unpacks to more (a .docx of 60 MB XML holds ~42 million) is refused
_SAVE_AS = "simpan ulang sebagai .docx atau PDF lalu tambahkan lagi / save it as .docx or PDF and add it again"

# THE table of formats: the CLI's messages, the corpus walker, the user's uploads and the app's uploader read it.
# Readers are imported on first use, so a missing optional library only affects its own format.
FORMATS: tuple[Format, ...] = (
    Format(".md", "markdown:read_markdown", "Markdown"),
    Format(".markdown", "markdown:read_markdown", "Markdown"),
    Format(".txt", "text:read_text", "teks / text"),
    Format(".pdf", "pdf:read_pdf", "PDF"),
    Format(".docx", "docx:read_docx", "Word"),
    Format(".html", "html:read_html", "HTML"),
    Format(".htm", "html:read_html", "HTML"),
    Format(".doc", "", "Word 97-2003",
           f"format Word lama (.doc) tidak bisa dibaca; {_SAVE_AS} / old Word format (.doc) cannot be read"),
    Format(".odt", "", "OpenDocument",
           f"format OpenDocument (.odt) tidak bisa dibaca; {_SAVE_AS} / OpenDocument (.odt) cannot be read"),
)

READERS: dict[str, str] = {f.suffix: f.reader for f in FORMATS if f.reader}   # the suffixes that are read
KNOWN: dict[str, str] = {f.suffix: f.reader for f in FORMATS}                 # read, or refused with advice


def readable_suffixes() -> tuple[str, ...]:
    """Return the suffixes a reader takes, in table order ('.md', '.markdown', ...)."""
    return tuple(READERS)


def describe_formats() -> str:
    """Return the readable suffixes for a message: '.md, .markdown, .txt, .pdf, .docx, .html, .htm'."""
    return ", ".join(readable_suffixes())


def advice_for(suffix: str) -> str | None:
    """Return what to do with a refused format (e.g. '.doc'), or None if the suffix is not a refused one."""
    for f in FORMATS:
        if f.suffix == suffix.lower() and not f.reader:
            return f.advice
    return None


def reader_for(path: Path) -> Callable[[Path], Document]:
    """Return the read function for path's suffix, or raise UnsupportedFormat naming it (with advice if known)."""
    suffix = path.suffix.lower()
    advice = advice_for(suffix)
    if advice:
        raise UnsupportedFormat(f"{path.name}: {advice}")
    spec = READERS.get(suffix)
    if spec is None:
        raise UnsupportedFormat(f"{path.name}: format {path.suffix or '(tanpa akhiran)'} tidak didukung "
                                f"(hanya {describe_formats()}) / format not supported")
    module, func = spec.split(":")
    return getattr(import_module(f"{__name__}.{module}"), func)


def read_file(path: Path, source: str | None = None) -> Document:
    """Read one file into a Document whose source is `source` (default: the file name)."""
    doc = reader_for(path)(path)
    chars = sum(len(b.text) + sum(map(len, (c for row in b.rows for c in row))) for b in doc.blocks)
    if chars > MAX_TEXT_CHARS:
        raise ReadError(f"{path.name}: teksnya terlalu panjang ({thousands(chars)} karakter; paling banyak "
                        f"{thousands(MAX_TEXT_CHARS)}) "
                        f"/ too much text ({chars:,} characters; at most {MAX_TEXT_CHARS:,})")
    if source is not None and doc.source != source:
        doc = Document(source=source, blocks=doc.blocks, meta=doc.meta)
    return doc
