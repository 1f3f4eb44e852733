"""Time a large upload in a real browser: the uploader's first answer from it, and another session meanwhile.

    python -m benchmarks.upload_latency [--megabytes 20 | --kilobytes K] [--fresh]

Starts `streamlit run app.py` on 127.0.0.1 with a cache folder of its own and opens two browser contexts (two
Streamlit sessions) on the shipped chapter.  Session A uploads a .txt of real Indonesian paragraphs
(benchmarks.generate, IDK-MRC sentences) of the upload limit's size (or --kilobytes), whose last line is a fact
found nowhere else, and asks about that fact as soon as the page shows the upload's status line; session B asks
chapter questions one after another the whole time (--fresh: each in a wording not asked before, so that its vector
is new to the e5 model, as a student's next question is; otherwise four questions in turn, their vectors memoised).
Prints and writes to benchmarks/upload-latency.json: seconds from choosing the file to A's first answer quoting
the fact, and B's answer times while A's upload is read, indexed and embedded.
Needs /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .app_latency import CHROMIUM, CHROMIUM_ARGS, ask_in_chat, fresh_question, start, stop
from .generate import generate

OUT = Path(__file__).resolve().parent / "upload-latency.json"
FACT = "Danau Kerinci di Zorbania berwarna hijau zamrud sepanjang tahun."
FACT_QUESTION = "Apa warna Danau Kerinci di Zorbania?"
FACT_WORDS = "hijau zamrud"
OTHER_QUESTIONS = ("Kapan MoU Batam dan Gimje ditandatangani?", "Apa itu sister city?",
                   "Berapa penghasilan Shenzhen pada tahun 2011?", "Siapa walikota Gimje?")
STATUS = ("Makna", "Dokumen baru terlalu besar")       # the status line an upload's engine shows when it is ready
TIMEOUT_MS = 600_000


def write_upload(path: Path, megabytes: float) -> int:
    """Write real paragraphs up to the size and the fact as the last line; return the size in bytes.  A megabyte is
    10^6 bytes here, as Streamlit's uploader counts it in a browser on Linux (20 MiB: "File must be 20.0MB or
    smaller", never sent)."""
    limit = int(megabytes * 1_000_000) - len(FACT.encode()) - 2
    n, full = 2000, False
    while not full:
        parts, size, n = [], 0, n * 2
        for p in generate(n):
            b = len(p.encode("utf-8")) + 2
            full = size + b > limit
            if full:
                break
            parts.append(p)
            size += b
    path.write_text("\n\n".join(parts) + "\n\n" + FACT + "\n", encoding="utf-8")
    return path.stat().st_size


def ask(page, question: str) -> float:
    """Ask on a page; return seconds from Enter until the new answer shows a quote."""
    return ask_in_chat(page, question, TIMEOUT_MS)


def status_shown(page) -> bool:
    """Tell whether the page shows the upload's status line (its engine answers)."""
    captions = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    return any(c.startswith(STATUS) for c in captions)


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print it."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--megabytes", type=int, default=20)
    p.add_argument("--kilobytes", type=int, help="the upload's size in kB instead (a small upload's meaning is "
                                                  "filled in in the server process)")
    p.add_argument("--fresh", action="store_true", help="the other session's questions are each new to the model")
    args = p.parse_args(argv)


    def other_question(k: int) -> str:
        """Return the other session's k-th question (--fresh: with chat words after it, new for 288 questions)."""
        return fresh_question(OTHER_QUESTIONS, k) if args.fresh else OTHER_QUESTIONS[k % len(OTHER_QUESTIONS)]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        upload = Path(tmp) / "besar.txt"
        size = write_upload(upload, args.kilobytes / 1000 if args.kilobytes else args.megabytes)
        env = {**os.environ, "KUTIP_CACHE_DIR": f"{tmp}/cache", "KUTIP_USER_DOCS": f"{tmp}/documents"}
        for key in ("KUTIP_CORPUS", "KUTIP_SHARED_LIBRARY"):
            env.pop(key, None)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            proc, url = start(env)
            try:
                a, b = browser.new_context().new_page(), browser.new_context().new_page()
                for page in (a, b):
                    page.goto(url)
                    page.locator('[data-testid="stChatInputTextArea"]').wait_for(timeout=TIMEOUT_MS)
                ask(b, OTHER_QUESTIONS[0])                         # the shared engine is built and warm
                others: list[float] = []
                asked_at: list[float] = []                         # when each of those questions was asked
                t0 = time.perf_counter()
                a.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
                chosen = time.perf_counter() - t0
                k = 0
                while not status_shown(a):
                    asked_at.append(time.perf_counter() - t0)
                    others.append(ask(b, other_question(k)))
                    k += 1
                    if time.perf_counter() - t0 > TIMEOUT_MS / 1000:
                        raise SystemExit("the upload's engine was not ready in time")
                ready = time.perf_counter() - t0
                ask(a, FACT_QUESTION)
                a.locator(".kutip-quote", has_text=FACT_WORDS).first.wait_for(timeout=TIMEOUT_MS)
                first_answer = time.perf_counter() - t0
                for _ in range(6):                                  # the meaning is still filled in meanwhile
                    asked_at.append(time.perf_counter() - t0)
                    others.append(ask(b, other_question(k)))
                    k += 1
                status = [c for c in a.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
                          if c.startswith(STATUS)]
            finally:
                stop(proc)
            browser.close()
    summary = {"upload_bytes": size, "fresh_questions": args.fresh, "file_chosen_s": round(chosen, 2),
               "engine_ready_s": round(ready, 2),
               "first_answer_s": round(first_answer, 2), "status_line": status[:1],
               "other_session_answers": len(others), "other_session_median_s": round(statistics.median(others), 3),
               "other_session_max_s": round(max(others), 3),
               "other_session_slowest": [{"asked_at_s": round(t, 2), "answer_s": round(s, 3)} for s, t in
                                         sorted(zip(others, asked_at), reverse=True)[:3]],
               "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    OUT.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"upload of {size:,} bytes: engine ready {ready:.1f} s, first answer from it {first_answer:.1f} s "
          f"after choosing the file; the other session: {len(others)} answers, median "
          f"{summary['other_session_median_s']:.2f} s, max {summary['other_session_max_s']:.2f} s")
    print(f"status line: {status[:1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
