"""Heading numbering ("BAB III", "B.", "2.", "1.2", "3)", "a."): the depth it gives a heading, and the heading
without it."""
from __future__ import annotations

import re

_LEVELS = (  # heading numbering -> depth; the markdown levels are not trusted
    (re.compile(r"^(BAB|BAGIAN|CHAPTER)\s+[IVXLC\d]+\b", re.I), 0),
    (re.compile(r"^[A-Z]\.\s"), 1),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s"), 4),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.?\s"), 3),
    (re.compile(r"^\d{1,2}\.\s"), 2),
    (re.compile(r"^\d{1,2}\)\s"), 3),
    (re.compile(r"^[a-z][.)]\s"), 4),
)
_CHAPTER_ONLY = re.compile(r"(BAB|BAGIAN|CHAPTER)\s+[IVXLC\d]+\.?", re.I)   # "BAB III" with no title after it
# The numbering before a heading: "B. ", "2. ", "3) ", "1.2 ", "2.1. ", "A.1 ", "BAB II "
NUMBERING = re.compile(r"^\s*(?:bab\s+(?:[ivxlc]+|\d{1,2})\b[.:]?\s*"
                       r"|(?:[a-z]|\d{1,2}|[ivx]+)(?:(?:[.)]\d{1,2})+[.)]?|[.)])\s+)", re.I)


def heading_level(text: str) -> int | None:
    """Return the depth a heading's numbering gives it, or None when it has no numbering."""
    for pattern, level in _LEVELS:
        if pattern.match(text):
            return level
    return None


def without_numbering(heading: str) -> str:
    """Return a heading without the numbering before it ("2.1. Tujuan" -> "Tujuan")."""
    return NUMBERING.sub("", heading)


def is_chapter_only(heading: str) -> bool:
    """Tell whether a heading is a bare chapter number ("BAB III"), whose title comes next."""
    return bool(_CHAPTER_ONLY.fullmatch(heading))
