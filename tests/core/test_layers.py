"""The house's floors (issue 10): a module imports only from its own floor or lower ones, and
no group of modules imports itself around in a loop. Lazy imports inside functions count too:
they are dependencies all the same."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# top to bottom; packages on one floor may import each other
FLOORS = [
    {"capwatch"},
    {"web"},  # takes plain values (capwatch/web_setup.py builds them from Settings)
    {"scheduler"},
    {"alerts"},
    {"crawlers", "market"},
    {"db", "detection"},
    {"core"},
]
LEVEL = {package: len(FLOORS) - i for i, floor in enumerate(FLOORS) for package in floor}


def _modules() -> dict[str, Path]:
    found = {}
    for package in LEVEL:
        for path in sorted((REPO / package).rglob("*.py")) if (REPO / package).is_dir() else []:
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, name: str) -> set[str]:
    """First-party modules `path` imports, anywhere in it (TYPE_CHECKING blocks excepted:
    they never run)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in LEVEL}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path, name):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def test_no_module_imports_from_a_higher_floor() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if LEVEL[target.split(".")[0]] > LEVEL[module.split(".")[0]]
    ]
    assert upward == []


def test_no_import_loops() -> None:
    """Tarjan's strongly connected components: every component must be one module. (A
    package's __init__ importing its own submodules is not a loop of concern: skipped.)"""
    graph = {
        module: {t for t in targets if not module.startswith(t + ".")}
        for module, targets in _graph().items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert loops == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The checker itself: a lazy import of capwatch from db is found."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from capwatch.settings import Settings\n", "utf-8")
    assert _imports(module, "db.m") == {"capwatch.settings", "capwatch.settings.Settings"}


def test_no_test_imports_bench() -> None:
    """bench/ measures; tests assert. What both need lives in a package module."""
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        for imported in _imports_any(path):
            if imported == "bench" or imported.startswith("bench."):
                offenders.append(f"{path.relative_to(REPO)} -> {imported}")
    assert offenders == []


def _imports_any(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names
