"""Training windows for the reader: a question, a quote-sized run of sentences of its paragraph, and the answer's
character spans in it (none: no answer), from splits in SQuAD 2.0 shape (IDK-MRC and TyDiQA-id train, the first
half of trans-SQuAD).

    python scripts/reader/windows.py [--hold-out DIR] OUT.json ../shared/datasets/tydiqa-id/train.json \
        ../shared/datasets/idk-mrc/train.json [../shared/datasets/trans-squad/valid.json:first-half]

A split written PATH:first-half gives only the first half of its paragraphs, in file order: the half of trans-SQuAD
that fitting may use (fit.trap_half); its second half is where Kutip is checked.

Each answerable question gives the run of sentences holding its first answer, grown at random to 0-420 characters
(Kutip's first quotes are about 320), and with probability one half a sentence without any answer (half of those
the sentence sharing most words with the question, half any); each unanswerable question (IDK-MRC, trans-SQuAD)
gives the sentence of its paragraph sharing most words with it.

With `--hold-out DIR`, one paragraph in five (by the hash of its text) gives no windows and is written to
DIR/<split folder>.json instead, so the reader's threshold can be fitted on questions it never saw.
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval.qadata import file_name, paragraphs  # noqa: E402
from retrieval.structure import split_sentences  # noqa: E402

MAX_CHARS = 420
SEED = 7
HELD_OUT = 5        # one paragraph in this many is held out
FIRST_HALF = ":first-half"


def held_out(context: str) -> bool:
    """Tell whether a paragraph belongs to the held-out part (a fixed fifth, by the hash of its text)."""
    return int(file_name(context)[1:13], 16) % HELD_OUT == 0


def words(text: str) -> set[str]:
    """Return the lower-cased words of a text."""
    return set(re.findall(r"\w+", text.lower()))


def closest(text: str, spans, question: str, rng: random.Random) -> tuple[int, int]:
    """Return the sentence sharing most words with the question (ties at random)."""
    asked = words(question)
    return max(spans, key=lambda se: (len(asked & words(text[se[0]:se[1]])), rng.random()))


def holding(spans, start: int, end: int, rng: random.Random) -> tuple[int, int] | None:
    """Return a run of sentences holding [start, end), grown left or right at random to a drawn size."""
    i = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
    if i is None:
        return None
    j = i
    while spans[j][1] < end and j + 1 < len(spans):
        j += 1
    target = rng.choice([0, 150, 250, 350, MAX_CHARS])
    while spans[j][1] - spans[i][0] < target:
        sides = (["l"] if i > 0 else []) + (["r"] if j + 1 < len(spans) else [])
        if not sides:
            break
        if rng.choice(sides) == "l":
            i -= 1
        else:
            j += 1
    return spans[i][0], spans[j][1]


def windows(paras: list[dict], src: str, rng: random.Random) -> list[dict]:
    """Return the paragraphs' windows: {"q", "w", "a": [(start, end) in w], "src"}."""
    out = []
    for para in paras:
        text = para["context"]
        spans = split_sentences(text)
        for qa in para["qas"]:
            q = qa["question"]
            answers = [(a["answer_start"], a["answer_start"] + len(a["text"])) for a in qa.get("answers", [])
                       if text[a["answer_start"]:a["answer_start"] + len(a["text"])] == a["text"]]
            if answers:
                run = holding(spans, *answers[0], rng)
                if run:
                    s, e = run
                    inside = [(a - s, b - s) for a, b in answers if s <= a and b <= e]
                    out.append({"q": q, "w": text[s:e], "a": inside, "src": src})
                free = [(s, e) for s, e in spans if not any(s <= a < e or s < b <= e for a, b in answers)]
                if rng.random() < 0.5 and free:
                    s, e = closest(text, free, q, rng) if rng.random() < 0.5 else rng.choice(free)
                    out.append({"q": q, "w": text[s:e], "a": [], "src": "no answer in window"})
            elif not qa.get("answers") and spans:
                s, e = closest(text, spans, q, rng)
                out.append({"q": q, "w": text[s:e], "a": [], "src": "unanswerable"})
    return out


def main(argv: list[str]) -> int:
    """Write the windows of the given splits, shuffled, to the first argument."""
    hold = None
    if len(argv) > 1 and argv[0] == "--hold-out":
        hold, argv = Path(argv[1]), argv[2:]
        hold.mkdir(parents=True, exist_ok=True)
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    rng = random.Random(SEED)
    rows = []
    for arg in argv[1:]:
        split = Path(arg.removesuffix(FIRST_HALF))
        paras = paragraphs(split)
        if arg.endswith(FIRST_HALF):
            paras = paras[:len(paras) // 2]
        if hold:
            held = [p for p in paras if held_out(p["context"])]
            (hold / f"{split.parent.name}.json").write_text(json.dumps(held, ensure_ascii=False), encoding="utf-8")
            paras = [p for p in paras if not held_out(p["context"])]
        rows += windows(paras, split.parent.name, rng)
    rng.shuffle(rows)
    Path(argv[0]).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    print(len(rows), dict(Counter(r["src"] for r in rows)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
