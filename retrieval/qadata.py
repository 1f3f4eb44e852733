"""Reading QA data sets (SQuAD 2.0 shape: IDK-MRC, TyDiQA-id, trans-SQuAD) into a corpus folder and questions."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Question:
    """One question of a QA split: its text, gold answers (empty: unanswerable) and the file of its paragraph."""

    id: str
    q: str
    gold: tuple[str, ...]
    source: str
    starts: tuple[int, ...] = ()     # where each gold answer starts in its paragraph

    @property
    def answerable(self) -> bool:
        """Tell whether the paragraph answers the question."""
        return bool(self.gold)

    def as_eval(self) -> dict:
        """Return the question in the eval format of ../shared/eval (dev.jsonl)."""
        row = {"id": self.id, "type": "qa", "q": self.q, "source": self.source}
        return {**row, "gold": list(self.gold)} if self.gold else {**row, "abstain": True}


def paragraphs(path: Path) -> list[dict]:
    """Return a split's paragraphs ({"context", "qas"}), flat (IDK-MRC) or nested under articles (SQuAD)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [p for a in data["data"] for p in a["paragraphs"]]


def file_name(context: str) -> str:
    """Return the corpus file name of a paragraph: a hash of its text, so one paragraph in two splits is one file."""
    return "p" + hashlib.sha256(context.encode("utf-8")).hexdigest()[:12] + ".txt"


def load(paths: list[Path], limit: int | None = None) -> tuple[dict[str, str], list[Question]]:
    """Return {file name: paragraph} and the questions of one or more splits; a question asked in two splits
    (IDK-MRC reuses TyDiQA's) is kept once.  limit: the first paragraphs of each split only."""
    texts: dict[str, str] = {}
    questions: dict[tuple[str, str], Question] = {}
    for path in paths:
        for para in paragraphs(path)[:limit]:
            name = file_name(para["context"])
            texts[name] = para["context"]
            for qa in para["qas"]:
                answers = () if qa.get("is_impossible") else tuple(qa.get("answers", ()))
                gold = tuple(dict.fromkeys(a["text"] for a in answers if a["text"].strip()))
                starts = tuple(int(a.get("answer_start", -1)) for a in answers if a["text"].strip())
                key = (name, qa["question"].strip())
                if key not in questions:
                    questions[key] = Question(str(qa["id"]), qa["question"].strip(), gold, name, starts)
    return texts, list(questions.values())


def write_corpus(texts: dict[str, str], folder: Path) -> Path:
    """Write each paragraph as folder/<name> (a folder of .txt files, as Engine.build reads) and return folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        target = folder / name
        if not target.exists():
            target.write_text(text, encoding="utf-8")
    return folder
