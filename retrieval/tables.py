"""A table row passage as (column, value) pairs, for showing it as a small table rather than a run-on line."""
from __future__ import annotations

from .model import Passage


def row_cells(p: Passage) -> list[tuple[str, str]] | None:
    """Return the row's (column name, value) pairs from its table (the passage's context), or None if not a row."""
    if p.kind != "row":
        return None
    rows = [[c.strip() for c in line.split("\t")] for line in (p.context or "").split("\n") if "\t" in line]
    if len(rows) < 2:
        return None
    header, body = rows[0], rows[1:]
    for row in body:
        filled = [c for c in row if c]
        if filled and all(c in p.text for c in filled) and p.text.rstrip().endswith(_last_cell(header, row)):
            return [(h, c) for h, c in zip(header, row) if h or c]
    return None


def _last_cell(header: list[str], row: list[str]) -> str:
    """Return how the row's passage text ends: its last filled 'column: value' (or value)."""
    pairs = [(h, c) for h, c in zip(header, row) if h or c]
    h, c = pairs[-1] if pairs else ("", "")
    return f"{h}: {c}" if h else c
