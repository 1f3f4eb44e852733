"""Body blocks: each page's lines classified as heading, paragraph, list item or table, in reading order,
with that page's footnotes and a page break after them."""
from __future__ import annotations

import re

from ...model import Block
from .footnotes import note_block, read_notes
from .lines import join_texts, left_edge, runs_text, split_runs
from .parts import NOTE_RATIO, Draft, Layout, Line, Page
from .tables import continue_table, find_tables, start_table, table_rows

HEADING_RATIO = 1.15  # a line this much larger than the body is a heading
GAP_RATIO = 1.1      # a vertical gap over this share of the line pitch separates blocks
SHORT_RATIO = 0.3    # a line ending this share of the text width before the right edge ends its block
HEADING_CHARS = 200  # a longer line is text set apart, not a heading
BOLD_SHARE = 0.9     # a line with this share of its characters bold is a bold heading (a bold word is not)
CAPS_WORDS = 2       # a heading in capitals has at least this many words of at least this many letters
MIN_PITCH = 0.5      # a block's own line pitch counts as at least this share of the document's
ITEM_TOL = 2         # an item's next line starts within this many x tolerances of its text (hanging indent)
PAGE_MARGIN_TIMES = 2  # a page's margin is its leftmost line start met at least this many times
ROUND_BULLETS = "•◦▪▫●○■□·‣⁃"  # these start an item wherever they stand; dashes only when indented
BULLETS = ROUND_BULLETS + "-–—*"
LABEL = r"(?:\(?(?:[a-zA-Z]|\d{1,2}|[ivx]{1,4})[.)]|[" + re.escape(BULLETS) + r"])"
LABEL_RE = re.compile(LABEL)
LABEL_START_RE = re.compile(r"(" + LABEL + r")\s+(?=\S)")


def build_blocks(pages: list[Page], layout: Layout) -> list[Block]:
    """Return the blocks of all pages in reading order: body, that page's footnotes, then a break."""
    known: set[int] = set()
    notes_by_page: list[list[Draft]] = []
    last: int | None = None
    for page in pages:
        page_notes = read_notes(page, last)
        for d in page_notes:
            if d.number is not None:
                known.add(d.number)
                last = d.number
        notes_by_page.append(page_notes)
    blocks: list[Block] = []
    drafts: list[Draft] = []
    open_table: Draft | None = None
    for page, notes in zip(pages, notes_by_page, strict=True):
        body, open_table = read_body(page, layout, open_table)
        drafts.extend(body)
        drafts.extend(notes)
        drafts.append(Draft("break", None, page.index + 1))
    drafts.pop()
    numbers = {p.index: p.number for p in pages}
    for draft in drafts:
        if draft.kind == "break":
            blocks.append(Block("break", page=numbers.get(draft.page_index), page_index=draft.page_index))
        elif draft.kind == "footnote":
            blocks.append(note_block(draft, known))
        else:
            blocks.append(body_block(draft, known))
    return blocks


def read_body(page: Page, layout: Layout, open_table: Draft | None) -> tuple[list[Draft], Draft | None]:
    """Return a page's body drafts and the table left open at its end (to be continued on the next page)."""
    lines = page.body
    margin = page_margin(lines, layout)
    carry = open_table.table.columns if open_table and open_table.table else None
    regions = {first: (end, cols) for first, end, cols in find_tables(lines, layout, carry)}
    drafts: list[Draft] = []
    current: Draft | None = None
    bullet = False
    i = 0
    last_table: Draft | None = None
    while i < len(lines):
        line = lines[i]
        prev = lines[i - 1] if i else None
        if i in regions:
            end, cols = regions[i]
            if i == 0 and open_table is not None and open_table.table is not None:
                continue_table(open_table.table, lines[i:end], layout)
                last_table = open_table
            else:
                last_table = Draft("table", page.number, page.index,
                                    table=start_table(lines[i:end], cols, layout))
                drafts.append(last_table)
            current, i = None, end
            continue
        last_table = None
        text, _ = runs_text(line.runs, set())
        if len(text) <= 1 and (not text or text in BULLETS):  # a lone bullet glyph announces an item
            bullet, current, i = bool(text), None, i + 1
            continue
        kind, label, text_x = classify(line, prev, current, layout, margin, bullet)
        bullet = False
        if kind == "more" and current is not None:
            current.lines.append(line)
        else:
            current = Draft(kind, page.number, page.index, lines=[line], label=label, text_x=text_x)
            drafts.append(current)
        i += 1
    return drafts, last_table


def page_margin(lines: list[Line], layout: Layout) -> float:
    """Return the page's left margin (its leftmost recurring line start), or the document's."""
    body = [ln for ln in lines if ln.size >= NOTE_RATIO * layout.body_size]
    return left_edge(body, PAGE_MARGIN_TIMES) or layout.margin


def classify(line: Line, prev: Line | None, current: Draft | None, layout: Layout,
             margin: float, bullet: bool) -> tuple[str, str, float]:
    """Return (kind, label, text x) for a line: "more" continues the current block."""
    gap = prev.y - line.y if prev is not None else None
    spaced = gap is None or gap > GAP_RATIO * layout.pitch
    item = item_label(line, layout, margin, bullet)
    if item is not None and item[0] == "-":
        return "item", item[0], item[1]
    style = heading_style(line, layout, caps_ok=gap is not None)
    if current is not None and current.kind == "heading" and style \
            and style == heading_style(current.lines[-1], layout, True) \
            and gap is not None and gap <= GAP_RATIO * layout.pitch and not starts_with_label(line):
        return "more", "", 0.0
    if style and spaced and len(" ".join(runs_text(line.runs, set())[0].split())) <= HEADING_CHARS:
        return "heading", "", 0.0
    if item is not None:
        return "item", item[0], item[1]
    if current is not None and continues(current, line, prev, layout, margin):
        return "more", "", 0.0
    return "paragraph", "", 0.0


def heading_style(line: Line, layout: Layout, caps_ok: bool) -> str:
    """Return what sets a line apart as a heading ("large", "bold", "italic", "caps"), or ""."""
    runs = [r for r in line.runs if not r.marker and r.text.strip()]
    if not runs:
        return ""
    total = sum(len(r.text.strip()) for r in runs)
    if line.size >= HEADING_RATIO * layout.body_size:
        return "large"
    if not layout.bold_body and sum(len(r.text.strip()) for r in runs if r.bold) >= BOLD_SHARE * total:
        return "bold"
    if not layout.italic_body and all(r.italic for r in runs):
        return "italic"
    text, _ = runs_text(runs, set())
    letters = [c for c in text if c.isalpha()]
    words = [w for w in text.split() if sum(c.isalpha() for c in w) >= CAPS_WORDS]
    if caps_ok and len(words) >= CAPS_WORDS and all(c.isupper() for c in letters):
        return "caps"
    return ""


def starts_with_label(line: Line) -> bool:
    """Return True if a line begins with a list or section label."""
    text, _ = runs_text(line.runs, set())
    return bool(LABEL_START_RE.match(text))


def item_label(line: Line, layout: Layout, margin: float, bullet: bool) -> tuple[str, float] | None:
    """Return (label, x where the item's text starts) if a line starts a list item."""
    groups = split_runs(line, layout.body_size)
    if len(groups) >= 2:
        head, _ = runs_text(groups[0], set())
        if LABEL_RE.fullmatch(head):
            return normal_label(head), groups[1][0].x
    text, _ = runs_text(line.runs, set())
    m = LABEL_START_RE.match(text)
    if m and (line.x0 > margin + layout.tol or bullet or m.group(1) in ROUND_BULLETS):
        first = line.runs[0]
        if first.text.strip() == m.group(1) and len(line.runs) > 1:  # the label is a run of its own
            return normal_label(m.group(1)), line.runs[1].x
        share = len(m.group(0)) / max(len(first.text.strip()), len(m.group(0)))
        return normal_label(m.group(1)), first.ink + (first.x1 - first.ink) * share
    if bullet:
        return "-", line.x0
    return None


def normal_label(label: str) -> str:
    """Return a list label as written, bullets of any shape as "-"."""
    return "-" if label in BULLETS else label


def continues(draft: Draft, line: Line, prev: Line | None, layout: Layout, margin: float) -> bool:
    """Return True if a line goes on with the paragraph or item being built."""
    if draft.kind not in ("paragraph", "item") or prev is None or prev is not draft.lines[-1]:
        return False
    own = draft.lines[-2].y - prev.y if len(draft.lines) >= 2 else layout.pitch
    if prev.y - line.y > GAP_RATIO * max(own, MIN_PITCH * layout.pitch):
        return False
    first = draft.lines[0]
    short = layout.right - prev.x1 > SHORT_RATIO * (layout.right - margin)
    if draft.kind == "item":
        return not short and abs(line.x0 - draft.text_x) <= ITEM_TOL * layout.tol
    if len(draft.lines) == 1:
        if line.x0 < first.x0 - layout.tol:  # a first-line indent, then back to the margin
            return True
        return abs(line.x0 - first.x0) <= layout.tol and not short  # same start: goes on unless cut short
    indented = first.x0 > draft.lines[1].x0 + layout.tol
    return abs(line.x0 - draft.lines[1].x0) <= layout.tol and (indented or not short)


def body_block(draft: Draft, known: set[int]) -> Block:
    """Return a heading, paragraph, item or table draft as a Block."""
    if draft.kind == "table" and draft.table is not None:
        return Block("table", page=draft.page, page_index=draft.page_index, rows=table_rows(draft.table))
    text, marks = join_texts([runs_text(ln.runs, known) for ln in draft.lines])
    label = draft.label
    if draft.kind == "item":
        m = LABEL_START_RE.match(text)
        if m and normal_label(m.group(1)) == label:
            cut = m.end()
            text = text[cut:]
            marks = tuple((max(0, o - cut), n) for o, n in marks)
    return Block(draft.kind, text=text, marks=marks, page=draft.page, page_index=draft.page_index, label=label)
