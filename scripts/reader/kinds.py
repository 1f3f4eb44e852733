"""Would a reader threshold per kind of question show more short answers?  (Tried 8 December 2026; not shipped.)

    .venv/bin/python scripts/reader/kinds.py score OUT.jsonl QUOTES.jsonl [QUOTES.jsonl ...]
    .venv/bin/python scripts/reader/kinds.py fit qtype|kind HELD.jsonl [SET.jsonl ...]

score reads the shipped reader's best span of each first quote (quotes.py's files) and writes one line per question:
what it asks (asked.read), the span's margin over no answer (what the threshold read when this was tried, with the
six-layer reader of 7 December), and whether the span is exact / its token F1.  fit takes a threshold for each kind
of question from the held-out questions (the rule ship.py uses for the one threshold: exact >= 0.85 and F1 >= 0.90,
each less fit.MARGIN_Z standard errors) and prints what the one threshold and the thresholds by kind show on each set.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from measure import read_all  # noqa: E402
from ship import shipping_cut  # noqa: E402

from retrieval import asked  # noqa: E402
from retrieval.evaluate import norm, token_f1  # noqa: E402
from retrieval.extractive import pick, reader  # noqa: E402


def score(out: Path, quote_files: list[str]) -> None:
    """Write each question's kind, the reader's score on its first quote, and whether the span is right."""
    model = reader()
    with out.open("w", encoding="utf-8") as f:
        for r in read_all(model, quote_files):
            found = pick(*r["read"], r["quote"], model.max_span) if r["read"] else None
            text = r["quote"][found.start:found.end] if found else ""
            a = asked.read(r["plain"])
            f.write(json.dumps({"id": r["id"], "qtype": a.qtype, "kind": a.kind, "answerable": bool(r["gold"]),
                                "score": found.margin if found else None,
                                "exact": bool(text) and norm(text) in {norm(g) for g in r["gold"]},
                                "f1": max((token_f1(text, g) for g in r["gold"]), default=0.0)},
                               ensure_ascii=False) + "\n")


def threshold(rows: list[dict]) -> float:
    """Return the lowest score at which the answerable rows' spans reach what ship.py asks of the spans shown."""
    return shipping_cut(sorted(((r["score"], float(r["exact"]), r["f1"]) for r in rows
                                if r["answerable"] and r["score"] is not None), key=lambda t: -t[0]))


def shown(rows: list[dict], cut) -> str:
    """Return the share of answerable rows shown at cut(row), exact and F1 of those, and unanswerable rows given one."""
    answerable = [r for r in rows if r["answerable"]]
    top = [r for r in answerable if r["score"] is not None and r["score"] >= cut(r)]
    traps = [r for r in rows if not r["answerable"]]
    given = sum(r["score"] is not None and r["score"] >= cut(r) for r in traps)
    return (f"shown {len(top) / len(answerable):.3f} ({len(top)}/{len(answerable)}), "
            f"exact {np.mean([r['exact'] for r in top]) if top else 0:.3f}, "
            f"F1 {np.mean([r['f1'] for r in top]) if top else 0:.3f}; "
            f"unanswerable given {given / max(1, len(traps)):.3f}")


def fit(key: str, held_file: str, set_files: list[str]) -> None:
    """Print the thresholds by kind fitted on the held-out rows, and what each rule shows on every set."""
    def load(path: str) -> list[dict]:
        return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    held = load(held_file)
    cuts = {g: threshold([r for r in held if str(r[key]) == g]) for g in sorted({str(r[key]) for r in held})}
    one = threshold(held)
    print(f"one threshold {one:.3f}; by {key}: " + ", ".join(f"{g} {c:.3f}" for g, c in cuts.items()))
    for path in [held_file, *set_files]:
        rows = load(path)
        print(f"{path}\n  one threshold: {shown(rows, lambda r: one)}\n"
              f"  by {key}:      {shown(rows, lambda r: cuts.get(str(r[key]), math.inf))}")


def main(argv: list[str]) -> int:
    """Run one subcommand."""
    if len(argv) >= 3 and argv[0] == "score":
        score(Path(argv[1]), argv[2:])
    elif len(argv) >= 3 and argv[0] == "fit" and argv[1] in ("qtype", "kind"):
        fit(argv[1], argv[2], argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
