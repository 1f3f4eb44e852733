"""Answerability: does a quote answer the question?  A logistic model over a few signals, fitted on IDK-MRC train.

Every quote shown passes this test (`probability(...) >= threshold()`, or `Settings.min_answer` when set); when none
does, Kutip abstains.  The weights live in data/answerable.json; refit them with
    python -m retrieval.answerable_fit ../shared/datasets/idk-mrc/train.json
(answerable_fit.py), which asks IDK-MRC train's questions (answerable ones, and the unanswerable ones written on the
very paragraph that does not answer them) of a corpus made of their paragraphs, and some of them of a foreign corpus
(the chapter), and fits the model on the quotes each gets: label 1 when the quote holds a gold answer.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .analysis import URL, WORD_NUMBER
from .asked import Asked, in_unit
from .dates import BARE_MONTHS, ERAS, YEAR_WORD
from .errors import ModelFileError
from .ranker import read_fitted
from .settings import DEFAULT

WEIGHTS = Path(__file__).resolve().parent / "data" / "answerable.json"
FEATURES = ("bias", "cosine", "coverage_passage", "coverage_quote", "asks_kind", "kind_missing", "unknown_share",
            "number_missing", "english", "lexical", "rarest_missing", "name_missing", "quote_rarest_missing",
            "negation_missing", "question_terms", "cos_whole")
_MONTHS = re.compile(r"\b(" + "|".join(sorted(BARE_MONTHS)) + r")\b", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# a year written with its era or its word, of any length ("tahun 493", "1450 SM", "abad ke-6", "400 AD"), or a decade
_ERA = re.compile(r"\b(?:tahun|thn|year|abad|century)\s+(?:ke-?\s*)?(\d{1,4}|[ivxlc]+)\b"
                  rf"|\b(\d{{1,4}})\s*{ERAS}\b|\b(\d{{3,4}})(?:-?an|s)\b", re.I)
# the date a source was accessed or downloaded, written after its address in a footnote
_ACCESSED = re.compile(r"\b(?:diakses|diunduh|dikunjungi|accessed|retrieved|downloaded)\b[^.;\n?]*", re.I)
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


@dataclass(frozen=True)
class Signals:
    """What is measured of one (question, quote) pair, before weighting."""

    cosine: float            # e5 cosine of the question with the quote's best sentence (0 without the model)
    coverage_passage: float  # idf-weighted share of the question's words its passage holds
    coverage_quote: float    # ... that the quote itself holds
    asks_kind: bool          # the question asks for a date, number, name or place
    kind_missing: bool       # ... and the quote holds none of that kind that the question does not already hold
    unknown_share: float     # idf-weighted share of the question's words the corpus does not have at all
    number_missing: bool     # a number of the question is not in the passage
    english: bool
    lexical: float           # the quote's plain TF-IDF sentence score
    rarest_missing: float = 0.0   # idf of the rarest question word its passage lacks, over the rarest word's idf
    name_missing: bool = False    # a name the question writes with a capital is not in its passage
    quote_rarest_missing: float = 0.0   # as rarest_missing, of the quote's own sentences
    negation_missing: bool = False      # the question negates (tidak, bukan, belum, not ...) and the quote does not
    question_terms: int = 0             # how many words the question searches (a long question, still covered,
                                        # is more often answered)
    missing: tuple[str, ...] = ()       # the question words (index terms) its passage lacks; when the most
                                        # trap-like of them (missing_prior) is at or below veto(), Engine.judged
                                        # drops the quote ("dibubarkan" asked of a paragraph on the founding)
    cos_whole: float = 0.0              # e5 cosine of the question with the quote's whole passage (0 without the model)

    def vector(self) -> np.ndarray:
        """Return the feature vector in FEATURES order."""
        return np.array([1.0, self.cosine, self.coverage_passage, self.coverage_quote, float(self.asks_kind),
                         float(self.kind_missing), self.unknown_share, float(self.number_missing),
                         float(self.english), self.lexical, self.rarest_missing, float(self.name_missing),
                         self.quote_rarest_missing, float(self.negation_missing), float(self.question_terms),
                         self.cos_whole])


def kind_found(asked: Asked, question: str, quote: str, unit_reach: int = DEFAULT.unit_reach) -> bool:
    """Tell whether the quote holds a value of the kind a when/number/who/where question asks for that the question
    (its plain form) does not hold itself (a date asked about is not its own answer).  Web addresses and the date a
    source was accessed ("diakses pada 29 Januari 2019") are not values of the text, unless that is asked."""
    said = question.lower()
    quote = URL.sub(" ", quote)
    if not _ACCESSED.search(said):
        quote = _ACCESSED.sub(" ", quote)
    if asked.qtype == "when":
        eras = [next(g for g in m.groups() if g) for m in _ERA.finditer(quote)]
        return any(y not in said for y in YEAR_WORD.findall(quote) + eras) or bool(_MONTHS.search(quote))
    if asked.qtype == "number":
        text = quote.lower()
        numbers = [m for m in (*_NUMBER.finditer(quote), *WORD_NUMBER.finditer(quote))
                   if m.group().lower() not in said and not text.endswith("salah ", 0, m.start())]
        if asked.unit is None:
            return bool(numbers)
        return any(in_unit(text, m.start(), m.end(), asked.unit, unit_reach) for m in numbers)
    if asked.qtype in ("who", "where"):
        return any(n.lower() not in said for n in _NAME.findall(quote))
    return True


def _fitted() -> dict:
    """Return what the fit wrote (parsed and checked once); raise ModelFileError when it is missing or corrupt."""
    return _read(WEIGHTS)


@lru_cache(maxsize=2)
def _read(path: Path) -> dict:
    """Return the fitted file at path, checked."""
    return read_fitted(path, FEATURES)


@lru_cache(maxsize=8)
def _model(variant: str) -> tuple[np.ndarray, float, float]:
    """Return the fitted weights (FEATURES order) of a variant ("dense", or "lexical" for when the e5 model is not
    loaded) and its thresholds for Indonesian and for English questions."""
    try:
        data = _fitted()[variant]
        w = np.array([float(v) for v in data["weights"]])
        out = w, float(data["threshold"]), float(data["threshold_english"])
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFileError(f"{WEIGHTS.name}: bobot rusak / bad weights ({e})") from None
    if w.shape != (len(FEATURES),) or not np.isfinite(w).all():
        raise ModelFileError(f"{WEIGHTS.name}: bobot rusak / bad weights")
    return out


@lru_cache(maxsize=1)
def _missing_terms() -> tuple[dict[str, float], float]:
    """Return the fitted log-odds of the question words a passage lacks and the veto level."""
    try:
        data = _fitted()["missing_terms"]
        return {str(t): float(v) for t, v in data["log_odds"].items()}, float(data["veto"])
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ModelFileError(f"{WEIGHTS.name}: tabel kata jebakan rusak / bad trap-word table ({e})") from None


def clear() -> None:
    """Forget the fitted file read so far (after a refit writes a new one)."""
    for cached in (_read, _model, _missing_terms):
        cached.cache_clear()


def lowest_log_odds(table: dict[str, float], missing: tuple[str, ...] | list[str]) -> float:
    """Return the lowest log-odds of the table among the missing words, at most 0 (words not in it count 0)."""
    return min([0.0] + [table.get(t, 0.0) for t in missing])


def missing_prior(missing: tuple[str, ...] | list[str]) -> float:
    """Return the most trap-like (lowest, at most 0) fitted log-odds among question words the passage lacks.  On
    IDK-MRC train, a question whose passage lacks "bubar", "tutup", "larang" or "akhir" was far more often written
    to be unanswerable than one lacking "nama" or "kata" (answerable_fit.log_odds)."""
    return lowest_log_odds(_missing_terms()[0], missing)


def veto() -> float:
    """Return the fitted level at or below which a quote's missing_prior makes it no answer."""
    return _missing_terms()[1]


def threshold(dense: bool = True, english: bool = False) -> float:
    """Return the fitted threshold: the probability a quote needs to be shown as an answer (English questions have
    their own, fitted on IDK-MRC questions put word by word into English)."""
    model = _model("dense" if dense else "lexical")
    return model[2] if english else model[1]


def probability(signals: Signals, dense: bool = True, kind_gate: bool = False) -> float:
    """Return P(the quote answers the question) = sigmoid(w . features).  With kind_gate, 0.0 for a quote without a
    value of the kind the question asks for."""
    if kind_gate and signals.kind_missing:
        return 0.0
    z = float(_model("dense" if dense else "lexical")[0] @ signals.vector())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
