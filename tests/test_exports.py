"""The public API: ``__all__`` lists exactly what ``dagcore`` exports, and every name resolves."""

import importlib

import dagcore


def test_every_exported_name_resolves() -> None:
    for name in dagcore.__all__:
        assert getattr(dagcore, name) is not None, name


def test_exported_names_are_defined_in_the_named_module() -> None:
    for name, module in dagcore._EXPORTS.items():
        assert hasattr(importlib.import_module(module), name), f"{module} does not define {name}"


def test_import_is_lazy() -> None:
    import subprocess
    import sys

    code = "import sys, dagcore, dagcore.graph; print(any(m in sys.modules for m in ('pandas', 'sklearn', 'statsmodels')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
