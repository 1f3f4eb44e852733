"""A cold start in a real browser (issue 29): a new server's first page says it is getting ready with its title."""
from __future__ import annotations

import time

from tests.test_browser import ANSWER_TIMEOUT_MS, browser, pytestmark, server  # noqa: F401 (fixtures: a new server)

POLL_SECONDS = 0.05


def test_a_cold_start_says_it_is_preparing_together_with_the_title(server, browser):
    page = browser.new_page()
    start = time.monotonic()
    page.goto(server)
    seen: dict[str, float] = {}
    while "ready" not in seen and time.monotonic() - start < ANSWER_TIMEOUT_MS / 1000:
        body = page.evaluate("document.body.innerText")
        for name, text in (("title", "Tanyakan isi bab ini"), ("preparing", "Menyiapkan Kutip…"),
                           ("ready", "Coba tanyakan")):
            if text in body and name not in seen:
                seen[name] = time.monotonic() - start
        time.sleep(POLL_SECONDS)
    assert {"title", "preparing", "ready"} <= set(seen), seen
    assert seen["preparing"] - seen["title"] <= 2 * POLL_SECONDS, seen    # drawn with the title, not after
    assert seen["preparing"] < seen["ready"], seen
    assert "Menyiapkan Kutip…" not in page.evaluate("document.body.innerText")   # gone once the engine is there
    page.close()
