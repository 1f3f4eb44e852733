"""Glossary ("Istilah"): abbreviations with their expansion, defined terms, and abbreviations never expanded."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..analysis import STOP_WORDS
from ..model import Passage, Quote
from .common import body, quote_of, sentences

MAX_ABBREVIATION = 10            # letters; a longer capitalised word is a shouted word, not an abbreviation
MAX_TERM_WORDS = 6               # a defined term longer than this is a clause ("Memperhatikan kondisi ... merupakan")
MIN_CAPS_RUN = 2                 # this many words in capitals in a row are a title ("JANGKA WAKTU"), not abbreviations
SKIP_INITIALS = frozenset("of the and for on in to dan atau untuk di dari ke bagi".split())  # "Letter of Intent"
# words that make "X adalah Y" a statement about something already named, not a definition of X
NOT_A_TERM = STOP_WORDS | frozenset("hal berikut begitu demikian kedua masing tidak bukan belum pernah harus "
                                    "perlu mereka kami kita baik".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# a currency's letters ("US$", "S$") are part of an amount, no abbreviation
_CANDIDATE = re.compile(rf"(?<![\w/.@-])[A-Z][A-Za-z]{{1,{MAX_ABBREVIATION - 1}}}(?![\w/@$]|-\w)")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_LABEL = re.compile(r"^\s*(?:[a-z]|\d{1,2})[.)]\s+")
_URL = re.compile(r"\S+://\S+|www\.\S+")
_COPULA = re.compile(r"\s+(adalah|ialah|merupakan)\s+", re.I)
_ENGLISH = re.compile(r"\s+(?:is|are|refers to|means)\s+(?=(?:a|an|the)\s)", re.I)
_MEANT = re.compile(r"^(?:yang\s+dimaksud\s+dengan|pengertian(?:\s+dari)?|definisi(?:\s+dari)?)\s+(.+?)"
                    r"\s+(?:adalah|ialah|merupakan|yaitu|yakni)\s+", re.I)
_APPOSITION = re.compile(r"^\s*,?\s*(?:yaitu|yakni|ialah|adalah|merupakan|atau)\s+(?P<d>[^.;]+)")


@dataclass(frozen=True)
class Term:
    """A term of the corpus and the quote that defines it (or, if never expanded, first uses it)."""

    term: str
    kind: str                        # abbreviation | definition | unexpanded
    expansion: str | None            # verbatim, for an abbreviation written out in the corpus
    definition: str | None           # verbatim: what follows "adalah / yaitu ..." in the quote
    quote: Quote
    also: tuple[Quote, ...] = ()     # further defining quotes (an abbreviation also defined with "adalah")
    uses: int = 0                    # how often the term occurs in the text


def is_abbreviation(word: str) -> bool:
    """Tell whether a word looks like an abbreviation: mostly capitals, at least two ("NATO", "MoU", "LoI")."""
    caps = sum(c.isupper() for c in word)
    return (caps >= 2 and caps * 2 >= len(word) and len(word) <= MAX_ABBREVIATION and not _ROMAN.match(word)
            and word.lower() not in STOP_WORDS)


def abbreviations_in(text: str, vocabulary: frozenset[str] = frozenset(), row: bool = False) -> list[re.Match]:
    """Return the abbreviations used in text: not in URLs, identifiers, titles in capitals, a table's column
    names (row: "BERAKHIR: ..."), nor ordinary words the corpus also writes in lower case ("TAHUN")."""
    text = _URL.sub(lambda m: " " * len(m[0]), text)
    words = list(_WORD.finditer(text))
    shouted: set[int] = set()
    run: list[int] = []
    for k, w in enumerate(words + [None]):
        if w is not None and w[0].isupper() and len(w[0]) > 1:   # all capitals: "PEMKO", not "Pemko"
            run.append(k)
            continue
        if len(run) >= MIN_CAPS_RUN:
            shouted.update(words[j].start() for j in run)
        run = []
    out = []
    for m in _CANDIDATE.finditer(text):
        inside = text[max(0, m.start() - 1):m.start()] == "(" and text[m.end():m.end() + 1] == ")"
        if not is_abbreviation(m[0]) or m[0].lower() in vocabulary:
            continue
        if inside or (m.start() not in shouted and not (row and text[m.end():m.end() + 1] == ":")):
            out.append(m)
    return out


def initials_match(words: list[str], abbreviation: str) -> bool:
    """Tell whether the words' initials spell the abbreviation (all words, or skipping "of", "dan" ...)."""
    want = abbreviation.upper()
    every = "".join(w[0] for w in words).upper()
    if every == want:
        return True
    kept = [w for w in words if w.lower() not in SKIP_INITIALS]
    return bool(kept) and words[0].lower() not in SKIP_INITIALS and "".join(w[0] for w in kept).upper() == want


def expansion_before(text: str, open_paren: int, abbreviation: str) -> tuple[int, int] | None:
    """Return the span of the words just before "(ABBR)" whose initials spell it ("Free Trade Zone (FTZ)")."""
    words = list(_WORD.finditer(text[:open_paren]))
    for n in range(1, min(len(words), len(abbreviation) + 3) + 1):
        chosen = words[-n:]
        if text[chosen[-1].end():open_paren].strip():
            return None
        if initials_match([w[0] for w in chosen], abbreviation):
            return chosen[0].start(), chosen[-1].end()
    return None


def expansion_after(text: str, end: int, abbreviation: str) -> tuple[int, int] | None:
    """Return the span inside the parentheses right after ABBR whose initials spell it ("NATO (North ...)")."""
    m = re.compile(r"\s*\(([^()]{3,120})\)").match(text, end)
    if not m:
        return None
    inner = list(_WORD.finditer(text, m.start(1), m.end(1)))
    if inner and initials_match([w[0] for w in inner], abbreviation):
        return inner[0].start(), inner[-1].end()
    return None


def expansion_around(text: str, start: int, end: int, abbreviation: str) -> tuple[int, int] | None:
    """Return the span of the words the abbreviation at text[start:end] stands for, written around it:
    "Free Trade Zone (FTZ)" or "NATO (North Atlantic Treaty Organization)"."""
    before = expansion_before(text, start - 1, abbreviation) if text[start - 1:start] == "(" else None
    return before or expansion_after(text, end, abbreviation)


_BEFORE_BRACKET = re.compile(r"([A-Z][A-Za-z]+)\s*$")      # the word just before a "(" ("NATO (North ...")


def _beside_brackets(text: str) -> Iterator[re.Match]:
    """Yield the abbreviation candidates (_CANDIDATE) just before or just inside each "(" of text, in order."""
    for bracket in re.finditer(r"\(", text):
        before = _BEFORE_BRACKET.search(text, max(0, bracket.start() - MAX_ABBREVIATION - 8), bracket.start())
        word = _CANDIDATE.match(text, before.start(1)) if before else None
        if word and before and word.end() == before.end(1):
            yield word
        inside = _CANDIDATE.match(text, bracket.end())
        if inside:
            yield inside


def written_out(passages: tuple[Passage, ...] | list[Passage]) -> dict[str, str]:
    """Return each abbreviation the corpus writes out beside itself, lower-cased, and the words it stands for as
    first written ("loi" -> "Letter of Intent"): what a question's "LoI" means in this corpus.  Read on an engine's
    first question, so it starts from the brackets, not from every capitalised word (0.8 s on a 20 MB text)."""
    out: dict[str, str] = {}
    for p in passages:
        for m in _beside_brackets(p.text):
            span = expansion_around(p.text, m.start(), m.end(), m[0]) if is_abbreviation(m[0]) else None
            if span:
                out.setdefault(m[0].lower(), p.text[span[0]:span[1]])
    return out


def glossary(passages: tuple[Passage, ...] | list[Passage]) -> list[Term]:
    """Return the corpus's defined terms and abbreviations: expanded and defined first, then never expanded."""
    expanded: dict[str, Term] = {}
    defined: dict[str, Term] = {}
    used: dict[str, list[tuple[str, Quote]]] = {}
    shown = body(passages)
    vocabulary = frozenset(w for p in shown for w in _WORD.findall(p.text) if w.islower())
    for p, a, b in sentences(shown):
        text = p.text[a:b]
        for m in abbreviations_in(text, vocabulary, p.kind == "row"):
            key = m[0].upper()
            used.setdefault(key, []).append((m[0], quote_of(p, a, b)))
            if key in expanded:
                continue
            span = expansion_around(text, m.start(), m.end(), m[0])
            if span:
                after = text[max(span[1], m.end()):]
                after = after[after.find(")") + 1:] if ")" in after else after
                d = _APPOSITION.match(after)
                expanded[key] = Term(m[0], "abbreviation", text[span[0]:span[1]], d["d"].strip() if d else None,
                                     quote_of(p, a, b))
        found = definition_in(text)
        if found:
            term, start = found
            defn = text[start:].rstrip(" .;:")
            key = term.upper() if is_abbreviation(term) else term.casefold()
            if key in expanded:
                t = expanded[key]
                if t.definition is None or not t.also:
                    expanded[key] = Term(t.term, t.kind, t.expansion, t.definition or defn, t.quote,
                                         t.also + (quote_of(p, a, b),))
            elif key not in defined:
                defined[key] = Term(term, "definition", None, defn, quote_of(p, a, b))
    for key, t in list(defined.items()):
        if key in expanded:                       # defined before it was expanded: one entry
            e = expanded.pop(key)
            defined[key] = Term(e.term, "abbreviation", e.expansion, t.definition, e.quote, (t.quote,))
    out = [_with_uses(t, used.get(k, [])) for k, t in [*expanded.items(), *defined.items()]]
    out.sort(key=lambda t: t.term.casefold())
    never = []
    for key, uses in used.items():
        if key in expanded or key in defined:
            continue
        forms = [f for f, _ in uses]
        form = max(sorted(set(forms)), key=forms.count)
        never.append(Term(form, "unexpanded", None, None, uses[0][1], uses=len(uses)))
    never.sort(key=lambda t: t.term.casefold())
    return out + never


def _with_uses(t: Term, uses: list) -> Term:
    """Return the term with its number of uses."""
    return Term(t.term, t.kind, t.expansion, t.definition, t.quote, t.also, max(1, len(uses)))


def definition_in(sentence: str) -> tuple[str, int] | None:
    """Return (term, where its definition starts) for "X adalah Y" / "yang dimaksud dengan X adalah Y", or None."""
    label = _LABEL.match(sentence)
    offset = label.end() if label else 0
    text = sentence[offset:]
    m = _MEANT.match(text)
    if m:
        return m[1].strip(), offset + m.end()
    m = _COPULA.search(text) or _ENGLISH.search(text)
    if not m:
        return None
    term = text[:m.start()].strip()
    article = re.match(r"(?:a|an|the)\s+", term, re.I)     # "A treaty is ..." defines "treaty"
    term = term[article.end():] if article else term
    words = term.split()
    if not words or len(words) > MAX_TERM_WORDS or re.search(r"[,;:()\"“”]", term):
        return None
    if any(w.lower().strip(".") in NOT_A_TERM for w in words) and not _LINKING_ONLY(words):
        return None
    if any(w.lower().endswith("nya") for w in words):     # "Ibukotanya adalah ...": points back, defines nothing
        return None
    if not (article or words[0][0].isupper() or words[0][0].isdigit()):
        return None
    return term, offset + m.end()


def _LINKING_ONLY(words: list[str]) -> bool:
    """Tell whether the only function words of a term join its parts ("negara atau daerah", "antar ...")."""
    inner = [w.lower() for w in words[1:-1] if w.lower() in NOT_A_TERM]
    return words[0].lower() not in NOT_A_TERM and words[-1].lower() not in NOT_A_TERM and set(inner) <= {"atau", "dan"}
