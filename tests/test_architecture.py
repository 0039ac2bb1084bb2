"""Dependencies point one way (../shared/DESIGN.md): a module may import only from layers
below its own at module level. Imports inside functions (the table's forwarded ``to_*``
methods, optional extras) and under ``TYPE_CHECKING`` are allowed to look upward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "evidence"

LAYERS: dict[str, int] = {
    "evidence.errors": 0,
    "evidence._files": 0,
    "evidence._version": 0,
    "evidence.model": 1,
    "evidence.references": 2,
    "evidence.claims": 2,
    "evidence.reconcile": 2,
    "evidence.pubmed": 3,
    "evidence.pubmed.query": 3,
    "evidence.pubmed.parse": 3,
    "evidence.pubmed.cache": 3,
    "evidence.pubmed.client": 3,
    "evidence.assess": 4,
    "evidence.judge": 4,
    "evidence.certainty": 5,
    "evidence.support": 6,
    "evidence.studies": 5,
    "evidence.snapshot": 5,
    "evidence.extract": 5,
    "evidence.table": 7,
    "evidence.plot": 7,
    "evidence.render": 8,
    "evidence.cli": 9,
    "evidence._docbuild": 9,
    "evidence.sphinxext": 10,
    "evidence.mkdocs_plugin": 10,
    "evidence": 11,
    "evidence.__main__": 11,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for evidence imports at module level, outside TYPE_CHECKING blocks."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "evidence":  # from evidence import x: x may be a submodule
                found += [(node.lineno, f"evidence.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "evidence"]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_down(path: Path) -> None:
    name = module_name(path)
    assert name in LAYERS, f"{name} is new: give it a layer in tests/test_architecture.py"
    for line, imported in top_level_imports(path):
        target = imported if imported in LAYERS else imported.rsplit(".", 1)[0]
        assert target in LAYERS, f"{path.name}:{line}: unknown module {imported}"
        same_package = name.startswith("evidence.pubmed") and target.startswith("evidence.pubmed")
        assert LAYERS[target] < LAYERS[name] or same_package or target == name, (
            f"{path.name}:{line}: {name} (layer {LAYERS[name]}) imports {imported} "
            f"(layer {LAYERS[target]}); dependencies must point down"
        )


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
