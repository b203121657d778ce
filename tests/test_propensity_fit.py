"""The one default propensity model (issue 12, item 3): the logistic MLE, and separation decided from the data."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from dagcore.errors import SeparationError
from dagcore.estimators._nuisance import LogisticMLE, logistic_newton, propensity_fit


def _logit(X: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.asarray(sm.Logit(t, sm.add_constant(X)).fit(disp=0, method="newton", maxiter=200, tol=1e-12).params)


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_statsmodels_logit_on_unscaled_columns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 1500, 4
    scale = 10.0 ** rng.integers(-3, 5, k)  # columns in very different units, as in earnings, age, proportions
    shift = rng.normal(size=k) * scale * 3
    X = rng.normal(size=(n, k)) * scale + shift
    beta = rng.normal(size=k) / scale
    eta = (X - shift) @ beta + rng.normal()
    t = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    b0, b = logistic_newton(X, t)
    ref = _logit(X, t)
    # coefficients to 1e-6 relative to each column's scale; probabilities to 1e-6
    np.testing.assert_allclose(np.r_[b0, b * scale], np.r_[ref[0], ref[1:] * scale], rtol=1e-6, atol=1e-6)
    p_ref = 1 / (1 + np.exp(-(sm.add_constant(X) @ ref)))
    np.testing.assert_allclose(LogisticMLE().fit(X, t).predict_proba(X)[:, 1], p_ref, atol=1e-6)


def _lalonde(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    age, educ = rng.uniform(18, 55, n), rng.integers(6, 19, n).astype(float)
    married, re75 = rng.binomial(1, 0.5, n).astype(float), np.maximum(0.0, rng.normal(14000, 9000, n))
    logit = 1.5 - 0.0006 * re75 - 0.06 * (age - 18) - 0.15 * (educ - 12) - 0.8 * married
    t = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    return np.column_stack([age, educ, married, re75]), t


def test_tiny_propensities_are_no_separation_and_match_statsmodels() -> None:
    """80% of controls with propensity below 0.01, fitted values down to 1e-13: the MLE exists and is found."""
    X, t = _lalonde()
    model = LogisticMLE().fit(X, t)
    p = model.predict_proba(X)[:, 1]
    assert p.min() < 1e-9  # the old rule (|log-odds| > 30 during Newton steps) is not what decides
    ref = _logit(X, t)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_[0]], ref, rtol=1e-6, atol=1e-9)


def test_complete_separation_names_the_column() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    t = (X[:, 1] > 0.2).astype(float)
    with pytest.raises(SeparationError, match=r"perfect separation: b >= 0\.2\d* for every treated unit and b <= 0\.\d+ for every control") as info:
        LogisticMLE().fit(pd.DataFrame(X, columns=["a", "b", "c"]), t)
    assert info.value.columns == ("b",) and info.value.n_separated >= 290


def test_separation_by_a_combination_names_its_columns() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 4))
    t = (X[:, 0] - 2 * X[:, 2] > 0).astype(float)
    with pytest.raises(SeparationError, match="a linear combination of x0, x2 is >= 0") as info:
        logistic_newton(X, t, names=["x0", "x1", "x2", "x3"])
    assert info.value.columns == ("x0", "x2")


def test_quasi_complete_separation_is_detected() -> None:
    """Every unit with d = 1 is treated, the rest overlap: the coefficient of d has no finite MLE."""
    rng = np.random.default_rng(3)
    z = rng.normal(size=600)
    d = (rng.random(600) < 0.2).astype(float)
    t = np.where(d == 1, 1.0, (rng.random(600) < 1 / (1 + np.exp(-z))).astype(float))
    with pytest.raises(SeparationError, match=r"all 121 units with d > 0 are treated, so the propensity of those units is 0 or 1") as info:
        logistic_newton(np.column_stack([z, d]), t, names=["z", "d"])
    assert info.value.columns == ("d",)


def test_a_constant_column_is_spanned_by_the_intercept() -> None:
    rng = np.random.default_rng(4)
    z = rng.normal(size=500)
    t = (rng.random(500) < 1 / (1 + np.exp(-z))).astype(float)
    b0, b = logistic_newton(np.column_stack([z, np.full(500, 7.0)]), t)
    ref = _logit(z[:, None], t)
    assert b[1] == 0.0
    np.testing.assert_allclose([b0, b[0]], ref, rtol=1e-8)


def test_a_formula_uses_the_same_mle_on_patsy_columns() -> None:
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(5)
    df = pd.DataFrame({"z": rng.normal(size=800), "g": rng.choice(["a", "b", "c"], 800)})
    df["t"] = (rng.random(800) < 1 / (1 + np.exp(-(df.z - 0.3 * df.z**2 + (df.g == "b"))))).astype(float)
    fit = propensity_fit(df, "t", ["z", "g"], formula="t ~ z + I(z**2) + C(g)")
    ref = smf.logit("t ~ z + I(z**2) + C(g)", df).fit(disp=0).predict(df).to_numpy()
    np.testing.assert_allclose(fit.scores, ref, atol=1e-8)
    assert fit.is_mle and fit.columns == ("C(g)[T.b]", "C(g)[T.c]", "z", "I(z ** 2)")


def test_fast_on_unscaled_data() -> None:
    """The fit on NHEFS-sized data with columns in dollars takes milliseconds (77 s for AIPW before issue 12)."""
    X, t = _lalonde(n=1566)
    best = min(_timed(lambda: LogisticMLE().fit(X, t)) for _ in range(3))
    assert best < 0.25, best


def _timed(f) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def test_aipw_on_nhefs_does_not_depend_on_the_units_of_the_covariates() -> None:
    """Rescaled columns (weights in milligrams, offsets of 1e6) give the same AIPW estimate: the fit is on standardised columns."""
    from pathlib import Path

    import dagcore

    root = Path(__file__).resolve().parents[1] / "examples" / "nhefs"
    e = dagcore.identify(dagcore.load(root / "nhefs.dag"))
    df = pd.read_csv(root / "nhefs.csv")
    rescaled = df.assign(**{c: df[c] * 1e4 + 1e6 for c in ("wt71", "smokeyrs", "age")})
    a = dagcore.estimate(e, df, method="aipw", dropna=True)
    b = dagcore.estimate(e, rescaled, method="aipw", dropna=True)
    assert b.value == pytest.approx(a.value, rel=1e-8) and b.se == pytest.approx(a.se, rel=1e-8)
    start = time.perf_counter()
    dagcore.estimate(e, rescaled, method="aipw", dropna=True)
    assert time.perf_counter() - start < 5  # 77 s before issue 12
