"""Pointwise CATE intervals of the S-, T- and X-learner (issue 13 item 3): a percentile bootstrap over refits.

The check against a definition: with linear outcome models the T-learner's
CATE at ``x0`` is ``mu1(x0) - mu0(x0)`` from two independent least-squares
fits, whose variance is the sum of the two OLS prediction variances; the
bootstrap interval must have about the width of that normal interval.
Coverage over replications is in ``benchmarks/validate_estimators.py --cate-learners``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dagcore import Estimand
from dagcore.errors import EstimatorError
from dagcore.estimators.cate.metalearners import SLearner, TLearner, XLearner

GRID = pd.DataFrame({"x": [-1.5, 0.0, 1.5]})


@pytest.fixture(scope="module")
def linear() -> tuple[pd.DataFrame, Estimand]:
    rng = np.random.default_rng(5)
    n = 2000
    x = rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-0.5 * x))).astype(float)
    df = pd.DataFrame({"x": x, "t": t, "y": (1 + 2 * x) * t + x + rng.normal(size=n)})
    return df, Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})


def _ols_prediction_sd(x: np.ndarray, y: np.ndarray, x0: np.ndarray) -> np.ndarray:
    A = np.column_stack([np.ones_like(x), x])
    beta, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    sigma2 = float(np.sum((y - A @ beta) ** 2) / (len(y) - 2))
    cov = sigma2 * np.linalg.inv(A.T @ A)
    B = np.column_stack([np.ones_like(x0), x0])
    return np.sqrt(np.einsum("ij,jk,ik->i", B, cov, B))


def test_the_t_learner_interval_has_the_width_of_the_ols_one(linear):
    df, e = linear
    tl = TLearner(n_interval_bootstrap=200).fit(df, e)
    lo, hi = tl.effect_interval(GRID, level=0.9)
    x, t, y = df.x.to_numpy(), df.t.to_numpy(), df.y.to_numpy()
    x0 = GRID.x.to_numpy()
    sd = np.hypot(_ols_prediction_sd(x[t == 1], y[t == 1], x0), _ols_prediction_sd(x[t == 0], y[t == 0], x0))
    width = 2 * stats.norm.ppf(0.95) * sd
    np.testing.assert_allclose(hi - lo, width, rtol=0.25)
    cate = tl.effect(GRID)
    assert np.all((lo < cate) & (cate < hi))
    assert np.all((lo < 1 + 2 * x0) & (1 + 2 * x0 < hi))  # the truth, at this seed
    assert tl.estimate_.diagnostics["effect_interval"].startswith("percentile bootstrap of the CATE over B=200")


@pytest.mark.parametrize("learner", [SLearner(formula="y ~ t * x"), XLearner()], ids=["s_learner", "x_learner"])
def test_s_and_x_learner_intervals(linear, learner):
    df, e = linear
    lo, hi = learner.set_params(n_interval_bootstrap=50).fit(df, e).effect_interval(GRID)
    assert np.all(lo < hi) and np.all((lo < 1 + 2 * GRID.x) & (1 + 2 * GRID.x < hi))
    po = learner.predict_potential_outcomes(GRID)
    assert {"effect_lower", "effect_upper"} <= set(po.columns)


def test_the_interval_replicates_do_not_depend_on_n_jobs(linear):
    df, e = linear
    from joblib import parallel_config

    one = TLearner(n_interval_bootstrap=20).fit(df, e).effect_interval(GRID)
    with parallel_config(backend="threading"):  # two workers without the cost of starting processes
        two = TLearner(n_interval_bootstrap=20, n_jobs=2).fit(df, e).effect_interval(GRID)
    np.testing.assert_allclose(one, two, rtol=0, atol=1e-12)


def test_bad_interval_settings(linear):
    df, e = linear
    with pytest.raises(EstimatorError, match="n_interval_bootstrap must be a whole number of at least 2"):
        TLearner(n_interval_bootstrap=1).fit(df, e)
    with pytest.raises(EstimatorError, match="level is the confidence level"):
        TLearner().fit(df, e).effect_interval(GRID, level=1.5)
