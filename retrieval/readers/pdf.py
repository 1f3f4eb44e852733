"""Read a PDF into Blocks: body text, raised footnote markers, footnotes, headings, list items and
tables, told apart by font size and position relative to the rest of the page, never by fixed sizes.

Order of the blocks: for each page its body blocks, then its footnotes, then a "break" (none after the
last page; a break carries the page and page_index of the page it leads to).  A paragraph or item cut by
the page bottom comes out as two blocks around the footnotes and the break; a table that runs over the
break is one block.  Block.page is the PDF's own label when it has real numeric labels, else the printed
page number, else one inferred from the numbered pages (None where that would be below 1).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from math import hypot
from pathlib import Path
from itertools import pairwise
from typing import Any

from ..errors import ReadError
from ..model import Block, Document, Mark

try:  # pypdf's font metrics give run widths; without them widths are estimated
    from pypdf.generic._font import Font as _PdfFont
except ImportError:  # pragma: no cover - depends on the pypdf version
    _PdfFont = None  # type: ignore[assignment,misc]

MARKER_RATIO = 0.8   # a footnote marker is at most this share of its line's font size ...
RAISE_RATIO = 0.15   # ... and its baseline sits at least this share of that size above the line
BASELINE_TOL = 0.15  # runs whose baselines differ by less than this share of their size share a line
NOTE_RATIO = 0.92    # footnote text is smaller than this share of the body size
HEADING_RATIO = 1.15  # a line this much larger than the body is a heading
GAP_RATIO = 1.1      # a vertical gap over this share of the line pitch separates blocks
SHORT_RATIO = 0.3    # a line ending this share of the text width before the right edge ends its block
SEGMENT_GAP = 0.75   # a horizontal gap of this many ems splits a line into segments (table cells)
ROW_PITCH = 1.3      # lines of one table are at most this many table-line pitches apart
RUNNING_SHARE = 0.2  # a line repeated at a page edge on this share of pages is a running header/footer

ROUND_BULLETS = "•◦▪▫●○■□·‣⁃"  # these start an item wherever they stand; dashes only when indented
BULLETS = ROUND_BULLETS + "-–—*"
LABEL = r"(?:\(?(?:[a-zA-Z]|\d{1,2}|[ivx]{1,4})[.)]|[" + re.escape(BULLETS) + r"])"
LABEL_RE = re.compile(LABEL)
LABEL_START_RE = re.compile(r"(" + LABEL + r")\s+(?=\S)")
ROW_NUMBER_RE = re.compile(r"\d{1,3}[.)]?")
PAGE_NUMBER_RE = re.compile(r"(?:(?:halaman|hal\.|page|p\.)\s*)?[-–—(\[]?\s*(\d{1,4})\s*[-–—)\]]?"
                            r"(?:\s*(?:dari|of|/)\s*\d{1,4})?", re.I)
ROMAN_RE = re.compile(r"[-–—(\[]?\s*(x{0,3}(?:ix|iv|v?i{0,3}))\s*[-–—)\]]?")
MARKER_RE = re.compile(r"\s*(\d{1,3})\s*")
EDGE_NUMBER_RE = re.compile(r"^(\d{1,4})\s+(?=\S)|(?<=\S)\s+(\d{1,4})$")  # "12 Title" / "Title 12"
URL_END = "-/_.=?&#%~:"
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\u00ad": ""}


class ScannedPdf(ReadError):
    """The PDF has pages but no text a reader can extract."""


class EncryptedPdf(ReadError):
    """The PDF is encrypted and the empty password does not open it."""


class CorruptPdf(ReadError):
    """The file is not a readable PDF."""


@dataclass
class _Run:
    """One piece of text drawn with one font at one position (PDF points, y upwards)."""

    x: float
    y: float
    size: float
    width: float
    text: str
    bold: bool
    italic: bool
    space_before: bool
    marker: bool = False

    @property
    def x1(self) -> float:
        """Return the estimated right end of the run."""
        return self.x + self.width

    @property
    def ink(self) -> float:
        """Return where the first visible character starts: leading spaces of a line's first run indent it
        (elsewhere a leading space may be the gap pypdf found between runs)."""
        lead = len(self.text) - len(self.text.lstrip())
        return self.x + self.width * lead / len(self.text) if lead else self.x


@dataclass
class _Line:
    """Runs sharing a baseline (raised markers included), left to right."""

    y: float
    runs: list[_Run]
    size: float = 0.0

    @property
    def x0(self) -> float:
        """Return where the line's text starts."""
        return self.runs[0].ink

    @property
    def x1(self) -> float:
        """Return the estimated right end of the line."""
        return max(r.x1 for r in self.runs)


@dataclass
class _Segment:
    """Runs of one line with no wide horizontal gap between them (one table cell line)."""

    x0: float
    x1: float
    text: str


@dataclass
class _Page:
    """One page: its lines split into body and footnote zone, and its printed number."""

    index: int
    lines: list[_Line]
    number: int | None = None
    headed: list[_Line] = field(default_factory=list)  # edge lines that carried the page number
    body: list[_Line] = field(default_factory=list)
    notes: list[_Line] = field(default_factory=list)


@dataclass
class _Layout:
    """What the whole document says about its typesetting."""

    body_size: float
    pitch: float
    margin: float
    right: float
    bold_body: bool
    italic_body: bool

    @property
    def tol(self) -> float:
        """Return the tolerance for comparing x positions."""
        return 0.25 * self.body_size


@dataclass
class _Table:
    """A table being assembled: column starts, then rows of cells of (line text, width) fragments."""

    columns: list[float]
    rows: list[list[list[tuple[str, float]]]]
    header_rows: int


@dataclass
class _Draft:
    """A block being assembled from lines."""

    kind: str
    page: int | None
    page_index: int
    lines: list[_Line] = field(default_factory=list)
    label: str = ""
    text_x: float = 0.0
    number: int | None = None
    table: _Table | None = None


# ---------------------------------------------------------------- opening and extraction


def read_pdf(path: Path, progress: Callable[[int, int], None] | None = None) -> Document:
    """Return the PDF at path as a Document of blocks in reading order; progress(done, total) per page."""
    path = Path(path)
    reader = open_pdf(path)
    pages = extract_pages(reader, path.name, progress)
    if not any(p.lines for p in pages):
        raise ScannedPdf(f"{path.name}: no extractable text (scanned?)")
    layout = measure_layout(pages)
    number_pages(pages, layout, page_labels(reader))
    remove_running_lines(pages)
    split_zones(pages, layout)
    blocks = build_blocks(pages, layout)
    return Document(source=path.name, blocks=tuple(blocks), meta=read_meta(reader, len(pages)))


def open_pdf(path: Path) -> Any:
    """Return a pypdf reader for path, decrypted with the empty password if need be."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, EmptyFileError

    try:
        reader = PdfReader(path)
    except EmptyFileError as e:
        raise CorruptPdf(f"{path.name}: corrupt or unreadable PDF: empty file") from e
    except FileNotFoundError as e:
        raise ReadError(f"{path.name}: file not found") from e
    except Exception as e:
        raise CorruptPdf(f"{path.name}: corrupt or unreadable PDF: {short_reason(e)}") from e
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as e:
            raise EncryptedPdf(f"{path.name}: encrypted PDF: cannot decrypt ({short_reason(e)})") from e
        except Exception as e:
            raise CorruptPdf(f"{path.name}: corrupt or unreadable PDF: {short_reason(e)}") from e
        if not opened:
            raise EncryptedPdf(f"{path.name}: encrypted PDF: password required")
    return reader


def short_reason(error: Exception) -> str:
    """Return a one-line reason for an exception."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:120]


def extract_pages(reader: Any, name: str, progress: Callable[[int, int], None] | None) -> list[_Page]:
    """Return every page's lines, calling progress after each page."""
    try:
        total = len(reader.pages)
    except Exception as e:
        raise CorruptPdf(f"{name}: corrupt or unreadable PDF: {short_reason(e)}") from e
    if total == 0:
        raise CorruptPdf(f"{name}: corrupt or unreadable PDF: no pages")
    fonts: dict[Any, tuple[dict[str, float], dict[str, str], float, bool, bool]] = {}
    pages = []
    for index in range(total):
        try:
            runs = collect_runs(reader.pages[index], fonts)
        except Exception as e:
            raise CorruptPdf(f"{name}: corrupt or unreadable PDF: page {index + 1}: {short_reason(e)}") from e
        pages.append(_Page(index=index, lines=group_lines(runs)))
        if progress is not None:
            progress(index + 1, total)
    return pages


def collect_runs(page: Any, fonts: dict) -> list[_Run]:
    """Return the text runs of a page with size, position, width and style, via pypdf's text visitor."""
    from pypdf import mult

    runs: list[_Run] = []
    pending_space = False

    def visit(text: str, cm: list[float], tm: list[float], font: Any, font_size: float) -> None:
        nonlocal pending_space
        if not text:
            return
        if not text.strip():
            pending_space = pending_space or bool(text.strip("\n"))
            return
        m = mult(tm, cm)
        size = font_size * hypot(m[2], m[3])
        if size <= 0 or abs(m[1]) > abs(m[0]):  # invisible or not upright
            return
        widths, inverse, default, bold, italic = font_metrics(font, fonts)
        clean = clean_text(text.rstrip("\n"))
        em = sum(widths.get(inverse.get(c, c), default) for c in clean) / 1000
        runs.append(_Run(m[4], m[5], size, em * font_size * hypot(m[0], m[1]), clean, bold, italic, pending_space))
        pending_space = False

    page.extract_text(visitor_text=visit)
    return runs


def clean_text(text: str) -> str:
    """Return text with ligatures spelled out, soft hyphens dropped and tabs as spaces."""
    for old, new in LIGATURES.items():
        text = text.replace(old, new)
    return text.replace("\t", " ").replace("\u00a0", " ")


def font_metrics(font: Any, cache: dict) -> tuple[dict[str, float], dict[str, str], float, bool, bool]:
    """Return (glyph widths, unicode->code map, default width, bold, italic) for a font dictionary."""
    if font is None:
        return {}, {}, 500.0, False, False
    key = getattr(font, "indirect_reference", None) or id(font)
    if key in cache:
        return cache[key]
    name = str(font.get("/BaseFont", ""))
    widths: dict[str, float] = {}
    inverse: dict[str, str] = {}
    default = 500.0
    flags, weight, angle = 0, 0.0, 0.0
    try:
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        flags = int(descriptor.get("/Flags", 0))
        weight = float(descriptor.get("/FontWeight", 0))
        angle = float(descriptor.get("/ItalicAngle", 0))
        if _PdfFont is not None:
            metrics = _PdfFont.from_font_resource(font)
            widths = dict(metrics.character_widths)
            default = float(widths.get("default", 500) or 500)
            inverse = {v: k for k, v in metrics.character_map.items() if isinstance(v, str)}
    except Exception:  # widths and style are hints; a font we cannot measure is estimated
        pass
    bold = bool(re.search(r"bold|black|heavy|semibold|demi", name, re.I)) or weight >= 600 or bool(flags & (1 << 18))
    italic = bool(re.search(r"italic|oblique", name, re.I)) or angle != 0 or bool(flags & 64)
    cache[key] = (widths, inverse, default, bold, italic)
    return cache[key]


def group_lines(runs: list[_Run]) -> list[_Line]:
    """Return runs grouped into lines top to bottom, raised small runs joined to the line below them."""
    levels: list[_Line] = []
    for run in sorted(runs, key=lambda r: (-r.y, r.x)):
        if levels and abs(levels[-1].y - run.y) <= BASELINE_TOL * max(run.size, levels[-1].runs[0].size):
            levels[-1].runs.append(run)
        else:
            levels.append(_Line(y=run.y, runs=[run]))
    lines: list[_Line] = []
    for i, level in enumerate(levels):
        below = levels[i + 1] if i + 1 < len(levels) else None
        if below is not None and is_raised_level(level, below):
            below.runs.extend(level.runs)
            continue
        if lines and is_lowered_level(level, lines[-1]):
            lines[-1].runs.extend(level.runs)
            continue
        lines.append(level)
    for line in lines:
        line.runs.sort(key=lambda r: r.x)
        line.size = dominant_size(line.runs)
        mark_markers(line)
    return lines


def is_raised_level(level: _Line, below: _Line) -> bool:
    """Return True if a level holds only small runs sitting just above the larger line below it."""
    big = max(r.size for r in below.runs)
    rise = level.y - below.y
    return all(r.size <= MARKER_RATIO * big for r in level.runs) and 0 < rise <= 0.6 * big


def is_lowered_level(level: _Line, above: _Line) -> bool:
    """Return True if a level holds only small runs sitting just below the larger line above it (subscripts)."""
    big = max(r.size for r in above.runs)
    drop = above.y - level.y
    return all(r.size <= MARKER_RATIO * big for r in level.runs) and 0 < drop <= 0.3 * big


def dominant_size(runs: list[_Run]) -> float:
    """Return the font size that carries the most characters."""
    weight: Counter[float] = Counter()
    for r in runs:
        weight[round(r.size, 1)] += len(r.text.strip()) or 1
    return weight.most_common(1)[0][0]


def mark_markers(line: _Line) -> None:
    """Flag small digit runs that are raised (or glued to the word before them) as footnote markers."""
    for i, run in enumerate(line.runs):
        if not MARKER_RE.fullmatch(run.text) or run.size > MARKER_RATIO * line.size:
            continue
        prev = line.runs[i - 1] if i else None
        raised = run.y - line.y >= RAISE_RATIO * line.size
        glued = prev is not None and not prev.marker and not prev.text[-1:].isspace() \
            and not run.text[:1].isspace() and not run.space_before
        run.marker = raised or glued


# ---------------------------------------------------------------- document-wide measures


def measure_layout(pages: list[_Page]) -> _Layout:
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
            if 0.8 * body < gap < 3 * body:
                gaps[round(gap, 1)] += 1
    pitch = gaps.most_common(1)[0][0] if gaps else 1.2 * body
    margin = left_edge([ln for _, ln in body_lines], 3) or 0.0
    right = max((ln.x1 for _, ln in body_lines), default=margin + 40 * body)
    styled = [(r.bold, r.italic, len(r.text)) for _, ln in body_lines for r in ln.runs]
    total = sum(n for *_, n in styled) or 1
    bold = sum(n for b, _, n in styled if b) / total > 0.5
    italic = sum(n for _, i, n in styled if i) / total > 0.5
    return _Layout(body, pitch, float(margin), right, bold, italic)


def page_labels(reader: Any) -> list[int | None] | None:
    """Return each page's label (a number, or None when not numeric) if the PDF has labels other than 1..n."""
    try:
        labels = list(reader.page_labels)
    except Exception:  # labels are optional; a broken label tree is ignored
        return None
    if all(label == str(i + 1) for i, label in enumerate(labels)):
        return None
    return [int(label) if label.isdigit() else None for label in labels]


def number_pages(pages: list[_Page], layout: _Layout, labels: list[int | None] | None) -> None:
    """Remove printed page numbers (lone numbers at a page edge) and set each page's number: the PDF's own
    numeric label if it has real labels, else the printed number, else one inferred from the other pages."""
    found: list[tuple[_Page, _Line, int, int]] = []
    romans: list[tuple[_Page, _Line, int]] = []
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
    if len(pages) > 1 and support < 2:
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


def edge_lines(lines: list[_Line]) -> list[_Line]:
    """Return the top and bottom line of a page."""
    if not lines:
        return []
    return [lines[0]] if len(lines) == 1 else [lines[0], lines[-1]]


def segments(line: _Line, em: float) -> list[_Segment]:
    """Return a line's runs grouped where no horizontal gap wider than SEGMENT_GAP ems separates them."""
    out: list[_Segment] = []
    for group in split_runs(line, em):
        text, _ = runs_text(group, set())
        out.append(_Segment(start_of(group, line), max(r.x1 for r in group), text))
    return out


def start_of(group: list[_Run], line: _Line) -> float:
    """Return where a group of runs starts: its ink if it opens the line, else its position."""
    return line.x0 if group[0] is line.runs[0] else group[0].x


def strip_number(line: _Line, number: str, at_start: bool) -> None:
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


def remove_segment(page: _Page, line: _Line, k: int, em: float) -> None:
    """Remove the k-th segment of a line, and the line if nothing is left of it."""
    line.runs = [r for i, g in enumerate(split_runs(line, em)) if i != k for r in g]
    if not line.runs:
        page.lines.remove(line)


def remove_running_lines(pages: list[_Page]) -> None:
    """Remove header/footer lines repeated at the page edges (digits ignored) on several pages; a line
    that carried the page number counts as soon as it repeats once."""
    def key(line: _Line) -> str:
        text, _ = runs_text(line.runs, set())
        return re.sub(r"\d+", "#", " ".join(text.lower().split()))

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({key(ln) for ln in edge_lines(page.lines)})
    need = max(2, RUNNING_SHARE * len(pages))
    for page in pages:
        for line in edge_lines(page.lines):
            k = key(line)
            enough = counts[k] >= (2 if line in page.headed else need)
            if enough and sum(c.isalnum() for c in k) >= 3:
                page.lines.remove(line)


def split_zones(pages: list[_Page], layout: _Layout) -> None:
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


# ---------------------------------------------------------------- text of lines


def runs_text(runs: list[_Run], known: set[int] | None) -> tuple[str, list[Mark]]:
    """Return the text of runs (whitespace collapsed) and the markers removed from it.

    known: footnote numbers that exist; a marker outside it stays text (None or empty: every marker counts).
    """
    text = ""
    marks: list[Mark] = []
    prev: _Run | None = None
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


def needs_space(prev: _Run | None, run: _Run) -> bool:
    """Return True if a space separates two runs that pypdf gave no space between."""
    if prev is None:
        return False
    if run.space_before:
        return True
    gap = run.x - prev.x1
    return gap > max(run.size, 0.15 * prev.width)


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
    return "://" in token or token.startswith("www.") or token.count("/") >= 2


# ---------------------------------------------------------------- footnotes


def note_number(line: _Line, expected: int | None) -> int | None:
    """Return the footnote number a footnote-zone line starts with, or None for a continuation line."""
    first = line.runs[0]
    if first.marker:
        return int(first.text)
    text, _ = runs_text(line.runs, set())
    m = re.match(r"(\d{1,3})[.)]?\s+\S", text)
    if m and (expected is None or int(m.group(1)) == expected):
        return int(m.group(1))
    return None


def read_notes(page: _Page, last: int | None) -> list[_Draft]:
    """Return the footnotes of a page's footnote zone; one without a number continues the previous page's."""
    drafts: list[_Draft] = []
    for line in page.notes:
        expected = drafts[-1].number if drafts and drafts[-1].number else last
        n = note_number(line, None if expected is None else expected + 1)
        if n is not None or not drafts:
            drafts.append(_Draft("footnote", page.number, page.index, number=n))
        drafts[-1].lines.append(line)
    return drafts


def note_block(draft: _Draft, known: set[int]) -> Block:
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


# ---------------------------------------------------------------- tables


def find_tables(lines: list[_Line], layout: _Layout, carry: list[float] | None) -> list[tuple[int, int, list[float]]]:
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
    anchors = [i for i in range(start, len(lines)) if len(segs[i]) >= 3]
    columns = cluster([s.x0 for i in anchors for s in segs[i]], layout.tol)
    i = start
    while i < len(lines):
        if i in anchors and all(column_of(s.x0, columns, layout.tol) is not None for s in segs[i]):
            pitch = anchor_pitch(lines, anchors, layout)
            first = grow_region_up(lines, segs, i, columns, layout, pitch, regions[-1][1] if regions else start)
            end = grow_region(lines, segs, i, columns, layout, pitch)
            if sum(1 for a in anchors if first <= a < end) >= 2:
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
    return [g[0] for g in groups if len(g) >= 2]


def column_of(x: float, columns: list[float], tol: float) -> int | None:
    """Return the index of the column starting at x, or None."""
    for k, c in enumerate(columns):
        if abs(x - c) <= tol:
            return k
    return None


def fits(segs: list[_Segment], columns: list[float], layout: _Layout) -> bool:
    """Return True if every segment starts at a column and ends before the next column starts."""
    for s in segs:
        k = column_of(s.x0, columns, layout.tol)
        if k is None:
            return False
        if k + 1 < len(columns) and s.x1 > columns[k + 1] + 0.5 * layout.body_size:
            return False
    return bool(segs)


def anchor_pitch(lines: list[_Line], anchors: list[int], layout: _Layout) -> float:
    """Return the line pitch of tables on a page: the smallest gap between adjacent many-cell lines."""
    gaps = [lines[a].y - lines[b].y for a, b in pairwise(anchors) if b == a + 1]
    return min([g for g in gaps if g > 0] + [layout.pitch])


def grow_region(lines: list[_Line], segs: list[list[_Segment]], i: int, columns: list[float],
                layout: _Layout, pitch: float | None) -> int:
    """Return the end of the table region that starts at line i (exclusive)."""
    limit = ROW_PITCH * (pitch or layout.pitch)
    end = i
    while end < len(lines) and fits(segs[end], columns, layout):
        if end > i and lines[end - 1].y - lines[end].y > limit:
            break
        end += 1
    return end


def grow_region_up(lines: list[_Line], segs: list[list[_Segment]], i: int, columns: list[float],
                   layout: _Layout, pitch: float, floor: int) -> int:
    """Return the first line of the table region that holds anchor line i."""
    first = i
    while first - 1 >= floor and fits(segs[first - 1], columns, layout) \
            and lines[first - 1].y - lines[first].y <= ROW_PITCH * pitch:
        first -= 1
    return first


def table_cells(lines: list[_Line], columns: list[float], layout: _Layout) -> list[dict[int, tuple[str, float]]]:
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


def split_runs(line: _Line, em: float) -> list[list[_Run]]:
    """Return a line's runs grouped where no horizontal gap wider than SEGMENT_GAP ems separates them."""
    groups: list[list[_Run]] = []
    for run in line.runs:
        if groups and run.x - groups[-1][-1].x1 <= SEGMENT_GAP * max(em, run.size):
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def start_table(lines: list[_Line], columns: list[float], layout: _Layout) -> _Table:
    """Return a new table from its first region: header row(s) then rows."""
    cells = table_cells(lines, columns, layout)
    table = _Table(columns=columns, rows=[], header_rows=0)
    add_rows(table, cells, row_starts(cells, fresh=True))
    numbers = numbered_lines(cells)
    table.header_rows = 1 if not numbers or numbers[0] > 0 else 0
    return table


def continue_table(table: _Table, lines: list[_Line], layout: _Layout) -> None:
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


def add_rows(table: _Table, cells: list[dict[int, tuple[str, float]]], starts: list[int]) -> None:
    """Append the rows that begin at starts to a table."""
    for a, b in pairwise([*starts, len(cells)]):
        row: list[list[tuple[str, float]]] = [[] for _ in table.columns]
        for line_cells in cells[a:b]:
            for k, frag in line_cells.items():
                row[k].append(frag)
        table.rows.append(row)


def table_rows(table: _Table) -> tuple[tuple[str, ...], ...]:
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
    if width + 0.5 * width / max(len(raw.strip()), 1) < 0.9 * limit:
        return False
    return first[0].islower() or (last.isupper() and first.isupper())


# ---------------------------------------------------------------- body blocks


def build_blocks(pages: list[_Page], layout: _Layout) -> list[Block]:
    """Return the blocks of all pages in reading order: body, that page's footnotes, then a break."""
    known: set[int] = set()
    notes_by_page: list[list[_Draft]] = []
    last: int | None = None
    for page in pages:
        page_notes = read_notes(page, last)
        for d in page_notes:
            if d.number is not None:
                known.add(d.number)
                last = d.number
        notes_by_page.append(page_notes)
    blocks: list[Block] = []
    drafts: list[_Draft] = []
    open_table: _Draft | None = None
    for page, notes in zip(pages, notes_by_page, strict=True):
        body, open_table = read_body(page, layout, open_table)
        drafts.extend(body)
        drafts.extend(notes)
        drafts.append(_Draft("break", None, page.index + 1))
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


def read_body(page: _Page, layout: _Layout, open_table: _Draft | None) -> tuple[list[_Draft], _Draft | None]:
    """Return a page's body drafts and the table left open at its end (to be continued on the next page)."""
    lines = page.body
    margin = page_margin(lines, layout)
    carry = open_table.table.columns if open_table and open_table.table else None
    regions = {first: (end, cols) for first, end, cols in find_tables(lines, layout, carry)}
    drafts: list[_Draft] = []
    current: _Draft | None = None
    bullet = False
    i = 0
    last_table: _Draft | None = None
    while i < len(lines):
        line = lines[i]
        prev = lines[i - 1] if i else None
        if i in regions:
            end, cols = regions[i]
            if i == 0 and open_table is not None and open_table.table is not None:
                continue_table(open_table.table, lines[i:end], layout)
                last_table = open_table
            else:
                last_table = _Draft("table", page.number, page.index,
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
            current = _Draft(kind, page.number, page.index, lines=[line], label=label, text_x=text_x)
            drafts.append(current)
        i += 1
    return drafts, last_table


def page_margin(lines: list[_Line], layout: _Layout) -> float:
    """Return the page's left margin (its leftmost recurring line start), or the document's."""
    return left_edge([ln for ln in lines if ln.size >= NOTE_RATIO * layout.body_size], 2) or layout.margin


def left_edge(lines: list[_Line], times: int) -> float | None:
    """Return the leftmost line start met at least `times` times (a list's indent is not the margin)."""
    starts = Counter(round(ln.x0) for ln in lines)
    recurring = [x for x, n in starts.items() if n >= times]
    return float(min(recurring)) if recurring else None


def classify(line: _Line, prev: _Line | None, current: _Draft | None, layout: _Layout,
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
    if style and spaced and len(" ".join(runs_text(line.runs, set())[0].split())) <= 200:
        return "heading", "", 0.0
    if item is not None:
        return "item", item[0], item[1]
    if current is not None and continues(current, line, prev, layout, margin):
        return "more", "", 0.0
    return "paragraph", "", 0.0


def heading_style(line: _Line, layout: _Layout, caps_ok: bool) -> str:
    """Return what sets a line apart as a heading ("large", "bold", "italic", "caps"), or ""."""
    runs = [r for r in line.runs if not r.marker and r.text.strip()]
    if not runs:
        return ""
    total = sum(len(r.text.strip()) for r in runs)
    if line.size >= HEADING_RATIO * layout.body_size:
        return "large"
    if not layout.bold_body and sum(len(r.text.strip()) for r in runs if r.bold) >= 0.9 * total:
        return "bold"
    if not layout.italic_body and all(r.italic for r in runs):
        return "italic"
    text, _ = runs_text(runs, set())
    letters = [c for c in text if c.isalpha()]
    words = [w for w in text.split() if sum(c.isalpha() for c in w) >= 2]
    if caps_ok and len(words) >= 2 and all(c.isupper() for c in letters):
        return "caps"
    return ""


def starts_with_label(line: _Line) -> bool:
    """Return True if a line begins with a list or section label."""
    text, _ = runs_text(line.runs, set())
    return bool(LABEL_START_RE.match(text))


def item_label(line: _Line, layout: _Layout, margin: float, bullet: bool) -> tuple[str, float] | None:
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


def continues(draft: _Draft, line: _Line, prev: _Line | None, layout: _Layout, margin: float) -> bool:
    """Return True if a line goes on with the paragraph or item being built."""
    if draft.kind not in ("paragraph", "item") or prev is None or prev is not draft.lines[-1]:
        return False
    own = draft.lines[-2].y - prev.y if len(draft.lines) >= 2 else layout.pitch
    if prev.y - line.y > GAP_RATIO * max(own, 0.5 * layout.pitch):
        return False
    first = draft.lines[0]
    short = layout.right - prev.x1 > SHORT_RATIO * (layout.right - margin)
    if draft.kind == "item":
        return not short and abs(line.x0 - draft.text_x) <= 2 * layout.tol
    if len(draft.lines) == 1:
        if line.x0 < first.x0 - layout.tol:  # a first-line indent, then back to the margin
            return True
        return abs(line.x0 - first.x0) <= layout.tol and not short  # same start: goes on unless cut short
    indented = first.x0 > draft.lines[1].x0 + layout.tol
    return abs(line.x0 - draft.lines[1].x0) <= layout.tol and (indented or not short)


def body_block(draft: _Draft, known: set[int]) -> Block:
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


def read_meta(reader: Any, pages: int) -> tuple[tuple[str, str], ...]:
    """Return what the PDF says of itself: title and author when set, and the page count."""
    meta: list[tuple[str, str]] = []
    try:
        info = reader.metadata or {}
        for key in ("title", "author"):
            value = info.get("/" + key.capitalize())
            if value and str(value).strip():
                meta.append((key, " ".join(str(value).split())))
    except Exception:  # metadata is optional; a broken info dictionary is ignored
        pass
    meta.append(("pages", str(pages)))
    return tuple(meta)
