"""Doctests of the refutation layer's modules.

tests/test_doctests.py walks ``dagcore.__path__``, which does not reach ``dagcore.estimators`` (installed from
``estimators/`` through package-dir), so the refutation modules' examples are run here.
"""

import doctest
import importlib

import pytest

MODULES = [
    "dagcore.estimators.sensitivity",
    "dagcore.estimators.refute",
    "dagcore.estimators.local_tests",
    "dagcore.estimators.analysis",
    "dagcore.estimators.report",
    "dagcore.cli.analysis",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
    if name not in ("dagcore.estimators.analysis", "dagcore.cli.analysis"):
        assert result.attempted > 0, f"no doctest examples in {name}"
