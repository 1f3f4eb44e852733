"""Time the app in a real browser: page load, then the first question's answer on the page.

    python -m benchmarks.app_latency [--runs 5]

Starts `streamlit run app.py` on 127.0.0.1 with a cache folder of its own, warms the disk cache once,
then restarts the server (so its in-memory cache is empty, as after a reboot) and, for each run, opens a
fresh browser page (a new Streamlit session), waits for the chat box, asks one question and waits for the
first quote.  Prints the timings and writes them to benchmarks/app-latency.json.  Needs /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "app-latency.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
QUESTION = "Kapan MoU Batam dan Gimje ditandatangani?"
TIMEOUT_MS = 60_000


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start the app and wait until its health endpoint answers; return the process and its URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
           "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("streamlit did not start in 90 s")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


CHAT_FILLERS = ("ya", "sih", "dong", "nih", "deh", "kah", "gitu", "tuh")   # words a student tacks on
WORDINGS = tuple((f"{a} {b}" if a else b) for a in ("", *CHAT_FILLERS) for b in CHAT_FILLERS)


def fresh_question(questions: tuple[str, ...], k: int) -> str:
    """Return the k-th of questions asked in turn, with one or two chat words before its question mark: new for
    72 x len(questions) turns (for the chapter's questions of the benchmarks, every wording is answered: checked)."""
    question = questions[k % len(questions)]
    return f"{question[:-1]} {WORDINGS[k // len(questions) % len(WORDINGS)]}?"


# a question on the page: a recent turn's (a chat message) or an older turn's (in the one HTML block)
ASKED = '[data-testid="stChatMessageAvatarUser"], .kutip-old-q'


def ask_in_chat(page, question: str, timeout_ms: int = TIMEOUT_MS, answer: str = ".kutip-quote") -> float:
    """Ask on a page; return seconds from Enter until the page holds one question more, the last two messages are
    this question and an answer holding an element matching `answer` (a rerun draws the page top down over the last
    one's elements, so until it ends the last messages can be an earlier turn's)."""
    box = page.locator('[data-testid="stChatInputTextArea"]')
    n = page.locator(ASKED).count()
    box.fill(question)
    t0 = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        "([n, asked, q, sel]) => { const m = document.querySelectorAll('[data-testid=stChatMessage]');"
        " return document.querySelectorAll(asked).length > n && m.length > 1"
        " && m[m.length - 2].innerText.includes(q) && m[m.length - 1].querySelector(sel) !== null; }",
        arg=[n, ASKED, question.strip(), answer], timeout=timeout_ms, polling=5)
    return time.perf_counter() - t0


def one_run(browser, url: str) -> dict[str, float]:
    """Open a fresh page, ask once; return seconds to the chat box and from Enter to the first quote."""
    page = browser.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        box = page.locator('[data-testid="stChatInputTextArea"]')
        box.wait_for(timeout=TIMEOUT_MS)
        t1 = time.perf_counter()
        box.fill(QUESTION)
        box.press("Enter")
        page.locator(".kutip-quote").first.wait_for(timeout=TIMEOUT_MS)
        t2 = time.perf_counter()
        return {"page_ready_s": round(t1 - t0, 3), "first_answer_s": round(t2 - t1, 3)}
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print it."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KUTIP_CACHE_DIR": f"{tmp}/cache", "KUTIP_USER_DOCS": f"{tmp}/documents"}
        env.pop("KUTIP_CORPUS", None)
        rows = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            proc, url = start(env)                     # first start: builds the index, writes the disk cache
            try:
                one_run(browser, url)
            finally:
                stop(proc)
            proc, url = start(env)                     # restarted server: disk cache warm, memory cold
            try:
                for k in range(args.runs):
                    rows.append({"run": k + 1, "server_session": "first" if k == 0 else "later",
                                 **one_run(browser, url)})
            finally:
                stop(proc)
            browser.close()
    answer = [r["first_answer_s"] for r in rows]
    summary = {"question": QUESTION, "runs": rows, "first_answer_median_s": statistics.median(answer),
               "first_answer_max_s": max(answer), "first_session_first_answer_s": rows[0]["first_answer_s"],
               "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    OUT.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for r in rows:
        print(f"run {r['run']} ({r['server_session']} session): page ready {r['page_ready_s']:.2f} s, "
              f"first answer {r['first_answer_s']:.2f} s after Enter")
    print(f"first answer: median {summary['first_answer_median_s']:.2f} s, max {summary['first_answer_max_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
