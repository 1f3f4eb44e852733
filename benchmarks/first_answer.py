"""Time a large corpus's first answers before its meaning is embedded, and the embedding that fills in afterwards.

    python -m benchmarks.first_answer [--size 1e5] [--questions 20] [--fill 2000]

Prepares a generated corpus of the size (benchmarks.run.prepare: real IDK-MRC sentences, IDK-MRC questions) and
builds it with the e5 model loaded but a budget of 0 new texts (`Engine.build(..., budget=0)`, as the app builds an
upload past its budget): the engine answers by its words at once and lists what it has not embedded in `todo`.
Then embeds the first FILL texts of `todo` (whole passages with their sentences, so a few more) into the store
(embedstore.fill, both cores) while this thread keeps answering, to measure the rate, the time the rest would take,
and the answers meanwhile.  Prints and writes to
benchmarks/first-answer.json; the peak memory is this process's (the generated texts included).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "first-answer.json"


def timed_answers(engine, questions: list[str]) -> tuple[list[float], int]:
    """Return each question's milliseconds to an answer, sorted (measure.time_each), and how many got quotes."""
    from .measure import time_each
    answered: list[bool] = []
    took = time_each(lambda q: answered.append(not engine.ask(q).abstained), questions)
    return took, sum(answered)


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print it."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", default="1e5")
    p.add_argument("--questions", type=int, default=20)
    p.add_argument("--fill", type=int, default=2000)
    args = p.parse_args(argv)
    from retrieval import Engine
    from retrieval.e5onnx import count
    from retrieval.embedstore import Store, fill

    from .measure import percentile
    from .run import prepare
    with tempfile.TemporaryDirectory() as tmp:
        meta = prepare(args.size, Path(tmp) / "data", args.questions)
        questions = json.loads((Path(tmp) / "data" / "questions.json").read_text(encoding="utf-8"))
        cache = Path(tmp) / "cache"
        t0 = time.perf_counter()
        engine = Engine.build(Path(meta["corpus"]), cache_dir=cache, budget=0)
        built = time.perf_counter() - t0
        before, answered = timed_answers(engine, questions)
        todo, total = engine.todo, count(engine.todo)       # a passage's sentences are folded into one item
        first, n = [], 0
        for item in todo:
            if n >= args.fill:
                break
            first.append(item)
            n += count([item])
        done = threading.Event()
        result: dict[str, float] = {}

        def embed() -> None:
            """Embed the first texts of todo into the store, timed."""
            t = time.perf_counter()
            result["embedded"] = fill(first, Store(cache))
            result["seconds"] = time.perf_counter() - t
            done.set()
        filler = threading.Thread(target=embed)
        filler.start()
        during: list[float] = []
        while not done.is_set():
            during += timed_answers(engine, questions[:5])[0]
        filler.join()
    rate = result["embedded"] / result["seconds"] if result.get("seconds") else 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {"size": args.size, "passages": len(engine.passages), "texts_to_embed": total,
               "build_s": round(built, 1), "peak_rss_mb": round(peak),
               "questions": len(questions), "answered_before_embedding": answered,
               "answer_median_ms": round(statistics.median(before), 1),
               "answer_p95_ms": round(percentile(before, 95), 1),
               "embedded": result.get("embedded", 0), "embed_s": round(result.get("seconds", 0.0), 1),
               "texts_per_s": round(rate, 1), "rest_would_take_h": round(total / rate / 3600, 2) if rate else None,
               "answers_while_embedding": len(during),
               "answer_median_ms_while_embedding": round(statistics.median(during), 1) if during else None,
               "answer_max_ms_while_embedding": round(max(during), 1) if during else None,
               "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    OUT.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
