"""The short answer: the exact span of the asked kind (a date, a number, a name, a place, an expansion) in a quote."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .analysis import terms, tokenise

# chat spellings of the words that say what kind of answer is wanted
CHAT_FORMS = {"tgl": "tanggal", "tg": "tanggal", "thn": "tahun", "th": "tahun", "brp": "berapa", "brapa": "berapa",
              "kpn": "kapan", "kpan": "kapan", "dmn": "dimana", "dmana": "dimana", "sapa": "siapa", "bln": "bulan",
              "sbg": "sebagai", "jml": "jumlah", "org": "orang", "thn2": "tahun"}
_KINDS = (  # checked in this order: "tahun berapa" asks for a date, not a number
    ("expansion", re.compile(r"\b(kepanjangan(nya)?|singkatan|kependekan|akronim|stands? for|abbreviation)\b")),
    ("date", re.compile(r"\b(kapan(kah)?|bilamana|(tanggal|tahun|bulan)\s+(berapa|apa)|when|what (year|date)"
                        r"|which year|in what year)\b")),
    ("person", re.compile(r"\b(siapa(kah)?|who|whom)\b")),
    ("place", re.compile(r"\b(di ?mana(kah)?|where)\b")),
    ("number", re.compile(r"\b(berapa(kah)?|how (many|much|long))\b")),
)
_MONTH = (r"(?:januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|november|nopember"
          r"|desember|january|february|march|may|june|july|august|october|december"
          r"|jan|feb|mar|apr|jun|jul|agu|agt|ags|aug|sep|sept|okt|oct|nov|des|dec)\.?")
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_DATES = (  # (pattern, specificity): a full date says more than a month, a month more than a year
    (re.compile(rf"\b\d{{1,2}}\s+{_MONTH}\s+{_YEAR}\b", re.I), 3),
    (re.compile(rf"\b{_MONTH}\s+\d{{1,2}},?\s+{_YEAR}\b", re.I), 3),
    (re.compile(rf"\b\d{{1,2}}[-/]\d{{1,2}}[-/](?:{_YEAR}|\d\d)\b"), 3),
    (re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I), 2),
    (re.compile(rf"(?<![\d.,]){_YEAR}(?![\d.,]\d)"), 1),
)
_CURRENCY = r"(?:US\$|USD|Rp\.?|IDR|S\$|RM|KRW|\$|€|£|¥|₩)"
_SCALE = r"(?:ribu|juta|miliar|milyar|triliun|thousand|million|billion|trillion)"
_NUMBER_WORDS = ("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas seratus seribu sejuta "
                 "belasan puluhan ratusan ribuan one two three four five six seven eight nine ten twelve hundred")
_NUMBER = re.compile(rf"(?:{_CURRENCY}\s?)?(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])(?:\s?%|\s+{_SCALE}\b)?", re.I)
WORD_NUMBER = re.compile(rf"\b(?:{'|'.join(_NUMBER_WORDS.split())})\b", re.I)   # an amount in words
UNITS = frozenset("""persen percent tahun bulan hari minggu jam menit detik kali orang jiwa penduduk km kilometer
meter m hektar hektare ha ton kg kilogram unit buah kota negara bidang poin butir pasal proyek program lembaga
perusahaan sektor tahap kegiatan years months days weeks hours minutes people persons cities countries fields
percent hectares points""".split())
DURATION = frozenset("tahun bulan hari minggu jam menit detik years months days weeks hours minutes".split())
_UNIT_AFTER = re.compile(r"\s+([A-Za-z]+)")
URL = re.compile(r"(?:https?://|www\.)\S+")
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
NOT_NAMES = frozenset("""januari februari maret april mei juni juli agustus september oktober november desember
senin selasa rabu kamis jumat sabtu minggu the dalam pada dengan dan yang ini itu hal luar negeri besar agung
utama umum daerah pusat republik kerajaan""".split())
_EXPANSION_WORDS = {"dan", "dari", "untuk", "of", "and", "the", "for", "di", "ke", "pada", "&"}
CONTEXT_WORDS = 4            # words each side of a candidate that say what it is (a table cell, a noun phrase)
MAX_EXPANSION_WORDS = 10     # an expansion longer than this is a sentence, not the name the letters stand for
_SEPARATOR = re.compile(r"[;.!?\n—]\s|[;\n—]")


@dataclass(frozen=True)
class ShortAnswer:
    """The exact span of a quote that answers the question: text == quote_text[start:end]."""

    text: str
    start: int
    end: int
    kind: str


def normalise_question(question: str) -> str:
    """Return the question lower-cased with chat spellings (tgl, thn, brp, kpn, dmn) written out."""
    words = re.split(r"(\W+)", question.lower())
    return "".join(CHAT_FORMS.get(w, w) for w in words)


def answer_kind(question: str) -> str | None:
    """Return the kind of answer the question asks for: date, number, person, place, expansion, or None."""
    q = normalise_question(question)
    for kind, pattern in _KINDS:
        if pattern.search(q):
            return kind
    return None


def short_answer(question: str, quote_text: str) -> ShortAnswer | None:
    """Return the span of quote_text of the asked kind that fits the question best, or None (never a guess)."""
    kind = answer_kind(question)
    if kind is None or not quote_text.strip():
        return None
    q = normalise_question(question)
    finder = {"date": _dates, "number": lambda t: _numbers(t, _asked_unit(q)), "person": _people,
              "place": _places, "expansion": lambda t: _expansions(t, question)}[kind]
    asked = _plain_set(question)
    found = [(s, e, rank) for s, e, rank in finder(quote_text) if _plain(quote_text[s:e]) not in asked
             and not _in_question(quote_text[s:e], question, kind)]
    if not found:
        return None
    qterms = set(terms(tokenise(question)))
    spans = [(s, e) for s, e, _ in found]
    best = max(found, key=lambda c: (c[2], *_related(quote_text, c[0], c[1], qterms, spans), -c[0]))
    return ShortAnswer(quote_text[best[0]:best[1]], best[0], best[1], kind)


# --- candidates: (start, end, rank); a higher rank wins before closeness to the question's words ---------------
def _dates(text: str) -> list[tuple[int, int, int]]:
    """Return the dates of text, each once (a year inside a full date is not a date of its own)."""
    out: list[tuple[int, int, int]] = []
    for pattern, specificity in _DATES:
        for m in pattern.finditer(text):
            if not _overlaps(m.span(), out) and not _in_url(text, m.start()):
                out.append((m.start(), m.end(), specificity))
    return out


def _numbers(text: str, unit: str | None) -> list[tuple[int, int, int]]:
    """Return amounts with their currency, scale and unit; dates, years, labels and URLs are not amounts."""
    dates = [(s, e) for s, e, _ in _dates(text)]
    labels = [m.span() for m in _LABEL.finditer(text)]
    out: list[tuple[int, int, int]] = []
    for m in [*_NUMBER.finditer(text), *WORD_NUMBER.finditer(text)]:
        start, end = m.span()
        if _overlaps((start, end), dates) or _overlaps((start, end), labels) or _in_url(text, start):
            continue
        after = _UNIT_AFTER.match(text, end)
        word = after.group(1).lower() if after else ""
        has_unit = bool(after) and (word in UNITS or word == unit)
        if has_unit:
            end = after.end()
        worded = m.re is WORD_NUMBER
        marked = bool(re.search(r"[%$€£¥₩]|rp|usd|idr|rm|krw", m.group(0), re.I)) or bool(re.search(_SCALE, m.group(0), re.I))
        if worded and not has_unit:
            continue                                   # "salah satu", "dua belah pihak": not an amount
        if not (has_unit or marked) and re.fullmatch(_YEAR, m.group(0)):
            continue                                   # a bare year is a date
        if text[start - 1:start] in ("/", "-") or text[end:end + 1] in ("/",):
            continue                                   # part of a code or a range written without spaces
        fits = unit is not None and (word == unit or (unit == "lama" and word in DURATION))
        out.append((start, end, 2 * fits + (has_unit or marked)))
    return out


def _people(text: str) -> list[tuple[int, int, int]]:
    """Return names of two or more capitalised words with a role word (menteri, oleh, perwakilan...) just before."""
    out = []
    for m in _NAME.finditer(text):
        start, words = m.start(), m.group(0).split()
        while len(words) > 2 and words[0].lower() in PERSON_CUES:      # "Presiden Joko Widodo": the title goes
            start = text.index(words[1], start + len(words[0]))
            words = words[1:]
        before = text[:start].split()[-4:]
        # "perwakilan dari kota Gimje Seo Sung Heo": the place named after the place noun is not the name
        lowered = [w.lower().strip(",.:;()") for w in before]
        if lowered and lowered[-1] in PLACE_NOUNS and len(words) > 2:
            start += len(words[0]) + text[start + len(words[0]):].find(words[1])
            words = words[1:]
            before = text[:start].split()[-4:]
            lowered = [w.lower().strip(",.:;()") for w in before]
        if any(w.lower() in NOT_NAMES | PLACE_NOUNS | PERSON_CUES for w in words):
            continue
        if not any(w in PERSON_CUES for w in lowered) or (lowered and lowered[-1] in PLACE_NOUNS):
            continue
        out.append((start, m.end(), 1))
    return out


def _places(text: str) -> list[tuple[int, int, int]]:
    """Return places: a capitalised name after di / ke / dari or after a place noun (kota, provinsi...)."""
    out = []
    for m in _PLACE.finditer(text):
        name = m.group("name").split()
        while name and name[-1].lower() in NOT_NAMES:
            name.pop()
        if not name or name[0].lower() in NOT_NAMES:
            continue
        start = m.start("noun") if m.group("noun") else (m.start("noun2") if m.group("noun2") else m.start("name"))
        end = m.start("name") + len(" ".join(name))
        out.append((start, end, 1))
    return out


def _expansions(text: str, question: str) -> list[tuple[int, int, int]]:
    """Return the words the question's abbreviation stands for: 'Name (ABC)', 'ABC (Name)' or 'ABC singkatan dari Name'."""
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
                span = _initials_span(text, m.start(1), m.end(1), abbr)
                if span:
                    out.append((*span, 1))
    return out


def _initials_span(text: str, start: int, end: int, abbr: str) -> tuple[int, int] | None:
    """Return the shortest run of words ending at `end` (or starting at `start`) whose initials spell abbr."""
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w'-]+", text[start:end])]
    words = [(start + s, start + e, w) for s, e, w in words]
    letters = abbr.lower()
    for k in range(len(words)):                         # the name ends where the brackets start ...
        run = words[k:]
        if len(run) <= MAX_EXPANSION_WORDS and _spells(run, letters):
            return run[0][0], run[-1][1]
    for k in range(len(words), 0, -1):                  # ... or starts where they open
        run = words[:k]
        if len(run) <= MAX_EXPANSION_WORDS and _spells(run, letters):
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


# --- helpers ----------------------------------------------------------------------------------------------------
def _asked_unit(q: str) -> str | None:
    """Return the word right after 'berapa' ("berapa bidang" -> bidang, "berapa lama" -> lama)."""
    m = re.search(r"\b(?:berapa|how many|how much)\s+(\w+)", q)
    return m.group(1) if m else None


def _related(text: str, start: int, end: int, qterms: set[str], spans: list[tuple[int, int]]) -> tuple[int, int]:
    """Return how many of the question's terms stand just before text[start:end], and just after it.

    The words before count first (Indonesian names the thing before its amount: "penghasilan US$114,5 miliar");
    each side stops at a clause or cell boundary, at another candidate, or after CONTEXT_WORDS words.
    """
    lo = max([e for s, e in spans if e <= start], default=0)
    hi = min([s for s, e in spans if s >= end], default=len(text))
    left = _SEPARATOR.split(text[lo:start])[-1].split()[-CONTEXT_WORDS:]
    right = _SEPARATOR.split(text[end:hi])[0].split()[:CONTEXT_WORDS]
    return _shared(left, qterms), _shared(right, qterms)


def _shared(words: list[str], qterms: set[str]) -> int:
    """Return how many question terms the words hold (two words written as one count: "penanda tangan")."""
    near = terms(tokenise(" ".join(words)))
    return len(qterms & (set(near) | {a + b for a, b in zip(near, near[1:])}))


def _plain(text: str) -> str:
    """Return text reduced to lower-case letters and digits, for comparing spans with the question."""
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def _plain_set(question: str) -> set[str]:
    """Return every date and number already written in the question (plain), which cannot be its answer."""
    found = {_plain(question[s:e]) for s, e, _ in _dates(question)}
    found |= {_plain(m.group(0)) for m in _NUMBER.finditer(question)}
    return found


def _in_question(span: str, question: str, kind: str) -> bool:
    """Tell whether a name or place is already named in the question (the answer to 'di mana X' is not X)."""
    if kind not in ("person", "place"):
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


def for_answer(question: str, quotes) -> ShortAnswer | None:
    """Return the short answer taken from the best quote (quotes[0]) only, or None: a lower quote is never used."""
    return short_answer(question, quotes[0].text) if quotes else None
