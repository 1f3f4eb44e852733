"""Time a long conversation in a real browser: Enter -> the new answer's first quote, turn after turn.

    python -m benchmarks.turn_latency [--turns 31]

Starts `streamlit run app.py` (as benchmarks.app_latency does), asks four questions in turn TURNS times in one page,
each time in a new wording (app_latency.fresh_question: the same four words again hid the growth), and prints the
median latency of turns 2-6 and of the last five, and the growth per earlier turn.  Answers already shown are kept
in the session (not asked again), so what grows is only the drawing of the earlier turns.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from benchmarks.app_latency import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, ask_in_chat, fresh_question, start, stop

QUESTIONS = ("Kapan MoU Batam dan Gimje ditandatangani?", "Berapa penghasilan Shenzhen pada tahun 2011?",
             "Festival apa yang ada di kota Gimje?", "Apa kepanjangan OKI?")
QUOTE = ".kutip-quote, blockquote"    # the first quote of an answer (blockquote: the app before ui/)
PAUSE_MS = 300                        # between turns, as a reader would


def conversation(url: str, turns: int) -> list[float]:
    """Return the milliseconds from Enter to the new answer's first quote, for each turn of one page."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(url)
        box = page.locator('[data-testid="stChatInputTextArea"]')
        box.wait_for(timeout=TIMEOUT_MS)
        times = []
        for k in range(turns):
            seconds = ask_in_chat(page, fresh_question(QUESTIONS, k), answer=QUOTE)
            times.append(seconds * 1000)
            page.wait_for_timeout(PAUSE_MS)
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    """Run one long conversation and print the figures."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--turns", type=int, default=31)
    opts = args.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KUTIP_CACHE_DIR": os.environ.get("KUTIP_CACHE_DIR", tmp), "TMPDIR": tmp,
               "KUTIP_USER_DOCS": tmp}
        proc, url = start(env)
        try:
            times = conversation(url, opts.turns)
        finally:
            stop(proc)
    first, last = statistics.median(times[1:6]), statistics.median(times[-5:])
    print(f"turns 2-6 median {first:.0f} ms, last 5 median {last:.0f} ms, "
          f"{(last - first) / (opts.turns - 6):.2f} ms per earlier turn ({opts.turns} turns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
