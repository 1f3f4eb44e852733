"""Build retrieval/data/english-wordnet.tsv (English word -> Indonesian words) from two wordnets that share synsets.

Sources: Princeton WordNet 3.0 (its index files give each English word's synsets, most frequent sense first;
WordNet 3.0 licence), as packaged by Debian: `apt-get install -y wordnet-base` (/usr/share/wordnet); and the
Wordnet Bahasa (Bond et al.; MIT), whose Indonesian lemmas are keyed by the same WordNet 3.0 synset offsets:
`wns/msa/wn-data-ind.tab` of the Open Multilingual Wordnet data (omwn/omw-data).
Usage: python scripts/build_wordnet_english.py WN-DATA-IND.tab [wordnet-dir]
An English word's translations are the Indonesian lemmas of its commonest sense in each part of speech it is used
in (translations()); it also writes english-irregular.tsv, WordNet's irregular forms ("came" -> "come").
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORDNET = Path("/usr/share/wordnet")      # where Debian's wordnet-base puts the index files
OUT = REPO / "retrieval" / "data" / "english-wordnet.tsv"
IRREGULAR = REPO / "retrieval" / "data" / "english-irregular.tsv"
SENSES = 1              # synsets read per part of speech: later senses are rarer and lead astray (drive: 34)
MAX_TRANSLATIONS = 6    # Indonesian lemmas kept per English word, from its commonest sense on
MAX_WORDS = 3           # an English or Indonesian lemma of more words is a phrase, never a question word
POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}


def indonesian(tab_text: str) -> dict[str, list[str]]:
    """Return synset ("00001740-n") -> Indonesian lemmas, from a wn-data-ind.tab text."""
    out: dict[str, list[str]] = {}
    for line in tab_text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] == "ind:lemma":
            lemma = " ".join(parts[2].lower().replace("_", " ").split())
            if lemma and len(lemma.split()) <= MAX_WORDS and lemma not in out.setdefault(parts[0], []):
                out[parts[0]].append(lemma)
    return out


def senses(index_text: str, pos: str) -> dict[str, tuple[int, list[str]]]:
    """Return English lemma -> (how many of its senses the WordNet corpus tagged, its synsets ("offset-pos"),
    most frequent first), from a WordNet index file."""
    out: dict[str, tuple[int, list[str]]] = {}
    for line in index_text.splitlines():
        if not line or line.startswith(" "):       # the licence header lines start with two spaces
            continue
        fields = line.split()
        lemma, n_synsets, n_pointers = fields[0], int(fields[2]), int(fields[3])
        tagged = int(fields[4 + n_pointers + 1])
        offsets = fields[4 + n_pointers + 2:][:n_synsets]
        out[lemma.replace("_", " ")] = (tagged, [f"{o}-{pos}" for o in offsets])
    return out


def translations(by_pos: list[dict[str, tuple[int, list[str]]]], ind: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return English lemma -> Indonesian lemmas of its commonest sense in each part of speech it is used in.

    A part of speech counts when the WordNet corpus tagged any of the word's senses in it, the most tagged first
    ("come" is a verb: its one noun sense is never tagged); a word never tagged keeps every part of speech.  In
    each, the first SENSES synsets among the tagged ones that have Indonesian lemmas are read.
    """
    out: dict[str, list[str]] = {}
    for lemma in sorted({lemma for table in by_pos for lemma in table}):
        if len(lemma.split()) > MAX_WORDS:
            continue
        uses = sorted((table[lemma] for table in by_pos if lemma in table), key=lambda use: -use[0])
        if uses[0][0] > 0:
            uses = [use for use in uses if use[0] > 0]
        found: list[str] = []
        for tagged, synsets in uses:
            named = [s for s in synsets[:max(tagged, 1)] if ind.get(s)][:SENSES]
            for synset in named:
                found.extend(w for w in ind[synset] if w not in found and w != lemma)
        if found:
            out[lemma] = found[:MAX_TRANSLATIONS]
    return out


def irregular(exc_texts: list[str]) -> dict[str, str]:
    """Return an irregular English form -> its base word, from WordNet's exception lists ("came come")."""
    out: dict[str, str] = {}
    for text in exc_texts:
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] != parts[1]:
                out.setdefault(parts[0].replace("_", " "), parts[1].replace("_", " "))
    return out


def main(argv: list[str]) -> None:
    """Write english-wordnet.tsv from the Wordnet Bahasa tab file and the WordNet 3.0 index files."""
    if len(argv) < 2:
        sys.exit("usage: python scripts/build_wordnet_english.py WN-DATA-IND.tab [wordnet-dir]")
    ind = indonesian(Path(argv[1]).read_text(encoding="utf-8"))
    wordnet = Path(argv[2]) if len(argv) > 2 else DEFAULT_WORDNET
    by_pos = [senses((wordnet / f"index.{name}").read_text(encoding="utf-8"), pos) for name, pos in POS.items()]
    entries = translations(by_pos, ind)
    forms = irregular([(wordnet / f"{name}.exc").read_text(encoding="utf-8") for name in POS])
    from tsvfile import write_lists, write_tsv  # beside this script (on sys.path when it runs)
    write_lists(OUT, "english\tindonesian words separated by |.  Built by scripts/build_wordnet_english.py from "
                "Princeton WordNet 3.0 (WordNet 3.0 licence) and the Wordnet Bahasa (MIT); see README.md and "
                "LICENSE-wordnet.txt", entries, "translations")
    write_tsv(IRREGULAR, "form\tbase word.  Built by scripts/build_wordnet_english.py from Princeton WordNet 3.0's "
              "exception lists (WordNet 3.0 licence); see README.md and LICENSE-wordnet.txt", forms)
    print(f"{len(forms)} irregular forms -> {IRREGULAR.relative_to(REPO)}")


if __name__ == "__main__":
    main(sys.argv)
