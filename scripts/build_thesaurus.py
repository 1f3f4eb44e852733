"""Build retrieval/data/thesaurus.tsv (word -> synonyms) from Debian's mythes-id thesaurus.

Source: th_id_ID_v2.dat of LibreOffice's Indonesian dictionaries (Ali Ahmadi, 2017, LGPL-2.1), as
packaged by Debian: `apt-get install -y mythes-id`.
Usage: python scripts/build_thesaurus.py [path-to-th_id_ID_v2.dat]
The MyThes format: an encoding line, then per headword "word|n" followed by n lines "[pos]|syn|syn|...";
"[ant]" lines hold antonyms and are left out.  Senses are merged in their order, duplicates dropped.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/usr/share/mythes/th_id_ID_v2.dat")   # where Debian's mythes-id puts it
OUT = REPO / "retrieval" / "data" / "thesaurus.tsv"
ANTONYMS = "[ant]"
# A synonym is letters, with spaces, hyphens or apostrophes between words; a few source lines are run
# together ("listrik [n]", "mengitarbermanjau|1|..."), and their stray tags and counts are dropped.
_WORD = re.compile(r"[a-z]+(?:[ '-][a-z]+)*")
_TAG = re.compile(r"\s*\[[a-z]+\]$")


def parse(text: str) -> dict[str, list[str]]:
    """Return headword -> synonyms (lower case, antonyms left out) from MyThes .dat text."""
    lines = text.splitlines()[1:]   # the first line names the encoding
    entries: dict[str, list[str]] = {}
    i = 0
    while i < len(lines):
        head, _, count = lines[i].rpartition("|")
        senses = lines[i + 1:i + 1 + int(count)]
        i += 1 + int(count)
        word = head.strip().lower()
        synonyms = entries.setdefault(word, [])
        for sense in senses:
            pos, *words = sense.split("|")
            if pos.strip() == ANTONYMS:
                continue
            for w in words:
                w = _TAG.sub("", " ".join(w.lower().split()))
                if _WORD.fullmatch(w) and w != word and w not in synonyms:
                    synonyms.append(w)
    return {w: s for w, s in entries.items() if s}


def main(argv: list[str]) -> None:
    """Write thesaurus.tsv from the .dat named on the command line (or Debian's)."""
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    raw = source.read_bytes()
    encoding = raw.split(b"\n", 1)[0].decode("ascii").strip()
    entries = parse(raw.decode(encoding))
    from tsvfile import write_lists  # beside this script (on sys.path when it runs; tests import parse only)
    write_lists(OUT, "word\tsynonyms separated by |.  Built by scripts/build_thesaurus.py from mythes-id "
                "(th_id_ID_v2.dat, Ali Ahmadi, LGPL-2.1); see README.md and LICENSE-thesaurus.txt",
                entries, "synonyms")


if __name__ == "__main__":
    main(sys.argv)
