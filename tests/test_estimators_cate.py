"""Double ML, the CATE meta-learners and uplift evaluation: simulated data with a known heterogeneous effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor

import dagcore
from dagcore import (
    DataError,
    DoubleML,
    DRLearner,
    Estimand,
    EstimatorError,
    SLearner,
    TLearner,
    XLearner,
    estimate,
    qini_curve,
    targeting,
    uplift_curve,
)

BACKDOOR = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x1", "x2"})
LEARNERS = {"s_learner": SLearner, "t_learner": TLearner, "x_learner": XLearner, "dr_learner": DRLearner}


def heterogeneous(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """tau(x) = 1 + 2 x1 (ATE 1); treatment confounded by x1 and x2, which also drive the outcome."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * x1 - 0.5 * x2)))).astype(float)
    tau = 1 + 2 * x1
    y = tau * t + x1 + 0.5 * x2 + rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "t": t, "y": y}), tau


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    return heterogeneous()


def _fast(cls: type, **kw: object) -> object:
    return cls(n_bootstrap=50, **kw) if "n_bootstrap" in cls().get_params() else cls(**kw)


@pytest.mark.parametrize("method", ["dml", *LEARNERS])
def test_ate_is_recovered(method: str, data: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, _ = data
    naive = df.y[df.t == 1].mean() - df.y[df.t == 0].mean()
    assert abs(naive - 1.0) > 0.5  # the confounding is real
    options = {"n_bootstrap": 50} if method in ("s_learner", "t_learner", "x_learner") else {}
    est = estimate(BACKDOOR, df, method=method, **options)
    assert abs(est.value - 1.0) < 0.15, est
    assert est.ci[0] < est.value < est.ci[1] and 0.02 < est.se < 0.1 and est.n == len(df)
    # the partially linear model and a linear S-learner (additive in the treatment) estimate a variance-weighted average, labelled so
    assert est.method == method and est.target.split()[0] == ("WATE" if method in ("dml", "s_learner") else "ATE")


@pytest.mark.parametrize("cls", [TLearner, XLearner, DRLearner])
def test_cate_correlates_with_the_truth(cls: type, data: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, tau = data
    learner = _fast(cls).fit(df, BACKDOOR)
    cate = learner.effect(df)
    assert cate.shape == (len(df),)
    assert np.corrcoef(cate, tau)[0, 1] > 0.9
    assert np.allclose(learner.cate_, cate)
    assert abs(learner.estimate_.value - 1.0) < 0.15
    assert learner.estimate_.diagnostics["cate_sd"] > 1.0


def test_bootstrap_inference_is_described(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, _ = data
    est = TLearner().fit(df.iloc[:800], BACKDOOR).estimate_
    assert est.inference.startswith("influence function of the ATE")  # no refits by default
    assert TLearner(n_bootstrap=20).fit(df.iloc[:800], BACKDOOR).estimate_.inference.startswith("bootstrap (B=20)")
    dr = DRLearner().fit(df.iloc[:800], BACKDOOR).estimate_
    assert dr.inference.startswith("influence function")


def test_effect_modifiers_subset_projects_the_cate(data: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, tau = data
    new = pd.DataFrame({"x1": [-1.0, 0.0, 1.0]})  # only the modifier is needed
    for cls in (TLearner, XLearner, DRLearner):
        learner = _fast(cls, effect_modifiers=["x1"]).fit(df, BACKDOOR)
        assert np.allclose(learner.effect(new), [-1.0, 1.0, 3.0], atol=0.3), cls
        assert np.corrcoef(learner.effect(df), tau)[0, 1] > 0.9
    with pytest.raises(DataError, match="lacks the column"):
        _fast(TLearner).fit(df, BACKDOOR).effect(new)


def test_randomized_trial_with_effect_modifier() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    x1 = rng.normal(size=n)
    t = rng.integers(0, 2, size=n).astype(float)
    df = pd.DataFrame({"x1": x1, "t": t, "y": (1 + 2 * x1) * t + rng.normal(size=n)})
    rct = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    dr = estimate(rct, df, method="dr_learner", effect_modifiers=["x1"])
    assert abs(dr.value - 1.0) < 0.15
    tl = TLearner(effect_modifiers=["x1"], n_bootstrap=30).fit(df, rct)
    assert np.corrcoef(tl.effect(df), 1 + 2 * x1)[0, 1] > 0.95
    # no covariates at all: a constant CATE, the difference in means of each fold's training rows, averaged
    from dagcore.estimators._nuisance import crossfit_folds

    with pytest.warns(dagcore.ConstantEffectWarning, match="no effect modifier"):
        plain = TLearner(n_bootstrap=30).fit(df, rct)
    y, tt = df.y.to_numpy(), df.t.to_numpy()
    diff = np.mean([y[tr][tt[tr] == 1].mean() - y[tr][tt[tr] == 0].mean() for tr, _ in crossfit_folds(tt, 2, random_state=0)])
    assert np.allclose(plain.effect(df.head(3)), diff) and abs(plain.estimate_.value - diff) < 1e-9
    assert abs(diff - (y[tt == 1].mean() - y[tt == 0].mean())) < 0.01


def test_categorical_effect_modifier_on_new_rows() -> None:
    rng = np.random.default_rng(4)
    n = 1500
    g = rng.choice(["a", "b", "c"], size=n)
    t = rng.integers(0, 2, size=n).astype(float)
    effect = pd.Series(g).map({"a": 0.0, "b": 1.0, "c": 3.0}).to_numpy()
    df = pd.DataFrame({"g": g, "t": t, "y": effect * t + rng.normal(size=n)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"g"})
    learner = DRLearner().fit(df, e)
    assert np.allclose(learner.effect(pd.DataFrame({"g": ["c", "a"]})), [3.0, 0.0], atol=0.3)


def test_dml_nonlinear_nuisance_with_random_forest() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * z1 - 0.5 * z2)))).astype(float)
    df = pd.DataFrame({"x1": z1, "x2": z2, "t": t, "y": 2.0 * t + np.sin(2 * z1) + z2**2 + rng.normal(size=n)})
    rf = RandomForestRegressor(n_estimators=60, min_samples_leaf=20, random_state=0)
    est = DoubleML(outcome_model=rf, n_folds=3).fit(df, BACKDOOR).estimate_
    assert abs(est.value - 2.0) < 0.2, est
    assert est.diagnostics["treatment"] == "binary"
    linear = DoubleML().fit(df, BACKDOOR).estimate_
    assert abs(linear.value - 2.0) > abs(est.value - 2.0)  # the flexible nuisance helps


def test_dml_continuous_treatment_and_repeats() -> None:
    rng = np.random.default_rng(6)
    n = 2000
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    t = np.sin(z1) + 0.5 * z2 + rng.normal(size=n)
    df = pd.DataFrame({"x1": z1, "x2": z2, "t": t, "y": -1.5 * t + np.cos(z1) + z2 + rng.normal(size=n)})
    est = DoubleML(n_repeats=3).fit(df, BACKDOOR).estimate_
    assert abs(est.value + 1.5) < 0.1 and est.target == "ATE per unit of treatment"
    assert len(est.diagnostics["split_estimates"]) == 3 and "median of 3 splits" in est.inference
    assert est.se >= 0.0
    with pytest.raises(EstimatorError, match="n_folds must be at least 2"):
        DoubleML(n_folds=1).fit(df, BACKDOOR)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::dagcore.errors.PositivityWarning")
def test_coverage_of_dml_and_dr_learner_with_fixed_seeds(ci_hits) -> None:
    hits = ci_hits(BACKDOOR, (heterogeneous(n=500, seed=1000 + seed)[0] for seed in range(100)), ("dml", "dr_learner"), 1.0)
    for method, h in hits.items():
        assert 88 <= h <= 99, (method, h)


def test_qini_area_is_larger_for_the_true_ranking() -> None:
    df, tau = heterogeneous(n=4000, seed=11)
    rng = np.random.default_rng(0)
    random_scores = rng.normal(size=len(df))
    q_true = qini_curve(tau, df.t, df.y)
    q_random = qini_curve(random_scores, df.t, df.y)
    assert q_true.area > q_random.area + 50
    assert q_true.fractions[0] == 0 and q_true.fractions[-1] == 1 and q_true.values[0] == 0
    assert q_true.values[-1] == pytest.approx(q_random.values[-1])  # everyone targeted: same end point
    u_true, u_random = uplift_curve(tau, df.t, df.y), uplift_curve(random_scores, df.t, df.y)
    assert u_true.area > u_random.area
    assert u_true.values[-1] == pytest.approx(df.y[df.t == 1].mean() - df.y[df.t == 0].mean())
    # a learner's CATE, fit on other data, ranks better than random
    train, _ = heterogeneous(n=2000, seed=12)
    cate = DRLearner().fit(train, BACKDOOR).effect(df)
    assert qini_curve(cate, df.t, df.y).area > q_random.area
    # a constant score is random targeting: area 0
    assert qini_curve(np.ones(len(df)), df.t, df.y).area == pytest.approx(0.0)


def test_targeting_picks_the_top_rows_under_a_budget() -> None:
    cate = np.array([0.2, 3.0, -1.0, 1.5, 2.0, 0.1])
    plan = targeting(cate, budget=3)
    assert plan.rows.tolist() == [1, 4, 3] and plan.gain == pytest.approx(6.5) and plan.n == 3
    assert targeting(cate, top_fraction=0.5).rows.tolist() == [1, 4, 3]
    assert targeting(cate).rows.tolist() == [1, 4, 3, 0, 5]  # every row with a positive effect
    costed = targeting(cate, budget=2.0, cost=1.0)
    assert costed.rows.tolist() == [1, 4] and costed.gain == pytest.approx(3.0) and costed.cost == 2.0
    # varying costs under a budget: effect per unit of cost
    ratio = targeting(cate, budget=2.0, cost=[0.1, 2.0, 1.0, 0.5, 1.0, 0.05])
    assert ratio.rows.tolist() == [3, 0, 4, 5] and ratio.cost == pytest.approx(1.65)  # row 1 (ratio 1.5) would exceed it


def test_bad_inputs() -> None:
    df, _ = heterogeneous(n=300, seed=1)
    multi = df.assign(t=np.random.default_rng(0).integers(0, 3, size=len(df)))
    for cls in LEARNERS.values():
        with pytest.raises(DataError, match="binary"):
            cls().fit(multi, BACKDOOR)
        with pytest.raises(EstimatorError, match="not fitted yet"):
            cls().effect(df)
    with pytest.raises(EstimatorError, match="cannot serve"):
        estimate(Estimand(treatment=("t",), outcome=("y",), strategy="randomized"), df, method="dml")
    with pytest.raises(EstimatorError, match="treatment or the outcome"):
        TLearner(effect_modifiers=["y"]).fit(df, BACKDOOR)
    with pytest.raises(DataError, match="same length"):
        qini_curve(np.zeros(5), np.array([0, 1, 0, 1]), np.zeros(4))
    with pytest.raises(DataError, match="same length"):
        uplift_curve(np.zeros(4), np.array([0, 1, 0, 1]), np.zeros(3))
    with pytest.raises(DataError, match="binary"):
        uplift_curve(np.zeros(4), np.array([0, 1, 2, 1]), np.zeros(4))
    with pytest.raises(DataError, match="both treated and control"):
        qini_curve(np.zeros(4), np.ones(4), np.zeros(4))
    with pytest.raises(DataError, match=r"top_fraction must be in \(0, 1\]"):
        targeting(np.zeros(4), top_fraction=0.0)
    with pytest.raises(DataError, match=r"top_fraction"):
        targeting(np.zeros(4), top_fraction=1.5)
    with pytest.raises(DataError, match="cost"):
        targeting(np.zeros(4), cost=[1.0, 2.0])
    with pytest.raises(DataError, match="budget"):
        targeting(np.zeros(4), budget=-1)


@pytest.mark.parametrize("cls", [DoubleML, SLearner, TLearner, XLearner, DRLearner])
def test_sklearn_clone_round_trip(cls: type, data: tuple[pd.DataFrame, np.ndarray]) -> None:
    df = data[0].iloc[:600]
    kw = {"outcome_model": RandomForestRegressor(n_estimators=5, random_state=0)}
    if "n_bootstrap" in cls().get_params():
        kw["n_bootstrap"] = 10
    if "effect_modifiers" in cls().get_params():
        kw["effect_modifiers"] = ("x1",)
    est = cls(**kw)
    copy = clone(est)
    assert copy.get_params().keys() == est.get_params().keys()
    assert copy.get_params()["outcome_model"] is not est.outcome_model
    first = est.fit(df, BACKDOOR).estimate_
    assert not hasattr(copy, "estimate_")
    again = clone(est).fit(df, BACKDOOR).estimate_
    assert again.value == pytest.approx(first.value) and again.se == pytest.approx(first.se)
    assert first.estimator is est and first.settings["n_folds" if cls in (DoubleML, DRLearner) else "n_bootstrap"]


def test_registry_and_exports() -> None:
    for name in ("dml", *LEARNERS):
        assert name in dagcore.methods_for(BACKDOOR)
    assert "dml" not in dagcore.methods_for(Estimand(treatment=("t",), outcome=("y",), strategy="randomized"))
    for name in ("DoubleML", "SLearner", "TLearner", "XLearner", "DRLearner", "uplift_curve", "qini_curve", "targeting"):
        assert name in dagcore.__all__
