"""The fitted model files: checked when read, loud when missing or corrupt, never silently switched off."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import answerable, ranker, short_answer
from retrieval.errors import ModelFileError

ROOT = Path(__file__).resolve().parent.parent
FILES = {"ranker": ranker.WEIGHTS, "answerable": answerable.WEIGHTS, "short_answer": short_answer.WEIGHTS}
LOADERS = {"ranker": lambda: ranker.model(True), "answerable": lambda: answerable.threshold(True),
           "short_answer": short_answer.span_model}
CLEAR = {"ranker": ranker.clear, "answerable": answerable.clear, "short_answer": short_answer._span_model.cache_clear}


def _damaged(text: str, how: str) -> str | None:
    """Return the file's text damaged one way (None: the file is removed)."""
    if how == "missing":
        return None
    if how == "truncated":
        return text[: len(text) // 2]
    data = json.loads(text)
    if how == "weight changed":               # a hand edit without refitting: the checksum no longer fits
        if "trees" in data:
            data["trees"][0]["value"][-1] += 1.0
        else:
            variant = data.get("dense", data)
            variant["weights"][0] = float(variant["weights"][0]) + 1.0
    elif how == "features renamed":           # a file fitted for other code: checksum made to fit, features not
        data["features"] = list(reversed(data["features"]))
        data["sha256"] = ranker.checksum(data)
    return json.dumps(data)


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("how", ["missing", "truncated", "weight changed", "features renamed"])
def test_a_damaged_model_file_raises_naming_the_file(name, how, tmp_path, monkeypatch):
    path = tmp_path / FILES[name].name
    damaged = _damaged(FILES[name].read_text(encoding="utf-8"), how)
    if damaged is not None:
        path.write_text(damaged, encoding="utf-8")
    module = {"ranker": ranker, "answerable": answerable, "short_answer": short_answer}[name]
    monkeypatch.setattr(module, "WEIGHTS", path)
    CLEAR[name]()
    try:
        with pytest.raises(ModelFileError, match=FILES[name].name):
            LOADERS[name]()
    finally:
        monkeypatch.undo()
        CLEAR[name]()
    LOADERS[name]()                           # the shipped file itself reads


@pytest.mark.parametrize("field, value", [("left", 10**6), ("feature", 99), ("split", "nan"), ("right", -1),
                                          ("split", "short")])
def test_a_span_tree_out_of_shape_is_refused_even_with_a_fitting_checksum(field, value, tmp_path, monkeypatch):
    data = json.loads(short_answer.WEIGHTS.read_text(encoding="utf-8"))
    internal = data["trees"][0]["left"].index(next(v for k, v in enumerate(data["trees"][0]["left"]) if v != k))
    if value == "short":                      # one number where a tree has a node each: numpy would broadcast it
        data["trees"][0][field] = [0.5]
    else:
        data["trees"][0][field][internal] = float(value) if field == "split" else value
    data["sha256"] = ranker.checksum(data)
    path = tmp_path / short_answer.WEIGHTS.name
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelFileError, match="short_answer.json: pohon rusak / bad trees"):
        short_answer._span_model(path)


def test_the_shipped_files_are_whole():
    for path in FILES.values():
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["sha256"] == ranker.checksum(data)


def test_the_cli_stops_with_one_line_when_a_model_file_is_corrupt(tmp_path):
    """A copy of the package whose ranker file is damaged: `ask` exits 2 with one line naming it, no traceback."""
    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "retrieval", copy / "retrieval", ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "retrieval" / "data" / "ranker.json"
    target.write_text(target.read_text(encoding="utf-8")[:100], encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "retrieval", "ask", "Kapan MoU ditandatangani?", "--corpus",
                          str(ROOT / "corpus")], cwd=copy, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "ranker.json" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
