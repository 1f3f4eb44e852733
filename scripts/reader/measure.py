"""Measure a shipped reader (reader.npz + reader.json, as scripts/reader/ship.py writes them) on Kutip's first quotes
(scripts/reader/quotes.py): its best span in each quote where Kutip answers, exact and token F1 against the gold
spans, at each share of answerable questions shown (highest score first), at the shipped threshold, and how many
unanswerable questions would get a span:

    .venv/bin/python scripts/reader/measure.py DIR QUOTES.jsonl [QUOTES.jsonl ...]     # DIR: retrieval/data
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval.evaluate import norm, token_f1  # noqa: E402
from retrieval.extractive import Reader, load_reader, logits, pick, read_fitted  # noqa: E402
from retrieval.fit import lowest_precise  # noqa: E402

SHARES = (0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)


def read_all(model: Reader, paths: list[str]) -> list[dict]:
    """Return each question of the quote files with the reader's logits over its first quote (None where Kutip
    abstains or gives no quote)."""
    out = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            read = None if r["quote"] is None or r["abstained"] else logits(r["plain"], r["quote"], model)
            out.append({**r, "read": read})
    return out


def scored(read: list[dict], max_span: int) -> tuple[list, list]:
    """Return (score, exact, F1, span) of each answerable question, best score first, and of each unanswerable one
    (score -inf where Kutip abstains or gives no quote)."""
    answerable, unanswerable = [], []
    for r in read:
        found = pick(*r["read"], r["quote"], max_span) if r["read"] else None
        text = r["quote"][found.start:found.end] if found else ""
        gold = {norm(g) for g in r["gold"]}
        row = (found.score if found else -np.inf, bool(text) and norm(text) in gold,
               max((token_f1(text, g) for g in r["gold"]), default=0.0), text)
        (answerable if r["gold"] else unanswerable).append(row)
    answerable.sort(key=lambda t: -t[0])
    return answerable, unanswerable


def at(answerable: list, unanswerable: list, cut: float) -> str:
    """Return the figures of the spans scoring at least cut."""
    top = [t for t in answerable if t[0] >= cut]
    return (f"shown {len(top) / len(answerable):.3f} ({len(top)}/{len(answerable)}), exact "
            f"{np.mean([t[1] for t in top]) if top else 0:.3f}, F1 {np.mean([t[2] for t in top]) if top else 0:.3f}; "
            f"unanswerable given a span {np.mean([t[0] >= cut for t in unanswerable]) if unanswerable else 0:.3f}")


def main(argv: list[str]) -> int:
    """Print the precision-coverage table and the figures at the shipped threshold."""
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[0])
    data = read_fitted(folder / "reader.npz", folder / "reader.json")
    model = load_reader(folder / "reader.npz", data)
    answerable, unanswerable = scored(read_all(model, argv[1:]), model.max_span)
    print(f"answerable {len(answerable)}, unanswerable {len(unanswerable)}")
    for share in SHARES:
        top = answerable[:int(len(answerable) * share)]
        print(f"top {share:.2f}: {at(answerable, unanswerable, top[-1][0])}")
    cut = lowest_precise(answerable, 0.85, np.inf, z=0.0)
    print(f"largest share at exact >= 0.85 (read off these questions): {at(answerable, unanswerable, cut)}")
    print(f"at the shipped threshold {model.threshold:.3f}: {at(answerable, unanswerable, model.threshold)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
