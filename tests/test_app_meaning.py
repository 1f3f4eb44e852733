"""Answer first, meaning fills in: an upload past the embedding budget is searched by words while it is embedded."""
from __future__ import annotations

import re
import threading
import time

import pytest
from test_app import ask, docs, quotes, shown_text, start  # noqa: F401 - docs is a fixture

from retrieval import dense, userdocs
from ui import meaning

LAKE = ("Danau Kerinci di Zorbania berwarna hijau zamrud sepanjang tahun. "
        "Airnya dingin karena berasal dari mata air pegunungan. "
        "Para nelayan menangkap ikan semah di danau itu setiap pagi.")
MARSH = ("Rawa Lindur di Zorbania berwarna merah tembaga pada musim kemarau. "
         "Airnya hangat karena dialiri sungai dari gunung api. "
         "Para petani menanam padi lindur di tepi rawa itu.")


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_an_upload_past_the_budget_answers_by_words_at_once_then_by_meaning(docs, monkeypatch):
    if dense.load_model()[0] is None:
        pytest.skip("e5 model not loaded")
    monkeypatch.setenv("KUTIP_SHARED_LIBRARY", "1")
    monkeypatch.setattr(meaning, "BUDGET", 2)                 # three new sentences and their passage: over it
    go = threading.Event()                                    # the fill waits until the status line was seen
    real_fill = meaning.fill
    monkeypatch.setattr(meaning, "fill", lambda *a, **k: go.wait(60) and real_fill(*a, **k))
    userdocs.save_document("danau.txt", LAKE.encode())
    at = ask(start(), "Ikan apa yang ditangkap nelayan di Danau Kerinci?")
    assert any("ikan semah" in shown_text(q) for q in quotes(at))   # answered by words, right away
    shown = [c for c in captions(at) if c.startswith("Makna")]      # the status line, escaped Markdown
    assert re.fullmatch(r"Makna\\: [0-4]\\/4 kalimat baru — sementara Kutip menjawab dari kata\\-kata "
                        r"pertanyaan saja\\.", shown[0]) and len(shown) == 1
    [job] = [j for j in meaning._jobs().values() if j.total == 4]   # three sentences and their passage
    assert not job.finished
    go.set()
    deadline = time.time() + 300
    while not job.finished and time.time() < deadline:
        time.sleep(0.5)
    assert job.finished and job.error == "" and job.done == job.total == 4
    at.run()
    assert not at.exception
    assert not [c for c in captions(at) if c.startswith("Makna")]     # every sentence embedded: the full engine answers
    assert any("ikan semah" in shown_text(q) for q in quotes(at))


def test_an_upload_too_large_to_embed_is_searched_by_words_and_says_so(docs, monkeypatch):
    if dense.load_model()[0] is None:
        pytest.skip("e5 model not loaded")
    monkeypatch.setenv("KUTIP_SHARED_LIBRARY", "1")
    monkeypatch.setattr(meaning, "BUDGET", 0)
    monkeypatch.setattr(meaning, "MAX_FILL", 3)               # three new sentences and their passage: more
    started = []
    monkeypatch.setattr(meaning, "fill", lambda *a, **k: started.append(1) or 0)
    userdocs.save_document("rawa.txt", MARSH.encode())
    at = ask(start(), "Padi apa yang ditanam petani di Rawa Lindur?")
    assert any("padi lindur" in shown_text(q) for q in quotes(at))   # answered by words
    assert [c for c in captions(at) if "terlalu besar" in c] == [
        "Dokumen baru terlalu besar untuk dibaca maknanya \\(4 kalimat baru; paling banyak 3\\)\\: Kutip menjawab "
        "dari kata\\-kata pertanyaan saja\\."]
    at = ask(at, "Apa warna Rawa Lindur pada musim kemarau?")
    assert any("merah tembaga" in shown_text(q) for q in quotes(at)) and not at.exception
    assert started == []                                           # nothing embedded, nothing rebuilt for it
    [job] = [j for j in meaning._jobs().values() if j.too_large]
    assert job.total == 4 and job.done == 0 and job.finished
