"""Each ranker feature left out in turn: the ranker refitted on the shipped train rows without it, measured on valid.

Usage: python scripts/ablation.py retrieval/data/fit-rows.npz QUESTIONS.jsonl CORPUS [QUESTIONS.jsonl CORPUS ...]
(for a valid split, the questions.jsonl and corpus/ that ../shared/eval/idkmrc_to_corpus.py makes).  Prints, per
feature, the first quote's hit@1 and doc@1 (where questions name their file) on the answerable questions, with
abstention off (the ranker's own job).
"""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval import Engine, fit, ranker  # noqa: E402
from retrieval.evaluate import norm  # noqa: E402


def weights_without(rows: dict[str, np.ndarray], k: int | None) -> dict:
    """Return the ranker file's content fitted on the rows with feature k set to 0 everywhere (None: all kept)."""
    data = {"x": rows["rank_x"].copy(), "grade": rows["rank_grade"], "question": rows["rank_question"]}
    if k is not None:
        data["x"][:, k] = 0.0
    return fit.fit_ranker(data)


def measure(engine: Engine, questions: list[dict]) -> str:
    """Return hit@1 and doc@1 (where the questions name their file) of the first quote over the questions."""
    hit = doc = 0
    for q in questions:
        quotes = engine.ask(q["q"]).quotes
        if quotes:
            hit += any(norm(g) in norm(quotes[0].text) for g in q["gold"])
            doc += quotes[0].passage.source == q.get("source")
    named = all("source" in q for q in questions)
    return f"{hit / len(questions):.3f} / " + (f"{doc / len(questions):.3f}" if named else "-")


def main(argv: list[str]) -> None:
    """Print the table."""
    rows = dict(np.load(argv[1]))
    sets = []
    for asked, corpus in zip(map(Path, argv[2::2]), map(Path, argv[3::2])):
        questions = [json.loads(line) for line in asked.open(encoding="utf-8")]
        engine = Engine.build(corpus)
        sets.append((asked.stem if asked.stem != "questions" else asked.parent.name,
                     engine.with_settings(replace(engine.settings, abstain=False)),
                     [q for q in questions if q.get("gold") and not q.get("abstain")]))
    print("left out", *(f"{name} hit1 / doc1" for name, _, _ in sets), sep=" | ")
    for k in [None, *range(len(ranker.FEATURES))]:
        fitted = weights_without(rows, k)
        without = ranker.RankModel(np.array(fitted["dense"]["weights"]))

        def refitted(dense: bool, model: ranker.RankModel = without) -> ranker.RankModel:
            """Return the refitted ranker (the e5 variant: the model is loaded)."""
            return model
        ranker.model = refitted                                   # this process only
        cells = [measure(e, qs) for _, e, qs in sets]
        print("none" if k is None else ranker.FEATURES[k], *cells, sep=" | ", flush=True)


if __name__ == "__main__":
    main(sys.argv)
