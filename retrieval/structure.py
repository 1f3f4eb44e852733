"""Blocks -> passages and footnotes: sections, rejoined paragraphs, lists with their lead-in, table rows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .headings import heading_level, is_chapter_only
from .model import Block, Document, Footnote, Mark, PageStart, Passage

TERMINAL = re.compile(r"[.!?:;]['\"”’)\]]*$")
# words by which a sentence points at the table after it ("di bawah ini", "berikut", "tabel 3.1")
_INTRO = re.compile(r"\b(di bawah ini|berikut(nya)?|sebagai berikut|tabel|gambar|bagan|below|following|table|"
                    r"figure)\b", re.I)
_CAPTION = re.compile(r"^(Gambar|Tabel|Table|Figure|Grafik|Bagan)\s+\d+(\.\d+)*\b", re.I)
_TAIL = re.compile(r"[\w.]+$")   # the word a full stop ends: read in the last TAIL_CHARS only, not in the whole
TAIL_CHARS = 64                  # sentence so far at every stop (a longer word is no abbreviation either way)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")
_ACCESSED = re.compile(
    r"\b(?:diakses|diunduh|accessed|retrieved)\b[^0-9]{0,30}?(\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}|\d{1,2}[-/]\d{1,2}[-/]\d{2,4})",
    re.I)
_ABBREV = {"no", "vol", "hlm", "hal", "dll", "dsb", "dst", "dkk", "jl", "prof", "dr", "ir", "drs", "st", "sdr",
           "bpk", "tgl", "pp", "ed", "eds", "etc", "vs", "mr", "mrs", "ms", "yth", "kab", "kec", "pt", "tbk", "s.d"}
KIND_WORDS = {  # indexed beside a footnote entry so "buku", "jurnal", "situs" find it
    "web": "halaman web situs berita artikel online",
    "book": "buku halaman",
    "journal": "jurnal artikel ilmiah",
    "official": "dokumen resmi pemerintah panduan",
    "other": "",
}


@dataclass
class _BodyBlock:
    """A body block being grown by rejoining (mutable while structuring only)."""

    kind: str
    text: str
    marks: list[Mark]
    pages: list[PageStart]
    section: tuple[str, ...]
    label: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    extra: dict = field(default_factory=dict)


def structure(doc: Document, first_id: int = 0) -> tuple[list[Passage], list[Footnote]]:
    """Return the passages and footnotes of a document; passage ids start at first_id."""
    units, notes = _units(doc)
    footnotes = [parse_footnote(n, t, doc.source) for n, t, _ in notes]
    passages = _passages(units, doc.source, first_id)
    for note, (_, _, page) in zip(footnotes, notes):
        passages.append(_footnote_passage(note, first_id + len(passages), page))
    return passages, footnotes


def _units(doc: Document) -> tuple[list[_BodyBlock], list[tuple[int, str, PageStart]]]:
    """Walk the blocks once: track sections, rejoin cut paragraphs, gather footnotes (with their page)."""
    units: list[_BodyBlock] = []
    notes: list[tuple[int, str, PageStart]] = []
    path: list[tuple[int, str]] = []
    last_body: _BodyBlock | None = None          # the body unit a cut paragraph would continue
    cut = False                             # a page bottom (footnotes or a break) since last_body
    for block in doc.blocks:
        if block.kind in ("footnote", "break"):
            cut = True
        if block.kind == "footnote":
            if block.number is not None:
                notes.append((block.number, block.text, (0, block.page, block.page_index)))
            elif notes:
                notes[-1] = (notes[-1][0], join_note(notes[-1][1], block.text), notes[-1][2])
            continue
        if block.kind == "break":
            continue
        if block.kind == "heading":
            path = _push_heading(path, block.text)
            last_body = None
            continue
        section = tuple(t for _, t in path)
        # a list item is only continued across a page bottom; a paragraph also after a bare blank line
        if (block.kind == "paragraph" and last_body is not None and (cut or last_body.kind == "paragraph")
                and continues_paragraph(last_body.text, block.text)):
            _append(last_body, block)
            cut = False
            continue
        cut = False
        unit = _BodyBlock(kind=block.kind, text=block.text, marks=list(block.marks),
                     pages=([(0, block.page, block.page_index)]
                            if block.page is not None or block.page_index is not None else []),
                     section=section, label=block.label, rows=block.rows)
        units.append(unit)
        last_body = unit if block.kind in ("paragraph", "item") else None
    return units, notes


def continues_paragraph(before: str, after: str) -> bool:
    """Tell whether `after` continues a paragraph cut after `before` (by a page break or footnotes)."""
    if not before or not after or TERMINAL.search(before.rstrip()):
        return False
    head = after.lstrip()[:1]
    return head.islower() or before.rstrip().endswith((",", "-", "–"))


def _append(unit: _BodyBlock, block: Block) -> None:
    """Join a continuation block onto a unit, shifting its marks and pages."""
    glue = "" if unit.text.endswith("-") and block.text[:1].islower() and _URL.search(unit.text.split()[-1]) else " "
    offset = len(unit.text) + len(glue)
    unit.text += glue + block.text
    unit.marks.extend((offset + o, n) for o, n in block.marks)
    if block.page is not None or block.page_index is not None:
        unit.pages.append((offset, block.page, block.page_index))


def join_note(before: str, after: str) -> str:
    """Join a footnote's continuation; a URL cut after '-' or '/' is joined without a space."""
    tail = before.split()[-1] if before.split() else ""
    if _URL.match(tail) and tail.endswith(("-", "/", "_", ".")) and not after[:1].isspace():
        return before + after.lstrip()
    return f"{before} {after}".strip()


def _push_heading(path: list[tuple[int, str]], text: str) -> list[tuple[int, str]]:
    """Return the section path after a heading; an unnumbered heading right after 'BAB N' is its title."""
    title = text.strip().rstrip(".").strip()
    level = heading_level(title)
    if level is None:
        if path and path[-1][0] == 0 and is_chapter_only(path[-1][1]):
            return path[:-1] + [(0, f"{path[-1][1]} {title}")]
        level = 1
    return [p for p in path if p[0] < level] + [(level, title)]


def _passages(units: list[_BodyBlock], source: str, first_id: int) -> list[Passage]:
    """Return passages: paragraphs, one passage per list, one per table row."""
    out: list[Passage] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "item":
            j = i
            while (j < len(units) and units[j].kind == "item" and units[j].section == unit.section
                   and (j == i or not _restarts(units[j].label))):
                j += 1
            lead = _lead_in(units[i - 1]) if i and units[i - 1].kind == "paragraph" else ""
            out.append(_list_passage(units[i:j], lead, source, first_id + len(out)))
            i = j
            continue
        if unit.kind == "table":
            title = units[i - 1].text if i and _is_title(units[i - 1]) else ""
            caption = units[i + 1].text if i + 1 < len(units) and _CAPTION.match(units[i + 1].text) else ""
            if title and out and out[-1].text == title:
                out.pop()
            before = i - 2 if title else i - 1
            cited = _introduced_by(units[before]) if before >= 0 else ()
            for row in _table_rows(unit, title, caption):
                out.append(Passage(id=first_id + len(out), source=source, kind="row", text=row,
                                   section=unit.section, lead=caption, context=_table_text(unit, title, caption),
                                   pages=tuple(unit.pages), footnotes=cited, sentences=((0, len(row)),)))
            i += 2 if caption else 1
            continue
        out.append(Passage(id=first_id + len(out), source=source, kind="paragraph", text=unit.text,
                           section=unit.section, marks=tuple(unit.marks), context=unit.text,
                           pages=tuple(unit.pages), footnotes=_numbers(unit.marks),
                           sentences=split_sentences(unit.text)))
        i += 1
    return out


def _introduced_by(unit: _BodyBlock) -> tuple[int, ...]:
    """Return the footnotes of the sentence that introduces a table (the last of the paragraph right before it,
    when it ends in ':' or points at what follows), which every row of the table inherits; else ()."""
    if unit.kind != "paragraph" or not unit.marks:
        return ()
    spans = split_sentences(unit.text)
    start, end = spans[-1] if spans else (0, len(unit.text))
    sentence = unit.text[start:end]
    if not (sentence.rstrip().endswith(":") or _INTRO.search(sentence)):
        return ()
    return _numbers([(o, n) for o, n in unit.marks if start <= o <= len(unit.text)])


def _restarts(label: str) -> bool:
    """Tell whether a list label starts a new numbering ("1.", "1)", "a.", "a)")."""
    return label.lower() in ("1.", "1)", "a.", "a)")


def _numbers(marks) -> tuple[int, ...]:
    """Return the distinct footnote numbers of marks, in order."""
    return tuple(dict.fromkeys(n for _, n in marks))


def _lead_in(unit: _BodyBlock) -> str:
    """Return the last sentence of the paragraph that introduces a list."""
    spans = split_sentences(unit.text)
    return unit.text[spans[-1][0]:spans[-1][1]] if spans else unit.text


def _list_passage(items: list[_BodyBlock], lead: str, source: str, pid: int) -> Passage:
    """Return one passage for a list: each item (with its label) is one 'sentence'."""
    text = ""
    marks: list[Mark] = []
    pages: list[PageStart] = []
    spans: list[tuple[int, int]] = []
    for item in items:
        if text:
            text += "\n"
        prefix = f"{item.label} " if item.label and item.label not in "-*+" else ""
        start = len(text)
        text += prefix + item.text
        shift = start + len(prefix)
        marks.extend((shift + o, n) for o, n in item.marks)
        pages.extend((shift + o if o else start, p, x) for o, p, x in item.pages)
        spans.extend((start + a, start + b) for a, b in split_sentences(text[start:]))
    return Passage(id=pid, source=source, kind="list", text=text, section=items[0].section,
                   marks=tuple(marks), lead=lead, context=f"{lead}\n{text}" if lead else text,
                   pages=tuple(pages), footnotes=_numbers(marks), sentences=tuple(spans))


def _is_title(unit: _BodyBlock) -> bool:
    """Tell whether a paragraph reads like a table title (short, no final period, or in capitals)."""
    letters = [c for c in unit.text if c.isalpha()]
    caps = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
    return unit.kind == "paragraph" and len(unit.text) < 300 and (caps or not TERMINAL.search(unit.text))


def _table_rows(unit: _BodyBlock, title: str, caption: str) -> list[str]:
    """Return each data row as a sentence that carries the title and the column names."""
    header, *rows = unit.rows
    name = title or caption
    out = []
    for row in rows:
        cells = "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, row) if c or h)
        out.append(f"{name} — {cells}" if name else cells)
    return out


def _table_text(unit: _BodyBlock, title: str, caption: str) -> str:
    """Return the whole table as tab-separated lines with its title and caption."""
    lines = [title] if title else []
    lines += ["\t".join(r) for r in unit.rows]
    return "\n".join(lines + ([caption] if caption else []))


def parse_footnote(number: int, text: str, source: str) -> Footnote:
    """Return a footnote with its URL, access date and kind picked out of its text."""
    url_match = _URL.search(text)
    url = url_match.group(0).rstrip(".,;)>") if url_match else None
    accessed = _ACCESSED.search(text)
    description = text[:url_match.start()].strip() if url_match else text
    return Footnote(number=number, text=text, description=description, url=url,
                    accessed=accessed.group(1) if accessed else None,
                    kind=footnote_kind(text, url), source=source)


def footnote_kind(text: str, url: str | None) -> str:
    """Return web / journal / official / book / other for a citation's text."""
    low = text.lower()
    if re.search(r"\b(jurnal|journal|vol\.|volume|no\.\s*\d)", low):
        return "journal"
    if url:
        return "web"
    if re.search(r"\b(departemen|kementerian|direktorat|peraturan|undang-undang|pemerintah|ministry|badan)\b", low):
        return "official"
    if (re.search(r"\b(press|penerbit|pustaka|publisher|hlm\.|hal\.|pp\.|isbn)\b", low)
            or re.search(r"\([^()]*:[^()]*\d{4}", low)):
        return "book"
    return "other"


def _footnote_passage(note: Footnote, pid: int, page: PageStart) -> Passage:
    """Return the searchable passage of a footnote entry (on the page where it starts)."""
    return Passage(id=pid, source=note.source, kind="footnote", text=note.text,
                   pages=(page,) if page[1] is not None or page[2] is not None else (),
                   section=(f"Catatan kaki {note.number}",),
                   lead=f"catatan kaki sumber referensi rujukan kutipan {KIND_WORDS[note.kind]}",
                   context=note.text, footnotes=(note.number,), sentences=((0, len(note.text)),))


def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Return (start, end) spans of the sentences of text; abbreviations and numbers do not end one."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?]+['\"”’)]*(?=\s+['\"“‘(]?[A-Z0-9])|\n", text):
        end = m.end()
        word = _TAIL.findall(text[max(start, m.start() - TAIL_CHARS):m.start()])   # the word before the stop
        tail = word[0].lower().rstrip(".") if word else ""
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if m.group(0) != "\n" and (tail in _ABBREV or (len(tail) == 1 and tail.isalpha())
                                    or re.fullmatch(r"\s*(\d{1,3}|[a-zA-Z]|[ivxlc]{1,5})", line)):
            continue
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return tuple(spans)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span without surrounding white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def with_source_footnote(passages: list[Passage], number: int) -> list[Passage]:
    """Return passages of a cited source, each citing the chapter's footnote `number`."""
    return [replace(p, footnotes=(number,), marks=()) if p.kind != "footnote" else p for p in passages]
