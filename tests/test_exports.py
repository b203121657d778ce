"""The public API: ``__all__`` lists exactly what each facade exports, and no export can be shadowed.

The shadowing bug this guards against: a lazily exported function that shares
its name with a submodule (``dagcore.paths`` and ``dagcore/paths.py``) turns
into the module once anything imports that submodule, because importing a
submodule binds it as an attribute of its package. The pipeline test runs in
a fresh interpreter so the order of imports is the one a user gets.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import dagcore

#: The installed project's top-level packages (grammar/ and estimators/ are installed under dagcore).
ROOTS = ("dagcore", "dagcore.grammar", "dagcore.estimators")
#: The packages whose exports the pipeline test pins.
FACADES = ("dagcore", "dagcore.estimators", "dagcore.grammar")


def _all_modules() -> dict[str, bool]:
    """Every module of the installed project -> whether it is a package."""
    found = {root: True for root in ROOTS}
    for root in ROOTS:
        for info in pkgutil.walk_packages(importlib.import_module(root).__path__, root + "."):
            found[info.name] = info.ispkg
    return found


def test_every_exported_name_resolves() -> None:
    for name in dagcore.__all__:
        assert getattr(dagcore, name) is not None, name


def test_exported_names_are_defined_in_the_named_module() -> None:
    for facade in ("dagcore", "dagcore.estimators"):
        exports = importlib.import_module(facade)._EXPORTS
        for name, module in exports.items():
            assert hasattr(importlib.import_module(module), name), f"{facade}: {module} does not define {name}"


@pytest.mark.parametrize("facade", ["dagcore", "dagcore.estimators"])
def test_dir_is_exactly_all(facade: str) -> None:
    module = importlib.import_module(facade)
    assert dir(module) == sorted(module.__all__)
    assert len(set(module.__all__)) == len(module.__all__), "duplicates in __all__"


def _shadowing(modules: dict[str, bool], exports_of: Callable[[str], Iterable[str]]) -> list[str]:
    """Exports of each package that are also the name of one of its submodules or subpackages."""
    problems = []
    for package, ispkg in sorted(modules.items()):
        if ispkg:
            children = {name.rpartition(".")[2] for name in modules if name.rpartition(".")[0] == package}
            problems += [f"{package}.{n} is both an export and a submodule" for n in sorted(set(exports_of(package)) & children)]
    return problems


def test_no_export_shares_its_name_with_a_submodule() -> None:
    """Static: in every package of the project, ``__all__`` and the submodule names are disjoint."""
    modules = _all_modules()
    assert {"dagcore.structure", "dagcore.identification", "dagcore.cli", "dagcore.estimators.report"} <= set(modules)
    problems = _shadowing(modules, lambda package: getattr(importlib.import_module(package), "__all__", ()))
    assert not problems, "\n".join(problems)


def test_shadowing_check_can_fail() -> None:
    toy = {"pkg": True, "pkg.paths": False, "pkg.sub": True, "pkg.sub.roles": False}
    exports = {"pkg": ["paths", "roles"], "pkg.sub": ["roles"]}
    assert _shadowing(toy, exports.__getitem__) == [
        "pkg.paths is both an export and a submodule",
        "pkg.sub.roles is both an export and a submodule",
    ]


# The pipeline, in a fresh interpreter: resolve every export first, run every step, then compare with `is`.
_PIPELINE = textwrap.dedent(
    """
    import importlib, json, shutil, sys, types, warnings
    from pathlib import Path

    import dagcore
    from dagcore.estimators import estimate as estimate_from_estimators
    from dagcore.grammar import parse as parse_from_grammar

    out = Path(sys.argv[1])
    facades = {name: importlib.import_module(name) for name in sys.argv[2].split(",")}
    before = {f: {n: getattr(m, n) for n in m.__all__} for f, m in facades.items()}
    notes = []

    import numpy as np, pandas as pd

    g = dagcore.parse("dag { Z -> X -> M -> Y  W -> X  W -> Y  X [exposure]  Y [outcome] }")
    table = dagcore.roles(g)
    found = list(dagcore.paths(g, "X", "Y"))
    estimand = dagcore.identify(g)
    ivs = list(dagcore.instruments(g))
    if shutil.which("dot"):
        dagcore.render(g, out / "pipeline.svg")
        assert (out / "pipeline.svg").read_text().lstrip().startswith(("<?xml", "<svg")), "render wrote no SVG"
    else:
        notes.append("render step skipped: Graphviz 'dot' is not installed")
    rng = np.random.default_rng(0)
    n = 400
    w = rng.normal(size=n)
    z = rng.normal(size=n)
    x = (rng.random(n) < 1 / (1 + np.exp(-(w + z)))).astype(float)
    m = x + rng.normal(size=n)
    y = 2 * m + w + rng.normal(size=n)
    df = pd.DataFrame({"W": w, "Z": z, "X": x, "M": m, "Y": y})
    est = dagcore.estimate(estimand, df, method="regression")
    refutations = dagcore.refute(est, df, methods=["placebo_treatment"], n_simulations=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = dagcore.analyze(g, df, estimators=["regression"], refuters=["placebo_treatment"], n_simulations=5)
    assert len(found) == 2 and len(table) == 3 and estimand.identified and ivs and refutations and analysis

    # every step ran: now every export must still be the object it was, and every function callable
    problems = []
    for facade, module in facades.items():
        for name, value in before[facade].items():
            now = getattr(module, name)
            if now is not value:
                problems.append(f"{facade}.{name} changed from {value!r} to {now!r}")
            if isinstance(now, types.ModuleType):
                problems.append(f"{facade}.{name} is a module")
            elif name[0].islower() and not callable(now):
                problems.append(f"{facade}.{name} is not callable")
    if not (estimate_from_estimators is dagcore.estimate and callable(estimate_from_estimators)):
        problems.append("from dagcore.estimators import estimate did not give the function")
    if not isinstance(parse_from_grammar, types.FunctionType):
        problems.append("from dagcore.grammar import parse did not give the function")
    print(json.dumps({"problems": problems, "notes": notes, "checked": sum(map(len, before.values()))}))
    """
)


def test_pipeline_leaves_every_export_in_place(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _PIPELINE, str(tmp_path), ",".join(FACADES)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not report["problems"], "\n".join(report["problems"])
    n_exports = sum(len(importlib.import_module(f).__all__) for f in FACADES)
    assert report["checked"] == n_exports
    for note in report["notes"]:
        pytest.skip(note)  # only the render step was left out; everything else above was checked


def test_exports_are_not_modules_in_this_process() -> None:
    """In the test session nearly every submodule is imported by now: the exports must still be functions."""
    for facade in FACADES:
        module = importlib.import_module(facade)
        for name in module.__all__:
            assert not isinstance(getattr(module, name), types.ModuleType), f"{facade}.{name}"


def test_import_is_lazy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import dagcore, dagcore.graph, dagcore.structure, dagcore.identification, dagcore.grammar
        g = dagcore.parse("dag { W -> X -> Y  W -> Y  X [exposure]  Y [outcome] }")
        assert dagcore.identify(g).identified
        print(sorted(m for m in ("pandas", "sklearn", "statsmodels") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
