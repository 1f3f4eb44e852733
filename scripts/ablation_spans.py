"""Each span-model feature left out in turn: the trees refitted on the shipped train rows without it, measured on the
candidate spans of Kutip's first quotes for valid questions.

Usage: python scripts/ablation_spans.py retrieval/data/fit-rows.npz VALID_DIR [VALID_DIR ...]
(VALID_DIR: made by ../shared/eval/idkmrc_to_corpus.py from a valid split: questions.jsonl, corpus/).  Prints, per
feature left out: on train, out of fold, the share of questions the fit's own threshold rule would show (the only
figure to choose by); on valid, the share of questions whose gold span is a candidate that the likeliest candidate
gets right, the share shown at that threshold and how many of those are exact, and the largest share that could be
shown at exact >= 0.85 read off valid itself (noisy: for comparing, never for choosing).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval import Engine, fit  # noqa: E402
from retrieval.qadata import Question  # noqa: E402
from retrieval.short_answer import SPAN_FEATURES  # noqa: E402


def scores(train: dict[str, np.ndarray], valid: dict[str, np.ndarray], k: int | None) -> list[float]:
    """Return, without feature k: on train out of fold (the fit's own rule), the share of questions shown at the
    threshold fit.fit_spans would ship; on valid, top-1 exact where gold is a candidate, the share shown at that
    threshold and their exactness, and the largest share shown at exact >= 0.85 read off valid itself."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold
    x, vx, y = train["span_x"].astype(np.float64), valid["x"].astype(np.float64), train["span_y"]
    if k is not None:
        x[:, k] = 0.0
        vx[:, k] = 0.0

    def trees() -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(**fit.SPAN_TREES, early_stopping=False, random_state=fit.SEED)
    oof = np.zeros(len(y))
    for fitted, held in GroupKFold(fit.SPAN_FOLDS).split(x, y, train["span_question"]):
        oof[held] = trees().fit(x[fitted], y[fitted]).predict_proba(x[held])[:, 1]
    train_best = best_of(train["span_question"], oof, y)
    threshold = fit.lowest_precise(sorted(train_best.values(), reverse=True), fit.SPAN_PRECISION, 1.0)
    train_shown = sum(p >= threshold for p, _ in train_best.values()) / len(train_best)
    best = best_of(valid["question"], trees().fit(x, y).predict_proba(vx)[:, 1], valid["y"])
    reachable = set(valid["question"][valid["y"]].tolist())
    top1 = sum(best[n][1] for n in reachable) / max(1, len(reachable))
    shown = [exact for p, exact in best.values() if p >= threshold]
    ranked = sorted(best.values(), reverse=True)
    hits = np.cumsum([e for _, e in ranked])
    ok = [i + 1 for i in range(len(ranked)) if hits[i] / (i + 1) >= 0.85]
    return [train_shown, top1, len(shown) / len(best), float(np.mean(shown)) if shown else float("nan"),
            (max(ok) if ok else 0) / len(best)]


def best_of(question: np.ndarray, p: np.ndarray, y: np.ndarray) -> dict[int, tuple[float, bool]]:
    """Return each question's likeliest candidate: its probability and whether it is exact."""
    best: dict[int, tuple[float, bool]] = {}
    for n, prob, exact in zip(question.tolist(), p.tolist(), y.tolist()):
        if n not in best or prob > best[n][0]:
            best[n] = (prob, bool(exact))
    return best


def main(argv: list[str]) -> None:
    """Print the table."""
    train = dict(np.load(argv[1]))
    parts = []
    for number, folder in enumerate(map(Path, argv[2:])):
        rows = [json.loads(line) for line in (folder / "questions.jsonl").open(encoding="utf-8")]
        questions = [Question(r["id"], r["q"], tuple(r["gold"]), r["source"]) for r in rows if not r.get("abstain")]
        parts.append(fit.collect_spans(Engine.build(folder / "corpus"), questions, number * 100_000))
    valid = {key: np.concatenate([part[key] for part in parts]) for key in ("x", "y", "question")}
    print(f"{len(np.unique(valid['question']))} valid questions with candidates, "
          f"{len(np.unique(valid['question'][valid['y']]))} with the gold span among them")
    print("left out | train shown (out of fold, at its threshold) | valid: top-1 exact (gold a candidate) | shown at "
          "that threshold | exact of those | largest share shown at exact >= 0.85 (read off valid)")
    for k in [None, *range(1, len(SPAN_FEATURES))]:
        cells = scores(train, valid, k)
        print("none" if k is None else SPAN_FEATURES[k], *(f"{v:.3f}" for v in cells), sep=" | ", flush=True)


if __name__ == "__main__":
    main(sys.argv)
