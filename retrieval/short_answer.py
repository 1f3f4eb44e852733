"""The short answer: the exact span of the asked kind (a date, a number, a name, a place, an expansion) in a quote."""
from __future__ import annotations

import re
from collections.abc import Mapping, Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .analysis import URL, WORD_NUMBER, terms, tokenise
from .asked import DURATION_LABELS, Asked, in_unit
from .dates import ERAS, INDONESIAN_MONTHS, YEAR, month_pattern
from .errors import ModelFileError
from .model import ShortAnswer
from .ranker import read_fitted
from .settings import DEFAULT, Settings

_MONTH = month_pattern(short=True) + r"\.?"
_AFTER_MONTH = rf"(?:{YEAR}|\d{{3,4}})"          # after a month name a number of 3-4 digits is a year ("Juli 1392")
_ERA = rf"(?:\s*{ERAS}\b)?"                                   # "1332 M", "27 SM"
_TO = r"\s*(?:[-–—]|s\.?d\.?|sampai|hingga|to)\s*"              # "16-17 Desember", "1509–1602"
_DATES = (  # (pattern, specificity): a full date says more than a month, a month more than a year
    (re.compile(rf"\b\d{{1,2}}{_TO}\d{{1,2}}\s+{_MONTH}\s+{_AFTER_MONTH}{_ERA}(?!\w)", re.I), 3),
    (re.compile(rf"\b\d{{1,2}}\s+{_MONTH}\s+(?:{_AFTER_MONTH}|\d{{1,2}}){_ERA}(?!\w)", re.I), 3),
    (re.compile(rf"\b{_MONTH}\s+\d{{1,2}},?\s+{_AFTER_MONTH}\b", re.I), 3),
    (re.compile(rf"\b\d{{1,2}}[-/]\d{{1,2}}[-/](?:{YEAR}|\d\d)\b"), 3),
    (re.compile(rf"\b{_MONTH}{_TO}{_MONTH}\s+{_AFTER_MONTH}{_ERA}(?!\w)", re.I), 2),
    (re.compile(rf"\b{_MONTH}\s+{_AFTER_MONTH}{_ERA}(?!\w)", re.I), 2),
    (re.compile(rf"(?<![\d.,]){YEAR}{_TO}{YEAR}(?![\d.,]\d)"), 1),
    (re.compile(r"\babad\s+(?:ke-?\s*)?(?:\d{1,2}|[IVXLC]+\b)" + _ERA, re.I), 1),
    (re.compile(r"(?<![\d.,])\d{3,4}-?an\b"), 1),
    (re.compile(rf"(?<![\d.,])\d{{1,4}}\s*{ERAS}\b"), 1),
    (re.compile(rf"(?<![\d.,]){YEAR}(?![\d.,]\d)"), 1),
    (re.compile(r"\b(?:tahun|pada|sejak|in|since)\s+(?P<year>\d{3,4})\b(?![.,]\d)(?!\s*(?:-|%|[A-Za-z]{1,3}\b))",
                re.I), 1),
)
_CURRENCY = r"(?:US\$|USD|Rp\.?|IDR|S\$|RM|KRW|\$|€|£|¥|₩)"
_SCALE = r"(?:ribu|juta|miliar|milyar|triliun|thousand|million|billion|trillion)"
_NUMBER = re.compile(rf"(?:{_CURRENCY}\s?)?(?<![\w.,])\d+(?:[.,]\d+)*(?![\d_])(?![.,]\d)"
                     rf"(?:\s?%|\s+{_SCALE}\b)?", re.I)
UNITS = frozenset("""persen percent tahun bulan hari minggu jam menit detik kali orang jiwa penduduk km kilometer
meter m hektar hektare ha ton kg kilogram unit buah kota negara bidang poin butir pasal proyek program lembaga
perusahaan sektor tahap kegiatan years months days weeks hours minutes people persons cities countries fields
percent hectares points mil mile miles cm mm sentimeter milimeter gram g liter l mdpl""".split())
ATTACHED = frozenset("km Km m cm mm kg g ha l ml mg mil mdpl".split())   # units written onto a number, as
                                                                          # written: "4.114km²" (not "5G")
DURATION = frozenset("tahun bulan hari minggu jam menit detik years months days weeks hours minutes".split())
# the word after an amount: its unit when it is one, with a power ("km²", "m2") or "persegi/kubik/dpl" after it
_UNIT_AFTER = re.compile(r"(\s+|(?=[A-Za-z]))([A-Za-z]+)(?:[²³]|2(?![\w]))?(?:\s+(?:persegi|kubik|dpl)\b)?")
_LABEL = re.compile(r"(?:^|\n|\bno\.?:?\s*|[;:]\s*)\d{1,2}[.)]?(?=\s*(?:;|$|\n))", re.I)   # "No: 3." in a row
# a person's name: two or more capitalised words; a role word close before it says it is a person
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:[-'][A-Za-z]+)?)+\b")
PERSON_CUES = frozenset("""oleh menteri menlu presiden wakil walikota wali gubernur bupati camat perwakilan ketua
kepala direktur duta besar dubes bapak ibu pak bu tuan nyonya saudara sdr dr prof profesor penulis peneliti ahli
pakar pendiri tokoh raja ratu perdana said says minister president mayor governor director author mr mrs ms""".split())
PLACE_NOUNS = frozenset("kota kabupaten provinsi propinsi pulau negara desa kecamatan kawasan city province "
                        "island country regency".split())
_PLACE = re.compile(r"\b(?:(?P<prep>di|ke|dari|in|at|from)\s+(?P<noun>(?:kota|kabupaten|provinsi|propinsi|pulau"
                    r"|negara|desa|kecamatan|kawasan|city|province|island|country)\s+)?"
                    r"|(?P<noun2>(?:[Kk]ota|[Kk]abupaten|[Pp]rovinsi|[Pp]ropinsi|[Pp]ulau|[Nn]egara|[Dd]esa|[Kk]ecamatan)\s+))"
                    r"(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})")
NOT_NAMES = frozenset(INDONESIAN_MONTHS) | frozenset("""senin selasa rabu kamis jumat sabtu minggu the dalam pada
dengan dan yang ini itu hal luar negeri besar agung utama umum daerah pusat republik kerajaan""".split())
_EXPANSION_WORDS = {"dan", "dari", "untuk", "of", "and", "the", "for", "di", "ke", "pada", "&"}
_SEPARATOR = re.compile(r"[;.!?\n—]\s|[;\n—]")


def short_answer(question: str, asked: Asked, quote_text: str, answer_p: float = 1.0, model: SpanModel | None = None,
                 weights: Mapping[str, float] | None = None, settings: Settings = DEFAULT,
                 typed: str | None = None) -> ShortAnswer | None:
    """Return the span of quote_text of the asked kind that the span model finds likeliest to be the exact answer,
    when its probability reaches the fitted threshold; else None (never a guess).  question: as understood, chat
    forms written out (QueryPlan.plain); typed: as typed, whose capitals mark its abbreviations (None: question);
    asked: what it asks for (QueryPlan.asked); answer_p: the probability that the quote answers the question
    (answerable.py); weights: the question terms' idf in the corpus."""
    if asked.kind is None or not quote_text.strip():
        return None
    found = candidates(question, quote_text, asked, settings, typed)
    if not found:
        return None
    model = model or span_model()
    x = span_features(question, quote_text, asked, found, answer_p, weights, settings)
    p = model.probability(x)
    best = int(np.argmax(p))
    cell = in_matching_cell(question, asked, quote_text, found)
    if cell is not None:                       # a table row: the column the question names decides, not the model
        best = cell
    elif p[best] < model.threshold:
        return None
    s, e, _ = found[best]
    return ShortAnswer(quote_text[s:e], s, e, asked.kind, round(float(p[best]), 4))


def candidates(question: str, quote_text: str, asked: Asked, settings: Settings = DEFAULT,
               typed: str | None = None) -> list[tuple[int, int, int]]:
    """Return the spans of quote_text of the asked kind (start, end, specificity), none already in the question
    (typed: the question as typed, whose abbreviations an expansion spells out; None: question)."""
    kind = asked.kind
    if kind is None:
        return []
    held = _plain_set(question)
    out: list[tuple[int, int, int]] = []
    for s, e, rank in _found(quote_text, kind, asked.counted, asked.unit,
                             (typed or question) if kind == "expansion" else "", settings.max_expansion_words):
        if kind in ("person", "place", "name"):
            s, e = _without_asked_words(quote_text, s, e, question)
        if _plain(quote_text[s:e]) not in held and not _in_question(quote_text[s:e], question, kind) \
                and (s, e) not in [(a, b) for a, b, _ in out]:
            out.append((s, e, rank))
    return out


@lru_cache(maxsize=20_000)
def _found(text: str, kind: str, counted: str | None, unit: str | None, question: str,
           longest: int) -> tuple[tuple[int, int, int], ...]:
    """Return the spans of text of a kind (numbers: ranked higher in the unit asked, counted: the word after
    "berapa", unit: Asked.unit; expansions: of the question's abbreviations, of at most `longest` words), memoised: one
    sentence is read again for many questions."""
    finder = {"date": _date_spans, "number": lambda t: _number_spans(t, counted, unit), "person": _people,
              "place": _places, "expansion": lambda t: _expansions(t, question, longest),
              "name": lambda t: [(a, b, 0) for a, b in _names(t)]}[kind]
    return tuple(finder(text))


# --- candidates: (start, end, rank); a higher rank wins before closeness to the question's words ---------------
def _dates(text: str) -> list[tuple[int, int, int]]:
    """Return the dates of text, each once (a year inside a full date is not a date of its own)."""
    out: list[tuple[int, int, int]] = []
    for pattern, specificity in _DATES:
        for m in pattern.finditer(text):
            span = m.span("year") if "year" in pattern.groupindex else m.span()
            if not _overlaps(span, out) and not _in_url(text, span[0]):
                out.append((*span, specificity))
    return out


def _date_spans(text: str) -> list[tuple[int, int, int]]:
    """Return the dates of text and the shorter dates that end them ("Juli 1914" and "1914" of "28 Juli 1914",
    "17 Desember 1934" of "16-17 Desember 1934") and each without its era ("1332" of "1332 M"): a gold answer is
    written as the question wants it ("kapan ... lahir" may want the year only)."""
    out: list[tuple[int, int, int]] = []
    for start, end, specificity in _dates(text):
        found = [(start, end, specificity)]
        for pattern, inner in _DATES:
            for m in pattern.finditer(text, start, end):
                if m.end() == end and m.start() > start and "year" not in pattern.groupindex:
                    found.append((m.start(), m.end(), min(inner, specificity)))
        year = re.search(r"(?<=\s)\d{3,4}$", text[start:end])       # the year of a date with an older one
        if year:
            found.append((start + year.start(), end, 1))
        for s, e, k in list(found):
            era = re.search(rf"\s*{ERAS}$", text[s:e])
            if era and text[s:s + era.start()].strip():
                found.append((s, s + era.start(), k))
        out.extend(f for f in dict.fromkeys(found))
    return out


def _number_spans(text: str, counted: str | None, unit: str | None) -> list[tuple[int, int, int]]:
    """Return the amounts of text, each also without the word that counts it ("5 tahun" and "5")."""
    out = []
    for start, end, rank in _numbers(text, counted, unit):
        out.append((start, end, rank))
        bare = re.match(r"(?:\S+\s?)?\d[\d.,]*(?:\s?%)?|[A-Za-z]+(?=\s)", text[start:end])
        if bare and start + bare.end() < end and text[start:start + bare.end()].strip():
            out.append((start, start + bare.end(), rank & 2))
    return out


def _numbers(text: str, counted: str | None, unit: str | None) -> list[tuple[int, int, int]]:
    """Return amounts with their currency, scale and unit; dates, years, labels and URLs are not amounts.  Those in
    the unit asked rank higher: the word counted ("berapa jiwa": "jiwa"), a form of the unit (Asked.unit "orang":
    "jiwa", "penduduk"; "area": "km²", "hektare"), or a duration asked "berapa lama"."""
    dates = [(s, e) for s, e, _ in _dates(text)]
    labels = [m.span() for m in _LABEL.finditer(text)]
    lower = text.lower()
    out: list[tuple[int, int, int]] = []
    for m in [*_NUMBER.finditer(text), *WORD_NUMBER.finditer(text)]:
        start, end = m.span()
        if _overlaps((start, end), dates) or _overlaps((start, end), labels) or _in_url(text, start):
            continue
        after = _UNIT_AFTER.match(text, end)
        word = after.group(2).lower() if after else ""
        if after is not None and not after.group(1) and after.group(2) not in ATTACHED:
            continue                                   # "5G", "3D", "2nd": a name, not an amount
        has_unit = bool(after) and (word in UNITS or word == counted)
        if has_unit and after is not None:
            end = after.end()
        worded = m.re is WORD_NUMBER
        marked = (bool(re.search(r"[%$€£¥₩]|rp|usd|idr|rm|krw", m.group(0), re.I))
                  or bool(re.search(_SCALE, m.group(0), re.I)))
        if worded and not has_unit and (m.group(0).lower() in ("satu", "one") or text[end:end + 6] == " belah"):
            continue                                   # "salah satu", "dua belah pihak": not an amount
        if not (has_unit or marked) and re.fullmatch(YEAR, m.group(0)):
            continue                                   # a bare year is a date
        if text[start - 1:start] in ("/", "-") or text[end:end + 1] in ("/",):
            continue                                   # part of a code or a range written without spaces
        fits = (counted is not None and (word == counted or (counted == "lama" and word in DURATION))) \
            or (unit is not None and in_unit(lower, start, m.end(), unit))
        out.append((start, end, 2 * fits + (has_unit or marked)))
    return out


_WORD = r"[A-Z](?:[a-z]|['-][A-Za-z])[\w'-]*"         # a capitalised word, not one in capitals (a heading's)
_INITIALS = r"(?:[A-Z]\.\s?){1,3}"                   # "J. K. Rowling", "L.B. Moerdani", "Monkey D. Luffy"
_CAPITALS = re.compile(rf"\b(?:{_INITIALS})?{_WORD}(?:\s+(?:(?:bin|binti|van|von|der|de|da|al|el)\s+|{_INITIALS})?"
                       rf"{_WORD}){{0,4}}")
_AND = re.compile(r"(?:,\s*|\s+(?:dan|serta|and|&)\s+)")   # between the names of a list ...
_LAST = re.compile(r",?\s+(?:dan|serta|and|&)\s+")            # ... the last two of which a conjunction joins
_COMMA = re.compile(r",\s*")                                 # between the tiers of a place: "Cepu, Blora, Jawa Tengah"


def _names(text: str) -> list[tuple[int, int]]:
    """Return every run of capitalised words ("Joko Widodo", "Kota Makassar", "Seo Sung Heo"), without a title
    or month name at either end."""
    out = []
    for m in _CAPITALS.finditer(text):
        words = [(w.start() + m.start(), w.end() + m.start()) for w in re.finditer(r"\S+", m.group(0))]
        while words and text[words[0][0]:words[0][1]].lower() in NOT_NAMES | PERSON_CUES:
            words = words[1:]
        while words and text[words[-1][0]:words[-1][1]].lower() in NOT_NAMES | _EXPANSION_WORDS:
            words = words[:-1]
        if words:
            out.append((words[0][0], words[-1][1]))
    return out


def _people(text: str) -> list[tuple[int, int, int]]:
    """Return names (runs of capitalised words) and lists of them ("Larry Page dan Sergey Brin"); the rank says a
    role word (menteri, oleh...) stands close before."""
    out, names = [], _names(text)
    for start, end in names + _runs(text, names, _AND, _LAST):
        before = [w.lower().strip(",.:;()") for w in text[:start].split()[-4:]]
        out.append((start, end, int(any(w in PERSON_CUES for w in before))))
    return out


def _runs(text: str, names: list[tuple[int, int]], between: re.Pattern[str], last: re.Pattern[str] | None = None,
          longest: int = 4) -> list[tuple[int, int]]:
    """Return the runs of 2..longest of text's names (_names) that only `between` separates ("Burbank, California"),
    the last two separated by `last` when given ("A, B dan C" is a list, "Thailand, Don Pramudwinai" is not)."""
    out = []
    for i in range(len(names)):
        for j in range(i + 1, min(i + longest, len(names))):
            gap = text[names[j - 1][1]:names[j][0]]
            if not between.fullmatch(gap):
                break
            if last is None or last.fullmatch(gap):
                out.append((names[i][0], names[j][1]))
    return out


def _places(text: str) -> list[tuple[int, int, int]]:
    """Return places: runs of capitalised words, also with the place noun before them ("Kota Makassar"); the rank
    says di / ke / dari or a place noun stands right before."""
    out, names = [], _names(text)
    for start, end in names + _runs(text, names, _COMMA):
        before = [w.lower().strip(",.:;()") for w in text[:start].split()[-2:]]
        cued = bool(before) and (before[-1] in ("di", "ke", "dari", "in", "at", "from") or before[-1] in PLACE_NOUNS)
        out.append((start, end, int(cued)))
        first = re.match(r"\S+\s+", text[start:end])
        if first and first.group(0).strip().lower() in PLACE_NOUNS:     # "Kota Makassar" is also "Makassar"
            out.append((start + first.end(), end, 1))
        noun = re.search(r"\b(" + "|".join(PLACE_NOUNS) + r")\s+$", text[:start], re.I)
        if noun:
            out.append((noun.start(1), end, 1))
    return out


def _expansions(text: str, question: str, longest: int) -> list[tuple[int, int, int]]:
    """Return the words the question's abbreviation stands for: 'Name (ABC)', 'ABC (Name)' or 'ABC singkatan dari
    Name'."""
    out = []
    for abbr in set(re.findall(r"\b[A-Z][A-Za-z]{1,9}\b", question)):
        if not (abbr.isupper() or sum(c.isupper() for c in abbr) >= 2):
            continue
        a = re.escape(abbr)
        patterns = (re.compile(rf"\b{a}\s*\(([^()]+)\)"),
                    re.compile(rf"([^()]+?)\s*\(\s*{a}\s*\)"),
                    re.compile(rf"\b{a}\s*,?\s*(?:singkatan dari|kependekan dari|kepanjangan dari|yaitu|stands for)"
                               rf"\s+([^,.;()]+)", re.I))
        for pattern in patterns:
            for m in pattern.finditer(text):
                span = _initials_span(text, m.start(1), m.end(1), abbr, longest)
                if span:
                    out.append((*span, 1))
    return out


def _initials_span(text: str, start: int, end: int, abbr: str, longest: int) -> tuple[int, int] | None:
    """Return the shortest run of at most `longest` words ending at `end` (or starting at `start`) whose initials
    spell abbr (a longer run is a sentence, not the name the letters stand for)."""
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w'-]+", text[start:end])]
    words = [(start + s, start + e, w) for s, e, w in words]
    letters = abbr.lower()
    for k in range(len(words)):                         # the name ends where the brackets start ...
        run = words[k:]
        if len(run) <= longest and _spells(run, letters):
            return run[0][0], run[-1][1]
    for k in range(len(words), 0, -1):                  # ... or starts where they open
        run = words[:k]
        if len(run) <= longest and _spells(run, letters):
            return run[0][0], run[-1][1]
    return None


def _spells(run: list[tuple[int, int, str]], letters: str) -> bool:
    """Tell whether the run's content words start with the letters in order (function words may be skipped)."""
    content = [w for _, _, w in run if w.lower() not in _EXPANSION_WORDS]
    if not content or content[0][0].lower() != letters[0] or run[0][2].lower() in _EXPANSION_WORDS:
        return False
    initials = "".join(w[0].lower() for w in content)
    parts = "".join(p[0].lower() for w in content for p in w.split("-"))
    return letters in (initials, parts)


def in_matching_cell(question: str, asked: Asked, text: str, found: list[tuple[int, int, int]]) -> int | None:
    """Return the index in found of the most specific span in the one table cell whose header names what the
    question asks ("PENANDA TANGAN" for "ditandatangani", "BERAKHIR" for "sampai kapan", "JANGKA WAKTU" for
    "berapa lama"); None when text is no table row, or no cell or more than one cell matches."""
    qterms = question_terms(question)
    matching = [m.span(2) for m in _ROW_CELL.finditer(text) if names_column(m.group(1), qterms, asked)]
    if len(matching) != 1:
        return None
    a, b = matching[0]
    inside = [k for k, (s, e, _) in enumerate(found) if a <= s and e <= b]
    return max(inside, key=lambda k: (found[k][2], found[k][1] - found[k][0]), default=None)


def names_column(header: str, qterms: AbstractSet[str], asked: Asked, whole: bool = True) -> bool:
    """Tell whether a table column's header names what the question asks: one of the question's words, or an end
    ("BERAKHIR") asked when something ends; whole: also the header's words written as one ("PENANDA TANGAN" ~
    "penandatangan") and a length ("JANGKA WAKTU") asked how long (the span model's feature reads the first two)."""
    words = set(terms(tokenise(header)))
    if whole:
        words |= set(terms(tokenise(header.replace(" ", ""))))
    return bool(words & qterms) or (asked.ends and bool(set(header.lower().split()) & END_CUES)) \
        or (whole and asked.lasts and bool(words & LENGTH_HEADERS))


# --- helpers ----------------------------------------------------------------------------------------------------
def _related(text: str, start: int, end: int, qterms: AbstractSet[str], spans: list[tuple[int, int]],
             weights: Mapping[str, float] | None = None, reach: int = DEFAULT.context_words) -> tuple[float, float]:
    """Return how many of the question's terms stand just before text[start:end], and just after it (weights: each
    term counts its weight, e.g. its idf, instead of 1).

    The words before count first (Indonesian names the thing before its amount: "penghasilan US$114,5 miliar");
    each side stops at a clause or cell boundary, at another candidate, or after `reach` words.
    """
    lo = max([e for s, e in spans if e <= start], default=0)
    hi = min([s for s, e in spans if s >= end], default=len(text))
    before = _SEPARATOR.split(text[lo:start])[-1].split()
    left = before[max(0, len(before) - reach):]        # not [-reach:]: reach 0 takes no word
    right = _SEPARATOR.split(text[end:hi])[0].split()[:reach]
    return _shared(left, qterms, weights), _shared(right, qterms, weights)


def _shared(words: list[str], qterms: AbstractSet[str], weights: Mapping[str, float] | None = None) -> float:
    """Return how many question terms the words hold (two words written as one count: "penanda tangan"), each
    counted at its weight when weights are given."""
    near = terms(tokenise(" ".join(words)))
    held = qterms & (set(near) | {a + b for a, b in zip(near, near[1:])})
    return float(sum(weights.get(t, 1.0) for t in held)) if weights is not None else float(len(held))


def _without_asked_words(text: str, start: int, end: int, question: str) -> tuple[int, int]:
    """Return the name span text[start:end] without leading words the question holds ("Gimje Seo Sung Heo" asked
    about Gimje -> "Seo Sung Heo"); the span unchanged when every word is the question's."""
    asked = set(_plain(question).split())
    words = list(re.finditer(r"\S+", text[start:end]))
    k = 0
    while k < len(words) - 1 and _plain(words[k].group(0)) in asked:
        k += 1
    return (start + words[k].start(), end) if words else (start, end)


def _plain(text: str) -> str:
    """Return text reduced to lower-case letters and digits, for comparing spans with the question."""
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


@lru_cache(maxsize=1024)
def question_terms(question: str) -> frozenset[str]:
    """Return the question's index terms, memoised: read for every candidate sentence of one question."""
    return frozenset(terms(tokenise(question)))


@lru_cache(maxsize=1024)
def _plain_set(question: str) -> frozenset[str]:
    """Return every date and number already written in the question (plain), which cannot be its answer."""
    found = {_plain(question[s:e]) for s, e, _ in _dates(question)}
    found |= {_plain(m.group(0)) for m in _NUMBER.finditer(question)}
    return frozenset(found)


def _in_question(span: str, question: str, kind: str) -> bool:
    """Tell whether a name or place is already named in the question (the answer to 'di mana X' is not X)."""
    if kind not in ("person", "place", "name"):
        return False
    words = set(_plain(question).split())
    own = [w for w in _plain(span).split() if w not in PLACE_NOUNS]
    return bool(own) and all(w in words for w in own)


def _overlaps(span: tuple[int, int], others) -> bool:
    """Tell whether span overlaps one of others (each (start, end, ...))."""
    return any(span[0] < o[1] and o[0] < span[1] for o in others)


def _in_url(text: str, offset: int) -> bool:
    """Tell whether text[offset] lies inside a web address."""
    return any(m.start() <= offset < m.end() for m in URL.finditer(text))


# --- the span model: which candidate is the exact answer, and is it sure enough to be shown ---------------------
SPAN_FEATURES = ("bias", "date", "number", "person", "place", "expansion", "name", "specific", "unit_fits",
                 "left_terms", "right_terms", "near", "cued", "words", "alone", "best_context", "answer_p",
                 "clause_start", "in_brackets", "header", "sentence_terms")
KINDS = ("date", "number", "person", "place", "expansion", "name")
WEIGHTS = Path(__file__).resolve().parent / "data" / "short_answer.json"
END_CUES = frozenset("berakhir akhir hingga sampai s.d s/d until ends ended expires".split())
LENGTH_HEADERS = frozenset(" ".join(DURATION_LABELS).split()) | {"durasi", "lama", "masa", "duration", "period", "term"}
_HEADER = r"([^;:—]{2,40}):\s"                                 # a table row's column header, as rows are written
_ROW_CELL = re.compile(rf"(?:;\s|—\s){_HEADER}([^;]*)")        # "; JANGKA WAKTU: 5 tahun" in a table row
_CELL = re.compile(rf"(?:^|;\s|—\s){_HEADER}")                 # "; BERAKHIR: " before a table row's value


@dataclass(frozen=True)
class SpanModel:
    """Fitted boosted trees over SPAN_FEATURES (one row per tree, leaves pointing at themselves) and the probability a
    span needs to be shown."""

    feature: np.ndarray      # (trees, nodes) feature a node splits on
    split: np.ndarray        # (trees, nodes) a row goes left when its feature is <= this
    left: np.ndarray         # (trees, nodes) child nodes; a leaf's children are itself
    right: np.ndarray
    value: np.ndarray        # (trees, nodes) what a leaf adds to the log-odds
    baseline: float
    depth: int               # the deepest leaf: this many steps reach every leaf
    threshold: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Return sigmoid(baseline + the leaf values the rows reach) per candidate row, all trees at once."""
        x = np.atleast_2d(np.asarray(x, np.float64))
        trees = np.arange(self.feature.shape[0])[None, :]
        node = np.zeros((x.shape[0], self.feature.shape[0]), np.int64)
        rows = np.arange(x.shape[0])[:, None]
        for _ in range(self.depth):
            goes_left = x[rows, self.feature[trees, node]] <= self.split[trees, node]
            node = np.where(goes_left, self.left[trees, node], self.right[trees, node])
        raw = self.baseline + self.value[trees, node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-np.clip(raw, -30, 30)))


def span_model() -> SpanModel:
    """Return the fitted span model (raises ModelFileError when the file is missing or corrupt)."""
    return _span_model(WEIGHTS)


@lru_cache(maxsize=2)
def _span_model(path: Path) -> SpanModel:
    """Return the span model read from path, every tree checked (children in range, features known, finite)."""
    data = read_fitted(path, SPAN_FEATURES)
    try:
        trees = data["trees"]
        size = max(len(t["value"]) for t in trees)
        arrays = {k: np.zeros((len(trees), size), np.float64 if k in ("split", "value") else np.int64)
                  for k in ("feature", "split", "left", "right", "value")}
        for i, tree in enumerate(trees):
            n = len(tree["value"])
            if any(len(tree[k]) != n for k in arrays):
                raise ValueError("tree arrays differ in length")
            for k, a in arrays.items():
                a[i, :n] = tree[k]
            arrays["left"][i, n:] = arrays["right"][i, n:] = np.arange(n, size)
        model = SpanModel(**arrays, baseline=float(data["baseline"]), depth=int(data["depth"]),
                          threshold=float(data["threshold"]))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ModelFileError(f"{path.name}: pohon rusak / bad trees ({e})") from None
    nodes = np.arange(size)
    if not (np.isfinite(model.split).all() and np.isfinite(model.value).all() and np.isfinite(model.baseline)
            and 0.0 <= model.threshold <= 1.0 and 0 < model.depth <= size
            and ((model.feature >= 0) & (model.feature < len(SPAN_FEATURES))).all()
            and ((model.left >= 0) & (model.left < size) & (model.right >= 0) & (model.right < size)).all()
            and ((model.left == nodes) == (model.right == nodes)).all()):
        raise ModelFileError(f"{path.name}: pohon rusak / bad trees")
    return model


def span_features(question: str, text: str, asked: Asked, found: list[tuple[int, int, int]],
                  answer_p: float, weights: Mapping[str, float] | None = None,
                  settings: Settings = DEFAULT) -> np.ndarray:
    """Return the span model's features (SPAN_FEATURES order) of each candidate span of text (weights: each question
    term's weight, its idf in the corpus; the words beside a span count as a share of the question's weight)."""
    qterms = question_terms(question)
    weights = weights or {}
    total = sum(weights.get(t, 1.0) for t in qterms) or 1.0
    kind, asks_end = asked.kind, asked.ends
    spans = [(s, e) for s, e, _ in found]
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w$%'-]+", text)]
    where = [k for k, (_, _, w) in enumerate(words) if set(terms(tokenise(w))) & qterms]
    context = [tuple(v / total for v in _related(text, s, e, qterms, spans, weights, settings.context_words))
               for s, e in spans]
    best = max(range(len(found)), key=lambda k: (found[k][2], *context[k], -found[k][0]))
    x = np.zeros((len(found), len(SPAN_FEATURES)))
    for k, (s, e, rank) in enumerate(found):
        inside = [i for i, (a, b, _) in enumerate(words) if a < e and s < b] or [0]
        gap = min((min(abs(i - w) for i in inside) for w in where), default=len(words))
        before = text[max(0, s - 40):s]
        left = [w.lower() for w in re.findall(r"[\w./]+", before)[-3:]]
        cell = _CELL.search(text[max(0, s - 60):s] + " ")
        header = cell is not None and text[max(0, s - 60):s].rstrip().endswith(":") and names_column(
            cell.group(1), qterms, asked, whole=False)
        sentence = _SEPARATOR.split(text[:s])[-1] + text[s:e] + _SEPARATOR.split(text[e:])[0]
        held = set(terms(tokenise(sentence))) & qterms
        x[k] = (1.0, *(kind == name for name in KINDS),
                rank / 3 if kind == "date" else min(rank, 1), float(kind == "number" and rank >= 2),
                context[k][0], context[k][1], 1.0 / (1.0 + gap),
                float(rank >= 1) if kind in ("person", "place") else float(bool(left) and left[-1] in (
                    "pada", "tahun", "sejak", "tanggal", "on", "in", "since")),
                np.log1p(len(text[s:e].split())), 1.0 / len(found), float(k == best), answer_p,
                float(not text[:s].strip() or bool(re.search(r"[.!?;:\n]\s*$", text[:s]))),
                float(text[:s].count("(") > text[:s].count(")")),
                float(header or (asks_end and bool(left) and left[-1] in END_CUES)),
                len(held) / max(1, len(qterms)))
    return x


def kind_context(question: str, asked: Asked, text: str, weights: Mapping[str, float],
                 settings: Settings = DEFAULT) -> float:
    """Return how closely a value of the asked kind in text stands by the question's words: the largest share of the
    question's weight (idf) beside any one candidate span, clause- and cell-bounded; 0 without such a span."""
    if asked.kind is None or asked.kind == "expansion":
        return 0.0
    qterms = question_terms(question)
    if not _shared([text], qterms):
        return 0.0           # no question word in the sentence, so none beside a span (read once, not per span)
    found = candidates(question, text, asked, settings)
    if not found:
        return 0.0
    total = sum(weights.get(t, 1.0) for t in qterms) or 1.0
    spans = [(s, e) for s, e, _ in found]
    return max(sum(_related(text, s, e, qterms, spans, weights, settings.context_words)) for s, e in spans) / total
