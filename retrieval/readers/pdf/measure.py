"""Document-wide measures: body size, line pitch and margins; printed page numbers, running headers and
footers removed; each page split into body and footnote zone."""
from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Any

from .footnotes import note_number
from .lines import edge_lines, left_edge, runs_text, segments, split_runs
from .parts import NOTE_RATIO, Layout, Line, Page

RUNNING_SHARE = 0.2  # a line repeated at a page edge on this share of pages is a running header/footer
RUNNING_MIN = 2      # ... and on at least this many pages (a line that held the page number: this many)
RUNNING_CHARS = 3    # a running line has at least this many letters or digits (not a lone rule or dash)
PITCH_MIN = 0.8      # a gap between body lines under this many body sizes is not a line pitch (overlap)
PITCH_MAX = 3        # ... nor one over this many (a blank line or a figure between them)
DEFAULT_PITCH = 1.2  # the pitch in body sizes when no two body lines follow each other: single spacing
DEFAULT_LINE = 40    # the text width in body sizes when no body line gives it: a usual measure of 40 ems
STYLE_SHARE = 0.5    # the body is bold (italic) if more than this share of its characters are
MARGIN_TIMES = 3     # the document's left margin is the leftmost line start met at least this many times
OFFSET_SUPPORT = 2   # printed numbers agree on a page offset only if this many pages show it
PAGE_NUMBER_RE = re.compile(r"(?:(?:halaman|hal\.|page|p\.)\s*)?[-–—(\[]?\s*(\d{1,4})\s*[-–—)\]]?"
                            r"(?:\s*(?:dari|of|/)\s*\d{1,4})?", re.I)
ROMAN_RE = re.compile(r"[-–—(\[]?\s*(x{0,3}(?:ix|iv|v?i{0,3}))\s*[-–—)\]]?")
EDGE_NUMBER_RE = re.compile(r"^(\d{1,4})\s+(?=\S)|(?<=\S)\s+(\d{1,4})$")  # "12 Title" / "Title 12"


def measure_layout(pages: list[Page]) -> Layout:
    """Return body size, line pitch, left margin, right edge and body style, measured over all pages."""
    chars: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            for r in line.runs:
                if not r.marker:
                    chars[round(r.size, 1)] += len(r.text.strip())
    body = chars.most_common(1)[0][0] if chars else max(ln.size for p in pages for ln in p.lines)
    body_lines = [(p, ln) for p in pages for ln in p.lines if ln.size >= NOTE_RATIO * body]
    gaps: Counter[float] = Counter()
    for page in pages:
        own = [ln for ln in page.lines if ln.size >= NOTE_RATIO * body]
        for a, b in pairwise(own):
            gap = a.y - b.y
            if PITCH_MIN * body < gap < PITCH_MAX * body:
                gaps[round(gap, 1)] += 1
    pitch = gaps.most_common(1)[0][0] if gaps else DEFAULT_PITCH * body
    margin = left_edge([ln for _, ln in body_lines], MARGIN_TIMES) or 0.0
    right = max((ln.x1 for _, ln in body_lines), default=margin + DEFAULT_LINE * body)
    styled = [(r.bold, r.italic, len(r.text)) for _, ln in body_lines for r in ln.runs]
    total = sum(n for *_, n in styled) or 1
    bold = sum(n for b, _, n in styled if b) / total > STYLE_SHARE
    italic = sum(n for _, i, n in styled if i) / total > STYLE_SHARE
    return Layout(body, pitch, float(margin), right, bold, italic)


def page_labels(reader: Any) -> list[int | None] | None:
    """Return each page's label (a number, or None when not numeric) if the PDF has labels other than 1..n."""
    try:
        labels = list(reader.page_labels)
    except Exception:  # labels are optional; a broken label tree is ignored
        return None
    if all(label == str(i + 1) for i, label in enumerate(labels)):
        return None
    return [int(label) if label.isdigit() else None for label in labels]


def number_pages(pages: list[Page], layout: Layout, labels: list[int | None] | None) -> None:
    """Remove printed page numbers (lone numbers at a page edge) and set each page's number: the PDF's own
    numeric label if it has real labels, else the printed number, else one inferred from the other pages."""
    found: list[tuple[Page, Line, int, int]] = []
    romans: list[tuple[Page, Line, int]] = []
    for page in pages:
        for line in edge_lines(page.lines):
            for k, seg in enumerate(segments(line, layout.body_size)):
                m = PAGE_NUMBER_RE.fullmatch(seg.text)
                if m:
                    found.append((page, line, k, int(m.group(1))))
                elif (roman := ROMAN_RE.fullmatch(seg.text)) and roman.group(1):
                    romans.append((page, line, k))
            text, _ = runs_text(line.runs, set())
            m = EDGE_NUMBER_RE.search(text)
            if m:
                found.append((page, line, -1 if m.group(1) else -2, int(m.group(1) or m.group(2))))
    offsets = Counter(n - page.index for page, _, _, n in found)
    offset, support = offsets.most_common(1)[0] if offsets else (None, 0)
    if len(pages) > 1 and support < OFFSET_SUPPORT:
        offset = None
    numbered: set[int] = set()
    for page, line, k, n in found:
        if n - page.index == offset and page.index not in numbered:
            page.number = n
            numbered.add(page.index)
            if k >= 0:
                remove_segment(page, line, k, layout.body_size)
            else:
                strip_number(line, str(n), at_start=k == -1)
                page.headed.append(line)
    for page, line, k in romans:  # front matter numbered i, ii, ...: removed, not a page number
        if page.index not in numbered and line in page.lines:
            numbered.add(page.index)
            remove_segment(page, line, k, layout.body_size)
    for page in pages:
        if labels is not None:
            page.number = labels[page.index] if page.index < len(labels) else None
        elif page.index not in numbered:
            guess = page.index + (offset if offset is not None else 1)
            page.number = guess if guess >= 1 else None


def strip_number(line: Line, number: str, at_start: bool) -> None:
    """Remove a page number printed at the start or end of a header/footer line's text."""
    runs = [r for r in line.runs if r.text.strip()]
    run = runs[0] if at_start else runs[-1]
    text = run.text.strip()
    if text == number:
        line.runs.remove(run)
        return
    if not (text.startswith(number) if at_start else text.endswith(number)):
        return  # the number spans runs: leave it, the running-line rule ignores digits anyway
    kept = text[len(number):] if at_start else text[:-len(number)]
    run.width *= len(kept.strip()) / max(len(text), 1)
    run.text = kept.strip()


def remove_segment(page: Page, line: Line, k: int, em: float) -> None:
    """Remove the k-th segment of a line, and the line if nothing is left of it."""
    line.runs = [r for i, g in enumerate(split_runs(line, em)) if i != k for r in g]
    if not line.runs:
        page.lines.remove(line)


def remove_running_lines(pages: list[Page]) -> None:
    """Remove header/footer lines repeated at the page edges (digits ignored) on several pages; a line
    that carried the page number counts as soon as it repeats once."""
    def key(line: Line) -> str:
        text, _ = runs_text(line.runs, set())
        return re.sub(r"\d+", "#", " ".join(text.lower().split()))

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({key(ln) for ln in edge_lines(page.lines)})
    need = max(RUNNING_MIN, RUNNING_SHARE * len(pages))
    for page in pages:
        for line in edge_lines(page.lines):
            k = key(line)
            enough = counts[k] >= (RUNNING_MIN if line in page.headed else need)
            if enough and sum(c.isalnum() for c in k) >= RUNNING_CHARS:
                page.lines.remove(line)


def split_zones(pages: list[Page], layout: Layout) -> None:
    """Split each page into body lines and the footnote zone (smaller lines below all body lines)."""
    notes_seen = False
    for page in pages:
        big = [i for i, ln in enumerate(page.lines) if ln.size >= NOTE_RATIO * layout.body_size]
        last = big[-1] if big else -1
        tail = page.lines[last + 1:]
        if tail and (notes_seen or note_number(tail[0], None) is not None):
            page.body, page.notes = page.lines[:last + 1], tail
            notes_seen = True
        else:
            page.body = list(page.lines)
