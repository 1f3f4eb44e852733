"""Speed and scale of Kutip's full answer path (TF-IDF fused with e5 vectors) against bm25s, TF-IDF and e5+bm25s.

    python -m benchmarks.run [--sizes chapter,idk,1e4,1e5] [--quick] [--questions N] [--systems ...]

For each size and system a fresh subprocess, with an empty cache folder of its own, builds the index cold
(Kutip: a first build, embeddings included, with the core's progress callback timed stage by stage),
answers warm-up questions, then times every question one by one; it reports its own RSS high-water mark,
so numbers never pollute each other.  Systems that embed the whole corpus (kutip, e5rrf) run by default
up to IDK-MRC train; at the generated sizes Kutip runs with its dense stage off (kutip-lex), and
benchmarks/dense_scale.py gives the dense stage's measured rates and the bound at 10^5 passages.  Also
timed: `python -m retrieval ask` end to end with a warm cache, and a pyinstrument profile of Kutip's
per-question path.  Writes benchmarks/results.md, results.json, scaling.png (and profile-<size>.txt);
progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .config import (
    CLI_RUNS,
    DENSE_SAMPLE_UNITS,
    EMBED_MAX_PASSAGES,
    FULL_SIZES,
    OUT,
    PER_FILE,
    QUESTIONS,
    QUICK_QUESTIONS,
    QUICK_SIZES,
    QUIET_BUDGET,
    QUIET_CORES,
    QUIET_WAIT,
    SEED,
    SYSTEMS,
    UNITS_PER_PASSAGE,
    WARMUP,
    WORKER_TIMEOUT,
)
from .generate import DATASET, ROOT, generate, load_paragraphs, sentence_pool, shared_dir, write_corpus
from .machine import code_files, code_version, machine
from .measure import log, measure, percentile, worker  # noqa: F401  (measure, percentile: used by the tests)
from .report import readme_table, targets, write_outputs

_WORD = re.compile(r"[^\W\d_]+")   # a run of letters: what "distinct words" counts
NO_DENSE = "KUTIP_NO_DENSE"          # retrieval.dense.ENV_OFF, named here so the parent never imports the core
CACHE_ENV = "KUTIP_CACHE_DIR"        # retrieval.cache.ENV


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

def dev_questions(names: tuple[str, ...] = ("dev.jsonl", "dev2.jsonl")) -> list[str]:
    """Return the distinct questions of the chapter's eval sets (shared/eval/): dev, then dev2 (slang, English)."""
    qs: list[str] = []
    for name in names:
        path = shared_dir() / "eval" / name
        if path.is_file():
            qs += [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(qs))


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
    chapter: corpus/ as is, the baselines get the passages Kutip makes of it, dev + dev2 questions repeated;
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


# --- the parent: one subprocess per measurement --------------------------------------------------------------

def run_module(args: list[str], timeout: float, env: dict[str, str] | None = None,
               module: str = "benchmarks.run") -> subprocess.CompletedProcess:
    """Run `python -m MODULE ARGS` from the repo root (env: extra variables); stderr goes straight to ours."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {}))
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, timeout=timeout,
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
    """Measure one system on one prepared size in a fresh subprocess with an empty cache; return its row."""
    spec = {"system": system, "size": size, "data": str(data), "profile": str(profile_to) if profile_to else None}
    out = data / f"row-{system}.json"
    out.unlink(missing_ok=True)
    cache = data / f"cache-{system}"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    env = {CACHE_ENV: str(cache), NO_DENSE: "1" if system == "kutip-lex" else "0"}
    try:
        proc = run_module(["--worker", json.dumps(spec), "--row-out", str(out)], timeout, env)
        if proc.returncode == 0 and out.exists():
            return json.loads(out.read_text(encoding="utf-8"))
        error = f"worker exited {proc.returncode}"
    except subprocess.TimeoutExpired:
        error = f"timed out after {timeout:.0f} s"
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"system": system, "size": size, "error": error}


def run_prepare(size: str, data: Path, n_questions: int) -> dict:
    """Prepare one size's data in a subprocess (dense stage off: it only needs the chapter's passages)."""
    proc = run_module(["--prepare", size, "--data", str(data), "--questions", str(n_questions)], WORKER_TIMEOUT,
                      {NO_DENSE: "1", CACHE_ENV: str(data / "cache-prepare")})
    if proc.returncode != 0:
        raise SystemExit(f"preparing {size} failed (exit {proc.returncode})")
    return json.loads((data / "meta.json").read_text(encoding="utf-8"))


def run_dense_scale(folder: Path, sample: int, units_per_passage: float, quick: bool) -> dict:
    """Run benchmarks/dense_scale.py in a subprocess; return its figures (or an error)."""
    out = folder / "dense.json"
    args = ["--sample", str(sample), "--units-per-passage", f"{units_per_passage:.3f}", "--json", str(out)]
    if quick:
        args += ["--units", "1e4", "--passages", "0", "--queries", "10"]
    try:
        proc = run_module(args, WORKER_TIMEOUT, {CACHE_ENV: str(folder / "cache-dense"), NO_DENSE: "0"},
                          module="benchmarks.dense_scale")
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT} s"}
    if proc.returncode != 0 or not out.exists():
        return {"error": f"dense_scale exited {proc.returncode}"}
    return json.loads(out.read_text(encoding="utf-8"))


def measure_cli(question: str, cache: Path, runs: int = CLI_RUNS) -> dict:
    """Time `python -m retrieval ask QUESTION` end to end (wall, incl. start-up): warm cache, cold, imports only."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{CACHE_ENV: str(cache)})

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
    imp_cmd = "-c import retrieval.engine, retrieval.render"
    imp = [wall(imp_cmd.split(" ", 1)) for _ in range(runs)]

    def r(xs: list[float]) -> float:
        return round(statistics.median(xs), 3)
    return {"question": question, "runs": runs, "warm_median_s": r(warm), "warm_max_s": round(max(warm), 3),
            "warm_min_s": round(min(warm), 3),
            "warm_runs_s": [round(x, 3) for x in warm], "first_run_s": round(first, 3),
            "no_cache_median_s": r(cold), "python_startup_s": r(bare), "imports_s": r(imp),
            "warm_cpu_median_s": r(cpu[" ".join(ask)][1:]), "imports_cpu_s": r(cpu[imp_cmd])}


def default_systems(passages: int, embed_max: int) -> list[str]:
    """Return the systems run by default on a corpus of this many passages (embedding ones up to embed_max)."""
    if passages <= embed_max:
        return ["kutip", "bm25s", "tfidf", "e5rrf"]
    return ["kutip-lex", "bm25s", "tfidf"]


def units_per_passage(rows: list[dict]) -> tuple[float, str]:
    """Return Kutip's units per passage at the largest size measured, and that size (the fallback if none)."""
    kutip = [r for r in rows if r.get("system", "").startswith("kutip") and r.get("units") and
             r.get("indexed_passages")]
    if not kutip:
        return UNITS_PER_PASSAGE, "the 1e5 run of 2026-11-29"
    big = max(kutip, key=lambda r: r["indexed_passages"])
    return big["units"] / big["indexed_passages"], f"{big['size']} ({big['system']})"


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Return the parsed arguments."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", help=f"comma-separated: chapter, idk, or a passage count such as 1e4 "
                                   f"(default {','.join(FULL_SIZES)}; --quick: {','.join(QUICK_SIZES)})")
    p.add_argument("--quick", action="store_true", help=f"small sizes and {QUICK_QUESTIONS} questions")
    p.add_argument("--questions", type=int, help=f"timed questions per size (default {QUESTIONS}, "
                                                 f"--quick {QUICK_QUESTIONS})")
    p.add_argument("--systems", help=f"comma-separated subset of {','.join(SYSTEMS)}, run at every size (default: "
                                     f"kutip, bm25s, tfidf, e5rrf up to --embed-max passages; kutip-lex, bm25s, "
                                     f"tfidf above)")
    p.add_argument("--embed-max", type=int, default=EMBED_MAX_PASSAGES,
                   help=f"largest corpus the embedding systems run on by default (default {EMBED_MAX_PASSAGES})")
    p.add_argument("--dense-sample", type=int, default=DENSE_SAMPLE_UNITS,
                   help=f"sentences embedded to measure the dense stage's rate (default {DENSE_SAMPLE_UNITS}; "
                        f"0: skip benchmarks/dense_scale.py)")
    p.add_argument("--profile", help="comma-separated sizes whose Kutip worker also profiles its questions "
                                     "(default: chapter, idk and the largest generated size run; 'none' to skip)")
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
    chosen = [s.strip() for s in args.systems.split(",") if s.strip()] if args.systems else None
    if unknown := set(chosen or ()) - set(SYSTEMS):
        raise SystemExit(f"unknown system(s): {', '.join(sorted(unknown))}")
    n_questions = args.questions or (QUICK_QUESTIONS if args.quick else QUESTIONS)
    generated = [s for s in sizes if size_count(s)]
    if args.profile:
        profiled = {s.strip() for s in args.profile.split(",")} - {"none", ""}
    else:
        largest = {max(generated, key=size_count)} if generated else set()
        profiled = {s for s in sizes if s in ("chapter", "idk")} | largest
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
        for i, size in enumerate(sizes, 1):
            data = tmp / size
            t = time.perf_counter()
            log(f"[{size}] preparing data …")
            meta = run_prepare(size, data, n_questions)
            report["sizes"].append(meta)
            log(f"[{size}] {meta['passages']:,} passages, {meta['questions']} questions "
                f"({time.perf_counter() - t:.1f} s)")
            for system in chosen or default_systems(meta["passages"], args.embed_max):
                log(f"[size {i}/{len(sizes)}] {size} {system}: building and timing …")
                prof = args.out / f"profile-{size}.txt" if system.startswith("kutip") and size in profiled else None
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
        if args.dense_sample > 0:
            log("[dense] embedding rate, question embedding, product at 1e4/1e5 units (synthetic vectors) …")
            quiet.wait()
            ratio, source = units_per_passage(report["rows"])
            report["dense"] = run_dense_scale(tmp, args.dense_sample, ratio, args.quick)
            report["dense"]["units_per_passage_from"] = source
            log(f"    {report['dense'].get('error') or 'done'}")
        if not args.no_cli and any(r["system"] == "kutip" for r in report["rows"]):
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
    report["targets"] = targets(report["rows"], report.get("cli"), report.get("dense"))
    write_outputs(report, args.out)
    log(f"wrote {args.out / 'results.md'}, results.json, scaling.png in {report['duration_s'] / 60:.1f} min")
    log("README table:\n" + readme_table(report))
    for t in report["targets"]:
        mark = {True: "ok ", False: "NO ", None: "-- ", "bound": "~  "}[t["holds"]]
        log(f"  {mark} {t['target']}: {t['measured']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
