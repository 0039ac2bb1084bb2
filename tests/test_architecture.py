"""Dependencies point one way (../shared/DESIGN.md, docs/architecture.md).

Every ``evidence`` import counts, at module level and inside functions alike; only imports
under ``if TYPE_CHECKING:`` are left out, because they never run. A module may import from
its own stage (a sibling in the same package) or from a stage below it, and the graph of
imports between modules has no cycle at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "evidence"

# Stages, lowest first. A module belongs to the longest prefix listed here.
STAGES: dict[str, int] = {
    "evidence._version": 0,
    "evidence.schemas": 0,
    "evidence.errors": 0,
    "evidence.codes": 1,
    "evidence._files": 1,
    "evidence._gc": 0,
    "evidence._lazy": 0,
    "evidence.cachedir": 0,
    "evidence.spreadsheet": 0,
    "evidence.text": 0,
    "evidence.identifiers": 0,
    "evidence.model": 1,
    "evidence.comparative": 1,
    "evidence.bibliography": 2,
    "evidence.claims": 2,
    "evidence.pubmed": 3,
    "evidence.assess": 4,
    "evidence.extract": 4,
    "evidence.studies": 5,
    "evidence.snapshot": 5,
    "evidence.plot": 6,
    "evidence.render": 6,
    "evidence.table": 7,
    "evidence.pipeline": 8,
    "evidence.cli": 10,  # above evidence.audit (9), whose commands it runs
    "evidence.audit": 9,
    "evidence.docbuild": 9,
    "evidence._docbuild": 9,
    "evidence.sphinxext": 10,
    "evidence.mkdocs_plugin": 10,
    "evidence.__main__": 11,
    "evidence": 11,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(name: str) -> tuple[str, int]:
    """The stage prefix a module belongs to, and its number."""
    probe = name
    while probe:
        if probe in STAGES:
            return probe, STAGES[probe]
        probe = probe.rpartition(".")[0]
    raise AssertionError(f"{name} is in no stage: add it to STAGES in tests/test_architecture.py")


MODULES = sorted(PACKAGE.rglob("*.py"))
NAMES = {module_name(p) for p in MODULES}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that can run: all of them except the bodies of ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every evidence module that ``path`` imports when it runs."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if candidate in NAMES else base))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return sorted({(line, m) for line, m in found if m.split(".")[0] == "evidence"})


GRAPH = {module_name(p): {m for _, m in imports_of(p) if m != module_name(p)} for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_imports_point_down(path: Path) -> None:
    name = module_name(path)
    own_prefix, own = stage_of(name)
    for line, imported in imports_of(path):
        assert imported in NAMES, f"{path.name}:{line}: unknown module {imported}"
        prefix, stage = stage_of(imported)
        allowed = stage < own or prefix == own_prefix or imported == name
        assert allowed, (
            f"{name}:{line} (stage {own}) imports {imported} (stage {stage}); "
            "dependencies must point down"
        )


def test_no_import_cycle() -> None:
    """Tarjan's strongly connected components over the whole import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_check_sees_imports_inside_functions_but_not_type_checking() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from evidence.table import EvidenceTable\n"
        "def f():\n    from evidence.render import render\n"
    )
    nodes = [n for n in _runtime_nodes(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    assert sorted(n.module or "" for n in nodes) == ["evidence.render", "typing"]


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_modules_stay_short(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 800, f"{module_name(path)} has {lines} lines; split it (limit 800)"


def test_only_the_client_imports_requests() -> None:
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "requests" for n in names):
                assert module_name(path) == "evidence.pubmed.client", path
