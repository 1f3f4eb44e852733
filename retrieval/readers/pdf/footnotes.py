"""Footnotes: numbered lines of a page's footnote zone, a footnote continued from the previous page."""
from __future__ import annotations

import re

from ...model import Block
from .lines import join_texts, runs_text
from .parts import Draft, Line, Page


def note_number(line: Line, expected: int | None) -> int | None:
    """Return the footnote number a footnote-zone line starts with, or None for a continuation line."""
    first = line.runs[0]
    if first.marker:
        return int(first.text)
    text, _ = runs_text(line.runs, set())
    m = re.match(r"(\d{1,3})[.)]?\s+\S", text)
    if m and (expected is None or int(m.group(1)) == expected):
        return int(m.group(1))
    return None


def read_notes(page: Page, last: int | None) -> list[Draft]:
    """Return the footnotes of a page's footnote zone; one without a number continues the previous page's."""
    drafts: list[Draft] = []
    for line in page.notes:
        expected = drafts[-1].number if drafts and drafts[-1].number else last
        n = note_number(line, None if expected is None else expected + 1)
        if n is not None or not drafts:
            drafts.append(Draft("footnote", page.number, page.index, number=n))
        drafts[-1].lines.append(line)
    return drafts


def note_block(draft: Draft, known: set[int]) -> Block:
    """Return a footnote draft as a Block, its number taken off the text."""
    parts = []
    for i, line in enumerate(draft.lines):
        runs = line.runs
        if i == 0 and draft.number is not None:
            if runs[0].marker:
                runs = runs[1:]
            else:
                line_str, line_marks = runs_text(runs, known)
                m = re.match(r"\d{1,3}[.)]?\s+", line_str)
                cut = m.end() if m else 0
                parts.append((line_str[cut:], [(max(0, o - cut), n) for o, n in line_marks]))
                continue
        parts.append(runs_text(runs, known))
    text, marks = join_texts(parts)
    return Block("footnote", text=text, marks=marks, page=draft.page, page_index=draft.page_index,
                 number=draft.number)
