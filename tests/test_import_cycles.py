"""No import cycle anywhere in ``app/``, counting what import-linter and Python's own start-up
do not see: imports inside functions and under ``if TYPE_CHECKING:``. An import moved into a
function still leaves the circle for the reader (docs/ARCHITECTURE.md, "No hidden circles").

The graph is read from the source (every ``import``/``from ... import`` node of every module's
AST), so the test needs no optional dependency installed. An edge goes to the named module, or
to the submodule when ``from package import name`` names one; importing ``a.b.c`` is not counted
as importing the package ``a.b`` itself (that would make every re-exporting ``__init__`` a cycle).
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "app"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = ROOT / PACKAGE) -> dict[str, Path]:
    found = {module_name(p): p for p in sorted(root.rglob("*.py"))}
    return {name: path for name, path in found.items() if "__pycache__" not in path.parts}


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(name: str, path: Path, known: set[str]) -> dict[str, int]:
    """{imported module in ``known``: first line} for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[str, int] = {}

    def add(target: str, line: int) -> None:
        while target and target not in known:  # "app.x.y.Name" -> "app.x.y"
            target = target.rpartition(".")[0]
        if target and target != name:
            found.setdefault(target, line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, path.name == "__init__.py")
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                add(sub if sub in known else base, node.lineno)
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, dict[str, int]]:
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def find_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One shortest cycle per strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(start: str) -> None:  # Tarjan, iterative (no recursion limit on deep graphs)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return [_shortest_cycle(graph, c) for c in components]


def _shortest_cycle(graph: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    best: list[str] = []
    for start in sorted(component):  # breadth-first back to ``start`` inside the component
        paths = {start: [start]}
        frontier = [start]
        while frontier:
            nxt = []
            for node in frontier:
                for target in sorted(graph[node]):
                    if target == start:
                        cycle = paths[node] + [start]
                        if not best or len(cycle) < len(best):
                            best = cycle
                    elif target in component and target not in paths:
                        paths[target] = paths[node] + [target]
                        nxt.append(target)
            frontier = nxt
    return best


def describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    steps = [f"{a} (line {graph[a][b]})" for a, b in itertools.pairwise(cycle)]
    return " -> ".join([*steps, cycle[-1]])


def test_the_finder_sees_function_level_and_type_checking_imports(tmp_path: Path) -> None:
    """A cycle hidden both ways is found, and a clean tree gives none (the test can fail)."""
    pkg = tmp_path / "app"
    (pkg / "inner").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "inner" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from app.inner import b\n")
    (pkg / "inner" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import f\n"
    )
    (pkg / "c.py").write_text("import app.a\n")
    mods = {module_name(p, tmp_path): p for p in pkg.rglob("*.py")}
    graph = import_graph(mods)
    assert graph["app.inner.b"] == {"app.a": 3}
    assert find_cycles(graph) == [["app.a", "app.inner.b", "app.a"]]
    (pkg / "inner" / "b.py").write_text("import json\n")
    assert find_cycles(import_graph(mods)) == []


def test_app_has_no_import_cycle() -> None:
    mods = modules()
    assert len(mods) > 100, "the walk did not find app/"
    graph = import_graph(mods)
    cycles = find_cycles(graph)
    if cycles:
        pytest.fail(
            "import cycles in app/ (function-level and TYPE_CHECKING imports count):\n"
            + "\n".join("  " + describe(c, graph) for c in cycles)
        )
