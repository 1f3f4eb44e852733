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

from .errors import ModelFileError
from .months import ENGLISH_MONTHS, INDONESIAN_MONTHS
from .ranker import read_fitted
from .short_answer import URL, WORD_NUMBER

WEIGHTS = Path(__file__).resolve().parent / "data" / "answerable.json"
FEATURES = ("bias", "cosine", "coverage_passage", "coverage_quote", "asks_kind", "kind_missing", "unknown_share",
            "number_missing", "english", "lexical", "rarest_missing", "name_missing", "quote_rarest_missing",
            "negation_missing", "question_terms", "cos_whole")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MONTHS = re.compile(r"\b(" + "|".join(sorted(set(INDONESIAN_MONTHS + ENGLISH_MONTHS) - {"may"})) + r")\b",
                     re.I)             # not "may": in an English text the verb, far more often than the month
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# a year written with its era or its word, of any length ("tahun 493", "1450 SM", "abad ke-6", "400 AD"), or a decade
_ERA = re.compile(r"\b(?:tahun|thn|year|abad|century)\s+(?:ke-?\s*)?(\d{1,4}|[ivxlc]+)\b"
                  r"|\b(\d{1,4})\s*(?:SM|M|BC|AD|CE|BCE|Masehi|Hijriah|H)\b|\b(\d{3,4})(?:-?an|s)\b", re.I)
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


def kind_found(qtype: str | None, question: str, quote: str) -> bool:
    """Tell whether the quote holds a value of the kind a when/number/who/where question asks for that the
    question does not hold itself (a date asked about is not its own answer).  Web addresses and the date a
    source was accessed ("diakses pada 29 Januari 2019") are not values of the text, unless that is asked."""
    asked = question.lower()
    quote = URL.sub(" ", quote)
    if not _ACCESSED.search(asked):
        quote = _ACCESSED.sub(" ", quote)
    if qtype == "when":
        eras = [next(g for g in m.groups() if g) for m in _ERA.finditer(quote)]
        return any(y not in asked for y in _YEAR.findall(quote) + eras) or bool(_MONTHS.search(quote))
    if qtype == "number":
        unit, text = asked_unit(asked), quote.lower()
        numbers = [m for m in (*_NUMBER.finditer(quote), *WORD_NUMBER.finditer(quote))
                   if m.group().lower() not in asked and not text.endswith("salah ", 0, m.start())]
        if unit is None:
            return bool(numbers)
        return any(_in_unit(text, m.start(), m.end(), unit) for m in numbers)
    if qtype in ("who", "where"):
        return any(n.lower() not in asked for n in _NAME.findall(quote))
    return True


# What a number is counted in: when a question names one ("berapa persen", "brp orang", "luasnya dlm km2",
# "how many hectares"), the answer is a number in that unit, not any number.  Measurement units and the
# Indonesian counting words; English ones are matched through their first letters (hectare ~ hektar).
UNITS = ("persen", "%", "km", "meter", "hektar", "hectare", "ton", "kg", "liter", "orang", "jiwa", "penduduk",
         "pasal", "ayat", "halaman", "hari", "minggu", "bulan", "tahun", "jam", "menit", "kali", "rupiah", "rp",
         "us$", "dolar", "dollar", "miliar", "juta", "triliun", "percent", "people", "days", "years", "hours")
UNIT_REACH = 16         # characters after a number in which its unit must stand ("114,5 miliar", "5 tahun")
# how a text writes a unit a question names: "berapa persen" is answered by "40%", "berapa orang" by "35.557.249
# jiwa", "hlm brp" by "hlm. 26"; the forms in PREFIXED stand before their number
UNIT_FORMS = {"persen": {"persen", "%", "percent", "prosen"}, "orang": {"orang", "jiwa", "penduduk", "people", "warga"},
              "halaman": {"halaman", "hlm", "hal"}, "us$": {"us$", "usd", "$", "dolar", "dollar"},
              "rupiah": {"rupiah", "rp", "idr"}, "hektar": {"hektar", "hektare", "ha", "hectare"},
              "km": {"km", "kilometer"}, "kg": {"kg", "kilogram"}, "tahun": {"tahun", "thn", "years"},
              "hari": {"hari", "days"}, "jam": {"jam", "hours"}}
PREFIXED = {"us$", "usd", "$", "rp", "idr", "€", "£", "¥", "halaman", "hlm", "hal"}
# a quantity a question measures names its unit's kind: "berapa luas" asks for an area, "berapa tinggi" a length
# (not "berapa lama": a span is often answered by its ends, "sejak 1467 hingga ...")
MEASURES = {
    "area": ({"luas"}, {"km", "km2", "km²", "kilometer", "m2", "m²", "meter", "hektar", "hektare", "ha", "hectare",
                        "hectares", "are", "mil", "miles", "square", "persegi", "acre", "acres"}),
    "length": ({"tinggi", "panjang", "lebar", "jarak", "kedalaman", "ketinggian", "diameter"},
               {"m", "meter", "meters", "metres", "km", "kilometer", "kilometres", "cm", "mm", "kaki", "feet", "ft",
                "mil", "miles", "mdpl", "inci", "inch", "inches"}),
    "mass": ({"berat", "massa"}, {"kg", "kilogram", "gram", "g", "ton", "pon", "pound", "pounds", "lb"}),
    "money": ({"harga", "biaya", "ongkos"}, {"rp", "rupiah", "idr", "us$", "usd", "$", "dolar", "dollar", "dollars",
                                            "euro", "€", "£", "¥", "yen", "won", "ringgit", "ribu", "juta", "miliar",
                                            "triliun"}),
    "temperature": ({"suhu"}, {"derajat", "c", "f", "celsius", "celcius", "fahrenheit", "kelvin"}),
}
_MEASURED = {noun: kind for kind, (nouns, _) in MEASURES.items() for noun in nouns}
_MEASURE_ASKED = re.compile(r"\bberapa(?:kah)?\s+([a-z]+)")
_HEAD = {form: head for head, forms in UNIT_FORMS.items() for form in forms}   # a unit's form -> the unit
# ... and the forms a question may name a unit by, beside UNITS (not the shortest, nor "hal": a word of its own)
_ASKED_FORMS = {form: head for form, head in _HEAD.items() if len(form) > 2 and form != "hal"}
_UNIT_WORD = re.compile(r"us\$|[%$€£¥]|[a-z]+[²³23]?")   # "km²" is an area, not a length


def asked_unit(question: str) -> str | None:
    """Return the unit a number question names (as the quote would write it), or the kind of quantity it measures
    ("area" for "berapa luas"), or None."""
    measured = _MEASURE_ASKED.search(question.lower())
    if measured and measured.group(1) in _MEASURED:
        return _MEASURED[measured.group(1)]
    words = re.findall(r"us\$|%|[a-z]+|\d+", question.lower())
    for word, after in zip(words, words[1:] + [""]):
        if after.isdigit() and not word.startswith("km"):   # "tahun 2011" names a year, not a unit asked for
            continue
        for unit in UNITS:
            if word == unit or (len(unit) > 4 and word.startswith(unit)):
                return _HEAD.get(unit, unit)
        if word in _ASKED_FORMS:
            return _ASKED_FORMS[word]
    return None


def _in_unit(text: str, start: int, end: int, unit: str) -> bool:
    """Tell whether the number at text[start:end] (lower case) is counted in the unit: one of the unit's forms is
    among the two words after it, or is a currency or page form right before it ("us$ 13,200", "hlm. 26")."""
    forms = MEASURES[unit][1] if unit in MEASURES else UNIT_FORMS.get(unit, {unit})
    after = _UNIT_WORD.findall(text[end:end + UNIT_REACH])[:2]
    before = _UNIT_WORD.findall(text[max(0, start - 9):start])[-1:]
    return any(w in forms or (unit not in MEASURES and w.startswith(unit)) for w in after) \
        or any(w in forms and w in PREFIXED for w in before)


_NAMED_DATE = re.compile(r"\b(?:tahun|tanggal|bulan) (?:berapa|apa)\b|\b(?:what|which) (?:year|date|month)\b")


def names_kind(qtype: str | None, question: str) -> bool:
    """Tell whether the question names the kind of value it wants: a unit ("berapa persen", "hlm berapa") or a
    year or date ("tahun berapa"), not only "berapa" or "kapan"."""
    asked = question.lower()
    if qtype == "number":
        return asked_unit(asked) is not None
    return qtype == "when" and bool(_NAMED_DATE.search(asked))


def asks_kind(qtype: str | None) -> bool:
    """Tell whether the question asks for a value of a kind (date, number, name, place)."""
    return qtype in ("when", "number", "who", "where")


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
