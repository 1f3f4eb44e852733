"""What a question asks for, read once from its plain form (chat forms written out) into the QueryPlan: the type of
question, the kind of value a short answer would be, the unit a number is counted in, whether it asks when something
ends or how long it lasts.  The ranker, the answerability signals and the short answer all read it from there."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import expand_abbreviations, tokenise
from .settings import DEFAULT

QUESTION_WORDS = {
    "when": ("kapan", "kapankah", "when", "tanggal berapa", "tanggal berapakah", "tahun berapa", "tahun berapakah",
             "bulan berapa", "bulan apa", "hari apa", "sejak kapan", "what year", "which year", "what date"),
    "who": ("siapa", "siapakah", "who", "whom"),
    "number": ("berapa", "berapakah", "how many", "how much"),
    "why": ("mengapa", "kenapa", "knp", "why", "krn apa", "karena apa", "apa sebab", "apa penyebab", "sebabnya apa"),
    "where": ("di mana", "dimana", "di manakah", "dimanakah", "where", "ke mana", "kemana", "dari mana", "darimana",
              "di kota apa", "di negara apa", "which city", "which country")
    + tuple(f"{place} {which}" for place in ("kota", "provinsi", "negara", "pulau", "kabupaten", "benua")
            for which in ("apa", "apakah", "mana", "manakah")),
}
# A definition question, by its frame only: "apa (yang) dimaksud (dengan) X", "apa itu X", "X itu apa",
# "pengertian X", "apa arti X".  Not "... kerjasama yang dimaksud?" (the one meant), "apa maksud dan tujuan"
# (purpose) or "apa itu yang ..." (what is it that).
DEFINITION = re.compile(r"^apa(?:kah)? (?:yang )?di ?maksud\b|\bdi ?maksud (?:dengan|oleh)\b|\byang di ?maksud\b(?!$)"
                        r"|^apa(?:kah)? itu\b(?! yang\b)"
                        r"|\bitu apa(?:kah)?$|\bmaksudnya apa|^apa(?:kah)? (?:arti|maksud|definisi)\b(?! dan\b)"
                        r"|\b(?:pengertian|definisi|arti dari|artinya apa)\b|\bmeant by\b|^define\b"
                        r"|\bdefinition of\b|\bmeaning of\b")
# the kind of value a short answer is, checked in this order: "tahun berapa" asks for a date, not a number
KIND_QUESTIONS = (
    ("expansion", re.compile(r"\b(kepanjangan(nya)?|singkatan|kependekan|akronim|stands? for|abbreviation)\b")),
    ("date", re.compile(r"\b(kapan(kah)?|bilamana|(tanggal|tahun|bulan)\s+(berapa|apa)(kah)?|when|what (year|date)"
                        r"|which year|in what year)\b")),
    ("person", re.compile(r"\b(siapa(kah)?|who|whom)\b")),
    ("place", re.compile(r"\b(di ?mana(kah)?|where)\b")),
    ("number", re.compile(r"\b(berapa(kah)?|how (many|much|long))\b")),
    ("name", re.compile(r"\b(apa(kah)?|what)\b.*\b(nama|name)\b|\b(nama|name)\b.*\b(apa(kah)?)\b")),
)
VALUE_TYPES = ("when", "number", "who", "where")   # question types answered by a value (date, number, name, place)
DURATION_LABELS = ("jangka waktu",)   # what a text labels a duration with besides the thesaurus's "durasi", "periode"
ENDS = re.compile(r"\b(?:sampai|hingga|berakhir|akhir|selesai|until|end|ends|ended|expire)\b")
_COUNTED = re.compile(r"\b(?:berapa(?:kah)?|how many|how much)\s+(\w+)")
_NAMED_DATE = re.compile(r"\b(?:tahun|tanggal|bulan) (?:berapa|apa)(?:kah)?\b|\b(?:what|which) (?:year|date|month)\b")

# What a number is counted in: when a question names one ("berapa persen", "brp orang", "luasnya dlm km2",
# "how many hectares"), the answer is a number in that unit, not any number.  Measurement units and the
# Indonesian counting words; English ones are matched through their first letters (hectare ~ hektar).
UNITS = ("persen", "%", "km", "meter", "hektar", "hectare", "ton", "kg", "liter", "orang", "jiwa", "penduduk",
         "pasal", "ayat", "halaman", "hari", "minggu", "bulan", "tahun", "jam", "menit", "kali", "rupiah", "rp",
         "us$", "dolar", "dollar", "miliar", "juta", "triliun", "percent", "people", "days", "years", "hours")
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


@dataclass(frozen=True)
class Asked:
    """What a question asks for (see read())."""

    qtype: str | None = None     # when | who | number | why | define | where | None
    kind: str | None = None      # the value a short answer is: date | number | person | place | expansion | name
    unit: str | None = None      # the unit a number is counted in ("persen", "orang") or what it measures ("area")
    counted: str | None = None   # the word after "berapa" ("berapa bidang" -> bidang, "berapa lama" -> lama)
    named: bool = False          # the kind of value is named: a unit ("berapa persen"), a year or date ("tahun berapa")
    ends: bool = False           # when something ends ("sampai kapan", "berakhir")
    lasts: bool = False          # how long something lasts ("berapa lama", "how long")

    @property
    def value(self) -> bool:
        """Tell whether the question asks for a value of a kind (date, number, name, place)."""
        return self.qtype in VALUE_TYPES


def read(plain: str) -> Asked:
    """Return what a question asks for, from its plain form (lower case, chat forms written out: QueryPlan.plain)."""
    qtype = question_type(plain)
    counted = _COUNTED.search(plain)
    unit = asked_unit(plain)
    return Asked(qtype=qtype, kind=answer_kind(plain), unit=unit, counted=counted.group(1) if counted else None,
                 named=unit is not None if qtype == "number" else qtype == "when" and bool(_NAMED_DATE.search(plain)),
                 ends=bool(ENDS.search(plain)),
                 lasts=(counted is not None and counted.group(1) == "lama") or "how long" in plain)


def question_type(question: str) -> str | None:
    """Return what the question asks for ('when', 'who', 'number', 'why', 'where', 'define'), else None."""
    q = " " + " ".join(expand_abbreviations(tokenise(question))) + " "
    first: dict[str, int] = {}      # the kind whose question word comes first ("who was mayor when ..." -> who)
    for kind, words in QUESTION_WORDS.items():
        at = [q.find(f" {w} ") for w in words if f" {w} " in q]
        if at:
            first[kind] = min(at)
    if first:
        return min(first, key=lambda kind: (first[kind], list(QUESTION_WORDS).index(kind)))
    return "define" if DEFINITION.search(q.strip()) else None


def answer_kind(plain: str) -> str | None:
    """Return the kind of value a short answer to the question is: date, number, person, place, expansion, name, or
    None."""
    return next((kind for kind, pattern in KIND_QUESTIONS if pattern.search(plain)), None)


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


def in_unit(text: str, start: int, end: int, unit: str, reach: int = DEFAULT.unit_reach) -> bool:
    """Tell whether the number at text[start:end] (lower case) is counted in the unit: one of the unit's forms is
    among the two words within `reach` characters after it (Settings.unit_reach), or is a currency or page form right
    before it ("us$ 13,200", "hlm. 26")."""
    forms = MEASURES[unit][1] if unit in MEASURES else UNIT_FORMS.get(unit, {unit})
    after = _UNIT_WORD.findall(text[end:end + reach])[:2]
    before = _UNIT_WORD.findall(text[max(0, start - 9):start])[-1:]
    return any(w in forms or (unit not in MEASURES and w.startswith(unit)) for w in after) \
        or any(w in forms and w in PREFIXED for w in before)
