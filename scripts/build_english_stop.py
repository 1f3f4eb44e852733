"""Build retrieval/data/english-stop.txt (English function words) from scikit-learn's ENGLISH_STOP_WORDS.

An English question's function words ("should", "between", "them") have no place in an Indonesian index: left in,
they only meet Indonesian words by spelling.  The list is scikit-learn's (BSD-3-Clause; from the Glasgow
Information Retrieval Group), written out so that answering never imports scikit-learn.

Usage: python scripts/build_english_stop.py
"""
from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "retrieval" / "data" / "english-stop.txt"


def words() -> list[str]:
    """Return scikit-learn's English stop words, sorted."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    return sorted(ENGLISH_STOP_WORDS)


def main() -> None:
    """Write english-stop.txt: a header line, then one word a line."""
    import sklearn
    listed = words()
    with OUT.open("w", encoding="utf-8", newline="\n") as out:
        out.write(f"# English function words: scikit-learn {sklearn.__version__} ENGLISH_STOP_WORDS (BSD-3-Clause, "
                  "Glasgow IR group list); built by scripts/build_english_stop.py; see README.md and "
                  "LICENSE-english-stop.txt\n")
        out.write("".join(f"{w}\n" for w in listed))
    print(f"{len(listed)} words -> {OUT}")


if __name__ == "__main__":
    main()
