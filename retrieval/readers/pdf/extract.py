"""Opening a PDF and extracting each page's text runs with size, position, width and style, grouped into lines."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from math import hypot
from pathlib import Path
from typing import Any

from ...errors import ReadError
from .budget import MAX_UNPACKED, megabytes, page_unpacked, stream_caps, too_large
from .errors import CorruptPdf, EncryptedPdf
from .parts import Line, Page, Run

try:  # pypdf's font metrics give run widths; without them widths are estimated
    from pypdf.generic._font import Font as _PdfFont
except ImportError:  # pragma: no cover - depends on the pypdf version
    _PdfFont = None  # type: ignore[assignment,misc]

MARKER_RATIO = 0.8   # a footnote marker is at most this share of its line's font size ...
RAISE_RATIO = 0.15   # ... and its baseline sits at least this share of that size above the line
BASELINE_TOL = 0.15  # runs whose baselines differ by less than this share of their size share a line
MAX_RISE = 0.6       # a raised marker sits at most this share of the line's size above it; higher is a line
MAX_DROP = 0.3       # a subscript sits at most this share of the line's size below it; lower is a line
DEFAULT_WIDTH = 500.0  # glyph width in 1/1000 em when a font gives none: half an em, a typical letter
GLYPH_UNITS = 1000   # PDF glyph widths are in thousandths of the font size
BOLD_WEIGHT = 600    # /FontWeight from which a font is bold (600 is semibold in the CSS/OpenType scale)
FORCE_BOLD = 1 << 18  # /Flags bit 19 (ForceBold) of the PDF font descriptor
ITALIC_FLAG = 1 << 6  # /Flags bit 7 (Italic) of the PDF font descriptor
REASON_CHARS = 120   # an error's reason is cut to this many characters so the message stays one line
MARKER_RE = re.compile(r"\s*(\d{1,3})\s*")
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\u00ad": ""}


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
    return text[:REASON_CHARS]


def extract_pages(reader: Any, name: str, progress: Callable[[int, int], None] | None,
                  budget: int = MAX_UNPACKED, starting: Callable[[int, int], None] | None = None) -> list[Page]:
    """Return every page's lines, calling starting(index, total) before and progress(done, total) after each
    page; past `budget` unpacked bytes of page content the PDF is refused as too large."""
    from pypdf.errors import LimitReachedError

    try:
        total = len(reader.pages)
    except Exception as e:
        raise CorruptPdf(f"{name}: corrupt or unreadable PDF: {short_reason(e)}") from e
    if total == 0:
        raise CorruptPdf(f"{name}: corrupt or unreadable PDF: no pages")
    fonts: dict[Any, tuple[dict[str, float], dict[str, str], float, bool, bool]] = {}
    pages = []
    left = budget
    for index in range(total):
        if starting is not None:
            starting(index, total)
        counted = False
        try:
            with stream_caps(left):  # no stream of this page may unpack past what is left of the budget
                page = reader.pages[index]
                left -= page_unpacked(page, left)
                counted = left >= 0
                runs = collect_runs(page, fonts) if counted else []
        except MemoryError:
            raise
        except LimitReachedError as e:  # past the budget while counting, or one of pypdf's own bounds after
            raise limit_error(name, index, budget, e if counted else None) from e
        except Exception as e:
            raise CorruptPdf(f"{name}: corrupt or unreadable PDF: page {index + 1}: {short_reason(e)}") from e
        if not counted:
            raise limit_error(name, index, budget, None)
        pages.append(Page(index=index, lines=group_lines(runs)))
        if progress is not None:
            progress(index + 1, total)
    return pages


def limit_error(name: str, index: int, budget: int, error: Exception | None) -> Exception:
    """Return the error for a page past the unpacked budget (error None) or past one of pypdf's own bounds."""
    if error is None:
        return too_large(name, f"isi halaman total lebih dari {megabytes(budget)}",
                         f"page content over {megabytes(budget)} in all")
    reason = short_reason(error)
    return too_large(name, f"halaman {index + 1}: {reason}", f"page {index + 1}: {reason}")


def collect_runs(page: Any, fonts: dict) -> list[Run]:
    """Return the text runs of a page with size, position, width and style, via pypdf's text visitor."""
    from pypdf import mult

    runs: list[Run] = []
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
        em = sum(widths.get(inverse.get(c, c), default) for c in clean) / GLYPH_UNITS
        runs.append(Run(m[4], m[5], size, em * font_size * hypot(m[0], m[1]), clean, bold, italic, pending_space))
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
        return {}, {}, DEFAULT_WIDTH, False, False
    key = getattr(font, "indirect_reference", None) or id(font)
    if key in cache:
        return cache[key]
    name = str(font.get("/BaseFont", ""))
    widths: dict[str, float] = {}
    inverse: dict[str, str] = {}
    default = DEFAULT_WIDTH
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
            default = float(widths.get("default", DEFAULT_WIDTH) or DEFAULT_WIDTH)
            inverse = {v: k for k, v in metrics.character_map.items() if isinstance(v, str)}
    except Exception:  # widths and style are hints; a font we cannot measure is estimated
        pass
    bold = bool(re.search(r"bold|black|heavy|semibold|demi", name, re.I)) or weight >= BOLD_WEIGHT \
        or bool(flags & FORCE_BOLD)
    italic = bool(re.search(r"italic|oblique", name, re.I)) or angle != 0 or bool(flags & ITALIC_FLAG)
    cache[key] = (widths, inverse, default, bold, italic)
    return cache[key]


def group_lines(runs: list[Run]) -> list[Line]:
    """Return runs grouped into lines top to bottom, raised small runs joined to the line below them."""
    levels: list[Line] = []
    for run in sorted(runs, key=lambda r: (-r.y, r.x)):
        if levels and abs(levels[-1].y - run.y) <= BASELINE_TOL * max(run.size, levels[-1].runs[0].size):
            levels[-1].runs.append(run)
        else:
            levels.append(Line(y=run.y, runs=[run]))
    lines: list[Line] = []
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


def is_raised_level(level: Line, below: Line) -> bool:
    """Return True if a level holds only small runs sitting just above the larger line below it."""
    big = max(r.size for r in below.runs)
    rise = level.y - below.y
    return all(r.size <= MARKER_RATIO * big for r in level.runs) and 0 < rise <= MAX_RISE * big


def is_lowered_level(level: Line, above: Line) -> bool:
    """Return True if a level holds only small runs sitting just below the larger line above it (subscripts)."""
    big = max(r.size for r in above.runs)
    drop = above.y - level.y
    return all(r.size <= MARKER_RATIO * big for r in level.runs) and 0 < drop <= MAX_DROP * big


def dominant_size(runs: list[Run]) -> float:
    """Return the font size that carries the most characters."""
    weight: Counter[float] = Counter()
    for r in runs:
        weight[round(r.size, 1)] += len(r.text.strip()) or 1
    return weight.most_common(1)[0][0]


def mark_markers(line: Line) -> None:
    """Flag small digit runs that are raised (or glued to the word before them) as footnote markers."""
    for i, run in enumerate(line.runs):
        if not MARKER_RE.fullmatch(run.text) or run.size > MARKER_RATIO * line.size:
            continue
        prev = line.runs[i - 1] if i else None
        raised = run.y - line.y >= RAISE_RATIO * line.size
        glued = prev is not None and not prev.marker and not prev.text[-1:].isspace() \
            and not run.text[:1].isspace() and not run.space_before
        run.marker = raised or glued


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
