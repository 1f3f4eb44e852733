"""Fitting the answerability model (answerable.py): rows of quotes and their signals, a logistic model, thresholds
and the trap-word table.  Run by `python -m retrieval.fit` (fit.py), on IDK-MRC train, the first half of
trans-SQuAD and IDK-MRC's questions put word by word into English; nothing of the chapter."""
from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

import numpy as np

from .answerable import FEATURES, lowest_log_odds

FALSE_ABSTAIN = 0.02    # the threshold lets this share of answerable questions find no quote above it: a wrong
                        # "not found" costs a student more than a trap answered with a marked quote; issue 12
                        # allows 4% on IDK-MRC valid, and half of that on train leaves room for the gap
SMOOTHING = 1.0         # added to each count of log_odds()
MIN_QUESTIONS = 5       # a word lacking from fewer first quotes' passages than this gets no log-odds
FOLDS = 5               # the train rows' missing_prior is read off a table fitted without their own question
VETO_COST = 0.01        # the veto may take this share of train's answerable questions (out of fold).  Kutip
                        # refuses more than the two add up to, as it needs the first quote the veto keeps to pass,
                        # not any quote: with the shipped file, 0.038 of train's answerable questions (scripts/reader/
                        # trust.py rule; docs/experiments.md, 7 December)


def collect(engine, questions: list, top_k: int = 3, first_number: int = 0,
            ask_as: Callable[[str, int], str] | None = None, translated: bool = False) -> dict:
    """Return, for each quote the questions (qadata.Question) get, its features, its label (it holds a gold answer),
    the number of its question, whether that question is answerable, whether the quote came first, the question
    words its passage lacks (space-separated) and whether the question was put into English (translated).
    ask_as(question, number): the question as it is asked (in English, in chat forms), by default as written."""
    from .evaluate import norm
    rows: dict[str, list] = {"x": [], "y": [], "question": [], "answerable": [], "first": [], "missing": [],
                             "translated": []}
    for n, item in enumerate(questions, first_number):
        text = ask_as(item.q, n) if ask_as else item.q
        plan = engine.plan(text)
        gold = [norm(g) for g in item.gold]
        for rank, (quote, sig) in enumerate(engine.signals(plan, top_k)):
            for key, value in (("x", sig.vector()), ("y", bool(gold) and any(g in norm(quote.text) for g in gold)),
                               ("question", n), ("answerable", bool(gold)), ("first", rank == 0),
                               ("missing", " ".join(sig.missing)), ("translated", translated)):
                rows[key].append(value)
    return {k: np.array(v, np.float32) if k == "x" else np.array(v) for k, v in rows.items()}


def joined(parts: list[dict]) -> dict:
    """Return the rows of several collect() calls as one."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def log_odds(rows: dict, use: np.ndarray) -> dict[str, float]:
    """Return, for each word the first quote's passage lacks for at least MIN_QUESTIONS of the questions in use,
    log P(lacking | answered there) - log P(lacking | unanswerable), smoothed: negative for the words whose absence
    marks a question written to have no answer."""
    first = use & rows["first"]
    answered, trap = first & rows["answerable"] & rows["y"], first & ~rows["answerable"]
    counts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for i in np.flatnonzero(answered | trap):
        counts[bool(answered[i])].update(str(rows["missing"][i]).split())
    n_yes, n_no = int(answered.sum()), int(trap.sum())
    return {t: round(float(np.log((counts[True][t] + SMOOTHING) / (n_yes + SMOOTHING))
                           - np.log((counts[False][t] + SMOOTHING) / (n_no + SMOOTHING))), 4)
            for t in sorted(set(counts[True]) | set(counts[False]))
            if counts[True][t] + counts[False][t] >= MIN_QUESTIONS}


def prior_out_of_fold(rows: dict, source: dict | None = None) -> np.ndarray:
    """Return each row's missing_prior read off a table fitted without its question, on the other folds' questions
    of source (default: the rows themselves)."""
    source = rows if source is None else source
    prior = np.zeros(len(rows["y"]))
    fold, source_fold = rows["question"] % FOLDS, source["question"] % FOLDS
    for k in range(FOLDS):
        table = log_odds(source, source_fold != k)
        for i in np.flatnonzero(fold == k):
            prior[i] = lowest_log_odds(table, str(rows["missing"][i]).split())
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


def fit(rows: dict, leave_out: tuple[str, ...] = ()) -> dict:
    """Return the fitted weights (scikit-learn's logistic regression, L2, balanced classes), without the features
    named in leave_out, and the thresholds that let FALSE_ABSTAIN of the answerable questions find no quote above
    them: one over the questions as asked, one over those put word by word into English."""
    from sklearn.linear_model import LogisticRegression
    x, y = rows["x"].astype(np.float64), rows["y"]
    keep = np.array([name not in leave_out for name in FEATURES])
    model = LogisticRegression(C=1.0, class_weight="balanced", fit_intercept=False, max_iter=5000).fit(x[:, keep], y)
    w = np.zeros(len(FEATURES))
    w[keep] = model.coef_[0]
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    out: dict[str, list[float] | float] = {"weights": [round(float(v), 6) for v in w]}
    for name, group in (("threshold", ~rows["translated"]), ("threshold_english", rows["translated"])):
        best: dict[int, float] = {}
        for n, prob in zip(rows["question"][group & rows["answerable"]].tolist(),
                           p[group & rows["answerable"]].tolist()):
            best[n] = max(best.get(n, 0.0), prob)
        out[name] = round(float(np.quantile(list(best.values()), FALSE_ABSTAIN)), 6) if best else 0.5
    return out


def fit_all(rows: dict, data: str) -> dict:
    """Return the answerability file's content: both variants, and the trap-word table with its veto level (fitted
    on the questions as asked only)."""
    from .ranker import checksum
    own = {k: v[~rows["translated"]] for k, v in rows.items()}
    table = log_odds(own, np.ones(len(own["y"]), bool))
    out = {"features": list(FEATURES), "dense": fit(rows), "lexical": fit(rows, leave_out=("cosine", "cos_whole")),
           "missing_terms": {"smoothing": SMOOTHING, "min_questions": MIN_QUESTIONS,
                             "veto": veto_level(own, prior_out_of_fold(own), table), "log_odds": table},
           "data": data}
    out["sha256"] = checksum(out)
    return out
