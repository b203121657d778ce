"""Plug-in evaluation of an identified formula on the empirical distribution of discrete data.

Any formula that :func:`dagcore.identify` returns (back-door, front-door, or
the general ID expression with sums, products and ratios) is a functional of
the observational distribution. For discrete variables the plug-in estimator
replaces every probability by its empirical frequency:

    E[Y | do(X = x)] = Σ_y y · P̂(y | do(x)),   ATE = E[Y | do(x1)] − E[Y | do(x0)].

Uncertainty comes from the nonparametric bootstrap (resampling rows, the
whole formula re-evaluated on each resample), with a percentile interval.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError, PositivityWarning
from dagcore.estimators._data import prepare
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped
from dagcore.estimators.result import Estimate
from dagcore.identification.expressions import (
    Expression,
    JointDistribution,
    backdoor_formula,
    evaluate,
    frontdoor_formula,
)

__all__ = ["PlugIn", "formula_expression", "empirical_distribution"]


class _Recording(JointDistribution):
    """An empirical distribution that remembers conditioning events with no data."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty: set[tuple] = set()

    def probability(self, event: Any, given: Any = None) -> float:
        if given and self._marginal(dict(given)) == 0:
            self.empty.add(tuple(sorted(given.items())))
        return super().probability(event, given)


def empirical_distribution(data: pd.DataFrame, variables: list[str], *, max_levels: int = 20) -> JointDistribution:
    """Empirical joint frequencies of discrete columns.

    Raises
    ------
    DataError
        A column with more than ``max_levels`` distinct values (the plug-in
        estimator needs discrete variables).

    Examples
    --------
    >>> d = empirical_distribution(pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 1, 1]}), ["a", "b"])
    >>> d.probability({"b": 1}, {"a": 0})
    0.5
    """
    for v in variables:
        levels = data[v].nunique()
        if levels > max_levels:
            raise DataError(
                f"the plug-in estimator needs discrete variables; {v!r} has {levels} distinct values (more than max_levels={max_levels}); "
                "bin it, raise max_levels, or use a regression-based estimator"
            )
    keys, domains = _encode(data, variables)
    return _from_keys(variables, domains, keys)


def _encode(data: pd.DataFrame, variables: list[str]) -> tuple[np.ndarray, dict[str, list[Any]]]:
    """One integer per row (mixed radix over the variables' sorted values) and the domains."""
    keys = np.zeros(len(data), dtype=np.int64)
    domains: dict[str, list[Any]] = {}
    cells = 1
    for v in variables:
        cells *= max(1, int(data[v].nunique()))
    if cells >= 2**62:
        raise DataError(f"the variables {variables} have too many joint values ({cells:.3g}) for a plug-in estimate")
    for v in variables:
        codes, uniques = pd.factorize(data[v], sort=True)
        domains[v] = uniques.tolist()
        keys = keys * len(uniques) + codes
    return keys, domains


def _from_keys(variables: list[str], domains: dict[str, list[Any]], keys: np.ndarray) -> _Recording:
    uniq, counts = np.unique(keys, return_counts=True)
    n = len(keys)
    table: dict[tuple, float] = {}
    sizes = [len(domains[v]) for v in variables]
    for key, count in zip(uniq.tolist(), counts.tolist()):
        rest, idx = int(key), []
        for size in reversed(sizes):
            rest, r = divmod(rest, size)
            idx.append(r)
        values = tuple(domains[v][i] for v, i in zip(variables, reversed(idx)))
        table[values] = count / n
    return _Recording(variables, domains, table)


def formula_expression(estimand: Any) -> Expression:
    """The estimand's identifying expression (built from its sets when it has none).

    Examples
    --------
    >>> from dagcore import Estimand
    >>> print(formula_expression(Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})))
    Σ_{z} P(y | x, z) P(z)
    """
    if estimand.expression is not None:
        return estimand.expression
    x, y = estimand.treatment, estimand.outcome
    if estimand.strategy in ("backdoor", "randomized"):
        return backdoor_formula(x, y, estimand.adjustment_set or ())
    if estimand.strategy == "frontdoor":
        return frontdoor_formula(x, y, estimand.mediators or ())
    raise EstimatorError(f"the {estimand.strategy!r} estimand carries no formula to evaluate")


def _base(name: str) -> str:
    return name.rstrip("'")


def _mean_under_do(expr: Expression, dist: JointDistribution, t: str, y: str, xv: Any) -> float:
    """``Σ_y y P(y | do(x))``.

    A formula may keep free variables besides ``x`` and ``y`` (the napkin's
    ``Z``): its value does not depend on them in the population, so the
    sample versions are averaged with weights ``P̂(z)``.
    """
    extras = sorted(expr.free_variables() - {t, y})
    total = 0.0
    for combo in itertools.product(*(dist.domains[_base(v)] for v in extras)):
        fixed = dict(zip(extras, combo))
        weight = dist.probability({_base(k): v for k, v in fixed.items()}) if extras else 1.0
        if weight == 0:
            continue
        total += weight * sum(float(yv) * evaluate(expr, dist, {**fixed, t: xv, y: yv}) for yv in dist.domains[y])
    return total


class PlugIn(Bootstrapped):
    """Evaluate the identified formula on empirical frequencies of discrete data (bootstrap CI).

    Serves every nonparametric strategy: ``id`` (the ID algorithm's
    expression, e.g. the napkin's ratio formula), ``frontdoor``, ``backdoor``
    and ``randomized``.

    Parameters
    ----------
    treatment_values : tuple, optional
        ``(x0, x1)``: the contrast ``E[Y | do(x1)] − E[Y | do(x0)]``; default
        ``(0, 1)`` (then the treatment must be binary).
    max_levels : int
        The most distinct values a variable may take.
    n_bootstrap, n_jobs, random_state :
        The bootstrap behind the SE and the percentile CI (``n_bootstrap=0``:
        none), see :class:`~dagcore.estimators.base.Bootstrapped`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    Back-door adjustment for a binary confounder, evaluated on frequencies:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(0); n = 5000; z = rng.integers(0, 2, n)
    >>> x = (rng.random(n) < 0.3 + 0.4 * z).astype(int); y = (rng.random(n) < 0.2 + 0.3 * x + 0.3 * z).astype(int)
    >>> e = Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> round(PlugIn(n_bootstrap=0).fit(pd.DataFrame({"x": x, "y": y, "z": z}), e).estimate_.value, 1)
    0.3
    """

    name = "plugin"
    strategies = ("id", "frontdoor", "backdoor", "randomized")

    treatment_values: tuple[Any, Any] | None = None
    max_levels: int = 20

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t, y = estimand.treatment[0], estimand.outcome[0]
        expr = formula_expression(estimand)
        held = sorted(expr.free_variables() - {t, y})
        if held:
            raise EstimatorError(
                f"the formula also depends on {', '.join(held)} (held fixed: a controlled direct effect); "
                "the plug-in estimator estimates average effects of the treatment only"
            )
        variables = sorted({_base(v) for v in expr.free_variables() | _bound(expr)} | {t, y})
        unknown = [v for v in variables if estimand.graph is not None and v in estimand.graph.latent]
        if unknown:
            raise EstimatorError(f"the formula uses the latent variable {unknown[0]!r}")
        prep = prepare(data, t, y, [v for v in variables if v not in (t, y)], dropna=self.dropna)
        df = prep.data
        dist = empirical_distribution(df, variables, max_levels=self.max_levels)
        x0, x1 = self._contrast(dist.domains[t], t)
        value = _mean_under_do(expr, dist, t, y, x1) - _mean_under_do(expr, dist, t, y, x0)
        notes = list(prep.notes)
        empty: set[tuple[tuple[str, object], ...]] = getattr(dist, "empty", set())
        if empty:
            shown = "; ".join(", ".join(f"{k}={v}" for k, v in cell) for cell in sorted(empty)[:3])
            self._warn(
                f"positivity: {len(empty)} conditioning cell(s) of the formula have no data (e.g. {shown}); "
                "their terms were set to 0 and the estimate is unreliable",
                PositivityWarning,
            )
        se, ci, inference = float("nan"), None, "none (n_bootstrap=0)"
        if self.n_bootstrap:
            reps = self._bootstrap(df, expr, variables, t, y, x0, x1)
            se, ci = bootstrap_interval(reps, self.level)
            inference = f"nonparametric bootstrap, B={self.n_bootstrap}, percentile CI"
        else:
            ci = (float("nan"), float("nan"))
        return self._result(
            estimand, value, se, len(df), inference=inference, ci=ci, notes=notes,
            diagnostics={"formula": expr.to_text(), "contrast": [x0, x1], "cells": len(dist.table), "empty_conditioning_cells": len(empty)},
        )

    def _contrast(self, domain: tuple, t: str) -> tuple[Any, Any]:
        if self.treatment_values is None:
            if not set(domain) <= {0, 1} or len(domain) != 2:
                raise DataError(f"the plug-in estimator contrasts treatment values (0, 1) by default; {t!r} takes {list(domain)[:6]}: pass treatment_values=(x0, x1)")
            return 0, 1
        x0, x1 = self.treatment_values
        for v in (x0, x1):
            if v not in domain:
                raise DataError(f"treatment value {v!r} does not occur in column {t!r} (values: {list(domain)[:6]})")
        return x0, x1

    def _bootstrap(self, df: pd.DataFrame, expr: Expression, variables: list[str], t: str, y: str, x0: Any, x1: Any) -> np.ndarray:
        keys, domains = _encode(df, variables)

        def one(rows: np.ndarray) -> float:
            dist = _from_keys(variables, domains, keys[rows])
            if dist.probability({t: x0}) == 0 or dist.probability({t: x1}) == 0:
                return float("nan")
            return _mean_under_do(expr, dist, t, y, x1) - _mean_under_do(expr, dist, t, y, x0)

        reps = bootstrap(one, len(keys), self.n_bootstrap, random_state=self.random_state, n_jobs=self.n_jobs)
        return reps[np.isfinite(reps)]


def _bound(expr: Expression) -> set[str]:
    from dagcore.identification.expressions import Fraction, Product, Sum

    if isinstance(expr, Sum):
        return set(expr.over) | _bound(expr.expression)
    if isinstance(expr, Product):
        return set().union(*(_bound(f) for f in expr.factors))
    if isinstance(expr, Fraction):
        return _bound(expr.numerator) | _bound(expr.denominator)
    return set()
