"""Time Engine.ask and Engine.read on the shipped chapter for the questions of eval files, each question new to the
engine (its meaning vector and the reader's memo forgotten first); print median and p95 of each:

    .venv/bin/python scripts/reader/latency.py ../shared/eval/dev.jsonl ../shared/eval/dev2.jsonl
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.measure import forget_queries  # noqa: E402
from retrieval import extractive  # noqa: E402
from retrieval.engine import Engine  # noqa: E402


def main(argv: list[str]) -> int:
    """Ask each question twice (the first pass loads everything), time the second pass."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    engine = Engine.build(Path(__file__).resolve().parents[2] / "corpus")
    questions = [json.loads(line)["q"] for path in argv for line in Path(path).read_text(encoding="utf-8").splitlines()]
    asked, read, with_read = [], [], []
    for timed in (False, True):
        for q in questions:
            forget_queries()
            extractive.read.cache_clear()
            t0 = time.perf_counter()
            answer = engine.ask(q)
            t1 = time.perf_counter()
            engine.read(answer)
            t2 = time.perf_counter()
            if timed:
                asked.append(t1 - t0)
                read.append(t2 - t1)
                with_read.append(t2 - t0)
    for name, times in (("ask", asked), ("read", read), ("ask + read", with_read)):
        ms = np.array(times) * 1000
        print(f"{name}: median {np.median(ms):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms ({len(ms)} questions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
