"""Citation check ("Cek rujukan"): sentences stating facts without a footnote, and where each footnote is cited."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Passage, Quote
from .common import body, lower_words, names_in, quote_of, sentence_around, sentences
from .dates import find_dates

SUBJECT_SHARE = 0.05      # a name in more than this share of sentences is the text's subject, not a fact to cite
_QUOTATION = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
_NUMBER = re.compile(r"(?<![\w/])\d+(?:[.,]\d+)*(?![\w/])")
_LABEL = re.compile(r"^\s*(?:[a-z]|\d{1,2})[.)]\s+")
MIN_CLAIM_WORDS = 5       # a shorter sentence naming something ("Selain dengan Kota Shenzhen.") is a fragment, no claim
_ABBREVIATION_AFTER = re.compile(r"\s*\([A-Z][A-Za-z]{1,9}\)")      # "Free Trade Zone (FTZ)": a term written out
_ABBREVIATION_BEFORE = re.compile(r"[A-Z][A-Za-z]{1,9}\s*\($")       # "NATO (North Atlantic ...)"


@dataclass(frozen=True)
class Uncited:
    """A sentence carrying a fact but no footnote, and which kind of fact it carries."""

    quote: Quote
    why: str                  # quotation | date | number | name
    fact: str                 # the fact as written in the quote
    section: str


@dataclass(frozen=True)
class Check:
    """The citation check of a corpus: uncited facts in reading order, and each footnote's citing sentences."""

    uncited: tuple[Uncited, ...]
    cited: tuple[tuple[int, tuple[Quote, ...]], ...]

    def to_json(self) -> dict:
        """Return {"uncited": [...], "cited": {"32": [quote...]}} (the documented shape)."""
        from .common import to_json
        return {"uncited": to_json(self.uncited), "cited": {str(n): to_json(qs) for n, qs in self.cited}}


def check_citations(passages: tuple[Passage, ...] | list[Passage]) -> Check:
    """Return the facts without a footnote and, per footnote number, the sentences whose marker cites it."""
    shown = body(passages)
    units = list(sentences(shown))
    lower = lower_words(shown)
    names: dict[str, set[tuple[int, int]]] = {}
    for p, a, b in units:
        for m in names_in(p.text[a:b], lower):
            names.setdefault(m[0], set()).add((p.id, a))
    words: dict[str, set[tuple[int, int]]] = {}        # "Gimje", "Kota Gimje", "Gimje Seo Sung Heo": one subject
    for n, where in names.items():
        for w in _own_words(n, lower):
            words.setdefault(w, set()).update(where)
    subject = {w for w, where in words.items() if len(where) > SUBJECT_SHARE * len(units)}
    common = {n for n in names if subject & set(_own_words(n, lower))}
    inherited = _inherited(passages)
    uncited: list[Uncited] = []
    for p, a, b in units:
        if p.footnotes_in(a, b) or inherited.get(p.id):
            continue
        found = fact_in(p.text[a:b], common, lower)
        if found:
            uncited.append(Uncited(quote_of(p, a, b), found[0], found[1], p.section_path))
    cited: dict[int, list[Quote]] = {}
    for p in shown:
        for off, number in p.marks:
            a, b = sentence_around(p, max(0, off - 1))
            q = quote_of(p, a, b)
            if all(x.passage.id != p.id or x.start != a for x in cited.setdefault(number, [])):
                cited[number].append(q)
    return Check(tuple(uncited), tuple((n, tuple(qs)) for n, qs in sorted(cited.items())))


def fact_in(sentence: str, common: set[str] | frozenset[str] = frozenset(),
            lower: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """Return (kind, fact as written) of the first fact a sentence states: a quotation, date, number or name."""
    label = _LABEL.match(sentence)
    text = sentence[label.end():] if label else sentence
    m = _QUOTATION.search(text)
    if m:
        return "quotation", m[0]
    dates = find_dates(text)
    if dates:
        return "date", dates[0].text
    m = _NUMBER.search(text)
    if m:
        return "number", m[0]
    if len(text.split()) < MIN_CLAIM_WORDS:
        return None
    for m in names_in(sentence, lower):
        if m[0] not in common and not _ABBREVIATION_AFTER.match(sentence, m.end()) \
                and not _ABBREVIATION_BEFORE.search(sentence[:m.start()]):
            return "name", m[0]
    return None


def _own_words(name: str, lower: frozenset[str]) -> list[str]:
    """Return the words of a name that are its own ("Gimje" of "Kota Gimje"), not words written in lower case."""
    return [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in lower]


def _inherited(passages: tuple[Passage, ...] | list[Passage]) -> dict[int, tuple[int, ...]]:
    """Return list/table-row id -> the footnotes cited at the end of the paragraph that introduces it."""
    out: dict[int, tuple[int, ...]] = {}
    by_id = {p.id: p for p in passages}
    for p in passages:
        if p.kind not in ("list", "row"):
            continue
        first = p
        while first.kind == p.kind and (first.id - 1) in by_id and by_id[first.id - 1].kind == p.kind \
                and by_id[first.id - 1].lead == p.lead and by_id[first.id - 1].source == p.source:
            first = by_id[first.id - 1]
        before = by_id.get(first.id - 1)
        if before is not None and before.kind == "paragraph" and before.source == p.source and before.sentences:
            a, b = before.sentences[-1]
            out[p.id] = before.footnotes_in(a, b)
    return out
