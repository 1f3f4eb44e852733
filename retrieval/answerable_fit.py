"""Fitting the answerability model (answerable.py) on IDK-MRC train: python -m retrieval.answerable_fit TRAIN.json."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from .answerable import FEATURES, WEIGHTS, lowest_log_odds

PARAGRAPHS = 1200       # IDK-MRC train paragraphs made into the fitting corpus (a third of train; 2 min on 2 cores)
FOREIGN = 900           # of their questions, also asked of the chapter, where none has an answer
SEED = 7
FALSE_ABSTAIN = 0.02    # the threshold lets this share of answerable questions find no quote above it: a wrong
                        # "not found" costs a student more than a trap answered with a marked quote; issue 12
                        # allows 4% on IDK-MRC valid, and half of that on train leaves room for the gap
SMOOTHING = 1.0         # added to each count of log_odds()
MIN_QUESTIONS = 5       # a word lacking from fewer first quotes' passages than this gets no log-odds
FOLDS = 5               # the train rows' missing_prior is read off a table fitted without their own question
VETO_COST = 0.01        # the veto may take this share of train's answerable questions (out of fold): with the
                        # threshold's 2%, 3% in all, under the 4% issue 12 allows on IDK-MRC valid


def collect(engine, questions: list[dict], top_k: int = 3, numbers: list[int] | None = None) -> dict:
    """Return, for each quote the questions get, its features, its label (it holds a gold answer), the number of its
    question, whether that question is answerable, whether the quote came first, and the question words its passage
    lacks (numbers: the questions' numbers, by default their places in the list)."""
    from .evaluate import norm
    from .question import understand
    rows: dict[str, list] = {"x": [], "y": [], "question": [], "answerable": [], "first": [], "missing": []}
    for n, item in zip(numbers or range(len(questions)), questions):
        plan = understand(item["q"], engine.compounds, lambda t: t in engine.index.vocab, engine.settings)
        gold = [norm(g) for g in item.get("gold", [])]
        for rank, (quote, sig) in enumerate(engine.signals(plan, top_k)):
            for key, value in (("x", sig.vector()), ("y", bool(gold) and any(g in norm(quote.text) for g in gold)),
                               ("question", n), ("answerable", bool(gold)), ("first", rank == 0),
                               ("missing", sig.missing)):
                rows[key].append(value)
    return {k: (v if k == "missing" else np.array(v)) for k, v in rows.items()}


def log_odds(rows: dict, use: np.ndarray) -> dict[str, float]:
    """Return, for each word the first quote's passage lacks for at least MIN_QUESTIONS of the questions in use,
    log P(lacking | answered there) - log P(lacking | unanswerable), smoothed: negative for the words whose absence
    marks a question written to have no answer."""
    first = use & rows["first"]
    answered, trap = first & rows["answerable"] & rows["y"], first & ~rows["answerable"]
    counts = {True: Counter(), False: Counter()}
    for i in np.flatnonzero(answered | trap):
        counts[bool(answered[i])].update(rows["missing"][i])
    n_yes, n_no = int(answered.sum()), int(trap.sum())
    return {t: round(float(np.log((counts[True][t] + SMOOTHING) / (n_yes + SMOOTHING))
                           - np.log((counts[False][t] + SMOOTHING) / (n_no + SMOOTHING))), 4)
            for t in sorted(set(counts[True]) | set(counts[False]))
            if counts[True][t] + counts[False][t] >= MIN_QUESTIONS}


def prior_out_of_fold(rows: dict) -> np.ndarray:
    """Return each row's missing_prior read off a table fitted without its question (on the other folds'
    questions)."""
    prior = np.zeros(len(rows["y"]))
    fold = rows["question"] % FOLDS
    for k in range(FOLDS):
        table = log_odds(rows, fold != k)
        for i in np.flatnonzero(fold == k):
            prior[i] = lowest_log_odds(table, rows["missing"][i])
    return prior


def veto_level(rows: dict, prior: np.ndarray, table: dict[str, float]) -> float:
    """Return the highest log-odds level of the table at which vetoing a first quote (its passage lacks a question
    word of that level or lower) takes at most VETO_COST of the answerable questions (prior: each row's
    missing_prior, out of fold)."""
    first = rows["first"]
    answered, trap = prior[first & rows["answerable"]], prior[first & ~rows["answerable"]]
    level = -np.inf
    for candidate in sorted({v for v in table.values() if v < 0}):
        if np.mean(answered <= candidate) > VETO_COST:
            break
        level = candidate
    print(f"veto at log-odds <= {level}: {np.mean(answered <= level):.3f} of answerable, "
          f"{np.mean(trap <= level):.3f} of unanswerable questions (train, out of fold)", file=sys.stderr)
    return float(level)


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


def asked_of_own(paragraphs: list[dict]) -> tuple[list[dict], dict]:
    """Return the questions of IDK-MRC paragraphs and the rows (collect) they get from a corpus of those
    paragraphs."""
    import tempfile

    from .engine import Engine
    questions = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, para in enumerate(paragraphs, 1):
            (Path(tmp) / f"p{n:04d}.txt").write_text(para["context"], encoding="utf-8")
            for qa in para["qas"]:
                gold = [] if qa.get("is_impossible") else sorted({a["text"] for a in qa["answers"]})
                questions.append({"q": qa["question"], "gold": gold})
        engine = Engine.build(Path(tmp), progress=lambda stage, done, total: None)
        return questions, collect(engine, questions)


def main(argv: list[str]) -> int:
    """Fit the model on IDK-MRC train (argv[0]) and write WEIGHTS; with --table-only, refit only the missing words'
    log-odds and veto level, keeping the weights in the file."""
    import random

    from .engine import Engine
    table_only = "--table-only" in argv
    argv = [a for a in argv if a != "--table-only"]
    if len(argv) != 1:
        print("usage: python -m retrieval.answerable_fit IDK-MRC-TRAIN.json [--table-only]", file=sys.stderr)
        return 2
    paragraphs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    random.Random(SEED).shuffle(paragraphs)
    # the missing words' log-odds are counts: all of train (6 min on 2 cores)
    every, rows = asked_of_own(paragraphs)
    table = log_odds(rows, np.ones(len(rows["y"]), bool))
    missing = {"smoothing": SMOOTHING, "min_questions": MIN_QUESTIONS,
               "veto": veto_level(rows, prior_out_of_fold(rows), table),
               "data": f"IDK-MRC train (Putri & Oh, EMNLP 2022; CC BY-SA 4.0): all {len(every)} questions on "
                       f"{len(paragraphs)} paragraphs, asked of a corpus of those paragraphs",
               "log_odds": table}
    if table_only:
        out = {**json.loads(WEIGHTS.read_text(encoding="utf-8")), "missing_terms": missing}
    else:
        questions, asked_there = asked_of_own(paragraphs[:PARAGRAPHS])
        chapter = Engine.build(Path(__file__).resolve().parent.parent / "corpus")
        picked = sorted(random.Random(SEED).sample(range(len(questions)), FOREIGN))
        of_chapter = collect(chapter, [questions[i] for i in picked], top_k=1, numbers=picked)
        x, y = np.vstack([asked_there["x"], of_chapter["x"]]), np.concatenate([asked_there["y"], of_chapter["y"]])
        asked = np.concatenate([np.where(asked_there["answerable"], asked_there["question"], -1),
                                np.full(len(of_chapter["y"]), -1)])      # none has its answer in the chapter
        out = {"dense": fit(x, y, asked), "lexical": fit(x, y, asked, leave_out=("cosine",)),
               "data": (f"IDK-MRC train (Putri & Oh, EMNLP 2022; CC BY-SA 4.0): {len(questions)} questions on "
                        f"{PARAGRAPHS} paragraphs (seed {SEED}), {FOREIGN} of them also asked of the chapter; "
                        f"{len(y)} quotes, {int(y.sum())} holding a gold answer"),
               "missing_terms": missing}
        np.savez(WEIGHTS.with_suffix(".features.npz"), x=x, y=y, asked=asked)   # for trying other models (not shipped)
    WEIGHTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
