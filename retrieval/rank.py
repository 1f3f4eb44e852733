"""Candidate search and ranking: the best passages (by words, by meaning, by named list labels), then their sentences
scored with answer-type and heading bonuses."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import dense as dense_model, ranker
from .analysis import terms, tokenise
from .asked import Asked
from .headings import without_numbering
from .index import Index, ranges
from .model import Passage
from .ranker import FEATURES
from .settings import DEFAULT, Settings
from .short_answer import kind_context
from .units import Units

_LABEL = re.compile(r"^([a-z]|\d{1,2})[.)]", re.M | re.I)   # a list item's label at the start of its line


@dataclass(frozen=True, eq=False)
class Layout:
    """The read-only shape of a built corpus that ranking reads: passages, their units, index and lookups."""

    passages: tuple[Passage, ...]
    units: Units
    index: Index
    first_unit: np.ndarray                      # units of passage p: [first_unit[p], first_unit[p + 1])
    lead_of: dict[int, int]                     # paragraph id -> the list its last sentence introduces
    list_labels: dict[int, frozenset[str]]      # list id -> its items' labels ("a", "b", "1", ...)
    heading_terms: list[frozenset[str]]         # per passage: the terms of its own section heading
    citing_units: dict[int, tuple[int, ...]]    # footnote entry id -> the sentences carrying its marker

    @classmethod
    def of(cls, passages: tuple[Passage, ...], units: Units, index: Index, compounds: dict[str, str]) -> Layout:
        """Return the layout of built passages, units and index."""
        first_unit = np.searchsorted(units.passage, np.arange(len(passages) + 1))
        return cls(passages, units, index, first_unit,
                   lead_ins(passages),
                   {p.id: frozenset(label.lower() for label in _LABEL.findall(p.text))
                    for p in passages if p.kind == "list"},
                   heading_terms(passages, compounds), citing_units(passages, units, first_unit))


def lead_ins(passages: tuple[Passage, ...]) -> dict[int, int]:
    """Return paragraph id -> id of the list that the paragraph's last sentence introduces."""
    out = {}
    for p in passages:
        if p.kind == "list" and p.lead and p.id > 0:
            before = passages[p.id - 1]
            if before.kind == "paragraph" and before.source == p.source and before.text.endswith(p.lead):
                out[before.id] = p.id
    return out


def citing_units(passages: tuple[Passage, ...], units: Units, first_unit: np.ndarray) -> dict[int, tuple[int, ...]]:
    """Return, for each footnote entry, the units (sentences) of its document whose text carries its marker."""
    marked: dict[tuple[str, int], list[int]] = {}
    for p in passages:
        for offset, number in p.marks:
            inside = [u for u in range(first_unit[p.id], first_unit[p.id + 1]) if units.start[u] <= offset]
            if inside:                          # the sentence the marker ends (or stands in)
                marked.setdefault((p.source, number), []).append(inside[-1])
    return {p.id: tuple(dict.fromkeys(u for n in p.footnotes for u in marked.get((p.source, n), ())))
            for p in passages if p.kind == "footnote"}


def claims_for_entries(layout: Layout, score: dict[int, float], order: np.ndarray,
                       settings: Settings = DEFAULT) -> tuple[dict[int, float], np.ndarray]:
    """Return the ranking with each footnote entry replaced by the sentences citing it, at the entry's score when
    that is higher: asked where a claim comes from, the answer is the claim, shown with its footnote in full (and
    every citing sentence gains settings.type_bonus)."""
    out = dict(score)
    for u in order.tolist():
        cites = layout.citing_units.get(int(layout.units.passage[u]), ())
        if cites:
            entry = out.pop(u)
            for c in cites:
                out[c] = max(out.get(c, entry), entry)
    cited = {c for cites in layout.citing_units.values() for c in cites}
    out = {u: v + settings.type_bonus * (u in cited) for u, v in out.items()}
    ranked = sorted(out, key=lambda u: (-out[u], u))
    return out, np.array(ranked, dtype=np.int64)


def heading_terms(passages: tuple[Passage, ...], compounds: dict[str, str]) -> list[frozenset[str]]:
    """Return the index terms of each passage's own section heading, without its numbering ("5) "); empty for a
    heading of one term ("Pendahuluan", "Kerjasama"), which names too little to single a section out."""
    known: dict[str, frozenset[str]] = {}
    out = []
    for p in passages:
        heading = p.section[-1] if p.section else ""
        if heading not in known:
            words = frozenset(terms(tokenise(without_numbering(heading)), compounds))
            known[heading] = words if len(words) >= 2 else frozenset()
        out.append(known[heading])
    return out


def cosines(vectors: np.ndarray | None, question: str) -> np.ndarray | None:
    """Return the e5 cosine of the question with every unit, then with every whole passage (the rows of the
    engine's vectors), or None without vectors (or without the model)."""
    model, _ = dense_model.load_model()
    if vectors is None or model is None:
        return None
    return dense_model.cosine(vectors, model.query(question))


def standardised(cos: np.ndarray) -> np.ndarray:
    """Return the e5 cosines of every unit as z-scores over the corpus (what rank() takes as dense)."""
    return (cos - cos.mean()) / (cos.std() + 1e-6)


def passage_max(scores: np.ndarray, first_unit: np.ndarray) -> np.ndarray:
    """Return each passage's best unit score (the units of passage p are first_unit[p] to first_unit[p + 1])."""
    return np.maximum.reduceat(scores, first_unit[:-1])     # every passage has a unit


@dataclass(frozen=True, eq=False)
class Candidates:
    """The sentences a question is ranked over (index rows) and what the ranker reads of each (FEATURES order)."""

    rows: np.ndarray
    x: np.ndarray
    bonus: np.ndarray        # structural bonus in passage-match units: a named list (label_bonus), a named heading


def candidates(layout: Layout, qv, qtype: str | None, wants_list: bool, where: Callable[[Passage], bool] | None = None,
               labels: tuple[str, str] | None = None, cos: np.ndarray | None = None,
               english: bool = False, question: str = "", asked: Asked | None = None,
               settings: Settings = DEFAULT) -> Candidates:
    """Return the sentences of the best passages with their ranking features.

    Passages are scored first; only the sentences of the settings.candidates best by words and as many best by
    meaning (cos: the e5 cosine of every unit, or None) that where() keeps are scored, so a question costs the same
    whether the corpus holds a chapter or a library.
    """
    units = layout.units
    per_passage = layout.index.passage_scores(qv)
    keep = None                                                 # passages that may be quoted (None: all)
    if where is not None:
        keep = np.fromiter((bool(where(p)) for p in layout.passages), bool, len(layout.passages))
        per_passage = per_passage * keep
    best = top_units(per_passage, settings.candidates)
    best = best[per_passage[best] > 0]
    z = z_passage = cos_passage = cos_whole = z_whole = None
    if cos is not None:
        n_units = len(units.passage)
        cos, cos_whole = cos[:n_units], cos[n_units:]
        z, z_whole = standardised(cos), standardised(cos_whole)
        z_passage = passage_max(z, layout.first_unit)
        cos_passage = passage_max(cos, layout.first_unit)
        for near in (z_passage.copy(), z_whole.copy()):         # nearest in meaning: by a sentence, by the whole
            if keep is not None:
                near[~keep] = -np.inf
            near_best = top_units(near, settings.candidates)
            best = np.union1d(best, near_best[np.isfinite(near[near_best])])
    named = named_lists(layout, labels, where) if labels else np.zeros(0, np.int64)
    named = named[per_passage[named] > 0]                       # ... that shares words with the question
    best = np.union1d(best, named) if len(named) else best      # competes however far down it ranks
    rows, _ = ranges(layout.first_unit[best], layout.first_unit[best + 1])
    pid = units.passage[rows]
    x = np.zeros((len(rows), len(FEATURES)))
    column = {name: k for k, name in enumerate(FEATURES)}
    x[:, column["lex_passage"]] = per_passage[pid]
    held = layout.index.unit_terms(qv, rows.tolist())
    x[:, column["cov_sentence"]] = [layout.index.coverage(qv, h) for h in held]
    present = dict(zip(best.tolist(), layout.index.present(qv, best.tolist())))
    x[:, column["cov_passage"]] = [layout.index.coverage(qv, present[p]) for p in pid.tolist()]
    if z is not None:
        assert cos is not None and z_passage is not None and cos_passage is not None and z_whole is not None \
            and cos_whole is not None                              # all set together with z, from cos
        x[:, column["dense_sentence"]], x[:, column["dense_passage"]] = z[rows], z_passage[pid]
        x[:, column["cos_sentence"]], x[:, column["cos_passage"]] = cos[rows], cos_passage[pid]
        x[:, column["dense_whole"]], x[:, column["cos_whole"]] = z_whole[pid], cos_whole[pid]
    flags = {"when": units.has_date, "number": units.has_number, "why": units.has_cause,
             "define": units.defines}.get(qtype or "")
    if flags is not None:
        x[:, column["kind"]] = flags[rows]
    if wants_list:
        x[:, column["kind"]] = np.maximum(x[:, column["kind"]], units.in_list[rows])
    if asked is not None and asked.kind is not None:
        texts = [layout.passages[p].text[a:b] for p, a, b in zip(pid.tolist(), units.start[rows].tolist(),
                                                                   units.end[rows].tolist())]
        x[:, column["kind_context"]] = [kind_context(question, asked, t, qv.term_idf, settings) for t in texts]
    if english:
        x[:, column["english_dense"]] = x[:, column["dense_sentence"]]
        x[:, column["english_lex"]] = layout.index.sentence_scores(qv, rows)
    bonus = np.zeros(len(rows))
    if len(named):
        bonus += settings.label_bonus * np.isin(pid, named)
    qterms = set(qv.term_idf)
    headed = [p for p in best.tolist() if layout.heading_terms[p] and layout.heading_terms[p] <= qterms]
    if headed:                                                  # the question names the passage's section
        bonus += settings.heading_bonus * np.isin(pid, headed)
    return Candidates(rows, x, bonus)


def rank(layout: Layout, qv, qtype: str | None, wants_list: bool, where: Callable[[Passage], bool] | None = None,
         labels: tuple[str, str] | None = None, cos: np.ndarray | None = None, english: bool = False,
         question: str = "", asked: Asked | None = None, settings: Settings = DEFAULT):
    """Return ({unit: score in (0, 1)}, the best units first): the candidates scored by the learned ranker.

    score(u) = sigmoid(w . features(u) + w_passage * bonus(u)); the bonus of a named list or heading is counted in
    whole passage matches, on the ranker's own scale.
    """
    found = candidates(layout, qv, qtype, wants_list, where, labels, cos, english, question, asked, settings)
    model = ranker.model(cos is not None)
    z = model.score(found.x) + model.weights[ranker.FEATURES.index("lex_passage")] * found.bonus
    part = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    rows = found.rows
    return dict(zip(rows.tolist(), part.tolist())), rows[top_units(part, len(part))]


def named_lists(layout: Layout, labels: tuple[str, str], where: Callable[[Passage], bool] | None) -> np.ndarray:
    """Return the lists whose items carry both labels ("poin a sampai g"), with the paragraphs leading into them."""
    named = {p for p, have in layout.list_labels.items() if set(labels) <= have}
    named |= {p for p, lst in layout.lead_of.items() if lst in named}
    return np.array(sorted(p for p in named if where is None or where(layout.passages[p])), np.int64)


def top_units(score: np.ndarray, k: int) -> np.ndarray:
    """Return the indices of the k best scores, best first (ties: earlier first)."""
    k = min(k, len(score))
    if k == 0:
        return np.array([], dtype=np.int64)
    part = np.argpartition(-score, k - 1)[:k]
    return part[np.lexsort((part, -score[part]))]
