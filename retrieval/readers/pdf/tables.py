"""Tables: regions of lines whose segments start at shared columns, rows told apart, cells joined."""
from __future__ import annotations

import re
from itertools import pairwise

from .lines import line_separator, runs_text, segments, split_runs, start_of
from .parts import Layout, Line, Segment, Table

ROW_PITCH = 1.3      # lines of one table are at most this many table-line pitches apart
MIN_CELLS = 3        # a line split into at least this many segments may be a table row (two is a gap)
MIN_ROWS = 2         # a table has at least this many such lines, and a column at least this many starts
OVERHANG = 0.5       # a cell may run this many body sizes past the next column's start (kerning, italics)
HALF_CHAR = 0.5      # a cell line's width plus this share of a character is what it would take with one more
FULL_CELL = 0.9      # a cell line this share of the widest line in its column fills the cell (a word broke)
ROW_NUMBER_RE = re.compile(r"\d{1,3}[.)]?")


def find_tables(lines: list[Line], layout: Layout, carry: list[float] | None) -> list[tuple[int, int, list[float]]]:
    """Return table regions of a page as (first line, end line, column starts); carry continues a table."""
    em = layout.body_size
    segs = [segments(ln, em) for ln in lines]
    regions: list[tuple[int, int, list[float]]] = []
    start = 0
    if carry:
        end = grow_region(lines, segs, 0, carry, layout, None)
        if end > 0:
            regions.append((0, end, carry))
            start = end
    anchors = [i for i in range(start, len(lines)) if len(segs[i]) >= MIN_CELLS]
    columns = cluster([s.x0 for i in anchors for s in segs[i]], layout.tol)
    i = start
    while i < len(lines):
        if i in anchors and all(column_of(s.x0, columns, layout.tol) is not None for s in segs[i]):
            pitch = anchor_pitch(lines, anchors, layout)
            first = grow_region_up(lines, segs, i, columns, layout, pitch, regions[-1][1] if regions else start)
            end = grow_region(lines, segs, i, columns, layout, pitch)
            if sum(1 for a in anchors if first <= a < end) >= MIN_ROWS:
                cols = cluster([s.x0 for a in anchors if first <= a < end for s in segs[a]], layout.tol)
                regions.append((first, end, cols))
                i = end
                continue
        i += 1
    return regions


def cluster(xs: list[float], tol: float) -> list[float]:
    """Return x positions met at least twice, merged within tol, left to right."""
    groups: list[list[float]] = []
    for x in sorted(xs):
        if groups and x - groups[-1][-1] <= tol:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [g[0] for g in groups if len(g) >= MIN_ROWS]


def column_of(x: float, columns: list[float], tol: float) -> int | None:
    """Return the index of the column starting at x, or None."""
    for k, c in enumerate(columns):
        if abs(x - c) <= tol:
            return k
    return None


def fits(segs: list[Segment], columns: list[float], layout: Layout) -> bool:
    """Return True if every segment starts at a column and ends before the next column starts."""
    for s in segs:
        k = column_of(s.x0, columns, layout.tol)
        if k is None:
            return False
        if k + 1 < len(columns) and s.x1 > columns[k + 1] + OVERHANG * layout.body_size:
            return False
    return bool(segs)


def anchor_pitch(lines: list[Line], anchors: list[int], layout: Layout) -> float:
    """Return the line pitch of tables on a page: the smallest gap between adjacent many-cell lines."""
    gaps = [lines[a].y - lines[b].y for a, b in pairwise(anchors) if b == a + 1]
    return min([g for g in gaps if g > 0] + [layout.pitch])


def grow_region(lines: list[Line], segs: list[list[Segment]], i: int, columns: list[float],
                layout: Layout, pitch: float | None) -> int:
    """Return the end of the table region that starts at line i (exclusive)."""
    limit = ROW_PITCH * (pitch or layout.pitch)
    end = i
    while end < len(lines) and fits(segs[end], columns, layout):
        if end > i and lines[end - 1].y - lines[end].y > limit:
            break
        end += 1
    return end


def grow_region_up(lines: list[Line], segs: list[list[Segment]], i: int, columns: list[float],
                   layout: Layout, pitch: float, floor: int) -> int:
    """Return the first line of the table region that holds anchor line i."""
    first = i
    while first - 1 >= floor and fits(segs[first - 1], columns, layout) \
            and lines[first - 1].y - lines[first].y <= ROW_PITCH * pitch:
        first -= 1
    return first


def table_cells(lines: list[Line], columns: list[float], layout: Layout) -> list[dict[int, tuple[str, float]]]:
    """Return, for each table line, its fragments by column as (raw text, width)."""
    out = []
    for line in lines:
        cells: dict[int, tuple[str, float]] = {}
        for seg_runs in split_runs(line, layout.body_size):
            x0 = start_of(seg_runs, line)
            k = column_of(x0, columns, layout.tol)
            if k is None:
                k = max([j for j, c in enumerate(columns) if c <= x0] or [0])
            text, _ = runs_text(seg_runs, set())
            raw = text + (" " if seg_runs[-1].text[-1:].isspace() else "")
            width = max(r.x1 for r in seg_runs) - x0
            if k in cells:
                old, w = cells[k]
                raw, width = old.rstrip() + " " + raw, w + width
            cells[k] = (raw, width)
        out.append(cells)
    return out


def start_table(lines: list[Line], columns: list[float], layout: Layout) -> Table:
    """Return a new table from its first region: header row(s) then rows."""
    cells = table_cells(lines, columns, layout)
    table = Table(columns=columns, rows=[], header_rows=0)
    add_rows(table, cells, row_starts(cells, fresh=True))
    numbers = numbered_lines(cells)
    table.header_rows = 1 if not numbers or numbers[0] > 0 else 0
    return table


def continue_table(table: Table, lines: list[Line], layout: Layout) -> None:
    """Add a region continuing a table on a new page: drop a repeated header, extend the last row, add rows."""
    cells = table_cells(lines, table.columns, layout)
    if table.header_rows:
        cells = drop_header(cells, table.rows[0])
    starts = row_starts(cells, fresh=False)
    head = starts[0] if starts else len(cells)
    if table.rows:
        for line_cells in cells[:head]:
            for k, frag in line_cells.items():
                table.rows[-1][k].append(frag)
    add_rows(table, cells[head:], [s - head for s in starts])


def drop_header(cells: list[dict[int, tuple[str, float]]], header: list[list[tuple[str, float]]]) -> list[dict]:
    """Return table lines with a repeated header (same fragments per column, from the top) removed."""
    cells = [dict(c) for c in cells]
    spots: dict[int, list[int]] = {}
    for k, frags in enumerate(header):
        if not frags:
            continue
        rows = [i for i, c in enumerate(cells) if k in c][:len(frags)]
        if [cells[i][k][0].strip() for i in rows] != [f[0].strip() for f in frags]:
            return cells
        spots[k] = rows
    for k, rows in spots.items():
        for i in rows:
            del cells[i][k]
    return [c for c in cells if c]


def row_starts(cells: list[dict[int, tuple[str, float]]], fresh: bool) -> list[int]:
    """Return the table lines that start a row: numbered first-column lines, else first-column text after a gap."""
    numbers = numbered_lines(cells)
    if numbers:
        return ([0] if fresh and numbers[0] > 0 else []) + numbers
    starts = []
    for i, c in enumerate(cells):
        if 0 in c and ((i == 0 and fresh) or (i > 0 and 0 not in cells[i - 1])):
            starts.append(i)
    return starts


def numbered_lines(cells: list[dict[int, tuple[str, float]]]) -> list[int]:
    """Return the table lines whose first column holds a row number ("1", "2.", "3)")."""
    return [i for i, c in enumerate(cells) if ROW_NUMBER_RE.fullmatch(c.get(0, ("", 0.0))[0].strip())]


def add_rows(table: Table, cells: list[dict[int, tuple[str, float]]], starts: list[int]) -> None:
    """Append the rows that begin at starts to a table."""
    for a, b in pairwise([*starts, len(cells)]):
        row: list[list[tuple[str, float]]] = [[] for _ in table.columns]
        for line_cells in cells[a:b]:
            for k, frag in line_cells.items():
                row[k].append(frag)
        table.rows.append(row)


def table_rows(table: Table) -> tuple[tuple[str, ...], ...]:
    """Return a table's rows as cell texts, narrow-cell word breaks rejoined."""
    limits = [max((w for row in table.rows for _, w in row[k]), default=0.0) for k in range(len(table.columns))]
    return tuple(tuple(join_cell(row[k], limits[k]) for k in range(len(table.columns))) for row in table.rows)


def join_cell(frags: list[tuple[str, float]], limit: float) -> str:
    """Return a cell's lines joined; a word the cell was too narrow for is rejoined without a space."""
    text = ""
    prev: tuple[str, float] | None = None
    for raw, width in frags:
        piece = " ".join(raw.split())
        if prev is None:
            text = piece
        elif broken_word(prev, piece, limit):
            text += piece
        else:
            text += line_separator(text, piece) + piece
        prev = (raw, width)
    return text


def broken_word(prev: tuple[str, float], nxt: str, limit: float) -> bool:
    """Return True if a cell line ends inside a word: the line is one word with no space after it,
    it fills the cell, and the next line goes on in the same case (lower case, or capitals after capitals)."""
    raw, width = prev
    if not raw or raw[-1].isspace() or len(raw.split()) != 1 or not nxt:
        return False
    last, first = raw.split()[-1], nxt.split()[0]
    if not (last[-1].isalpha() and first[0].isalpha()):
        return False
    if width + HALF_CHAR * width / max(len(raw.strip()), 1) < FULL_CELL * limit:
        return False
    return first[0].islower() or (last.isupper() and first.isupper())
