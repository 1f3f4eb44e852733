"""The import graph of retrieval/: no circle among its modules, counting imports inside functions too
(only `if TYPE_CHECKING:` blocks are left out: they never run), and the core never imports streamlit."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "retrieval"


def module_name(path: Path) -> str:
    """Return the dotted name of a module file under retrieval/ ('retrieval.readers.pdf' for its __init__.py)."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.AST) -> bool:
    """Tell whether a node is `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or
                                         isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node: ast.AST):
    """Yield every Import / ImportFrom under node, skipping TYPE_CHECKING blocks (but not their else branch)."""
    for child in ast.iter_child_nodes(node):
        if _type_checking(child):
            for other in child.orelse:
                if isinstance(other, (ast.Import, ast.ImportFrom)):
                    yield other
                yield from _imports(other)
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        yield from _imports(child)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Return the retrieval modules a module file imports (a name imported from a package counts as its submodule
    when there is one, else as the package)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
            continue
        if node.level:
            base = package.split(".")
            base = base[:len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if target not in known:
            continue
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            out.add(sub if sub in known else target)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """Return module -> the retrieval modules it imports, for every module under retrieval/."""
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in files}
    return {module_name(p): imported_modules(p, known) for p in files}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """Return one circle of the graph as [a, b, ..., a], or [] when there is none (depth-first search)."""
    state: dict[str, int] = {}          # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_graph_is_read_as_written():
    graph = import_graph()
    assert {"retrieval.model", "retrieval.errors"} <= graph["retrieval.engine"]
    assert "retrieval.linking" in graph["retrieval.sources"]
    assert "retrieval.engine" not in graph["retrieval.sources"]          # its TYPE_CHECKING-free Protocol
    assert "retrieval.readers.pdf.worker" in graph["retrieval.readers.pdf.sandbox"] or \
        "retrieval.readers.pdf" in graph["retrieval.readers.pdf.sandbox"]
    assert graph["retrieval.model"] == set() and graph["retrieval.files"] == set()


def test_the_search_finds_a_circle_when_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_circle_among_the_modules_of_retrieval():
    cycle = find_cycle(import_graph())
    assert cycle == [], "import circle: " + " -> ".join(cycle)


def test_the_core_never_imports_streamlit():
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path
