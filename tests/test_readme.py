"""The README's command-line examples run as printed (each in a fresh process) and exit 0; the `kutip` script exists."""
from __future__ import annotations

import importlib
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
VENV_PYTHON = ".venv/bin/python"      # what the README's set-up command creates; here: the interpreter running tests
NEEDS_NETWORK = ("fetch-sources",)    # downloads the cited pages into corpus/sources: not run by the tests
EXAMPLE_TIMEOUT = 300


def cli_examples() -> list[str]:
    """Return the commands of the README's code blocks that run the CLI, comments removed."""
    text = README.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if "-m retrieval" in line:
                commands.append(line)
    return commands


def test_readme_has_the_examples():
    commands = cli_examples()
    assert len(commands) >= 12
    assert all(VENV_PYTHON + " -m retrieval" in c for c in commands)   # no bare `python` that a fresh machine lacks


@pytest.mark.parametrize("command", [c for c in cli_examples() if not any(n in c for n in NEEDS_NETWORK)])
def test_readme_example_runs_as_written(command, tmp_path):
    for shared in re.findall(r"\.\./shared/(\S+)", command):
        shared_path(*shared.split("/"))             # ../shared beside the clone: skipped (failed under CI) if absent
    shell = command.replace(VENV_PYTHON, shlex.quote(sys.executable))
    writes = " export " in f" {command} "          # writes its files where it runs: there, not in the project
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # what `pip install -e .` gives the venv
    run = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=tmp_path if writes else ROOT, env=env,
                         capture_output=True, text=True, timeout=EXAMPLE_TIMEOUT)
    assert run.returncode == 0, f"{command}\n{run.stderr[-2000:]}"
    assert run.stdout.strip() or writes
    if writes:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kartu.tsv", "lembar.md"]


def test_readme_setup_installs_the_kutip_command():
    assert "pip install -r requirements.txt -e ." in README.read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    target = project["project"]["scripts"]["kutip"]
    module, func = target.split(":")
    assert callable(getattr(importlib.import_module(module), func))
    assert {"retrieval", "retrieval.study", "kutip_corpus"} <= set(project["tool"]["setuptools"]["packages"])


def test_packaging_declares_the_console_script(tmp_path):
    """setuptools reads pyproject.toml as `pip install -e .` would, and declares `kutip` and the pinned packages."""
    run = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "egg_info",
                          "--egg-base", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    [info] = tmp_path.glob("*.egg-info")
    assert "kutip = retrieval.__main__:main" in (info / "entry_points.txt").read_text()
    assert "pypdf==" in (info / "requires.txt").read_text()
    assert "retrieval/necessity.tsv" in (info / "SOURCES.txt").read_text()
