"""Would boosted trees rank sentences better than the shipped linear ranker?  (Tried 8 December 2026; not shipped.)

    KUTIP_CACHE_DIR=… python scripts/ranker_trees.py collect OUT.npz FOLDER [FOLDER ...]
    python scripts/ranker_trees.py compare retrieval/data/fit-rows.npz SET.npz [SET.npz ...]

collect writes every candidate sentence the ranker scores for each answerable question of eval folders (as
../shared/eval/idkmrc_to_corpus.py writes them), with its features and grade (fit.grades).  compare fits
HistGradientBoostingClassifier on the shipped train rows (a sentence holding the gold answer against the rest) in a
few shapes and prints, per set, the share of questions whose best-scored sentence holds the answer / lies in the gold
passage, beside the shipped linear ranker's.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval import Engine  # noqa: E402
from retrieval.fit import grades  # noqa: E402
from retrieval.qadata import Question  # noqa: E402
from retrieval.ranker import WEIGHTS  # noqa: E402

SHAPES = ({"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 7, "min_samples_leaf": 100},
          {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 50},
          {"max_iter": 300, "learning_rate": 0.05, "max_leaf_nodes": 31, "min_samples_leaf": 50})


def collect(out: Path, folders: list[Path]) -> None:
    """Write the candidates of every answerable question of the folders."""
    xs, gs, qs = [], [], []
    for folder in folders:
        engine = Engine.build(folder / "corpus")
        for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            if q.get("abstain") or not q.get("gold"):
                continue
            found = engine.candidates(q["q"])
            xs.append(found.x.astype(np.float32))
            gs.append(grades(engine, found.rows, Question(q["id"], q["q"], tuple(q["gold"]), q["source"])))
            qs.append(np.full(len(found.rows), len(qs), np.int32))
    np.savez(out, x=np.vstack(xs), grade=np.concatenate(gs), question=np.concatenate(qs))


def top_one(data: dict, score: np.ndarray) -> str:
    """Return the share of questions whose best-scored sentence holds the answer / lies in the gold passage."""
    hit = passage = 0
    groups = np.split(np.arange(len(data["question"])), np.flatnonzero(np.diff(data["question"])) + 1)
    for idx in groups:
        best = idx[np.argmax(score[idx])]
        hit += data["grade"][best] == 2
        passage += data["grade"][best] >= 1
    return f"{hit / len(groups):.3f} / {passage / len(groups):.3f}"


def compare(rows_file: Path, set_files: list[Path]) -> None:
    """Print the linear ranker's and each tree shape's top-one figures on every set."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    rows = dict(np.load(rows_file))
    x, gold = rows["rank_x"].astype(np.float64), rows["rank_grade"] == 2
    sets = {path.stem: dict(np.load(path)) for path in set_files}
    w = np.array(json.loads(WEIGHTS.read_text(encoding="utf-8"))["dense"]["weights"])
    print("ranker | " + " | ".join(f"{name} sentence / passage" for name in sets))
    print("linear (shipped) | " + " | ".join(top_one(d, d["x"].astype(np.float64) @ w) for d in sets.values()))
    for shape in SHAPES:
        trees = HistGradientBoostingClassifier(random_state=0, **shape).fit(x, gold)
        print(f"trees {shape} | " + " | ".join(top_one(d, trees.predict_proba(d["x"].astype(np.float64))[:, 1])
                                              for d in sets.values()), flush=True)


def main(argv: list[str]) -> int:
    """Run one subcommand."""
    if len(argv) >= 3 and argv[0] == "collect":
        collect(Path(argv[1]), [Path(a) for a in argv[2:]])
    elif len(argv) >= 3 and argv[0] == "compare":
        compare(Path(argv[1]), [Path(a) for a in argv[2:]])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
