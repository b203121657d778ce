"""G-estimation (the book's NHEFS number), precision covariates of 2SLS, the IV dummy outcome, formulas everywhere."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import dagcore
from dagcore import AIPW, DataError, DoubleML, Estimand, EstimatorError, GEstimation, TwoStageLeastSquares
from dagcore.estimators.refutation.refuters import refute_dummy_outcome

ROOT = Path(__file__).resolve().parents[1]
PS = ("qsmk ~ C(sex) + C(race) + age + I(age**2) + C(education) + smokeintensity + I(smokeintensity**2)"
      " + smokeyrs + I(smokeyrs**2) + C(exercise) + C(active) + wt71 + I(wt71**2)")


@pytest.fixture(scope="module")
def nhefs() -> tuple[Estimand, pd.DataFrame]:
    g = dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag")
    return dagcore.identify(g), pd.read_csv(ROOT / "examples" / "nhefs" / "nhefs.csv")


def test_g_estimation_reproduces_the_book(nhefs) -> None:
    """Hernán & Robins, What If, Program 14.3 (closed form, censoring weights): 3.4459."""
    e, df = nhefs
    est = dagcore.estimate(e, df, method="g_estimation", propensity_formula=PS, censoring_weights=True)
    assert round(est.value, 4) == 3.4459 and est.n == 1566
    assert est.target.startswith("ATO") and "63 rows with a missing wt82_71 are censored" in " ".join(est.warnings)
    # the sandwich's Wald interval; the book's grid search over psi (Program 14.2) gives 2.5 to 4.5
    assert round(est.ci[0], 1) == 2.5 and round(est.ci[1], 1) == 4.4
    with pytest.raises(DataError, match="missing values"):
        dagcore.estimate(e, df, method="g_estimation", propensity_formula=PS)  # censoring not asked for: refused


def test_g_estimation_sandwich_against_the_bootstrap_and_a_simulation() -> None:
    rng = np.random.default_rng(0)
    n = 1500
    z = rng.normal(size=n)
    a = rng.binomial(1, expit(0.5 * z)).astype(float)
    y = 2.0 * a + z + rng.normal(size=n)
    y[rng.random(n) < expit(-2 + a + z)] = np.nan  # censoring depends on treatment and the confounder
    df = pd.DataFrame({"z": z, "a": a, "y": y})
    e = Estimand(treatment=("a",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    sw = GEstimation(censoring_weights=True).fit(df, e).estimate_
    boot = GEstimation(censoring_weights=True, inference="bootstrap", n_bootstrap=60).fit(df, e).estimate_
    assert abs(sw.value - 2.0) < 4 * sw.se and sw.value == boot.value
    assert 0.8 < sw.se / boot.se < 1.25
    # closed form = the root of the estimating equation sum (A - pi)(Y - psi A) = 0 on the complete cases, unweighted
    cc = df.dropna()
    pi = GEstimation(dropna=True).fit(df, e)
    from statsmodels.api import GLM, add_constant, families

    p = GLM(cc.a, add_constant(cc.z), family=families.Binomial()).fit().predict(add_constant(cc.z))
    psi = float(((cc.a - p) * cc.y).sum() / ((cc.a - p) * cc.a).sum())
    assert pi.estimate_.value == pytest.approx(psi, abs=1e-10)
    with pytest.raises(EstimatorError, match="inference"):
        GEstimation(inference="delta").fit(df, e)


def iv_data(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    u, z, w = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    x = z + u + rng.normal(size=n)
    m = x + rng.normal(size=n)  # a descendant of the treatment
    c = z + u + rng.normal(size=n)  # a common effect of the instrument and the confounder
    y = 2 * x + 2 * u + 3 * w + rng.normal(size=n)
    return pd.DataFrame({"z": z, "x": x, "y": y, "w": w, "m": m, "c": c})


IV_GRAPH = "z -> x; u -> x; u -> y; x -> y; w -> y; x -> m; z -> c; u -> c; x [exposure]; y [outcome]; u [latent]"


def test_2sls_precision_covariates_are_used_and_checked() -> None:
    e = dagcore.identify(dagcore.parse(IV_GRAPH))
    assert e.strategy == "iv" and e.instruments == {"z"} and not e.adjustment_set
    df = iv_data()
    plain = TwoStageLeastSquares().fit(df, e).estimate_
    precise = TwoStageLeastSquares(covariates=["w"]).fit(df, e).estimate_
    assert abs(precise.value - 2) < 4 * precise.se and precise.se < 0.8 * plain.se
    assert precise.diagnostics["precision_covariates"] == ["w"]
    with pytest.raises(EstimatorError, match="'m' is a descendant of the treatment 'x'"):
        TwoStageLeastSquares(covariates=["m"]).fit(df, e)
    with pytest.raises(EstimatorError, match="'z' is no longer a valid instrument: independence fails"):
        TwoStageLeastSquares(covariates=["c"]).fit(df, e)
    with pytest.raises(EstimatorError, match="cannot include"):
        TwoStageLeastSquares(covariates=["z"]).fit(df, e)
    bare = Estimand(treatment=("x",), outcome=("y",), strategy="iv", instruments={"z"})
    with pytest.warns(UserWarning, match="could not be checked"):
        TwoStageLeastSquares(covariates=["w"]).fit(df, bare)


def test_the_dummy_outcome_of_a_valid_iv_analysis_passes() -> None:
    """The dummy outcome is built without the instrument (and what it is tied to), so its true IV effect is 0."""
    e = dagcore.identify(dagcore.parse(IV_GRAPH + "; v -> z"))
    df = iv_data(seed=1)
    df["v"] = df.z + np.random.default_rng(9).normal(size=len(df))  # a cause of the instrument (the data's z is noise + v)
    df["z"] = df.v + np.random.default_rng(10).normal(size=len(df))
    df["x"] = df.z + (df.x - df.x.mean()) * 0.5
    for covariates in (None, ["w"]):
        est = TwoStageLeastSquares(covariates=covariates).fit(df, e).estimate_
        ref = refute_dummy_outcome(est, df, n_simulations=30, random_state=0)
        assert ref.verdict == "pass", ref
        assert ref.details["covariates"] == (covariates or [])  # never the instrument


def confounded_quadratic(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], n)
    t = rng.binomial(1, expit(0.5 * z + 0.5 * z**2 - 1 + (g == "b"))).astype(float)
    y = 1.0 * t + z + z**2 + 2 * (g == "c") + rng.normal(size=n)
    return pd.DataFrame({"z": z, "g": g, "t": t, "y": y})


def test_formulas_equal_derived_columns_for_aipw_and_dml() -> None:
    """formula= / propensity_formula= give exactly the fit with the derived columns as covariates (one formula machinery)."""
    df = confounded_quadratic()
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z", "g"})
    derived = df.assign(zsq=df.z**2, gb=(df.g == "b").astype(float), gc=(df.g == "c").astype(float))
    e_derived = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z", "zsq", "gb", "gc"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls in (AIPW, DoubleML):
            kw = {"formula": "y ~ t + z + I(z**2) + C(g) + t:z", "propensity_formula": "t ~ z + I(z**2) + C(g)"}
            ours = cls(**kw).fit(df, e).estimate_
            ref = cls().fit(derived, e_derived).estimate_
            assert ours.value == pytest.approx(ref.value, abs=1e-8) and ours.se == pytest.approx(ref.se, rel=1e-6)
        linear = AIPW(propensity_formula="t ~ z + C(g)", formula="y ~ t + z + C(g)").fit(df, e).estimate_
        right = AIPW(propensity_formula="t ~ z + I(z**2) + C(g)", formula="y ~ t + z + I(z**2) + C(g)").fit(df, e).estimate_
    assert abs(right.value - 1.0) < 4 * right.se and abs(linear.value - 1.0) > abs(right.value - 1.0)


def test_formulas_go_through_the_one_guard() -> None:
    df = confounded_quadratic(500).assign(m=0.0)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z", "g"})
    for est in (AIPW(formula="y ~ t + z + m"), DoubleML(propensity_formula="t ~ z + m"), AIPW(formula="y ~ t + z + y"),
                DoubleML(formula="np.log(y) ~ t + z")):
        with pytest.raises(DataError, match="adjustment set does not license|may not be on the right|left-hand side"):
            est.fit(df, e)
    assert np.isfinite(AIPW(formula="y ~ t + z + m", allow_extra_variables=True).fit(df, e).estimate_.value)
