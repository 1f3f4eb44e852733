"""Question understanding: clean, write chat forms out, find the answer type, expand to the corpus's words.

question -> QueryPlan: the words to search (index terms), weighted expansions (synonyms from a thesaurus,
English words translated), the kind of answer asked for, and the text the dense model reads.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import chat, lexicon
from .analysis import (
    STOP_WORDS,
    asks_for_list,
    asks_for_source,
    expand_abbreviations,
    index_term,
    join_compounds,
    label_range,
    stem,
    strip_markup,
    terms,
    tokenise,
    without_frame,
)
from .asked import DURATION_LABELS, Asked, read as read_asked
from .colloquial import standard_forms
from .control_chars import NON_TEXT
from .errors import BadQuestion
from .settings import DEFAULT, Settings

MAX_QUESTION_CHARS = 1000
_CONTROL = re.compile(f"[{NON_TEXT}\x0c\r\u200b-\u200f\u2028\u2029]")


@dataclass(frozen=True)
class Expansion:
    """A corpus word standing in for a question word, at a share of its weight."""

    source: str         # the question's index term it stands for
    term: str           # the corpus's index term
    weight: float


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks, ready for searching."""

    question: str                        # cleaned, as typed (shown back to the user)
    plain: str                           # chat forms written out, markup removed (what `asked` is read from)
    asked: Asked                         # what it asks for: question type, kind of value, unit (asked.py)
    terms: tuple[str, ...]               # index terms of the question's own words
    expansions: tuple[Expansion, ...]    # synonyms and translations that the corpus has
    labels: tuple[str, str] | None       # item labels named ("poin a sampai g")
    wants_list: bool
    english: bool
    words: tuple[str, ...]               # the question's words as typed, for highlighting
    asks_source: bool = False            # where a claim comes from: answered by the claim and its footnote
    meaning: str = ""                    # what the meaning model reads: as typed, chat forms written out,
                                         # its first Settings.meaning_chars characters

    @property
    def qtype(self) -> str | None:
        """Return the question type: when | who | number | why | define | where | None."""
        return self.asked.qtype


def clean_question(question: str) -> str:
    """Return the question without control characters and surplus space, or raise BadQuestion."""
    q = " ".join(_CONTROL.sub(" ", question or "").split())
    if not q:
        raise BadQuestion("pertanyaan kosong / empty question")
    if len(q) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"pertanyaan terlalu panjang ({len(q)} karakter; maksimal {MAX_QUESTION_CHARS}) / "
                          f"question too long")
    return q


def mutual_synonyms(word: str, one_sense: int = DEFAULT.one_sense) -> tuple[str, ...]:
    """Return the synonyms of a word (or of its root) that the thesaurus trusts for it: all of a short list
    (one sense), else those that list the word back — a long list mixes senses, and a synonym naming the word
    in turn shares the sense both have (luas ~ lebar, not luas ~ belantara)."""
    for form in dict.fromkeys((word, stem(word))):
        found = lexicon.synonyms(form)
        if found:
            return found if len(found) <= one_sense else tuple(s for s in found if form in lexicon.synonyms(s))
    return ()


def standard(token: str, known: Callable[[str], bool]) -> str:
    """Return a colloquial word the corpus lacks in its standard form ("ditumbuhin" -> "ditumbuhkan"): the first
    form the corpus has, else the likeliest."""
    if known(index_term(token)):
        return token
    forms = standard_forms(token)
    return next((f for f in forms if known(index_term(f))), forms[0] if forms else token)


_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv")
_CHAPTER = frozenset(("bab", "chapter"))


def chapter_numerals(tokens: list[str], known: Callable[[str], bool]) -> list[str]:
    """Return the tokens with a chapter's number written as the corpus writes it: theses number chapters in
    Roman numerals ("BAB III"), students type "bab 3" (and the other way round when the corpus has digits)."""
    out = list(tokens)
    for i in range(1, len(out)):
        if out[i - 1] not in _CHAPTER:
            continue
        token = out[i]
        if token.isdigit() and 0 < int(token) <= len(_ROMAN):
            roman = _ROMAN[int(token) - 1]
            out[i] = roman if known(index_term(roman)) else token
        elif token in _ROMAN and not known(index_term(token)):
            digits = str(_ROMAN.index(token) + 1)
            out[i] = digits if known(index_term(digits)) else token
    return out


def understand(question: str, compounds: Mapping[str, str], known: Callable[[str], bool],
               settings: Settings = DEFAULT, abbreviations: Mapping[str, str] | None = None) -> QueryPlan:
    """Return the plan of a question; known(term) tells whether the corpus has an index term; abbreviations: those
    the corpus writes out, lower-cased, and their words ("loi" -> "Letter of Intent"), searched beside them."""
    q = clean_question(question)
    labels, searched = label_range(q)
    tokens = chapter_numerals(tokenise(chat.reduplicate(strip_markup(searched))), known)
    chatted = chat.normalise_chat(tokens)
    english = lexicon.is_english(chatted, settings)   # chat forms written out first: "dmn" is not English
    plain_tokens = tokens if english else [standard(t, known) for t in expand_abbreviations(chatted)]
    plain = " ".join(plain_tokens)
    asked = read_asked(plain)
    if english:     # its function words only meet Indonesian words by spelling; if nothing else is left, keep them
        plain_tokens = [t for t in tokens if t not in lexicon.english_stop_words()] or tokens
    own = terms(without_frame(plain_tokens, asked.qtype), compounds)
    expansions: dict[str, Expansion] = {}
    have = set(own)

    def also_search(source: str, text: str) -> None:
        """Add the corpus's index terms of text, not searched yet, as expansions of source at the synonym weight."""
        for term in terms(tokenise(text), compounds):
            if term not in have and term not in expansions and known(term):
                expansions[term] = Expansion(source, term, settings.synonym_weight)
    for token in join_compounds(plain_tokens, compounds) if compounds else plain_tokens:
        source = index_term(token)
        if not source or token in STOP_WORDS or source in STOP_WORDS:   # "diadakan" -> "ada": a function word
            continue
        words = lexicon.english(token) if english else mutual_synonyms(token, settings.one_sense)
        weight = settings.translation_weight if english else settings.synonym_weight
        added = 0
        for word in words:
            for term in terms(tokenise(word), compounds):
                if term not in have and term not in expansions and known(term) \
                        and (english or added < settings.max_synonyms):
                    expansions[term] = Expansion(source, term, weight)
                    added += 1
    written = abbreviations or {}
    for token in plain_tokens:              # "LoI" also searches "Letter of Intent", as the corpus writes it
        if token in written:
            also_search(index_term(token), written[token])
    if asked.lasts and asked.counted:       # "berapa lama" is answered by a duration a text labels "jangka waktu"
        for label in DURATION_LABELS:
            also_search(index_term(asked.counted), label)
    words = tuple(w for w in re.findall(r"\w+", q) if len(w) > 1 and w.lower() not in STOP_WORDS)
    meaning = q if english else chat.written_out(q, lambda w: known(index_term(w)))
    if len(meaning) > settings.meaning_chars:
        meaning = meaning[:settings.meaning_chars + 1].rsplit(" ", 1)[0][:settings.meaning_chars]
    return QueryPlan(question=q, meaning=meaning, plain=plain, asked=asked, terms=tuple(own),
                     expansions=tuple(expansions.values()),
                     labels=labels, wants_list=asks_for_list(plain) or labels is not None, english=english,
                     words=words, asks_source=asks_for_source(plain))
