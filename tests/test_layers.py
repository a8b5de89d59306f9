"""The package's layers, read from the source: every import points down, none forms a cycle.

The floors are the README's code map: value semantics at the bottom, the schema model on
them, the CSV reader and the release layout, the checks and the network, the two front ends
and the loader, the producer tools, the public facades, the command. Every import counts:
module level, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "src" / "conflictdata"

#: Each unit (a subpackage or a top-level module) on its floor; an import between two units
#: must go to a strictly lower floor.
FLOORS: dict[str, int] = {
    "errors": 1,
    "_util": 2,
    "_types": 3,
    "_tableschema": 4,
    "_read": 5,
    "_release": 5,
    "_checks": 6,
    "_remote": 6,
    "_validation": 7,
    "_frames": 7,
    "_loader": 7,
    "_tools": 8,
    "_api": 9,
    "tools": 9,
    "models": 9,
    "__init__": 10,
    "cli": 10,
    "__main__": 11,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _unit(module: str) -> str:
    return module.split(".")[0]


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(_module_name(p) for p in PKG.rglob("*.py"))


def _imports(path: Path, here: str | None = None) -> set[str]:
    """Every package module ``path`` (the module ``here``, by default the one at that path)
    imports, at any depth, as dotted names under the package."""
    here = here or _module_name(path)
    is_pkg = path.name == "__init__.py"
    base = here.split(".") if here != "__init__" else []
    if not is_pkg:
        base = base[:-1]
    found: set[str] = set()
    known = _known()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base[: len(base) - (node.level - 1)] if node.level > 1 else list(base)
                target = ".".join(parts + (node.module.split(".") if node.module else []))
            elif node.module and node.module.split(".")[0] == "conflictdata":
                target = node.module.partition(".")[2]
            else:
                continue
            for alias in node.names:  # `from . import tools` names a module
                sub = f"{target}.{alias.name}" if target else alias.name
                found.add(sub if sub in known else (target or "__init__"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "conflictdata":
                    found.add(alias.name.partition(".")[2] or "__init__")
    return {m for m in found if m != here}


@functools.cache
def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PKG.rglob("*.py"))}


def test_every_unit_has_a_floor() -> None:
    units = {_unit(m) for m in _graph()}
    assert units == set(FLOORS), f"units without a floor: {units - set(FLOORS)}"


def test_imports_between_units_point_down() -> None:
    upward = sorted(
        f"{a} -> {b}"
        for a, targets in _graph().items()
        for b in targets
        if _unit(a) != _unit(b) and FLOORS[_unit(b)] >= FLOORS[_unit(a)]
    )
    assert upward == []


def test_no_import_cycle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                cycles.append(sorted(scc))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The graph reader finds relative, absolute and function-level imports."""
    src = "def f():\n    from .._tools.build import build_release\nimport conflictdata.cli\n"
    probe = tmp_path / "_layers_probe.py"
    probe.write_text(src, encoding="utf-8")
    assert _imports(probe, here="_types._layers_probe") == {"_tools.build", "cli"}


@pytest.mark.processes
@pytest.mark.parametrize(
    "call",
    ["cd.load('events')", "cd.load_arrow('events')", "cd.versions()", "cd.describe('events')"],
)
def test_loading_imports_no_validator_frames_or_tools(curated_build: Path, call: str) -> None:
    """The consumer path needs only the schema model, the value types and the release."""
    code = (
        "import sys, conflictdata as cd\n"
        f"{call}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[1:2] and m.split('.')[1] in "
        "('_read', '_checks', '_validation', '_frames', '_tools', 'tools'))\n"
        "print(','.join(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CONFLICTDATA_RELEASES_URL"}
    env["CONFLICTDATA_BUILD_DIR"] = str(curated_build)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == ""
