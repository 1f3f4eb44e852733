"""What the answerability model reads of a quote: its cosine, the question's words it and its passage hold, ..."""
from __future__ import annotations

import re

import numpy as np

from . import answerable
from .analysis import CAPITALISED, asks_citation_field, terms, tokenise
from .model import Quote
from .question import QueryPlan
from .rank import Layout
from .settings import DEFAULT, Settings

_NEGATION = re.compile(r"\b(?:tidak|bukan|belum|tak|tanpa|not|never|no|non)\b", re.I)


def unknown_share(qv) -> float:
    """Return the idf-weighted share of the question's words the corpus has in no form at all."""
    total = sum(qv.term_idf.values()) or 1.0
    found = {t for t, _ in qv.credit.values()}
    return sum(w for t, w in qv.term_idf.items() if t not in found) / total


def measure(layout: Layout, plan: QueryPlan, qv, cos: np.ndarray | None, quote: Quote,
            unknown: float, settings: Settings = DEFAULT) -> answerable.Signals:
    """Return what the answerability model reads of one quote (unknown: the question's unknown_share)."""
    index, units = layout.index, layout.units
    pid = quote.passage.id
    first, last = int(layout.first_unit[pid]), int(layout.first_unit[pid + 1])
    inside = [u for u in range(first, last)
              if units.start[u] < quote.end and quote.start < units.end[u]] or list(range(first, last))
    leads = [p for p, lst in layout.lead_of.items() if lst == pid and quote.start == 0
             and quote.end == len(quote.passage.text)]      # a list given whole for the paragraph leading into it
    cited = cited_entries(layout, inside) if plan.asks_source else []
    present = set().union(*index.present(qv, [pid] + leads + cited))
    held = set().union(*index.unit_terms(qv, inside), *index.present(qv, leads + cited))
    found = {qv.credit[i][0] for i in present}
    answered = " ".join([quote.text] + [layout.passages[e].text for e in cited]) \
        if cited and asks_citation_field(plan.plain) else quote.text      # "hlm brp": the entry's "hlm. 26-28"
    lexical = index.sentence_scores(qv, np.array(inside))
    missing = tuple(sorted(t for t in qv.term_idf if t not in found))
    return answerable.Signals(
        cosine=float(cos[inside].max()) if cos is not None else 0.0,
        coverage_passage=index.coverage(qv, present), coverage_quote=index.coverage(qv, held),
        asks_kind=plan.asked.value,
        kind_missing=plan.asked.value and not answerable.kind_found(plan.asked, plan.plain, answered,
                                                                       settings.unit_reach),
        unknown_share=unknown,
        number_missing=any(t.isdigit() and t not in found for t in qv.term_idf),
        english=plan.english, lexical=float(lexical.max()) if len(lexical) else 0.0,
        rarest_missing=rarest_missing(qv, found),
        name_missing=any(t in qv.term_idf and t not in found for t in name_terms(plan.question)),
        quote_rarest_missing=rarest_missing(qv, {qv.credit[i][0] for i in held}), question_terms=len(qv.term_idf),
        negation_missing=bool(_NEGATION.search(plan.plain)) and not _NEGATION.search(quote.text),
        missing=missing,
        cos_whole=float(cos[len(units.passage) + pid]) if cos is not None else 0.0)


def cited_entries(layout: Layout, units: list[int]) -> list[int]:
    """Return the footnote entries the given sentences cite: asked where a claim comes from, the words of the question
    that the entry holds ("buku", "berita", a year, an author) are answered by it, not missing from the claim."""
    inside = set(units)
    return [entry for entry, citing in layout.citing_units.items() if inside.intersection(citing)]


def rarest_missing(qv, found: set[str]) -> float:
    """Return the idf of the rarest question word not among `found`, over the idf of the rarest question word."""
    top = max(qv.term_idf.values(), default=0.0) or 1.0
    return max((w for t, w in qv.term_idf.items() if t not in found), default=0.0) / top


def name_terms(question: str) -> set[str]:
    """Return the index terms of the words a question writes with a capital, past its first word."""
    words = CAPITALISED.findall(question)
    return {t for w in words for t in terms(tokenise(w))}
