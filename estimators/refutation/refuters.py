"""Refuters: re-run an estimate under changes that should (or should not) move it.

Every refuter takes an :class:`~dagcore.Estimate` whose ``estimator`` is a
fitted estimator following the scikit-learn contract, and re-runs *the same
estimator with the same settings* on altered data,
``sklearn.base.clone(estimate.estimator).fit(new_data, estimand)``, a number
of times. Each returns an immutable :class:`Refutation` with the numbers, a
p-value where one exists, and a ``pass`` / ``warn`` / ``fail`` verdict whose
rule is stated in words.

What each refuter can and cannot detect (be honest with your readers):

===========================  ============================================================
placebo_treatment            an estimator that finds an effect where there is none
                             (treatment permuted); blind to omitted confounding
random_common_cause          an estimate that moves when an irrelevant covariate is added
                             (numerical instability); blind to omitted confounding
data_subset                  an estimate driven by a few rows; blind to omitted confounding
bootstrap                    a reported standard error that disagrees with the sampling
                             spread; blind to omitted confounding
dummy_outcome                a *measured* confounder left out of the adjustment set (an
                             outcome with true effect 0 built from every non-descendant of
                             the treatment in the data): detects omitted confounding by a
                             column that is in the data
unobserved_common_cause      how the estimate changes when a simulated confounder of a
                             chosen strength is adjusted for: no data can detect an
                             *unmeasured* confounder; this says how strong one must be
===========================  ============================================================

Linear regression estimates take a vectorised fast path (every replicate
solved at once with numpy) after checking, on the original data and on one
replicate, that the fast path reproduces the estimator to 1e-6; anything
else is refitted replicate by replicate (``n_jobs`` with joblib).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dagcore.errors import DataError, EstimatorError

__all__ = [
    "Refutation",
    "REFUTERS",
    "refute",
    "refute_placebo_treatment",
    "refute_random_common_cause",
    "refute_data_subset",
    "refute_bootstrap",
    "refute_dummy_outcome",
    "refute_unobserved_common_cause",
]

VERDICTS = ("pass", "warn", "fail")


@dataclass(frozen=True)
class Refutation:
    """The result of one refuter.

    Attributes
    ----------
    method : str
        The refuter's name (a key of :data:`REFUTERS`).
    title : str
        What was done, in words.
    estimate, se : float
        The original estimate and its standard error.
    new_effect : float
        The summary of the re-estimated effects (their mean, or the median for
        the simulated confounder).
    values : tuple of float
        Every re-estimated effect.
    interval : (float, float) or None
        2.5% and 97.5% percentiles of ``values``.
    p_value : float or None
        Where one exists (placebo permutation p-value of the original estimate,
        bootstrap p-value of the effect, p-value after adjusting for the
        simulated confounder).
    verdict : str
        ``"pass"``, ``"warn"`` or ``"fail"``.
    rule : str
        The rule behind the verdict, with the numbers, in words.
    detects : str
        What the refuter can detect.
    details : mapping
        Refuter-specific numbers.
    n_simulations, seconds, fast_path :
        How it was run.
    """

    method: str
    title: str
    estimate: float
    se: float
    new_effect: float
    values: tuple[float, ...]
    interval: tuple[float, float] | None
    p_value: float | None
    verdict: str
    rule: str
    detects: str = ""
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)
    n_simulations: int = 0
    seconds: float = 0.0
    fast_path: bool = False

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        object.__setattr__(self, "values", tuple(float(v) for v in self.values))
        object.__setattr__(self, "fast_path", bool(self.fast_path))

    @property
    def passed(self) -> bool:
        """Whether the verdict is ``pass``."""
        return self.verdict == "pass"

    def summary(self) -> str:
        """One line for a terminal: verdict, method, rule."""
        return f"[{self.verdict.upper()}] {self.method}: {self.rule}"

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (without the individual replicate values' full precision concerns)."""
        from dagcore.estimators.result import _jsonable

        return {
            "method": self.method,
            "title": self.title,
            "estimate": self.estimate,
            "se": self.se,
            "new_effect": _jsonable(self.new_effect),
            "interval": None if self.interval is None else _jsonable(list(self.interval)),
            "p_value": self.p_value,
            "verdict": self.verdict,
            "rule": self.rule,
            "detects": self.detects,
            "details": _jsonable(dict(self.details)),
            "n_simulations": self.n_simulations,
            "seconds": self.seconds,
            "fast_path": self.fast_path,
            "values": _jsonable(list(self.values)),
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)


# --------------------------------------------------------------------------- helpers


class _Progress:
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


def _context(estimate: Any, data: Any) -> tuple[Any, Any, str, str]:
    """Validate inputs; return (estimator, estimand, treatment, outcome)."""
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
    return estimator, estimand, t, y


def _refit(estimator: Any, data: Any, estimand: Any) -> Any:
    from sklearn.base import clone

    return clone(estimator).fit(data, estimand).estimate_


def _fresh_name(data: Any, base: str) -> str:
    name = base
    while name in data.columns:
        name += "_"
    return name


def _design(data: Any, columns: Iterable[str]) -> np.ndarray:
    """Numeric design matrix (no intercept) with non-numeric columns one-hot encoded (first level dropped)."""
    import pandas as pd

    cols = list(columns)
    if not cols:
        return np.empty((len(data), 0))
    frame = pd.get_dummies(data[cols], drop_first=True, dtype=float)
    try:
        return frame.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise DataError(f"cannot build a numeric design from {', '.join(cols)}: {err}") from None


def _with_intercept(X: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(X)), X])


def _residualise(M: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Residuals of each column of ``M`` (or of the vector) on ``X`` (which includes the intercept)."""
    coef, *_ = np.linalg.lstsq(X, M, rcond=None)
    return M - X @ coef


def _percentiles(values: np.ndarray) -> tuple[float, float] | None:
    v = values[np.isfinite(values)]
    if v.size < 2:
        return None
    lo, hi = np.percentile(v, [2.5, 97.5])
    return float(lo), float(hi)


def _rngs(random_state: Any, n: int) -> list[np.random.Generator]:
    seq = np.random.SeedSequence(random_state if not isinstance(random_state, np.random.Generator) else
                                 random_state.integers(2**63))
    return [np.random.default_rng(s) for s in seq.spawn(n)]


class _Linear:
    """Vectorised OLS view of an estimate: the treatment coefficient in ``Y ~ 1 + D + X``.

    Built only when it reproduces the estimate on the original data; each
    refuter also checks one replicate against the real estimator.
    """

    def __init__(self, data: Any, estimand: Any, t: str, y: str) -> None:
        adj = sorted(estimand.adjustment_set or ())
        self.X = _with_intercept(_design(data, adj))
        self.d = data[t].to_numpy(dtype=float)
        self.y = data[y].to_numpy(dtype=float)
        self.rd = _residualise(self.d, self.X)
        self.ry = _residualise(self.y, self.X)
        self.value = float(self.rd @ self.ry / (self.rd @ self.rd))

    @classmethod
    def build(cls, estimate: Any, data: Any, estimand: Any, t: str, y: str) -> _Linear | None:
        if estimand.strategy not in ("backdoor", "randomized"):
            return None
        try:
            lin = cls(data, estimand, t, y)
        except (DataError, ValueError, TypeError, np.linalg.LinAlgError):
            return None
        return lin if _close(lin.value, estimate.value, estimate.se) else None

    def with_extra(self, W: np.ndarray) -> np.ndarray:
        """Treatment coefficient after adding one extra covariate per column of ``W``."""
        rw = _residualise(W, self.X)
        ww = np.einsum("nb,nb->b", rw, rw)
        rd_b = self.rd[:, None] - rw * (rw.T @ self.rd / ww)
        ry_b = self.ry[:, None] - rw * (rw.T @ self.ry / ww)
        return np.einsum("nb,nb->b", rd_b, ry_b) / np.einsum("nb,nb->b", rd_b, rd_b)

    def with_treatments(self, D: np.ndarray) -> np.ndarray:
        rd = _residualise(D, self.X)
        return (rd.T @ self.ry) / np.einsum("nb,nb->b", rd, rd)

    def with_outcomes(self, Y: np.ndarray) -> np.ndarray:
        return (self.rd @ _residualise(Y, self.X)) / (self.rd @ self.rd)

    def weighted(self, Wt: np.ndarray) -> np.ndarray:
        """Treatment coefficient under row weights (B × n): subsets and bootstrap resamples."""
        Z = np.column_stack([self.d, self.X])
        A = np.einsum("bn,np,nq->bpq", Wt, Z, Z, optimize=True)
        c = np.einsum("bn,np,n->bp", Wt, Z, self.y, optimize=True)
        try:
            sol = np.linalg.solve(A, c[..., None])[..., 0]
        except np.linalg.LinAlgError:
            sol = np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(A, c)])
        return sol[:, 0]


def _close(a: float, b: float, scale: float) -> bool:
    return bool(abs(a - b) <= 1e-6 * (abs(b) + abs(scale) + 1e-12))


def _run(
    estimate: Any,
    make: Callable[[int], tuple[Any, Any]],
    n: int,
    *,
    n_jobs: int | None,
    progress: _Progress,
) -> tuple[np.ndarray, list[Any], int]:
    """Refit on every replicate ``make(i) -> (data, estimand)``; returns values, estimates, failures."""
    estimator = estimate.estimator

    def one(i: int) -> Any:
        new_data, new_estimand = make(i)
        try:
            return _refit(estimator, new_data, new_estimand)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return None

    if n_jobs in (None, 1) or n < 8:
        results = []
        for i in range(n):
            results.append(one(i))
            progress.update()
    else:
        from joblib import Parallel, delayed

        results = []
        chunk = max(1, n // 10)
        with Parallel(n_jobs=n_jobs) as parallel:
            for start in range(0, n, chunk):
                stop = min(n, start + chunk)
                results.extend(parallel(delayed(one)(i) for i in range(start, stop)))
                progress.update(stop - start)
    values = np.array([np.nan if r is None else r.value for r in results])
    failures = sum(r is None for r in results)
    return values, results, failures


def _finish(
    method: str,
    estimate: Any,
    values: np.ndarray,
    *,
    title: str,
    verdict: str,
    rule: str,
    detects: str,
    p_value: float | None = None,
    new_effect: float | None = None,
    details: Mapping[str, Any] | None = None,
    started: float,
    fast: bool,
    failures: int = 0,
) -> Refutation:
    det = dict(details or {})
    if failures:
        det["failed_replicates"] = failures
        if failures > 0.1 * len(values) and verdict == "pass":
            verdict = "warn"
            rule += f"; but {failures} of {len(values)} replicates failed to fit"
    finite = values[np.isfinite(values)]
    return Refutation(
        method=method,
        title=title,
        estimate=float(estimate.value),
        se=float(estimate.se),
        new_effect=float(np.mean(finite)) if new_effect is None and finite.size else float(new_effect or np.nan),
        values=tuple(values.tolist()),
        interval=_percentiles(values),
        p_value=None if p_value is None else float(p_value),
        verdict=verdict,
        rule=rule,
        detects=detects,
        details=det,
        n_simulations=len(values),
        seconds=time.perf_counter() - started,
        fast_path=fast,
    )


def _check_fast(estimate: Any, make_data: Any, estimand: Any, fast_value: float) -> bool:
    """Does the real estimator reproduce the fast path's value on one replicate?"""
    try:
        real = _refit(estimate.estimator, make_data, estimand).value
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return False
    return _close(fast_value, real, estimate.se)


def _se_units(x: float, se: float) -> float:
    return abs(x) / se if se > 0 else math.inf


# --------------------------------------------------------------------------- refuters


def refute_placebo_treatment(
    estimate: Any,
    data: Any,
    *,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Refutation:
    """Replace the treatment by a random permutation of itself and re-estimate.

    A permuted treatment has no effect, so the placebo effects should centre on
    zero. Verdict: ``fail`` when their 95% interval excludes 0, ``warn`` when
    their mean is more than 3 Monte-Carlo standard errors from 0, else ``pass``.
    The p-value is the permutation p-value of the original estimate,
    ``(1 + #{|placebo| ≥ |estimate|}) / (B + 1)``. Blind to omitted confounding.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> r = refute_placebo_treatment(est, df, n_simulations=50, random_state=0)
    >>> r.verdict, r.p_value < 0.05
    ('pass', True)
    """
    started = time.perf_counter()
    _, estimand, t, y = _context(estimate, data)
    bar = _Progress("placebo treatment", n_simulations, progress)
    n = len(data)
    perms = [rng.permutation(n) for rng in _rngs(random_state, n_simulations)]
    treatment = data[t].to_numpy()

    def make(i: int) -> tuple[Any, Any]:
        new = data.copy()
        new[t] = treatment[perms[i]]
        return new, estimand

    lin = _Linear.build(estimate, data, estimand, t, y)
    fast = False
    if lin is not None:
        D = np.column_stack([lin.d[p] for p in perms])
        values = lin.with_treatments(D)
        first = data.copy()
        first[t] = data[t].to_numpy()[perms[0]]
        fast = _check_fast(estimate, first, estimand, values[0])
        failures = 0
        bar.update(n_simulations)
    if not fast:
        values, _, failures = _run(estimate, make, n_simulations, n_jobs=n_jobs, progress=bar)
    bar.close()
    finite = values[np.isfinite(values)]
    mean = float(np.mean(finite))
    mc_se = float(np.std(finite, ddof=1) / math.sqrt(finite.size)) if finite.size > 1 else math.inf
    interval = _percentiles(values) or (math.nan, math.nan)
    covers = interval[0] <= 0 <= interval[1]
    p = (1 + int(np.sum(np.abs(finite) >= abs(estimate.value)))) / (finite.size + 1)
    if not covers:
        verdict = "fail"
    elif abs(mean) > 3 * mc_se:
        verdict = "warn"
    else:
        verdict = "pass"
    rule = (
        f"placebo effects' 95% interval [{interval[0]:.4g}, {interval[1]:.4g}] "
        f"{'covers' if covers else 'excludes'} 0 and their mean {mean:.4g} is "
        f"{abs(mean) / mc_se if mc_se > 0 else math.inf:.2g} Monte-Carlo SE from 0 "
        f"(pass: covers 0 and within 3 MC SE)"
    )
    return _finish(
        "placebo_treatment",
        estimate,
        values,
        title="Placebo treatment: the treatment replaced by a random permutation of itself",
        verdict=verdict,
        rule=rule,
        detects="an estimator that finds an effect where there is none; blind to omitted confounding",
        p_value=p,
        details={"monte_carlo_se": mc_se},
        started=started,
        fast=fast,
        failures=failures,
    )


def refute_random_common_cause(
    estimate: Any,
    data: Any,
    *,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Refutation:
    """Add an independent standard-normal covariate to the adjustment set and re-estimate.

    An irrelevant covariate should not move the estimate. Verdict: mean
    absolute shift ≤ 0.2 SE ``pass``, ≤ 0.5 SE ``warn``, else ``fail``.
    Needs a covariate-adjustment (backdoor or randomized) estimand.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> refute_random_common_cause(est, df, n_simulations=20, random_state=0).verdict
    'pass'
    """
    started = time.perf_counter()
    _, estimand, t, y = _context(estimate, data)
    _need_adjustment(estimand, "random common cause")
    name = _fresh_name(data, "random_common_cause")
    new_estimand = replace(estimand, adjustment_set=frozenset(estimand.adjustment_set or ()) | {name})
    bar = _Progress("random common cause", n_simulations, progress)
    n = len(data)
    W = np.column_stack([r.standard_normal(n) for r in _rngs(random_state, n_simulations)])

    def make(i: int) -> tuple[Any, Any]:
        new = data.copy()
        new[name] = W[:, i]
        return new, new_estimand

    lin = _Linear.build(estimate, data, estimand, t, y)
    fast = False
    failures = 0
    if lin is not None:
        values = lin.with_extra(W)
        first = data.copy()
        first[name] = W[:, 0]
        fast = _check_fast(estimate, first, new_estimand, values[0])
        bar.update(n_simulations)
    if not fast:
        values, _, failures = _run(estimate, make, n_simulations, n_jobs=n_jobs, progress=bar)
    bar.close()
    shifts = np.abs(values - estimate.value)
    shift = float(np.nanmean(shifts))
    units = _se_units(shift, estimate.se)
    verdict = "pass" if units <= 0.2 else "warn" if units <= 0.5 else "fail"
    rule = (
        f"adding a random common cause moved the estimate by {shift:.3g} on average ({units:.2g} SE; "
        "pass ≤ 0.2 SE, warn ≤ 0.5 SE)"
    )
    return _finish(
        "random_common_cause",
        estimate,
        values,
        title="Random common cause: an independent random covariate added to the adjustment set",
        verdict=verdict,
        rule=rule,
        detects="an estimate that is numerically unstable to irrelevant covariates; blind to omitted confounding",
        details={"mean_abs_shift": shift, "mean_abs_shift_se": units},
        started=started,
        fast=fast,
        failures=failures,
    )


def _need_adjustment(estimand: Any, what: str) -> None:
    if estimand.strategy not in ("backdoor", "randomized"):
        raise EstimatorError(
            f"the {what} refuter adds a covariate to the adjustment set, so it needs a covariate-adjustment "
            f"(backdoor or randomized) estimand, not {estimand.strategy!r}"
        )


def _resample(
    method: str,
    estimate: Any,
    data: Any,
    *,
    n_simulations: int,
    random_state: Any,
    n_jobs: int | None,
    progress: bool,
    fraction: float,
    replace_rows: bool,
) -> tuple[np.ndarray, bool, int, float]:
    started = time.perf_counter()
    _, estimand, t, y = _context(estimate, data)
    n = len(data)
    m = n if replace_rows else int(round(fraction * n))
    if m < 3:
        raise DataError(f"too few rows ({n}) for {method}")
    idx = [
        (r.integers(0, n, size=m) if replace_rows else np.sort(r.choice(n, size=m, replace=False)))
        for r in _rngs(random_state, n_simulations)
    ]
    bar = _Progress(method.replace("_", " "), n_simulations, progress)

    def make(i: int) -> tuple[Any, Any]:
        return data.iloc[idx[i]].reset_index(drop=True), estimand

    lin = _Linear.build(estimate, data, estimand, t, y)
    fast = False
    failures = 0
    if lin is not None:
        Wt = np.zeros((n_simulations, n))
        for b, ix in enumerate(idx):
            np.add.at(Wt[b], ix, 1.0)
        values = lin.weighted(Wt)
        fast = _check_fast(estimate, data.iloc[idx[0]].reset_index(drop=True), estimand, values[0])
        bar.update(n_simulations)
    if not fast:
        values, _, failures = _run(estimate, make, n_simulations, n_jobs=n_jobs, progress=bar)
    bar.close()
    return values, fast, failures, started


def refute_data_subset(
    estimate: Any,
    data: Any,
    *,
    fraction: float = 0.8,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Refutation:
    """Re-estimate on random subsets of ``fraction`` of the rows.

    Subset estimates should centre on the full-data estimate with spread about
    ``SE·√((1−f)/f)``. Verdict: ``fail`` when their mean is more than 1 SE
    from the estimate; ``warn`` when more than 0.5 SE, or when their spread is
    off the prediction by more than a factor 2; else ``pass``.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> refute_data_subset(est, df, n_simulations=30, random_state=0).verdict
    'pass'
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    values, fast, failures, started = _resample(
        "data_subset", estimate, data, n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs,
        progress=progress, fraction=fraction, replace_rows=False,
    )
    finite = values[np.isfinite(values)]
    mean = float(np.mean(finite))
    sd = float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan
    expected = estimate.se * math.sqrt((1 - fraction) / fraction)
    shift = _se_units(mean - estimate.value, estimate.se)
    ratio = sd / expected if expected > 0 else math.inf
    if shift > 1:
        verdict = "fail"
    elif shift > 0.5 or not (0.5 <= ratio <= 2):
        verdict = "warn"
    else:
        verdict = "pass"
    rule = (
        f"subset estimates ({fraction:.0%} of rows) average {mean:.4g}, {shift:.2g} SE from the estimate "
        f"(pass ≤ 0.5 SE, fail > 1 SE); their spread {sd:.3g} is {ratio:.2g}× the predicted {expected:.3g} "
        "(pass within a factor 2)"
    )
    return _finish(
        "data_subset", estimate, values,
        title=f"Data subset: re-estimated on random {fraction:.0%} subsets of the rows",
        verdict=verdict, rule=rule,
        detects="an estimate driven by a few rows; blind to omitted confounding",
        details={"fraction": fraction, "shift_se": shift, "sd": sd, "predicted_sd": expected},
        started=started, fast=fast, failures=failures,
    )


def refute_bootstrap(
    estimate: Any,
    data: Any,
    *,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Refutation:
    """Re-estimate on bootstrap resamples; compare the bootstrap spread with the reported SE.

    Verdict: ``pass`` when the bootstrap SE is within a factor 1.5 of the
    reported SE and the estimate lies inside the bootstrap 95% interval;
    ``warn`` within a factor 2; else ``fail``. The p-value is the two-sided
    percentile-bootstrap p-value of the effect being 0.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> refute_bootstrap(est, df, n_simulations=50, random_state=0).verdict
    'pass'
    """
    values, fast, failures, started = _resample(
        "bootstrap", estimate, data, n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs,
        progress=progress, fraction=1.0, replace_rows=True,
    )
    finite = values[np.isfinite(values)]
    sd = float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan
    ratio = sd / estimate.se if estimate.se > 0 else math.inf
    interval = _percentiles(values) or (math.nan, math.nan)
    inside = interval[0] <= estimate.value <= interval[1]
    p = min(1.0, 2 * min(np.mean(finite <= 0), np.mean(finite >= 0))) if finite.size else None
    if inside and 1 / 1.5 <= ratio <= 1.5:
        verdict = "pass"
    elif 0.5 <= ratio <= 2:
        verdict = "warn"
    else:
        verdict = "fail"
    rule = (
        f"bootstrap SE {sd:.3g} is {ratio:.2g}× the reported SE {estimate.se:.3g} (pass within a factor 1.5, "
        f"warn within 2) and the estimate is {'inside' if inside else 'outside'} the bootstrap 95% interval "
        f"[{interval[0]:.4g}, {interval[1]:.4g}]"
    )
    return _finish(
        "bootstrap", estimate, values,
        title="Bootstrap: re-estimated on resamples of the rows with replacement",
        verdict=verdict, rule=rule,
        detects="a reported standard error that disagrees with the sampling spread; blind to omitted confounding",
        p_value=p, details={"bootstrap_se": sd, "se_ratio": ratio},
        started=started, fast=fast, failures=failures,
    )


def _non_descendants(estimand: Any, data: Any, t: str, y: str) -> tuple[list[str], str]:
    graph = getattr(estimand, "graph", None)
    adj = sorted(estimand.adjustment_set or ())
    if graph is None:
        return adj, "the adjustment set (no graph: the adjustment set itself cannot be checked)"
    desc = set(graph.descendants(t, include_self=True))
    cols = [c for c in data.columns if c in graph and c not in desc and c != y and c not in graph.latent]
    return sorted(set(cols) | set(adj)), "every measured non-descendant of the treatment in the graph"


def refute_dummy_outcome(
    estimate: Any,
    data: Any,
    *,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Refutation:
    """Replace the outcome by a simulated one whose true treatment effect is 0, and re-estimate.

    The dummy outcome is ``Ŷ = C β̂ + ε``: ``β̂`` from an OLS fit of the outcome
    on the treatment and ``C`` (every measured non-descendant of the treatment
    when the estimand carries its graph; the adjustment set otherwise) with the
    treatment's term dropped, and ``ε`` resampled residuals. The dummy outcome
    keeps the outcome's dependence on the measured covariates, so an
    adjustment set that leaves out a measured confounder (or an estimator whose
    models do not balance the covariates) shows a non-zero dummy effect.
    Verdict, on the mean dummy effect in units of the estimate's SE: ``pass``
    ≤ 0.5, ``warn`` ≤ 1, ``fail`` above.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> refute_dummy_outcome(est, df, n_simulations=30, random_state=0).verdict
    'pass'
    """
    started = time.perf_counter()
    _, estimand, t, y = _context(estimate, data)
    covs, source = _non_descendants(estimand, data, t, y)
    n = len(data)
    C = _with_intercept(_design(data, covs))
    Z = np.column_stack([data[t].to_numpy(dtype=float), C])
    yv = data[y].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(Z, yv, rcond=None)
    signal = C @ beta[1:]
    resid = yv - Z @ beta
    rngs = _rngs(random_state, n_simulations)
    Y = np.column_stack([signal + resid[r.integers(0, n, size=n)] for r in rngs])
    bar = _Progress("dummy outcome", n_simulations, progress)

    def make(i: int) -> tuple[Any, Any]:
        new = data.copy()
        new[y] = Y[:, i]
        return new, estimand

    lin = _Linear.build(estimate, data, estimand, t, y)
    fast = False
    failures = 0
    if lin is not None:
        values = lin.with_outcomes(Y)
        first = data.copy()
        first[y] = Y[:, 0]
        fast = _check_fast(estimate, first, estimand, values[0])
        bar.update(n_simulations)
    if not fast:
        values, _, failures = _run(estimate, make, n_simulations, n_jobs=n_jobs, progress=bar)
    bar.close()
    finite = values[np.isfinite(values)]
    mean = float(np.mean(finite))
    interval = _percentiles(values) or (math.nan, math.nan)
    covers = interval[0] <= 0 <= interval[1]
    units = _se_units(mean, estimate.se)
    # the replicates vary only the outcome noise, so their interval is narrow: judge the bias in units of
    # the original estimate's SE, not by whether that interval covers 0
    if units > 1:
        verdict = "fail"
    elif units > 0.5:
        verdict = "warn"
    else:
        verdict = "pass"
    rule = (
        f"dummy-outcome effects (true effect 0) average {mean:.4g}, {units:.2g} SE of the estimate from 0 "
        f"(pass ≤ 0.5 SE, warn ≤ 1 SE, fail > 1 SE; their 95% interval [{interval[0]:.4g}, {interval[1]:.4g}] "
        f"{'covers' if covers else 'excludes'} 0)"
    )
    return _finish(
        "dummy_outcome", estimate, values,
        title=f"Dummy outcome: an outcome with true effect 0 built from {source}",
        verdict=verdict, rule=rule,
        detects="a measured confounder (a column in the data) left out of the adjustment set",
        details={"covariates": covs, "mean_se": units},
        started=started, fast=fast, failures=failures,
    )


def _benchmark_partials(data: Any, estimand: Any, t: str, y: str, benchmark: str | None) -> dict[str, tuple[float, float]]:
    """Partial R² of each numeric adjustment covariate (or the named one) with treatment and outcome."""
    import pandas as pd

    from dagcore.estimators.sensitivity.ovb import _ovb_from_arrays

    adj = sorted(estimand.adjustment_set or ())
    numeric = [c for c in adj if np.issubdtype(data[c].dtype, np.number)]
    if benchmark is not None and benchmark not in numeric:
        raise DataError(f"benchmark {benchmark!r} is not a numeric column of the adjustment set ({', '.join(adj)})")
    cands = [benchmark] if benchmark else numeric
    if not cands:
        raise EstimatorError(
            "no numeric covariate to benchmark the simulated confounder against; give r2_treatment and r2_outcome"
        )
    X = _with_intercept(_design(data, [t, *adj]))
    names = ["const", *map(str, pd.get_dummies(data[[t, *adj]], drop_first=True).columns)]
    s = _ovb_from_arrays(
        data[y].to_numpy(dtype=float), X, names, t, benchmarks=cands, k=[0.0], q=1.0, alpha=0.05, reduce=True
    )
    return {bb.covariate: (bb.r2dxj_x, bb.r2yxj_dx) for bb in s.bounds}


def refute_unobserved_common_cause(
    estimate: Any,
    data: Any,
    *,
    r2_treatment: float | None = None,
    r2_outcome: float | None = None,
    benchmark: str | None = None,
    k: float = 1.0,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Refutation:
    """Adjust for a simulated unobserved common cause of chosen strength and see what is left.

    A confounder ``U`` is simulated with partial R² ``r2_treatment`` with the
    treatment (given the adjustment set) and ``r2_outcome`` with the outcome
    (given treatment and adjustment set), oriented to move the estimate toward
    zero, then added to the adjustment set and the estimator re-run. By
    default its strength is that of a confounder ``k`` times as strong as the
    strongest measured covariate (Cinelli & Hazlett's benchmark bound). No data
    can reveal an unmeasured confounder; this says whether one of the chosen
    strength would overturn the conclusion.

    Verdict, on the median replicate: ``pass`` when the adjusted estimate keeps
    its sign, its CI excludes 0 and it keeps at least half its size; ``warn``
    when it keeps its sign otherwise; ``fail`` when the sign flips. The p-value is that of the adjusted
    estimate (normal approximation).

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> r = refute_unobserved_common_cause(est, df, r2_treatment=0.05, r2_outcome=0.05, n_simulations=10, random_state=0)
    >>> r.verdict, abs(r.new_effect) < abs(est.value)
    ('pass', True)
    """
    started = time.perf_counter()
    _, estimand, t, y = _context(estimate, data)
    _need_adjustment(estimand, "unobserved common cause")
    if (r2_treatment is None) != (r2_outcome is None):
        raise ValueError("give both r2_treatment and r2_outcome, or neither (to benchmark against a covariate)")
    if r2_treatment is None:
        from dagcore.estimators.sensitivity.ovb import benchmark_bound

        partials = _benchmark_partials(data, estimand, t, y, benchmark)
        bench = max(partials, key=lambda c: partials[c][0] * partials[c][1])
        try:
            r2d, r2y = benchmark_bound(*partials[bench], kd=k)
        except ValueError as err:
            raise EstimatorError(f"cannot simulate a confounder {k:g}× as strong as {bench}: {err}") from None
        strength = f"{k:g}× as strong as {bench}"
    else:
        r2d, r2y = float(r2_treatment), float(r2_outcome)
        strength = "as given"
        bench = None
    if not (0 <= r2d < 1 and 0 <= r2y <= 1):
        raise ValueError(f"partial R² must be in [0, 1), got {r2d:.3g} and {r2y:.3g}")
    if r2y > 0.99:  # the benchmark bound reached 1: keep a little outcome noise so the refit has a CI
        r2y = 0.99
        strength += ", outcome R² capped at 0.99"
    adj = sorted(estimand.adjustment_set or ())
    X = _with_intercept(_design(data, adj))
    n = len(data)
    d = data[t].to_numpy(dtype=float)
    yv = data[y].to_numpy(dtype=float)
    rd = _residualise(d, X)
    ry = _residualise(yv, np.column_stack([X, d]))
    a = rd / np.linalg.norm(rd)
    b = ry / np.linalg.norm(ry)
    alpha = math.sqrt(r2d)
    beta = math.sqrt(r2y * (1 - r2d)) * (1.0 if estimate.value >= 0 else -1.0)
    gamma = math.sqrt(max(0.0, (1 - r2y) * (1 - r2d)))
    full = np.column_stack([X, d, yv])
    rngs = _rngs(random_state, n_simulations)

    def u_for(rng: np.random.Generator) -> np.ndarray:
        c = _residualise(rng.standard_normal(n), full)
        c /= np.linalg.norm(c)
        return (alpha * a + beta * b + gamma * c) * math.sqrt(n)

    U = np.column_stack([u_for(r) for r in rngs])
    name = _fresh_name(data, "unobserved_common_cause")
    new_estimand = replace(estimand, adjustment_set=frozenset(adj) | {name})

    def make(i: int) -> tuple[Any, Any]:
        new = data.copy()
        new[name] = U[:, i]
        return new, new_estimand

    bar = _Progress("unobserved common cause", n_simulations, progress)
    lin = _Linear.build(estimate, data, estimand, t, y)
    fast = False
    failures = 0
    if lin is not None:
        values = lin.with_extra(U)
        bar.update(n_simulations)
        fast = True
    else:
        values, _, failures = _run(estimate, make, n_simulations, n_jobs=n_jobs, progress=bar)
    # the median replicate, refitted with the real estimator, gives the CI the verdict rests on
    finite_idx = np.flatnonzero(np.isfinite(values))
    if finite_idx.size == 0:
        raise EstimatorError("the estimator failed on every replicate with the simulated confounder")
    med = finite_idx[np.argsort(values[finite_idx])[finite_idx.size // 2]]
    med_data = data.copy()
    med_data[name] = U[:, med]
    adjusted = _refit(estimate.estimator, med_data, new_estimand)
    if fast and not _close(adjusted.value, values[med], estimate.se):
        values, _, failures = _run(estimate, make, n_simulations, n_jobs=n_jobs, progress=bar)
        fast = False
    bar.close()
    same_sign = np.sign(adjusted.value) == np.sign(estimate.value) and adjusted.value != 0
    lo, hi = adjusted.ci
    excludes = not (lo <= 0 <= hi)
    p = None
    if adjusted.se > 0:
        from scipy import stats

        p = float(2 * stats.norm.sf(abs(adjusted.value) / adjusted.se))
    kept = abs(adjusted.value) / abs(estimate.value) if estimate.value else 0.0
    verdict = "pass" if same_sign and excludes and kept >= 0.5 else "warn" if same_sign else "fail"
    rule = (
        f"adjusting for a simulated confounder ({strength}: partial R² {r2d:.3g} with the treatment, "
        f"{r2y:.3g} with the outcome) moves the estimate from {estimate.value:.4g} to {adjusted.value:.4g} "
        f"(CI {lo:.4g} to {hi:.4g}, {kept:.0%} of its size); pass: same sign, CI excludes 0 and at least half "
        "the size kept; warn: same sign otherwise; fail: sign flips"
    )
    return _finish(
        "unobserved_common_cause", estimate, values,
        title=f"Simulated unobserved common cause ({strength})",
        verdict=verdict, rule=rule,
        detects="whether a confounder of the chosen strength would overturn the conclusion (it cannot detect one)",
        p_value=p, new_effect=float(adjusted.value),
        details={
            "r2_treatment": r2d, "r2_outcome": r2y, "benchmark": bench, "k": k,
            "adjusted_ci": [float(lo), float(hi)], "adjusted_se": float(adjusted.se),
        },
        started=started, fast=fast, failures=failures,
    )


#: Refuter name -> function, in the order :func:`refute` runs them.
REFUTERS: dict[str, Callable[..., Refutation]] = {
    "placebo_treatment": refute_placebo_treatment,
    "random_common_cause": refute_random_common_cause,
    "data_subset": refute_data_subset,
    "bootstrap": refute_bootstrap,
    "dummy_outcome": refute_dummy_outcome,
    "unobserved_common_cause": refute_unobserved_common_cause,
}


def refute(
    estimate: Any,
    data: Any,
    *,
    methods: Iterable[str] | None = None,
    n_simulations: int = 100,
    random_state: Any = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> tuple[Refutation, ...]:
    """Run several refuters (all of :data:`REFUTERS` by default) on one estimate.

    Refuters that do not apply to the estimand (e.g. a covariate refuter on an
    instrumental-variable estimate) are left out; ask for one by name to get
    the reason as an :class:`~dagcore.errors.EstimatorError`.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> [r.verdict for r in refute(est, df, methods=["placebo_treatment", "bootstrap"], n_simulations=30,
    ...                            random_state=1)]
    ['pass', 'pass']
    """
    names = list(REFUTERS) if methods is None else ([methods] if isinstance(methods, str) else list(methods))
    unknown = [m for m in names if m not in REFUTERS]
    if unknown:
        raise EstimatorError(f"unknown refuter(s) {', '.join(map(repr, unknown))}; known: {', '.join(REFUTERS)}")
    seeds = _rngs(random_state, len(names))
    out = []
    for name, rng in zip(names, seeds):
        try:
            out.append(
                REFUTERS[name](
                    estimate, data, n_simulations=n_simulations, random_state=int(rng.integers(2**32)),
                    n_jobs=n_jobs, progress=progress,
                )
            )
        except EstimatorError:
            if methods is not None:
                raise
    return tuple(out)


def _demo() -> tuple[Any, Any]:
    """A small simulated backdoor estimate for the doctests (an OLS stand-in estimator)."""
    import pandas as pd

    from dagcore.estimand import Estimand

    rng = np.random.default_rng(42)
    n = 400
    z = rng.normal(size=n)
    x = (z + rng.normal(size=n) > 0).astype(float)
    y = 1.0 * x + z + rng.normal(size=n)
    df = pd.DataFrame({"z": z, "x": x, "y": y})
    estimand = Estimand(treatment="x", outcome="y", strategy="backdoor", adjustment_set={"z"})
    return _DemoOLS().fit(df, estimand).estimate_, df


def _demo_base() -> type:
    from sklearn.base import BaseEstimator

    return BaseEstimator


class _DemoOLS(_demo_base()):  # type: ignore[misc]
    """Minimal estimator following the contract (``fit(data, estimand)``; ``estimate_``), for examples."""

    def fit(self, data: Any, estimand: Any) -> _DemoOLS:
        from dagcore.estimators.result import Estimate

        t, y = estimand.treatment[0], estimand.outcome[0]
        adj = sorted(estimand.adjustment_set or ())
        Z = np.column_stack([data[t].to_numpy(dtype=float), _with_intercept(_design(data, adj))])
        yv = data[y].to_numpy(dtype=float)
        coef, *_ = np.linalg.lstsq(Z, yv, rcond=None)
        resid = yv - Z @ coef
        inv = np.linalg.inv(Z.T @ Z)
        meat = (Z * resid[:, None] ** 2).T @ Z
        se = float(np.sqrt((inv @ meat @ inv)[0, 0] * len(yv) / (len(yv) - Z.shape[1])))
        v = float(coef[0])
        self.estimate_ = Estimate(value=v, se=se, ci=(v - 1.96 * se, v + 1.96 * se), method="ols",
                                  n=len(yv), estimand=estimand, estimator=self)
        return self
