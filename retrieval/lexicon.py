"""Word lists for reading questions: synonyms, English -> Indonesian (chat forms: chat.py).

All data is read from retrieval/data/ (built from their upstream sources by scripts/build_*.py; sources,
licences and filtering rules in retrieval/data/README.md), once per process.
"""
from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from .settings import DEFAULT, Settings

DATA = Path(__file__).resolve().parent / "data"
THESAURUS = "thesaurus.tsv"                # mythes-id (LGPL-2.1)
ENGLISH = "english.tsv"                    # FreeDict eng-ind (CC-BY-SA-3.0)
ENGLISH_WORDNET = "english-wordnet.tsv"    # WordNet 3.0 synsets' Wordnet Bahasa lemmas (WordNet 3.0 licence, MIT)
ENGLISH_IRREGULAR = "english-irregular.tsv"  # WordNet 3.0's irregular forms: came -> come (WordNet 3.0 licence)
EXTRA_ROOTS = "extra-roots.txt"            # the project's own roots PySastrawi lacks
ENGLISH_STOP = "english-stop.txt"          # scikit-learn's English stop words (BSD-3-Clause)
# English inflections tried, in order, when a word is not a headword itself: (suffix, replacement).
_INFLECTIONS = (("ies", "y"), ("ied", "y"), ("ves", "f"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                ("ing", ""), ("ing", "e"), ("ly", ""))


def read_rows(name: str) -> list[tuple[str, str]]:
    """Return the (key, value) rows of a tab-separated data file, comments left out."""
    text = (DATA / name).read_text(encoding="utf-8")
    rows = (line.split("\t", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return [(key.strip(), value.strip()) for key, value in rows]


@cache
def _lists(name: str) -> dict[str, tuple[str, ...]]:
    """Return a word -> |-separated list data file as a dictionary."""
    return {key: tuple(value.split("|")) for key, value in read_rows(name)}


def synonyms(word: str) -> tuple[str, ...]:
    """Return the thesaurus synonyms of a word or phrase (lower case; multi-word ones as phrases)."""
    return _lists(THESAURUS).get(" ".join(word.lower().split()), ())


def _lemmas(word: str) -> list[str]:
    """Return an English word and the forms it may be inflected from, most likely first (an irregular form's
    base first: "came" -> "come", "children" -> "child")."""
    forms = [word]
    base = _irregular().get(word)
    if base:
        forms.append(base)
    for suffix, replacement in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)]
            forms.append(stem + replacement)
            if not replacement and len(stem) >= 3 and stem[-1] == stem[-2]:   # "planned" -> "plan"
                forms.append(stem[:-1])
    return forms


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    """Return irregular English form -> base word."""
    return dict(read_rows(ENGLISH_IRREGULAR))


def english(word: str) -> tuple[str, ...]:
    """Return the Indonesian translations of an English word (or of the word it is inflected from): the
    dictionary's first, then the Indonesian words of the word's commonest senses in the wordnets."""
    out: list[str] = []
    forms = _lemmas(" ".join(word.lower().split()))
    for name in (ENGLISH, ENGLISH_WORDNET):
        table = _lists(name)
        for form in forms:
            if form in table:
                out.extend(t for t in table[form] if t not in out)
                break
    return tuple(out)


@lru_cache(maxsize=100_000)
def _vote(word: str, margin: float) -> int:
    """Return +1 if a word is clearly English (its Zipf frequency at least margin above the Indonesian one), -1 if
    clearly Indonesian, 0 if neither (wordfreq)."""
    from wordfreq import zipf_frequency
    en, id_ = zipf_frequency(word, "en"), zipf_frequency(word, "id")
    return 1 if en >= id_ + margin else -1 if id_ >= en + margin else 0


def is_english(tokens: list[str], settings: Settings = DEFAULT) -> bool:
    """Tell whether a question's tokens are English rather than Indonesian (settings.language_margin,
    settings.english_share)."""
    votes = [v for v in (_vote(t, settings.language_margin) for t in tokens if t.isalpha()) if v]
    return bool(votes) and votes.count(1) / len(votes) > settings.english_share


@lru_cache(maxsize=1)
def extra_roots() -> tuple[str, ...]:
    """Return the root words PySastrawi's dictionary lacks (joined compounds such as "tandatangan")."""
    return _words(EXTRA_ROOTS)


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """Return the English function words ("should", "between", "them"), which an English question does not search."""
    return frozenset(_words(ENGLISH_STOP))


def _words(name: str) -> tuple[str, ...]:
    """Return the words of a one-word-a-line file of data/, without '#' comment lines."""
    text = (DATA / name).read_text(encoding="utf-8")
    return tuple(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))
