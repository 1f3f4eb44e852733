"""Answer first, meaning fills in: an upload past the embedding budget is searched by words while it is embedded."""
from __future__ import annotations

import re
import time

import pytest
from test_app import ask, docs, quotes, shown_text, start  # noqa: F401 - docs is a fixture

from retrieval import dense, userdocs
from ui import meaning

LAKE = ("Danau Kerinci di Zorbania berwarna hijau zamrud sepanjang tahun. "
        "Airnya dingin karena berasal dari mata air pegunungan. "
        "Para nelayan menangkap ikan semah di danau itu setiap pagi.")


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_an_upload_past_the_budget_answers_by_words_at_once_then_by_meaning(docs, monkeypatch):
    if dense.load_model()[0] is None:
        pytest.skip("e5 model not loaded")
    monkeypatch.setenv("KUTIP_SHARED_LIBRARY", "1")
    monkeypatch.setattr(meaning, "BUDGET", 2)                 # three new sentences and their passage: over it
    userdocs.save_document("danau.txt", LAKE.encode())
    at = ask(start(), "Ikan apa yang ditangkap nelayan di Danau Kerinci?")
    assert any("ikan semah" in shown_text(q) for q in quotes(at))   # answered by words, right away
    shown = [c for c in captions(at) if c.startswith("Makna")]      # the status line, escaped Markdown
    assert re.fullmatch(r"Makna\\: [0-4]\\/4 kalimat baru — sementara Kutip menjawab dari kata\\-kata "
                        r"pertanyaan saja\\.", shown[0]) and len(shown) == 1
    [job] = [j for j in meaning._jobs().values() if j.total == 4]   # three sentences and their passage
    deadline = time.time() + 300
    while not job.finished and time.time() < deadline:
        time.sleep(0.5)
    assert job.finished and job.error == "" and job.done == job.total == 4
    at.run()
    assert not at.exception
    assert not [c for c in captions(at) if c.startswith("Makna")]     # every sentence embedded: the full engine answers
    assert any("ikan semah" in shown_text(q) for q in quotes(at))
