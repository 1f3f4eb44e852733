"""Measure a tuned reader on Kutip's first quotes (scripts/reader/quotes.py): its best span in each quote where
Kutip answers, exact and token F1 against the gold spans, at each share of answerable questions shown (highest
span-minus-no-answer score first), and how many unanswerable questions would get a span at that threshold:

    /tmp/tv/bin/python scripts/reader/measure.py TUNED.npz QUOTES.jsonl [QUOTES.jsonl ...] [--calibrate QUOTES.jsonl]

--calibrate fits the threshold on other questions' quotes (exact >= --precision, default 0.9, there) and reports the
measured sets at it, as a shipped threshold would be fitted.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import e5file  # noqa: E402
from train import Reader, encode  # noqa: E402

from retrieval.evaluate import norm, token_f1  # noqa: E402
from retrieval.fit import lowest_precise  # noqa: E402

MAX_SPAN = 15          # tokens
MAX_TOKENS = 200
SHARES = (0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)


def best_span(reader: Reader, base: e5file.Model, question: str, text: str) -> tuple[str | None, float]:
    """Return the likeliest span of text (at most MAX_SPAN tokens) and its score minus the no-answer score."""
    ids, offs = encode(base, question, text, MAX_TOKENS)
    with torch.no_grad():
        logits = reader(torch.tensor([ids]), torch.ones((1, len(ids)), dtype=torch.bool))[0].numpy()
    start, end = logits[:, 0], logits[:, 1]
    inside = np.array([o[0] >= 0 for o in offs]).nonzero()[0]
    best, where = -np.inf, None
    for i in inside:
        for j in inside[(inside >= i) & (inside < i + MAX_SPAN)]:
            if start[i] + end[j] > best:
                best, where = start[i] + end[j], (offs[i][0], offs[j][1])
    if where is None:
        return None, -np.inf
    return text[where[0]:where[1]].strip(), float(best - start[0] - end[0])


def scored(reader: Reader, base: e5file.Model, paths: list[str]) -> tuple[list, list]:
    """Return (score, exact, F1) of each answerable and each unanswerable question of the quote files."""
    answerable, unanswerable = [], []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            text, score = (None, -np.inf) if r["quote"] is None or r["abstained"] else \
                best_span(reader, base, r["plain"], r["quote"])
            gold = {norm(g) for g in r["gold"]}
            f1 = max((token_f1(text or "", g) for g in r["gold"]), default=0.0)
            row = (score, bool(text) and norm(text) in gold, f1)
            (answerable if r["gold"] else unanswerable).append(row)
    answerable.sort(key=lambda t: -t[0])
    return answerable, unanswerable


def main(argv: list[str]) -> int:
    """Print the precision-coverage table; with --calibrate FILE, also the figures at the threshold that FILE's
    questions give for exact >= --precision (default 0.9)."""
    args = list(argv)
    calibrate, precision = None, 0.9
    if "--calibrate" in args:
        i = args.index("--calibrate")
        calibrate = args[i + 1]
        del args[i:i + 2]
    if "--precision" in args:
        i = args.index("--precision")
        precision = float(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    torch.set_num_threads(2)
    base = e5file.load()
    reader = Reader(base, frozen=base.config["layers"])
    reader.load_tuned(Path(args[0]))
    reader.eval()
    answerable, unanswerable = scored(reader, base, args[1:])
    print(f"answerable {len(answerable)}, unanswerable {len(unanswerable)}")
    for share in SHARES:
        top = answerable[:int(len(answerable) * share)]
        cut = top[-1][0]
        print(f"shown {share:.2f}: exact {np.mean([t[1] for t in top]):.3f} F1 {np.mean([t[2] for t in top]):.3f} "
              f"score >= {cut:.2f}; unanswerable given a span {np.mean([t[0] >= cut for t in unanswerable]):.3f}")
    cut = lowest_precise(answerable, 0.85, np.inf)
    shown = sum(score >= cut for score, _, _ in answerable)
    print(f"largest share shown at exact >= 0.85: {shown / len(answerable):.3f}")
    if calibrate:
        fitted, _ = scored(reader, base, [calibrate])
        cut = lowest_precise(fitted, precision, np.inf)
        top = [t for t in answerable if t[0] >= cut]
        print(f"threshold {cut:.2f} (exact >= {precision} on {calibrate}, {len(fitted)} answerable): shown "
              f"{len(top) / len(answerable):.3f}, exact {np.mean([t[1] for t in top]) if top else 0:.3f}, F1 "
              f"{np.mean([t[2] for t in top]) if top else 0:.3f}; unanswerable given a span "
              f"{np.mean([t[0] >= cut for t in unanswerable]):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
