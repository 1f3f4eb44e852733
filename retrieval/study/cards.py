"""Flashcards and quiz ("Latihan"): cloze cards from dates, numbers, names and terms, and glossary questions."""
from __future__ import annotations

import difflib
import random
import re
import zlib
from dataclasses import dataclass, replace

from ..model import Passage, Quote
from .common import body, lower_words, names_in, quote_of, sentences
from .dates import find_dates
from .glossary import Term, glossary
from .timeline import ROW_TITLE, Event, timeline

BLANK = "_____"
N_CHOICES = 4                  # the answer and three distractors, as in most school quizzes
PRIORITY = ("definition", "expansion", "date", "term", "number", "name")   # a sentence gives one card: its best kind
PROMPT = {"definition": "Apa yang dimaksud dengan {term}?", "expansion": "Apa kepanjangan dari {term}?"}
SUBJECT_SHARE = 0.05           # a name in more of the sentences than this is the subject: too easy to guess
CLOSE_NAMES = 6                # distractors for a name are drawn from the most alike this many (same first word ...)
_NUMBER = re.compile(r"(?<![\w/.,$-])\d+(?:[.,]\d+)*(?![\w/]|[.,]\d)")
_WORD_NUMBER = re.compile(r"\b(dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|two|three|four|five|six|"
                          r"seven|eight|nine|ten)\b(?=\s+[a-z])", re.I)
_MONTH_TAIL = re.compile(r"[A-Za-z]+\.?,?\s+\d{4}$")
_LABEL = re.compile(r"^\s*(?:[a-z]|\d{1,2})[.)]\s+")
# a title or office just before a name makes it a person's ("Menteri Luar Negeri RI, Retno Marsudi"): a person's
# distractors are other persons, a place's or body's never a person
PERSON_CUES = frozenset("menteri menlu presiden wakil walikota gubernur bupati camat lurah duta dubes raja ratu "
                        "sultan pangeran perdana direktur ketua kepala pimpinan perwakilan bapak ibu pak bu sdr "
                        "saudara tuan nyonya dr prof drs ir minister president mayor governor ambassador king queen "
                        "director chairman mr mrs ms".split())
PLACE_HEADS = frozenset("kota kabupaten provinsi negara pulau kepulauan teluk selat laut gunung danau sungai desa "
                        "kecamatan benua city state island".split())
PERSON_WINDOW = 5              # words before a name searched for such a title
SAME_NAME = 0.85               # a distractor this alike (difflib ratio, no spaces) is the answer misspelt, not another


@dataclass(frozen=True)
class Card:
    """A question on one quote: its answer is a verbatim piece of the quote; choices hold the answer."""

    prompt: str
    answer: str
    choices: tuple[str, ...]
    kind: str                      # definition | expansion | date | term | number | name
    quote: Quote
    section: str


@dataclass(frozen=True)
class _Fact:
    """A blankable piece of a sentence (before choices are drawn)."""

    kind: str
    value: str                      # what the choices compare ("2011-08", "lima", "Kota Gimje")
    start: int                      # offset in the passage
    end: int
    p: Passage
    a: int
    b: int


def make_cards(passages, n: int = 20, events: list[Event] | None = None,
               terms: list[Term] | None = None) -> list[Card]:
    """Return up to n cards, chosen round the sections so that no section or paragraph repeats before others."""
    shown = body(passages)
    events = timeline(passages) if events is None else events
    terms = glossary(passages) if terms is None else terms
    facts = _facts(shown, terms)
    n_sentences = sum(1 for _ in sentences(shown))
    seen: dict[str, set[tuple[int, int]]] = {}
    for f in facts:
        if f.kind == "name":
            seen.setdefault(f.value, set()).add((f.p.id, f.a))
    facts = [f for f in facts if f.kind != "name" or len(seen[f.value]) <= SUBJECT_SHARE * n_sentences]
    persons = {f.value for f in facts if f.kind == "name" and _after_title(f.p.text, f.start, f.value)}
    pools: dict[str, list[str]] = {}
    for f in facts:
        pools.setdefault(_pool(f, persons), [])
        if f.value not in pools[_pool(f, persons)]:
            pools[_pool(f, persons)].append(f.value)
    texts = {(f.kind, f.value): f.p.text[f.start:f.end] for f in reversed(facts)}
    for f in facts:              # "Desember 2006" (a day's month, verbatim) is a fair distractor for "Agustus 2011"
        tail = _MONTH_TAIL.search(f.p.text[f.start:f.end]) if f.kind == "date" and len(f.value) == 10 else None
        if tail and ("date", f.value[:7]) not in texts:
            texts[("date", f.value[:7])] = tail[0]
            pools.setdefault("date-7", []).append(f.value[:7])
    per_sentence: dict[tuple[int, int], _Fact] = {}
    for f in facts:
        key = (f.p.id, f.a)
        if key not in per_sentence or PRIORITY.index(f.kind) < PRIORITY.index(per_sentence[key].kind):
            per_sentence[key] = f
    sections: dict[tuple, list[_Fact]] = {}
    for f in sorted(per_sentence.values(), key=lambda f: (PRIORITY.index(f.kind), f.p.id, f.a)):
        sections.setdefault((f.p.source, f.p.section), []).append(f)
    chosen = _round_robin([sections[k] for k in sorted(sections, key=lambda k: min(f.p.id for f in sections[k]))], n)
    return spread_answers([_card(f, pools[_pool(f, persons)], texts) for f in chosen])


def spread_answers(cards: list[Card]) -> list[Card]:
    """Return the cards with each answer put at a place drawn in turn from shuffled rounds of all places (seeded by
    the prompts): over any 4 cards of 4 choices the answer is once in each place, so no place can be guessed."""
    rng = random.Random(zlib.crc32("\n".join(c.prompt for c in cards).encode()))
    rounds: dict[int, list[int]] = {}
    out = []
    for c in cards:
        n = len(c.choices)
        if n < 2:
            out.append(c)
            continue
        if not rounds.get(n):
            rounds[n] = rng.sample(range(n), n)
        place = rounds[n].pop()
        others = [x for x in c.choices if x != c.answer]
        out.append(replace(c, choices=(*others[:place], c.answer, *others[place:])))
    return out


def _round_robin(groups: list[list[_Fact]], n: int) -> list[_Fact]:
    """Take one fact per section in turn (a paragraph not used yet first) until n are taken."""
    out: list[_Fact] = []
    used: set[int] = set()
    queues = [list(g) for g in groups]
    while len(out) < n and any(queues):
        for q in queues:
            if not q or len(out) >= n:
                continue
            pick = next((f for f in q if f.p.id not in used), q[0])
            q.remove(pick)
            used.add(pick.p.id)
            out.append(pick)
    return out


def _after_title(text: str, start: int, name: str) -> bool:
    """Tell whether a name is a person's: a title heads it ("Presiden X", "bapak X"), or it follows a title as an
    apposition ("Menteri Luar Negeri RI, Retno Marsudi"); a name headed "Kota", "Negara" ... is a place."""
    first = name.split()[0].lower()
    if first in PLACE_HEADS:
        return False
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 80):start])[-PERSON_WINDOW:]
    if first in PERSON_CUES or (before and before[-1].lower() in PERSON_CUES):
        return True
    return text[:start].rstrip().endswith(",") and any(w.lower() in PERSON_CUES for w in before)


def _pool(f: _Fact, persons: set[str] | frozenset[str] = frozenset()) -> str:
    """Return the kind of value a fact's distractors must share (a day with days, a year with years, a person with
    persons ...)."""
    if f.kind == "name":
        return "name-person" if f.value in persons else "name"
    if f.kind == "date":          # value "2013" / "2011-08" / "2013-08-17", a range "2013/2018"
        return f"date-{len(f.value)}"
    if f.kind == "number":
        return "number-word" if f.value.isalpha() else "number"
    return f.kind


def _card(f: _Fact, pool: list[str], texts: dict[tuple[str, str], str]) -> Card:
    """Return the card of a fact, its distractors drawn from the other values of its kind."""
    q = quote_of(f.p, f.a, f.b)
    answer = f.p.text[f.start:f.end]
    if f.kind in PROMPT:
        term = f.value.split("\x00")[0]
        prompt = PROMPT[f.kind].format(term=term)
        others = sorted({v.split("\x00")[1] for v in pool if v != f.value} - {answer})
    else:
        prompt = f.p.text[f.a:f.start] + BLANK + f.p.text[f.end:f.b]
        others = sorted({texts[(f.kind, v)] for v in pool if v != f.value} - {answer})
    if f.kind == "name":
        squeeze = answer.replace(" ", "").lower()
        others = [o for o in others
                  if difflib.SequenceMatcher(None, squeeze, o.replace(" ", "").lower()).ratio() < SAME_NAME]
        first, size = answer.split()[0], len(answer.split())
        others = sorted(others, key=lambda o: (o.split()[0] != first, abs(len(o.split()) - size), o))[:CLOSE_NAMES]
    rng = random.Random(zlib.crc32(prompt.encode()))
    distractors = rng.sample(others, min(N_CHOICES - 1, len(others)))
    choices = [answer, *distractors]
    rng.shuffle(choices)
    return Card(prompt.strip(), answer, tuple(choices) if distractors else (), f.kind, q, f.p.section_path)


def _facts(shown: list[Passage], terms: list[Term]) -> list[_Fact]:
    """Return every blankable piece of every sentence."""
    out: list[_Fact] = []
    expanded_words: set[str] = set()
    for t in terms:
        if t.kind == "unexpanded":
            continue
        p, a, b = t.quote.passage, t.quote.start, t.quote.end
        for kind, said in (("definition", t.definition), ("expansion", t.expansion)):
            where = p.text.find(said, a, b) if said else -1
            if said and where >= 0:
                out.append(_Fact(kind, f"{t.term}\x00{said}", where, where + len(said), p, a, b))
        expanded_words.update(w.lower() for w in (t.expansion or "").split())
        if t.kind == "abbreviation":
            at = re.search(rf"\b{re.escape(t.term)}\b", p.text[a:b])
            if at:
                out.append(_Fact("term", t.term.upper(), a + at.start(), a + at.end(), p, a, b))
    lower = lower_words(shown)
    for p, a, b in sentences(shown):
        text = p.text[a:b]
        label = _LABEL.match(text)
        skip = label.end() if label else 0
        taken: list[tuple[int, int]] = []
        title_end = p.text.find(ROW_TITLE) - a if p.kind == "row" else -1
        for d in find_dates(text):
            if d.end <= title_end:           # a table's title is in every row: ask about the row's own date
                taken.append((d.start, d.end))
                continue
            s, e = _date_blank(text, d)
            taken.append((d.start, d.end))
            value = f"{d.date}/{d.end_date}" if d.end_date else d.date
            out.append(_Fact("date", value, a + s, a + e, p, a, b))
        for m in _NUMBER.finditer(text):
            if m.start() >= skip and not any(x <= m.start() < y for x, y in taken):
                out.append(_Fact("number", m[0], a + m.start(), a + m.end(), p, a, b))
        for m in _WORD_NUMBER.finditer(text):
            out.append(_Fact("number", m[0].lower(), a + m.start(), a + m.end(), p, a, b))
        for m in names_in(text, lower, expanded_words):
            out.append(_Fact("name", m[0], a + m.start(), a + m.end(), p, a, b))
    return out


def _date_blank(text: str, d) -> tuple[int, int]:
    """Return the span to blank for a date: the year alone for a year ("tahun ____"), else the whole date."""
    if d.precision == "year" and not d.end_date:
        y = text.rfind(d.date, d.start, d.end)
        return y, y + 4
    return d.start, d.end
