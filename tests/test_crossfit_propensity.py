"""AIPW's fast default nuisances (issue 12, item 11): the same fits as fold-by-fold from scratch, and the Newton shortcuts are sound."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from dagcore import Estimand
from dagcore.errors import DataError
from dagcore.estimators._nuisance import (
    LogisticMLE,
    _ascent_certified,
    _column_moments,
    _combined_moments,
    _logistic_hessian,
    _training_moments,
    cross_fit_logistic,
    crossfit_folds,
    logistic_newton,
)
from dagcore.estimators.backdoor.doubly_robust import AIPW


def _data(n: int, seed: int, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-2, 4, k)
    X = rng.normal(size=(n, k)) * scale + rng.normal(size=k) * scale * 3
    eta = ((X - X.mean(axis=0)) / scale) @ rng.normal(size=k) * 0.7 - 0.4
    return X, (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)


@pytest.mark.parametrize("seed", range(3))
def test_cross_fit_logistic_is_the_per_fold_mle(seed: int) -> None:
    X, t = _data(3000, seed)
    folds = crossfit_folds(t, 5, random_state=seed)
    e = cross_fit_logistic(X, t, folds)
    for train, test in folds:
        cold = LogisticMLE().fit(X[train], t[train]).predict_proba(X[test])[:, 1]
        np.testing.assert_allclose(e[test], cold, rtol=1e-9, atol=1e-12)
        ref = sm.Logit(t[train], sm.add_constant(X[train])).fit(disp=0, method="newton", tol=1e-12, maxiter=100).params
        np.testing.assert_allclose(e[test], 1 / (1 + np.exp(-(sm.add_constant(X[test]) @ ref))), atol=1e-6)


def test_a_warm_start_far_away_reaches_the_same_mle() -> None:
    X, t = _data(2000, 7)
    b0, b = logistic_newton(X, t)
    for start in [(5.0, -np.ones(4) / X.std(axis=0)), (b0 + 0.01, b * 1.001)]:
        w0, w = logistic_newton(X, t, start=start)
        np.testing.assert_allclose(np.r_[w0, w * X.std(axis=0)], np.r_[b0, b * X.std(axis=0)], rtol=1e-8, atol=1e-10)


def test_training_moments_from_the_folds_are_the_direct_ones() -> None:
    X, t = _data(1000, 3)
    X[:, 2] = np.where(np.arange(1000) < 200, X[:, 2], 4.0)  # constant outside the first fold
    folds = [(np.arange(200, 1000), np.arange(200)), (np.arange(200), np.arange(200, 1000))]
    parts = [(*_column_moments(X[te]), te.size) for _, te in folds]
    total = _combined_moments(parts)
    np.testing.assert_allclose(np.r_[total], np.r_[_column_moments(X)], rtol=1e-12)
    assert _training_moments(total, 1000, *parts[0]) is None  # column 2 constant on the training rows: computed directly
    mean, sd = _training_moments(total, 1000, *parts[1])  # type: ignore[misc]
    np.testing.assert_allclose(np.r_[mean, sd], np.r_[_column_moments(X[:200])], rtol=1e-10)


def test_a_certified_step_always_raises_the_log_likelihood() -> None:
    """The bound behind skipping the log-likelihood: a step reaching at most 0.5 in every unit's log-odds is an ascent."""
    rng = np.random.default_rng(11)
    certified = descents = 0
    for _ in range(300):
        n, k = 300, 3
        Z = rng.normal(size=(n, k))
        A = np.column_stack([np.ones(n), Z])
        t = (rng.random(n) < 1 / (1 + np.exp(-(A @ rng.normal(size=k + 1))))).astype(float)
        b0, b1 = logistic_newton(Z, t)
        mle = np.r_[b0, b1]
        spread = 10 ** rng.uniform(-2.5, 0.3)
        b_hess, b = mle + rng.normal(size=k + 1) * spread, mle + rng.normal(size=k + 1) * spread

        hess = np.empty((k + 1, k + 1))  # the Hessian at b_hess, the step from b: a chord step
        _logistic_hessian(Z, 1 / (1 + np.exp(-(A @ b_hess))), np.zeros(k), np.ones(k), False, np.empty((n, k)), hess)
        step = np.linalg.solve(hess, A.T @ (t - 1 / (1 + np.exp(-(A @ b)))))
        if _ascent_certified(A @ b, A @ (b + step), A @ b_hess):
            certified += 1
            assert _loglik(A, t, b + step) >= _loglik(A, t, b)
        else:
            descents += _loglik(A, t, b + step) < _loglik(A, t, b)
    assert certified > 20 and descents > 5  # both kinds of step were drawn: a wrong certificate would fail


def _loglik(A: np.ndarray, t: np.ndarray, c: np.ndarray) -> float:
    eta = A @ c
    return float(t @ eta - np.logaddexp(0.0, eta).sum())


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 3))
    t = (rng.random(n) < 1 / (1 + np.exp(-(Z @ [0.8, -0.5, 0.3])))).astype(float)
    return pd.DataFrame({"z1": Z[:, 0] * 1e3, "z2": Z[:, 1], "z3": Z[:, 2] + 50, "t": t, "y": 1 + t * (1 + Z[:, 0]) + Z @ [1, 2, 3] + rng.normal(size=n)})


ESTIMAND = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2", "z3"})


@pytest.mark.parametrize(("target", "n_folds"), [("ATE", 5), ("ATT", 3), ("ATO", 2), ("ATC", 4)])
def test_aipw_fast_default_nuisances_give_the_per_fold_estimate(target: str, n_folds: int) -> None:
    df = _frame(1500, n_folds)
    fast = AIPW(target=target, n_folds=n_folds).fit(df, ESTIMAND).estimate_
    reference = AIPW(target=target, n_folds=n_folds)
    reference._per_fold_reference = True
    slow = reference.fit(df, ESTIMAND).estimate_
    assert fast.value == pytest.approx(slow.value, rel=1e-8) and fast.se == pytest.approx(slow.se, rel=1e-8)
    _same(fast.diagnostics["propensity_overlap"], slow.diagnostics["propensity_overlap"])


def _same(a: object, b: object) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-7, abs=1e-12)
    else:
        assert a == b


def test_aipw_fast_default_nuisances_report_quasi_separation() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=600)
    d = (rng.random(600) < 0.2).astype(float)
    t = np.where(d == 1, 1.0, (rng.random(600) < 1 / (1 + np.exp(-z))).astype(float))
    df = pd.DataFrame({"z": z, "d": d, "t": t, "y": z + t + rng.normal(size=600)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z", "d"})
    with pytest.raises(DataError, match="perfect separation"):
        AIPW().fit(df, e)
