"""Time the server's share of a large upload's handover, in one process: another session's answers meanwhile.

    python -m benchmarks.handover [--megabytes 20] [--runs 3] [--intervals 0.005,0.0005] [--fill 900]

Builds the shipped chapter plus a .txt of the size (benchmarks.upload_latency.write_upload) as the app's worker
does (the index cache only read, never written) and writes that engine as the worker's file (buildproc.pack,
cache.write_cache).  Then, for each GIL switch interval (sys.setswitchinterval) and run, one thread answers chapter
questions one after another while this one reads and unpacks the file (cache.read_cache, buildproc.unpack): what
the server does when a worker is done.  Prints and writes to benchmarks/handover.json the handover's seconds and
the slowest answer started during it, against the same answers alone.  Then the meaning of a small upload filled
in (ui.meaning's background job: embedstore.fill of FILL new texts in this process) while the other thread asks
new questions (their vectors not memoised).  The browser-level figure is benchmarks.upload_latency's.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from .upload_latency import OTHER_QUESTIONS, write_upload

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "handover.json"
SETTLE = 0.5            # seconds the other thread answers alone before and after a handover


def engine_file(folder: Path, megabytes: float) -> Path:
    """Build the chapter plus an upload of the size as the app's worker does; return the engine file written."""
    from retrieval import buildproc
    from retrieval.cache import write_cache
    from ui.meaning import BUDGET
    corpus = folder / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    write_upload(corpus / "besar.txt", megabytes)
    arrays, meta = buildproc.pack(buildproc.build(corpus, use_cache=False, budget=BUDGET, suggestions=4, worker=False))
    out = folder / "engine.npz"
    if not write_cache(out, arrays, meta):
        raise SystemExit(f"could not write {out}")
    return out


@contextlib.contextmanager
def answering(chapter, fresh: bool):
    """Answer chapter questions in another thread while the block runs; yield the (started, seconds) of each
    (fresh: each in a new wording, "... (k)", so its vector is not memoised)."""
    asked: list[tuple[float, float]] = []
    done = threading.Event()

    def other() -> None:
        """Answer until told to stop."""
        k = 0
        while not done.is_set():
            question = OTHER_QUESTIONS[k % len(OTHER_QUESTIONS)]
            t = time.perf_counter()
            chapter.ask(f"{question} ({k})" if fresh else question)
            asked.append((t, time.perf_counter() - t))
            k += 1
    thread = threading.Thread(target=other)
    thread.start()
    try:
        yield asked
    finally:
        done.set()
        thread.join()


def one_run(chapter, path: Path, interval: float) -> dict[str, float]:
    """Hand the engine file over while another thread answers; return the handover's seconds and the answers'."""
    from retrieval import buildproc
    from retrieval.cache import read_cache
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        with answering(chapter, fresh=False) as asked:
            time.sleep(SETTLE)
            t0 = time.perf_counter()
            state = read_cache(path)
            if state is None:
                raise SystemExit(f"{path} did not read back")
            buildproc.unpack(state)
            t1 = time.perf_counter()
            time.sleep(SETTLE)
    finally:
        sys.setswitchinterval(before)
    during = [s for t, s in asked if t0 <= t + s and t <= t1]      # running at some moment of the handover
    alone = [s for t, s in asked if t + s < t0 or t > t1]
    return {"handover_s": round(t1 - t0, 3), "answers_during": len(during),
            "slowest_during_s": round(max(during, default=0.0), 4),
            "median_during_s": round(statistics.median(during or [0.0]), 4),
            "slowest_alone_s": round(max(alone, default=0.0), 4)}


def fill_run(chapter, texts: list[str], folder: Path) -> dict[str, float]:
    """Embed texts into a new store in this process while another thread asks new questions; return the seconds."""
    from retrieval.embedstore import Store, fill
    with answering(chapter, fresh=True) as asked:
        t0 = time.perf_counter()
        embedded = fill(texts, Store(folder))
        took = time.perf_counter() - t0
    seconds = [s for _, s in asked]
    return {"embedded": embedded, "fill_s": round(took, 1), "answers": len(seconds),
            "median_s": round(statistics.median(seconds), 4), "slowest_s": round(max(seconds), 4),
            "over_1s": sum(s > 1 for s in seconds)}


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print it."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--megabytes", type=float, default=20)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--intervals", default="0.005,0.0005")
    p.add_argument("--fill", type=int, default=900, help="new texts of the background fill (0: none)")
    args = p.parse_args(argv)
    from retrieval import Engine

    from .generate import sentence_pool
    intervals = [float(v) for v in args.intervals.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        path = engine_file(Path(tmp), args.megabytes)
        chapter = Engine.build(ROOT / "corpus")
        for q in OTHER_QUESTIONS:
            chapter.ask(q)                                   # warm: the question memo, the model
        rows = [{"interval_s": interval, **one_run(chapter, path, interval)}
                for _ in range(args.runs) for interval in intervals]     # alternated, run by run
        texts = list(sentence_pool()[:args.fill])             # real IDK-MRC sentences, as an upload's todo
        filled = fill_run(chapter, texts, Path(tmp) / "fill") if args.fill else None
    summary = {"megabytes": args.megabytes, "runs": rows, "fill": filled,
               "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    OUT.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    for interval in intervals:
        mine = [r for r in rows if r["interval_s"] == interval]
        print(f"switch interval {interval * 1000:g} ms: handover {[r['handover_s'] for r in mine]} s; another "
              f"session's slowest answer during it {[r['slowest_during_s'] for r in mine]} s (alone at most "
              f"{max(r['slowest_alone_s'] for r in mine):.3f} s)")
    if filled:
        print(f"{filled['embedded']} texts filled in in {filled['fill_s']} s; another session's new questions "
              f"meanwhile: {filled['answers']}, median {filled['median_s']:.3f} s, slowest "
              f"{filled['slowest_s']:.3f} s, {filled['over_1s']} over 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
