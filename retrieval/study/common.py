"""What every aid shares: sentence quotes, the body passages, JSON of results."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass

from ..model import Footnote, Passage, Quote
from ..render import footnote_dict, quote_dict

Progress = Callable[[str, int, int], None]
STEP = 500                      # passages handled between two progress reports


def body(passages: tuple[Passage, ...] | list[Passage]) -> list[Passage]:
    """Return the passages of the text itself (no footnote entries)."""
    return [p for p in passages if p.kind != "footnote" and p.text.strip()]


def sentence_spans(p: Passage) -> tuple[tuple[int, int], ...]:
    """Return the passage's sentence spans (the whole text when it has none)."""
    return p.sentences or ((0, len(p.text)),)


def quote_of(p: Passage, start: int, end: int, score: float = 0.0) -> Quote:
    """Return the verbatim quote text[start:end] of a passage with the footnotes marked in it."""
    return Quote(p, start, end, score, p.footnotes_in(start, end))


def sentence_around(p: Passage, offset: int) -> tuple[int, int]:
    """Return the span of the sentence holding text[offset]."""
    spans = sentence_spans(p)
    for a, b in spans:
        if a <= offset < b:
            return a, b
    before = [s for s in spans if s[0] <= offset]
    return before[-1] if before else spans[0]


def sentences(passages: list[Passage]) -> Iterator[tuple[Passage, int, int]]:
    """Yield (passage, start, end) for every sentence of the given passages."""
    for p in passages:
        for a, b in sentence_spans(p):
            if p.text[a:b].strip():
                yield p, a, b


def to_json(value):
    """Return a result as JSON-ready values: a quote in the `ask --json` passage shape, tuples as lists."""
    if isinstance(value, Quote):
        return quote_dict(value)
    if isinstance(value, Footnote):
        return footnote_dict(value)
    if is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def cited_footnotes(engine, quotes: list[Quote]) -> list[Footnote]:
    """Return the footnotes the quotes cite, in order of first mention, resolved per document."""
    out: list[Footnote] = []
    for q in quotes:
        for n in q.footnotes:
            note = engine.footnote(n, q.passage.source)
            if note is not None and note not in out:
                out.append(note)
    return out


MAX_NAME_WORDS = 4        # "Festival Horizon Gimje"; a longer run of capitalised words is a title
_CAPS_RUN = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)*(?:\s[A-Z][a-z]+(?:-[A-Z][a-z]+)*)*(?![\w-])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|^\s*(?:[a-z]|\d{1,2})[.)]\s+)$")


def lower_words(passages: list[Passage]) -> frozenset[str]:
    """Return the words the corpus writes in lower case somewhere (so "Kota" alone is no name)."""
    return frozenset(w for p in passages for w in re.findall(r"[a-z]+", p.text) if w.islower())


def names_in(text: str, lower: frozenset[str], skip: set[str] | frozenset[str] = frozenset()) -> list[re.Match]:
    """Return the proper names of a sentence: capitalised runs not at its start, not made of ordinary words."""
    from ..analysis import STOP_WORDS
    from ..dates import MONTHS
    out = []
    for m in _CAPS_RUN.finditer(text):
        if _SENTENCE_START.search(text[:m.start()]) or text[m.end():m.end() + 1] == ":":   # "No: 1." labels a cell
            continue
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", m[0])]
        if len(words) > MAX_NAME_WORDS or all(w in STOP_WORDS or w in lower or w in skip or w in MONTHS
                                              for w in words):
            continue
        out.append(m)
    return out
