"""Fitting the answerability model (answerable.py) on IDK-MRC train: python -m retrieval.answerable_fit TRAIN.json."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .answerable import FEATURES, WEIGHTS

PARAGRAPHS = 1200       # IDK-MRC train paragraphs made into the fitting corpus (a third of train; 2 min on 2 cores)
FOREIGN = 900           # of their questions, also asked of the chapter, where none has an answer
SEED = 7
FALSE_ABSTAIN = 0.02    # the threshold lets this share of answerable questions find no quote above it: a wrong
                        # "not found" costs a student more than a trap answered with a marked quote; issue 12
                        # allows 4% on IDK-MRC valid, and half of that on train leaves room for the gap


def collect(engine, questions: list[dict], top_k: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return features, labels (the quote holds a gold answer) and, for each row, the number of its question
    when that question is answerable (-1 when it is not)."""
    from .evaluate import norm
    from .question import understand
    xs, ys, asked = [], [], []
    for n, item in enumerate(questions):
        plan = understand(item["q"], engine.compounds, lambda t: t in engine.index.vocab, engine.settings)
        gold = [norm(g) for g in item.get("gold", [])]
        for quote, sig in engine.signals(plan, top_k):
            xs.append(sig.vector())
            ys.append(bool(gold) and any(g in norm(quote.text) for g in gold))
            asked.append(n if gold else -1)
    return np.array(xs), np.array(ys, bool), np.array(asked, int)


def fit(x: np.ndarray, y: np.ndarray, asked: np.ndarray, leave_out: tuple[str, ...] = ()) -> dict:
    """Return the fitted weights (scikit-learn's logistic regression, L2, balanced classes), without the features
    named in leave_out, and the threshold that lets FALSE_ABSTAIN of the answerable questions (asked >= 0) find
    no quote above it."""
    from sklearn.linear_model import LogisticRegression
    keep = np.array([name not in leave_out for name in FEATURES])
    model = LogisticRegression(C=1.0, class_weight="balanced", fit_intercept=False, max_iter=2000).fit(x[:, keep], y)
    w = np.zeros(len(FEATURES))
    w[keep] = model.coef_[0]
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    best: dict[int, float] = {}
    for n, prob in zip(asked.tolist(), p.tolist()):
        if n >= 0:
            best[n] = max(best.get(n, 0.0), prob)
    threshold = float(np.quantile(list(best.values()), FALSE_ABSTAIN)) if best else 0.5
    return {"weights": {name: round(float(v), 6) for name, v in zip(FEATURES, w)}, "threshold": round(threshold, 6)}


def main(argv: list[str]) -> int:
    """Fit the model on IDK-MRC train (argv[0]) and write WEIGHTS."""
    import random
    import sys
    import tempfile

    from .engine import Engine
    if len(argv) != 1:
        print("usage: python -m retrieval.answerable_fit IDK-MRC-TRAIN.json", file=sys.stderr)
        return 2
    paragraphs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    random.Random(SEED).shuffle(paragraphs)
    paragraphs = paragraphs[:PARAGRAPHS]
    questions = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, para in enumerate(paragraphs, 1):
            (Path(tmp) / f"p{n:04d}.txt").write_text(para["context"], encoding="utf-8")
            for qa in para["qas"]:
                gold = [] if qa.get("is_impossible") else sorted({a["text"] for a in qa["answers"]})
                questions.append({"q": qa["question"], "gold": gold})
        own = Engine.build(Path(tmp), progress=lambda stage, done, total: None)
        x1, y1, a1 = collect(own, questions)
    chapter = Engine.build(Path(__file__).resolve().parent.parent / "corpus")
    x2, y2, _ = collect(chapter, random.Random(SEED).sample(questions, FOREIGN), top_k=1)
    x, y, asked = np.vstack([x1, x2]), np.concatenate([y1, y2]), np.concatenate([a1, np.full(len(y2), -1)])
    out = {"dense": fit(x, y, asked), "lexical": fit(x, y, asked, leave_out=("cosine",))}
    np.savez(WEIGHTS.with_suffix(".features.npz"), x=x, y=y, asked=asked)   # for trying other models (not shipped)
    out["data"] = (f"IDK-MRC train (Putri & Oh, EMNLP 2022; CC BY-SA 4.0): {len(questions)} questions on "
                   f"{PARAGRAPHS} paragraphs (seed {SEED}), {FOREIGN} of them also asked of the chapter; "
                   f"{len(y)} quotes, {int(y.sum())} holding a gold answer")
    WEIGHTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
