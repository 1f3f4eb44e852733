"""One JSON line per question of an eval folder (made by ../shared/eval/idkmrc_to_corpus.py): what Kutip's stages
make of it, for measuring how they could be combined (docs/experiments.md, 7 December).

    .venv/bin/python scripts/reader/rows.py FOLDER OUT.jsonl [--english]

Each line: id, gold answers (none: written to have no answer), whether Kutip reads the question as English, the
threshold its quote needs, and for each quote judged (after the trap-word veto, in rank order) its probability of
answering, whether it holds a gold answer and whether it comes from the question's own paragraph; the text of
quote 1; the reader's span and its margin over no answer on quotes 1 and 2 (English questions too, which Kutip
itself does not read); the span model's likeliest candidate of quote 1 with its probability, whatever it is, and
whether Kutip shows a short answer from the span model.
--english asks each question put word by word into English (fit.word_by_word), as the answerability fit does.
"""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval import answerable, extractive  # noqa: E402
from retrieval.engine import Engine  # noqa: E402
from retrieval.evaluate import norm  # noqa: E402
from retrieval.fit import english_table, word_by_word  # noqa: E402
from retrieval.short_answer import short_answer, span_model  # noqa: E402

READ = 2            # quotes read by the reader


def row(engine: Engine, item: dict, asked: str) -> dict:
    """Return what Kutip makes of one question (asked: its wording, item: its line of questions.jsonl)."""
    plan, judged = engine.judged(asked)
    gold = [norm(g) for g in item.get("gold", [])]
    out = {"id": item["id"], "q": asked, "gold": item.get("gold", []), "english": plan.english,
           "bar": answerable.threshold(engine.dense_status.loaded, plan.english),
           "p": [p for _, p in judged], "hold": [any(g in norm(q.text) for g in gold) for q, _ in judged],
           "doc": [str(q.passage.source).endswith(item["source"]) for q, _ in judged],
           "quote": judged[0][0].text if judged else None, "reader": [], "span": None, "shipped": False}
    for quote, _ in judged[:READ]:
        found = extractive.read(plan.plain, quote.text)
        out["reader"].append([found.start, found.end, found.margin] if found else None)
    if judged:
        quote, p = judged[0]
        args = (plan.plain, plan.asked, quote.text, p)
        kwargs = {"weights": engine.term_weights(plan.plain), "settings": engine.settings, "typed": plan.question}
        likeliest = short_answer(*args, model=dataclasses.replace(span_model(), threshold=float("-inf")), **kwargs)
        out["span"] = [likeliest.start, likeliest.end, likeliest.confidence] if likeliest else None
        out["shipped"] = short_answer(*args, **kwargs) is not None
    return out


def main(argv: list[str]) -> int:
    """Write the rows of one eval folder."""
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--english"):
        print(__doc__, file=sys.stderr)
        return 2
    folder, out = Path(argv[0]), Path(argv[1])
    table = english_table() if len(argv) == 3 else None
    engine = Engine.build(folder / "corpus")
    lines = []
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        asked = word_by_word(item["q"], table) if table is not None else item["q"]
        lines.append(json.dumps(row(engine, item, asked), ensure_ascii=False) + "\n")
    out.write_text("".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
