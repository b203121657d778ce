"""Evaluating and using CATE rankings: uplift and Qini curves, and who to treat.

Rows are ranked by their predicted effect (``cate``, highest first); the curves
show, for each fraction of the population targeted, the gain measured on held
out data with a (randomized or otherwise unconfounded) binary treatment ``t``
and outcome ``y``. Tied scores enter together, so a constant ranking gives the
straight random-targeting line.

Definitions, with ``k`` the number of rows targeted, ``N_T(k)``/``N_C(k)`` the
treated/control rows among them and ``Y_T(k)``/``Y_C(k)`` the sums of their
outcomes:

* Qini curve (Radcliffe 2007): ``Q(k) = Y_T(k) - Y_C(k) N_T(k) / N_C(k)``, the
  incremental outcome among the treated of the targeted group (0 while
  ``N_C(k) = 0``).
* Uplift (cumulative gain) curve: ``U(k) = (Y_T(k) / N_T(k) - Y_C(k) / N_C(k)) k / n``,
  the difference in means within the targeted group times the fraction
  targeted (0 while either arm is empty), so ``U(n)`` is the difference in
  means over everyone.

``area`` is the area between the curve and the random-targeting line (the
chord from ``(0, 0)`` to ``(1, curve(1))``), by the trapezoid rule over the
fraction targeted. It is positive when the ranking beats random targeting and
0 for a constant ranking. For the Qini curve this is the unnormalised area
of Radcliffe's Qini coefficient (Radcliffe divides it by the area of the
optimal ranking, which exists only for a binary outcome).

References
----------
Radcliffe, N. J. (2007). Using control groups to target on predicted lift:
building and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dagcore.errors import DataError

__all__ = ["UpliftCurve", "Targeting", "gain_curve", "uplift_curve", "qini_curve", "targeting"]


@dataclass(frozen=True, eq=False)
class UpliftCurve:
    """A gain curve over the fraction of rows targeted (highest predicted effect first).

    Attributes
    ----------
    kind : str
        ``"uplift"`` or ``"qini"``.
    fractions : ndarray
        Fraction of rows targeted, from 0 to 1 (one point per distinct score).
    values : ndarray
        The curve at those fractions.
    area : float
        Area between the curve and the random-targeting line (see the module docstring).
    """

    kind: str
    fractions: np.ndarray
    values: np.ndarray
    area: float

    def random_line(self) -> np.ndarray:
        """The random-targeting line at ``fractions``."""
        return self.fractions * self.values[-1]

    @property
    def normalized_area(self) -> float:
        """``area / |values[-1]|``: the area of the curve scaled so that targeting everyone gains 1 (NaN when it gains 0).

        For the Qini curve this is CausalML's ``qini_score(..., normalize=True)``
        up to the quadrature: CausalML divides the curve by its end point and
        averages its gap over the random line row by row, this is the
        trapezoid rule over the fraction targeted (tied scores entering
        together); the two agree to ``O(1/n)`` (checked against CausalML in
        ``benchmarks/bench_cate.py``).
        """
        end = abs(float(self.values[-1]))
        return self.area / end if end > 0 else float("nan")


@dataclass(frozen=True, eq=False)
class Targeting:
    """Whom to treat and what it is expected to bring.

    Attributes
    ----------
    rows : ndarray of int
        Positions (0-based) of the rows to treat, in order of priority.
    gain : float
        Expected net gain: the sum of ``cate - cost`` over ``rows``.
    effect : float
        Sum of ``cate`` over ``rows``.
    cost : float
        Sum of ``cost`` over ``rows`` (0 when no cost was given).
    """

    rows: np.ndarray
    gain: float
    effect: float
    cost: float

    @property
    def n(self) -> int:
        """Number of rows to treat."""
        return int(self.rows.size)


def _vector(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float) if not hasattr(values, "to_numpy") else values.to_numpy(dtype=float)  # type: ignore[attr-defined]
    if arr.ndim != 1:
        raise DataError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise DataError(f"{name} is empty")
    if not np.isfinite(arr).all():
        raise DataError(f"{name} has missing or infinite values")
    return arr


def _inputs(cate: object, t: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c, tt, yy = _vector(cate, "cate"), _vector(t, "t"), _vector(y, "y")
    if not (c.size == tt.size == yy.size):
        raise DataError(f"cate, t and y must have the same length, got {c.size}, {tt.size} and {yy.size}")
    if not set(np.unique(tt).tolist()) <= {0.0, 1.0}:
        raise DataError(f"t must be a binary (0/1) treatment, got the values {np.unique(tt)[:6].tolist()}")
    if tt.sum() == 0 or tt.sum() == tt.size:
        raise DataError("t needs both treated and control rows to measure a gain")
    return c, tt, yy


def _cumulative(cate: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative counts and sums at the end of each group of tied scores, with the origin prepended."""
    order = np.argsort(-cate, kind="stable")
    c, tt, yy = cate[order], t[order], y[order]
    ends = np.r_[np.flatnonzero(np.diff(c) != 0), c.size - 1]
    k = np.r_[0, ends + 1].astype(float)
    n_t = np.r_[0, np.cumsum(tt)[ends]]
    n_c = k - n_t
    y_t = np.r_[0, np.cumsum(yy * tt)[ends]]
    y_c = np.r_[0, np.cumsum(yy * (1 - tt))[ends]]
    return k, n_t, n_c, y_t, y_c


def _area(fractions: np.ndarray, values: np.ndarray) -> float:
    gap = values - fractions * values[-1]
    return float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(fractions)))


def gain_curve(cate: object, scores: object) -> UpliftCurve:
    """Doubly robust gain curve: the estimated effect of treating the top rows, from cross-fitted AIPW scores.

    ``values[k] = sum of scores over the k rows with the largest cate, / n``:
    the gain per unit of population of treating the top ``k / n`` (Yadlowsky
    et al. 2021's AIPW Qini curve). Unlike :func:`qini_curve` it is unbiased
    on observational data (the scores remove the confounding); on a
    randomized experiment both measure the same ranking.

    Examples
    --------
    >>> g = gain_curve([3, 2, 1, 0], scores=[4.0, 2.0, 0.0, -2.0])
    >>> g.values.tolist(), g.area
    ([0.0, 1.0, 1.5, 1.5, 1.0], 0.625)
    """
    c, phi = _vector(cate, "cate"), _vector(scores, "scores")
    if c.size != phi.size:
        raise DataError(f"cate and scores must have the same length, got {c.size} and {phi.size}")
    order = np.argsort(-c, kind="stable")
    cs = c[order]
    ends = np.r_[np.flatnonzero(np.diff(cs) != 0), cs.size - 1]
    fractions = np.r_[0, ends + 1].astype(float) / c.size
    values = np.r_[0.0, np.cumsum(phi[order])[ends]] / c.size
    return UpliftCurve("aipw_gain", fractions, values, _area(fractions, values))


def uplift_curve(cate: object, t: object, y: object) -> UpliftCurve:
    """Uplift (cumulative gain) curve of the ranking by ``cate``.

    Parameters
    ----------
    cate : array-like
        Predicted effects (any score: only the ranking matters).
    t : array-like of 0/1
        Treatment received.
    y : array-like
        Outcome.

    Returns
    -------
    UpliftCurve
        ``values[i] = (mean y treated - mean y control among the top rows) * fractions[i]``.

    Raises
    ------
    DataError
        Different lengths, a non-binary ``t``, only one arm, missing values.

    Examples
    --------
    >>> c = uplift_curve([3, 2, 1, 0], t=[1, 0, 1, 0], y=[5, 1, 2, 2])
    >>> c.fractions.tolist(), c.values.tolist(), c.area
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.0, 2.0, 1.875, 2.0], 0.21875)
    """
    c, tt, yy = _inputs(cate, t, y)
    k, n_t, n_c, y_t, y_c = _cumulative(c, tt, yy)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where((n_t > 0) & (n_c > 0), y_t / np.maximum(n_t, 1) - y_c / np.maximum(n_c, 1), 0.0)
    fractions = k / c.size
    values = diff * fractions
    return UpliftCurve("uplift", fractions, values, _area(fractions, values))


def qini_curve(cate: object, t: object, y: object) -> UpliftCurve:
    """Qini curve (Radcliffe 2007) of the ranking by ``cate``.

    Parameters
    ----------
    cate, t, y : as in :func:`uplift_curve`

    Returns
    -------
    UpliftCurve
        ``values[i] = Y_T - Y_C * N_T / N_C`` over the top rows (incremental
        outcome among the targeted treated rows).

    Raises
    ------
    DataError
        The inputs :func:`uplift_curve` rejects (lengths, ``t``, missing values).

    Examples
    --------
    >>> q = qini_curve([3, 2, 1, 0], t=[1, 0, 1, 0], y=[5, 1, 2, 2])
    >>> q.values.tolist(), q.area
    ([0.0, 0.0, 4.0, 5.0, 4.0], 0.75)
    """
    c, tt, yy = _inputs(cate, t, y)
    k, n_t, n_c, y_t, y_c = _cumulative(c, tt, yy)
    values = np.where(n_c > 0, y_t - y_c * n_t / np.maximum(n_c, 1), 0.0)
    fractions = k / c.size
    return UpliftCurve("qini", fractions, values, _area(fractions, values))


def targeting(cate: object, budget: float | None = None, cost: object = None, top_fraction: float | None = None) -> Targeting:
    """Choose the rows to treat from their predicted effects.

    Rows are treated only when their net benefit ``cate - cost`` is positive
    (``cost``, in the outcome's units, defaults to 0). They are taken in order
    of ``cate`` (of ``cate / cost`` when a ``budget`` is given and costs vary:
    the greedy rule for a budget) until the next row would exceed the
    ``budget`` (total cost; each row costs 1 when ``cost`` is not given, so
    the budget is then a number of rows) or the ``top_fraction`` of all rows.

    Parameters
    ----------
    cate : array-like
        Predicted effect of treating each row.
    budget : float, optional
        Maximum total cost.
    cost : float or array-like, optional
        Cost of treating each row (non-negative).
    top_fraction : float, optional
        Treat at most ``floor(top_fraction * n)`` rows; in (0, 1].

    Returns
    -------
    Targeting
        ``rows`` (positions, in order of priority) and the expected ``gain``.

    Raises
    ------
    DataError
        Bad ``cate`` or ``cost`` (length, missing values, negative cost), a
        negative budget, or ``top_fraction`` outside (0, 1].

    Examples
    --------
    >>> plan = targeting([0.5, 2.0, -1.0, 1.0], budget=2)
    >>> plan.rows.tolist(), plan.gain
    ([1, 3], 3.0)
    >>> targeting([0.5, 2.0, -1.0, 1.0], cost=0.8).rows.tolist()
    [1, 3]
    """
    c = _vector(cate, "cate")
    n = c.size
    if top_fraction is not None and not (0 < float(top_fraction) <= 1):
        raise DataError(f"top_fraction must be in (0, 1], got {top_fraction}")
    if budget is not None and not (np.isfinite(float(budget)) and float(budget) >= 0):
        raise DataError(f"budget must be a non-negative number, got {budget}")
    if cost is None:
        # no cost in the outcome's units; against a budget each row counts as 1
        costs = np.zeros(n)
        spend = np.ones(n)
    else:
        scalar: Any = cost  # a number, or one value per row
        costs = np.full(n, float(scalar)) if np.ndim(scalar) == 0 else _vector(cost, "cost")
        if costs.size != n:
            raise DataError(f"cost must be a number or have one value per row ({n}), got {costs.size}")
        if not np.isfinite(costs).all() or (costs < 0).any():
            raise DataError("cost must be finite and non-negative")
        spend = costs
    eligible = c - costs > 0
    if budget is not None and np.ptp(spend) > 0:
        # greedy rule under a budget: effect per unit of cost (free rows first)
        key = np.where(spend > 0, c / np.where(spend > 0, spend, 1.0), np.inf)
    else:
        key = c
    order = np.argsort(-key, kind="stable")
    order = order[eligible[order]]
    if top_fraction is not None:
        order = order[: int(np.floor(float(top_fraction) * n + 1e-9))]
    if budget is not None:
        spent = np.cumsum(spend[order])
        order = order[spent <= float(budget) + 1e-12]
    chosen = order.astype(int)
    effect = float(c[chosen].sum())
    total_cost = float(costs[chosen].sum())
    return Targeting(rows=chosen, gain=effect - total_cost, effect=effect, cost=total_cost)
