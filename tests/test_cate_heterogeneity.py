"""Issue 13: modifiers vs controls, the causal forest, CATE intervals, heterogeneity tests, potential outcomes, uplift on experiments."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from brute import honest_rows_by_leaf
from sklearn.linear_model import LinearRegression, LogisticRegression

import dagcore
from dagcore import (
    CausalForest,
    ConstantEffectWarning,
    DRLearner,
    Estimand,
    EstimatorError,
    TLearner,
    estimate,
)
from dagcore.estimators.cate import forest as forest_module
from dagcore.estimators.cate.heterogeneity import heterogeneity_tests
from dagcore.estimators.cate.modifiers import choose_modifiers

OLS, LOGIT = LinearRegression(), LogisticRegression()


def linear_design(n: int = 3000, seed: int = 0, slope: float = 2.0, randomized: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """tau(x) = 1 + slope * x1; confounder w; x2 an irrelevant modifier."""
    rng = np.random.default_rng(seed)
    x1, x2, w = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    p = 0.5 if randomized else 1 / (1 + np.exp(-(0.7 * w + 0.3 * x1)))
    t = (rng.random(n) < p).astype(float)
    tau = 1 + slope * x1
    y = tau * t + w + 0.5 * x1 + rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "w": w, "t": t, "y": y}), tau


GRAPH = dagcore.parse("w -> t; w -> y; x1 -> t; x1 -> y; x2 -> y; t -> m -> y; t [exposure]; y [outcome]")


# ---------------------------------------------------------------- item 1: modifiers vs controls
def test_default_modifiers_are_the_pre_treatment_covariates_and_controls_the_adjustment_set() -> None:
    e = dagcore.identify(GRAPH)
    c = choose_modifiers(e, ["x1", "x2", "w", "t", "y", "m"])
    assert c.modifiers == ("w", "x1", "x2") and set(c.controls) == set(e.adjustment_set)
    assert "m" not in c.modifiers  # a mediator is never a default modifier
    df, _ = linear_design(800)
    learner = DRLearner(effect_modifiers=["x1"]).fit(df.assign(m=0.0), e)
    assert learner.effect_modifiers_ == ["x1"] and set(learner.controls_) == set(e.adjustment_set)


def test_a_descendant_of_the_treatment_is_refused_with_its_path() -> None:
    df, _ = linear_design(600)
    df["m"] = df.t + np.random.default_rng(1).normal(size=len(df))
    e = dagcore.identify(GRAPH)
    for method in ("dr_learner", "t_learner", "linear_dml", "causal_forest"):
        with pytest.raises(EstimatorError, match=r"'m' is a descendant of the treatment \(t -> m\)"):
            estimate(e, df, method=method, effect_modifiers=["m"])
    with pytest.raises(EstimatorError, match="not a node of the graph"):
        estimate(e, df.assign(z=1.0), method="dr_learner", effect_modifiers=["z"])


def test_a_collider_modifier_is_refused_and_left_out_of_the_defaults() -> None:
    g = dagcore.parse("a -> c; b -> c; a -> t; b -> y; t -> y; t [exposure]; y [outcome]")
    e = dagcore.identify(g)
    c = choose_modifiers(e, ["a", "b", "c", "t", "y"])
    assert "c" not in c.modifiers or {"a", "b"} & set(c.modifiers)  # c alone would open t <- a -> c <- b -> y
    with pytest.raises(EstimatorError, match="not a valid adjustment set"):
        choose_modifiers(e, ["a", "b", "c", "t", "y"], ["c"])


# ---------------------------------------------------------------- item 6: uplift on experiments
def test_a_randomized_estimand_still_gets_the_graphs_covariates() -> None:
    g = dagcore.parse("t -> y; x1 -> y; x2 -> y; t [exposure]; y [outcome]")
    e = dagcore.identify(g)
    assert e.strategy == "randomized" and not e.adjustment_set
    df, tau = linear_design(2000, seed=3, randomized=True)
    learner = DRLearner().fit(df, e)
    assert learner.effect_modifiers_ == ["x1", "x2"]
    assert np.corrcoef(learner.effect(df), tau)[0, 1] > 0.95


def test_no_modifier_at_all_is_a_loud_warning_not_a_silent_zero_qini() -> None:
    g = dagcore.parse("t -> y; t [exposure]; y [outcome]")
    df, _ = linear_design(500, randomized=True)
    with pytest.warns(ConstantEffectWarning, match="no effect modifier"):
        est = estimate(dagcore.identify(g), df, method="dr_learner")
    assert any("no effect modifier" in w for w in est.warnings)


# ---------------------------------------------------------------- item 2: the forest
def test_honest_leaves_use_only_the_filling_rows() -> None:
    """Leaf values are brute-force means over the filling rows of each leaf; growing rows never enter."""
    rng = np.random.default_rng(0)
    V = rng.normal(size=(400, 2)).astype(np.float32)
    rt, ry = rng.normal(size=400), rng.normal(size=400)
    grow, fill = np.arange(0, 200), np.arange(200, 400)
    tree = forest_module.honest_tree(V, rt, ry, grow, fill, 0, {"min_samples_leaf": 5, "max_features": None, "max_depth": None})
    by_leaf = honest_rows_by_leaf(tree.tree, V, fill)
    assert any(np.sum(tree.lookup[tree.tree.apply(V[fill])] == leaf) == 0 for leaf in range(len(by_leaf)))  # some leaves borrow
    for leaf, rows in enumerate(by_leaf):
        assert tree.stats[0, leaf] == rows.size > 0 and set(rows) <= set(fill)
        np.testing.assert_allclose(tree.stats[1:, leaf], [rt[rows].mean(), ry[rows].mean(), (rt[rows] ** 2).mean(), (rt[rows] * ry[rows]).mean()])
    # outcomes of the growing rows never enter a leaf's value (for the same tree)
    ry2 = ry.copy()
    ry2[grow] += 100.0
    assert np.allclose([ry2[rows].mean() for rows in by_leaf], tree.stats[2])


def test_every_tree_grows_and_fills_on_disjoint_rows_of_its_half_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    original = forest_module.honest_tree

    def spy(V, rt, ry, grow, fill, seed, options):  # type: ignore[no-untyped-def]
        seen.append((grow, fill))
        return original(V, rt, ry, grow, fill, seed, options)

    monkeypatch.setattr(forest_module, "honest_tree", spy)
    df, _ = linear_design(600, randomized=True)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    cf = CausalForest(n_estimators=10, group_size=2, effect_modifiers=["x1"], outcome_model=OLS, treatment_model=LOGIT, n_folds=2).fit(df, e)
    assert len(seen) == 10
    for k, (grow, fill) in enumerate(seen):
        assert not set(grow) & set(fill) and len(grow) == len(fill) == 150
        assert set(grow) | set(fill) <= set(cf._halves[k // 2])


def test_the_forest_recovers_a_step_with_covering_intervals() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    x, w = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-0.5 * w))).astype(float)
    df = pd.DataFrame({"x": x, "w": w, "t": t, "y": np.where(x > 0, 3.0, 1.0) * t + w + rng.normal(size=n)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w"})
    cf = CausalForest(n_estimators=100, min_samples_leaf=5, effect_modifiers=["x"], outcome_model=OLS, treatment_model=LOGIT, n_folds=2).fit(df, e)
    grid = pd.DataFrame({"x": [-1.6, -1.2, 1.2, 1.6]})  # away from the step, where a forest smooths
    truth = np.array([1.0, 1.0, 3.0, 3.0])
    est, se = cf.effect(grid), cf.effect_se(grid)
    lo, hi = cf.effect_interval(grid, level=0.9)
    assert np.allclose(lo + hi, 2 * est) and np.allclose(hi - lo, 2 * 1.6449 * se, rtol=1e-3)
    assert np.all(se < 0.5) and np.all(np.abs(est - truth) < 4 * se)  # coverage itself: benchmarks/validate_estimators.py
    assert est[2:].min() - est[:2].max() > 1.0
    assert abs(cf.estimate_.value - 2.0) < 0.2 and cf.estimate_.ci[0] < 2.0 < cf.estimate_.ci[1]
    with pytest.raises(EstimatorError, match="multiple of group_size"):
        CausalForest(n_estimators=11).fit(df, e)


def test_the_forest_takes_a_continuous_treatment() -> None:
    rng = np.random.default_rng(4)
    n = 2000
    x, w = rng.normal(size=n), rng.normal(size=n)
    t = 0.5 * w + rng.normal(size=n)
    df = pd.DataFrame({"x": x, "w": w, "t": t, "y": (1 + (x > 0)) * t + w + rng.normal(size=n)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w"})
    cf = CausalForest(n_estimators=60, min_samples_leaf=5, effect_modifiers=["x"], outcome_model=OLS, treatment_model=OLS, n_folds=2).fit(df, e)
    assert np.allclose(cf.effect(pd.DataFrame({"x": [-1.0, 1.0]})), [1.0, 2.0], atol=0.3)
    assert cf.estimate_.target.startswith("ATE per unit")


# ---------------------------------------------------------------- item 3: intervals everywhere
@pytest.mark.parametrize("method", ["linear_dml", "dr_learner"])
def test_linear_heterogeneity_is_recovered_with_a_coefficient_table(method: str) -> None:
    df, _ = linear_design(4000, seed=5)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x1"})
    options = {"outcome_model": OLS, "treatment_model": LOGIT} if method == "linear_dml" else {}
    est = estimate(e, df, method=method, effect_modifiers=["x1", "x2"], **options)
    table = est.estimator.coefficients_.to_frame()
    assert list(table.index) == ["intercept", "x1", "x2"]
    truth = np.array([1.0, 2.0, 0.0])
    assert np.all((table.lower < truth) & (truth < table.upper)), table
    assert table.loc["x1", "p"] < 1e-6
    lo, hi = est.estimator.effect_interval(pd.DataFrame({"x1": [0.0, 1.0], "x2": [0.0, 0.0]}), level=0.99)
    assert np.all(lo < [1.0, 3.0]) and np.all(hi > [1.0, 3.0])


def test_learners_without_intervals_say_so_and_the_if_se_matches_the_bootstrap() -> None:
    from sklearn.linear_model import Ridge

    df, _ = linear_design(1500, seed=6)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x1"})
    tl = TLearner().fit(df, e)
    with pytest.raises(EstimatorError, match="gives no pointwise interval"):
        DRLearner(cate_model=Ridge()).fit(df, e).effect_interval(df)
    boot = TLearner(n_bootstrap=60).fit(df, e).estimate_
    assert 0.7 < tl.estimate_.se / boot.se < 1.4
    assert tl.estimate_.value == pytest.approx(boot.value)
    with pytest.raises(EstimatorError, match="level is the confidence level"):
        DRLearner().fit(df, e).effect_interval(df, level=95)


# ---------------------------------------------------------------- item 4: heterogeneity tests
def test_blp_does_not_reject_a_constant_effect_and_rejects_a_linear_one() -> None:
    e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    flat, _ = linear_design(3000, seed=7, slope=0.0, randomized=True)
    h0 = DRLearner(effect_modifiers=["x1", "x2"]).fit(flat, e).heterogeneity()
    assert not h0.blp.rejects() and h0.top_minus_bottom_p > 0.05
    steep, _ = linear_design(3000, seed=7, slope=1.0, randomized=True)
    h1 = DRLearner(effect_modifiers=["x1", "x2"]).fit(steep, e).heterogeneity()
    assert h1.blp.rejects() and 0.7 < h1.blp.slope < 1.3
    assert [g.group for g in h1.gates] == [1, 2, 3, 4, 5]
    assert h1.gates[-1].effect > h1.gates[0].effect + 2 and h1.curve.area > 0
    assert "heterogeneity detected" in h1.lines()[0] and h1.to_dict()["blp"]["heterogeneity_detected"]


def test_heterogeneity_tests_check_their_inputs() -> None:
    with pytest.raises(dagcore.DataError, match="same length"):
        heterogeneity_tests(np.zeros(20), np.zeros(21))
    with pytest.raises(EstimatorError, match="n_groups"):
        heterogeneity_tests(np.arange(20.0), np.zeros(20), n_groups=1)
    h = heterogeneity_tests(np.ones(50), np.random.default_rng(0).normal(size=50))
    assert not h.blp.rejects() and "constant" in h.notes[0]


# ---------------------------------------------------------------- item 5: potential outcomes
def test_potential_outcomes_are_the_fitted_arms() -> None:
    df, _ = linear_design(3000, seed=8)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x1"})
    rows = pd.DataFrame({"x1": [0.0, 1.0], "w": [0.0, 0.0], "x2": [0.0, 0.0]})
    y0_true, y1_true = np.array([0.0, 0.5]), np.array([1.0, 3.5])
    for learner in (TLearner(), DRLearner(effect_modifiers=["x1"])):
        po = learner.fit(df, e).predict_potential_outcomes(rows)
        assert np.allclose(po.y0, y0_true, atol=0.2) and np.allclose(po.y1, y1_true, atol=0.2)
        assert np.allclose(po.effect, po.y1 - po.y0)
    assert {"effect_lower", "effect_upper"} <= set(po.columns)  # the DR-learner's linear final stage has intervals
    est = estimate(e, df, method="t_learner")  # the same through the Estimate
    assert np.allclose(est.predict_potential_outcomes(rows).y1, y1_true, atol=0.2) and est.effect(rows).shape == (2,)
    with pytest.raises(EstimatorError, match="has no effect_interval"):
        estimate(e, df, method="regression").effect_interval(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(EstimatorError, match="not fitted yet"):
            TLearner().predict_potential_outcomes(rows)


# ---------------------------------------------------------------- item 7: adapters (fakes following EconML's and CausalML's interfaces)
class FakeEconML:
    """EconML's interface: fit(Y, T, *, X, W); effect(X); effect_interval(X, alpha); ate_interval(X, alpha). A linear DML inside."""

    def __init__(self) -> None:
        self.seen: dict[str, object] = {}

    def fit(self, Y, T, *, X=None, W=None):  # type: ignore[no-untyped-def]
        self.seen = {"X": None if X is None else X.shape, "W": None if W is None else W.shape}
        Z = np.column_stack([np.ones(len(Y)), X, W])
        rt = T - Z @ np.linalg.lstsq(Z, T, rcond=None)[0]
        ry = Y - Z @ np.linalg.lstsq(Z, Y, rcond=None)[0]
        D = np.column_stack([np.ones(len(Y)), X]) * rt[:, None]
        self.beta = np.linalg.lstsq(D, ry, rcond=None)[0]
        return self

    def effect(self, X=None):  # type: ignore[no-untyped-def]
        return self.beta[0] + X @ self.beta[1:]

    def effect_interval(self, X=None, *, alpha=0.05):  # type: ignore[no-untyped-def]
        mid = self.effect(X)
        return mid - 0.1, mid + 0.1

    def ate_interval(self, X=None, *, alpha=0.05):  # type: ignore[no-untyped-def]
        m = float(self.effect(X).mean())
        return np.array([m - 0.2]), np.array([m + 0.2])


class FakeCausalML:
    """CausalML's meta-learner interface: fit(X, treatment, y); predict(X); estimate_ate(X, treatment, y, pretrain)."""

    def fit(self, X, treatment, y):  # type: ignore[no-untyped-def]
        Z = np.column_stack([np.ones(len(y)), X])
        self.b1 = np.linalg.lstsq(Z[treatment == 1], y[treatment == 1], rcond=None)[0]
        self.b0 = np.linalg.lstsq(Z[treatment == 0], y[treatment == 0], rcond=None)[0]
        return self

    def predict(self, X):  # type: ignore[no-untyped-def]
        Z = np.column_stack([np.ones(len(X)), X])
        return (Z @ (self.b1 - self.b0)).reshape(-1, 1)

    def estimate_ate(self, X, treatment, y, pretrain=False):  # type: ignore[no-untyped-def]
        m = float(self.predict(X).mean())
        return np.array([m]), np.array([m - 0.3]), np.array([m + 0.3])


def test_an_econml_estimator_gets_modifiers_as_x_and_controls_as_w() -> None:
    df, tau = linear_design(3000, seed=9)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x1"})
    fake = FakeEconML()
    est = estimate(e, df, method=fake, effect_modifiers=["x1"])
    fitted = est.estimator.model_
    assert fitted is not fake and not fake.seen  # the user's object is never fit
    assert fitted.seen == {"X": (3000, 1), "W": (3000, 2)}
    assert est.method == "econml:FakeEconML" and abs(est.value - 1.0) < 0.15
    assert est.ci == pytest.approx((est.value - 0.2, est.value + 0.2)) and est.se == pytest.approx(0.4 / (2 * 1.959964), rel=1e-4)
    rows = pd.DataFrame({"x1": [0.0, 1.0]})
    assert np.allclose(est.estimator.effect(rows), [1.0, 3.0], atol=0.2)
    lo, hi = est.estimator.effect_interval(rows)
    assert np.allclose(hi - lo, 0.2)
    (placebo,) = dagcore.refute(est, df, methods=["placebo_treatment"], n_simulations=5, random_state=0)
    assert abs(placebo.new_effect) < abs(est.value)  # the refuters re-run the adapter


def test_a_causalml_learner_gets_every_feature_and_a_stranger_gets_a_clear_error() -> None:
    df, _ = linear_design(2000, seed=10)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x1"})
    est = estimate(e, df, method=FakeCausalML(), effect_modifiers=["x1"])
    assert est.method == "causalml:FakeCausalML" and abs(est.value - 1.0) < 0.2 and est.ci[1] - est.ci[0] == pytest.approx(0.6)
    with pytest.raises(EstimatorError, match="no pointwise CATE interval"):
        est.estimator.effect_interval(df)

    class Stranger:
        def fit(self, X, y):  # type: ignore[no-untyped-def]
            return self

    with pytest.raises(EstimatorError, match="follows none of these"):
        estimate(e, df, method=Stranger())


# ---------------------------------------------------------------- item 8: the CLI
def test_cli_cate_writes_intervals_and_the_heterogeneity_tables(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from dagcore.cli import main

    df, _ = linear_design(2000, seed=11)
    df["m"] = df.t + np.random.default_rng(0).normal(size=len(df))
    csv, dag, out = tmp_path / "d.csv", tmp_path / "g.dag", tmp_path / "scored.csv"
    df.to_csv(csv, index=False)
    dag.write_text("w -> {t y}\nx1 -> {t y}\nx2 -> y\nt -> m -> y\nt [exposure]\ny [outcome]\n")
    args = ["cate", str(dag), "--data", str(csv), "--method", "linear_dml", "--modifiers", "x1,x2", "-o", str(out), "--json"]
    assert main([*args, "--param", "n_folds=2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["effect_modifiers"] == ["x1", "x2"] and [c["term"] for c in result["coefficients"]["coefficients"]] == ["intercept", "x1", "x2"]
    assert result["heterogeneity"]["blp"]["heterogeneity_detected"] and len(result["heterogeneity"]["gates"]) == 5
    scored = pd.read_csv(out)
    assert {"cate", "cate_lower", "cate_upper"} <= set(scored.columns) and (scored.cate_lower < scored.cate).all()
    assert main(["cate", str(dag), "--data", str(csv), "--modifiers", "m"]) == 1
    assert "'m' is a descendant of the treatment (t -> m)" in capsys.readouterr().err


# ---------------------------------------------------------------- the report's heterogeneity section
def test_the_report_section_has_the_tests_and_three_figures() -> None:
    from dagcore.estimators.report.heterogeneity import heterogeneity_section

    e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    df, _ = linear_design(1500, seed=12, randomized=True)
    section = heterogeneity_section(DRLearner(effect_modifiers=["x1"]).fit(df, e).estimate_)
    assert section is not None and section.lines[0].startswith("BLP test: heterogeneity detected")
    assert set(section.svgs) == {"distribution", "gates", "gain"} and all(s.startswith("<svg") for s in section.svgs.values())
    assert "GATES" in section.svgs["gates"] or "group" in section.svgs["gates"]
    assert section.to_dict()["heterogeneity"]["blp"]["heterogeneity_detected"]
    assert heterogeneity_section(estimate(e, df)) is None  # difference in means: no CATE
