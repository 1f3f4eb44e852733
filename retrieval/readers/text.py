"""Read plain text: paragraphs separated by blank lines, pages by form feeds."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..control_chars import CONTROL
from ..errors import ReadError
from ..model import Block, Document


def decode(data: bytes, name: str) -> str:
    """Return the text of a file's bytes (UTF-8, UTF-16 with BOM, or Windows-1252), or raise ReadError."""
    return decode_reporting(data, name)[0]


def decode_reporting(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, what was repaired or ''): a UTF-8 file with a few bad bytes stays UTF-8, those bytes replaced.

    Windows-1252 is used only when no byte sequence of the file is valid multi-byte UTF-8 (a legacy 8-bit file).
    """
    note = ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if data.count(0) or _looks_binary(data):
                raise ReadError(f"{name}: bukan berkas teks (isi biner / binary content)") from None
            text, bad = _utf8_repaired(data)
            if bad:
                note = (f"{name}: {bad} bita bukan UTF-8 diganti dengan \ufffd / {bad} invalid UTF-8 byte(s) "
                        f"replaced")
            else:
                text = data.decode("cp1252", errors="replace")
    if "\x00" in text or _looks_binary(text.encode("utf-8", "replace")):
        raise ReadError(f"{name}: bukan berkas teks (isi biner / binary content)")
    return CONTROL.sub(" ", text), note


def _utf8_repaired(data: bytes) -> tuple[str, int]:
    """Return (data as UTF-8 with each bad byte replaced, how many bytes were bad), or ('', 0) if no valid
    multi-byte UTF-8 sequence is in it (then it is not UTF-8 at all)."""
    bad = 0

    def count(err: UnicodeDecodeError) -> tuple[str, int]:
        nonlocal bad
        bad += err.end - err.start
        return "\ufffd" * (err.end - err.start), err.end

    codecs.register_error("kutip-count", count)  # type: ignore[arg-type]  # only decoding calls this handler
    text = data.decode("utf-8-sig", errors="kutip-count")
    if not any(ord(c) > 0x7F and c != "\ufffd" for c in text):
        return "", 0
    return text, bad


def _looks_binary(data: bytes) -> bool:
    """Tell whether many bytes are control characters."""
    sample = data[:4096]
    bad = sum(b < 9 or 13 < b < 32 for b in sample)
    return bool(sample) and bad / len(sample) > 0.05


def read_text(path: Path) -> Document:
    """Return the paragraphs of a plain-text file as blocks."""
    text, note = decode_reporting(path.read_bytes(), path.name)
    return Document(source=path.name, blocks=tuple(parse_text(text)), meta=(("warning", note),) if note else ())


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
