"""One-way imports, enforced on the source.

The import graph is built from the package's source with :mod:`ast`: every
``import`` and ``from ... import`` statement, at module level *and* inside
functions and methods, relative imports resolved, plus
``importlib.import_module("literal")`` / ``__import__("literal")`` calls and the
string tables the lazy facades and the CLI load modules from (a string
constant that is exactly the dotted name of one of the package's modules).
Files are mapped to module names through the setuptools ``packages`` and
``package-dir`` of ``pyproject.toml`` (``grammar/`` is ``dagcore.grammar``,
``estimators/`` is ``dagcore.estimators``), and the test checks that the
installed package imports from those same folders.

Rules, in the order the tests check them:

* **Excluded imports.** Imports inside an ``if TYPE_CHECKING:`` block are left
  out: they never run. Importing ``a.b.c`` also runs ``a/__init__`` and
  ``a/b/__init__``; those implicit parent imports are not edges, otherwise
  every module would depend on the top facade.
* **No cycle** between modules (strongly connected components of the graph).
  A package ``__init__`` importing its own children is a facade, not a
  dependency, and is left out of the cycle check: such an edge can only close
  a cycle together with a child importing its own package's ``__init__``,
  and that edge is reported on its own by the layering rule below, with a
  clearer message. The one allowed upward edge (below) is also left out: it
  runs at call time, after both modules are loaded.
* **Layers** (imports point one way, down this list): model
  (``dagcore.errors``, ``dagcore.graph``, ``dagcore.estimand``, the shared
  helpers ``dagcore._lazy`` and ``dagcore._traverse``) <- language
  (``dagcore.grammar.*``) <- structure (``dagcore.structure.*``,
  ``dagcore.rendering``, ``dagcore.random``) <- identification
  (``dagcore.identification.*``, ``dagcore.testing``) <- estimators
  (``dagcore.estimators.*`` except ``report``) <- report
  (``dagcore.estimators.report.*``) <- cli (``dagcore.cli.*``,
  ``dagcore.__main__``). A module may import its own layer and the layers
  below it. Every module of the package must belong to a layer or be a
  facade, so a new module cannot escape the check.
* **Facades.** ``dagcore/__init__`` and ``estimators/__init__`` are the lazy
  public facades: they may import anything, and nothing inside the package may
  import them (``from dagcore import identify`` inside the estimators must be
  ``from dagcore.identification import identify``): a facade hides the real
  dependency and can close a cycle at call time. The only exception is the
  version string ``__version__``, which the top facade defines eagerly and
  which imports nothing. No module may import the ``__init__`` of a package
  that contains it either (a circular import at load time).
* **The one upward edge:** ``CausalGraph._repr_svg_`` (the graph model) calls
  :func:`dagcore.rendering.render` so that Jupyter shows a graph as SVG.
* **Private names stay in their subpackage.** A private name (``_x``, not a
  dunder) or a private module (``pkg/_x.py``) belongs to the package that
  defines it; importing it, or reading it as an attribute of an imported
  module, from another package fails. ``dagcore``, ``dagcore.structure``,
  ``dagcore.identification``, ``dagcore.grammar``, ``dagcore.cli``,
  ``dagcore.estimators`` and each subpackage of the estimators are different
  packages for this rule. ``_SHARED_PRIVATE_MODULES`` names the private
  modules that are meant to be shared, each with the reason.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest depends on tomli before Python 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

#: Layers from the bottom up; a module may import its own layer and those below it.
#: Patterns are matched in this order of specificity: report before estimators.
LAYERS: dict[str, tuple[str, ...]] = {
    "model": ("dagcore.errors", "dagcore.graph", "dagcore.marked", "dagcore.equivalence", "dagcore.estimand", "dagcore.files", "dagcore.vocabulary", "dagcore._lazy", "dagcore._traverse"),
    "language": ("dagcore.grammar", "dagcore.grammar.*"),
    "structure": ("dagcore.structure", "dagcore.structure.*", "dagcore.rendering", "dagcore.random"),
    "identification": ("dagcore.identification", "dagcore.identification.*", "dagcore.testing"),
    "estimators": ("dagcore.estimators.*",),
    "report": ("dagcore.estimators.report", "dagcore.estimators.report.*"),
    "cli": ("dagcore.cli", "dagcore.cli.*", "dagcore.__main__"),
}
RANK = {name: rank for rank, name in enumerate(LAYERS)}

#: The lazy public facades: they may import anything, nothing inside the package may import them.
FACADES = frozenset({"dagcore", "dagcore.estimators"})

#: Names a facade defines eagerly (they import nothing), so a module may import them from it.
EAGER_FACADE_NAMES = frozenset({"__version__"})

#: (importer, target, enclosing function): the only import against the layering.
ALLOWED_UPWARD: frozenset[tuple[str, str, str]] = frozenset(
    {
        # Jupyter shows a CausalGraph as SVG; the import runs at call time, inside the method.
        ("dagcore.graph", "dagcore.rendering", "CausalGraph._repr_svg_"),
    }
)

#: Private modules meant to be shared, and the package whose modules may import them.
_SHARED_PRIVATE_MODULES: dict[str, str] = {
    # the lazy-export helper both facades use, and the one place that walks adjacency: top-level
    # private modules written for every layer of the package
    "dagcore._lazy": "dagcore",
    "dagcore._traverse": "dagcore",
    # the one validation / design-matrix layer, the one nuisance-learner factory, the one K-fold row layout, the one bootstrap and the one
    # parallel runner of the estimators: shared by every estimator subpackage, private to the estimators
    "dagcore.estimators._data": "dagcore.estimators",
    "dagcore.estimators._nuisance": "dagcore.estimators",
    "dagcore.estimators._folds": "dagcore.estimators",
    "dagcore.estimators._resample": "dagcore.estimators",
    "dagcore.estimators._parallel": "dagcore.estimators",
}


@dataclass(frozen=True)
class Import:
    """One import of ``target`` by ``importer``.

    ``names`` are the names taken from ``target`` (empty for ``import target``);
    ``scope`` is the enclosing function or class (``""`` at module level).
    """

    importer: str
    target: str
    names: tuple[str, ...] = ()
    line: int = 0
    scope: str = ""

    def __str__(self) -> str:
        where = f"{self.importer}:{self.line}" + (f" (in {self.scope})" if self.scope else "")
        what = f" [{', '.join(self.names)}]" if self.names else ""
        return f"{where} -> {self.target}{what}"


# --------------------------------------------------------------------------- source -> modules


def package_modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> source file, from the setuptools ``packages`` and ``package-dir``."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package_dir: Mapping[str, str] = config.get("package-dir", {})
    modules: dict[str, Path] = {}
    for package in config["packages"]:
        # the longest package-dir prefix decides the folder; the rest of the name is sub-folders
        parts = package.split(".")
        for cut in range(len(parts), -1, -1):
            prefix = ".".join(parts[:cut])
            if prefix in package_dir or cut == 0:
                base = Path(package_dir.get(prefix, ""))
                folder = root / base.joinpath(*parts[cut:])
                break
        assert (folder / "__init__.py").is_file(), f"package {package}: no {folder}/__init__.py"
        for path in sorted(folder.glob("*.py")):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return modules


def is_package(module: str, modules: Mapping[str, Path]) -> bool:
    return modules[module].name == "__init__.py"


def package_of(module: str, modules: Mapping[str, Path]) -> str:
    """The package a module belongs to: itself for a package ``__init__``, else its parent."""
    return module if is_package(module, modules) else module.rpartition(".")[0]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, module: str, modules: Mapping[str, Path]) -> None:
        self.module = module
        self.modules = modules
        self.package = package_of(module, modules) if module in modules else module.rpartition(".")[0]
        self.scope: list[str] = []
        self.imports: list[Import] = []
        self.aliases: dict[str, str] = {}  # local name -> internal module it is bound to

    # -- helpers
    def _internal(self, name: str) -> str | None:
        """The longest prefix of ``name`` that is a module of the package (None for outside modules)."""
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in self.modules:
                return candidate
        return None

    def _add(self, target: str, names: Iterable[str], node: ast.AST) -> None:
        self.imports.append(Import(self.module, target, tuple(names), getattr(node, "lineno", 0), ".".join(self.scope)))

    # -- scopes
    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):  # never runs: excluded on purpose
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    # -- imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            target = self._internal(alias.name)
            if target is None:
                continue
            self._add(target, (), node)
            if alias.asname:
                self.aliases[alias.asname] = target
            else:  # `import a.b.c` binds `a`
                root = alias.name.split(".")[0]
                if root in self.modules:
                    self.aliases[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        if self._internal(source) is None:
            return
        plain: list[str] = []
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in self.modules:  # `from pkg import module`
                self._add(submodule, (), node)
                self.aliases[alias.asname or alias.name] = submodule
            else:
                plain.append(alias.name)
        if plain or not node.names:
            self._add(self._internal(source) or source, plain, node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("import_module", "__import__") and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                target = self._internal(arg.value)
                if target is not None:
                    self._add(target, (), node)
        self.generic_visit(node)

    def _visit_assignment(self, node: ast.Assign | ast.AnnAssign) -> None:
        # a module-level table of module names (the facades' `_EXPORTS`, the CLI's `COMMAND_MODULES`)
        # is how modules are imported by name: each entry that names a package module is an edge
        if not self.scope and node.value is not None:
            value = node.value
            entries = value.values if isinstance(value, ast.Dict) else getattr(value, "elts", [])
            for entry in entries if isinstance(value, (ast.Dict, ast.Tuple, ast.List, ast.Set)) else []:
                if isinstance(entry, ast.Constant) and isinstance(entry.value, str) and entry.value in self.modules:
                    self._add(entry.value, (), entry)
        self.generic_visit(node)

    visit_Assign = visit_AnnAssign = _visit_assignment

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # `module._private` read through an imported module counts as importing `_private`
        chain: list[str] = []
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in self.aliases and _is_private(node.attr):
            dotted = ".".join([self.aliases[value.id], *reversed(chain)])
            owner, _, attr = dotted.rpartition(".")
            if owner in self.modules and attr == node.attr:
                self._add(owner, (attr,), node)
        self.generic_visit(node)


def collect_imports(module: str, source: str, modules: Mapping[str, Path]) -> list[Import]:
    """Every import of a package module in ``source`` (the code of ``module``)."""
    collector = _ImportCollector(module, modules)
    collector.visit(ast.parse(source))
    return collector.imports


def import_graph(modules: Mapping[str, Path]) -> list[Import]:
    imports: list[Import] = []
    for module, path in modules.items():
        imports.extend(collect_imports(module, path.read_text(encoding="utf-8"), modules))
    return imports


# --------------------------------------------------------------------------- the checks


def layer_of(module: str) -> str | None:
    """The layer of a module (None for a facade or an unknown module); the most specific pattern wins."""
    if module in FACADES:
        return None
    for layer in sorted(LAYERS, key=lambda name: name != "report"):  # report is inside estimators.*
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in LAYERS[layer]):
            return layer
    return None


def cycles(imports: Iterable[Import], modules: Mapping[str, Path]) -> list[list[str]]:
    """One cycle per strongly connected component of the import graph (rules in the module docstring)."""
    graph = nx.DiGraph()
    for imp in imports:
        if imp.importer == imp.target:
            continue
        if is_package(imp.importer, modules) and imp.target.startswith(imp.importer + "."):
            continue  # a package __init__ importing its own children (a facade)
        if (imp.importer, imp.target, imp.scope) in ALLOWED_UPWARD:
            continue
        graph.add_edge(imp.importer, imp.target)
    found = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            nodes = [edge[0] for edge in nx.find_cycle(graph.subgraph(component))]
            start = nodes.index(min(nodes))  # the same cycle always reads the same way
            nodes = nodes[start:] + nodes[:start]
            found.append([*nodes, nodes[0]])
    return sorted(found)


def layering_violations(imports: Iterable[Import], modules: Mapping[str, Path]) -> list[str]:
    """Edges against the layers, into a facade, or into an own ancestor package; and unassigned modules."""
    problems = [f"{m}: belongs to no layer (add it to LAYERS)" for m in modules if m not in FACADES and layer_of(m) is None]
    for imp in imports:
        importer, target = imp.importer, imp.target
        if importer == target:
            continue
        if target in FACADES and importer not in FACADES:
            if imp.names and set(imp.names) <= EAGER_FACADE_NAMES:
                continue
            problems.append(f"{imp}: imports the facade {target}; import from the defining module instead")
            continue
        if importer.startswith(target + ".") and is_package(target, modules):
            problems.append(f"{imp}: imports the __init__ of its own package {target} (circular at load time)")
            continue
        if importer in FACADES:
            continue
        low, high = layer_of(target), layer_of(importer)
        if low is not None and high is not None and RANK[low] > RANK[high]:
            if (importer, target, imp.scope) in ALLOWED_UPWARD:
                continue
            problems.append(f"{imp}: {high} imports {low}, a higher layer")
    return sorted(problems)


def private_imports(imports: Iterable[Import], modules: Mapping[str, Path]) -> list[tuple[Import, str]]:
    """(import, private name or module) pairs that cross from one package into another."""
    found = []
    for imp in imports:
        here = package_of(imp.importer, modules)
        # a private module anywhere in the target's dotted name
        parts = imp.target.split(".")
        for i, part in enumerate(parts):
            if _is_private(part):
                private_module = ".".join(parts[: i + 1])
                owner = ".".join(parts[:i])
                shared = _SHARED_PRIVATE_MODULES.get(private_module)
                allowed = here == owner or (shared is not None and (here == shared or here.startswith(shared + ".")))
                if not allowed:
                    found.append((imp, private_module))
                break
        owner = package_of(imp.target, modules) if imp.target in modules else imp.target.rpartition(".")[0]
        found.extend((imp, name) for name in imp.names if _is_private(name) and here != owner)
    return found


# --------------------------------------------------------------------------- the package


@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    return package_modules()


@pytest.fixture(scope="module")
def imports(modules: dict[str, Path]) -> list[Import]:
    return import_graph(modules)


def test_pyproject_maps_to_the_installed_packages(modules: dict[str, Path]) -> None:
    """The source read here is the code that `import dagcore...` runs."""
    packages = [m for m in modules if is_package(m, modules)]
    assert {"dagcore", "dagcore.grammar", "dagcore.estimators", "dagcore.cli"} <= set(packages)
    for package in packages:
        installed = Path(importlib.import_module(package).__file__ or "").resolve()
        assert installed == modules[package].resolve(), f"{package} imports from {installed}"


def test_the_graph_sees_function_level_imports(imports: list[Import]) -> None:
    """A sanity check on the collector: known lazy imports inside functions are edges."""
    edges = {(i.importer, i.target, i.scope) for i in imports}
    assert ("dagcore.graph", "dagcore.rendering", "CausalGraph._repr_svg_") in edges
    assert any(i.importer == "dagcore" and i.target == "dagcore.structure.dseparation" for i in imports)  # _EXPORTS
    assert any(i.importer == "dagcore.cli" and i.target == "dagcore.cli.structure" for i in imports)  # COMMAND_MODULES


def test_no_import_cycle(imports: list[Import], modules: dict[str, Path]) -> None:
    found = cycles(imports, modules)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_imports_follow_the_layers(imports: list[Import], modules: dict[str, Path]) -> None:
    problems = layering_violations(imports, modules)
    assert not problems, "imports against the layering:\n" + "\n".join(problems)


def test_no_private_name_crosses_a_package(imports: list[Import], modules: dict[str, Path]) -> None:
    found = private_imports(imports, modules)
    problems = [f"{imp}: private {name}" for imp, name in found]
    assert not problems, "private names imported across packages:\n" + "\n".join(sorted(problems))


def test_an_estimator_says_what_it_serves_without_the_registry() -> None:
    """``CausalEstimator`` no longer imports the registry (that closed a cycle); its message still helps."""
    from dagcore.errors import EstimatorError
    from dagcore.estimand import Estimand
    from dagcore.estimators.iv import TwoStageLeastSquares

    with pytest.raises(EstimatorError, match=r"2sls cannot serve a 'backdoor' estimand \(it serves: iv\); .*methods_for"):
        TwoStageLeastSquares().fit(None, Estimand(treatment=("t",), outcome=("y",), strategy="backdoor"))


# --------------------------------------------------------------------------- the checker itself


_TOY: dict[str, Path] = {
    name: Path(f"{name.replace('.', '/')}.py" if not pkg else f"{name.replace('.', '/')}/__init__.py")
    for name, pkg in [
        ("dagcore", True),
        ("dagcore.graph", False),
        ("dagcore.errors", False),
        ("dagcore.structure", True),
        ("dagcore.structure.paths", False),
        ("dagcore.structure._util", False),
        ("dagcore.identification", True),
        ("dagcore.identification.adjust", False),
        ("dagcore.estimators", True),
        ("dagcore.estimators.base", False),
    ]
}


def test_collector_reads_every_kind_of_import() -> None:
    source = '''
"""dagcore.errors"""
from typing import TYPE_CHECKING
import logging
log = logging.getLogger("dagcore")
TABLE = {"name": "dagcore.identification"}
import os
from . import paths
from ._util import helper
import dagcore.graph as g
if TYPE_CHECKING:
    from dagcore.estimators.base import Estimator

def f():
    from dagcore.identification.adjust import thing
    import importlib
    importlib.import_module("dagcore.errors")
    return g._private, paths._hidden

class C:
    def m(self):
        from dagcore import estimators
'''
    found = {(i.target, i.names, i.scope) for i in collect_imports("dagcore.structure.dseparation", source, _TOY)}
    assert found == {
        ("dagcore.identification", (), ""),
        ("dagcore.structure.paths", (), ""),
        ("dagcore.structure._util", ("helper",), ""),
        ("dagcore.graph", (), ""),
        ("dagcore.identification.adjust", ("thing",), "f"),
        ("dagcore.errors", (), "f"),
        ("dagcore.graph", ("_private",), "f"),
        ("dagcore.structure.paths", ("_hidden",), "f"),
        ("dagcore.estimators", (), "C.m"),
    }


def test_checker_finds_a_cycle_an_upward_edge_a_facade_import_and_a_private_name() -> None:
    toy = [
        Import("dagcore.graph", "dagcore.errors"),
        Import("dagcore.errors", "dagcore.graph", scope="f"),  # a cycle through a function-level import
        Import("dagcore.structure.paths", "dagcore.identification.adjust"),  # upward
        Import("dagcore.identification.adjust", "dagcore", ("identify",)),  # the facade
        Import("dagcore.identification.adjust", "dagcore", ("__version__",)),  # allowed
        Import("dagcore.identification.adjust", "dagcore.structure.paths", ("_hidden",)),  # private across
        Import("dagcore.structure.paths", "dagcore.structure._util", ("helper",)),  # private module, same package
        Import("dagcore.identification.adjust", "dagcore.structure._util", ("helper",)),  # private module across
        Import("dagcore.structure", "dagcore.structure.paths"),  # a facade of its children: not a cycle
        Import("dagcore.structure.paths", "dagcore.structure"),  # ... but a child may not import its __init__
        Import("dagcore", "dagcore.estimators.base"),  # facades import anything
    ]
    assert cycles(toy, _TOY) == [
        ["dagcore.errors", "dagcore.graph", "dagcore.errors"],
        ["dagcore.identification.adjust", "dagcore.structure.paths", "dagcore.identification.adjust"],
    ]
    problems = layering_violations(toy, _TOY)
    assert len(problems) == 3, problems
    assert any("structure imports identification, a higher layer" in p for p in problems)
    assert any("imports the facade dagcore" in p and "identify" in p for p in problems)
    assert any("own package dagcore.structure" in p for p in problems)
    private = {(imp.importer, name) for imp, name in private_imports(toy, _TOY)}
    assert private == {
        ("dagcore.identification.adjust", "_hidden"),
        ("dagcore.identification.adjust", "dagcore.structure._util"),
    }


def test_layer_table_covers_the_examples_in_the_docstring() -> None:
    assert layer_of("dagcore.estimators.report.formats") == "report"
    assert layer_of("dagcore.estimators.backdoor.dml") == "estimators"
    assert layer_of("dagcore.grammar") == "language"
    assert layer_of("dagcore.__main__") == "cli"
    assert layer_of("dagcore") is None and layer_of("dagcore.estimators") is None
