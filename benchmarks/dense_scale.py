"""How Kutip's dense stage scales: e5 embedding throughput, question embedding, and the per-question product.

    python -m benchmarks.dense_scale [--sample 256] [--units 1e4,1e5] [--passages 1e5] [--json OUT]

Embedding 10^5 passages for real would take hours, so the build side is a measured rate (real IDK-MRC
sentences through `retrieval.dense.Model.passages`, the engine's own path) and a computed bound.  The
answer side is measured on synthetic unit vectors (random, L2-normalised, float32 as the engine holds them)
at 10^4 and 10^5 units and at the unit count of 10^5 passages: `dense.cosine` (the matrix-vector product),
then the z-score and per-passage maximum, through the engine's own functions (`retrieval.rank`).  Vector
memory: float32 in memory, float16 on disk as the index cache holds them (`np.save`, measured), and the time
to load that back.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .config import (
    DENSE_REPEATS,
    DENSE_SAMPLE_QUERIES,
    DENSE_SAMPLE_UNITS,
    DENSE_SCALE_PASSAGES,
    DENSE_UNIT_COUNTS,
    SEED,
    UNITS_PER_PASSAGE,
)
from .measure import summary, time_each


def embedding_rate(model, sample: int, seed: int = SEED) -> dict:
    """Embed `sample` real IDK-MRC sentences through the engine's batch path; return units/s (wall and CPU)."""
    from .generate import sentence_pool
    pool = sentence_pool()
    texts = random.Random(seed).sample(pool, min(sample, len(pool)))
    t, c = time.perf_counter(), time.process_time()
    model.passages(texts)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"units": len(texts), "mean_chars": round(statistics.fmean(len(x) for x in texts), 1),
            "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "units_per_s": round(len(texts) / wall, 2)}


def query_cost(model, n: int, seed: int = SEED) -> dict:
    """Embed n distinct IDK-MRC valid questions one at a time (memo emptied before each); return median/p95 ms."""
    from .measure import forget_queries
    from .run import idk_questions
    took = time_each(model.query, idk_questions(n, seed, "valid.json"), forget_queries)
    return {"questions": len(took), **summary(took, "")}


def query_threads(n: int, threads: tuple[int, ...] = (1, 2), seed: int = SEED) -> dict:
    """Time the raw e5 encoder's `query` (retrieval/e5onnx.py) on n distinct questions with each thread count (the
    engine uses dense.THREADS)."""
    from retrieval.e5onnx import Encoder

    from .run import idk_questions
    questions = idk_questions(n, seed + 1, "valid.json")
    out = {}
    for k in threads:
        model = Encoder(k)
        out[str(k)] = summary(time_each(model.query, questions), "")
        del model
    return out


def product_cost(units: int, repeats: int, units_per_passage: float, seed: int = SEED) -> dict:
    """Time the per-question dense work on `units` synthetic unit vectors; measure their memory and cache file."""
    from retrieval import dense
    from retrieval.rank import passage_max, standardised
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((units, dense.DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    passage_of = (np.arange(units) / units_per_passage).astype(np.int64)
    n_passages = int(passage_of[-1]) + 1
    first_unit = np.searchsorted(passage_of, np.arange(n_passages + 1))     # as rank.Layout holds it
    product, whole = [], []
    for _ in range(repeats):
        q = rng.standard_normal(dense.DIM, dtype=np.float32)
        q /= np.linalg.norm(q)
        t = time.perf_counter_ns()
        cos = dense.cosine(vectors, q)
        t1 = time.perf_counter_ns()
        passage_max(standardised(cos), first_unit)        # the engine's own functions
        t2 = time.perf_counter_ns()
        product.append((t1 - t) / 1e6)
        whole.append((t2 - t) / 1e6)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.npy"
        np.save(path, vectors.astype(np.float16), allow_pickle=False)
        file_bytes = path.stat().st_size
        t = time.perf_counter()
        np.load(path, allow_pickle=False).astype(np.float32)
        load_s = time.perf_counter() - t
    return {"units": units, "passages": n_passages, "product": summary(sorted(product), ""),
            "with_zscore_and_passage_max": summary(sorted(whole), ""),
            "float32_mb": round(vectors.nbytes / 2 ** 20, 1), "float16_file_mb": round(file_bytes / 2 ** 20, 1),
            "load_file_s": round(load_s, 3)}


def measure_dense(sample: int = DENSE_SAMPLE_UNITS, unit_counts: tuple[int, ...] = DENSE_UNIT_COUNTS,
                  queries: int = DENSE_SAMPLE_QUERIES, repeats: int = DENSE_REPEATS,
                  units_per_passage: float = UNITS_PER_PASSAGE, scale_passages: int = DENSE_SCALE_PASSAGES) -> dict:
    """Measure embedding rate, query cost and the product at each unit count (plus scale_passages' units)."""
    from retrieval import dense
    t = time.perf_counter()
    model, status = dense.load_model()
    if model is None:
        return {"error": f"e5 model not loaded: {status.reason}"}
    out: dict = {"model_load_s": round(time.perf_counter() - t, 3), "units_per_passage": units_per_passage,
                 "scale_passages": scale_passages}
    out["embedding"] = embedding_rate(model, sample)
    out["query"] = query_cost(model, queries)
    out["query_threads"] = query_threads(queries)
    counts = sorted(set(unit_counts) | ({round(scale_passages * units_per_passage)} if scale_passages else set()))
    out["products"] = [product_cost(n, repeats, units_per_passage) for n in counts]
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def bound(dense: dict, rows: list[dict]) -> dict | None:
    """Return the computed cost at scale_passages: embedding hours (slowest measured rate), product, memory."""
    if not dense or "error" in dense or not dense.get("scale_passages"):
        return None
    in_engine = [r["units"] / r["build_stages_s"]["embed"] for r in rows if r.get("system") == "kutip"
                 and "error" not in r and r.get("build_stages_s", {}).get("embed") and r.get("units", 0) >= 1000]
    rate = min([dense["embedding"]["units_per_s"], *in_engine])
    units = round(dense["scale_passages"] * dense["units_per_passage"])
    at = min(dense["products"], key=lambda p: abs(p["units"] - units))
    per_unit_ms = at["with_zscore_and_passage_max"]["median_ms"] / at["units"]
    return {"passages": dense["scale_passages"], "units": units, "units_per_s": round(rate, 2),
            "embed_hours": units / rate / 3600, "product_ms": per_unit_ms * units,
            "product_measured_at": at["units"], "float32_mb": units * 384 * 4 / 2 ** 20,
            "float16_mb": units * 384 * 2 / 2 ** 20, "query_median_ms": dense["query"]["median_ms"]}


def dense_markdown(dense: dict | None, rows: list[dict]) -> list[str]:
    """Return the results.md section on the dense stage at scale."""
    if not dense:
        return []
    L = ["", "## Dense stage at scale (`benchmarks/dense_scale.py`)", ""]
    if "error" in dense:
        return L + [f"Not measured: {dense['error']}"]
    e, q = dense["embedding"], dense["query"]
    L += [f"- Embedding throughput (build side), measured: {e['units']} real IDK-MRC sentences (mean "
          f"{e['mean_chars']:.0f} characters) through `dense.Model.passages` in {e['seconds']:.1f} s = "
          f"**{e['units_per_s']:.1f} units/s** (CPU {e['cpu_seconds']:.1f} s; model load "
          f"{dense['model_load_s']:.2f} s).",
          f"- Question embedding (answer side), measured: {q['questions']} distinct IDK-MRC valid questions, "
          f"median **{q['median_ms']:.1f} ms**, p95 {q['p95_ms']:.1f} ms."
          + ("" if "query_threads" not in dense else " Raw e5 encoder `query` on other questions by thread count: "
             + "; ".join(f"{k} thread{'s' if k != '1' else ''} median {v['median_ms']:.1f} ms, p95 "
                         f"{v['p95_ms']:.1f} ms" for k, v in dense["query_threads"].items()) + "."), "",
          "Per-question dense work on synthetic unit vectors (float32, as the engine holds them): `dense.cosine` "
          "(the matrix-vector product) alone, then with the z-score and the per-passage maximum "
          "(`rank.standardised`, `rank.passage_max`: the engine's own functions); vector memory in RAM (float32) "
          "and on disk as float16 (as the index cache holds them; here one `np.save` file), and the time to load "
          "that file back as float32:", "",
          "| units | passages | product median ms | p95 ms | + z-score + passage max median ms | p95 ms | "
          "float32 MiB | float16 file MiB | load file s |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in dense["products"]:
        a, w = p["product"], p["with_zscore_and_passage_max"]
        L.append(f"| {p['units']:,} | {p['passages']:,} | {a['median_ms']:.2f} | {a['p95_ms']:.2f} | "
                 f"{w['median_ms']:.2f} | {w['p95_ms']:.2f} | {p['float32_mb']:,.1f} | {p['float16_file_mb']:,.1f} | "
                 f"{p['load_file_s']:.2f} |")
    b = bound(dense, rows)
    if b:
        L += ["", f"**At {b['passages']:,} passages** ({b['units']:,} units at {dense['units_per_passage']:.2f} units "
              f"a passage, Kutip's ratio at {dense.get('units_per_passage_from', '?')}) — computed, not run: "
              "embedding them once at "
              f"{b['units_per_s']:.1f} units/s (the slowest rate measured: the sample above or Kutip's own embed "
              f"stage on IDK-MRC) takes **{b['embed_hours']:.1f} h** on this machine, paid once (later runs load "
              f"the index cache instead). Per question: {b['query_median_ms']:.0f} ms to embed the question plus "
              f"**{b['product_ms']:.0f} ms** for the product, z-score and passage maximum (measured at "
              f"{b['product_measured_at']:,} units), on top of the lexical path (kutip-lex). Memory: "
              f"**{b['float32_mb']:,.0f} MiB** of float32 vectors in RAM, {b['float16_mb']:,.0f} MiB float16 on disk."]
    return L


def main(argv: list[str] | None = None) -> int:
    """Measure and print (or write) the dense-stage figures as JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.dense_scale", description=__doc__.splitlines()[0])
    p.add_argument("--sample", type=int, default=DENSE_SAMPLE_UNITS, help="real sentences embedded for the rate")
    p.add_argument("--queries", type=int, default=DENSE_SAMPLE_QUERIES, help="questions embedded")
    p.add_argument("--units", default=",".join(f"{n:g}" for n in DENSE_UNIT_COUNTS),
                   help="comma-separated unit counts for the product")
    p.add_argument("--passages", type=float, default=DENSE_SCALE_PASSAGES,
                   help="also measure at this many passages' units (0: skip)")
    p.add_argument("--units-per-passage", type=float, default=UNITS_PER_PASSAGE)
    p.add_argument("--repeats", type=int, default=DENSE_REPEATS)
    p.add_argument("--json", type=Path, help="write the result here instead of stdout")
    a = p.parse_args(argv)
    result = measure_dense(a.sample, tuple(int(float(x)) for x in a.units.split(",") if x.strip()), a.queries,
                           a.repeats, a.units_per_passage, int(a.passages))
    text = json.dumps(result, indent=1)
    if a.json:
        a.json.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
