"""The data flows one way: `sim` never imports the dashboard, and no module imports itself back
through others (an import circle hides which layer depends on which)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "dashboard")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the packages -> the modules of the packages it imports (at any level)."""
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = _module(path)
            here = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                        base = ".".join([*anchor, base] if base else anchor)
                    targets = [base] + [f"{base}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                else:
                    continue
                found |= {t for t in targets if t.split(".")[0] in PACKAGES}
            graph[name] = found
    modules = set(graph)
    return {m: {t for t in targets if t in modules and t != m} for m, targets in graph.items()}


def test_sim_never_imports_the_dashboard():
    offenders = {m: sorted(t for t in ts if t.startswith("dashboard")) for m, ts in imports().items()
                 if m.startswith("sim")}
    assert {m: ts for m, ts in offenders.items() if ts} == {}


def test_no_import_circles():
    """Depth-first search for a cycle among the modules (package __init__ files, which re-export,
    are left out: `sim/__init__` importing its parts is the public face, not a dependency)."""
    graph = {m: {t for t in ts if t not in PACKAGES} for m, ts in imports().items() if m not in PACKAGES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                return path[path.index(t):] + [t]
            if t not in state and (cycle := visit(t)):
                return cycle
        state[m] = 2
        path.pop()
        return None

    for m in sorted(graph):
        if m not in state:
            cycle = visit(m)
            assert cycle is None, " -> ".join(cycle)
    assert len(graph) > 20  # the packages were read
