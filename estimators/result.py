"""The :class:`Estimate` value returned by every estimator."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Estimate", "TARGETS", "jsonable"]

#: Causal targets an estimate can report: average effect over everyone (ATE), the treated (ATT), the
#: untreated (ATC), the overlap-weighted population (ATO), conditional on covariates (CATE), the
#: compliers (LATE), natural direct / indirect and controlled direct effects (NDE, NIE, CDE), and the
#: risk difference, risk ratio and odds ratio of a binary outcome (RD, RR, OR).
TARGETS: tuple[str, ...] = ("ATE", "ATT", "ATC", "ATO", "CATE", "LATE", "NDE", "NIE", "CDE", "RD", "RR", "OR")


def _check_target(target: object) -> str:
    """``target`` when it is one of :data:`TARGETS`, optionally followed by a qualifier in words."""
    from dagcore.errors import EstimatorError

    if isinstance(target, str):
        code, sep, qualifier = target.partition(" ")
        if code in TARGETS and (not sep or qualifier.strip()):
            return target
    raise EstimatorError(
        f"unknown estimate target {target!r}; a target is one of {', '.join(TARGETS)}, "
        "optionally followed by a qualifier in words (e.g. 'ATE per unit of treatment')"
    )


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a setting's value (containers by content, anything unhashable by repr)."""
    if isinstance(value, Mapping):
        return frozenset((str(k), _frozen(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_frozen(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: mappings and sequences recursively, ``to_dict()`` objects, numpy scalars; NaN/inf as None.

    Examples
    --------
    >>> jsonable({"n": 3, "ci": (0.1, float("nan")), "s": {"b", "a"}})
    {'n': 3, 'ci': [0.1, None], 's': ['a', 'b']}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)



@dataclass(frozen=True)
class Estimate:
    """A point estimate with its uncertainty, diagnostics and provenance.

    Parameters
    ----------
    value : float
        The point estimate.
    se : float
        Its standard error.
    ci : (float, float)
        Confidence interval at ``level``.
    level : float
        Confidence level, e.g. 0.95.
    target : str
        What is estimated: one of :data:`TARGETS`, optionally followed by a
        qualifier in words (``"ATE per unit of treatment (linear model)"``);
        anything else raises :class:`~dagcore.errors.EstimatorError`.
    method : str
        The estimator's short name (e.g. ``"ipw"``).
    settings : mapping
        The estimator's parameters, as given.
    inference : str
        How SE and CI were obtained, in words ("sandwich (HC1)",
        "influence function", "bootstrap, B=200", ...).
    n : int
        Rows used.
    diagnostics : mapping
        Balance, overlap, effective sample size, first-stage F, ...
    warnings : tuple of str
        Warnings raised while fitting, in words.
    estimand : Estimand, optional
        What was estimated.
    estimator : object, optional
        The fitted estimator (lets refuters re-run it with the same settings).

    Notes
    -----
    An estimate is an immutable value: two estimates are equal, and hash
    alike, when their numbers (a NaN equals a NaN), target, method, settings, inference, sample
    size and warnings are equal. ``diagnostics``, ``estimand`` and
    ``estimator`` are left out of equality and hashing (they hold arrays,
    tables and fitted models; the estimand is recorded in ``to_dict``).
    ``settings`` is copied at construction, so changing the mapping passed
    in does not change the estimate.

    Examples
    --------
    >>> e = Estimate(value=1.5, se=0.5, ci=(0.52, 2.48), level=0.95, target="ATE", method="ols", n=100)
    >>> print(e.summary().splitlines()[0])
    ATE = 1.5 (SE 0.5, 95% CI 0.52 to 2.48), method ols, n = 100
    >>> e == Estimate(value=1.5, se=0.5, ci=(0.52, 2.48), target="ATE", method="ols", n=100), len({e, e})
    (True, 1)
    >>> Estimate(value=1.5, se=0.5, ci=(0.5, 2.5), target="effect")
    Traceback (most recent call last):
    ...
    dagcore.errors.EstimatorError: unknown estimate target 'effect'; a target is one of ATE, ATT, ATC, ATO, ...
    """

    value: float
    se: float
    ci: tuple[float, float]
    level: float = 0.95
    target: str = "ATE"
    method: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    inference: str = ""
    n: int = 0
    diagnostics: Mapping[str, Any] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = ()
    estimand: Any = field(default=None, compare=False, repr=False)
    estimator: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "se", float(self.se))
        lo, hi = self.ci
        object.__setattr__(self, "ci", (float(lo), float(hi)))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "settings", dict(self.settings))
        _check_target(self.target)

    def _key(self) -> tuple[Any, ...]:
        """What equality and hashing compare; a NaN (an SE with no inference, say) equals a NaN here."""
        numbers = tuple("nan" if math.isnan(v) else v for v in (self.value, self.se, *self.ci, self.level))
        return (numbers, self.target, self.method, _frozen(self.settings), self.inference, self.n, self.warnings)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Estimate) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def summary(self) -> str:
        """A few lines for a terminal."""
        pct = f"{self.level * 100:g}%"
        lines = [
            f"{self.target} = {self.value:.4g} (SE {self.se:.4g}, {pct} CI {self.ci[0]:.4g} to {self.ci[1]:.4g}), "
            f"method {self.method}, n = {self.n}"
        ]
        if self.inference:
            lines.append(f"  inference: {self.inference}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (:func:`jsonable`) of every field but the fitted ``estimator``; a NaN SE or CI is None."""
        return jsonable({f.name: getattr(self, f.name) for f in fields(self) if f.name != "estimator"})

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def _repr_html_(self) -> str:
        """A table for Jupyter: target, estimate, SE, CI, rows used, method, inference and warnings."""
        from html import escape

        pct = f"{self.level * 100:g}%"
        cells = [
            ("target", self.target), ("estimate", f"{self.value:.4g}"), ("SE", f"{self.se:.4g}"),
            (f"{pct} CI", f"{self.ci[0]:.4g} to {self.ci[1]:.4g}"), ("rows used", str(self.n)),
            ("method", self.method), ("inference", self.inference),
        ]
        rows = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in cells)
        rows += "".join(f"<tr><th style='text-align:left'>warning</th><td>{escape(w)}</td></tr>" for w in self.warnings)
        return f"<table class='dagcore-estimate'>{rows}</table>"
