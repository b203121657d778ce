"""Degenerate and malformed data get a named error or a loud warning, never a confident number (issue 12, item 5)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import dagcore
from dagcore import Estimand, estimate
from dagcore.errors import DagcoreWarning, DataError, EstimatorError, PositivityWarning, SeparationError

E = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
#: every estimator of a back-door estimand on a binary treatment (plug-in needs discrete data)
METHODS = ["regression", "standardization", "ipw", "aipw", "dml", "matching", "stratification",
           "s_learner", "t_learner", "x_learner", "dr_learner"]
FAST = {"standardization": {"n_bootstrap": 5}, "s_learner": {"n_bootstrap": 5}, "t_learner": {"n_bootstrap": 5},
        "x_learner": {"n_bootstrap": 5}}


def data(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return pd.DataFrame({"z": z, "t": t, "y": t + z + rng.normal(size=n)})


def fit(df: object, method: str, **kw: object) -> object:
    return estimate(E, df, method=method, **{**FAST.get(method, {}), **kw})


@pytest.mark.parametrize("method", METHODS)
def test_infinite_values_are_caught_like_missing_ones(method: str) -> None:
    df = data()
    df.loc[[3, 7], "z"] = [np.inf, -np.inf]
    df.loc[5, "y"] = np.nan
    with pytest.raises(DataError, match=r"^3 rows have missing or infinite values \(y: 1, z: 2 infinite\); pass dropna=True"):
        fit(df, method)
    est = fit(df, method, dropna=True)
    assert est.n == (197 if method != "matching" else est.n) and "dropped 3 rows with missing or infinite values (y: 1, z: 2 infinite)" in est.warnings


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (data().to_numpy(), r"data must be a pandas DataFrame with one column per graph variable, got a numpy ndarray of shape \(200, 3\); wrap it: pd.DataFrame\(array, columns="),
        (data().to_dict(), r"got a dict; wrap it: pd.DataFrame\(the_dict\)"),
        (data()["z"], r"got a Series \('z'\); use series.to_frame\(\)"),
        ([[1, 2, 3]], r"got list$"),
        (data().set_axis(["z", "t", "z"], axis=1), r"the data has duplicate column labels: 'z' \(2 columns\); a variable must be one column"),
    ],
    ids=["ndarray", "dict", "series", "list", "duplicate-labels"],
)
@pytest.mark.parametrize("method", ["regression", "ipw", "aipw", "dml", "t_learner"])
def test_data_that_is_not_a_frame_of_unique_columns_is_a_data_error(bad: object, message: str, method: str) -> None:
    with pytest.raises(DataError, match=message):
        fit(bad, method)


def test_analyze_refuses_them_the_same_way() -> None:
    g = dagcore.parse("z -> t; z -> y; t -> y; t [exposure]; y [outcome]")
    with pytest.raises(DataError, match="got a numpy ndarray of shape"):
        dagcore.analyze(g, data().to_numpy())


@pytest.mark.parametrize("method", METHODS)
def test_one_treated_unit_is_an_error(method: str) -> None:
    df = data()
    df["t"] = 0.0
    df.loc[10, "t"] = 1.0
    with pytest.raises(DataError, match=r"only 1 treated unit in 't' \(of 200 rows\): an effect cannot be told from that unit's own noise"):
        fit(df, method)


@pytest.mark.parametrize("method", METHODS)
def test_a_constant_outcome_is_an_error(method: str) -> None:
    df = data().assign(y=3.0)
    with pytest.raises(DataError, match=r"outcome 'y' is constant \(3.0 in every row used\): every effect estimate would be exactly 0"):
        fit(df, method)


@pytest.mark.parametrize("method", METHODS)
def test_a_column_of_1e308_is_an_error(method: str) -> None:
    df = data()
    df["z"] = df["z"] * 1e307
    with pytest.raises(DataError, match=r"column 'z' has values as large as \d\.\d+e\+307: beyond 1e\+150 their squares overflow"):
        fit(df, method)


@pytest.mark.parametrize("method", [m for m in METHODS if m not in ("regression", "standardization")])
def test_a_constant_covariate_warns_and_is_on_the_estimate(method: str) -> None:
    df = data().assign(z=1.0)
    with pytest.warns(DagcoreWarning, match=r"covariate 'z' is constant \(1.0 in every row used\): it adjusts for nothing"):
        est = fit(df, method)
    assert any("covariate 'z' is constant" in w for w in est.warnings)


@pytest.mark.parametrize("method", ["regression", "standardization"])
def test_a_constant_covariate_in_an_outcome_regression_is_refused_as_collinear(method: str) -> None:
    # the default models interact the treatment with the covariates: a constant one is collinear with the intercept
    with pytest.warns(DagcoreWarning, match="covariate 'z' is constant"), pytest.raises(DataError, match="collinear"):
        fit(data().assign(z=1.0), method)


@pytest.mark.parametrize("method", ["regression", "standardization"])
def test_separation_makes_outcome_models_extrapolate_loudly(method: str) -> None:
    df = data(n=400)
    df["t"] = (df.z > 0).astype(float)
    df["y"] = df.t * 1.0 + df.z + np.random.default_rng(1).normal(size=400)
    with pytest.warns(PositivityWarning, match=r"no overlap: covariate 'z' separates the arms \(treated 0\.\d+ to .*extrapolate across the gap"):
        est = fit(df, method)
    assert any(w.startswith("no overlap: covariate 'z' separates the arms") for w in est.warnings)


# the S- and T-learners' default SE uses cross-fitted doubly robust scores, which need a propensity model (issue 13)
@pytest.mark.parametrize("method", ["ipw", "aipw", "dml", "matching", "stratification", "s_learner", "t_learner", "x_learner", "dr_learner"])
def test_separation_is_a_named_error_for_propensity_estimators(method: str) -> None:
    df = data(n=400)
    df["t"] = (df.z > 0).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PositivityWarning)
        with pytest.raises(SeparationError, match=r"perfect separation.*: z >= 0\.\d+ for every treated unit and z <= -?0\.\d+ for every control") as info:
            fit(df, method)
    assert info.value.columns == ("z",)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True, "0.95", float("nan")])
def test_level_must_be_in_the_open_unit_interval(level: object) -> None:
    with pytest.raises(EstimatorError, match=r"level is the confidence level, a number between 0 and 1 \(e\.g\. 0\.95\), got"):
        fit(data(), "regression", level=level)


def test_no_warning_on_clean_data() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("regression", "ipw", "aipw"):
            fit(data(n=500), method)


def test_an_estimate_cannot_carry_a_level_outside_the_unit_interval() -> None:
    from dagcore.estimators.result import Estimate

    with pytest.raises(EstimatorError, match=r"level is the confidence level, a number between 0 and 1 \(e\.g\. 0\.95\), got 95"):
        Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), level=95)
