"""Would the e5 vectors Kutip already computes make answerability better?  (Tried 8 December 2026; not shipped.)

    python scripts/vector_prior.py collect train ROWS.npz                      # IDK-MRC + TyDiQA-id train, as fit does
    python scripts/vector_prior.py collect QUESTIONS.jsonl:CORPUS ROWS.npz     # any eval set
    python scripts/vector_prior.py compare TRAIN.npz SET.npz [SET.npz ...]

collect writes, for each of the top 3 quotes of each question (as asked), the 16 answerability signals, the label
(the quote holds a gold answer), and the e5 vectors of the question, of the quote's best sentence and of its passage.
compare fits logistic regressions on train (the shipped model's form: balanced classes, no intercept) with the
signals alone, with the question vector added (C 1 and 10) and with question x sentence products added, and prints
per set, on the first quotes: AUC of answerable against trap questions and the traps refused where 5% of the
answerable questions are (threshold read off that set, for comparing only).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval import Engine, dense, fit  # noqa: E402
from retrieval.evaluate import norm  # noqa: E402
from retrieval.qadata import Question  # noqa: E402
from retrieval.rank import cosines  # noqa: E402

DATASETS = REPO.parent / "shared" / "datasets"


def rows_for(engine: Engine, questions: list[Question]) -> dict[str, np.ndarray]:
    """Return the rows of the questions' top 3 quotes: signals, label, question number, answerable, first, vectors."""
    model = dense.load_model()[0]
    assert model is not None, "the e5 model is needed"
    n_units = len(engine.units.passage)
    out: dict[str, list] = {k: [] for k in ("x", "y", "question", "answerable", "first", "q", "s", "p")}
    for n, item in enumerate(questions):
        plan = engine.plan(item.q)
        gold = [norm(g) for g in item.gold]
        cos, vectors = cosines(engine.vectors, plan.meaning), engine.vectors
        assert cos is not None and vectors is not None
        for rank, (quote, signals) in enumerate(engine.signals(plan, 3)):
            pid = quote.passage.id
            first, last = int(engine.layout.first_unit[pid]), int(engine.layout.first_unit[pid + 1])
            inside = [u for u in range(first, last) if engine.units.start[u] < quote.end
                      and quote.start < engine.units.end[u]] or list(range(first, last))
            for key, value in (("x", signals.vector()), ("y", bool(gold) and any(g in norm(quote.text) for g in gold)),
                               ("question", n), ("answerable", bool(gold)), ("first", rank == 0),
                               ("q", model.query(plan.meaning)), ("s", vectors[max(inside, key=lambda u: cos[u])]),
                               ("p", vectors[n_units + pid])):
                out[key].append(value)
    return {k: np.array(v, np.float32 if k in "xqsp" else None) for k, v in out.items()}


def collect(which: str, dest: str) -> None:
    """Write the rows of the train splits ("train") or of QUESTIONS.jsonl:CORPUS."""
    if which == "train":
        engine, questions = fit.engine_for([DATASETS / name for name in fit.TRAIN], Path(dest).with_suffix(".corpus"))
    else:
        asked, corpus = which.split(":")
        lines = [json.loads(line) for line in Path(asked).open(encoding="utf-8")]
        questions = [Question(r.get("id", ""), r["q"], () if r.get("abstain") else tuple(r.get("gold", ())),
                              r.get("source", "")) for r in lines]
        engine = Engine.build(Path(corpus))
    np.savez_compressed(dest, **rows_for(engine, questions))    # type: ignore[arg-type]


def features(rows: dict[str, np.ndarray], kind: str) -> np.ndarray:
    """Return the signals, with the question vector ("q") or question x sentence products ("qs") added."""
    x = rows["x"].astype(np.float64)
    extra = {"signals": [], "q": [rows["q"]], "qs": [rows["q"] * rows["s"]]}[kind]
    return np.hstack([x, *[e.astype(np.float64) for e in extra]])


def compare(train_path: str, sets: list[str]) -> None:
    """Print AUC and traps refused at 5% false abstention on each set's first quotes, per model."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    train = dict(np.load(train_path))
    models = {}
    for kind, c in (("signals", 1.0), ("qs", 1.0), ("q", 1.0), ("q", 10.0)):
        models[f"{kind} C={c:g}"] = (kind, LogisticRegression(C=c, class_weight="balanced", fit_intercept=False,
                                                              max_iter=5000).fit(features(train, kind), train["y"]))
    for path in sets:
        rows = dict(np.load(path))
        first = rows["first"].astype(bool)
        answerable = rows["answerable"][first].astype(bool)
        cells = []
        for name, (kind, model) in models.items():
            p = model.predict_proba(features(rows, kind))[:, 1][first]
            bar = np.quantile(p[answerable], 0.05)
            auc = roc_auc_score(answerable, p) if 0 < answerable.sum() < len(answerable) else float("nan")
            cells.append(f"{name}: AUC {auc:.3f}, traps {np.mean(p[~answerable] < bar):.3f}")
        print(Path(path).stem, *cells, sep=" | ", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "collect":
        collect(sys.argv[2], sys.argv[3])
    else:
        compare(sys.argv[2], sys.argv[3:])
