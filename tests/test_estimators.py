"""Estimators: simulated data with known effects, the NHEFS numbers of Hernán & Robins, bad input, the sklearn contract."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression

import dagcore
from dagcore import (
    AIPW,
    IPW,
    DataError,
    DifferenceInMeans,
    Estimand,
    EstimatorError,
    FrontdoorLinear,
    OutcomeRegression,
    PositivityWarning,
    Standardization,
    TwoStageLeastSquares,
    WeakInstrumentWarning,
    estimate,
)

ROOT = Path(__file__).resolve().parents[1]
BACKDOOR = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2"})


def confounded(n: int = 3000, seed: int = 0, effect: float = 2.0, nonlinear: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    p = 1 / (1 + np.exp(-(0.8 * z1 - 0.5 * z2)))
    t = (rng.random(n) < p).astype(float)
    mu = (np.sin(2 * z1) + z2**2) if nonlinear else (z1 + 0.5 * z2)
    y = effect * t + mu + rng.normal(size=n)
    return pd.DataFrame({"z1": z1, "z2": z2, "t": t, "y": y})


@pytest.mark.parametrize("method", ["regression", "standardization", "ipw", "aipw"])
def test_linear_confounding_recovers_the_effect(method: str) -> None:
    df = confounded()
    naive = df.y[df.t == 1].mean() - df.y[df.t == 0].mean()
    assert abs(naive - 2.0) > 0.3  # the confounding is real
    options = {"n_bootstrap": 30} if method == "standardization" else {}
    est = estimate(BACKDOOR, df, method=method, **options)
    assert abs(est.value - 2.0) < 3 * est.se + 0.05, est
    assert est.ci[0] < est.value < est.ci[1] and est.n == len(df)


@pytest.mark.slow
def test_aipw_with_flexible_outcome_model_on_nonlinear_data() -> None:
    df = confounded(nonlinear=True, seed=5)
    est = AIPW(outcome_model=RandomForestRegressor(n_estimators=60, min_samples_leaf=20, random_state=0), n_folds=3).fit(df, BACKDOOR).estimate_
    assert abs(est.value - 2.0) < 0.25


def test_continuous_treatment_regression() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(size=2000)
    t = z + rng.normal(size=2000)
    df = pd.DataFrame({"z1": z, "z2": rng.normal(size=2000), "t": t, "y": -1.5 * t + 2 * z + rng.normal(size=2000)})
    est = estimate(BACKDOOR, df)
    assert abs(est.value + 1.5) < 0.1 and est.target == "ATE per unit of treatment"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::dagcore.errors.PositivityWarning")
def test_coverage_of_regression_and_ipw_with_fixed_seeds(ci_hits) -> None:
    reps = 60
    hits = ci_hits(BACKDOOR, (confounded(n=400, seed=100 + seed) for seed in range(reps)), ("regression", "ipw"), 2.0)
    for m, h in hits.items():
        assert 0.85 <= h / reps <= 1.0, (m, h)


def test_randomized_difference_in_means_neyman_se() -> None:
    rng = np.random.default_rng(2)
    t = rng.integers(0, 2, 1000).astype(float)
    y = 0.7 * t + rng.normal(scale=np.where(t == 1, 2.0, 1.0))
    e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    est = estimate(e, pd.DataFrame({"t": t, "y": y}))
    y1, y0 = y[t == 1], y[t == 0]
    assert est.method == "difference_in_means"
    assert est.se == pytest.approx(np.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size))
    assert abs(est.value - 0.7) < 3 * est.se


def test_two_stage_least_squares_with_covariate_and_weak_instrument() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    u, w, z = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    x = z + w + u + rng.normal(size=n)
    y = 1.5 * x + w + 2 * u + rng.normal(size=n)
    df = pd.DataFrame({"z": z, "w": w, "x": x, "y": y})
    e = Estimand(treatment=("x",), outcome=("y",), strategy="iv", instruments={"z"}, adjustment_set={"w"})
    est = estimate(e, df)
    assert abs(est.value - 1.5) < 0.1 and est.diagnostics["first_stage_F"] > 100
    df_weak = df.assign(x=0.01 * z + w + u + rng.normal(size=n))
    with pytest.warns(WeakInstrumentWarning, match="first-stage F"):
        estimate(e, df_weak, method="wald")


def test_frontdoor_linear() -> None:
    rng = np.random.default_rng(4)
    n = 4000
    u = rng.normal(size=n)
    x = u + rng.normal(size=n)
    m = 0.8 * x + rng.normal(size=n)
    y = 1.5 * m + 2 * u + rng.normal(size=n)
    e = dagcore.identify(dagcore.parse("x -> m -> y; x <-> y; x [exposure]; y [outcome]"))
    est = estimate(e, pd.DataFrame({"x": x, "m": m, "y": y}), n_bootstrap=60)
    assert est.method == "frontdoor" and abs(est.value - 1.2) < 0.1


@pytest.fixture(scope="module")
def nhefs() -> tuple[Estimand, pd.DataFrame]:
    g = dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag")
    return dagcore.identify(g), pd.read_csv(ROOT / "examples" / "nhefs" / "nhefs.csv")


PS = "qsmk ~ C(sex) + C(race) + age + I(age**2) + C(education) + smokeintensity + I(smokeintensity**2) + smokeyrs + I(smokeyrs**2) + C(exercise) + C(active) + wt71 + I(wt71**2)"
OUT = PS.replace("qsmk ~", "wt82_71 ~ qsmk +")


def test_nhefs_ipw_matches_the_book(nhefs) -> None:
    e, df = nhefs
    est = estimate(e, df, method="ipw", propensity_formula=PS, dropna=True, variance="weights_known")
    assert round(est.value, 4) == 3.4405 and round(est.se, 4) == 0.5255  # the book's GEE SE treats the weights as known
    assert (round(est.ci[0], 2), round(est.ci[1], 2)) == (2.41, 4.47)
    assert est.n == 1566
    default = estimate(e, df, method="ipw", propensity_formula=PS, dropna=True)  # M-estimation: the propensity was estimated
    assert default.value == est.value and round(default.se, 4) == 0.4871 and "Lunceford" in default.inference


def test_nhefs_outcome_regression_matches_the_book(nhefs) -> None:
    e, df = nhefs
    est = estimate(e, df, method="regression", formula=OUT, cov_type="nonrobust", dropna=True)
    assert round(est.value, 4) == 3.4626 and round(est.se, 4) == 0.4385


def test_nhefs_standardization_with_interaction_matches_the_book(nhefs) -> None:
    e, df = nhefs
    est = estimate(e, df, method="standardization", formula=OUT + " + qsmk:smokeintensity", population="all", n_bootstrap=10)
    assert round(est.value, 4) == 3.5186


def test_formula_outside_the_adjustment_set_is_refused(nhefs) -> None:
    e, df = nhefs
    with pytest.raises(DataError, match=r"\['death'\].*does not license"):
        estimate(e, df, method="regression", formula=OUT + " + death", dropna=True)


def test_bad_inputs_name_the_problem() -> None:
    df = confounded(n=200)
    with pytest.raises(DataError, match="column 'Z1' is not in the data; did you mean 'z1'"):
        estimate(BACKDOOR.__class__(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"Z1", "z2"}), df, method="ipw")
    with pytest.raises(DataError, match=r"2 rows have missing values \(y: 2\)"):
        estimate(BACKDOOR, df.assign(y=df.y.where(df.index > 1)))
    assert estimate(BACKDOOR, df.assign(y=df.y.where(df.index > 1)), dropna=True).n == 198
    with pytest.raises(DataError, match="needs a binary"):
        estimate(BACKDOOR, df.assign(t=df.t * 2 + (df.index % 3 == 0)), method="ipw")
    with pytest.raises(DataError, match="constant"):
        estimate(BACKDOOR, df.assign(t=1.0))
    with pytest.raises(DataError, match="must be numeric"):
        estimate(BACKDOOR, df.assign(y="high"))


def test_no_overlap_and_weak_overlap() -> None:
    df = confounded(n=300)
    with pytest.raises(DataError, match="separation|no overlap"):
        estimate(BACKDOOR, df.assign(t=(df.z1 > 0).astype(float)), method="ipw")
    rng = np.random.default_rng(9)
    z = rng.normal(size=2000) * 3
    t = (rng.random(2000) < 1 / (1 + np.exp(-2.5 * z))).astype(float)
    weak = pd.DataFrame({"z1": z, "z2": rng.normal(size=2000), "t": t, "y": t + z + rng.normal(size=2000)})
    with pytest.warns(PositivityWarning):
        estimate(BACKDOOR, weak, method="ipw")


def test_method_that_cannot_serve_the_estimand_lists_those_that_can() -> None:
    with pytest.raises(EstimatorError, match="2sls cannot serve a 'backdoor' estimand; methods that can: ") as err:
        estimate(BACKDOOR, confounded(n=100), method="2sls")
    listed = str(err.value).split("can: ")[1].split(", ")
    assert listed == sorted(listed)
    assert {"aipw", "ipw", "regression", "standardization", "plugin", "dml", "matching", "stratification"} <= set(listed)
    assert not {"2sls", "wald", "frontdoor", "mediation"} & set(listed)
    with pytest.raises(EstimatorError, match="did you mean 'ipw'"):
        estimate(BACKDOOR, confounded(n=100), method="ipww")
    not_id = Estimand(treatment=("t",), outcome=("y",), strategy="not_identifiable", reason="the bow")
    with pytest.raises(EstimatorError, match="not identifiable"):
        OutcomeRegression().fit(confounded(n=100), not_id)


@pytest.mark.parametrize("cls", [DifferenceInMeans, OutcomeRegression, Standardization, IPW, AIPW, TwoStageLeastSquares, FrontdoorLinear])
def test_clone_round_trips_parameters(cls) -> None:
    est = cls()
    params = est.get_params()
    assert clone(est).get_params() == params


def test_estimate_value_is_immutable_and_serialisable() -> None:
    est = estimate(BACKDOOR, confounded(n=300), method="ipw")
    with pytest.raises(AttributeError):
        est.value = 0  # type: ignore[misc]
    d = est.to_dict()
    assert d["method"] == "ipw" and "smd_after" in d["diagnostics"] and d["estimand"]["strategy"] == "backdoor"
    assert max(abs(v) for v in est.diagnostics["smd_after"].values()) < max(abs(v) for v in est.diagnostics["smd_before"].values())


def test_power_helpers() -> None:
    # a standardized effect (Cohen's d) is read only when named: a bare number is ambiguous (tests/test_experiments_design.py)
    assert dagcore.sample_size(effect_size=0.5).n_control == 64
    assert 0.79 < dagcore.power(effect_size=0.5, n_per_arm=64).power < 0.81
    with pytest.raises(dagcore.DesignError):
        dagcore.power(effect_size=-1, n_per_arm=10)
    with pytest.raises(dagcore.AmbiguousEffectError):
        dagcore.power(0.5, 64)


def test_no_warnings_leak_on_clean_data() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate(BACKDOOR, confounded(n=500), method="aipw")


def test_numpy_logistic_fit_equals_the_statsmodels_glm() -> None:
    import statsmodels.api as sm

    from dagcore.estimators._nuisance import LogisticMLE

    rng = np.random.default_rng(12)
    X = rng.normal(size=(3000, 4))
    t = (rng.random(3000) < 1 / (1 + np.exp(-(X @ [0.5, -1.0, 0.2, 0.0] + 0.3)))).astype(float)
    ours = LogisticMLE().fit(X, t).predict_proba(X)[:, 1]
    glm = sm.GLM(t, sm.add_constant(X), family=sm.families.Binomial()).fit().predict(sm.add_constant(X))
    assert np.max(np.abs(ours - glm)) < 1e-8
    with pytest.raises(DataError, match="separation"):
        LogisticMLE().fit(X[:, :1], (X[:, 0] > 0).astype(float))


@pytest.mark.slow
def test_standardization_delta_method_agrees_with_the_bootstrap_and_the_spread() -> None:
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})

    def data(seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        z = rng.normal(size=800)
        t = (rng.random(800) < 1 / (1 + np.exp(-z))).astype(float)
        return pd.DataFrame({"z": z, "t": t, "y": t * (1 + z) + z + rng.normal(size=800)})

    delta = Standardization(formula="y ~ t * z", inference="delta").fit(data(0), e).estimate_
    boot = Standardization(formula="y ~ t * z", n_bootstrap=400).fit(data(0), e).estimate_
    assert delta.value == boot.value
    assert delta.se == pytest.approx(boot.se, rel=0.15)
    values = [Standardization(formula="y ~ t * z", inference="delta").fit(data(s), e).estimate_ for s in range(1, 101)]
    spread = np.std([v.value for v in values], ddof=1)
    assert np.mean([v.se for v in values]) == pytest.approx(spread, rel=0.2)
    assert 0.88 <= np.mean([v.ci[0] <= 1 <= v.ci[1] for v in values]) <= 0.99  # the ATE is 1 (E[z] = 0)
    with pytest.raises(EstimatorError, match="inference='delta' is available for the OLS"):
        Standardization(outcome_model="logit", inference="delta").fit(data(0).assign(y=lambda d: (d.y > 0).astype(float)), e)


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "nonrobust"])
def test_array_path_of_outcome_regression_equals_statsmodels(cov_type: str) -> None:
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.choice(list("abc"), n)})
    df["t"] = 0.4 * df.z1 + rng.normal(size=n)  # continuous: a binary treatment gets the interacted model (tests/test_estimands.py)
    df["y"] = 2 * df.t + df.z1 + (df.z2 == "b") + rng.normal(size=n) * (1 + df.t.abs())
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2"})
    ours = OutcomeRegression(cov_type=cov_type).fit(df, e).estimate_
    model = smf.ols("y ~ t + z1 + C(z2)", df)
    ref = model.fit(cov_type=cov_type) if cov_type != "nonrobust" else model.fit()
    assert ours.value == pytest.approx(ref.params["t"], abs=1e-12)
    assert ours.se == pytest.approx(ref.bse["t"], rel=1e-10)
    assert ours.diagnostics["r_squared"] == pytest.approx(ref.rsquared, abs=1e-12)
    with pytest.raises(DataError, match="collinear"):
        OutcomeRegression(cov_type=cov_type).fit(df.assign(z3=df.z1 * 2), Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z3"}))


def test_aipw_default_outcome_fits_equal_scikit_learn_linear_regression() -> None:
    from sklearn.linear_model import LinearRegression

    df = confounded(n=3000)
    ours = AIPW().fit(df, BACKDOOR).estimate_
    ref = AIPW(outcome_model=LinearRegression()).fit(df, BACKDOOR).estimate_
    assert ours.value == pytest.approx(ref.value, abs=1e-10) and ours.se == pytest.approx(ref.se, abs=1e-10)
    # collinear covariates: the Gram shortcut falls back to least squares, as LinearRegression does
    dup = df.assign(z3=df.z1 * 2.0)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2", "z3"})
    ours = AIPW(propensity_model=LogisticRegression(C=1.0)).fit(dup, e).estimate_
    ref = AIPW(outcome_model=LinearRegression(), propensity_model=LogisticRegression(C=1.0)).fit(dup, e).estimate_
    assert ours.value == pytest.approx(ref.value, abs=1e-8)


def test_regression_with_an_interacted_treatment_names_its_target() -> None:
    """With ``y ~ t * z`` the t coefficient is the effect where z = 0, not the ATE; without an interaction it is a variance-weighted average (WATE)."""
    rng = np.random.default_rng(3)
    z = rng.normal(size=400)
    t = (rng.random(400) < 0.5).astype(float)
    df = pd.DataFrame({"z": z, "t": t, "y": 2 * t + z + t * z + rng.normal(size=400)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    assert estimate(e, df, method="regression", formula="y ~ t + z").target.startswith("WATE (a variance-weighted")
    assert estimate(e, df, method="regression", formula="y ~ t").target == "ATE"  # no covariate: the difference in means
    interacted = estimate(e, df, method="regression", formula="y ~ t * z")
    assert interacted.target.startswith("CATE") and "t:z" in interacted.target
