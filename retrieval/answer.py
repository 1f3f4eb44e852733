"""Scores -> verbatim sentence quotes -> an answer, or an abstention with the nearest passages."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Callable

import numpy as np

from .analysis import continues, tokenise
from .model import Passage, Quote
from .months import ENGLISH_MONTHS, INDONESIAN_MONTHS
from .state import Arrays, BadState, State, array

PASSAGE_WEIGHT = 1.5        # share of the paragraph's score added to each of its sentences
LABEL_BONUS = 1.0           # a list carrying the item labels the question names ("poin a sampai g"):
                            # as strong as a whole-passage match
HEADING_BONUS = 0.3         # a passage whose section heading (of 2+ terms) the question names in full ("pengaruh
                            # kesamaan karakteristik" -> "5) Kesamaan karakteristik"); dev.jsonl: any 0.21-0.5
TYPE_BONUS = 0.15           # a sentence holding what a when/number/why/definition question asks for
MAX_QUOTE_WORDS = 60        # a quote of more than one sentence stays within this many words
QUOTE_SENTENCES = 3         # ... and this many sentences
CANDIDATES = 20             # passages whose sentences are scored per question, and sentences ranked
PER_PASSAGE = 2             # quotes one passage may give (never overlapping)

_YEAR = re.compile(r"(1[6-9]\d\d|20\d\d)$")
_DATE_WORDS = frozenset(INDONESIAN_MONTHS) | frozenset(ENGLISH_MONTHS) | {"abad"}
_DEFINING_WORDS = frozenset("adalah merupakan ialah yaitu yakni disebut berarti artinya didefinisikan diartikan"
                            .split())
_CAUSE_WORDS = frozenset("karena dikarenakan sebab disebabkan akibat sehingga because due".split())
UNITS_STEP = 2000           # passages between two progress reports while making units


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
    defines: np.ndarray     # bool: a defining word (adalah, merupakan, ialah, yaitu, ...)
    continues: np.ndarray   # bool: opens with a connective tying it to the sentence before ("Dengan demikian")

    def to_state(self) -> State:
        """Return every field as an array (nothing else to store)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}, {}

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> "Units":
        """Return units from to_state's output; every field has one entry per unit."""
        units = cls(*(array(arrays, f.name, "i" if f.name in ("passage", "start", "end") else "b")
                      for f in fields(cls)))
        if len({len(getattr(units, f.name)) for f in fields(cls)}) > 1:
            raise BadState("units: fields of different lengths")
        return units


def make_units(passages: list[Passage], progress=None) -> tuple[Units, list[list[str]]]:
    """Return the sentence units of passages with their flags, and the tokens of each unit."""
    pid, start, end, date, number, cause, in_list, linked, defines = [], [], [], [], [], [], [], [], []
    tokens: list[list[str]] = []
    for k, p in enumerate(passages):
        if progress and k % UNITS_STEP == 0:
            progress("tokenise", k, len(passages))
        for a, b in p.sentences or ((0, len(p.text)),):
            words = tokenise(p.text[a:b])
            tokens.append(words)
            pid.append(p.id), start.append(a), end.append(b)
            date.append(any(w in _DATE_WORDS or _YEAR.match(w) for w in words))
            number.append(any(w[0].isdigit() for w in words))
            cause.append(not _CAUSE_WORDS.isdisjoint(words))
            in_list.append(p.kind == "list")
            linked.append(continues(words))
            defines.append(not _DEFINING_WORDS.isdisjoint(words))
    units = Units(np.array(pid, np.int32), np.array(start, np.int32), np.array(end, np.int32),
                  np.array(date, bool), np.array(number, bool), np.array(cause, bool), np.array(in_list, bool),
                  np.array(defines, bool), np.array(linked, bool))
    return units, tokens


def combine(sentence: np.ndarray, passage: np.ndarray, units: Units, qtype: str | None,
            wants_list: bool = False, rows: np.ndarray | None = None) -> np.ndarray:
    """Return the score of each unit of rows (default: all; sentence holds their own scores, in that order):
    its own, plus a share of its passage's, plus answer-type bonuses.

    score(u) = s(q, u) + PASSAGE_WEIGHT * s(q, passage(u)) + TYPE_BONUS * [u holds the asked-for type]
    """
    at = slice(None) if rows is None else rows
    score = sentence + PASSAGE_WEIGHT * passage[units.passage[at]]
    flags = {"when": units.has_date, "number": units.has_number, "why": units.has_cause,
             "define": units.defines}.get(qtype or "")
    if flags is not None:
        score = score + TYPE_BONUS * flags[at]
    if wants_list:
        score = score + TYPE_BONUS * units.in_list[at]
    return score


def top_units(score: np.ndarray, k: int = CANDIDATES) -> np.ndarray:
    """Return the indices of the k best scores, best first (ties: earlier first)."""
    k = min(k, len(score))
    if k == 0:
        return np.array([], dtype=np.int64)
    part = np.argpartition(-score, k - 1)[:k]
    return part[np.lexsort((part, -score[part]))]


def quotes_for(order: np.ndarray, score: dict[int, float], units: Units, passages: tuple[Passage, ...], top_k: int,
               gain: Callable[[list[int]], float], whole_lists: bool = False,
               lead_of: dict[int, int] | None = None, where=None) -> list[Quote]:
    """Return up to top_k quotes from the best units, each 1-3 sentences; a passage gives at most PER_PASSAGE,
    never overlapping, and a second one only from a sentence holding question words itself.

    gain(units) is the share of the question's words a run of units holds (see _span).  For a question
    asking for a list, a list's lead-in sentence stands for the list it introduces (lead_of: paragraph id ->
    list passage id).
    """
    out: list[Quote] = []
    used: dict[int, list[tuple[int, int]]] = {}   # passage id -> spans quoted from it
    for u in order:
        if score[u] <= 0 or len(out) >= top_k:
            break
        u = int(u)
        p = passages[int(units.passage[u])]
        taken = used.get(p.id, [])
        if len(taken) >= PER_PASSAGE or _inside(units.start[u], units.end[u], taken) \
                or (taken and not gain([u])) or (where is not None and not where(p)):
            continue                             # a passage quoted again must hold question words itself
        start, end = _span(u, units, p, gain, score, taken)
        if whole_lists and lead_of and p.id in lead_of and end == units.end[_last_unit(u, units)]:
            p = passages[lead_of[p.id]]          # the quote reaches the lead-in: give the list itself
            if p.id in used:
                continue
            start, end = 0, len(p.text)
        if p.kind == "list" and whole_lists:
            start, end = 0, len(p.text)
        used.setdefault(p.id, []).append((start, end))
        out.append(Quote(passage=p, start=start, end=end, score=round(float(score[u]), 4),
                         footnotes=p.footnotes_in(start, end)))
    return out


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Tell whether [start, end) overlaps one of the spans."""
    return any(start < b and a < end for a, b in spans)


def _last_unit(u: int, units: Units) -> int:
    """Return the last sentence unit of unit u's passage."""
    while u + 1 < len(units.passage) and units.passage[u + 1] == units.passage[u]:
        u += 1
    return u


def _span(u: int, units: Units, p: Passage, gain: Callable[[list[int]], float],
          score: dict[int, float], taken: list[tuple[int, int]] = ()) -> tuple[int, int]:
    """Return the quote's span: of the runs of 1-3 sentences of p holding unit u, the one that holds most
    of the question's words, then keeps most sentences with the one they continue, then scores best.

    A run stays on one line of p, off the taken spans, and within MAX_QUOTE_WORDS (one sentence always may).
    """
    first, last = u, u
    while first > 0 and units.passage[first - 1] == p.id and u - first < QUOTE_SENTENCES - 1:
        first -= 1
    while last + 1 < len(units.passage) and units.passage[last + 1] == p.id and last - u < QUOTE_SENTENCES - 1:
        last += 1
    starts, ends = units.start[first:last + 1].tolist(), units.end[first:last + 1].tolist()   # of first..last
    tied = units.continues[first:last + 1].tolist()
    has_before = first > 0 and units.passage[first - 1] == p.id
    best, best_key = (u, u), None
    for a in range(first, u + 1):
        for b in range(u, min(a + QUOTE_SENTENCES - 1, last) + 1):
            i, j = a - first, b - first
            if b > a and (len(p.text[starts[i]:ends[j]].split()) > MAX_QUOTE_WORDS
                          or any("\n" in p.text[ends[k]:starts[k + 1]] for k in range(i, j))
                          or any(_inside(starts[k], ends[k], taken) for k in range(i, j + 1) if k != u - first)):
                continue
            dangling = tied[i] and (i > 0 or has_before)
            run = list(range(a, b + 1))
            key = (round(gain(run), 9), sum(tied[i + 1:j + 1]) - dangling, sum(score.get(o, 0.0) for o in run))
            if best_key is None or key > best_key:
                best, best_key = (a, b), key
    return int(units.start[best[0]]), int(units.end[best[1]])
