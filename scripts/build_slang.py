"""Build retrieval/data/slang.tsv (chat form -> standard Indonesian) from the IndoCollex dictionary.

Source: IndoCollex (Wibowo et al., ACL-IJCNLP Findings 2021), MIT licence,
https://github.com/haryoa/indo-collex, file dict/inforformal-formal-Indonesian-dictionary.tsv.
Usage: python scripts/build_slang.py [path-to-that-tsv]   (without a path it is downloaded at SOURCE_COMMIT).
An entry is kept only when its chat form can stand for nothing else; the rules are in keep() and in
retrieval/data/README.md.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval.analysis import tokenise  # noqa: E402  (the runtime's own tokeniser, so forms match)

SOURCE_COMMIT = "df626e812cd5924794fabf40003368a69f4e953c"  # the commit the data file was built from
SOURCE_URL = (f"https://raw.githubusercontent.com/haryoa/indo-collex/{SOURCE_COMMIT}/"
              "dict/inforformal-formal-Indonesian-dictionary.tsv")
OUT = REPO / "retrieval" / "data" / "slang.tsv"
# A chat form this much more frequent (Zipf units, wordfreq 'id') than its "standard" form is itself the
# usual word, or the entry runs the wrong way ("diubah" -> "dirubah", "rp" -> "rupiah", "ponsel").
FREQUENCY_MARGIN = 0.5
# A chat form at least this frequent in English, and ENGLISH_MARGIN more so than in Indonesian, is an
# English word ("at", "lines", "dies"): English goes through the bilingual dictionary, not this table.
ENGLISH_ZIPF = 3.0
ENGLISH_MARGIN = 0.5
# Everyday metric symbols (length, area, mass, volume): a question's figures use them ("luas ... km2"), and
# the lexicon reads some as chat ("km" -> "kamu", "cm" -> "cuma").
UNIT_SYMBOLS = frozenset({"km", "cm", "mm", "ha", "kg", "mg", "ml"})
# Clitics that attach to a standard root without making it slang ("soalnya" = "the question").
_CLITIC = re.compile(r"(nya|lah|kah|pun|tah|ku|mu)$")


def read_source(argv: list[str]) -> str:
    """Return the IndoCollex dictionary text, from a path given on the command line or downloaded."""
    if len(argv) > 1:
        return Path(argv[1]).read_text(encoding="utf-8")
    import requests
    try:
        response = requests.get(SOURCE_URL, timeout=60)
        response.raise_for_status()
    except requests.RequestException as e:
        sys.exit(f"Could not download {SOURCE_URL} ({e}); clone haryoa/indo-collex and pass the file's path.")
    return response.content.decode("utf-8")


def kbbi_roots() -> frozenset[str]:
    """Return PySastrawi's dictionary of Indonesian root words."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    return frozenset(w.strip() for w in StemmerFactory().get_words() if w.strip())


def keep(chat: str, standard: str, roots: frozenset[str]) -> str | None:
    """Return why an entry is dropped, or None to keep it."""
    from wordfreq import zipf_frequency
    if tokenise(chat) != [chat]:
        return "not one word token"
    if not standard or standard == chat:
        return "no change"
    if chat in UNIT_SYMBOLS:
        return "a unit symbol"
    if chat in roots:
        return "a standard root word"
    if _CLITIC.search(chat) and _CLITIC.sub("", chat) in roots:
        return "a standard root with a clitic"
    id_chat, id_standard = zipf_frequency(chat, "id"), zipf_frequency(standard, "id")
    if id_chat >= id_standard + FREQUENCY_MARGIN:
        return "more frequent than its standard form"
    en_chat = zipf_frequency(chat, "en")
    if en_chat >= ENGLISH_ZIPF and en_chat > id_chat + ENGLISH_MARGIN:
        return "an English word"
    return None


def main(argv: list[str]) -> None:
    """Write slang.tsv and print how many entries each rule dropped."""
    roots = kbbi_roots()
    lines = read_source(argv).splitlines()
    kept: dict[str, str] = {}
    dropped: dict[str, int] = {}
    for line in lines[1:]:   # header: informal \t formal
        if "\t" not in line:
            continue
        chat, standard = (part.strip().lower() for part in line.split("\t", 1))
        standard = " ".join(tokenise(standard))
        why = keep(chat, standard, roots)
        if why:
            dropped[why] = dropped.get(why, 0) + 1
        else:
            kept[chat] = standard
    from tsvfile import write_tsv  # beside this script (on sys.path when it runs)
    write_tsv(OUT, f"chat form\tstandard Indonesian. Built by scripts/build_slang.py from IndoCollex "
              f"({SOURCE_COMMIT[:12]}), MIT; see README.md and LICENSE-slang.txt", kept)
    print(f"{len(lines) - 1} source entries, {len(kept)} kept -> {OUT.relative_to(REPO)}")
    for why, n in sorted(dropped.items(), key=lambda kv: -kv[1]):
        print(f"  dropped {n}: {why}")


if __name__ == "__main__":
    main(sys.argv)
