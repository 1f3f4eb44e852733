"""Chat forms written out as standard Indonesian: "yg" -> "yang", "macam mana" -> "bagaimana", "negara2" ->
"negara-negara" (the one table of them: data/slang.tsv with the project's supplement over it)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from .lexicon import DATA, read_rows

SLANG = "slang.tsv"                        # IndoCollex, filtered (MIT)
SLANG_SUPPLEMENT = "slang-supplement.tsv"  # the project's own few entries; they win over SLANG
WRITTEN = "abbreviations.txt"              # the project's own list of chat forms documents write too ("yg", "UU")
# "negara2" / "hal2" = "negara-negara" / "hal-hal"; the word needs a vowel and three letters, so units
# ("km2", "m2") and codes stay as they are.
_REDUPLICATED = re.compile(r"\b([^\W\d_]{3,})2\b")
_VOWEL = re.compile(r"[aiueo]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _chat() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Return chat form -> standard words, both as word tuples (the supplement over the lexicon)."""
    table = {tuple(k.split()): tuple(v.split()) for name in (SLANG, SLANG_SUPPLEMENT) for k, v in read_rows(name)}
    return {k: v for k, v in table.items() if k and v}


@lru_cache(maxsize=1)
def written_abbreviations() -> dict[str, str]:
    """Return the abbreviations written out in every text, documents too ("yg" -> "yang", "uu" -> "undang undang"),
    each with its standard form from the chat tables; raise ValueError for one the tables lack."""
    chat = _chat()
    forms = [line.strip() for line in (DATA / WRITTEN).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    missing = [f for f in forms if (f,) not in chat]
    if missing:
        raise ValueError(f"{WRITTEN}: no standard form in {SLANG} or {SLANG_SUPPLEMENT} for {', '.join(missing)}")
    return {f: " ".join(chat[(f,)]) for f in forms}


@lru_cache(maxsize=1)
def _longest_chat_form() -> int:
    """Return the number of words of the longest chat form."""
    return max(map(len, _chat()))


def reduplicate(text: str) -> str:
    """Return text with chat reduplication written out ("negara2" -> "negara-negara"), before tokenising."""
    def full(m: re.Match[str]) -> str:
        word = m.group(1)
        return f"{word}-{word}" if _VOWEL.search(word) else m.group(0)
    return _REDUPLICATED.sub(full, text)


_WORD = re.compile(r"[^\W_]+")


def _forms(words: list[str], allowed: Callable[[int, int], bool] = lambda i, n: True
           ) -> Iterator[tuple[int, int, tuple[str, ...] | None]]:
    """Yield (start, length, standard words) along words (lower case): at each place the longest chat form that
    allowed(start, length) lets stand, else (start, 1, None) for the word itself."""
    table, longest = _chat(), _longest_chat_form()
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            standard = table.get(tuple(words[i:i + n]))
            if standard and allowed(i, n):
                yield i, n, standard
                i += n
                break
        else:
            yield i, 1, None
            i += 1


def written_out(text: str, kept: Callable[[str], bool] = lambda word: False) -> str:
    """Return text as typed with its chat forms written out and all else kept, case and marks too ("brp lama
    kerjasama Batam?" -> "berapa lama kerjasama Batam?"): what the meaning model reads. A one-word form that
    kept(word) holds stays as typed (the corpus writes "kerjasama" and "Pemko" too)."""
    text = reduplicate(text)
    words = list(_WORD.finditer(text))
    lower = [m.group().lower() for m in words]

    def allowed(i: int, n: int) -> bool:            # one run of words, and not a word the corpus writes itself
        run = words[i:i + n]
        return not any(text[a.end():b.start()].strip() for a, b in zip(run, run[1:])) \
            and not (n == 1 and kept(lower[i]))
    out, done = [], 0
    for i, n, standard in _forms(lower, allowed):
        if standard:
            out.append(text[done:words[i].start()] + " ".join(standard))
            done = words[i + n - 1].end()
    return "".join(out) + text[done:]


def normalise_chat(tokens: list[str]) -> list[str]:
    """Return tokens (lower case, as tokenise gives them) with chat forms as standard words ("yg" -> "yang")."""
    out: list[str] = []
    for i, n, standard in _forms(tokens):
        out.extend(standard or tokens[i:i + n])
    return out
