"""The package installs: a wheel built from the tree carries its data and the chapter, and `kutip ask` from it
answers from another folder."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel (no dependencies) from a copy of the tree, so the build leaves nothing in it."""
    out = tmp_path_factory.mktemp("wheel")
    tree = out / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree)
    for folder in ("retrieval", "corpus"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(tree)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("kutip-*.whl"))


def test_the_wheel_carries_the_data_and_the_chapter(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("ranker.json", "answerable.json", "short_answer.json", "reader.npz", "reader.json",
                 "extra-roots.txt", "slang.tsv", "english.tsv", "README.md"):
        assert f"retrieval/data/{data}" in names
    assert "retrieval/necessity.tsv" in names
    assert "kutip_corpus/bab3-sister-city-batam-gimje.md" in names
    assert not any(n.startswith(("tests/", "ui/", "benchmarks/")) for n in names)


def test_kutip_from_the_wheel_answers_from_another_folder(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import retrieval; print(retrieval.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(site))
    out = subprocess.run([str(site / "bin" / "kutip"), "ask", "Kapan MoU Batam dan Gimje ditandatangani?"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "17 Agustus 2013" in out.stdout
