"""Read markdown (including markdown converted from a PDF) into blocks of plain text."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ..model import Block, Document
from .text import decode_reporting

# footnote markers become private-use sentinels so later clean-up cannot disturb them
_OPEN, _CLOSE = "\ue000", "\ue001"
_ESCAPED = 0xE100                                   # an escaped ASCII character c is held as chr(_ESCAPED + ord(c))
_SENTINEL = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_SUP = re.compile(r"<sup>\s*(\d{1,4})\s*</sup>|\[\^(\d{1,4})\](?!:)")
_NOTE_DEF = re.compile(r"^\s*(?:<sup>\s*(\d{1,4})\s*</sup>|\[\^(\d{1,4})\]:)\s*")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_ITEM = re.compile(r"^\s{0,6}(?:[-*+]\s+)?((?:[a-zA-Z]|\d{1,3})[.)])\s+(?=\S)|^\s{0,6}([-*+])\s+(?=\S)")
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|www\.[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|<>~\"'])")
_EMPHASIS = re.compile(r"(\*{1,3}|(?<![\w])_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_STARTS_LINK = re.compile(r"^\s*(?:<?https?://|\[|www\.)")


def read_markdown(path: Path) -> Document:
    """Return the blocks of a markdown file."""
    text, note = decode_reporting(path.read_bytes(), path.name)
    return Document(source=path.name, blocks=tuple(parse_markdown(text)), meta=(("warning", note),) if note else ())


def parse_markdown(text: str) -> list[Block]:
    """Return blocks for markdown text: headings, paragraphs, items, tables, footnotes, breaks."""
    blocks: list[Block] = []
    for chunk in _chunks(text.replace("\r\n", "\n").replace("\r", "\n")):
        blocks.extend(_chunk_blocks(chunk, blocks))
    return blocks


def _chunks(text: str) -> list[list[str]]:
    """Return runs of non-blank lines; headings and rules stand alone."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                chunks.append(current)
            current = []
        elif _HEADING.match(line) or _RULE.match(line):
            if current:
                chunks.append(current)
            chunks.append([line])
            current = []
        else:
            current.append(line)
    if current:
        chunks.append(current)
    return chunks


def _chunk_blocks(lines: list[str], before: list[Block]) -> list[Block]:
    """Return the blocks of one run of lines."""
    first = lines[0]
    if _RULE.match(first):
        return [Block(kind="break")]
    heading = _HEADING.match(first)
    if heading:
        text, marks = clean_inline(heading.group(2))
        return [Block(kind="heading", text=text, marks=marks)] if text else []
    if sum("\t" in line for line in lines) >= 2 or _is_pipe_table(lines):
        return [_table(lines)]
    if _NOTE_DEF.match(first):
        return _notes(lines)
    if before and before[-1].kind in ("footnote", "break") and _STARTS_LINK.match(first):
        text, _ = clean_inline(" ".join(lines))
        return [Block(kind="footnote", number=None, text=text)]
    if _ITEM.match(first):
        return _items(lines)
    text, marks = clean_inline(" ".join(lines))
    return [Block(kind="paragraph", text=text, marks=marks)] if text else []


def _notes(lines: list[str]) -> list[Block]:
    """Return footnote definitions; each line opening with a marker starts the next one."""
    groups: list[tuple[int, list[str]]] = []
    for line in lines:
        m = _NOTE_DEF.match(line)
        if m:
            groups.append((int(m.group(1) or m.group(2)), [line[m.end():]]))
        else:
            groups[-1][1].append(line)
    return [Block(kind="footnote", number=n, text=clean_inline(" ".join(parts))[0]) for n, parts in groups]


def _items(lines: list[str]) -> list[Block]:
    """Return list items; a line without a marker continues the item before it."""
    groups: list[tuple[str, list[str]]] = []
    for line in lines:
        m = _ITEM.match(line)
        if m:
            groups.append((m.group(1) or m.group(2), [line[m.end():]]))
        elif groups:
            groups[-1][1].append(line)
    out = []
    for label, parts in groups:
        text, marks = clean_inline(" ".join(parts))
        if text:
            out.append(Block(kind="item", text=text, marks=marks, label=label))
    return out


def _is_pipe_table(lines: list[str]) -> bool:
    """Tell whether lines form a pipe table with a --- separator row."""
    return len(lines) >= 2 and "|" in lines[0] and bool(re.match(r"^\s*\|?\s*:?-{3,}", lines[1]))


def _table(lines: list[str]) -> Block:
    """Return a table block, header row first."""
    rows = []
    for line in lines:
        if "\t" in line:
            cells = line.split("\t")
        elif re.match(r"^\s*\|?\s*:?-{3,}", line):
            continue
        else:
            cells = line.strip().strip("|").split("|")
        rows.append(tuple(clean_inline(c)[0] for c in cells))
    if not rows:                                        # only separator rows: plain text, not a table
        return Block(kind="paragraph", text=clean_inline(" ".join(lines))[0])
    width = max(len(r) for r in rows)
    return Block(kind="table", rows=tuple(r + ("",) * (width - len(r)) for r in rows))


def clean_inline(raw: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Return (plain text, footnote marks) for one line of inline markdown."""
    s = _ESCAPE.sub(lambda m: chr(_ESCAPED + ord(m.group(1))), raw)   # \* \_ \$ ... are literal text
    s = _SUP.sub(lambda m: f"{_OPEN}{m.group(1) or m.group(2)}{_CLOSE}", s)
    s = _AUTOLINK.sub(lambda m: m.group(1), s)
    s = _LINK.sub(lambda m: m.group(1) if m.group(2) in ("", "#") or m.group(1) == m.group(2)
                  else f"{m.group(1)} ({m.group(2)})", s)
    s = re.sub(r"<br\s*/?>", " ", s, flags=re.I)
    s = _TAG.sub("", s)
    for _ in range(3):                                  # nested ***bold italic***
        s = _EMPHASIS.sub(lambda m: m.group(2), s)
    s = re.sub("[\ue100-\ue17f]", lambda m: chr(ord(m.group(0)) - _ESCAPED), s)
    s = html.unescape(s)
    s = re.sub(r"[ \t\u00a0]+", " ", s).strip()
    s = re.sub(rf"\s+(?={_OPEN})", "", s)              # "kata <sup>7</sup> lagi": no double space
    return _take_marks(s)


def _take_marks(s: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove marker sentinels, returning the text and where each stood."""
    out, marks, pos = [], [], 0
    for m in _SENTINEL.finditer(s):
        out.append(s[pos:m.start()])
        marks.append((sum(len(p) for p in out), int(m.group(1))))
        pos = m.end()
    out.append(s[pos:])
    return "".join(out), tuple(marks)
