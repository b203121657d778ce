"""Run every docstring example in the installed package (dagcore, dagcore.grammar, dagcore.estimators)."""

import doctest
import importlib
import pkgutil

import pytest

import dagcore


def _modules() -> list[str]:
    names = ["dagcore"]
    for info in pkgutil.walk_packages(dagcore.__path__, "dagcore."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("name", _modules())
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
