"""Heterogeneity tested, not eyeballed: the BLP test and GATES of Chernozhukov, Demirer, Duflo & Fernández-Val.

Given an out-of-sample CATE proxy ``S`` (cross-fitted or out-of-bag, never fit
on the row it scores) and cross-fitted doubly robust (AIPW) scores ``phi``
(``E[phi | X] = tau(X)``):

* **BLP** (best linear predictor of the CATE given the proxy): the least
  squares fit ``phi = b1 + b2 (S - mean S) + e`` with HC1 standard errors.
  ``b1`` estimates the ATE and ``b2 = Cov(tau, S) / Var(S)``: ``b2 = 0``
  means the proxy captures no heterogeneity (none found), ``b2 = 1`` a proxy
  that is the CATE itself. The test of ``H0: b2 = 0`` is the test of "is there
  heterogeneity the proxy detects".
* **GATES** (group average treatment effects): the mean of ``phi`` within
  each quantile group of ``S`` (lowest first), with its SE, and the
  difference between the top and the bottom group.

This is the doubly robust-score version of their regressions (their
inverse-propensity-weighted version is the special case of a randomized
design with known propensity); we use one cross-fitting split, not the median
over many random splits that the paper recommends to remove split noise.

References
----------
Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018).
Generic machine learning inference on heterogeneous treatment effects in
randomized experiments. NBER Working Paper 24678.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators.cate.uplift import UpliftCurve, gain_curve

__all__ = ["BLP", "GroupEffect", "Heterogeneity", "heterogeneity_tests"]


@dataclass(frozen=True)
class BLP:
    """The best linear predictor regression ``phi = b1 + b2 (S - mean S)``.

    Attributes
    ----------
    ate, ate_se : float
        ``b1`` and its SE.
    slope, slope_se : float
        ``b2`` (the heterogeneity loading) and its SE.
    slope_p : float
        Two-sided p-value of ``H0: b2 = 0`` (no heterogeneity detected).
    level : float
    """

    ate: float
    ate_se: float
    slope: float
    slope_se: float
    slope_p: float
    level: float

    @property
    def slope_ci(self) -> tuple[float, float]:
        """Wald interval of ``b2``."""
        z = float(stats.norm.ppf(0.5 + self.level / 2))
        return (self.slope - z * self.slope_se, self.slope + z * self.slope_se)

    def rejects(self, alpha: float | None = None) -> bool:
        """Whether ``H0: b2 = 0`` is rejected at ``alpha`` (default ``1 - level``)."""
        return bool(self.slope_p < (1 - self.level if alpha is None else alpha))


@dataclass(frozen=True)
class GroupEffect:
    """The average effect of one quantile group of the CATE proxy."""

    group: int
    n: int
    proxy_low: float
    proxy_high: float
    effect: float
    se: float
    lower: float
    upper: float


@dataclass(frozen=True, eq=False)
class Heterogeneity:
    """The heterogeneity section of a CATE fit: BLP test, GATES, the CATE distribution and the gain curve.

    Attributes
    ----------
    blp : BLP
    gates : tuple of GroupEffect
        Lowest proxy group first.
    top_minus_bottom, top_minus_bottom_se, top_minus_bottom_p : float
        GATES of the top group minus the bottom group, its SE and p-value.
    cate_quantiles : dict
        Quantiles (5%, 25%, 50%, 75%, 95%) of the out-of-sample CATE.
    curve : UpliftCurve
        Doubly robust (AIPW) Qini-type gain curve of the ranking by the proxy.
    cate : ndarray
        The out-of-sample CATE (for the distribution figure).
    notes : tuple of str
        What the numbers mean, first the most important.
    """

    blp: BLP
    gates: tuple[GroupEffect, ...]
    top_minus_bottom: float
    top_minus_bottom_se: float
    top_minus_bottom_p: float
    cate_quantiles: dict[str, float]
    curve: UpliftCurve
    cate: np.ndarray = field(repr=False)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        b = self.blp
        return {
            "blp": {"ate": b.ate, "ate_se": b.ate_se, "slope": b.slope, "slope_se": b.slope_se, "slope_p": b.slope_p,
                    "slope_ci": list(b.slope_ci), "heterogeneity_detected": b.rejects(), "level": b.level},
            "gates": [g.__dict__ for g in self.gates],
            "top_minus_bottom": {"effect": self.top_minus_bottom, "se": self.top_minus_bottom_se, "p": self.top_minus_bottom_p},
            "cate_quantiles": self.cate_quantiles,
            "gain_curve_area": self.curve.area,
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """The section as plain text lines (terminal, Markdown)."""
        b = self.blp
        lo, hi = b.slope_ci
        pct = f"{b.level * 100:g}%"
        verdict = "heterogeneity detected" if b.rejects() else "no heterogeneity detected"
        out = [
            f"BLP test: {verdict}: slope {b.slope:.3g} (SE {b.slope_se:.3g}, {pct} CI {lo:.3g} to {hi:.3g}, p = {b.slope_p:.3g}); "
            f"ATE {b.ate:.4g} (SE {b.ate_se:.3g})",
            "GATES (by quantile group of the out-of-sample CATE, lowest first):",
        ]
        for g in self.gates:
            out.append(f"  group {g.group} (n = {g.n}, CATE {g.proxy_low:.3g} to {g.proxy_high:.3g}): "
                       f"{g.effect:.4g} ({pct} CI {g.lower:.4g} to {g.upper:.4g})")
        out.append(f"  top minus bottom: {self.top_minus_bottom:.4g} (SE {self.top_minus_bottom_se:.3g}, p = {self.top_minus_bottom_p:.3g})")
        out.extend(self.notes)
        return out


def _vector(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size < 10:
        raise DataError(f"{name} needs at least 10 rows, got {arr.size}")
    if not np.isfinite(arr).all():
        raise DataError(f"{name} has missing or infinite values")
    return arr


def heterogeneity_tests(cate: Any, scores: Any, *, n_groups: int = 5, level: float = 0.95) -> Heterogeneity:
    """BLP test, GATES and the gain curve from an out-of-sample CATE proxy and doubly robust scores.

    Parameters
    ----------
    cate : array-like
        Out-of-sample CATE proxy ``S`` of each row.
    scores : array-like
        Cross-fitted doubly robust scores ``phi`` of the same rows.
    n_groups : int
        Quantile groups for GATES (5: quintiles).
    level : float
        Confidence level.

    Returns
    -------
    Heterogeneity

    Raises
    ------
    DataError
        Different lengths, fewer than 10 rows, missing values.
    EstimatorError
        ``n_groups`` below 2 or above the rows available.

    Examples
    --------
    A proxy equal to the true CATE ``2 x``, scores that are ``2 x`` plus noise:

    >>> rng = np.random.default_rng(0); x = rng.normal(size=2000)
    >>> h = heterogeneity_tests(2 * x, 2 * x + rng.normal(size=2000))
    >>> h.blp.rejects(), round(h.blp.slope, 1)
    (True, 1.0)
    >>> [round(g.effect) for g in h.gates]
    [-3, -1, 0, 1, 3]
    """
    import statsmodels.api as sm

    s, phi = _vector(cate, "cate"), _vector(scores, "scores")
    if s.size != phi.size:
        raise DataError(f"cate and scores must have the same length, got {s.size} and {phi.size}")
    if isinstance(n_groups, bool) or not isinstance(n_groups, (int, np.integer)) or not 2 <= n_groups <= s.size // 2:
        raise EstimatorError(f"n_groups must be a whole number from 2 to {s.size // 2}, got {n_groups!r}")
    z = float(stats.norm.ppf(0.5 + level / 2))
    notes: list[str] = []
    centred = s - s.mean()
    if np.ptp(s) <= 1e-12 * max(1.0, float(np.abs(s).max())):
        notes.append("the CATE proxy is constant: the BLP slope and GATES cannot detect heterogeneity")
        ate = float(phi.mean())
        ate_se = float(phi.std(ddof=1) / np.sqrt(phi.size))
        blp = BLP(ate, ate_se, 0.0, float("inf"), 1.0, level)
    else:
        res = sm.OLS(phi, np.column_stack([np.ones_like(s), centred])).fit(cov_type="HC1")
        b = np.asarray(res.params, dtype=float)
        se = np.sqrt(np.diag(np.asarray(res.cov_params(), dtype=float)))
        blp = BLP(float(b[0]), float(se[0]), float(b[1]), float(se[1]), float(2 * stats.norm.sf(abs(b[1] / se[1]))), level)
    order = np.argsort(s, kind="stable")
    groups = np.array_split(order, int(n_groups))
    gates = []
    for k, rows in enumerate(groups, 1):
        m = float(phi[rows].mean())
        e = float(phi[rows].std(ddof=1) / np.sqrt(rows.size))
        gates.append(GroupEffect(k, int(rows.size), float(s[rows].min()), float(s[rows].max()), m, e, m - z * e, m + z * e))
    diff = gates[-1].effect - gates[0].effect
    diff_se = float(np.hypot(gates[-1].se, gates[0].se))
    diff_p = float(2 * stats.norm.sf(abs(diff / diff_se))) if diff_se > 0 else 1.0
    qs = (0.05, 0.25, 0.5, 0.75, 0.95)
    quantiles = {f"q{int(p * 100):02d}": float(v) for p, v in zip(qs, np.quantile(s, qs))}
    if blp.slope > 0 and blp.rejects():
        notes.append("the CATE ranks the units: the effect differs between groups as the estimator predicts")
    return Heterogeneity(blp, tuple(gates), float(diff), diff_se, diff_p, quantiles, gain_curve(s, phi), s, tuple(notes))
