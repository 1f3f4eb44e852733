"""Colloquial (Jakarta) word forms written back in standard Indonesian: -in, ng-/ny-/m-/n-, and e for a.

Students type "ditumbuhin" (ditumbuhkan), "ngutip" (mengutip), "nyari" (mencari), "misah" (memisah), "dateng"
(datang).  PySastrawi finds no root in these, and no lexicon lists every such form, so the standard forms are
derived by rule and a candidate is kept only when PySastrawi's dictionary knows the root it stems to.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .analysis import stems_to_root as _is_root

_PARTICLE = re.compile(r"^(.{3,}?)(nya|lah|kah|pun)?$")
_VOWEL = "aiueo"


def _prefixes(word: str) -> list[str]:
    """Return the word with a bare nasal prefix made whole: ng- -> meng-, ny- -> meny-/menc-, m-/n- -> mem-/men-."""
    if word.startswith("ng") and len(word) > 4 and word[2] in _VOWEL:
        return ["me" + word]
    if word.startswith("ny") and len(word) > 4 and word[2] in _VOWEL:
        return ["me" + word, "menc" + word[2:]]
    if word[0] in "mn" and len(word) > 4 and word[1] in _VOWEL and not word.startswith("me"):
        return ["me" + word]                                   # "misah" -> memisah, "nambah" -> menambah
    return []


def _vowel(word: str) -> str:
    """Return the word with the e of its last syllable as a ("dateng" -> "datang", "deket" -> "dekat"), or a
    final e as ai ("dipake" -> "dipakai", "sampe" -> "sampai")."""
    return word[:-1] + "ai" if word.endswith("e") else re.sub(r"e([^aiueo]{1,2})$", r"a\1", word)


@lru_cache(maxsize=50_000)
def standard_forms(word: str) -> tuple[str, ...]:
    """Return the standard forms a colloquial word may stand for, whose roots PySastrawi knows (best first);
    empty when the word's own root is known (or it is too short, or not a word)."""
    if len(word) < 4 or not word.isalpha() or _is_root(word):
        return ()
    m = _PARTICLE.match(word)
    assert m is not None                                       # any word of 4 letters or more matches
    base, particle = m.group(1), m.group(2) or ""
    suffixed = base.endswith("in") and len(base) > 5          # "ditumbuhin": -in for -kan or -i
    stems = [base[:-2]] if suffixed else [base]
    stems += [v for b in stems if (v := _vowel(b)) != b]
    stems += [c for b in list(stems) for c in _prefixes(b)]
    forms = [b + end for b in stems for end in (("kan", "i") if suffixed else ("",))]
    return tuple(dict.fromkeys(f + particle for f in forms if f != base and _is_root(f)))
