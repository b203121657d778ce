"""The :class:`Estimate` value returned by every estimator."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Estimate", "Overlap", "OVERLAP_VERDICTS", "TARGETS", "jsonable"]

#: Causal targets an estimate can report: average effect over everyone (ATE), the treated (ATT), the
#: untreated (ATC), the overlap-weighted population (ATO), a weighted average of the conditional effects
#: with data-driven weights (WATE: the treatment coefficient of a model without treatment interactions,
#: weighted by the conditional variance of the treatment), conditional on covariates (CATE), the
#: compliers (LATE), natural direct / indirect and controlled direct effects (NDE, NIE, CDE), and the
#: risk difference, risk ratio and odds ratio of a binary outcome (RD, RR, OR).
TARGETS: tuple[str, ...] = ("ATE", "ATT", "ATC", "ATO", "WATE", "CATE", "LATE", "NDE", "NIE", "CDE", "RD", "RR", "OR")


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

#: Overlap verdicts, best first.
OVERLAP_VERDICTS: tuple[str, ...] = ("good", "weak", "none")


@dataclass(frozen=True)
class Overlap:
    """Propensity-score overlap of the treated and untreated units, as measured by an estimator.

    Computed by :func:`dagcore.estimators.diagnostics.assess_overlap` (which
    states the rule of the verdict) and stored on :attr:`Estimate.overlap` by
    every estimator that uses a propensity model.

    Attributes
    ----------
    verdict : str
        ``"good"``, ``"weak"`` or ``"none"``.
    rule : str
        The rule that gave the verdict, in words, with its thresholds.
    reasons : tuple of str
        The parts of the rule that fired, with the numbers ("83.1% of units outside [0.01, 0.99]").
    target : str
        The estimand the weights aim at (``ATE``, ``ATT``, ``ATC``, ``ATO``): which tail matters depends on it.
    n_treated, n_control : int
        Units per arm.
    treated_range, control_range : (float, float)
        Smallest and largest propensity score per arm.
    share_outside_05, share_outside_01 : float
        Share of all units with a propensity outside [0.05, 0.95] and outside [0.01, 0.99].
    share_outside_05_by_arm, share_outside_01_by_arm : mapping
        The same per arm (``{"treated": ..., "control": ...}``).
    ess_treated, ess_control : float
        Kish's effective sample size ``(Σw)² / Σw²`` of the target's weights in each arm.
    max_weight : float
        The largest weight given to one unit, as a share of its arm's total weight (0 to 1),
        under ``max_weight_share``; ``max_weight`` is the largest raw weight.
    separation : str
        When the propensity model could not be fit because the covariates separate the arms,
        the explanation (with the columns involved); empty otherwise.

    Examples
    --------
    >>> o = Overlap(verdict="weak", rule="...", target="ATE", n_treated=10, n_control=90)
    >>> o.to_dict()["verdict"], o.is_good
    ('weak', False)
    """

    verdict: str
    rule: str
    reasons: tuple[str, ...] = ()
    target: str = "ATE"
    n_treated: int = 0
    n_control: int = 0
    treated_range: tuple[float, float] = (math.nan, math.nan)
    control_range: tuple[float, float] = (math.nan, math.nan)
    share_outside_05: float = math.nan
    share_outside_01: float = math.nan
    share_outside_05_by_arm: Mapping[str, float] = field(default_factory=dict)
    share_outside_01_by_arm: Mapping[str, float] = field(default_factory=dict)
    ess_treated: float = math.nan
    ess_control: float = math.nan
    max_weight: float = math.nan
    max_weight_share: float = math.nan
    separation: str = ""

    def __post_init__(self) -> None:
        from dagcore.errors import EstimatorError

        if self.verdict not in OVERLAP_VERDICTS:
            raise EstimatorError(f"overlap verdict must be one of {', '.join(OVERLAP_VERDICTS)}, got {self.verdict!r}")
        object.__setattr__(self, "reasons", tuple(self.reasons))

    @property
    def is_good(self) -> bool:
        """Whether the verdict is ``good``."""
        return self.verdict == "good"

    def describe(self) -> str:
        """One sentence with the verdict and the numbers behind it.

        Examples
        --------
        >>> Overlap(verdict="good", rule="r", n_treated=5, n_control=5, treated_range=(0.2, 0.8),
        ...         control_range=(0.1, 0.7), share_outside_05=0.0, share_outside_01=0.0,
        ...         ess_treated=4.5, ess_control=4.8).describe()
        'overlap good: propensity treated 0.2 to 0.8, control 0.1 to 0.7; 0% of units outside [0.05, 0.95], 0% outside [0.01, 0.99]; effective sample size treated 4.5 of 5, control 4.8 of 5'
        """
        if self.separation:
            return f"overlap {self.verdict}: {self.separation}"
        t0, t1 = self.treated_range
        c0, c1 = self.control_range
        text = (
            f"overlap {self.verdict}: propensity treated {t0:.3g} to {t1:.3g}, control {c0:.3g} to {c1:.3g}; "
            f"{_pct(self.share_outside_05)} of units outside [0.05, 0.95], {_pct(self.share_outside_01)} outside [0.01, 0.99]; "
            f"effective sample size treated {self.ess_treated:.4g} of {self.n_treated}, control {self.ess_control:.4g} of {self.n_control}"
        )
        if math.isfinite(self.max_weight_share) and self.max_weight_share > 0.05:
            text += f"; one unit carries {_pct(self.max_weight_share)} of its arm's weight"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (:func:`jsonable`)."""
        return jsonable({f.name: getattr(self, f.name) for f in fields(self)})


def _pct(share: float) -> str:
    if not math.isfinite(share):
        return "–"
    pct = 100 * share
    return f"{pct:.0f}%" if pct == 0 or pct >= 10 or pct == round(pct) else f"{pct:.2g}%"


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
        Warnings raised while fitting, in words (the estimator's notes, then
        every dagcore warning raised during the fit: positivity included).
    overlap : Overlap, optional
        Propensity-score overlap, for every estimator that uses a propensity model.
    estimand : Estimand, optional
        What was estimated.
    estimator : object, optional
        The fitted estimator (lets refuters re-run it with the same settings).

    Notes
    -----
    An estimate is an immutable value: two estimates are equal, and hash
    alike, when their numbers (a NaN equals a NaN), target, method, settings, inference, sample
    size and warnings are equal. ``diagnostics``, ``overlap``, ``estimand`` and
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
    overlap: Overlap | None = field(default=None, compare=False)
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
        if isinstance(self.level, bool) or not isinstance(self.level, (int, float)) or not 0 < float(self.level) < 1:
            from dagcore.errors import EstimatorError

            raise EstimatorError(f"level is the confidence level, a number between 0 and 1 (e.g. 0.95), got {self.level!r}")

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
        told = self.overlap is not None and not self.overlap.is_good
        if self.overlap is not None and told:
            lines.append(f"  {self.overlap.describe()}")
        for w in self.warnings:
            if told and w.startswith(("weak overlap of the propensity", "no overlap of the propensity")):
                continue  # the overlap line above says it with the numbers
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

    # ---------------------------------------------------------------- CATE estimates (issue 13)
    def _cate_estimator(self, what: str) -> Any:
        from dagcore.errors import EstimatorError

        est = self.estimator
        if est is None or not callable(getattr(est, what, None)):
            raise EstimatorError(
                f"this {self.method or 'estimate'} has no {what}(rows): use a CATE method "
                "(causal_forest, linear_dml, dr_learner, s_learner, t_learner, x_learner)"
            )
        return getattr(est, what)

    def effect(self, rows: Any) -> Any:
        """The CATE at each row (CATE estimates only): the fitted estimator's ``effect``."""
        return self._cate_estimator("effect")(rows)

    def effect_interval(self, rows: Any, level: float | None = None) -> Any:
        """Pointwise CATE interval ``(lower, upper)`` at each row, where the method gives one."""
        return self._cate_estimator("effect_interval")(rows, level=level)

    def predict_potential_outcomes(self, rows: Any) -> Any:
        """Model-based counterfactuals ``y0``, ``y1``, ``effect`` per row (learners that model outcomes)."""
        return self._cate_estimator("predict_potential_outcomes")(rows)
