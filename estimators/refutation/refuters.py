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

Each refuter below supplies only what it changes (a plan) and how it reads
the replicates (a judgement); :func:`~dagcore.estimators.refutation._template.run_refuter`
is the one template that runs them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators._resample import resample_rows, spawn_generators, subsample_rows
from dagcore.estimators.refutation._linear import design, residualise, with_intercept
from dagcore.estimators.refutation._template import (
    Context,
    Judgement,
    Plan,
    Replicates,
    fresh_name,
    need_adjustment,
    percentiles,
    run_refuter,
    se_units,
    with_covariate_in_formulas,
)
from dagcore.estimators.refutation.result import Refutation

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


def _interval(reps: Replicates) -> tuple[float, float]:
    return percentiles(reps.values) or (math.nan, math.nan)


# --------------------------------------------------------------------------- placebo treatment


def _placebo_plan(ctx: Context) -> Plan:
    perms = [rng.permutation(ctx.n) for rng in ctx.rngs]
    treatment = ctx.data[ctx.treatment].to_numpy()
    return Plan(
        "placebo treatment",
        lambda i: (ctx.with_column(ctx.treatment, treatment[perms[i]]), ctx.estimand),
        fast=lambda lin: lin.with_treatments(np.column_stack([lin.d[p] for p in perms])),
    )


def _placebo_judgement(ctx: Context, reps: Replicates) -> Judgement:
    finite = reps.finite
    mean = float(np.mean(finite))
    mc_se = float(np.std(finite, ddof=1) / math.sqrt(finite.size)) if finite.size > 1 else math.inf
    lo, hi = _interval(reps)
    covers = lo <= 0 <= hi
    p = (1 + int(np.sum(np.abs(finite) >= abs(ctx.estimate.value)))) / (finite.size + 1)
    verdict = "fail" if not covers else "warn" if abs(mean) > 3 * mc_se else "pass"
    rule = (
        f"placebo effects' 95% interval [{lo:.4g}, {hi:.4g}] {'covers' if covers else 'excludes'} 0 and their "
        f"mean {mean:.4g} is {abs(mean) / mc_se if mc_se > 0 else math.inf:.2g} Monte-Carlo SE from 0 "
        f"(pass: covers 0 and within 3 MC SE)"
    )
    return Judgement(
        "Placebo treatment: the treatment replaced by a random permutation of itself", verdict, rule,
        "an estimator that finds an effect where there is none; blind to omitted confounding",
        p_value=p, details={"monte_carlo_se": mc_se},
    )


def refute_placebo_treatment(estimate: Any, data: Any, *, n_simulations: int = 100, random_state: Any = None,
                             n_jobs: int | None = 1, progress: bool = False) -> Refutation:
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
    return run_refuter("placebo_treatment", estimate, data, plan=_placebo_plan, judge=_placebo_judgement,
                       n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs, progress=progress)


# --------------------------------------------------------------------------- random common cause


def _random_cause_plan(ctx: Context) -> Plan:
    need_adjustment(ctx.estimand, "random common cause")
    name = fresh_name(ctx.data, "random_common_cause")
    estimand = replace(ctx.estimand, adjustment_set=frozenset(ctx.estimand.adjustment_set or ()) | {name})
    W = np.column_stack([r.standard_normal(ctx.n) for r in ctx.rngs])
    return Plan(
        "random common cause",
        lambda i: (ctx.with_column(name, W[:, i]), estimand),
        fast=lambda lin: lin.with_extra(W),
        adapt=lambda est: with_covariate_in_formulas(est, name),  # a user formula adjusts for it too
    )


def _random_cause_judgement(ctx: Context, reps: Replicates) -> Judgement:
    shift = float(np.nanmean(np.abs(reps.values - ctx.estimate.value)))
    units = se_units(shift, ctx.estimate.se)
    verdict = "pass" if units <= 0.2 else "warn" if units <= 0.5 else "fail"
    rule = (
        f"adding a random common cause moved the estimate by {shift:.3g} on average ({units:.2g} SE; "
        "pass ≤ 0.2 SE, warn ≤ 0.5 SE)"
    )
    return Judgement(
        "Random common cause: an independent random covariate added to the adjustment set", verdict, rule,
        "an estimate that is numerically unstable to irrelevant covariates; blind to omitted confounding",
        details={"mean_abs_shift": shift, "mean_abs_shift_se": units},
    )


def refute_random_common_cause(estimate: Any, data: Any, *, n_simulations: int = 100, random_state: Any = None,
                               n_jobs: int | None = 1, progress: bool = False) -> Refutation:
    """Add an independent standard-normal covariate to the adjustment set and re-estimate.

    An irrelevant covariate should not move the estimate. Verdict: mean
    absolute shift ≤ 0.2 SE ``pass``, ≤ 0.5 SE ``warn``, else ``fail``.
    Needs a covariate-adjustment (backdoor or randomized) estimand.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> r = refute_random_common_cause(est, df, n_simulations=20, random_state=0)
    >>> r.verdict, r.details["mean_abs_shift_se"] < 0.2
    ('pass', True)
    """
    return run_refuter("random_common_cause", estimate, data, plan=_random_cause_plan, judge=_random_cause_judgement,
                       n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs, progress=progress)


# --------------------------------------------------------------------------- data subset and bootstrap


def _rows_plan(ctx: Context, *, method: str, fraction: float, replace_rows: bool) -> Plan:
    """Replicates that keep a random ``fraction`` of the rows, or resample them with replacement."""
    n = ctx.n
    m = n if replace_rows else int(round(fraction * n))
    if m < 3:
        raise DataError(f"too few rows ({n}) for {method}")
    idx = [(resample_rows(r, n) if replace_rows else subsample_rows(r, n, m)) for r in ctx.rngs]

    def fast(lin: Any) -> np.ndarray:
        Wt = np.zeros((len(idx), n))
        for b, ix in enumerate(idx):
            np.add.at(Wt[b], ix, 1.0)
        return lin.weighted(Wt)

    return Plan(
        method.replace("_", " "), lambda i: (ctx.data.iloc[idx[i]].reset_index(drop=True), ctx.estimand), fast=fast
    )


def _subset_judgement(ctx: Context, reps: Replicates, *, fraction: float) -> Judgement:
    finite, est = reps.finite, ctx.estimate
    mean = float(np.mean(finite))
    sd = float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan
    expected = est.se * math.sqrt((1 - fraction) / fraction)
    shift = se_units(mean - est.value, est.se)
    ratio = sd / expected if expected > 0 else math.inf
    verdict = "fail" if shift > 1 else "warn" if shift > 0.5 or not (0.5 <= ratio <= 2) else "pass"
    rule = (
        f"subset estimates ({fraction:.0%} of rows) average {mean:.4g}, {shift:.2g} SE from the estimate "
        f"(pass ≤ 0.5 SE, fail > 1 SE); their spread {sd:.3g} is {ratio:.2g}× the predicted {expected:.3g} "
        "(pass within a factor 2)"
    )
    return Judgement(
        f"Data subset: re-estimated on random {fraction:.0%} subsets of the rows", verdict, rule,
        "an estimate driven by a few rows; blind to omitted confounding",
        details={"fraction": fraction, "shift_se": shift, "sd": sd, "predicted_sd": expected},
    )


def refute_data_subset(estimate: Any, data: Any, *, fraction: float = 0.8, n_simulations: int = 100,
                       random_state: Any = None, n_jobs: int | None = 1, progress: bool = False) -> Refutation:
    """Re-estimate on random subsets of ``fraction`` of the rows.

    Subset estimates should centre on the full-data estimate with spread about
    ``SE·√((1−f)/f)``. Verdict: ``fail`` when their mean is more than 1 SE
    from the estimate; ``warn`` when more than 0.5 SE, or when their spread is
    off the prediction by more than a factor 2; else ``pass``.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> refute_data_subset(est, df, fraction=0.5, n_simulations=30, random_state=0).verdict
    'pass'
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    plan = partial(_rows_plan, method="data_subset", fraction=fraction, replace_rows=False)
    return run_refuter("data_subset", estimate, data, plan=plan, judge=partial(_subset_judgement, fraction=fraction),
                       n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs, progress=progress)


def _bootstrap_judgement(ctx: Context, reps: Replicates) -> Judgement:
    finite, est = reps.finite, ctx.estimate
    sd = float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan
    ratio = sd / est.se if est.se > 0 else math.inf
    lo, hi = _interval(reps)
    inside = lo <= est.value <= hi
    p = min(1.0, 2 * float(min(np.mean(finite <= 0), np.mean(finite >= 0)))) if finite.size else None
    verdict = "pass" if inside and 1 / 1.5 <= ratio <= 1.5 else "warn" if 0.5 <= ratio <= 2 else "fail"
    rule = (
        f"bootstrap SE {sd:.3g} is {ratio:.2g}× the reported SE {est.se:.3g} (pass within a factor 1.5, "
        f"warn within 2) and the estimate is {'inside' if inside else 'outside'} the bootstrap 95% interval "
        f"[{lo:.4g}, {hi:.4g}]"
    )
    return Judgement(
        "Bootstrap: re-estimated on resamples of the rows with replacement", verdict, rule,
        "a reported standard error that disagrees with the sampling spread; blind to omitted confounding",
        p_value=p, details={"bootstrap_se": sd, "se_ratio": ratio},
    )


def refute_bootstrap(estimate: Any, data: Any, *, n_simulations: int = 100, random_state: Any = None,
                     n_jobs: int | None = 1, progress: bool = False) -> Refutation:
    """Re-estimate on bootstrap resamples; compare the bootstrap spread with the reported SE.

    Verdict: ``pass`` when the bootstrap SE is within a factor 1.5 of the
    reported SE and the estimate lies inside the bootstrap 95% interval;
    ``warn`` within a factor 2; else ``fail``. The p-value is the two-sided
    percentile-bootstrap p-value of the effect being 0.

    Examples
    --------
    >>> from dagcore.estimators.refutation.refuters import _demo
    >>> est, df = _demo()
    >>> b = refute_bootstrap(est, df, n_simulations=50, random_state=0)
    >>> b.verdict, 0.67 < b.details["se_ratio"] < 1.5
    ('pass', True)
    """
    plan = partial(_rows_plan, method="bootstrap", fraction=1.0, replace_rows=True)
    return run_refuter("bootstrap", estimate, data, plan=plan, judge=_bootstrap_judgement,
                       n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs, progress=progress)


# --------------------------------------------------------------------------- dummy outcome


def _non_descendants(estimand: Any, data: Any, t: str, y: str, given: Sequence[str] = ()) -> tuple[list[str], str]:
    """The columns the dummy outcome is built from, and where they come from, in words.

    For an instrumental-variable estimand the dummy outcome must leave the
    instrument valid (its true IV effect is then 0), so it is built from the
    analysis's conditioning set only (the estimand's and the precision
    covariates, ``given``): never from the instrument, whose confounded
    association with the outcome would give the dummy a non-zero IV effect
    (the reason ``dummy_outcome`` failed every valid IV analysis), nor from
    another column, whose chance correlation with the instrument in the
    sample would move every replicate alike.
    """
    graph = getattr(estimand, "graph", None)
    adj = sorted({*(estimand.adjustment_set or ()), *given})
    if estimand.strategy == "iv":
        return adj, "the instrument analysis's conditioning set (never the instrument)"
    if graph is None:
        return adj, "the adjustment set (no graph: the adjustment set itself cannot be checked)"
    desc = set(graph.descendants(t, include_self=True))
    cols = [c for c in data.columns if c in graph and c not in desc and c != y and c not in graph.latent]
    return sorted(set(cols) | set(adj)), "every measured non-descendant of the treatment in the graph"


def _dummy_plan(ctx: Context) -> Plan:
    t, y, n = ctx.treatment, ctx.outcome, ctx.n
    precision = getattr(ctx.estimate, "diagnostics", {}).get("precision_covariates", ()) if ctx.estimand.strategy == "iv" else ()
    covs, source = _non_descendants(ctx.estimand, ctx.data, t, y, precision)
    C = with_intercept(design(ctx.data, covs))
    Z = np.column_stack([ctx.data[t].to_numpy(dtype=float), C])
    yv = ctx.data[y].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(Z, yv, rcond=None)
    signal = C @ beta[1:]
    resid = yv - Z @ beta
    Y = np.column_stack([signal + resid[resample_rows(r, n)] for r in ctx.rngs])
    return Plan(
        "dummy outcome", lambda i: (ctx.with_column(y, Y[:, i]), ctx.estimand), fast=lambda lin: lin.with_outcomes(Y),
        facts={"covariates": covs, "source": source},
    )


def _dummy_judgement(ctx: Context, reps: Replicates) -> Judgement:
    mean = float(np.mean(reps.finite))
    lo, hi = _interval(reps)
    covers = lo <= 0 <= hi
    units = se_units(mean, ctx.estimate.se)
    # the replicates vary only the outcome noise, so their interval is narrow: judge the bias in units of
    # the original estimate's SE, not by whether that interval covers 0
    verdict = "fail" if units > 1 else "warn" if units > 0.5 else "pass"
    rule = (
        f"dummy-outcome effects (true effect 0) average {mean:.4g}, {units:.2g} SE of the estimate from 0 "
        f"(pass ≤ 0.5 SE, warn ≤ 1 SE, fail > 1 SE; their 95% interval [{lo:.4g}, {hi:.4g}] "
        f"{'covers' if covers else 'excludes'} 0)"
    )
    return Judgement(
        f"Dummy outcome: an outcome with true effect 0 built from {reps.plan.facts['source']}", verdict, rule,
        "a measured confounder (a column in the data) left out of the adjustment set",
        details={"covariates": reps.plan.facts["covariates"], "mean_se": units},
    )


def refute_dummy_outcome(estimate: Any, data: Any, *, n_simulations: int = 100, random_state: Any = None,
                         n_jobs: int | None = 1, progress: bool = False) -> Refutation:
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
    >>> d = refute_dummy_outcome(est, df, n_simulations=30, random_state=0)
    >>> d.verdict, d.details["covariates"]
    ('pass', ['z'])
    """
    return run_refuter("dummy_outcome", estimate, data, plan=_dummy_plan, judge=_dummy_judgement,
                       n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs, progress=progress)


# --------------------------------------------------------------------------- simulated unobserved common cause


def _benchmark_partials(data: Any, estimand: Any, t: str, y: str, benchmark: str | None) -> dict[str, tuple[float, float]]:
    """Partial R² of each numeric adjustment covariate (or the named one) with treatment and outcome."""
    from dagcore.estimators.sensitivity.ovb import ols_sensitivity

    adj = sorted(estimand.adjustment_set or ())
    numeric = [c for c in adj if np.issubdtype(data[c].dtype, np.number)]
    if benchmark is not None and benchmark not in numeric:
        raise DataError(f"benchmark {benchmark!r} is not a numeric column of the adjustment set ({', '.join(adj)})")
    cands = [benchmark] if benchmark else numeric
    if not cands:
        raise EstimatorError(
            "no numeric covariate to benchmark the simulated confounder against; give r2_treatment and r2_outcome"
        )
    s = ols_sensitivity(data, treatment=t, outcome=y, covariates=adj, benchmarks=cands, k=[0.0])
    return {bb.covariate: (bb.r2dxj_x, bb.r2yxj_dx) for bb in s.bounds}


def _strength(ctx: Context, r2_treatment: float | None, r2_outcome: float | None, benchmark: str | None,
              k: float) -> tuple[float, float, str, str | None]:
    """Partial R² of the simulated confounder with treatment and outcome, in words, and the benchmark used."""
    if (r2_treatment is None) != (r2_outcome is None):
        raise ValueError("give both r2_treatment and r2_outcome, or neither (to benchmark against a covariate)")
    if r2_treatment is None or r2_outcome is None:
        from dagcore.estimators.sensitivity.ovb import benchmark_bound

        partials = _benchmark_partials(ctx.data, ctx.estimand, ctx.treatment, ctx.outcome, benchmark)
        bench = max(partials, key=lambda c: partials[c][0] * partials[c][1])
        try:
            r2d, r2y = benchmark_bound(*partials[bench], kd=k)
        except ValueError as err:
            raise EstimatorError(f"cannot simulate a confounder {k:g}× as strong as {bench}: {err}") from None
        strength, found = f"{k:g}× as strong as {bench}", bench
    else:
        r2d, r2y, strength, found = float(r2_treatment), float(r2_outcome), "as given", None
    if not (0 <= r2d < 1 and 0 <= r2y <= 1):
        raise ValueError(f"partial R² must be in [0, 1), got {r2d:.3g} and {r2y:.3g}")
    if r2y > 0.99:  # the benchmark bound reached 1: keep a little outcome noise so the refit has a CI
        r2y = 0.99
        strength += ", outcome R² capped at 0.99"
    return r2d, r2y, strength, found


def _median_index(values: np.ndarray) -> int:
    """The replicate with the median value among those that fitted."""
    finite_idx = np.flatnonzero(np.isfinite(values))
    if finite_idx.size == 0:
        raise EstimatorError("the estimator failed on every replicate with the simulated confounder")
    return int(finite_idx[np.argsort(values[finite_idx])[finite_idx.size // 2]])


def _confounder_plan(ctx: Context, *, r2_treatment: float | None, r2_outcome: float | None, benchmark: str | None,
                     k: float) -> Plan:
    need_adjustment(ctx.estimand, "unobserved common cause")
    r2d, r2y, strength, bench = _strength(ctx, r2_treatment, r2_outcome, benchmark, k)
    adj = sorted(ctx.estimand.adjustment_set or ())
    X = with_intercept(design(ctx.data, adj))
    n = ctx.n
    d = ctx.data[ctx.treatment].to_numpy(dtype=float)
    yv = ctx.data[ctx.outcome].to_numpy(dtype=float)
    rd = residualise(d, X)
    ry = residualise(yv, np.column_stack([X, d]))
    a = rd / np.linalg.norm(rd)
    b = ry / np.linalg.norm(ry)
    alpha = math.sqrt(r2d)
    beta = math.sqrt(r2y * (1 - r2d)) * (1.0 if ctx.estimate.value >= 0 else -1.0)
    gamma = math.sqrt(max(0.0, (1 - r2y) * (1 - r2d)))
    full = np.column_stack([X, d, yv])

    def u_for(rng: np.random.Generator) -> np.ndarray:
        c = residualise(rng.standard_normal(n), full)
        c /= np.linalg.norm(c)
        return (alpha * a + beta * b + gamma * c) * math.sqrt(n)

    U = np.column_stack([u_for(r) for r in ctx.rngs])
    name = fresh_name(ctx.data, "unobserved_common_cause")
    estimand = replace(ctx.estimand, adjustment_set=frozenset(adj) | {name})
    # the median replicate, refitted with the real estimator, gives the CI the verdict rests on: it is also the
    # replicate that checks the fast path
    return Plan(
        "unobserved common cause", lambda i: (ctx.with_column(name, U[:, i]), estimand),
        fast=lambda lin: lin.with_extra(U),
        check=lambda values: _median_index(values) if np.isfinite(values).any() else 0,
        facts={"r2_treatment": r2d, "r2_outcome": r2y, "strength": strength, "benchmark": bench, "k": k},
        adapt=lambda est: with_covariate_in_formulas(est, name),  # a user formula adjusts for it too
    )


def _confounder_judgement(ctx: Context, reps: Replicates) -> Judgement:
    est, facts = ctx.estimate, reps.plan.facts
    adjusted = reps.estimate(_median_index(reps.values))
    same_sign = np.sign(adjusted.value) == np.sign(est.value) and adjusted.value != 0
    lo, hi = adjusted.ci
    excludes = not (lo <= 0 <= hi)
    p = None
    if adjusted.se > 0:
        from scipy import stats

        p = float(2 * stats.norm.sf(abs(adjusted.value) / adjusted.se))
    kept = abs(adjusted.value) / abs(est.value) if est.value else 0.0
    verdict = "pass" if same_sign and excludes and kept >= 0.5 else "warn" if same_sign else "fail"
    rule = (
        f"adjusting for a simulated confounder ({facts['strength']}: partial R² {facts['r2_treatment']:.3g} with "
        f"the treatment, {facts['r2_outcome']:.3g} with the outcome) moves the estimate from {est.value:.4g} to "
        f"{adjusted.value:.4g} (CI {lo:.4g} to {hi:.4g}, {kept:.0%} of its size); pass: same sign, CI excludes 0 "
        "and at least half the size kept; warn: same sign otherwise; fail: sign flips"
    )
    return Judgement(
        f"Simulated unobserved common cause ({facts['strength']})", verdict, rule,
        "whether a confounder of the chosen strength would overturn the conclusion (it cannot detect one)",
        p_value=p, new_effect=float(adjusted.value),
        details={
            "r2_treatment": facts["r2_treatment"], "r2_outcome": facts["r2_outcome"], "benchmark": facts["benchmark"],
            "k": facts["k"], "adjusted_ci": [float(lo), float(hi)], "adjusted_se": float(adjusted.se),
        },
    )


def refute_unobserved_common_cause(
    estimate: Any, data: Any, *, r2_treatment: float | None = None, r2_outcome: float | None = None,
    benchmark: str | None = None, k: float = 1.0, n_simulations: int = 100, random_state: Any = None,
    n_jobs: int | None = 1, progress: bool = False,
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
    plan = partial(_confounder_plan, r2_treatment=r2_treatment, r2_outcome=r2_outcome, benchmark=benchmark, k=k)
    return run_refuter("unobserved_common_cause", estimate, data, plan=plan, judge=_confounder_judgement,
                       n_simulations=n_simulations, random_state=random_state, n_jobs=n_jobs, progress=progress)


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
    seeds = spawn_generators(random_state, len(names))
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
    estimand = Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"z"}))
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
        Z = np.column_stack([data[t].to_numpy(dtype=float), with_intercept(design(data, adj))])
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
