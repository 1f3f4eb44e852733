"""scripts/reader/windows.py: a split named PATH:first-half gives windows of its first half of paragraphs only (the
half of trans-SQuAD that fitting may use; its second half is where Kutip is checked)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def windows_script():
    """Import scripts/reader/windows.py as a module."""
    spec = importlib.util.spec_from_file_location("windows", REPO / "scripts" / "reader" / "windows.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def squad_split(path: Path, n: int) -> Path:
    """Write a SQuAD-shaped split (articles holding paragraphs) of n one-question paragraphs."""
    paras = []
    for i in range(n):
        context = f"Kota nomor {i} didirikan pada tahun {1900 + i}. Kota itu terletak di pantai."
        answer = str(1900 + i)
        paras.append({"context": context, "qas": [{"id": f"q{i}", "question": f"Kapan kota nomor {i} didirikan?",
                                                   "answers": [{"text": answer,
                                                                "answer_start": context.index(answer)}]}]})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"data": [{"title": "a", "paragraphs": paras[:2]},       # the half is not an article
                                         {"title": "b", "paragraphs": paras[2:]}]}), encoding="utf-8")
    return path


def asked(out: Path) -> set[str]:
    """Return the questions that have a window holding their answer."""
    return {w["q"] for w in json.loads(out.read_text(encoding="utf-8")) if w["a"]}


def test_a_split_marked_first_half_gives_its_first_half_of_paragraphs_only(tmp_path):
    split = squad_split(tmp_path / "trans-squad" / "valid.json", 7)
    script = windows_script()
    assert script.main([str(tmp_path / "all.json"), str(split)]) == 0
    assert script.main([str(tmp_path / "half.json"), f"{split}:first-half"]) == 0
    every = {f"Kapan kota nomor {i} didirikan?" for i in range(7)}
    assert asked(tmp_path / "all.json") == every
    assert asked(tmp_path / "half.json") == {f"Kapan kota nomor {i} didirikan?" for i in range(3)}
    sources = {w["src"] for w in json.loads((tmp_path / "half.json").read_text(encoding="utf-8")) if w["a"]}
    assert sources == {"trans-squad"}                   # named by the split's folder, as without the mark
