"""Query-term necessity: how often a question word also stands in the passage that answers it.

"Siapa nama ...", "Berapa jumlah ..." frame a question more than they name its answer: of the IDK-MRC train
questions holding "nama" 25% find it in the answering paragraph, "jumlah" 20%, a word asked about once or twice
81%.  A word's necessity weighs it in the query (Zhao & Callan, "Term necessity prediction", 2010),
estimated from `necessity.tsv` and smoothed towards the rate of rare words (the prior), which a word never
asked about also gets:

    necessity(t) = (kept(t) + necessity_smoothing * prior) / (seen(t) + necessity_smoothing)

(necessity_smoothing, necessity_rare and necessity_exponent are fields of retrieval.settings.Settings.)

Regenerate the table after changing the text analysis:
    python -m retrieval.necessity ../shared/datasets/idk-mrc/train.json
"""
from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

from .settings import DEFAULT, Settings

TABLE = Path(__file__).with_name("necessity.tsv")
_HEADER = ("# query-term necessity from IDK-MRC train (Putri & Oh, EMNLP 2022; CC BY-SA 4.0): term, questions "
           "holding it, of which the answering paragraph holds it too")


@lru_cache(maxsize=4)
def _table(rare: int) -> tuple[float, dict[str, tuple[int, int]]]:
    """Return the prior (kept / seen over words seen at most `rare` times) and term -> (seen, kept); an unreadable
    table weighs all alike."""
    counts: dict[str, tuple[int, int]] = {}
    try:
        lines = TABLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1.0, counts
    for line in lines:
        parts = line.split("\t")
        if len(parts) == 3 and not line.startswith("#") and parts[1].isdigit() and parts[2].isdigit():
            counts[parts[0]] = (int(parts[1]), int(parts[2]))
    few = [(s, k) for s, k in counts.values() if s <= rare]
    seen = sum(s for s, _ in few)
    return (sum(k for _, k in few) / seen if seen else 1.0), counts


def necessity(term: str, settings: Settings = DEFAULT) -> float:
    """Return the smoothed share of questions holding term whose answering passage holds it too."""
    prior, counts = _table(settings.necessity_rare)
    seen, kept = counts.get(term, (0, 0))
    return (kept + settings.necessity_smoothing * prior) / (seen + settings.necessity_smoothing)


def weight(term: str, settings: Settings = DEFAULT) -> float:
    """Return the factor a query term's tf-idf weight is multiplied by: below 1 only for a word less necessary than
    a rare word (a frame word), so that names and rare words, often judged on a handful of questions, keep theirs."""
    prior = _table(settings.necessity_rare)[0]
    return min(1.0, necessity(term, settings) / prior) ** settings.necessity_exponent


def count(split: Path) -> dict[str, tuple[int, int]]:
    """Return term -> (answerable questions holding it, of which the paragraph holds it) for an IDK-MRC split."""
    from .analysis import terms, tokenise, without_frame
    from .asked import question_type
    from .question import clean_question
    data = json.loads(split.read_text(encoding="utf-8"))
    paragraphs = data if isinstance(data, list) else [p for a in data["data"] for p in a["paragraphs"]]
    out: dict[str, list[int]] = {}
    for para in paragraphs:
        held = set(terms(tokenise(para["context"])))
        for qa in para["qas"]:
            if qa.get("is_impossible"):
                continue
            q = clean_question(qa["question"])
            for t in set(terms(without_frame(tokenise(q), question_type(q)))):
                row = out.setdefault(t, [0, 0])
                row[0] += 1
                row[1] += t in held
    return {t: (s, k) for t, (s, k) in out.items()}


def main(argv: list[str]) -> int:
    """Write TABLE from the IDK-MRC split named in argv."""
    if len(argv) != 1:
        print("usage: python -m retrieval.necessity IDK-MRC-TRAIN.json", file=sys.stderr)
        return 2
    counts = count(Path(argv[0]))
    rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    TABLE.write_text("\n".join([_HEADER] + [f"{t}\t{s}\t{k}" for t, (s, k) in rows]) + "\n", encoding="utf-8")
    print(f"{len(rows)} terms -> {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
