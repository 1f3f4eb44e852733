"""Generated corpora of real Indonesian text: paragraphs of 3-8 sentences sampled from IDK-MRC contexts.

Sentences come from the IDK-MRC train + valid paragraphs, split at sentence ends; no word is made up.
They are drawn by walking through successive seeded shuffles of the whole sentence pool (without
replacement until the pool is used up, then a new shuffle), so the vocabulary grows as it does in real
text until the pool is exhausted (about 3,000 paragraphs; past that sentences repeat and the vocabulary stays
at the pool's).  Output is a deterministic function of (n, seed), and size n is the first n paragraphs of
any larger size with the same seed.

    python -m benchmarks.generate 10000 OUTDIR [--seed 13] [--per-file 100]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """Return the project's shared/ folder: $KUTIP_SHARED, else ../shared beside the repo, else /work/shared."""
    for candidate in (os.environ.get("KUTIP_SHARED"), ROOT.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "datasets" / "idk-mrc").is_dir():
            return Path(candidate)
    return ROOT.parent / "shared"


DATASET = shared_dir() / "datasets" / "idk-mrc"
SPLITS = ("train.json", "valid.json")
MIN_SENTENCES, MAX_SENTENCES = 3, 8
SEED = 13
# a sentence ends at . ! ? (then closing quotes/brackets and Wikipedia citation marks "[1]") before white
# space and a capital, digit or opening quote
_END = re.compile(r"(?<=[.!?])(?:['\"”’)]|\[\d+\])*(?=\s+['\"“‘(]?[A-Z0-9])")
# ... but not after a one-letter initial or a common abbreviation ("H. Agus", "dr. Soetomo", "No. 5")
_ABBREV = re.compile(r"(?:\b[A-Za-z]|\b(?:no|dr|drs|ir|prof|st|jl|kab|kec|hlm|dkk|dll|dsb|tgl|vol|mr|mrs|ms|pt|sdr)"
                     r"|\bs\.d)\.$", re.I)
_MIN_CHARS = 20


def split_sentences(text: str) -> list[str]:
    """Return the sentences of a paragraph (white space collapsed; fragments under 20 chars dropped)."""
    text = " ".join(text.split())
    out, start = [], 0
    for m in _END.finditer(text):
        if _ABBREV.search(text[start:m.start()]):
            continue
        out.append(text[start:m.end()])
        start = m.end()
    out.append(text[start:])
    return [s.strip() for s in out if len(s.strip()) >= _MIN_CHARS]


def load_paragraphs(split: str = "train.json", dataset: Path = DATASET) -> list[dict]:
    """Return the IDK-MRC paragraphs of one split: [{"context", "qas": [...]}, ...]."""
    return json.loads((Path(dataset) / split).read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def sentence_pool(dataset: Path = DATASET) -> tuple[str, ...]:
    """Return the distinct sentences of the train + valid contexts, in first-seen order."""
    seen: dict[str, None] = {}
    for split in SPLITS:
        for para in load_paragraphs(split, dataset):
            for s in split_sentences(para["context"]):
                seen.setdefault(s, None)
    return tuple(seen)


def generate(n: int, seed: int = SEED, dataset: Path = DATASET) -> list[str]:
    """Return n paragraphs of 3-8 real sentences each, the same for the same (n, seed)."""
    return [" ".join(sentences) for sentences in compose(n, seed, dataset)]


def compose(n: int, seed: int = SEED, dataset: Path = DATASET) -> list[list[str]]:
    """Return the sentences of n paragraphs (3-8 each), drawn through successive seeded shuffles of the pool."""
    pool = sentence_pool(dataset)
    rng = random.Random(seed)
    order: list[int] = []
    pos = 0
    out = []
    for _ in range(n):
        k = rng.randint(MIN_SENTENCES, MAX_SENTENCES)
        picked = []
        while len(picked) < k:
            if pos == len(order):                 # pool used up: start a new shuffle of it
                order = list(range(len(pool)))
                rng.shuffle(order)
                pos = 0
            picked.append(pool[order[pos]])
            pos += 1
        out.append(picked)
    return out


def write_corpus(paragraphs: list[str], folder: Path, per_file: int = 1) -> int:
    """Write paragraphs as .txt files (blank line between paragraphs, per_file each); return the file count."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for i in range(0, len(paragraphs), per_file):
        chunk = paragraphs[i:i + per_file]
        (folder / f"p{i // per_file:06d}.txt").write_text("\n\n".join(chunk) + "\n", encoding="utf-8")
        files += 1
    return files


def main(argv: list[str] | None = None) -> int:
    """Write a generated corpus folder."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    p.add_argument("n", type=lambda s: int(float(s)), help="number of paragraphs (e.g. 1e4)")
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--per-file", type=int, default=100)
    args = p.parse_args(argv)
    files = write_corpus(generate(args.n, args.seed), args.out, args.per_file)
    print(f"{args.n} paragraphs in {files} files -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
