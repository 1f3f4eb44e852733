"""Speed and scale of Kutip's full answer path against bm25s and scikit-learn TF-IDF, at every corpus size.

    python -m benchmarks.run [--sizes chapter,idk,1e4,1e5] [--quick] [--questions N]

For each size and system a fresh subprocess builds the index cold (no cache), answers warm-up questions,
then times every question one by one; it reports its own RSS high-water mark, so numbers never pollute
each other.  Also timed: `python -m retrieval ask` end to end with a warm cache, and a pyinstrument profile
of Kutip's per-question path at the chapter and the largest generated size.  Writes benchmarks/results.md, results.json,
scaling.png (and profile-<size>.txt); progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .generate import DATASET, ROOT, generate, load_paragraphs, sentence_pool, shared_dir, write_corpus

OUT = Path(__file__).resolve().parent
SYSTEMS = ("kutip", "bm25s", "tfidf")
SYSTEM_NAMES = {"kutip": "Kutip engine.ask (quotes + footnotes)", "bm25s": "bm25s retrieve k=3",
                "tfidf": "sklearn TfidfVectorizer() top-3"}
FULL_SIZES = ("chapter", "idk", "1e4", "1e5")
QUICK_SIZES = ("chapter", "idk", "1e4")
QUESTIONS, QUICK_QUESTIONS = 300, 100
WARMUP = 10               # untimed questions (from IDK-MRC valid) before timing
PER_FILE = 100            # generated corpora: paragraphs per .txt file (blank line between them)
SEED = 13
CLI_RUNS = 5
WORKER_TIMEOUT = 1200     # seconds; a worker past this is stopped and its row records the failure
HEARTBEAT = 10.0          # seconds between "still building" lines on stderr
QUIET_CORES = 0.5         # before a worker, wait while other processes keep this many cores busy ...
QUIET_WAIT = 20.0         # ... at most this many seconds each (--max-wait; --quick: a quarter) ...
QUIET_BUDGET = 180.0      # ... and this many in all (--quick: a sixth)

# the targets the lead must hit (checked in results.md)
RATIO_MAX = 5.0           # Kutip latency / bm25s latency at every size
P95_MAX_MS_1E5 = 100.0
BUILD_MAX_S = {"chapter": 1.0, "idk": 20.0, "1e5": 120.0}
PEAK_MAX_BYTES_1E5 = 2e9  # 2 GB
CLI_MAX_S = 2.5
KUTIP_STAGES = ("read", "structure", "tokenise", "analyse", "import", "index")   # Engine.build's progress stages
PROGRESS_GAP_S = 10.0     # "visible progress": no stretch of a build longer than this without a progress call
_WORD = re.compile(r"[^\W\d_]+")   # a run of letters: what "distinct words" counts


def log(msg: str) -> None:
    """Write one progress line on stderr."""
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def size_count(size: str) -> int | None:
    """Return the paragraph count of a generated size ("1e4" -> 10000), None for chapter/idk."""
    if size in ("chapter", "idk"):
        return None
    try:
        n = int(float(size))
    except ValueError:
        raise SystemExit(f"unknown size {size!r}: use chapter, idk or a number such as 1e4") from None
    if n < 1:
        raise SystemExit(f"size must be positive: {size!r}")
    return n


# --- data: corpus folder + passages + questions per size (made in a subprocess, so the parent stays small) -----

def dev_questions() -> list[str]:
    """Return the questions of the chapter's dev set (shared/eval/dev.jsonl)."""
    path = shared_dir() / "eval" / "dev.jsonl"
    return [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def idk_questions(n: int, seed: int = SEED, split: str = "train.json") -> list[str]:
    """Return n IDK-MRC questions of a split (answerable and unanswerable), a seeded sample in file order."""
    qs = [qa["question"] for para in load_paragraphs(split) for qa in para["qas"]]
    if n >= len(qs):
        return qs
    keep = sorted(random.Random(seed).sample(range(len(qs)), n))
    return [qs[i] for i in keep]


def cycle(items: list[str], n: int) -> list[str]:
    """Return n items, repeating the list as often as needed."""
    return [items[i % len(items)] for i in range(n)] if items else []


def prepare(size: str, folder: Path, n_questions: int, seed: int = SEED) -> dict:
    """Write one size's data into folder; return its meta (corpus folder, counts, files).

    folder/passages.json: the texts the baselines index; folder/questions.json: the timed questions;
    folder/warmup.json: untimed warm-up questions (IDK-MRC valid, never timed).
    chapter: corpus/ as is, the baselines get the passages Kutip makes of it, dev.jsonl questions repeated;
    idk: one .txt per IDK-MRC train paragraph; 1e4, 1e5, ...: generated paragraphs, PER_FILE per .txt.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if size == "chapter":
        from retrieval.engine import Engine
        corpus = ROOT / "corpus"
        passages = [p.text for p in Engine.build(corpus, use_cache=False).passages]
        distinct = dev_questions()
        questions, files = cycle(distinct, n_questions), None
    elif size == "idk":
        corpus = folder / "corpus"
        passages = [p["context"] for p in load_paragraphs("train.json")]
        files = write_corpus(passages, corpus, per_file=1)
        questions = distinct = idk_questions(n_questions, seed)
    else:
        corpus = folder / "corpus"
        passages = generate(size_count(size), seed)
        files = write_corpus(passages, corpus, per_file=PER_FILE)
        questions = distinct = idk_questions(n_questions, seed)
    warmup = idk_questions(WARMUP, seed, "valid.json")
    for name, value in (("passages", passages), ("questions", questions), ("warmup", warmup)):
        (folder / f"{name}.json").write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    vocabulary: set[str] = set()
    for p in passages:
        vocabulary.update(_WORD.findall(p.lower()))
    meta = {"size": size, "corpus": str(corpus), "passages": len(passages), "files": files,
            "questions": len(questions), "distinct_questions": len(set(distinct)),
            "words": sum(len(p.split()) for p in passages), "distinct_words": len(vocabulary)}
    if size_count(size):
        meta["pool_sentences"] = len(sentence_pool())
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return meta


# --- the three systems: build(corpus folder, passages, stage) -> (ask(question), facts) ------------------------

def build_kutip(corpus: Path, passages: list[str], stage: Callable[[str, int, int], None]):
    """Build Kutip with Engine.build (reading the folder, no cache); ask = engine.ask(q, top_k=3)."""
    from retrieval.engine import Engine
    engine = Engine.build(Path(corpus), progress=stage, use_cache=False)
    units, n_passages, vocab = engine.index.size
    return (lambda q: engine.ask(q, top_k=3)), {"indexed_passages": n_passages, "units": units, "vocab": vocab}


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


BUILDERS = {"kutip": build_kutip, "bm25s": build_bm25s, "tfidf": build_tfidf}


class Stages:
    """Progress sink for one build: in-place counters and a heartbeat line on stderr, stage start times."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        """Start the clock; quiet sends nothing to stderr."""
        self.label, self.quiet = label, quiet
        self.t0 = time.perf_counter()
        self.current, self.starts = "start", {"start": 0.0}
        self._last_print, self._midline = 0.0, False
        self._last_call, self.silent = 0.0, 0.0      # longest stretch without a progress call (s)
        self._stop = threading.Event()
        self._thread = None if quiet else threading.Thread(target=self._beat, daemon=True)
        if self._thread:
            self._thread.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Record a progress call (the same signature as Engine.build's progress)."""
        now = time.perf_counter() - self.t0
        self.silent, self._last_call = max(self.silent, now - self._last_call), now
        if stage != self.current:
            self.current = stage
            self.starts.setdefault(stage, now)
        if total > 1 and (now - self._last_print > 0.5 or done >= total):
            self._last_print = now
            self._say(f"{stage} {done}/{total} ({now:.0f} s)", in_place=True)

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
        self.silent = max(self.silent, end - self._last_call)
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
           "longest_silence_s": round(silent_s, 3),
           "questions": len(questions), "distinct_questions": len(set(questions))}
    row.update(summary(wall_ms, ""))
    row.update(summary(cpu_ms, "cpu_"))
    row.update(facts)
    return row, ask


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
    if system == "kutip":
        import retrieval.engine  # noqa: F401
    elif system == "bm25s":
        import bm25s  # noqa: F401
    else:
        import sklearn.feature_extraction.text  # noqa: F401


def worker(spec: dict) -> dict:
    """Run one measurement as described by spec (in its own process); return the row."""
    imports(spec["system"])
    data = Path(spec["data"])
    passages = json.loads((data / "passages.json").read_text(encoding="utf-8")) if spec["system"] != "kutip" else []
    questions = json.loads((data / "questions.json").read_text(encoding="utf-8"))
    warmup = json.loads((data / "warmup.json").read_text(encoding="utf-8"))
    meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
    rss_before, load_before = proc_status_mb("VmRSS"), load_average()
    row, ask = measure(spec["system"], Path(meta["corpus"]), passages, questions, warmup,
                       label=f"{spec['size']} {spec['system']}")
    row.update(memory())
    row.update({"size": spec["size"], "rss_before_build_mb": rss_before, "load_before": load_before,
                "load_after": load_average()})
    if spec["system"] == "kutip":
        row["passages"] = meta["passages"]
    if spec.get("profile"):
        row["profile"] = profile(ask, questions, Path(spec["profile"]), f"{spec['size']} ({meta['passages']} "
                                 f"passages), {len(questions)} questions, engine.ask(q, top_k=3)")
    return row


# --- profile ---------------------------------------------------------------------------------------------------

def profile(ask: Callable[[str], object], questions: list[str], path: Path, title: str, top: int = 25) -> dict:
    """Profile ask over the questions with pyinstrument; write the top functions and the call tree to path."""
    from pyinstrument import Profiler
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.001)
    profiler.start()
    for q in questions:
        ask(q)
    profiler.stop()
    session = profiler.last_session
    rows, total = function_times(session.root_frame()), session.duration
    ours = sorted((r for r in rows if r["name"].split("(")[-1].startswith("retrieval/")), key=lambda r: -r["total"])
    lines = [f"pyinstrument {title}",
             f"total {total:.2f} s sampled ({session.cpu_time:.2f} s CPU), "
             f"{total * 1000 / max(1, len(questions)):.1f} ms per question under the profiler", "",
             "Kutip's own functions by inclusive time (callees included; recursion counted once)",
             f"{'total %':>8} {'total s':>8} {'self %':>7}  function"]
    lines += [f"{r['total'] / total * 100:7.1f}% {r['total']:8.3f} {r['self'] / total * 100:6.1f}%  {r['name']}"
              for r in ours[:top]]
    lines += ["", "All functions by self time (own code, not callees)",
              f"{'self %':>7} {'self s':>7} {'total %':>8}  function"]
    lines += [f"{r['self'] / total * 100:6.1f}% {r['self']:7.3f} {r['total'] / total * 100:7.1f}%  {r['name']}"
              for r in rows[:top]]
    lines += ["", "Call tree (library frames folded)", ""]
    tree = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    path.write_text("\n".join(lines) + "\n" + tree, encoding="utf-8")
    def share(r: dict) -> dict:
        return {"function": r["name"], "self_share": round(r["self"] / total, 4),
                "total_share": round(r["total"] / total, 4)}
    return {"file": path.name, "title": title, "seconds": round(total, 3), "cpu_seconds": round(session.cpu_time, 3),
            "top": [share(r) for r in rows[:top]], "kutip": [share(r) for r in ours[:top]]}


def function_times(root) -> list[dict]:
    """Return per-function self and inclusive time from a pyinstrument frame tree, largest self time first."""
    stats: dict[str, dict] = {}

    def walk(frame, ancestors: frozenset) -> None:
        if frame.is_synthetic:        # "[self]" leaves: already in their parent's total_self_time
            return
        where = frame.file_path_short
        name = f"{frame.function} ({where}:{frame.line_no})" if where else frame.function
        entry = stats.setdefault(name, {"name": name, "self": 0.0, "total": 0.0})
        entry["self"] += frame.total_self_time
        if name not in ancestors:
            entry["total"] += frame.time
        for child in frame.children:
            walk(child, ancestors | {name})
    if root is not None:
        walk(root, frozenset())
    return sorted(stats.values(), key=lambda r: -r["self"])


# --- the parent: one subprocess per measurement --------------------------------------------------------------

def run_module(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run `python -m benchmarks.run ARGS` from the repo root; stderr goes straight to ours."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "benchmarks.run", *args], cwd=ROOT, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=None, text=True)


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Return how many cores were busy (not idle) over the next `seconds`, from /proc/stat; None off Linux."""
    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + (fields[4] if len(fields) > 4 else 0)
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    cores = os.cpu_count() or 1
    return round(cores * (1 - (idle1 - idle0) / max(1, total1 - total0)), 2)


class Quiet:
    """Waits before a measurement while other processes keep the CPU busy, within a per-wait and a total budget."""

    def __init__(self, per_wait: float, budget: float, limit: float = QUIET_CORES) -> None:
        """Allow up to per_wait seconds each time and budget seconds in all."""
        self.per_wait, self.budget, self.limit, self.waited = per_wait, budget, limit, 0.0

    def wait(self) -> float | None:
        """Wait until fewer than `limit` cores are busy (or the budget is spent); return the last reading."""
        t0 = time.perf_counter()
        deadline = t0 + min(self.per_wait, max(0.0, self.budget - self.waited))
        busy = cpu_busy()
        if busy is not None and busy >= self.limit and deadline > t0:
            log(f"    waiting for a quieter machine: {busy:.1f} cores busy with other work …")
            while busy is not None and busy >= self.limit and time.perf_counter() < deadline:
                busy = cpu_busy(2.0)
        self.waited += time.perf_counter() - t0
        return busy


def run_worker(system: str, size: str, data: Path, profile_to: Path | None = None,
               timeout: float = WORKER_TIMEOUT) -> dict:
    """Measure one system on one prepared size in a fresh subprocess; return its row (or an error row)."""
    spec = {"system": system, "size": size, "data": str(data), "profile": str(profile_to) if profile_to else None}
    out = data / f"row-{system}.json"
    out.unlink(missing_ok=True)
    try:
        proc = run_module(["--worker", json.dumps(spec), "--row-out", str(out)], timeout)
        if proc.returncode == 0 and out.exists():
            return json.loads(out.read_text(encoding="utf-8"))
        error = f"worker exited {proc.returncode}"
    except subprocess.TimeoutExpired:
        error = f"timed out after {timeout:.0f} s"
    return {"system": system, "size": size, "error": error}


def run_prepare(size: str, data: Path, n_questions: int) -> dict:
    """Prepare one size's data in a subprocess; return its meta."""
    proc = run_module(["--prepare", size, "--data", str(data), "--questions", str(n_questions)], WORKER_TIMEOUT)
    if proc.returncode != 0:
        raise SystemExit(f"preparing {size} failed (exit {proc.returncode})")
    return json.loads((data / "meta.json").read_text(encoding="utf-8"))


def measure_cli(question: str, cache: Path, runs: int = CLI_RUNS) -> dict:
    """Time `python -m retrieval ask QUESTION` end to end (wall, incl. start-up): warm cache, cold, imports only."""
    env = dict(os.environ, KUTIP_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))

    cpu: dict[str, list[float]] = {}

    def wall(args: list[str]) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, timeout=300)
        took = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
        cpu.setdefault(" ".join(args), []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return took

    ask = ["-m", "retrieval", "ask", question]
    first = wall(ask)                                        # fills the cache
    warm = [wall(ask) for _ in range(runs)]
    cold = [wall(ask + ["--no-cache"]) for _ in range(max(1, runs // 2 + 1))]
    bare = [wall(["-c", "pass"]) for _ in range(runs)]
    imp_cmd = "-c import retrieval.engine, retrieval.present"
    imp = [wall(imp_cmd.split(" ", 1)) for _ in range(runs)]

    def r(xs: list[float]) -> float:
        return round(statistics.median(xs), 3)
    return {"question": question, "runs": runs, "warm_median_s": r(warm), "warm_max_s": round(max(warm), 3),
            "warm_min_s": round(min(warm), 3),
            "warm_runs_s": [round(x, 3) for x in warm], "first_run_s": round(first, 3),
            "no_cache_median_s": r(cold), "python_startup_s": r(bare), "imports_s": r(imp),
            "warm_cpu_median_s": r(cpu[" ".join(ask)][1:]), "imports_cpu_s": r(cpu[imp_cmd])}


def machine() -> dict:
    """Return the CPU model, cores, RAM, Python and library versions."""
    from importlib.metadata import PackageNotFoundError, version
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    libs = {}
    for name in ("numpy", "scipy", "scikit-learn", "bm25s", "PySastrawi", "pyinstrument", "matplotlib"):
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": ram, "python": platform.python_version(),
            "platform": platform.platform(), "libraries": libs}


def code_version() -> str:
    """Return the hash Kutip's cache uses for the core's source (ties results to one version of retrieval/)."""
    from retrieval.cache import code_version as core_version
    return core_version()[:12]


def code_files() -> dict[str, str]:
    """Return each core source file with a short hash of its content (to name what changed during a run)."""
    import hashlib
    root = ROOT / "retrieval"
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in sorted(root.rglob("*.py"))}


def targets(rows: list[dict], cli: dict | None) -> list[dict]:
    """Return each target the lead must hit with the measured value and whether it holds (None: not measured)."""
    by = {(r["size"], r["system"]): r for r in rows if "error" not in r}
    sizes = list(dict.fromkeys(r["size"] for r in rows))
    out = []

    def add(name: str, value: str, holds: bool | None) -> None:
        out.append({"target": name, "measured": value, "holds": holds})

    for size in sizes:
        k, b = by.get((size, "kutip")), by.get((size, "bm25s"))
        if k and b:
            ratio, ratio95 = k["median_ms"] / b["median_ms"], k["p95_ms"] / b["p95_ms"]
            cpu = k["cpu_median_ms"] / b["cpu_median_ms"] if b.get("cpu_median_ms") else float("nan")
            add(f"{size}: Kutip latency ≤ {RATIO_MAX:g}× bm25s (median)",
                f"{ratio:.1f}× ({k['median_ms']:.2f} vs {b['median_ms']:.2f} ms); CPU {cpu:.1f}×; "
                f"p95 {ratio95:.1f}×", ratio <= RATIO_MAX)
    k = by.get(("1e5", "kutip"))
    add(f"1e5: Kutip p95 < {P95_MAX_MS_1E5:g} ms", f"{k['p95_ms']:.1f} ms (CPU p95 {k['cpu_p95_ms']:.1f} ms)"
        if k else "not measured",
        k["p95_ms"] < P95_MAX_MS_1E5 if k else None)
    for size, limit in BUILD_MAX_S.items():
        k = by.get((size, "kutip"))
        sk = k.get("build_stages_s", {}).get("import", 0.0) if k else 0.0
        add(f"{size}: Kutip cold build < {limit:g} s",
            f"{k['build_s']:.2f} s (CPU {k['build_cpu_s']:.2f} s; of which loading scikit-learn {sk:.2f} s)"
            if k else "not measured",
            k["build_s"] < limit if k else None)
    k = by.get(("1e5", "kutip"))
    add(f"1e5: visible progress — the core's `progress` callback is called at least every {PROGRESS_GAP_S:g} s",
        f"longest stretch without a call: {k['longest_silence_s']:.1f} s of {k['build_s']:.1f} s"
        if k and "longest_silence_s" in k else "not measured",
        k["longest_silence_s"] <= PROGRESS_GAP_S if k and "longest_silence_s" in k else None)
    k = by.get(("1e5", "kutip"))
    add("1e5: Kutip peak memory < 2 GB", f"{k['peak_mb']:.0f} MiB ({k['peak_mb'] * 2 ** 20 / 1e9:.2f} GB)"
        if k else "not measured", k["peak_mb"] * 2 ** 20 < PEAK_MAX_BYTES_1E5 if k else None)
    if cli:
        add(f"`python -m retrieval ask` warm cache < {CLI_MAX_S:g} s (median of {cli['runs']})",
            f"{cli['warm_median_s']:.2f} s (max {cli['warm_max_s']:.2f} s)", cli["warm_median_s"] < CLI_MAX_S)
    return out


# --- outputs ---------------------------------------------------------------------------------------------------

def fmt(x, digits: int = 2) -> str:
    """Return a number for a table cell ('–' when missing)."""
    if x is None:
        return "–"
    if isinstance(x, float) and x >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}" if isinstance(x, float) else f"{x:,}"


def write_markdown(report: dict, path: Path) -> None:
    """Write results.md: the machine, the table, the ratios, the CLI timings, the targets, the method."""
    m, rows, cli = report["machine"], report["rows"], report.get("cli")
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    sizes = {s["size"]: s for s in report["sizes"]}
    L = ["# Kutip benchmarks", "",
         f"Command: `{report['command']}` — {report['started']}, {report['duration_s'] / 60:.1f} min in all; "
         f"core `retrieval/` version `{report['code_version']}`" +
         (" (**the core changed during the run**: `" + report["code_version_end"] + "` at the end; files: "
          + ", ".join(report.get("core_files_changed") or ["?"]) + ")"
          if report.get("code_version_end") != report["code_version"] else "") + ".", "",
         f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM; Python {m['python']} "
         f"({m['platform']}); {libs}.", "",
         "## Results", "",
         "Build: cold, in a fresh process after imports (Kutip: `Engine.build(folder, use_cache=False)`, "
         "reading the files; baselines: from the passages in memory). Latency: warm, each question timed alone. "
         "Peak: the process's RSS high-water mark (`ru_maxrss`), one process per row.", "",
         "| size | passages | system | build s | median ms | p95 ms | peak MB | CPU median ms | CPU p95 ms "
         "| questions |",
         "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        n = sizes.get(r["size"], {}).get("passages")
        if "error" in r:
            L.append(f"| {r['size']} | {fmt(n)} | {r['system']} | failed: {r['error']} | | | | | | |")
            continue
        q = f"{r['questions']} ({r['distinct_questions']} distinct)"
        L.append(f"| {r['size']} | {fmt(n)} | {r['system']} | {fmt(r['build_s'])} | {fmt(r['median_ms'])} | "
                 f"{fmt(r['p95_ms'])} | {fmt(r['peak_mb'], 0)} | {fmt(r.get('cpu_median_ms'))} | "
                 f"{fmt(r.get('cpu_p95_ms'))} | {q} |")
    loads = [x for r in rows for x in (r.get("load_before"), r.get("load_after")) if x is not None]
    busy = [r["busy_cores_before"] for r in rows if r.get("busy_cores_before") is not None]
    if loads:
        L += ["", f"Other work on the machine: 1-minute load average {min(loads):.2f}–{max(loads):.2f} around the "
              f"workers" + (f", {min(busy):.1f}–{max(busy):.1f} of {m['cores']} cores busy just before each "
                            f"started" if busy else "") +
              ". Where that is high, wall times are inflated: the CPU columns are the process's own CPU time."]
    L += ["", "Systems: " + "; ".join(f"**{k}** = {v}" for k, v in SYSTEM_NAMES.items()) + ".", ""]
    L += ["Sizes: " + "; ".join(
        f"**{s['size']}** = {fmt(s['passages'])} passages, {fmt(s['words'])} words "
        f"({fmt(s.get('distinct_words'))} distinct)"
        + (f", {fmt(s['files'])} files" if s.get("files") else "") for s in report["sizes"]) + ".", ""]
    L += ["Kutip details (build stages in s; units = sentences indexed; vocab = stemmed terms; longest "
          "silence = longest stretch of the build without a call of the core's `progress` callback; "
          "import = loading scikit-learn, which only building needs):", "",
          "| size | passages indexed | units | vocab | " + " | ".join(f"{k} s" for k in KUTIP_STAGES)
          + " | RSS before build MB | RSS after build MB | peak MB | longest silence s |",
          "|---|---:|---:|---:|" + "---:|" * len(KUTIP_STAGES) + "---:|---:|---:|---:|"]
    for r in rows:
        if r.get("system") == "kutip" and "error" not in r:
            st = r.get("build_stages_s", {})
            L.append(f"| {r['size']} | {fmt(r.get('indexed_passages'))} | {fmt(r.get('units'))} | "
                     f"{fmt(r.get('vocab'))} | " + " | ".join(fmt(st.get(k, 0.0)) for k in KUTIP_STAGES) + " | "
                     f"{fmt(r.get('rss_before_build_mb'), 0)} | {fmt(r.get('rss_after_build_mb'), 0)} | "
                     f"{fmt(r['peak_mb'], 0)} | {fmt(r.get('longest_silence_s'), 1)} |")
    if report.get("cli_error"):
        L += ["", "## End to end: `python -m retrieval ask`", "", f"Failed: {report['cli_error']}"]
    if cli:
        L += ["", "## End to end: `python -m retrieval ask`", "",
              f"Wall time of the whole subprocess (Python start-up included), question “{cli['question']}”, "
              f"default corpus, a cache folder of its own:", "",
              f"- warm cache: median **{cli['warm_median_s']:.2f} s** over {cli['runs']} runs "
              f"({', '.join(f'{x:.2f}' for x in cli['warm_runs_s'])})",
              f"- first run (cache empty, builds and writes it): {cli['first_run_s']:.2f} s; "
              f"`--no-cache`: median {cli['no_cache_median_s']:.2f} s",
              f"- of which bare `python -c pass`: {cli['python_startup_s']:.2f} s; "
              f"`import retrieval.engine, retrieval.present`: {cli['imports_s']:.2f} s",
              f"- CPU time (user + sys) of the child: warm `ask` median {cli['warm_cpu_median_s']:.2f} s, "
              f"imports alone {cli['imports_cpu_s']:.2f} s"]
    L += ["", "## Targets", "", "| target | measured | holds |", "|---|---|---|"]
    for t in report["targets"]:
        mark = {True: "yes", False: "**NO**", None: "not measured"}[t["holds"]]
        L.append(f"| {t['target']} | {t['measured']} | {mark} |")
    for prof in report.get("profiles", []):
        L += ["", f"## Profile of the per-question path: {prof['title']} ({prof['file']})", "",
              f"{prof['seconds']:.1f} s sampled ({prof['cpu_seconds']:.1f} s CPU). Kutip's functions by inclusive "
              "time, then the leaves by self time:", "",
              "| incl. % | self % | function |", "|---:|---:|---|"]
        L += [f"| {t['total_share'] * 100:.1f} | {t['self_share'] * 100:.1f} | `{t['function']}` |"
              for t in prof["kutip"][:12]]
        L += ["", "| self % | incl. % | function |", "|---:|---:|---|"]
        L += [f"| {t['self_share'] * 100:.1f} | {t['total_share'] * 100:.1f} | `{t['function']}` |"
              for t in prof["top"][:10]]
    L += ["", "## Method and caveats", "",
          "- One fresh subprocess per (size, system): imports first (not timed), then the cold build, "
          f"{WARMUP} untimed warm-up questions (IDK-MRC valid), then every question timed alone with "
          "`perf_counter_ns` (wall) and `process_time_ns` (CPU: not inflated when other processes take the "
          "CPU). Median and p95 (linear interpolation) over those timings.",
          "- Questions are the same for all three systems at a size: IDK-MRC train questions (a seeded sample, "
          "answerable and unanswerable) for idk and the generated sizes; dev.jsonl for the chapter, repeated "
          "to reach the count.",
          "- bm25s: defaults (`bm25s.tokenize` with its English stop words, `BM25()`), numpy backend; "
          "`show_progress=False` only on the per-question calls. TF-IDF: `TfidfVectorizer()` defaults, "
          "query = `transform` + `matrix @ q.T` + `argpartition` top 3.",
          "- Chapter: the baselines index the texts of the passages Kutip makes of `corpus/` (paragraphs, list "
          f"items, table rows, footnote entries). Generated sizes: {PER_FILE} paragraphs per .txt file, blank "
          "line between them; Kutip may join a few paragraphs that do not end a sentence (its `continues` rule), "
          "hence 'passages indexed' slightly below the count.",
          "- Generated corpora sample real sentences of IDK-MRC train+valid (" +
          (f"{fmt(pool[0])} distinct sentences" if (pool := [s["pool_sentences"] for s in report["sizes"]
                                                             if s.get("pool_sentences")]) else "the pool") +
          ") without replacement until the pool is used up (about 3,000 paragraphs), then reshuffle. Past "
          "that every sentence repeats, so the vocabulary stops growing (see the distinct words above): real "
          "text of 1e5 paragraphs would have several times more. Costs that grow with the vocabulary (Kutip's "
          "stemming of new words at build time, its character-n-gram variant search per question term) are "
          "therefore under-estimated at 1e4 and 1e5.",
          "- Peak memory: `ru_maxrss` of the worker (the parent stays small, so the fork does not inflate it); "
          "`/proc/self/status` VmHWM is kept beside it in results.json as a check. MB = MiB.",
          "- Progress: 'longest stretch without a call' is the longest time between two calls of the core's "
          "`progress` callback during `Engine.build` (or from the last call to the end). The runner adds its own "
          f"heartbeat line every {HEARTBEAT:g} s on stderr so a run never looks stuck, but that is not the core's "
          "progress: `python -m retrieval ... --progress` shows only what the callback gets."]
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


def plot(report: dict, path: Path) -> None:
    """Write scaling.png: median and p95 latency, and build time, against passages (log-log), one line per system."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    npass = {s["size"]: s["passages"] for s in report["sizes"]}
    rows = [r for r in report["rows"] if "error" not in r]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    colours = {"kutip": "tab:red", "bm25s": "tab:blue", "tfidf": "tab:green"}
    for system in SYSTEMS:
        rs = sorted((r for r in rows if r["system"] == system), key=lambda r: npass[r["size"]])
        if not rs:
            continue
        x = [npass[r["size"]] for r in rs]
        ax1.plot(x, [r["median_ms"] for r in rs], "o-", color=colours[system], label=f"{system} median")
        ax1.plot(x, [r["p95_ms"] for r in rs], "^--", color=colours[system], alpha=0.6, label=f"{system} p95")
        ax2.plot(x, [r["build_s"] for r in rs], "o-", color=colours[system], label=system)
    ax1.axhline(P95_MAX_MS_1E5, color="grey", lw=0.8, ls=":")
    ax1.text(max(npass.values()), P95_MAX_MS_1E5 * 1.08, "p95 target at 1e5: 100 ms",
             fontsize=8, color="grey", ha="right")
    ax2.axhline(BUILD_MAX_S["1e5"], color="grey", lw=0.8, ls=":")
    ax2.text(max(npass.values()), BUILD_MAX_S["1e5"] * 1.08, "build target at 1e5: 2 min", fontsize=8,
             color="grey", ha="right")
    for ax, title, unit in ((ax1, "Per-question latency (warm)", "ms"), (ax2, "Cold index build", "s")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("passages in the corpus (log)")
        ax.set_ylabel(f"{unit} (log)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        for size, n in npass.items():
            ax.annotate(size, (n, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", fontsize=7, ha="center", color="grey")
    fig.suptitle(f"Kutip vs bm25s vs TF-IDF — {report['machine']['cpu']}, {report['machine']['cores']} cores",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_outputs(report: dict, out: Path) -> None:
    """Write results.json, results.md and scaling.png into out."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_markdown(report, out / "results.md")
    plot(report, out / "scaling.png")


# --- command line ----------------------------------------------------------------------------------------------

def parse(argv: list[str] | None) -> argparse.Namespace:
    """Return the parsed arguments."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", help=f"comma-separated: chapter, idk, or a passage count such as 1e4 "
                                   f"(default {','.join(FULL_SIZES)}; --quick: {','.join(QUICK_SIZES)})")
    p.add_argument("--quick", action="store_true", help=f"small sizes and {QUICK_QUESTIONS} questions")
    p.add_argument("--questions", type=int, help=f"timed questions per size (default {QUESTIONS}, "
                                                 f"--quick {QUICK_QUESTIONS})")
    p.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of kutip,bm25s,tfidf")
    p.add_argument("--profile", help="comma-separated sizes whose Kutip worker also profiles its questions "
                                     "(default: chapter and the largest generated size run; 'none' to skip)")
    p.add_argument("--no-cli", action="store_true", help="skip the `python -m retrieval ask` timings")
    p.add_argument("--out", type=Path, default=OUT, help="where the results go (default benchmarks/)")
    p.add_argument("--keep", action="store_true", help="keep the temporary corpora")
    p.add_argument("--max-wait", type=float,
                   help=f"seconds to wait before each measurement while other processes keep ≥{QUIET_CORES:g} "
                        f"cores busy (default {QUIET_WAIT:g}, at most {QUIET_BUDGET:g} in all; 0: never wait)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--row-out", help=argparse.SUPPRESS)
    p.add_argument("--prepare", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, internally, one worker or one preparation)."""
    args = parse(argv)
    args.out = args.out.resolve()
    if args.worker:
        row = worker(json.loads(args.worker))
        Path(args.row_out).write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
        return 0
    if args.prepare:
        prepare(args.prepare, Path(args.data), args.questions)
        return 0
    if not DATASET.is_dir():
        raise SystemExit(f"IDK-MRC not found at {DATASET} (set KUTIP_SHARED to the shared/ folder)")
    sizes = [s.strip() for s in (args.sizes or ",".join(QUICK_SIZES if args.quick else FULL_SIZES)).split(",")
             if s.strip()]
    for s in sizes:
        size_count(s)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if unknown := set(systems) - set(SYSTEMS):
        raise SystemExit(f"unknown system(s): {', '.join(sorted(unknown))}")
    n_questions = args.questions or (QUICK_QUESTIONS if args.quick else QUESTIONS)
    generated = [s for s in sizes if size_count(s)]
    if args.profile:
        profiled = {s.strip() for s in args.profile.split(",")} - {"none", ""}
    else:
        profiled = {s for s in sizes if s == "chapter"} | ({max(generated, key=size_count)} if generated else set())
    per_wait = args.max_wait if args.max_wait is not None else QUIET_WAIT / (4 if args.quick else 1)
    quiet = Quiet(per_wait, QUIET_BUDGET / (6 if args.quick else 1) if per_wait else 0.0)
    started, t_start = time.strftime("%Y-%m-%d %H:%M:%S %Z"), time.perf_counter()
    version, files_before = code_version(), code_files()
    tmp = Path(tempfile.mkdtemp(prefix="kutip-bench-"))
    report = {"command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
              "started": started, "code_version": version, "questions": n_questions, "machine": machine(),
              "sizes": [], "rows": [], "profiles": []}
    report["command"] = report["command"].strip()
    try:
        total = len(sizes) * len(systems)
        done = 0
        for size in sizes:
            data = tmp / size
            t = time.perf_counter()
            log(f"[{size}] preparing data …")
            meta = run_prepare(size, data, n_questions)
            report["sizes"].append(meta)
            log(f"[{size}] {meta['passages']:,} passages, {meta['questions']} questions "
                f"({time.perf_counter() - t:.1f} s)")
            for system in systems:
                done += 1
                log(f"[{done}/{total}] {size} {system}: building and timing …")
                prof = args.out / f"profile-{size}.txt" if system == "kutip" and size in profiled else None
                busy = quiet.wait()
                row = run_worker(system, size, data, prof)
                row["busy_cores_before"] = busy
                if prof and "profile" in row:
                    report.setdefault("profiles", []).append(row.pop("profile"))
                report["rows"].append(row)
                if "error" in row:
                    log(f"    {size} {system}: FAILED ({row['error']})")
                else:
                    log(f"    {size} {system}: build {row['build_s']:.2f} s, median {row['median_ms']:.2f} ms, "
                        f"p95 {row['p95_ms']:.2f} ms, peak {row['peak_mb']:.0f} MB")
            if not args.keep:
                shutil.rmtree(data, ignore_errors=True)
        if not args.no_cli and "kutip" in systems:
            log("[cli] timing `python -m retrieval ask` end to end …")
            quiet.wait()
            try:
                report["cli"] = measure_cli(dev_questions()[0], tmp / "cache")
                log(f"    warm median {report['cli']['warm_median_s']:.2f} s")
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                log(f"    FAILED: {e}")
                report["cli_error"] = str(e)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"temporary corpora kept in {tmp}")
    report["code_version_end"], files_after = code_version(), code_files()
    report["core_files_changed"] = sorted(f for f in set(files_before) | set(files_after)
                                          if files_before.get(f) != files_after.get(f))
    report["waited_for_quiet_s"] = round(quiet.waited, 1)
    report["duration_s"] = round(time.perf_counter() - t_start, 1)
    report["targets"] = targets(report["rows"], report.get("cli"))
    write_outputs(report, args.out)
    log(f"wrote {args.out / 'results.md'}, results.json, scaling.png in {report['duration_s'] / 60:.1f} min")
    for t in report["targets"]:
        log(f"  {'ok ' if t['holds'] else '-- ' if t['holds'] is None else 'NO '} {t['target']}: {t['measured']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
