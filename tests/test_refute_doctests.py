"""Doctests of the refutation layer's modules.

tests/test_doctests.py walks ``dagcore.__path__``, which does not reach ``dagcore.estimators`` (installed from
``estimators/`` through package-dir), so the refutation modules' examples are run here.
"""

import doctest
import importlib

import pytest

MODULES = [
    "dagcore.estimators.sensitivity.ovb",
    "dagcore.estimators.refutation.refuters",
    "dagcore.estimators.refutation.result",
    "dagcore.estimators.refutation._template",
    "dagcore.estimators.refutation._linear",
    "dagcore.estimators.refutation.local",
    "dagcore.estimators.report.analysis",
    "dagcore.estimators.report.formats",
    "dagcore.cli.analysis",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
    if name not in ("dagcore.estimators.report.analysis", "dagcore.cli.analysis"):
        assert result.attempted > 0, f"no doctest examples in {name}"
