"""Fitting Kutip's models on real QA data: python -m retrieval.fit DATASETS [--features FILE] [--from-features FILE].

DATASETS is the folder holding idk-mrc/, tydiqa-id/ and trans-squad/ (../shared/datasets).  The ranker (ranker.py)
is fitted on IDK-MRC train + TyDiQA-id train; nothing of the chapter is training data.  Collecting the features
builds an engine over the train paragraphs (cached like any corpus); fitting from them is deterministic, so
`--from-features` reproduces data/ranker.json byte for byte from the features file the collection wrote.
"""
from __future__ import annotations

import json
import sys
import tempfile
from functools import partial
from pathlib import Path

import numpy as np

from . import answerable, ranker
from .qadata import Question, load, write_corpus

SEED = 7
PAIRS = 40              # pairs per question at most (sampled, seeded): a sentence of higher grade above one of lower
OTHERS = 12             # sentences of other paragraphs kept per question (sampled, seeded), beside its own paragraph's
C = 1.0                 # inverse L2 strength of the pairwise logistic regression
TRAIN = ("idk-mrc/train.json", "tydiqa-id/train.json")


def grades(engine, rows: np.ndarray, question: Question) -> np.ndarray:
    """Return each candidate sentence's grade: 2 it holds a gold answer in the gold paragraph, 1 another sentence of
    the gold paragraph, 0 any other sentence."""
    from .evaluate import norm
    units, passages = engine.units, engine.passages
    gold = [norm(g) for g in question.gold]
    out = np.zeros(len(rows), np.int8)
    for k, u in enumerate(rows.tolist()):
        p = passages[int(units.passage[u])]
        if p.source == question.source:
            text = norm(p.text[units.start[u]:units.end[u]])
            out[k] = 2 if any(g in text for g in gold) else 1
    return out


def collect(engine, questions: list[Question], dense: bool = True, english: dict[str, str] | None = None,
            first_number: int = 0) -> dict[str, np.ndarray]:
    """Return every candidate sentence's features, grade and question number for the answerable questions (english:
    the word table to ask them word by word in English)."""
    from . import necessity
    from .rank import candidates, cosines
    xs, gs, qs = [], [], []
    for n, item in enumerate(questions, first_number):
        if not item.answerable:
            continue
        text = word_by_word(item.q, english) if english else item.q
        plan = engine.plan(text)
        qv = engine.index.vector(list(plan.terms), tuple((e.source, e.term, e.weight) for e in plan.expansions),
                                 engine.settings)
        weighted = engine.index.reweighted(qv, partial(necessity.weight, settings=engine.settings))
        cos = cosines(engine.vectors, plan.meaning) if dense else None
        found = candidates(engine.layout, weighted, plan.qtype, plan.wants_list, labels=plan.labels, cos=cos,
                           english=plan.english, question=plan.plain, asked=plan.asked,
                           settings=engine.settings)
        g = grades(engine, found.rows, item)
        if g.max() < 2:
            continue                                   # the gold sentence is not among the candidates
        others = np.flatnonzero(g == 0)
        keep = np.sort(np.concatenate([np.flatnonzero(g > 0), np.random.default_rng(SEED + n).choice(
            others, min(OTHERS, len(others)), replace=False)]))
        xs.append(found.x[keep].astype(np.float32))
        gs.append(g[keep])
        qs.append(np.full(len(keep), n, np.int32))
    return {"x": np.vstack(xs), "grade": np.concatenate(gs), "question": np.concatenate(qs)}


def pairs(data: dict[str, np.ndarray], keep: np.ndarray | None = None) -> np.ndarray:
    """Return x_better - x_worse for up to PAIRS sampled pairs of sentences of one question with different grades
    (keep: which features to use)."""
    rng = np.random.default_rng(SEED)
    x = (data["x"] if keep is None else data["x"][:, keep]).astype(np.float64)
    out = []
    bounds = np.flatnonzero(np.diff(data["question"])) + 1
    for idx in np.split(np.arange(len(data["question"])), bounds):
        g = data["grade"][idx]
        if g.max() < 2:
            continue                                   # the gold sentence is not among the candidates
        better, worse = np.nonzero(g[:, None] > g[None, :])
        if len(better) > PAIRS:
            pick = np.sort(rng.choice(len(better), PAIRS, replace=False))
            better, worse = better[pick], worse[pick]
        out.append(x[idx[better]] - x[idx[worse]])
    return np.vstack(out)


def fit_pairwise(diff: np.ndarray) -> np.ndarray:
    """Return the weights of a logistic regression on the pairs (no intercept: w . (x_better - x_worse) > 0)."""
    from sklearn.linear_model import LogisticRegression
    x = np.vstack([diff, -diff])
    y = np.concatenate([np.ones(len(diff)), np.zeros(len(diff))])
    return LogisticRegression(C=C, fit_intercept=False, max_iter=5000).fit(x, y).coef_[0]


def fit_ranker(data: dict[str, np.ndarray]) -> dict:
    """Return the ranker file's content: weights with and without the e5 features."""
    dense_names = {"dense_sentence", "dense_passage", "cos_sentence", "cos_passage", "english_dense", "dense_whole",
                   "cos_whole"}
    lexical = np.array([name not in dense_names for name in ranker.FEATURES])
    w_dense = fit_pairwise(pairs(data))
    w_lex = np.zeros(len(ranker.FEATURES))
    w_lex[lexical] = fit_pairwise(pairs(data, lexical))
    out = {"features": list(ranker.FEATURES),
           "dense": {"weights": [round(float(v), 6) for v in w_dense]},
           "lexical": {"weights": [round(float(v), 6) for v in w_lex]},
           "data": "IDK-MRC train (Putri & Oh 2022, CC BY-SA 4.0) + TyDiQA-id train (Clark et al. 2020, Apache 2.0): "
                   f"{int(len(np.unique(data['question'])))} answerable questions, pairwise (seed {SEED}, "
                   f"{PAIRS} pairs a question at most)"}
    out["sha256"] = ranker.checksum(out)
    return out


TRAPS = "trans-squad/valid.json"   # not fitted on (measured: it lowered IDK-MRC valid's refusals); its second half
                                   # (paragraphs in file order) is where Kutip's refusals of SQuAD's traps are checked
ENGLISH_QUESTIONS = 2000           # IDK-MRC train questions also asked word by word in English (sampled, seeded)
CHAT_QUESTIONS = 2000              # ... and in chat forms (sampled, seeded)
CHAT_SHARE = 0.6                   # each word that has a chat form takes it with this probability


def engine_for(paths: list[Path], folder: Path, half: int | None = None):
    """Return the engine over the paragraphs of the splits (half: only the first `half` paragraphs) and their
    questions."""
    from .engine import Engine
    texts, questions = load(paths, half)
    return Engine.build(write_corpus(texts, folder), progress=_progress), questions


def trap_half(datasets: Path) -> int:
    """Return how many of trans-SQuAD's paragraphs form the half that is fitted on (the first, in file order)."""
    from .qadata import paragraphs
    return len(paragraphs(datasets / TRAPS)) // 2


def _progress(stage: str, done: int, total: int) -> None:
    """Print build progress on stderr."""
    if total > 1 and (done == total or done % 500 == 0):
        print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)


def write(path: Path, content: dict) -> None:
    """Write a fitted file as indented JSON (the byte-for-byte form a refit reproduces)."""
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def collect_all(datasets: Path, work: Path) -> dict[str, np.ndarray]:
    """Build the fitting corpora, fit and write the ranker, then collect the answerability and span rows with it;
    return every row collected (prefixed rank_, ans_, span_), enough to refit all three files."""
    from . import answerable_fit
    engine, questions = engine_for([datasets / name for name in TRAIN], work / "train")
    rng = np.random.default_rng(SEED)
    english = [questions[i] for i in sorted(rng.choice(len(questions), ENGLISH_QUESTIONS, replace=False))]
    table = english_table()
    found = [collect(engine, questions), collect(engine, english, english=table, first_number=len(questions))]
    rows = {f"rank_{k}": np.concatenate([f[k] for f in found]) for k in found[0]}
    write(ranker.WEIGHTS, fit_ranker(_part(rows, "rank_")))
    ranker.clear()
    chat = [questions[i] for i in sorted(rng.choice(len(questions), CHAT_QUESTIONS, replace=False))]
    n = len(questions)
    chats = chat_table()
    ans = answerable_fit.joined([
        answerable_fit.collect(engine, questions),
        answerable_fit.collect(engine, english, first_number=n, ask_as=lambda q, k: word_by_word(q, table),
                               translated=True),
        answerable_fit.collect(engine, chat, first_number=n + len(english),
                               ask_as=lambda q, k: chat_style(q, chats, SEED + k))])
    rows.update({f"ans_{k}": v for k, v in ans.items()})
    write(answerable.WEIGHTS, answerable_fit.fit_all(ans, ANSWERABLE_DATA))
    answerable.clear()
    rows.update({f"span_{k}": v for k, v in collect_spans(engine, questions).items()})
    return rows


ANSWERABLE_DATA = ("IDK-MRC train (Putri & Oh 2022, CC BY-SA 4.0) + TyDiQA-id train (Clark et al. 2020, Apache 2.0), "
                   f"with {ENGLISH_QUESTIONS} train questions put word by word into English (fit.word_by_word) and "
                   f"{CHAT_QUESTIONS} in chat forms (fit.chat_style); nothing of the chapter")


def _part(rows: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """Return the rows whose names start with prefix, without it."""
    return {k[len(prefix):]: v for k, v in rows.items() if k.startswith(prefix)}


def fit_all(rows: dict[str, np.ndarray]) -> None:
    """Write the three fitted files from collected rows (deterministic: the same rows give the same bytes)."""
    from . import answerable_fit
    from .short_answer import WEIGHTS as SPANS
    write(ranker.WEIGHTS, fit_ranker(_part(rows, "rank_")))
    write(answerable.WEIGHTS, answerable_fit.fit_all(_part(rows, "ans_"), ANSWERABLE_DATA))
    write(SPANS, fit_spans(_part(rows, "span_")))


def main(argv: list[str]) -> int:
    """Collect the rows on the data sets (or read them with --from-features) and write the fitted files."""
    args = list(argv)
    options: dict[str, Path] = {}
    for flag in ("--features", "--from-features"):
        if flag in args:
            i = args.index(flag)
            options[flag] = Path(args[i + 1])
            del args[i:i + 2]
    if len(args) != 1 and "--from-features" not in options:
        print("usage: python -m retrieval.fit DATASETS [--features FILE] | --from-features FILE", file=sys.stderr)
        return 2
    if "--from-features" in options:
        with np.load(options["--from-features"], allow_pickle=False) as z:
            rows = {k: z[k] for k in z.files}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows = collect_all(Path(args[0]), Path(tmp))
        if "--features" in options:
            np.savez_compressed(options["--features"], **rows)  # type: ignore[arg-type]  # names, never allow_pickle
    fit_all(rows)
    print("wrote ranker.json, answerable.json, short_answer.json", file=sys.stderr)
    return 0




# --- questions as students type them: IDK-MRC's questions in chat forms ------------------------------------------


def chat_table() -> dict[str, str]:
    """Return standard word -> its commonest chat form (wordfreq, Indonesian) in the bundled chat lexicon (IndoCollex
    and the project's supplement): yang -> yg, dengan -> dgn, tidak -> gak."""
    from wordfreq import zipf_frequency

    from .chat import SLANG, SLANG_SUPPLEMENT
    from .lexicon import read_rows
    best: dict[str, tuple[float, str]] = {}
    for name in (SLANG, SLANG_SUPPLEMENT):
        for chat, standard in read_rows(name):
            if " " in chat or " " in standard or chat == standard:
                continue
            key = (zipf_frequency(chat, "id"), chat)
            if standard not in best or key > best[standard]:
                best[standard] = key
    return {w: chat for w, (_, chat) in best.items()}


def chat_style(question: str, table: dict[str, str], seed: int) -> str:
    """Return the question lower-cased, without its question mark, each word in its chat form with CHAT_SHARE
    probability (seeded)."""
    rng = np.random.default_rng(seed)
    words = [table.get(w, w) if rng.random() < CHAT_SHARE else w
             for w in question.lower().replace("?", " ").split()]
    return " ".join(words)


# --- English questions for calibration: IDK-MRC's questions turned word by word into English ------------------
FUNCTION_WORDS = {"yang": "that", "di": "in", "ke": "to", "dari": "from", "pada": "on", "dan": "and", "adalah": "is",
                  "merupakan": "is", "ialah": "is", "itu": "that", "ini": "this", "dengan": "with", "untuk": "for",
                  "oleh": "by", "dalam": "in", "sebagai": "as", "tersebut": "the", "apakah": "what", "siapakah": "who",
                  "kapankah": "when", "berapakah": "how many", "dimanakah": "where", "dimana": "where",
                  "manakah": "which", "mana": "which", "nya": "its", "atau": "or", "tidak": "not", "bukan": "not",
                  "pertama": "first", "kali": "time"}


def english_table() -> dict[str, str]:
    """Return Indonesian word -> one English word: the commonest English headword (wordfreq) among those that give
    the Indonesian word as their first translations, from the bundled FreeDict and WordNet dictionaries."""
    from wordfreq import zipf_frequency

    from .lexicon import ENGLISH, ENGLISH_WORDNET, read_rows
    best: dict[str, tuple[int, float, str]] = {}
    for name in (ENGLISH, ENGLISH_WORDNET):
        for en, ids in read_rows(name):
            for rank, word in enumerate(ids.split("|")[:3]):
                key = (rank, -zipf_frequency(en, "en"), en)
                if word not in best or key < best[word]:
                    best[word] = key
    return {**{w: en for w, (_, _, en) in best.items()}, **FUNCTION_WORDS}


def word_by_word(question: str, table: dict[str, str]) -> str:
    """Return the question with each word replaced by its English word (by its root when the word itself has none);
    names and numbers stay as written."""
    from .analysis import stem
    out = []
    for k, word in enumerate(question.replace("?", " ?").split()):
        low = word.lower().strip(",.;:()\"'")
        en = (table.get(low) or table.get(stem(low))) if low else None
        out.append(en if en and (k == 0 or not word[:1].isupper() or low in FUNCTION_WORDS) else word)
    return " ".join(out).replace(" ?", "?")


# --- the short answer's span model --------------------------------------------------------------------------------
SPAN_PRECISION = 0.9    # the threshold shows a span only where, on train, this share of the spans shown is exact
SPAN_TREES = {"max_iter": 150, "learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20}  # out of fold
# on train, as good as 300 trees at 0.05 and better than 100 of 15 leaves: shown for 0.053 of the questions at
# precision 0.85 (logistic regression: 0.007)
SPAN_FOLDS = 5          # the threshold reads probabilities of trees fitted on the other folds' questions
MARGIN_Z = 1.645        # a threshold is where the one-sided 95% lower bound of the shown answers' mean (exact, F1)
# reaches its target, not the mean itself: a threshold read off a sample at the line misses on new questions about
# half the time (7 December: the span model at 0.9 exact out of fold on train, 0.852 on valid; the reader at 0.851
# exact and 0.902 F1 on held-out train, 0.859 and 0.894 on valid)


def lowest_precise(ranked, precision: float, none: float, z: float = MARGIN_Z) -> float:
    """Return the lowest score at which the answers shown, ranked (score, value, ...) best first, reach `precision`
    as the mean value (exact: 1 or 0; or a token F1) less z standard errors; `none` when no such score exists."""
    threshold, total, squares = none, 0.0, 0.0
    for k, (score, value, *_) in enumerate(ranked, 1):
        total, squares = total + value, squares + value * value
        mean = total / k
        spread = (max(0.0, squares - k * mean * mean) / (k - 1) / k) ** 0.5 if k > 1 else 0.0
        if mean - z * spread >= precision:
            threshold = score
    return threshold


def collect_spans(engine, questions: list[Question], first_number: int = 0) -> dict[str, np.ndarray]:
    """Return every candidate span's features, whether it is a gold answer exactly, and its question's number, for
    the questions asking a kind of value: the spans of the first quote the engine gives (abstaining or not)."""
    from .evaluate import norm
    from .short_answer import candidates, span_features
    xs, ys, qs = [], [], []
    for n, item in enumerate(questions, first_number):
        plan, judged = engine.judged(item.q)
        if plan.asked.kind is None or not judged:
            continue
        quote, p = judged[0]
        found = candidates(plan.plain, quote.text, plan.asked, engine.settings, plan.question)
        if not found:
            continue
        gold = {norm(g) for g in item.gold}
        xs.append(span_features(plan.plain, quote.text, plan.asked, found, p, engine.term_weights(plan.plain),
                                engine.settings))
        ys.append([norm(quote.text[s:e]) in gold for s, e, _ in found])
        qs.append(np.full(len(found), n, np.int32))
    return {"x": np.vstack(xs).astype(np.float32), "y": np.concatenate(ys).astype(bool),
            "question": np.concatenate(qs)}


def fit_spans(data: dict[str, np.ndarray], shape: dict | None = None) -> dict:
    """Return the span model's file: boosted trees over the candidates (SPAN_TREES), and the lowest threshold at which
    the best span of each question, shown when its probability reaches it, is exact for SPAN_PRECISION of them less
    MARGIN_Z standard errors — read from probabilities each question gets from trees fitted without it (5 folds by
    question), since trees fitted on a question are surer of it than of a new one (shape: the trees' settings,
    SPAN_TREES when None)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold

    from .short_answer import SPAN_FEATURES
    x, y, question = data["x"].astype(np.float64), data["y"].astype(np.int8), data["question"]

    def trees():
        return HistGradientBoostingClassifier(**(shape or SPAN_TREES), early_stopping=False, random_state=SEED)
    p = np.zeros(len(y))
    for fitted, held in GroupKFold(SPAN_FOLDS).split(x, y, question):
        p[held] = trees().fit(x[fitted], y[fitted]).predict_proba(x[held])[:, 1]
    best: dict[int, tuple[float, bool]] = {}
    for n, prob, exact in zip(question.tolist(), p.tolist(), y.tolist()):
        if n not in best or prob > best[n][0]:
            best[n] = (prob, bool(exact))
    threshold = lowest_precise(sorted(best.values(), reverse=True), SPAN_PRECISION, 1.0)
    model = trees().fit(x, y)
    exported = [_tree(predictors[0].nodes) for predictors in model._predictors]
    out = {"features": list(SPAN_FEATURES), "baseline": round(float(model._baseline_prediction.ravel()[0]), 8),
           "depth": max(depth for _, depth in exported), "trees": [tree for tree, _ in exported],
           "threshold": round(float(threshold), 6),
           "data": f"{len(best)} questions asking a kind of value (IDK-MRC + TyDiQA-id train), the spans of the "
                   f"first quote; shown at precision {SPAN_PRECISION} out of fold on train, less {MARGIN_Z} standard "
                   f"errors; scikit-learn "
                   f"HistGradientBoostingClassifier {shape or SPAN_TREES}"}
    out["sha256"] = ranker.checksum(out)
    return out


def _tree(nodes: np.ndarray) -> tuple[dict, int]:
    """Return one fitted tree as lists (a leaf's children are itself) and its depth."""
    leaf = nodes["is_leaf"].astype(bool)
    index = np.arange(len(nodes))
    tree = {"feature": np.where(leaf, 0, nodes["feature_idx"]).astype(int).tolist(),
            "split": [float(v) for v in np.where(leaf, 0.0, nodes["num_threshold"])],
            "left": np.where(leaf, index, nodes["left"]).astype(int).tolist(),
            "right": np.where(leaf, index, nodes["right"]).astype(int).tolist(),
            "value": [round(float(v), 8) for v in np.where(leaf, nodes["value"], 0.0)]}
    return tree, int(nodes["depth"].max())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
