"""Sensitivity analysis: E-values (VanderWeele & Ding 2017) and Cinelli & Hazlett (2020) OVB tools."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from dagcore.errors import DataError
from dagcore.estimators.sensitivity import (
    benchmark_bound,
    bias_adjusted,
    e_value,
    e_value_continuous,
    ols_sensitivity,
    ovb_sensitivity,
    partial_r2,
    robustness_value,
)

# --------------------------------------------------------------------------- E-value


def test_published_example() -> None:
    ev = e_value(3.9, 1.8, 8.7)
    assert round(ev.point, 2) == 7.26
    assert round(ev.limit, 2) == 3.0


def test_protective_effect_is_symmetric() -> None:
    up = e_value(3.9, 1.8, 8.7)
    down = e_value(1 / 3.9, 1 / 8.7, 1 / 1.8)
    assert down.point == pytest.approx(up.point)
    assert down.limit == pytest.approx(up.limit)


def test_interval_covering_null_gives_one() -> None:
    assert e_value(1.3, 0.9, 1.8).limit == 1.0
    assert e_value(1.0).point == 1.0


def test_odds_ratio_conversions() -> None:
    # rare outcome: OR taken as RR
    assert e_value(2.0, measure="OR").point == pytest.approx(e_value(2.0).point)
    # common outcome: RR ≈ sqrt(OR)
    assert e_value(4.0, measure="OR", rare=False).point == pytest.approx(e_value(2.0).point)
    hr = e_value(2.0, measure="HR", rare=False)
    assert hr.rr == pytest.approx((1 - 0.5 ** math.sqrt(2)) / (1 - 0.5 ** math.sqrt(0.5)))


def test_e_value_definition_by_brute_force() -> None:
    # E is the smallest equal pair (RR_UD = RR_EU = E) whose bounding factor E²/(2E−1) reaches RR.
    for rr in (1.2, 2.0, 3.9, 10.0):
        grid = np.linspace(1, 50, 200001)
        bf = grid**2 / (2 * grid - 1)
        brute = grid[np.argmax(bf >= rr)]
        assert e_value(rr).point == pytest.approx(brute, abs=1e-3)


def test_continuous_outcome() -> None:
    ev = e_value_continuous(2.0, 0.5, 4.0)
    assert ev.rr == pytest.approx(math.exp(0.91 * 0.5))
    lo = math.exp(0.91 * 0.5 - 1.78 * 0.125)  # the paper's 1.78 = 0.91 × 1.96
    assert ev.rr_ci[0] == pytest.approx(lo, rel=1e-3)
    assert ev.limit == pytest.approx(lo + math.sqrt(lo * (lo - 1)), rel=1e-3)
    assert ev.to_dict()["e_value"] == ev.point


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [((-1.0,), {}, "positive"), ((2.0, 2.5, 3.0), {}, "bracket"), ((2.0, 1.0), {}, "both"), ((2.0,), {"measure": "RD"}, "unknown")],
)
def test_e_value_bad_input(args: tuple, kwargs: dict, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        e_value(*args, **kwargs)


# --------------------------------------------------------------------------- Cinelli & Hazlett


def _simulate(seed: int, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    z = rng.normal(size=n)  # the confounder left out
    d = 0.5 * x1 + 0.3 * x2 + 0.4 * z + rng.normal(size=n)
    y = 0.3 * d + 0.6 * x1 + 0.2 * x2 + 0.5 * z + rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "z": z, "d": d, "y": y})


def _resid(v: np.ndarray, X: np.ndarray) -> np.ndarray:
    X = np.column_stack([np.ones(len(v)), X])
    return v - X @ np.linalg.lstsq(X, v, rcond=None)[0]


def test_partial_r2_from_t_matches_residualised_regressions() -> None:
    df = _simulate(0)
    s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1", "x2"])
    X = df[["x1", "x2"]].to_numpy()
    ry = _resid(df["y"].to_numpy(), X)
    rd = _resid(df["d"].to_numpy(), X)
    assert s.r2yd_x == pytest.approx(np.corrcoef(ry, rd)[0, 1] ** 2, rel=1e-9)
    # and the benchmark inputs: partial R² of x1 with d given x2, and with y given d, x2
    b = s.bounds[0]
    assert b.covariate == "x1"
    r_d = _resid(df["d"].to_numpy(), df[["x2"]].to_numpy())
    r_x1 = _resid(df["x1"].to_numpy(), df[["x2"]].to_numpy())
    assert b.r2dxj_x == pytest.approx(np.corrcoef(r_d, r_x1)[0, 1] ** 2, rel=1e-9)
    Xd = df[["d", "x2"]].to_numpy()
    assert b.r2yxj_dx == pytest.approx(
        np.corrcoef(_resid(df["y"].to_numpy(), Xd), _resid(df["x1"].to_numpy(), Xd))[0, 1] ** 2, rel=1e-9
    )


def test_bias_adjustment_equals_the_regression_with_the_confounder() -> None:
    # OVB is an identity in OLS: plugging in the omitted variable's partial R² recovers the full fit exactly.
    df = _simulate(1)
    short = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1", "x2"])
    full = sm.OLS(df["y"], sm.add_constant(df[["d", "x1", "x2", "z"]])).fit()
    Xs = df[["x1", "x2"]].to_numpy()
    r2dz = np.corrcoef(_resid(df["d"].to_numpy(), Xs), _resid(df["z"].to_numpy(), Xs))[0, 1] ** 2
    Xl = df[["d", "x1", "x2"]].to_numpy()
    r2yz = np.corrcoef(_resid(df["y"].to_numpy(), Xl), _resid(df["z"].to_numpy(), Xl))[0, 1] ** 2
    adj, adj_se = bias_adjusted(short.estimate, short.se, short.dof, r2dz, r2yz)
    assert adj == pytest.approx(full.params["d"], rel=1e-9)
    assert adj_se == pytest.approx(full.bse["d"], rel=1e-9)


def test_robustness_values_by_their_definition() -> None:
    df = _simulate(2)
    s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1", "x2"], q=1.0, alpha=0.05)
    # a confounder with R² = RV_q on both sides brings the estimate exactly to zero
    assert s.adjusted(s.rv_q, s.rv_q) == pytest.approx(0.0, abs=1e-9)
    # … and one with RV_q,α makes the adjusted t statistic hit the critical value
    est, se = bias_adjusted(s.estimate, s.se, s.dof, s.rv_qa, s.rv_qa)
    from scipy import stats

    assert abs(est / se) == pytest.approx(stats.t.ppf(0.975, s.dof - 1), rel=1e-6)
    half = robustness_value(s.t, s.dof, q=0.5)
    assert s.adjusted(half, half) == pytest.approx(s.estimate / 2, rel=1e-9)


def test_bounds_grow_with_k() -> None:
    df = _simulate(3)
    s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1", "x2"], benchmarks=["x2"], k=[0.5, 1, 2, 3])
    shifts = [abs(s.estimate - b.adjusted_estimate) for b in s.bounds]
    assert len(shifts) == 4 and all(a < b for a, b in zip(shifts, shifts[1:]))
    assert all(b.r2dz_x == pytest.approx(benchmark_bound(b.r2dxj_x, b.r2yxj_dx, kd=b.kd)[0]) for b in s.bounds)


def test_statsmodels_fit_and_dataframe_agree() -> None:
    df = _simulate(4)
    fit = sm.OLS(df["y"], sm.add_constant(df[["d", "x1", "x2"]])).fit(cov_type="HC1")
    a = ovb_sensitivity(fit, "d", benchmarks=["x1"], k=[1])
    b = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1", "x2"], benchmarks=["x1"], k=[1])
    assert a.estimate == pytest.approx(b.estimate)
    assert a.rv_q == pytest.approx(b.rv_q) and a.bounds[0].adjusted_estimate == pytest.approx(b.bounds[0].adjusted_estimate)
    assert a.t == pytest.approx(fit.params["d"] / sm.OLS(df["y"], sm.add_constant(df[["d", "x1", "x2"]])).fit().bse["d"])


def test_partial_r2_published_value() -> None:
    # Darfur example of Cinelli & Hazlett: t = 4.18445 on 783 dof; RV 13.88%, RV_α 7.63%.
    assert partial_r2(4.18445, 783) == pytest.approx(0.02187, abs=1e-5)
    assert robustness_value(4.18445, 783) == pytest.approx(0.1388, abs=1e-4)
    assert robustness_value(4.18445, 783, alpha=0.05) == pytest.approx(0.0763, abs=1e-4)


def test_bad_input_is_named() -> None:
    df = _simulate(5)
    with pytest.raises(DataError, match="'nope'"):
        ols_sensitivity(df, treatment="d", outcome="y", covariates=["nope"])
    with pytest.raises(DataError, match="benchmark 'd'"):
        ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1"], benchmarks=["d"])
    bad = df.copy()
    bad.loc[3, "x1"] = np.nan
    with pytest.raises(DataError, match="1 row"):
        ols_sensitivity(bad, treatment="d", outcome="y", covariates=["x1"])


def test_contour_grid_is_the_bias_adjusted_estimate() -> None:
    # the figure (tests/test_report_figures.py) draws this grid; here the numbers against the formula
    df = _simulate(6)
    s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x1", "x2"], k=[1, 2])
    r2d, r2y, z = s.contour_grid(resolution=7)
    assert r2d.shape == r2y.shape == z.shape == (7, 7)
    assert r2d[0, -1] == pytest.approx(s.contour_limit()) and r2y[-1, 0] == pytest.approx(s.contour_limit())
    i, j = 3, 5
    expected, _ = bias_adjusted(s.estimate, s.se, s.dof, r2d[i, j], r2y[i, j])
    assert z[i, j] == pytest.approx(expected)
    assert z[0, 0] == pytest.approx(s.estimate)
    assert all(max(b.r2dz_x, b.r2yz_dx) <= s.contour_limit() for b in s.bounds)
