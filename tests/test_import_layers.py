"""Layers as DESIGN.md draws them: imports point down only and no module imports itself round a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "linkus_companion"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _runtime_imports(name: str, path: Path) -> set[str]:
    """The package modules `name` imports when it runs (anywhere in it, but not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}
    return {module for module in found if module in MODULES and module != name}


FACTORY_IMPORTS = {
    "linkus_companion.store": {"linkus_companion.store_sqlite", "linkus_companion.store_postgres"},
}
"""Deferred imports of a factory that picks its implementation (`Store.open`): not a layer circle."""
GRAPH = {
    name: _runtime_imports(name, path) - FACTORY_IMPORTS.get(name, set()) for name, path in MODULES.items()
}


def _reaches(start: str, goal: str) -> list[str] | None:
    """An import path from `start` to `goal`, if there is one."""
    seen, stack = {start}, [[start]]
    while stack:
        trail = stack.pop()
        for nxt in sorted(GRAPH[trail[-1]]):
            if nxt == goal:
                return [*trail, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append([*trail, nxt])
    return None


def test_no_module_imports_itself_round_a_circle() -> None:
    circles = [trail for name in GRAPH if (trail := _reaches(name, name))]
    assert circles == []


@pytest.mark.parametrize("side", ["pbx", "ui"])
def test_model_imports_nothing_of_ours_and_pbx_and_ui_no_crm(side: str) -> None:
    """crm/ holds the connectors only: the call vocabulary is model.py's, the call-log templates the engine's."""
    assert GRAPH["linkus_companion.model"] == set()
    assert {
        (n, t)
        for n, ts in GRAPH.items()
        if n.startswith(f"linkus_companion.{side}.")
        for t in ts
        if t == "linkus_companion.crm" or t.startswith("linkus_companion.crm.")
    } == set()


@pytest.mark.parametrize("lower", ["pbx", "crm", "config"])
def test_protocol_and_config_layers_import_nothing_above_them(lower: str) -> None:
    above = ("ui", "engine", "gateway", "backend", "app", "cli", "demo", "local_backend")
    upward = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.startswith(f"linkus_companion.{lower}")
        for target in targets
        if target.partition(".")[2].split(".")[0] in above
    }
    assert upward == set()
