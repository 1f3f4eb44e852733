"""Read a Word .docx into Blocks: headings, paragraphs, list items with their labels, tables, and the real
footnotes numbered as Word shows them (the section's start number, restarts per section, custom marks).

python-docx opens the package and gives paragraphs, styles, tables and parts; the runs of a paragraph are
walked on its XML so that footnote references, hyperlinks, fields and tracked changes (inserted text kept,
deleted text left out) land where they stand.  Comments are ignored.  Footnote blocks come last, in the
order of their numbers.  A custom mark that is a number keeps it; any other mark ("*") gets a number after
the highest one Word shows, and its Block.label carries the mark itself.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ReadError
from ..headings import is_chapter_only
from ..model import Block, Document, Mark
from .numbering import FootnoteCounter, Numbering, format_number
from .ooxml import CorruptDocx, EncryptedDocx, check_package, open_docx

__all__ = ["CorruptDocx", "EncryptedDocx", "read_docx"]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
M_T = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OPEN, _CLOSE = "\ue000", "\ue001"  # a footnote marker is held as a sentinel until the text is final
_SENTINEL = re.compile(f"{_OPEN}(-?\\d+){_CLOSE}")
_SKIP = {W + t for t in ("pPr", "rPr", "del", "moveFrom", "delText", "instrText", "footnoteRef", "endnoteRef",
                         "commentReference", "annotationRef", "separator", "continuationSeparator", "sym",
                         "lastRenderedPageBreak", "fldData", "drawing", "pict", "object")}
_GO_IN = {W + t for t in ("r", "ins", "moveTo", "smartTag", "customXml", "sdt", "sdtContent", "fldSimple", "dir",
                          "bdo")}
_SPACE = {W + t for t in ("tab", "br", "cr", "ptab")}
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+"([^"]+)"', re.I)
MAX_TITLE_CHARS = 200               # a chapter title under "BAB III" is one line or two, never a paragraph
TITLE_CAPS_SHARE = 0.8              # ... and typed in capitals: more than this share of its letters
MAX_STYLE_DEPTH = 20                # styles based on styles: real chains are 2-4 deep; a cycle is cut here
_TYPED_LABEL = re.compile(r"^(\(?(?:[a-zA-Z]|\d{1,2}|[ivx]{1,4})[.)]|[•\-–*▪◦])\s+(?=\S)")


def read_docx(path: Path) -> Document:
    """Return the .docx at path as a Document: body blocks in reading order, then its footnotes."""
    path = Path(path)
    check_package(path)
    doc = open_docx(path)
    try:
        reader = _Reader(doc)
        blocks = reader.body_blocks() + reader.footnote_blocks()
    except ReadError:
        raise
    except Exception as e:  # a malformed part python-docx let through (bad XML, missing attribute, ...)
        reason = " ".join(str(e).split())[:120]
        raise CorruptDocx(f"{path.name}: .docx rusak / corrupt .docx ({type(e).__name__}: {reason})") from e
    return Document(source=path.name, blocks=tuple(blocks), meta=read_meta(doc))


def read_meta(doc: Any) -> tuple[tuple[str, str], ...]:
    """Return what the file says of itself: title and author when set."""
    try:
        props = doc.core_properties
        pairs = (("title", props.title), ("author", props.author))
    except Exception:  # the core properties are optional; a broken part is ignored
        return ()
    return tuple((k, " ".join(v.split())) for k, v in pairs if isinstance(v, str) and v.strip())


class _Reader:
    """Walks one opened .docx; holds the numbering state that runs through the document."""

    def __init__(self, doc: Any) -> None:
        """Prepare styles, list numbering, footnote numbering and the footnotes part."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.parser import parse_xml

        self.doc = doc
        self.body_rels = doc.part.rels
        self.numbering = Numbering(_part_element(doc.part, "numbering_part"))
        self.sections = [s for s in doc.element.body.iter(W + "sectPr")
                         if s.getparent().tag in (W + "pPr", W + "body")]
        settings = _part_element(doc, "settings")
        self.counter = FootnoteCounter(settings.find(W + "footnotePr") if settings is not None else None,
                                       [s.find(W + "footnotePr") for s in self.sections])
        self.notes: dict[str, tuple[int, str]] = {}   # footnote id -> (number, label as shown)
        self.custom = 0                               # custom non-numeric marks seen so far
        self.note_elements: dict[str, Any] = {}
        self.note_rels: Any = {}
        for rel in doc.part.rels.values():
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                part = rel.target_part
                root = parse_xml(part.blob)
                self.note_elements = {n.get(W + "id"): n for n in root.iter(W + "footnote")
                                      if n.get(W + "type") in (None, "normal")}
                self.note_rels = part.rels
        self.style_cache: dict[str, tuple[bool, Any]] = {}

    # ------------------------------------------------------------ body

    def body_blocks(self) -> list[Block]:
        """Return the blocks of the body in reading order (custom marks renumbered past the shown numbers)."""
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        blocks: list[Block] = []
        for el in _body_items(self.doc.element.body):
            if el.tag == W + "p":
                block = self.paragraph_block(Paragraph(el, self.doc))
                if block is not None and block.kind == "paragraph" and _is_chapter_title(blocks, block):
                    block = replace(block, kind="heading")
                if block is not None:
                    blocks.append(block)
                if el.find(f"{W}pPr/{W}sectPr") is not None:
                    self.counter.next_section()
            else:
                blocks.extend(self.table_blocks(Table(el, self.doc)))
        return self._renumber(blocks)

    def paragraph_block(self, para: Any) -> Block | None:
        """Return one paragraph as a heading, item or paragraph block, or None when it holds no text."""
        text, marks = _finish(self.inline(para._p, self.body_rels))
        heading, num = self.style_facts(para)
        label = self.list_label(para._p, num)
        if heading:
            if label and label != "-" and text:        # Word's own heading numbering: "BAB I", "1.2"
                text, marks = f"{label} {text}", tuple((o + len(label) + 1, n) for o, n in marks)
            return Block(kind="heading", text=text, marks=marks) if text else None
        if not text:
            return None
        if label is not None:
            return Block(kind="item", text=text, marks=marks, label=label)
        typed = _TYPED_LABEL.match(text)
        if typed and self.is_list_style(para):
            cut = typed.end()
            label = "-" if typed.group(1) in "•-–*▪◦" else typed.group(1)
            return Block(kind="item", text=text[cut:], marks=tuple((max(0, o - cut), n) for o, n in marks),
                         label=label)
        return Block(kind="paragraph", text=text, marks=marks)

    def style_facts(self, para: Any) -> tuple[bool, Any]:
        """Return (is a heading, the numPr its style chain gives) for a paragraph."""
        own = para._p.pPr
        if own is not None and own.find(W + "outlineLvl") is not None:
            return _outline(own.find(W + "outlineLvl")), own.numPr
        style_id = para._p.style or ""
        if style_id not in self.style_cache:
            self.style_cache[style_id] = _style_facts(para.style)
        return self.style_cache[style_id]

    def is_list_style(self, para: Any) -> bool:
        """Tell whether a paragraph's style is a list style or it is indented (a hand-typed list item)."""
        name = (para.style.name or "").lower() if para.style is not None else ""
        indent = para.paragraph_format.left_indent
        return "list" in name or "daftar" in name or bool(indent and indent > 0)

    def list_label(self, p: Any, style_num: Any) -> str | None:
        """Return the label Word shows before a numbered paragraph ("a.", "1)", "-"), or None."""
        num = p.pPr.numPr if p.pPr is not None and p.pPr.numPr is not None else style_num
        if num is None:
            return None
        num_id = num.find(W + "numId")
        level = num.find(W + "ilvl")
        if num_id is None:
            return None
        return self.numbering.label(num_id.get(W + "val"), int(level.get(W + "val", "0")) if level is not None else 0)

    def table_blocks(self, table: Any) -> list[Block]:
        """Return a table block (header row first); a one-row or one-column table is read as paragraphs."""
        rows: list[tuple[str, ...]] = []
        texts: dict[Any, str] = {}        # a merged cell is repeated in every grid cell it covers: read it once
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell._tc not in texts:
                    parts = (_finish(self.inline(p, self.body_rels))[0] for p in cell._tc.iter(W + "p"))
                    texts[cell._tc] = " ".join(t for t in parts if t)
                cells.append(texts[cell._tc])
            if any(cells):
                rows.append(tuple(cells))
        if not rows:
            return []
        width = max(len(r) for r in rows)
        if len(rows) < 2 or width < 2:
            return [Block(kind="paragraph", text=c) for r in rows for c in r if c]
        return [Block(kind="table", rows=tuple(r + ("",) * (width - len(r)) for r in rows))]

    # ------------------------------------------------------------ runs

    def inline(self, el: Any, rels: Any) -> str:
        """Return the text of a paragraph's runs, footnote markers as sentinels, deleted text left out."""
        out: list[str] = []
        fields: list[list] = []            # open complex fields: [instruction, start in out, phase]
        self._walk(el, rels, out, fields)
        return "".join(out)

    def _walk(self, el: Any, rels: Any, out: list[str], fields: list[list]) -> None:
        """Append the text of el's children to out."""
        children = list(el)
        for i, child in enumerate(children):
            tag = child.tag
            if tag in _SKIP:
                if tag == W + "instrText" and fields and fields[-1][2] == "instr":
                    fields[-1][0] += child.text or ""
                continue
            if tag == W + "r" and _hidden(child):
                continue
            if tag == MC + "AlternateContent":      # one rendering only: the fallback, else the first choice
                chosen = child.find(MC + "Fallback")
                chosen = chosen if chosen is not None else child.find(MC + "Choice")
                if chosen is not None:
                    self._walk(chosen, rels, out, fields)
            elif tag == W + "t" or tag == M_T:
                out.append(child.text or "")
            elif tag in _SPACE:
                out.append(" ")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "fldChar":
                _field_char(child.get(W + "fldCharType"), out, fields)
            elif tag == W + "footnoteReference":
                mark = ""
                if child.get(W + "customMarkFollows") in ("1", "true", "on"):
                    mark = "".join(t.text or "" for t in children[i + 1:] if t.tag == W + "t").strip()
                    out.append(self._sentinel(child.get(W + "id"), mark))
                    return                   # the rest of the run is the mark itself
                out.append(self._sentinel(child.get(W + "id"), mark))
            elif tag == W + "hyperlink":
                start = len("".join(out))
                self._walk(child, rels, out, fields)
                url = _rel_target(rels, child.get(R_ID))
                shown = _SENTINEL.sub("", "".join(out)[start:])
                if url and url not in shown:
                    out.append(f" ({url})")
            elif tag in _GO_IN or not tag.startswith(W):
                self._walk(child, rels, out, fields)

    def _sentinel(self, note_id: str | None, custom: str) -> str:
        """Return the marker sentinel for a footnote reference, numbering it as Word shows it."""
        if note_id is None or note_id not in self.note_elements:
            return ""
        if note_id not in self.notes:
            if custom.isdigit():
                self.notes[note_id] = (int(custom), custom)
            elif custom:
                self.custom += 1
                self.notes[note_id] = (-self.custom, custom)
            else:
                number, fmt = self.counter.take()
                self.notes[note_id] = (number, format_number(number, fmt))
        return f"{_OPEN}{self.notes[note_id][0]}{_CLOSE}"

    # ------------------------------------------------------------ footnotes

    def footnote_blocks(self) -> list[Block]:
        """Return one footnote block per referenced footnote, in the order of their numbers."""
        out = []
        for note_id, (number, label) in self.notes.items():
            parts = [_finish(self.inline(p, self.note_rels))[0] for p in self.note_elements[note_id].iter(W + "p")]
            text = " ".join(p for p in parts if p)
            out.append(Block(kind="footnote", number=self._final(number), text=text, label=label))
        return sorted(out, key=lambda b: b.number or 0)

    def _final(self, number: int) -> int:
        """Return the number a footnote keeps: custom marks (held as -k) go after the highest number shown."""
        if number >= 0:
            return number
        shown = [n for n, _ in self.notes.values() if n >= 0]
        return max(shown, default=0) - number

    def _renumber(self, blocks: list[Block]) -> list[Block]:
        """Return blocks with custom-mark numbers made final."""
        if not self.custom:
            return blocks
        return [replace(b, marks=tuple((o, self._final(n)) for o, n in b.marks)) if b.marks else b for b in blocks]


def _is_chapter_title(before: list[Block], block: Block) -> bool:
    """Tell whether a paragraph right after a bare "BAB III" heading is the chapter's title (short, in capitals)."""
    if not before or before[-1].kind != "heading" or not is_chapter_only(before[-1].text):
        return False
    letters = [c for c in block.text if c.isalpha()]
    return (len(block.text) <= MAX_TITLE_CHARS and bool(letters)
            and sum(c.isupper() for c in letters) > TITLE_CAPS_SHARE * len(letters))


def _hidden(run: Any) -> bool:
    """Tell whether a run is hidden text (w:vanish), which Word does not show or print."""
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


def _body_items(body: Any) -> list[Any]:
    """Return the paragraphs and tables of the body in order, looking inside content controls."""
    out = []
    for el in body:
        if el.tag in (W + "p", W + "tbl"):
            out.append(el)
        elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            out.extend(_body_items(el))
    return out


def _field_char(kind: str | None, out: list[str], fields: list[list]) -> None:
    """Track a complex field; at its end a HYPERLINK field's URL follows its shown text if not already in it."""
    if kind == "begin":
        fields.append(["", 0, "instr"])
    elif kind == "separate" and fields:
        fields[-1][1], fields[-1][2] = len("".join(out)), "result"
    elif kind == "end" and fields:
        instruction, start, _ = fields.pop()
        link = _HYPERLINK_FIELD.match(instruction)
        if link and link.group(1) not in "".join(out)[start:]:
            out.append(f" ({link.group(1)})")


def _rel_target(rels: Any, rel_id: str | None) -> str | None:
    """Return the external target of a relationship (a hyperlink's URL), or None."""
    if not rel_id or rel_id not in rels:
        return None
    rel = rels[rel_id]
    return rel.target_ref if rel.is_external else None


def _finish(raw: str) -> tuple[str, tuple[Mark, ...]]:
    """Return (plain text with white space collapsed, where each footnote marker stood)."""
    s = re.sub(r"\s+", " ", raw.replace("\u00a0", " ")).strip()
    s = re.sub(rf"\s+(?={_OPEN})", "", s)
    out: list[str] = []
    marks: list[Mark] = []
    pos = length = 0
    for m in _SENTINEL.finditer(s):
        out.append(s[pos:m.start()])
        length += m.start() - pos
        marks.append((length, int(m.group(1))))
        pos = m.end()
    out.append(s[pos:])
    return "".join(out).strip(), tuple(marks)


def _outline(el: Any) -> bool:
    """Tell whether a w:outlineLvl makes a heading (levels 0-8; 9 is body text)."""
    try:
        return int(el.get(W + "val", "9")) < 9
    except ValueError:
        return False


def _style_facts(style: Any) -> tuple[bool, Any]:
    """Return (is a heading, numPr) from a paragraph style and the styles it is based on."""
    heading, num, seen = False, None, 0
    while style is not None and seen < MAX_STYLE_DEPTH:
        name = (style.name or "").lower()
        ppr = style.element.pPr
        if num is None and ppr is not None and ppr.numPr is not None:
            num = ppr.numPr
        if name.startswith(("heading", "title")) or (ppr is not None and ppr.find(W + "outlineLvl") is not None
                                                     and _outline(ppr.find(W + "outlineLvl"))):
            heading = True
        style, seen = style.base_style, seen + 1
    return heading, num


def _part_element(owner: Any, attribute: str) -> Any:
    """Return the XML element of an optional part (numbering, settings), or None when the file has none."""
    try:
        part = getattr(owner, attribute)
    except (KeyError, NotImplementedError, AttributeError):
        return None
    return getattr(part, "element", None)
