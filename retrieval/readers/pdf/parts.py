"""The pieces a PDF is assembled from while it is read: runs, lines, pages, the measured layout, drafts."""
from __future__ import annotations

from dataclasses import dataclass, field

NOTE_RATIO = 0.92    # footnote text is smaller than this share of the body size
X_TOL = 0.25         # x positions closer than this share of the body size are the same (ragged kerning)


@dataclass
class Run:
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
class Line:
    """Runs sharing a baseline (raised markers included), left to right."""

    y: float
    runs: list[Run]
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
class Segment:
    """Runs of one line with no wide horizontal gap between them (one table cell line)."""

    x0: float
    x1: float
    text: str


@dataclass
class Page:
    """One page: its lines split into body and footnote zone, and its printed number."""

    index: int
    lines: list[Line]
    number: int | None = None
    headed: list[Line] = field(default_factory=list)  # edge lines that carried the page number
    body: list[Line] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)


@dataclass
class Layout:
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
        return X_TOL * self.body_size


@dataclass
class Table:
    """A table being assembled: column starts, then rows of cells of (line text, width) fragments."""

    columns: list[float]
    rows: list[list[list[tuple[str, float]]]]
    header_rows: int


@dataclass
class Draft:
    """A block being assembled from lines."""

    kind: str
    page: int | None
    page_index: int
    lines: list[Line] = field(default_factory=list)
    label: str = ""
    text_x: float = 0.0
    number: int | None = None
    table: Table | None = None
