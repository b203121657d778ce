"""The one refuter template: validate, simulate the replicates, judge them, build the :class:`Refutation`.

A refuter supplies only what differs (see :mod:`dagcore.estimators.refutation.refuters`):

* a **plan** ``plan(ctx) -> Plan``: how replicate ``i`` alters the data (and
  the estimand), and optionally how the vectorised linear fast path computes
  every replicate at once;
* a **judgement** ``judge(ctx, replicates) -> Judgement``: the verdict, its
  rule in words, and the refuter's own numbers.

:func:`run_refuter` does the rest, the same way for every refuter: checks the
estimate and the data, draws one random generator per replicate, takes the
fast path when :class:`~dagcore.estimators.refutation._linear.Linear`
reproduces the estimate *and* the real estimator reproduces one replicate
(else refits ``sklearn.base.clone(estimator)`` replicate by replicate, in
parallel with joblib when ``n_jobs`` asks), downgrades a ``pass`` to ``warn``
when more than 10% of the replicates failed to fit, and times the run.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators._parallel import parallel_map
from dagcore.estimators._resample import bootstrap_interval, spawn_generators
from dagcore.estimators.refutation._linear import Linear, close
from dagcore.estimators.refutation.result import Refutation

__all__ = [
    "Context",
    "Judgement",
    "Plan",
    "Progress",
    "Replicates",
    "fresh_name",
    "need_adjustment",
    "percentiles",
    "refit",
    "run_refuter",
    "se_units",
]

#: Errors that mark one replicate as failed (counted) rather than stopping the refuter.
_REPLICATE_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError)


class Progress:
    """A one-line progress indicator on stderr (no dependency)."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label, self.total, self.enabled, self.done = label, max(total, 1), enabled, 0
        self._last = 0.0
        if enabled:
            self._draw()

    def _draw(self) -> None:
        width = 24
        filled = int(width * self.done / self.total)
        sys.stderr.write(f"\r  {self.label:<26} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        sys.stderr.flush()

    def update(self, k: int = 1) -> None:
        self.done = min(self.total, self.done + k)
        if self.enabled and (time.monotonic() - self._last > 0.1 or self.done == self.total):
            self._last = time.monotonic()
            self._draw()

    def close(self) -> None:
        if self.enabled:
            if self.done != self.total:
                self.done = self.total
                self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()


def percentiles(values: np.ndarray) -> tuple[float, float] | None:
    """2.5% and 97.5% percentiles of the finite values; None with fewer than two."""
    v = values[np.isfinite(values)]
    if v.size < 2:
        return None
    return bootstrap_interval(v, 0.95)[1]


def se_units(x: float, se: float) -> float:
    """``|x|`` in units of ``se`` (infinite when ``se`` is 0)."""
    return abs(x) / se if se > 0 else math.inf


def fresh_name(data: Any, base: str) -> str:
    """``base``, with underscores appended until it is not a column of ``data``."""
    name = base
    while name in data.columns:
        name += "_"
    return name


def need_adjustment(estimand: Any, what: str) -> None:
    """Refuse an estimand that has no adjustment set to add a covariate to."""
    if estimand.strategy not in ("backdoor", "randomized"):
        raise EstimatorError(
            f"the {what} refuter adds a covariate to the adjustment set, so it needs a covariate-adjustment "
            f"(backdoor or randomized) estimand, not {estimand.strategy!r}"
        )


def refit(estimator: Any, data: Any, estimand: Any) -> Any:
    """The estimate of a fresh clone of ``estimator`` (same settings) fitted on ``data``."""
    from sklearn.base import clone

    return clone(estimator).fit(data, estimand).estimate_


@dataclass(frozen=True)
class Context:
    """What every refuter works from: the estimate, the data, and one generator per replicate."""

    estimate: Any
    data: Any
    estimand: Any
    treatment: str
    outcome: str
    rngs: list[np.random.Generator]

    @property
    def n(self) -> int:
        """Number of rows of the data."""
        return len(self.data)

    def with_column(self, name: str, values: Any) -> Any:
        """A copy of the data with column ``name`` set to ``values``."""
        new = self.data.copy()
        new[name] = values
        return new


def _context(estimate: Any, data: Any, random_state: Any, n_simulations: int) -> Context:
    estimator = getattr(estimate, "estimator", None)
    estimand = getattr(estimate, "estimand", None)
    if estimator is None or estimand is None:
        raise EstimatorError(
            "this estimate does not carry its fitted estimator and estimand; refuters re-run the estimator, "
            "so pass an Estimate returned by an estimator's fit (estimator.estimate_) or by dagcore.estimate"
        )
    if not hasattr(data, "columns"):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if len(estimand.treatment) != 1 or len(estimand.outcome) != 1:
        raise EstimatorError("refuters support one treatment and one outcome")
    t, y = estimand.treatment[0], estimand.outcome[0]
    missing = [c for c in (t, y) if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {', '.join(map(repr, missing))} of the estimand are not in the data")
    return Context(estimate, data, estimand, t, y, spawn_generators(random_state, n_simulations))


def _first(values: np.ndarray) -> int:
    return 0


@dataclass(frozen=True)
class Plan:
    """What a refuter changes.

    Attributes
    ----------
    label : str
        Shown by the progress bar.
    make : callable
        ``make(i) -> (data, estimand)``: replicate ``i``.
    fast : callable, optional
        ``fast(linear) -> values``: every replicate's effect at once from the
        :class:`~dagcore.estimators.refutation._linear.Linear` fast path.
    check : callable
        ``check(values) -> i``: the replicate the real estimator must reproduce
        before the fast path's values are trusted (the first by default).
    facts : mapping
        What the plan worked out that the judgement reports (the covariates
        used, the simulated confounder's strength, ...).
    adapt : callable, optional
        ``adapt(estimator) -> estimator``: the settings the replicates are
        refitted with, when the change needs more than new data and estimand
        (a covariate added to the user's formulas).
    """

    label: str
    make: Callable[[int], tuple[Any, Any]]
    fast: Callable[[Linear], np.ndarray] | None = None
    check: Callable[[np.ndarray], int] = _first
    facts: Mapping[str, Any] = field(default_factory=dict)
    adapt: Callable[[Any], Any] | None = None


def with_covariate_in_formulas(estimator: Any, name: str) -> Any:
    """A clone of ``estimator`` whose user-written formulas also adjust for column ``name``.

    An estimator with a ``formula=`` (or ``propensity_formula=``) fits exactly
    that design, so a covariate added only to the adjustment set would be
    ignored and a refuter that adds one would be a silent no-op.

    Examples
    --------
    >>> from dagcore.estimators import OutcomeRegression
    >>> with_covariate_in_formulas(OutcomeRegression(formula="y ~ t + z"), "w").formula
    'y ~ t + z + w'
    """
    from sklearn.base import clone

    changes = {
        key: f"{value} + {name}"
        for key, value in estimator.get_params(deep=False).items()
        if key.endswith("formula") and isinstance(value, str) and value.strip()
    }
    return clone(estimator).set_params(**changes) if changes else estimator


@dataclass(frozen=True)
class Judgement:
    """A refuter's reading of its replicates (see :class:`~dagcore.estimators.refutation.Refutation`)."""

    title: str
    verdict: str
    rule: str
    detects: str
    p_value: float | None = None
    new_effect: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Replicates:
    """The re-estimated effects, how they were computed, and the real estimates that were fitted."""

    values: np.ndarray
    fast: bool
    failures: int
    plan: Plan
    estimator: Any
    fitted: Mapping[int, Any] = field(default_factory=dict)

    @property
    def finite(self) -> np.ndarray:
        """The values of the replicates that fitted."""
        return self.values[np.isfinite(self.values)]

    def estimate(self, i: int) -> Any:
        """The real estimator's :class:`~dagcore.Estimate` on replicate ``i`` (refitted unless already fitted)."""
        if i in self.fitted:
            return self.fitted[i]
        return refit(self.estimator, *self.plan.make(i))


def _refit_all(
    estimator: Any, make: Callable[[int], tuple[Any, Any]], n: int, *, n_jobs: int | None, bar: Progress
) -> list[Any]:
    """Refit on every replicate ``make(i)``; None where the fit failed."""

    def one(i: int) -> Any:
        try:
            return refit(estimator, *make(i))
        except _REPLICATE_ERRORS:
            return None

    if n_jobs in (None, 1) or n < 8:
        results = []
        for i in range(n):
            results.append(one(i))
            bar.update()
        return results
    from joblib import Parallel

    results = []
    chunk = max(1, n // 10)
    with Parallel(n_jobs=n_jobs) as parallel:
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            results.extend(parallel_map(one, ((i,) for i in range(start, stop)), n_jobs=n_jobs, parallel=parallel))
            bar.update(stop - start)
    return results


def _simulate(ctx: Context, plan: Plan, n: int, *, n_jobs: int | None, progress: bool) -> Replicates:
    estimator = ctx.estimate.estimator if plan.adapt is None else plan.adapt(ctx.estimate.estimator)
    bar = Progress(plan.label, n, progress)
    lin = None if plan.fast is None else Linear.build(ctx.estimate, ctx.data, ctx.estimand, ctx.treatment, ctx.outcome)
    try:
        if lin is not None and plan.fast is not None:
            values = plan.fast(lin)
            bar.update(n)
            i = plan.check(values)
            try:
                real = refit(estimator, *plan.make(i))
            except _REPLICATE_ERRORS:
                real = None
            if real is not None and close(values[i], real.value, ctx.estimate.se):
                return Replicates(values, True, 0, plan, estimator, {i: real})
        results = _refit_all(estimator, plan.make, n, n_jobs=n_jobs, bar=bar)
    finally:
        bar.close()
    values = np.array([np.nan if r is None else r.value for r in results])
    fitted = {i: r for i, r in enumerate(results) if r is not None}
    return Replicates(values, False, len(results) - len(fitted), plan, estimator, fitted)


def run_refuter(
    method: str,
    estimate: Any,
    data: Any,
    *,
    plan: Callable[[Context], Plan],
    judge: Callable[[Context, Replicates], Judgement],
    n_simulations: int,
    random_state: Any,
    n_jobs: int | None,
    progress: bool,
) -> Refutation:
    """Run one refuter: ``plan`` says what changes, ``judge`` reads the replicates.

    Parameters
    ----------
    method : str
        The refuter's name (a key of ``REFUTERS``).
    estimate : Estimate
        Carries the fitted estimator and its estimand.
    data : DataFrame
    plan : callable
        ``plan(ctx) -> Plan``; may raise for an estimand the refuter cannot serve.
    judge : callable
        ``judge(ctx, replicates) -> Judgement``.
    n_simulations, random_state, n_jobs, progress :
        As in every refuter.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> def plan(ctx):  # a do-nothing refuter: every replicate is the data itself
    ...     return Plan("identity", lambda i: (ctx.data, ctx.estimand))
    >>> def judge(ctx, reps):
    ...     return Judgement("Identity", "pass", f"{reps.finite.size} replicates", "nothing")
    >>> r = run_refuter("identity", est, df, plan=plan, judge=judge, n_simulations=3, random_state=0,
    ...                 n_jobs=1, progress=False)
    >>> r.verdict, r.new_effect == est.value, r.fast_path
    ('pass', True, False)
    """
    started = time.perf_counter()
    ctx = _context(estimate, data, random_state, n_simulations)
    reps = _simulate(ctx, plan(ctx), n_simulations, n_jobs=n_jobs, progress=progress)
    values = reps.values
    if reps.finite.size < 2:
        # nothing to judge: a verdict computed from NaN replicates would be a silent wrong answer
        raise EstimatorError(
            f"refuter {method!r}: {reps.failures} of {len(values)} replicates failed to fit "
            f"({reps.finite.size} succeeded; at least 2 are needed to judge the estimate)"
        )
    j = judge(ctx, reps)
    verdict, rule, details = j.verdict, j.rule, dict(j.details)
    if reps.failures:
        details["failed_replicates"] = reps.failures
        if reps.failures > 0.1 * len(values) and verdict == "pass":
            verdict = "warn"
            rule += f"; but {reps.failures} of {len(values)} replicates failed to fit"
    finite = reps.finite
    if j.new_effect is not None:
        new_effect = float(j.new_effect)
    else:
        new_effect = float(np.mean(finite)) if finite.size else math.nan
    return Refutation(
        method=method,
        title=j.title,
        estimate=float(estimate.value),
        se=float(estimate.se),
        new_effect=new_effect,
        values=tuple(values.tolist()),
        interval=percentiles(values),
        p_value=None if j.p_value is None else float(j.p_value),
        verdict=verdict,
        rule=rule,
        detects=j.detects,
        details=details,
        n_simulations=len(values),
        seconds=time.perf_counter() - started,
        fast_path=reps.fast,
    )
