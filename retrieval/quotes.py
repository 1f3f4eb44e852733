"""Ranked sentence units -> verbatim quotes of 1-3 sentences, at most two per passage, never overlapping (the limits
are Settings.quote_sentences, per_passage and max_quote_words)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .index import Index
from .model import Passage, Quote
from .settings import DEFAULT, Settings
from .units import Units


def coverage_gain(index: Index, qv) -> Callable[[list[int]], float]:
    """Return a function giving the share of the question's words a run of sentence units holds."""
    known: dict[tuple[int, ...], float] = {}   # one question asks about the same runs again and again
    held: dict[int, set[int]] = {}             # ... made of the same sentences

    def gain(unit_ids: list[int]) -> float:
        key = tuple(unit_ids)
        if key not in known:
            for u in unit_ids:
                if u not in held:
                    held[u] = index.unit_terms(qv, [u])[0]
            known[key] = index.coverage(qv, set().union(*(held[u] for u in unit_ids)))
        return known[key]
    return gain


def quotes_for(order: np.ndarray, score: dict[int, float], units: Units, passages: tuple[Passage, ...], top_k: int,
               gain: Callable[[list[int]], float], whole_lists: bool = False,
               lead_of: dict[int, int] | None = None, where=None, settings: Settings = DEFAULT) -> list[Quote]:
    """Return up to top_k quotes from the best units, each 1-3 sentences (settings.quote_sentences); a passage gives
    at most settings.per_passage, never overlapping, and a second one only from a sentence holding question words.

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
        if len(taken) >= settings.per_passage or _inside(units.start[u], units.end[u], taken) \
                or (taken and not gain([u])) or (where is not None and not where(p)):
            continue                             # a passage quoted again must hold question words itself
        start, end = _span(u, units, p, gain, score, taken, settings)
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


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Tell whether [start, end) overlaps one of the spans."""
    return any(start < b and a < end for a, b in spans)


def _last_unit(u: int, units: Units) -> int:
    """Return the last sentence unit of unit u's passage."""
    while u + 1 < len(units.passage) and units.passage[u + 1] == units.passage[u]:
        u += 1
    return u


def _span(u: int, units: Units, p: Passage, gain: Callable[[list[int]], float],
          score: dict[int, float], taken: Sequence[tuple[int, int]] = (),
          settings: Settings = DEFAULT) -> tuple[int, int]:
    """Return the quote's span: of the runs of 1-3 sentences (settings.quote_sentences) of p holding unit u, the
    one that holds most of the question's words, then keeps most sentences with the one they continue, then scores
    best.

    A run stays on one line of p, off the taken spans, and within settings.max_quote_words (one sentence always may).
    """
    most = settings.quote_sentences - 1                # sentences a run reaches past u, either way
    first, last = u, u
    while first > 0 and units.passage[first - 1] == p.id and u - first < most:
        first -= 1
    while last + 1 < len(units.passage) and units.passage[last + 1] == p.id and last - u < most:
        last += 1
    starts, ends = units.start[first:last + 1].tolist(), units.end[first:last + 1].tolist()   # of first..last
    tied = units.continues[first:last + 1].tolist()
    has_before = first > 0 and units.passage[first - 1] == p.id
    best, best_key = (u, u), None
    for a in range(first, u + 1):
        for b in range(u, min(a + most, last) + 1):
            i, j = a - first, b - first
            if b > a and (len(p.text[starts[i]:ends[j]].split()) > settings.max_quote_words
                          or any("\n" in p.text[ends[k]:starts[k + 1]] for k in range(i, j))
                          or any(_inside(starts[k], ends[k], taken) for k in range(i, j + 1) if k != u - first)):
                continue
            dangling = tied[i] and (i > 0 or has_before)
            run = list(range(a, b + 1))
            key = (round(gain(run), 9), sum(tied[i + 1:j + 1]) - dangling, sum(score.get(o, 0.0) for o in run))
            if best_key is None or key > best_key:
                best, best_key = (a, b), key
    return int(units.start[best[0]]), int(units.end[best[1]])
