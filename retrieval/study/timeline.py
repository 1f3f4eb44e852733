"""Timeline ("Linimasa"): every dated event of the corpus in date order, each with its verbatim quote."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Passage, Quote
from ..render import footnote_marks, place_line
from .common import STEP, Progress, body, quote_of, sentence_around
from .dates import DateMatch, duration_in, find_dates

ROW_TITLE = " — "          # structure.py joins a table's title and a row's cells with this


@dataclass(frozen=True)
class Event:
    """A date as written in the corpus, with the sentence (or table row) that holds it."""

    date: str                      # ISO: yyyy, yyyy-mm or yyyy-mm-dd
    precision: str                 # day | month | year
    text_date: str                 # verbatim, a substring of quote.text
    quote: Quote
    end: str | None = None         # a span's end: a range ("2013-2018") or the end of a period
    end_text: str | None = None    # verbatim, as written in the quote
    duration: str | None = None    # the period's length as written ("5 tahun")


def timeline(passages: tuple[Passage, ...] | list[Passage], progress: Progress | None = None) -> list[Event]:
    """Return the dated events of the text (footnote entries, e.g. access dates, excluded), in date order."""
    events: list[tuple[tuple, Event]] = []
    titles_seen: set[tuple[str, str]] = set()
    shown = body(passages)
    for k, p in enumerate(shown):
        if progress and k % STEP == 0:
            progress("timeline", k, len(shown))
        head = p.text.find(ROW_TITLE) if p.kind == "row" else -1
        for unit_start, unit_end in _units(p, head):
            if head > 0 and unit_end <= head:      # a table title is repeated in each row: once is enough
                if (p.source, p.text[:head]) in titles_seen:
                    continue
                titles_seen.add((p.source, p.text[:head]))
            for e in _events(p, unit_start, unit_end):
                events.append(((e.date, p.id, e.quote.start + e.quote.text.find(e.text_date)), e))
    events.sort(key=lambda x: x[0])
    return [e for _, e in events]


def _units(p: Passage, head: int) -> list[tuple[int, int]]:
    """Return the spans read as one unit: a row's title and its cells, or each sentence."""
    if head > 0:
        return [(0, head), (head + len(ROW_TITLE), len(p.text))]
    spans: list[tuple[int, int]] = []
    for m in find_dates(p.text):
        span = sentence_around(p, m.start)
        if span not in spans:
            spans.append(span)
    return spans


def _events(p: Passage, start: int, end: int) -> list[Event]:
    """Return the events of one unit; a date ending a period gives the period's start its end."""
    text = p.text[start:end]
    matches = find_dates(text)
    if not matches:
        return []
    q = quote_of(p, start, end)
    out: list[Event] = []
    for k, m in enumerate(matches):
        closing = _closing(matches, k)
        if closing is not None:
            out.append(Event(m.date, m.precision, m.text, q, closing.date, closing.text, duration_in(text)))
        elif m.end_date:
            out.append(Event(m.date, m.precision, m.text, q, m.end_date, m.text))
        else:
            out.append(Event(m.date, m.precision, m.text, q))
    return out


def _closing(matches: list[DateMatch], k: int) -> DateMatch | None:
    """Return the date written as the end of the period that matches[k] starts, if the next date is one."""
    m = matches[k]
    if m.is_end or k + 1 >= len(matches):
        return None
    nxt = matches[k + 1]
    return nxt if nxt.is_end and nxt.date > m.date else None


def timeline_text(events: list[Event]) -> str:
    """Return the timeline as plain text lines for a terminal."""
    lines = []
    for e in events:
        span = (f" → {e.end_text}" + (f" ({e.duration})" if e.duration else "")
                if e.end and e.end_text != e.text_date else "")
        lines.append(f"{e.date:10s}  {e.text_date}{span}: “{e.quote.text}”{footnote_marks(e.quote.footnotes, ' ')}")
        lines.append(f"            — {place_line(e.quote)}")
    return "\n".join(lines)
