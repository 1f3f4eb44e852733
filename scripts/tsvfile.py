"""Write a table of retrieval/data/: one '# ' header line, then a 'key<TAB>value' line per key, keys sorted."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_tsv(path: Path, header: str, rows: dict[str, str]) -> None:
    """Write rows to path as UTF-8 with '\\n' line ends, under the header line ('# ' + header)."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"# {header}\n")
        for key in sorted(rows):
            out.write(f"{key}\t{rows[key]}\n")


def write_lists(path: Path, header: str, entries: dict[str, list[str]], what: str) -> None:
    """Write headword -> words ('|'-joined) to path and print how many of each were written (what: the words)."""
    write_tsv(path, header, {head: "|".join(words) for head, words in entries.items()})
    print(f"{len(entries)} headwords, {sum(map(len, entries.values()))} {what} -> {path.relative_to(REPO)}")
