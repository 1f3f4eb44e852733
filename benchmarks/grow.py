"""A corpus that grows: IDK-MRC train built cold, then one paragraph added and removed, answered again each time.

    PYTHONPATH=. python -m benchmarks.grow [--corpus DIR]

Writes IDK-MRC train as a corpus (one .txt per paragraph, as benchmarks.run does) unless --corpus is given; with a
cache folder of its own, builds it cold (texts embedded a second), then adds one new paragraph and times building
again and answering a question only it answers, removes it and times the same; then does both again with another
paragraph through `python -m retrieval ask` in a new process each time.  Prints and writes benchmarks/grow.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retrieval import Engine

from .generate import load_paragraphs, write_corpus

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "grow.json"
NEW = {"a": ("Danau Kerinci di Zorbania berwarna hijau zamrud sepanjang tahun karena ganggang yang hidup di dasarnya.",
             "Apa warna Danau Kerinci di Zorbania?", "hijau zamrud"),
       "b": ("Menara Lindur di Zorbania dibangun oleh tujuh belas tukang batu pada tahun 1888.",
             "Siapa yang membangun Menara Lindur?", "tujuh belas tukang batu")}


def timed_build(corpus: Path, cache: Path) -> tuple[Engine, float]:
    """Return the engine of corpus and the seconds its build (or load) took."""
    t = time.perf_counter()
    engine = Engine.build(corpus, cache_dir=cache)
    return engine, time.perf_counter() - t


def first_quote(engine: Engine, question: str) -> str:
    """Return the first quote's text ('' when it abstains)."""
    answer = engine.ask(question)
    return "" if answer.abstained or not answer.quotes else answer.quotes[0].text


def cli_ask(corpus: Path, cache: Path, question: str) -> tuple[str, float]:
    """Return the first quote of `python -m retrieval ask --json` in a new process, and its wall seconds."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "retrieval", "ask", question, "--json", "--corpus", str(corpus)],
                          cwd=ROOT, env={**os.environ, "KUTIP_CACHE_DIR": str(cache)}, capture_output=True,
                          text=True, timeout=3600, check=True)
    seconds = time.perf_counter() - t
    passages = json.loads(done.stdout).get("passages") or [{}]
    return passages[0].get("text", ""), seconds


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print it."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, help="a corpus folder (default: IDK-MRC train, written to a temp folder)")
    p.add_argument("--cache", type=Path, help="the cache folder (default: a new, empty one)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus"
        if args.corpus is None:
            write_corpus([q["context"] for q in load_paragraphs("train.json")], corpus, per_file=1)
        cache = args.cache or Path(tmp) / "cache"
        stages: dict[str, float] = {}
        t = time.perf_counter()
        engine = Engine.build(corpus, cache_dir=cache,
                              progress=lambda stage, done, total: stages.setdefault(stage, time.perf_counter() - t))
        cold = time.perf_counter() - t
        texts = 0 if engine.vectors is None else len(engine.vectors)
        out: dict = {"corpus": str(args.corpus or "IDK-MRC train"), "passages": len(engine.passages),
                     "texts_embedded": texts, "cold_build_s": round(cold, 1),
                     "stage_started_s": {k: round(v, 1) for k, v in stages.items()}}
        text, question, words = NEW["a"]
        new = corpus / "zz-baru-a.txt"
        new.write_text(text + "\n", encoding="utf-8")
        engine, add = timed_build(corpus, cache)
        out["add_s"], out["add_answers"] = round(add, 2), words in first_quote(engine, question)
        new.unlink()
        engine, remove = timed_build(corpus, cache)
        out["remove_s"], out["remove_answers_without_it"] = round(remove, 2), words not in first_quote(engine, question)
        text, question, words = NEW["b"]
        new = corpus / "zz-baru-b.txt"
        new.write_text(text + "\n", encoding="utf-8")
        quote, seconds = cli_ask(corpus, cache, question)
        out["cli_add_s"], out["cli_add_answers"] = round(seconds, 2), words in quote
        new.unlink()
        quote, seconds = cli_ask(corpus, cache, question)
        out["cli_remove_s"], out["cli_remove_answers_without_it"] = round(seconds, 2), words not in quote
        out["add_share_of_cold"] = round(add / cold, 4)
        out["measured"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
