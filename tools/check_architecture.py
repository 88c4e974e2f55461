"""The architecture rules of `make lint`: no import cycle, no module over 600 lines, no function over 80 lines, and
the product (`pipelines`) never imports its orchestration (`assets`) or its measuring tools (`tools`).

Imports are read with `ast` from every module of the packages, wherever they stand (module level, inside a
function, under TYPE_CHECKING): an import hidden in a function is still a dependency, and a cycle through one is
still a cycle. `python -m tools.check_architecture` prints each violation and exits 1 on any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipelines", "assets", "dbt_like_sql", "tools")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# package -> packages it may not import: the product stands without Dagster's wiring and without its tools
FORBIDDEN = {"pipelines": ("assets", "tools")}

# Exceptions to the rules, each with its reason; none today. An entry that no longer applies fails the lint too.
ALLOWED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Module:
    name: str  # dotted: pipelines.sources.scores.scores
    path: Path
    is_package: bool  # an __init__.py: its relative imports start from itself


def modules(root: Path = PROJECT, packages: Sequence[str] = PACKAGES) -> list[Module]:
    out = []
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            out.append(Module(name, path, is_package))
    return out


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    base = base if module.is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(module: Module, known: set[str]) -> set[str]:
    """The project modules `module` imports anywhere in its body. `from a import b` is a dependency on a.b when
    that is a module, else on a."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.path.read_text(), str(module.path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for a in node.names:
                found.add(f"{target}.{a.name}" if f"{target}.{a.name}" in known else target)
    return {m for m in found if m in known and m != module.name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted: every import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def size_violations(mods: Iterable[Module], root: Path = PROJECT) -> list[str]:
    out = []
    for m in mods:
        text = m.path.read_text()
        rel = m.path.relative_to(root).as_posix()
        n = len(text.splitlines())
        if n > MAX_MODULE_LINES:
            out.append(f"{rel}: module of {n} lines")
        for node in ast.walk(ast.parse(text, str(m.path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - first + 1
                if length > MAX_FUNCTION_LINES:
                    out.append(f"{rel}:{node.name}: function of {length} lines")
    return out


def violations(
    root: Path = PROJECT, packages: Sequence[str] = PACKAGES, allowed: frozenset[str] = ALLOWED
) -> list[str]:
    mods = modules(root, packages)
    known = {m.name for m in mods}
    graph = {m.name: imports(m, known) for m in mods}
    found = [f"import cycle: {' <-> '.join(c)}" for c in cycles(graph)] + size_violations(mods, root)
    for name, deps in sorted(graph.items()):
        for dep in sorted(deps):
            if dep.split(".")[0] in FORBIDDEN.get(name.split(".")[0], ()):
                found.append(f"{name} imports {dep}: the product may not import {dep.split('.')[0]}")
    stale = [f"allowlisted but no longer a violation (remove it): {a}" for a in sorted(allowed - set(found))]
    return [v for v in found if v not in allowed] + stale


def main() -> int:
    found = violations()
    for v in found:
        print(v)
    print(f"architecture: {len(found)} violation(s)" if found else "architecture: no cycle, no long module or function")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
