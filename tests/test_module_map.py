"""The module map (docs/architecture.md) lists every module of retrieval/ and ui/ (and app.py), and nothing that is not
there."""
from __future__ import annotations

import re

from conftest import REPO

COMING = "(coming)"     # a line marked so names a module being written on another branch


def module_map() -> dict[str, str]:
    """Return path -> its line, from the code block under docs/architecture.md's "Peta modul / Module map" heading."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("### Peta modul / Module map", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    return {line.split()[0]: line for line in block.splitlines() if line.strip()}


def test_the_module_map_lists_every_module():
    listed = module_map()
    modules = {p.relative_to(REPO).as_posix() for folder in ("retrieval", "ui") for p in (REPO / folder).rglob("*.py")}
    assert sorted(modules - set(listed)) == []


def test_the_module_map_lists_nothing_that_is_not_there():
    missing = [path for path, line in module_map().items() if not (REPO / path).exists() and COMING not in line]
    assert missing == []


def test_each_module_has_one_line_saying_what_it_does():
    for _path, line in module_map().items():
        assert len(line.split(None, 1)) == 2 and len(line) <= 140, line
