"""The S/T/X/DR meta-learners' ``formula=`` / ``propensity_formula=`` (issue 12 item 8) and their row-wise least squares.

Truth: ``tau(x) = 1 + x**2`` with ``x ~ N(0, 1)``, so the ATE is 2; a linear
outcome model of ``x`` misses both, a formula with ``I(x**2)`` recovers them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dagcore import Estimand
from dagcore.errors import DataError
from dagcore.estimators.cate._rows import LeastSquares, fit_rows, predict_rows
from dagcore.estimators.cate.metalearners import DRLearner, SLearner, TLearner, XLearner

ROWS = pd.DataFrame({"x": [-1.5, 0.0, 1.5], "g": ["a", "a", "c"]})
TRUE_CATE = 1 + ROWS["x"].to_numpy() ** 2


@pytest.fixture(scope="module")
def quadratic() -> tuple[pd.DataFrame, Estimand]:
    rng = np.random.default_rng(0)
    n = 4000
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-x)))
    y = x**2 + t * (1 + x**2) + (g == "b") + rng.normal(size=n)
    df = pd.DataFrame({"x": x, "g": g, "t": t, "y": y, "m": rng.normal(size=n)})
    return df, Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x", "g"})


FORMULAS = [
    (SLearner, "y ~ t * (x + I(x**2)) + C(g)"),
    (TLearner, "y ~ t + x + I(x**2) + C(g)"),
    (XLearner, "y ~ t + x + I(x**2) + C(g)"),
]


@pytest.mark.parametrize(("cls", "formula"), FORMULAS, ids=lambda v: getattr(v, "__name__", ""))
def test_a_squared_term_recovers_the_truth_the_linear_default_misses(quadratic, cls, formula):
    df, e = quadratic
    default = cls().fit(df, e)
    fitted = cls(formula=formula, propensity_formula="t ~ x + C(g)").fit(df, e)
    assert abs(fitted.estimate_.value - 2.0) < 3 * fitted.estimate_.se
    assert abs(default.estimate_.value - 2.0) > 0.2  # the linear default is biased here (1.66 / 1.69)
    assert np.abs(fitted.effect(ROWS) - TRUE_CATE).max() < 0.35
    assert np.abs(default.effect(ROWS) - TRUE_CATE).max() > 1.0


def test_the_dr_learner_uses_the_formula_in_its_outcome_models(quadratic):
    df, e = quadratic
    dr = DRLearner(formula="y ~ t + x + I(x**2) + C(g)").fit(df, e)
    assert abs(dr.estimate_.value - 2.0) < 3 * dr.estimate_.se
    assert dr.estimate_.se < 0.6 * DRLearner().fit(df, e).estimate_.se  # well-specified outcome models: a smaller SE
    po = dr.predict_potential_outcomes(ROWS.assign(t=0))
    assert np.abs((po["y1"] - po["y0"]).to_numpy() - TRUE_CATE).max() < 0.35


def test_new_rows_are_built_with_the_fitting_levels(quadratic):
    df, e = quadratic
    s = SLearner(formula="y ~ t * (x + I(x**2)) + C(g)").fit(df, e)
    one = s.effect(ROWS.iloc[[2]])  # a single row, a single level of g: patsy must not re-derive the levels
    assert one.shape == (1,) and abs(one[0] - s.effect(ROWS)[2]) < 1e-12


@pytest.mark.parametrize("cls", [SLearner, TLearner, XLearner, DRLearner])
def test_the_formula_guard_refuses_a_variable_outside_the_adjustment_set(quadratic, cls):
    df, e = quadratic
    with pytest.raises(DataError, match=r"uses \['m'\], which the graph's adjustment set does not license"):
        cls(formula="y ~ t + x + m").fit(df, e)
    with pytest.raises(DataError, match=r"propensity formula uses \['m'\]"):
        cls(propensity_formula="t ~ x + m").fit(df, e)
    with pytest.raises(DataError, match="'nope', which is not a column of the data"):
        cls(formula="y ~ t + x + nope").fit(df, e)
    with pytest.raises(DataError, match=r"'y' \(the outcome\) may not be on the right-hand side"):
        cls(formula="y ~ t + x + np.log(y**2)").fit(df, e)
    assert np.isfinite(cls(formula="y ~ t + x + m", allow_extra_variables=True).fit(df, e).estimate_.value)


def test_an_s_learner_formula_without_the_treatment_is_refused(quadratic):
    df, e = quadratic
    with pytest.raises(DataError, match="does not use the treatment 't', so every effect would be 0"):
        SLearner(formula="y ~ x + I(x**2)").fit(df, e)


def test_row_wise_least_squares_is_linear_regression():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4)) + 1e3  # a large offset: the centring keeps it accurate
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=300)
    rows = np.sort(rng.choice(300, 120, replace=False))
    ours = fit_rows(None, X, y[rows], rows)
    ref = LinearRegression().fit(X[rows], y[rows])
    np.testing.assert_allclose(predict_rows(ours, X), ref.predict(X), rtol=0, atol=1e-8)
    collinear = np.column_stack([X[:, :2], X[:, :1]])  # singular Gram: the minimum-norm fallback
    np.testing.assert_allclose(predict_rows(LeastSquares().fit(collinear, y), collinear),
                               LinearRegression().fit(collinear, y).predict(collinear), atol=1e-8)


def test_the_cli_passes_the_formulas(tmp_path, capsys):
    import json

    from dagcore.cli import main

    rng = np.random.default_rng(1)
    n = 2000
    x = rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(int)
    pd.DataFrame({"t": t, "y": x**2 + t * (1 + x**2) + rng.normal(size=n), "x": x, "m": x}).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "g.dag").write_text("t [exposure]\ny [outcome]\nx -> {t y}\nt -> y\n")
    args = ["cate", str(tmp_path / "g.dag"), "--data", str(tmp_path / "d.csv"), "--method", "t_learner", "--holdout", "0"]
    assert main([*args, "--formula", "y ~ t + x + I(x**2)", "--json"]) == 0
    assert abs(json.loads(capsys.readouterr().out)["estimate"]["value"] - 2.0) < 0.2
    assert main([*args, "--propensity-formula", "t ~ x + m"]) != 0
    assert "propensity formula uses ['m']" in capsys.readouterr().err
