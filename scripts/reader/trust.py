"""Figures on rows.py's lines: could the reader, or a different threshold rule, make what Kutip asserts more often
right?  Each command prints what docs/experiments.md reports for 7 December.

    .venv/bin/python scripts/reader/trust.py answerability ROWS     # reader score as an answerability signal
    .venv/bin/python scripts/reader/trust.py curves ROWS [T...]     # refusals against false abstention, two rules
    .venv/bin/python scripts/reader/trust.py rule                   # the fitted threshold under Kutip's own rule
    .venv/bin/python scripts/reader/trust.py agree FIT_ROWS ROWS... # span model + reader agreeing
    .venv/bin/python scripts/reader/trust.py english FIT_ROWS ROWS...   # a reader threshold of its own for English
    .venv/bin/python scripts/reader/trust.py swaps TRAIN.json VALID.json   # trap words and the words they replaced

FIT_ROWS are the held-out questions' (never trained on by the reader); the cut fitted there is shown on ROWS.
"""
from __future__ import annotations

import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval.evaluate import norm, token_f1  # noqa: E402
from retrieval.extractive import reader  # noqa: E402
from retrieval.fit import lowest_precise  # noqa: E402

EXACT, F1 = 0.85, 0.90      # what a short answer shown must reach, as ship.py fits the reader's threshold


def load(path: str) -> list[dict]:
    """Return the rows of one rows.py file, with each span's text, exactness and token F1 filled in."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    for r in rows:
        gold = [norm(g) for g in r["gold"]]
        first = r["reader"][0] if r["reader"] else None
        r["m"] = first[2] if first else -math.inf
        r["R"] = r["quote"][first[0]:first[1]] if first else None
        r["S"] = r["quote"][r["span"][0]:r["span"][1]] if r["span"] else None
        r["exact_R"] = r["R"] is not None and norm(r["R"]) in gold
        r["f1_R"] = max((token_f1(r["R"], g) for g in gold), default=0.0) if r["R"] else 0.0
        r["exact_S"] = r["S"] is not None and norm(r["S"]) in gold
    return rows


def answered(r: dict) -> bool:
    """Tell whether Kutip answers the question (its first quote after the veto passes the threshold)."""
    return bool(r["p"]) and r["p"][0] >= r["bar"]


def logit(p: float) -> float:
    """Return log(p / (1 - p)), kept finite."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def refused_at(score: np.ndarray, answerable: np.ndarray, refused_anyway: tuple[int, int], share: float) -> float:
    """Return the share of unanswerable questions refused when the cut on score refuses `share` of the answerable
    ones; refused_anyway: (answerable, unanswerable) questions with no quote at all."""
    n_yes, n_no = int(answerable.sum()) + refused_anyway[0], int((~answerable).sum()) + refused_anyway[1]
    k = int(share * n_yes) - refused_anyway[0]
    cut = np.sort(score[answerable])[max(k, 0)]
    return (float(np.sum(score[~answerable] < cut)) + refused_anyway[1]) / n_no


def cmd_answerability(rows: list[dict]) -> None:
    """The reader's score on quote 1 beside the answerability model's probability, on Indonesian questions."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict
    rows = [r for r in rows if not r["english"]]
    have = [r for r in rows if r["p"]]
    none = (sum(bool(r["gold"]) for r in rows if not r["p"]), sum(not r["gold"] for r in rows if not r["p"]))
    y = np.array([bool(r["gold"]) for r in have])
    z = np.array([logit(r["p"][0]) for r in have])
    m = np.array([r["m"] if np.isfinite(r["m"]) else -20.0 for r in have])
    both = cross_val_predict(LogisticRegression(), np.c_[z, m], y, cv=5, method="decision_function")
    print(f"{len(have)} questions with a quote ({int(y.sum())} answerable)")
    for name, score in (("answerability", z), ("reader", m), ("both (5 folds)", both)):
        shares = ", ".join(f"{refused_at(score, y, none, s):.3f} at {s:.2f}" for s in (0.03, 0.04, 0.05))
        print(f"  {name:15s} AUC {roc_auc_score(y, score):.3f}; traps refused {shares} false abstention")
    print("swapping quotes 1 and 2 when the reader scores quote 2 higher by more than d (answered questions):")
    two = [r for r in have if r["gold"] and answered(r) and len(r["reader"]) == 2 and all(r["reader"])
           and r["p"][1] >= r["bar"]]
    for d in (0, 2, 4, 6, 8):
        moved = [r for r in two if r["reader"][1][2] - r["reader"][0][2] > d]
        print(f"  d={d}: {sum(r['hold'][1] and not r['hold'][0] for r in moved)} right, "
              f"{sum(r['hold'][0] and not r['hold'][1] for r in moved)} wrong")


def cmd_curves(rows: list[dict], thresholds: list[float]) -> None:
    """Refusals of unanswerable questions at each false abstention, for the threshold on the first quote (Kutip's
    rule) and on any quote; then what Kutip's rule gives at each threshold named."""
    rows = [r for r in rows if not r["english"]]
    rules = {"first quote": lambda r, t: bool(r["p"]) and r["p"][0] >= t,
             "any quote": lambda r, t: bool(r["p"]) and max(r["p"]) >= t}
    yes, no = [r for r in rows if r["gold"]], [r for r in rows if not r["gold"]]
    for name, passes in rules.items():
        points = [(np.mean([not passes(r, t) for r in yes]), np.mean([not passes(r, t) for r in no]), t)
                  for t in np.linspace(0.10, 0.35, 26)]
        for limit in (0.03, 0.04, 0.05):
            fa, tr, t = max((p for p in points if p[0] <= limit), key=lambda p: p[1])
            print(f"{name}: false abstention <= {limit:.2f}: traps refused {tr:.3f} (threshold {t:.2f}, "
                  f"false abstention {fa:.3f})")
    for t in thresholds:
        shown = [r for r in yes if rules["first quote"](r, t)]
        doc1, hit1 = (sum(r[k][0] for r in shown) / len(yes) for k in ("doc", "hold"))
        traps = f", traps refused {np.mean([not rules['first quote'](r, t) for r in no]):.3f}" if no else ""
        print(f"threshold {t}: false abstention {1 - len(shown) / len(yes):.3f}, doc1 {doc1:.3f}, hit1 {hit1:.3f}"
              + traps)


def cmd_rule() -> None:
    """On the shipped fit rows: the share of answerable train questions the shipped threshold refuses under the fit's
    rule (no quote passes) and under Kutip's (the first quote the trap-word veto keeps fails), and the threshold
    Kutip's rule needs for a few shares."""
    from retrieval import answerable, answerable_fit
    z = np.load(Path(answerable.WEIGHTS).parent / "fit-rows.npz", allow_pickle=False)
    rows = {k[4:]: z[k] for k in z.files if k.startswith("ans_")}
    own = {k: v[~rows["translated"]] for k, v in rows.items()}
    level = answerable_fit.veto_level(own, answerable_fit.prior_out_of_fold(own),
                                      answerable_fit.log_odds(own, np.ones(len(own["y"]), bool)))
    prior = answerable_fit.prior_out_of_fold(rows, own)    # each row's veto read off the other folds
    data = json.loads(Path(answerable.WEIGHTS).read_text(encoding="utf-8"))["dense"]
    p = 1.0 / (1.0 + np.exp(-(rows["x"].astype(np.float64) @ np.array(data["weights"]))))
    for name, group, shipped in (("Indonesian", ~rows["translated"], data["threshold"]),
                                 ("English", rows["translated"], data["threshold_english"])):
        best: dict[int, float] = {}
        first: dict[int, float] = {}
        for i in np.flatnonzero(group & rows["answerable"]):
            n = int(rows["question"][i])
            best[n] = max(best.get(n, 0.0), float(p[i]))
            if first.get(n, 0.0) == 0.0:
                first[n] = float(p[i]) if prior[i] > level else 0.0
        kutip = np.array(list(first.values()))
        print(f"{name}: shipped threshold {shipped}; refuses {np.mean(np.array(list(best.values())) < shipped):.3f} "
              f"of answerable train questions by the fit's rule, {np.mean(kutip < shipped):.3f} by Kutip's; Kutip's "
              "rule needs " + ", ".join(f"{np.quantile(kutip, s):.4f} for {s:.2f}" for s in (0.02, 0.03, 0.04)))


def precise_cut(spans: list[tuple[float, bool, float]]) -> float | None:
    """Return the lowest score whose spans at or above it are exact for EXACT and reach F1 (score, exact, F1), as
    ship.py fits the reader's threshold; None when no score does."""
    ranked = sorted(spans, key=lambda s: -s[0])
    cut = max(lowest_precise(ranked, EXACT, np.inf), lowest_precise([(s[0], s[2]) for s in ranked], F1, np.inf))
    return None if np.isinf(cut) else float(cut)


def summary(shown: list[tuple[bool, float]], n: int) -> str:
    """Return 'shown share, exact, F1' of (exact, F1) pairs among n answerable questions."""
    if not shown:
        return f"shown 0/{n}"
    return (f"shown {len(shown)}/{n} = {len(shown) / n:.3f}, exact {np.mean([s[0] for s in shown]):.3f}, "
            f"F1 {np.mean([s[1] for s in shown]):.3f}")


def cmd_agree(fit: list[dict], others: list[tuple[str, list[dict]]]) -> None:
    """Show the reader's span also when it is the span model's likeliest candidate, from a fitted span-model
    probability on."""
    threshold = reader().threshold

    def extra(rows: list[dict]) -> list[dict]:
        return [r for r in rows if r["gold"] and answered(r) and not r["english"] and not r["shipped"]
                and r["m"] < threshold and r["R"] is not None and r["S"] is not None and norm(r["R"]) == norm(r["S"])]

    cut = precise_cut([(r["span"][2], r["exact_R"], r["f1_R"]) for r in extra(fit)])
    print(f"span-model probability cut for agreed spans: {cut}")
    if cut is None:
        return
    for name, rows in [("fit", fit), *others]:
        n = sum(bool(r["gold"]) for r in rows)
        base = [r for r in rows if r["gold"] and answered(r) and not r["english"]
                and (r["shipped"] or r["m"] >= threshold)]
        added = [r for r in extra(rows) if r["span"][2] >= cut]
        print(f"{name}: added {summary([(r['exact_R'], r['f1_R']) for r in added], n)}; "
              f"shown in all {len(base) / n:.3f} -> {(len(base) + len(added)) / n:.3f}")


def cmd_english(fit: list[dict], others: list[tuple[str, list[dict]]]) -> None:
    """Fit a reader threshold for English questions (rows.py --english) and show it."""
    def spans(rows: list[dict]) -> list[dict]:
        return [r for r in rows if r["gold"] and answered(r) and r["quote"] is not None]

    cut = precise_cut([(r["m"], r["exact_R"], r["f1_R"]) for r in spans(fit) if np.isfinite(r["m"])])
    print(f"reader threshold for English: {cut} (Indonesian: {reader().threshold:.3f})")
    for name, rows in [("fit", fit), *others]:
        n = sum(bool(r["gold"]) for r in rows)
        for label, t in (("own", cut), ("Indonesian", reader().threshold)):
            if t is not None:
                print(f"{name}, {label} threshold: "
                      f"{summary([(r['exact_R'], r['f1_R']) for r in spans(rows) if r['m'] >= t], n)}")


def cmd_swaps(train: Path, valid: Path) -> None:
    """Pairs (word a trap question adds, word it took away) from IDK-MRC train's rewritten questions; on valid, how
    many more traps than the trap-word veto a rule "the question's own paragraph lacks the added word and holds the
    word it replaced" would refuse, and at what cost of answerable questions."""
    import re

    from retrieval import answerable
    from retrieval.analysis import terms, tokenise
    from retrieval.qadata import paragraphs

    def words(text: str) -> set[str]:
        return set(terms(tokenise(text)))

    pairs: Counter[tuple[str, str]] = Counter()
    for para in paragraphs(train):
        by_id = {q["id"]: q for q in para["qas"]}
        for q in para["qas"]:
            if (m := re.match(r"(.*)-unans-", q["id"])) and m.group(1) in by_id:
                original, trap = words(by_id[m.group(1)]["question"]), words(q["question"])
                pairs.update((t, o) for t in trap - original for o in original - trap)
    print(f"{sum(pairs.values())} pairs; most often: {pairs.most_common(8)}")
    veto = answerable.veto()
    for least in (2, 5, 10):
        traps, answers, n_traps, n_answers = 0, 0, 0, 0
        for para in paragraphs(valid):
            held = words(para["context"])
            for q in para["qas"]:
                lacking = sorted(words(q["question"]) - held)
                fires = answerable.missing_prior(lacking) > veto and any(
                    pairs[(t, o)] >= least for t in lacking for o in held)
                if q.get("is_impossible"):
                    n_traps, traps = n_traps + 1, traps + fires
                else:
                    n_answers, answers = n_answers + 1, answers + fires
        print(f"pairs seen >= {least} times: {traps / n_traps:.3f} more traps refused, "
              f"{answers / n_answers:.3f} of answerable questions refused")


def main(argv: list[str]) -> int:
    """Run one command."""
    if not argv or argv[0] not in ("answerability", "curves", "rule", "agree", "english", "swaps") \
            or len(argv) < {"rule": 1, "swaps": 3}.get(argv[0], 2):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "rule":
        cmd_rule()
    elif argv[0] == "swaps":
        cmd_swaps(Path(argv[1]), Path(argv[2]))
    elif argv[0] == "curves":
        cmd_curves(load(argv[1]), [float(t) for t in argv[2:]])
    elif argv[0] == "answerability":
        cmd_answerability(load(argv[1]))
    else:
        others = [(Path(p).stem, load(p)) for p in argv[2:]]
        {"agree": cmd_agree, "english": cmd_english}[argv[0]](load(argv[1]), others)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
