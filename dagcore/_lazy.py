"""Lazy exports for a package facade (PEP 562), the one implementation both facades use.

A facade lists ``name -> defining module``; a name is imported on first access
and then bound in the package's namespace, so later accesses are plain
attribute lookups. No exported name may equal a submodule's name: importing a
submodule binds it as an attribute of its package, which would shadow the
export (``tests/test_exports.py`` checks this for every package).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a facade that exports ``exports`` lazily.

    Parameters
    ----------
    package : str
        The facade's ``__name__`` (for the error message).
    namespace : dict
        The facade's ``globals()``: a resolved name is bound there.
    exports : mapping
        Exported name -> the module that defines it.

    Examples
    --------
    >>> getattr_, dir_ = lazy_exports("demo", {}, {"sqrt": "math"})
    >>> getattr_("sqrt")(9.0)
    3.0
    >>> dir_()
    ['sqrt']
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(namespace.get("__all__", exports))

    return __getattr__, __dir__
