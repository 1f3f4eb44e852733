"""Would the reader pick quote 1's sentence better than the ranker, within the same passage?  (Tried 8 December 2026;
not shipped.)

    .venv/bin/python scripts/reader/passage.py OUT.jsonl QUOTES.jsonl FOLDER [QUOTES.jsonl FOLDER ...]

For each answerable question whose first quote (quotes.py's files) lies in a passage of FOLDER/corpus (an eval folder
as ../shared/eval/idkmrc_to_corpus.py writes it), the shipped reader reads the whole passage in windows of three
sentences; OUT gets the best span's margin over no answer, whether it lies in quote 1, and whether quote 1 / the
span's sentence holds a gold answer.  Then it prints, for each margin threshold, how many first quotes moving to the
reader's sentence would mend and how many it would break.  (Tried with the six-layer reader of 7 December.)
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval.evaluate import norm  # noqa: E402
from retrieval.extractive import best_span, reader  # noqa: E402

SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
THRESHOLDS = (0.0, 4.0, 8.0, 10.0, 12.0)


def best_in(question: str, text: str, sentences: list[tuple[int, int]]) -> tuple[float, int, int] | None:
    """Return the reader's best (margin, start, end) over windows of three of text's sentences (stride two)."""
    model = reader()
    best = None
    for i in range(0, max(1, len(sentences) - 1), 2):
        a, b = sentences[i][0], sentences[min(i + 2, len(sentences) - 1)][1]
        found = best_span(question, text[a:b], model)
        if found and (best is None or found.margin > best[0]):
            best = (found.margin, a + found.start, a + found.end)
    return best


def row(r: dict, text: str) -> dict | None:
    """Return what the reader finds in the passage of quote 1, or None when it finds nothing."""
    sentences = [(m.start(), m.end()) for m in SENTENCE.finditer(text) if m.group().strip()]
    best = best_in(r["plain"], text, sentences)
    if best is None:
        return None
    score, start, _ = best
    sentence = next(((a, b) for a, b in sentences if a <= start < b), (start, start))
    gold = [norm(g) for g in r["gold"]]
    q_start = text.index(r["quote"])
    return {"id": r["id"], "score": score, "in_quote": q_start <= start < q_start + len(r["quote"]),
            "q1_hit": any(g in norm(r["quote"]) for g in gold),
            "sentence_hit": any(g in norm(text[sentence[0]:sentence[1]]) for g in gold)}


def main(argv: list[str]) -> int:
    """Write the rows and print the mended / broken counts."""
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__, file=sys.stderr)
        return 2
    rows = []
    for quote_file, folder in zip(argv[1::2], map(Path, argv[2::2])):
        source = {json.loads(line)["id"]: json.loads(line)["source"]
                  for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()}
        for line in Path(quote_file).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if not r["gold"] or r["abstained"] or not r["quote"]:
                continue
            text = (folder / "corpus" / source[r["id"]]).read_text(encoding="utf-8")
            if r["quote"] in text and (found := row(r, text)):
                rows.append(found)
    Path(argv[0]).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions with quote 1 in the gold passage; quote 1 holds the answer for "
          f"{sum(r['q1_hit'] for r in rows)}")
    for t in THRESHOLDS:
        moved = [r for r in rows if not r["in_quote"] and r["score"] >= t]
        mended = sum(not r["q1_hit"] and r["sentence_hit"] for r in moved)
        broken = sum(r["q1_hit"] and not r["sentence_hit"] for r in moved)
        print(f"reader margin >= {t:>4}: {len(moved)} moved, {mended} mended, {broken} broken")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
