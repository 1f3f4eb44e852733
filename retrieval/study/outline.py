"""Outline ("Peta bab"): the section tree, each section with its most central sentences (TextRank)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..analysis import STOP_WORDS, tokenise
from ..model import Passage, Quote
from .common import body, quote_of, sentences

DAMPING = 0.85                 # TextRank's (PageRank's) usual damping factor
TOLERANCE = 1e-6               # power iteration stops when the scores move less than this (L1)
MAX_ITERATIONS = 100           # ... or after this many steps (a 40-sentence section settles in ~20)
MAX_RANKED = 300               # sentences ranked per section: the graph is dense, n^2 in memory
LONG_SECTION = 4               # a section with at least this many sentences gets two key sentences, else one
MIN_WORDS = 4                  # a shorter sentence ("Selain dengan Kota Shenzhen.") cannot sum a section up
RANKED_KINDS = ("paragraph", "list")   # table rows are listed in the timeline, not summed up


@dataclass(frozen=True)
class Section:
    """One heading of a document with its key sentences and the footnotes its text (sub-sections too) cites."""

    title: str
    level: int                    # 0 for the chapter (BAB), 1 for A., 2 for 1., 3 for 1) ...
    path: tuple[str, ...]
    source: str
    key: tuple[Quote, ...]
    footnotes: tuple[int, ...]
    passages: int                 # passages directly under this heading


def outline(passages: tuple[Passage, ...] | list[Passage]) -> list[Section]:
    """Return every section in reading order; a document without headings is one section named after its file."""
    shown = body(passages)
    order: list[tuple[str, tuple[str, ...]]] = []
    own: dict[tuple[str, tuple[str, ...]], list[Passage]] = {}
    for p in shown:
        path = p.section or (p.source,)
        for k in range(1, len(path) + 1):
            key = (p.source, path[:k])
            if key not in own:
                own[key] = []
                order.append(key)
        own[(p.source, path)].append(p)
    ranked = _rank_all(shown)
    notes: dict[tuple[str, tuple[str, ...]], set[int]] = {key: set() for key in order}
    for (source, path), ps in own.items():      # a section cites what its sub-sections cite
        cited = {n for p in ps for n in p.footnotes}
        for k in range(1, len(path) + 1):
            notes[(source, path[:k])] |= cited
    return [Section(path[-1], len(path) - 1, path, source, _key(own[(source, path)], ranked),
                    tuple(sorted(notes[(source, path)])), len(own[(source, path)])) for source, path in order]


def _rank_all(shown: list[Passage]) -> dict[tuple[int, int], float]:
    """Return (passage id, sentence start) -> TextRank score within its section, for every rankable sentence."""
    units = [(p, a, b) for p, a, b in sentences([p for p in shown if p.kind in RANKED_KINDS])
             if len(p.text[a:b].split()) >= MIN_WORDS]
    if not units:
        return {}
    X = tfidf([[t for t in tokenise(p.text[a:b]) if t not in STOP_WORDS and not t.isdigit()] for p, a, b in units])
    groups: dict[tuple, list[int]] = {}
    for k, (p, _, _) in enumerate(units):
        groups.setdefault((p.source, p.section), []).append(k)
    scores: dict[tuple[int, int], float] = {}
    for rows in groups.values():
        rows = rows[:MAX_RANKED]
        for k, s in zip(rows, textrank(X[rows])):
            scores[(units[k][0].id, units[k][1])] = float(s)
    return scores


def tfidf(docs: list[list[str]]) -> sparse.csr_matrix:
    """Return the L2-normalised TF-IDF rows of token lists: tf · (ln((1 + n) / (1 + df)) + 1), as scikit-learn's."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[int] = []
    for r, doc in enumerate(docs):
        counts: dict[int, int] = {}
        for t in doc:
            j = vocab.setdefault(t, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        rows += [r] * len(counts)
        cols += counts.keys()
        vals += counts.values()
    X = sparse.csr_matrix((np.array(vals, np.float64), (rows, cols)), shape=(len(docs), max(1, len(vocab))))
    df = np.bincount(X.indices, minlength=X.shape[1])
    X = X @ sparse.diags(np.log((1 + len(docs)) / (1 + df)) + 1)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1 / np.where(norms > 0, norms, 1)) @ X)


def textrank(X) -> np.ndarray:
    """Return the TextRank score of each row of a TF-IDF matrix (L2-normalised rows).

    W = X Xᵀ with a zero diagonal (cosine similarity), each row scaled to sum 1 (a row of zeros links to every
    sentence); r ← (1 - d)/n + d Wᵀ r from r = 1/n, until |Δr|₁ < TOLERANCE.
    """
    n = X.shape[0]
    if n == 1:
        return np.ones(1)
    W = (X @ X.T).toarray() if hasattr(X, "toarray") else X @ X.T
    np.fill_diagonal(W, 0.0)
    sums = W.sum(axis=1, keepdims=True)
    W = np.where(sums > 0, W / np.where(sums > 0, sums, 1.0), 1.0 / n)
    r = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        nxt = (1 - DAMPING) / n + DAMPING * (W.T @ r)
        if np.abs(nxt - r).sum() < TOLERANCE:
            return nxt
        r = nxt
    return r


def _key(ps: list[Passage], ranked: dict[tuple[int, int], float]) -> tuple[Quote, ...]:
    """Return the section's one or two best-ranked sentences, in reading order."""
    cands = [(ranked[(p.id, a)], -p.id, -a, p, a, b) for p, a, b in sentences(ps) if (p.id, a) in ranked]
    if not cands:
        return ()
    take = 2 if len(cands) >= LONG_SECTION else 1
    best = sorted(cands, reverse=True)[:take]
    best.sort(key=lambda c: (c[3].id, c[4]))
    return tuple(quote_of(p, a, b, round(s, 4)) for s, _, _, p, a, b in best)
