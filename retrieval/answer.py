"""Scores -> verbatim sentence quotes -> an answer, or an abstention with the nearest passages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .model import Passage, Quote

PASSAGE_WEIGHT = 1.0        # share of the paragraph's score added to each of its sentences
TYPE_BONUS = 0.15           # a sentence holding what a when/number question asks for
EXTEND_GAIN = 0.0           # a neighbour sentence joins the quote when it adds this share of the question's words
MAX_QUOTE_WORDS = 60        # ... and the quote stays within this many words
# abstain when score + coverage of the best quote falls below this; coverage = idf-weighted share of the
# question's words its passage holds.  Calibrated on dev.jsonl and IDK-MRC: IDK-MRC questions asked of the
# chapter (all unanswerable there) against answerable dev and IDK-MRC questions on their own corpora.
MIN_CONFIDENCE = 0.85
CANDIDATES = 60

_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_MONTH = re.compile(r"\b(januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember|"
                    r"january|february|march|may|june|july|august|october|december|abad)\b", re.I)
_NUMBER = re.compile(r"\d")
_CAUSE = re.compile(r"\b(karena|dikarenakan|sebab|disebabkan|akibat|sehingga|oleh karena|because|due to)\b", re.I)


@dataclass(frozen=True)
class Units:
    """Sentence units: which passage and span each row of the index is, and what it holds."""

    passage: np.ndarray     # int32 passage id per unit
    start: np.ndarray       # int32
    end: np.ndarray         # int32
    has_date: np.ndarray    # bool: a year or month name
    has_number: np.ndarray  # bool: any digit
    has_cause: np.ndarray   # bool: a causal connective (karena, sebab, akibat, ...)
    in_list: np.ndarray     # bool: an item of a list


def make_units(passages: list[Passage]) -> Units:
    """Return the sentence units of passages, with their date/number flags."""
    pid, start, end, date, number, cause, in_list = [], [], [], [], [], [], []
    for p in passages:
        for a, b in p.sentences or ((0, len(p.text)),):
            s = p.text[a:b]
            pid.append(p.id), start.append(a), end.append(b)
            date.append(bool(_YEAR.search(s) or _MONTH.search(s)))
            number.append(bool(_NUMBER.search(s)))
            cause.append(bool(_CAUSE.search(s)))
            in_list.append(p.kind == "list")
    return Units(np.array(pid, np.int32), np.array(start, np.int32), np.array(end, np.int32),
                 np.array(date, bool), np.array(number, bool), np.array(cause, bool), np.array(in_list, bool))


def combine(sentence: np.ndarray, passage: np.ndarray, units: Units, qtype: str | None,
            wants_list: bool = False) -> np.ndarray:
    """Return each unit's score: its own, plus a share of its passage's, plus answer-type bonuses.

    score(u) = s(q, u) + PASSAGE_WEIGHT * s(q, passage(u)) + TYPE_BONUS * [u holds the asked-for type]
    """
    score = sentence + PASSAGE_WEIGHT * passage[units.passage]
    flags = {"when": units.has_date, "number": units.has_number, "why": units.has_cause}.get(qtype or "")
    if flags is not None:
        score = score + TYPE_BONUS * flags
    if wants_list:
        score = score + TYPE_BONUS * units.in_list
    return score


def top_units(score: np.ndarray, k: int = CANDIDATES) -> np.ndarray:
    """Return the indices of the k best units, best first (ties: earlier unit first)."""
    k = min(k, len(score))
    if k == 0:
        return np.array([], dtype=np.int64)
    part = np.argpartition(-score, k - 1)[:k]
    return part[np.lexsort((part, -score[part]))]


def quotes_for(order: np.ndarray, score: np.ndarray, units: Units, passages: tuple[Passage, ...], top_k: int,
               gain: Callable[[list[int]], float], whole_lists: bool = False,
               lead_of: dict[int, int] | None = None, where=None) -> list[Quote]:
    """Return up to top_k quotes from the best units, one per passage, each 1-3 sentences.

    gain(units) is the share of the question's words a run of units holds; a neighbour joins a quote
    when it adds at least EXTEND_GAIN of them.  For a question asking for a list, a list's lead-in
    sentence stands for the list it introduces (lead_of: paragraph id -> list passage id).
    """
    out: list[Quote] = []
    used: set[int] = set()
    for u in order:
        if score[u] <= 0 or len(out) >= top_k:
            break
        u = int(u)
        p = passages[int(units.passage[u])]
        if p.id in used or (where is not None and not where(p)):
            continue
        start, end = _span(u, units, p, gain, score)
        if whole_lists and lead_of and p.id in lead_of and end == units.end[_last_unit(u, units)]:
            p = passages[lead_of[p.id]]          # the quote reaches the lead-in: give the list itself
            if p.id in used:
                continue
        used.add(p.id)
        if p.kind == "list" and whole_lists:
            start, end = 0, len(p.text)
        out.append(Quote(passage=p, start=start, end=end, score=round(float(score[u]), 4),
                         footnotes=p.footnotes_in(start, end)))
    return out


def _last_unit(u: int, units: Units) -> int:
    """Return the last sentence unit of unit u's passage."""
    while u + 1 < len(units.passage) and units.passage[u + 1] == units.passage[u]:
        u += 1
    return u


def _span(u: int, units: Units, p: Passage, gain: Callable[[list[int]], float],
          score: np.ndarray) -> tuple[int, int]:
    """Return the quote's span: the unit, grown by the neighbour adding most of the question's words
    (then the better-scored one), while the quote stays within MAX_QUOTE_WORDS."""
    window = [u]
    have = gain(window)
    for _ in range(2):
        options = [o for o in (window[0] - 1, window[-1] + 1)
                   if 0 <= o < len(units.passage) and units.passage[o] == p.id
                   and "\n" not in p.text[min(units.end[o], units.end[window[-1]]):
                                           max(units.start[o], units.start[window[0]])]]
        best, best_key = None, (have + EXTEND_GAIN, -np.inf)
        for o in options:
            trial = sorted(window + [o])
            words = len(p.text[units.start[trial[0]]:units.end[trial[-1]]].split())
            key = (gain(trial), float(score[o]))
            if words <= MAX_QUOTE_WORDS and key >= best_key:
                best, best_key = trial, key
        if best is None:
            break
        window, have = best, best_key[0]
    return int(units.start[window[0]]), int(units.end[window[-1]])
