"""Build retrieval/data/english.tsv (English word -> Indonesian translations) from FreeDict eng-ind.

Source: the FreeDict/WikDict English-Bahasa Indonesia dictionary (Karl Bartel, from Wiktionary via
DBnary; CC-BY-SA-3.0), as packaged by Debian: `apt-get install -y dict-freedict-eng-ind`.
Usage: python scripts/build_english.py [path-to-freedict-eng-ind.index]   (the .dict.dz sits beside it)
The dictd format: the .index holds "headword \t offset \t length" (base-64 numbers) into the gzip'd
.dict; an entry is a headword line, then per sense a translation line ("a, b" or "1. a, b 2.") followed
by its English gloss lines.
"""
from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INDEX = Path("/usr/share/dictd/freedict-eng-ind.index")   # where Debian's package puts it
OUT = REPO / "retrieval" / "data" / "english.tsv"
# Translations kept per headword, first senses first: the later ones are rarer senses that would send an
# English question to unrelated Indonesian words (bank: "bank", "gosong"), and they triple the file.
MAX_TRANSLATIONS = 4
# Headwords of more words than this are proverbs ("a burnt child dreads the fire"), never a question word.
MAX_HEADWORD_WORDS = 3
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_SENSE = re.compile(r"^(\d+)\. (.*?)(?: \d+\.)?$")     # "1. kerja sama" / "1. bank 2." (sub-gloss number)
_SUBGLOSS = re.compile(r" \d+\.$")                   # "tanda 2." (the gloss that follows is numbered)
_TRANSLATION = re.compile(r"[a-z]+(?:[ '-][a-z]+)*")  # Indonesian words only (no glosses, no markup)


def base64_number(text: str) -> int:
    """Return a dictd index number (base 64, most significant digit first)."""
    value = 0
    for c in text:
        value = value * 64 + _DIGITS.index(c)
    return value


def translations(body: str) -> list[str]:
    """Return the translations of one dictd entry body (headword line excluded), in order."""
    lines = body.splitlines()
    numbered = [m.group(2) for m in map(_SENSE.match, lines) if m]
    found = numbered if numbered else [_SUBGLOSS.sub("", line) for line in lines[:1]]
    out: list[str] = []
    for line in found:
        for t in line.split(","):
            t = " ".join(t.lower().split())
            if _TRANSLATION.fullmatch(t) and t not in out:
                out.append(t)
    return out


def parse(index_text: str, data: bytes) -> dict[str, list[str]]:
    """Return English headword -> Indonesian translations from a dictd .index and its .dict bytes."""
    entries: dict[str, list[str]] = {}
    for line in index_text.splitlines():
        head, offset, length = line.split("\t")
        if head.startswith("00database") or len(head.split()) > MAX_HEADWORD_WORDS:
            continue
        start = base64_number(offset)
        body = data[start:start + base64_number(length)].decode("utf-8").split("\n", 1)[1]
        found = entries.setdefault(head.lower(), [])
        found.extend(t for t in translations(body) if t not in found)
    return {h: t[:MAX_TRANSLATIONS] for h, t in entries.items() if t}


def main(argv: list[str]) -> None:
    """Write english.tsv from the dictd files named on the command line (or Debian's)."""
    index = Path(argv[1]) if len(argv) > 1 else DEFAULT_INDEX
    data = gzip.decompress(index.with_suffix(".dict.dz").read_bytes())
    entries = parse(index.read_text(encoding="utf-8"), data)
    from tsvfile import write_lists  # beside this script (on sys.path when it runs; tests import parse only)
    write_lists(OUT, "english\tindonesian translations separated by |.  Built by scripts/build_english.py from "
                "FreeDict eng-ind (WikDict, CC-BY-SA-3.0); see README.md and LICENSE-english.txt",
                entries, "translations")


if __name__ == "__main__":
    main(sys.argv)
