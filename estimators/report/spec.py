"""Analysis specification files: what ``dagcore analyze --spec FILE.toml`` runs, written down once.

A specification names the graph and the data (paths relative to the file),
the exposure and outcome, the target, the estimators with their settings
(formulas included), the refuters and their number of simulations, and the
local tests. Every key is used or refused: an unknown key is a
:class:`~dagcore.errors.SpecError` naming the file, the table and the key,
with a did-you-mean.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "analysis.toml"
>>> _ = path.write_text('''
... graph = "g.dag"
... data = "d.csv"
... [[estimators]]
... method = "ipw"
... propensity_formula = "x ~ z + I(z**2)"
... [refuters]
... n_simulations = 50
... ''')
>>> spec = load_spec(path)
>>> spec.graph.name, spec.n_simulations, spec.estimators[0]["propensity_formula"]
('g.dag', 50, 'x ~ z + I(z**2)')
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagcore.errors import SpecError

__all__ = ["AnalysisSpec", "load_spec"]

_TOP = ("graph", "data", "exposure", "outcome", "target", "estimators", "refuters", "local_tests", "random_state", "title")
_REFUTERS = ("names", "n_simulations", "n_jobs")
_LOCAL = ("run", "alpha", "correction")


@dataclass(frozen=True)
class AnalysisSpec:
    """A parsed analysis specification (see :func:`load_spec`).

    Attributes
    ----------
    path : Path
        The file it was read from.
    graph, data : Path or None
        The ``.dag`` file and the CSV, resolved against the file's folder.
    exposure, outcome, target : str or None
    estimators : tuple of dict
        Each ``{"method": name, **settings}``, in the order given (the first is the primary estimate).
    refuters : tuple of str or None
        Refuter names (None: all that apply).
    n_simulations, n_jobs, random_state : int or None
    local_tests : bool
    alpha : float or None
    correction : str or None
    title : str or None
    """

    path: Path
    graph: Path | None = None
    data: Path | None = None
    exposure: str | None = None
    outcome: str | None = None
    target: str | None = None
    estimators: tuple[dict[str, Any], ...] = ()
    refuters: tuple[str, ...] | None = None
    n_simulations: int | None = None
    n_jobs: int | None = None
    random_state: int | None = None
    local_tests: bool = True
    alpha: float | None = None
    correction: str | None = None
    title: str | None = None
    inputs: tuple[Path, ...] = field(default=(), repr=False)

    def analyze_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`~dagcore.estimators.report.analysis.analyze` this file sets."""
        out: dict[str, Any] = {
            "exposure": self.exposure, "outcome": self.outcome,
            "estimators": [dict(e) for e in self.estimators] or None, "refuters": self.refuters,
            "n_simulations": self.n_simulations, "n_jobs": self.n_jobs, "random_state": self.random_state,
            "alpha": self.alpha, "correction": self.correction, "local_tests": self.local_tests,
        }
        return {k: v for k, v in out.items() if v is not None}


def _unknown(path: Path, where: str, keys: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SpecError(f"{path}: unknown key {key!r} in {where}{hint} (known: {', '.join(known)})")


def _typed(path: Path, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise SpecError(f"{path}: {where} must be {what}, got {value!r}")
    if not isinstance(value, kind):
        raise SpecError(f"{path}: {where} must be {what}, got {value!r}")
    return value


def load_spec(path: str | Path) -> AnalysisSpec:
    """Read an analysis specification (TOML) and check every key.

    Parameters
    ----------
    path : str or Path
        A TOML file with top-level keys ``graph``, ``data`` (paths relative to
        the file), ``exposure``, ``outcome``, ``target``, ``random_state``,
        ``title``; an array of tables ``[[estimators]]``, each with ``method``
        and the estimator's settings (``formula``, ``propensity_formula``,
        ``n_bootstrap``, ...); a table ``[refuters]`` with ``names``,
        ``n_simulations``, ``n_jobs``; a table ``[local_tests]`` with ``run``,
        ``alpha``, ``correction``.

    Returns
    -------
    AnalysisSpec

    Raises
    ------
    SpecError
        The file is missing, is not TOML, or has an unknown key or a value of
        the wrong type (the message names the file and the key).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "a.toml"
    >>> _ = bad.write_text('grahp = "g.dag"')
    >>> load_spec(bad)
    Traceback (most recent call last):
    ...
    dagcore.errors.SpecError: ...a.toml: unknown key 'grahp' in the top level; did you mean 'graph'? ...
    """
    path = Path(path)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found, no-redef]
        except ImportError:
            raise SpecError("reading a .toml specification on Python 3.10 needs the package 'tomli' (pip install tomli)") from None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"analysis specification {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read the analysis specification {str(path)!r}: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{path}: not valid TOML: {err}") from None
    _unknown(path, "the top level", raw, _TOP)
    base = path.parent

    def file(key: str) -> Path | None:
        if key not in raw:
            return None
        return base / _typed(path, key, raw[key], str, "a path (a string)")

    def text(key: str) -> str | None:
        return None if key not in raw else _typed(path, key, raw[key], str, "a string")

    estimators: list[dict[str, Any]] = []
    for i, entry in enumerate(_typed(path, "estimators", raw.get("estimators", []), list, "an array of tables [[estimators]]")):
        where = f"[[estimators]] number {i + 1}"
        _typed(path, where, entry, dict, "a table")
        if "method" not in entry:
            raise SpecError(f"{path}: {where} has no 'method' (an estimator name such as \"ipw\")")
        _typed(path, f"{where}: method", entry["method"], str, "an estimator name (a string)")
        estimators.append(dict(entry))
    ref = _typed(path, "[refuters]", raw.get("refuters", {}), dict, "a table")
    _unknown(path, "[refuters]", ref, _REFUTERS)
    names = ref.get("names")
    if names is not None:
        _typed(path, "[refuters] names", names, list, "a list of refuter names")
        for n in names:
            _typed(path, "[refuters] names", n, str, "a list of refuter names")
    local = _typed(path, "[local_tests]", raw.get("local_tests", {}), dict, "a table")
    _unknown(path, "[local_tests]", local, _LOCAL)

    def number(table: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...], what: str) -> Any:
        return None if key not in table else _typed(path, where, table[key], kind, what)

    graph, data = file("graph"), file("data")
    return AnalysisSpec(
        path=path,
        graph=graph,
        data=data,
        exposure=text("exposure"),
        outcome=text("outcome"),
        target=text("target"),
        estimators=tuple(estimators),
        refuters=None if names is None else tuple(names),
        n_simulations=number(ref, "n_simulations", "[refuters] n_simulations", int, "a whole number"),
        n_jobs=number(ref, "n_jobs", "[refuters] n_jobs", int, "a whole number"),
        random_state=number(raw, "random_state", "random_state", int, "a whole number"),
        local_tests=bool(number(local, "run", "[local_tests] run", bool, "true or false") if "run" in local else True),
        alpha=number(local, "alpha", "[local_tests] alpha", (int, float), "a number"),
        correction=number(local, "correction", "[local_tests] correction", str, "a string"),
        title=text("title"),
        inputs=tuple(p for p in (path, graph, data) if p is not None),
    )
