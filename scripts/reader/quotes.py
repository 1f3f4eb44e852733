"""Write Kutip's first quote for each question of an eval set (the reader's input at answer time), as JSON lines:

    python scripts/reader/quotes.py QUESTIONS.jsonl CORPUS OUT.jsonl
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval.engine import Engine  # noqa: E402


def main(argv: list[str]) -> int:
    """Ask each question and write its plain form, gold answers, first quote and whether Kutip abstained."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    questions, corpus, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    engine = Engine.build(corpus)
    rows = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        plan, judged = engine.judged(q["q"])
        answer = engine.ask(q["q"])
        rows.append({"id": q["id"], "q": q["q"], "plain": plan.plain, "gold": q.get("gold", []),
                     "quote": judged[0][0].text if judged else None, "abstained": answer.abstained,
                     "short": answer.short.text if answer.short else None})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
