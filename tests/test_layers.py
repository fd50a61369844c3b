"""The core's import graph: no cycles, and each layer imports only the layers below it.

Layers, lowest first (the folders under ``nlpkit/`` show them):

0. ``nlpkit.contracts`` — errors, registry, hook specs, Task/Model/Backend and the
   specs plugins register, typed options: what plugins and backends implement.
1. ``nlpkit.engines`` — compute shared by tasks: backends, head building blocks,
   the inference loop, training, readers, the metric base class.
2. ``nlpkit.plugins`` — the plugin manager and the core's own plugin.
3. ``nlpkit.resolution`` — names to things (models, metrics, datasets, tasks), with
   the registries passed in or taken from the loaded plugin manager.
4. the surface — ``nlpkit`` itself, ``nlpkit.api``, ``nlpkit.cli``, ``nlpkit.bench``,
   ``nlpkit.testing``.

Every import counts, including those inside functions (the lazy ones that hide
cycles); only ``if TYPE_CHECKING:`` blocks are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nlpkit

PACKAGE = Path(nlpkit.__file__).parent
LAYERS = {"nlpkit.contracts": 0, "nlpkit.engines": 1, "nlpkit.plugins": 2, "nlpkit.resolution": 3}
SURFACE = 4
LAYER_NAMES = ["contracts", "engines", "plugins", "resolution", "surface"]


def module_files() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def layer_of(module: str) -> int:
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return SURFACE


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The nlpkit modules `module` imports (anywhere but TYPE_CHECKING blocks) -> first line."""
    found: dict[str, int] = {}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    def add(name: str | None, line: int) -> None:
        if name and name != module:
            found.setdefault(name, line)

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if _is_type_checking(node.test):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            for alias in node.names:
                if alias.name == "nlpkit" or alias.name.startswith("nlpkit."):
                    add(known(alias.name), node.lineno)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != "nlpkit" and not source.startswith("nlpkit."):
                return
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                add(submodule if submodule in modules else known(source), node.lineno)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def import_graph() -> dict[str, dict[str, int]]:
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in sorted(modules.items())}


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_import_graph_sees_function_level_imports_and_skips_type_checking() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from nlpkit.b import X\ndef f():\n    from nlpkit.c import Y\n"
    modules = {"nlpkit.a": Path("a.py"), "nlpkit.b": Path("b.py"), "nlpkit.c": Path("c.py")}
    tmp = PACKAGE.parent / ".layers_probe.py"
    try:
        tmp.write_text(source, encoding="utf-8")
        assert imports_of("nlpkit.a", tmp, modules) == {"nlpkit.c": 5}
    finally:
        tmp.unlink()
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}}) is None


def test_no_import_cycle_among_nlpkit_modules() -> None:
    graph = import_graph()
    assert len(graph) > 20, "the graph must cover the package"
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(cycle, cycle[1:])]
        raise AssertionError("import cycle:\n  " + "\n  ".join(steps))


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = []
    for module, targets in import_graph().items():
        for target, line in targets.items():
            if layer_of(target) > layer_of(module):
                wrong.append(f"{module}:{line} ({LAYER_NAMES[layer_of(module)]}) imports {target} ({LAYER_NAMES[layer_of(target)]})")
    assert wrong == [], "upward imports:\n  " + "\n  ".join(wrong)


def test_every_layer_has_its_folder() -> None:
    for prefix in LAYERS:
        assert (PACKAGE.parent / prefix.replace(".", "/")).is_dir(), prefix
