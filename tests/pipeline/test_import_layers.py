"""The import graph is one-way: lower layers never import higher ones, and nothing is circular.

Layers, bottom up (docs/architecture.md): i18n; messages; exceptions; clinical and stats;
cohort; report and interop (which do not import each other); pipeline; cli
and registry. Every ``import`` counts, also the ones inside functions, except
those under ``if TYPE_CHECKING:`` (annotations only). The walk reads the
source with ``ast``: nothing is imported to check it.
"""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import nephrocohort

SRC = Path(nephrocohort.__file__).parent

#: Top-level part of the package -> layer (higher may import lower, never the reverse).
LAYERS = {
    "i18n": -3,
    "nephrocohort": -2,
    "exceptions": -1,
    "messages": -2,
    "clinical": 0,
    "stats": 0,
    "cohort": 1,
    "report": 2,
    "interop": 2,
    "pipeline": 3,
    "cli": 4,
    "registry": 4,
    # Catalogue upkeep (scripts/compile_catalogues.py, tests/i18n): reads every layer's strings.
    "i18n_catalogues": 4,
    # ``python -m nephrocohort``: starts the command line.
    "__main__": 5,
}
#: Peers of one layer that may import each other: the CLI starts the registry server.
PEER_IMPORTS = {("cli", "registry")}


def _module_name(path: Path, src: Path) -> str:
    parts = ["nephrocohort", *path.relative_to(src).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(src: Path) -> dict[str, Path]:
    return {
        _module_name(path, src): path
        for path in src.rglob("*.py")
        if "migrations" not in path.relative_to(src).parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.AST, package: str):
    """Every imported dotted name, skipping ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                yield base, alias.name
        stack.extend(ast.iter_child_nodes(node))


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> imported package module (``from a import b`` counts as ``a.b`` if it is one)."""
    modules = _modules(src)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        graph[module] = set()
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for base, name in _imported_names(ast.parse(path.read_text(encoding="utf-8")), package):
            if not base.startswith("nephrocohort"):
                continue
            target = resolve(f"{base}.{name}" if name and f"{base}.{name}" in modules else base)
            if target and target != module:
                graph[module].add(target)
    return graph


def _edges(graph) -> set[tuple[str, str]]:
    return {(module, target) for module, targets in graph.items() for target in targets}


def _cycle(graph) -> list[str]:
    """One import cycle (as a list of modules), or an empty list."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_every_part_of_the_package_has_a_layer(graph):
    assert {_part(module) for module in graph} - {"data"} <= set(LAYERS)


def test_no_import_cycle(graph):
    assert _cycle(graph) == []


def test_no_layer_imports_a_higher_one_or_a_peer(graph):
    wrong = []
    for module, target in sorted(_edges(graph)):
        source, imported = _part(module), _part(target)
        if source == imported or (source, imported) in PEER_IMPORTS:
            continue
        if LAYERS[imported] >= LAYERS[source]:
            wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_figures_never_use_pyplot_state():
    """The registry draws reports on several threads; pyplot's current figure is global."""
    users = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(
            base == "matplotlib.pyplot" or (base == "matplotlib" and name == "pyplot")
            for base, name in _imported_names(ast.parse(path.read_text(encoding="utf-8")), "")
        )
    ]
    assert users == []


def test_the_checker_sees_a_cycle_and_a_lazy_upward_import(tmp_path):
    """The walk itself, on a small fake package: a checker that sees nothing proves nothing."""
    package = tmp_path / "nephrocohort"
    for folder in ("cohort", "report"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "cohort" / "a.py").write_text("def f():\n    from nephrocohort.report import b\n")
    (package / "report" / "b.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from nephrocohort.cohort.a import f\n"
        "if TYPE_CHECKING:\n    from nephrocohort.cli import app\n"
    )
    fake = import_graph(package)
    assert _edges(fake) == {
        ("nephrocohort.cohort.a", "nephrocohort.report.b"),
        ("nephrocohort.report.b", "nephrocohort.cohort.a"),
    }
    assert set(_cycle(fake)) == {"nephrocohort.cohort.a", "nephrocohort.report.b"}
