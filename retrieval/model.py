"""Frozen values passed between the stages: read -> structure -> index -> answer."""
from __future__ import annotations

from dataclasses import dataclass, field

Mark = tuple[int, int]          # (character offset in the text, footnote number)
PageStart = tuple[int, "int | None", "int | None"]  # (offset, printed page, 0-based page index)
DEFAULT_TOP_K = 3               # quotes an answer gives unless asked otherwise: enough to compare, few enough to read


@dataclass(frozen=True)
class Block:
    """One piece of a document as a reader sees it, in reading order.

    kind is one of:
      "heading"   a heading line (its level is worked out later from its numbering)
      "paragraph" body text; a paragraph cut by a page break arrives as two blocks
      "item"      a list item; label holds its marker ("a.", "1)", "-")
      "table"     rows holds the cells, header row first; text is empty
      "footnote"  a footnote definition; number None means "continues the previous one"
      "break"     a page break or horizontal rule (a hint for rejoining, no text)
    text is plain text as printed (markup removed, markers removed); marks gives
    where each footnote marker stood in it.  page / page_index: where it starts.
    """

    kind: str
    text: str = ""
    marks: tuple[Mark, ...] = ()
    page: int | None = None
    page_index: int | None = None
    label: str = ""
    number: int | None = None
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Document:
    """A file read into blocks; meta carries what the file says of itself (e.g. a canonical URL)."""

    source: str
    blocks: tuple[Block, ...]
    meta: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """Return the value of one meta key, or None."""
        return dict(self.meta).get(key)


@dataclass(frozen=True)
class DocStatus:
    """What became of one file of the corpus: indexed (with its passage count) or skipped (why)."""

    source: str
    status: str
    passages: int = 0
    reason: str = ""
    cites: int | None = None   # the footnote this file is the cited source of, if any


@dataclass(frozen=True)
class Footnote:
    """A footnote of a document: number, full text, and the parts a reader cites."""

    number: int
    text: str
    description: str
    url: str | None
    accessed: str | None
    kind: str                 # "web" | "book" | "journal" | "official" | "other"
    source: str


@dataclass(frozen=True)
class Passage:
    """A unit that reads on its own: a paragraph, a whole list (items joined), a table row or a footnote entry."""

    id: int
    source: str
    kind: str                                  # "paragraph" | "list" | "row" | "footnote" (what structure.py makes)
    text: str
    section: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()
    lead: str = ""                             # what introduces it (list lead-in, table title)
    context: str = ""                          # the surrounding paragraph or list, for display
    pages: tuple[PageStart, ...] = ()          # where each page starts within text
    footnotes: tuple[int, ...] = ()            # footnotes this passage cites (its own, for an entry)
    sentences: tuple[tuple[int, int], ...] = ()  # sentence spans in text

    def page_at(self, offset: int) -> tuple[int | None, int | None]:
        """Return (printed page, page index) of the page holding text[offset]."""
        page, index = None, None
        for start, p, i in self.pages:
            if start > offset:
                break
            page, index = p, i
        return page, index

    def footnotes_in(self, start: int, end: int) -> tuple[int, ...]:
        """Return the footnote numbers whose markers fall in text[start:end] (a marker right after end counts)."""
        if not self.marks:  # a footnote entry or a cited source: it carries its number itself
            return self.footnotes
        seen: list[int] = []
        for off, n in self.marks:
            if start <= off <= end and n not in seen:
                seen.append(n)
        return tuple(seen)

    @property
    def section_path(self) -> str:
        """Return the section path joined with ' › '."""
        return " › ".join(self.section)


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage given as (part of) an answer."""

    passage: Passage
    start: int
    end: int
    score: float
    footnotes: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        """Return the quoted text exactly as written."""
        return self.passage.text[self.start:self.end]

    @property
    def page(self) -> int | None:
        """Return the printed page where the quote starts."""
        return self.passage.page_at(self.start)[0]

    @property
    def page_index(self) -> int | None:
        """Return the 0-based page index where the quote starts."""
        return self.passage.page_at(self.start)[1]


@dataclass(frozen=True)
class ShortAnswer:
    """The exact span of the first quote that answers the question: text == quote_text[start:end]."""

    text: str
    start: int
    end: int
    kind: str
    confidence: float = 1.0     # the probability that this is the exact answer (the span model's; for kind "reader",
                                # the reader's score calibrated on held-out questions)


@dataclass(frozen=True)
class Answer:
    """What a question gets: quotes and their footnotes, or an abstention with related passages."""

    question: str
    abstained: bool
    quotes: tuple[Quote, ...] = ()
    related: tuple[Quote, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    terms: tuple[str, ...] = field(default=())   # the question's words as typed, for highlighting
    english: bool = False                        # asked in English: the quotes are still the Indonesian text
    short: ShortAnswer | None = None             # the exact span of quotes[0] answering it, when the span model is sure
