"""Text of lines: runs joined into text with the footnote markers taken out, lines joined into blocks,
and a line cut into segments where a wide gap separates its runs."""
from __future__ import annotations

from collections import Counter

from ...model import Mark
from .parts import Line, Run, Segment

SEGMENT_GAP = 0.75   # a horizontal gap of this many ems splits a line into segments (table cells)
URL_END = "-/_.=?&#%~:"  # characters a URL may be broken after at a line end (joined without a space)
SPACE_SHARE = 0.15   # a gap wider than this share of the previous run (or one em) is a space pypdf left out
URL_SLASHES = 2      # a token with this many slashes is (part of) a path, so a URL even without scheme


def runs_text(runs: list[Run], known: set[int] | None) -> tuple[str, list[Mark]]:
    """Return the text of runs (whitespace collapsed) and the markers removed from it.

    known: footnote numbers that exist; a marker outside it stays text (None or empty: every marker counts).
    """
    text = ""
    marks: list[Mark] = []
    prev: Run | None = None
    for run in runs:
        if run.marker and (known is None or not known or int(run.text) in known):
            marks.append((len(text.rstrip()), int(run.text)))
            continue
        piece = " ".join(run.text.split())
        if not piece:
            continue
        if text and not text.endswith(" ") and (run.text[:1].isspace() or needs_space(prev, run)):
            text += " "
        text += piece
        if run.text[-1:].isspace():
            text += " "
        prev = run
    stripped = text.rstrip()
    return stripped, [(min(o, len(stripped)), n) for o, n in marks]


def needs_space(prev: Run | None, run: Run) -> bool:
    """Return True if a space separates two runs that pypdf gave no space between."""
    if prev is None:
        return False
    if run.space_before:
        return True
    gap = run.x - prev.x1
    return gap > max(run.size, SPACE_SHARE * prev.width)


def join_texts(parts: list[tuple[str, list[Mark]]]) -> tuple[str, tuple[Mark, ...]]:
    """Return lines joined into one text: a space between words, none after a hyphen, slash or URL break."""
    text = ""
    marks: list[Mark] = []
    for piece, piece_marks in parts:
        if not piece and not piece_marks:
            continue
        before = len(text)
        sep = line_separator(text, piece)
        text += sep + piece
        for off, n in piece_marks:
            marks.append((before if off == 0 else before + len(sep) + off, n))
    return text, tuple(marks)


def line_separator(prev: str, nxt: str) -> str:
    """Return what goes between a line and the next: "" after a word-hyphen, slash or broken URL, else " "."""
    if not prev or not nxt:
        return ""
    last = prev.split()[-1]
    if len(last) > 1 and last[-1] in "-/":
        return ""
    if last[-1] in URL_END and looks_like_url(last) and not nxt[0].isupper():
        return ""
    return " "


def looks_like_url(token: str) -> bool:
    """Return True if a token is (part of) a URL."""
    return "://" in token or token.startswith("www.") or token.count("/") >= URL_SLASHES


def split_runs(line: Line, em: float) -> list[list[Run]]:
    """Return a line's runs grouped where no horizontal gap wider than SEGMENT_GAP ems separates them."""
    groups: list[list[Run]] = []
    for run in line.runs:
        if groups and run.x - groups[-1][-1].x1 <= SEGMENT_GAP * max(em, run.size):
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def segments(line: Line, em: float) -> list[Segment]:
    """Return a line's runs grouped where no horizontal gap wider than SEGMENT_GAP ems separates them."""
    out: list[Segment] = []
    for group in split_runs(line, em):
        text, _ = runs_text(group, set())
        out.append(Segment(start_of(group, line), max(r.x1 for r in group), text))
    return out


def start_of(group: list[Run], line: Line) -> float:
    """Return where a group of runs starts: its ink if it opens the line, else its position."""
    return line.x0 if group[0] is line.runs[0] else group[0].x


def edge_lines(lines: list[Line]) -> list[Line]:
    """Return the top and bottom line of a page."""
    if not lines:
        return []
    return [lines[0]] if len(lines) == 1 else [lines[0], lines[-1]]


def left_edge(lines: list[Line], times: int) -> float | None:
    """Return the leftmost line start met at least `times` times (a list's indent is not the margin)."""
    starts = Counter(round(ln.x0) for ln in lines)
    recurring = [x for x, n in starts.items() if n >= times]
    return float(min(recurring)) if recurring else None
