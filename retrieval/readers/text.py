"""Read plain text: paragraphs separated by blank lines, pages by form feeds."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ReadError
from ..model import Block, Document

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, name: str) -> str:
    """Return the text of a file's bytes (UTF-8, UTF-16 with BOM, or Windows-1252), or raise ReadError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if data.count(0) or _looks_binary(data):
                raise ReadError(f"{name}: bukan berkas teks (isi biner / binary content)") from None
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text or _looks_binary(text.encode("utf-8", "replace")):
        raise ReadError(f"{name}: bukan berkas teks (isi biner / binary content)")
    return _CONTROL.sub(" ", text)


def _looks_binary(data: bytes) -> bool:
    """Tell whether many bytes are control characters."""
    sample = data[:4096]
    bad = sum(b < 9 or 13 < b < 32 for b in sample)
    return bool(sample) and bad / len(sample) > 0.05


def read_text(path: Path) -> Document:
    """Return the paragraphs of a plain-text file as blocks."""
    return Document(source=path.name, blocks=tuple(parse_text(decode(path.read_bytes(), path.name))))


def parse_text(text: str) -> list[Block]:
    """Return paragraph blocks (and page breaks at form feeds) of plain text."""
    blocks: list[Block] = []
    for page_no, page in enumerate(text.replace("\r\n", "\n").split("\f")):
        if page_no:
            blocks.append(Block(kind="break"))
        for para in re.split(r"\n\s*\n", page):
            para = " ".join(para.split())
            if para:
                blocks.append(Block(kind="paragraph", text=para))
    return blocks
