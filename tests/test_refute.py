"""Refuters: pass on correctly specified analyses; fail where designed to on an omitted confounder."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from dagcore import IPW, CausalGraph, Estimand, EstimatorError, OutcomeRegression
from dagcore.estimators.refutation import _linear
from dagcore.estimators.refutation import refuters as R
from dagcore.estimators.refutation.refuters import (
    REFUTERS,
    Refutation,
    refute,
    refute_bootstrap,
    refute_dummy_outcome,
    refute_placebo_treatment,
    refute_unobserved_common_cause,
)
from dagcore.estimators.result import Estimate


class OLS(OutcomeRegression):
    """The additive model ``y ~ x + covariates`` (no treatment interactions), which the linear fast path reproduces."""

    treatment_interactions: bool = False


def simulate(seed: int, *, effect: float, n: int = 1500, z_strength: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w = rng.normal(size=n)
    z = rng.normal(size=n)
    x = (0.4 * w + 0.5 * z_strength * z + rng.normal(size=n) > 0).astype(float)
    y = effect * x + 0.5 * w + 0.5 * z_strength * z + rng.normal(size=n)
    return pd.DataFrame({"w": w, "z": z, "x": x, "y": y})


TRUE = CausalGraph([("w", "x"), ("w", "y"), ("z", "x"), ("z", "y"), ("x", "y")], exposure="x", outcome="y")
# the analyst's graph forgets z -> x, so z is left out of the adjustment set
WRONG = CausalGraph([("w", "x"), ("w", "y"), ("z", "y"), ("x", "y")], exposure="x", outcome="y")


def fitted(estimator: BaseEstimator, data: pd.DataFrame, adjust: set[str], graph: CausalGraph) -> Estimate:
    estimand = Estimand(treatment="x", outcome="y", strategy="backdoor", adjustment_set=adjust, graph=graph)
    return estimator.fit(data, estimand).estimate_


def test_every_refuter_passes_when_correctly_specified() -> None:
    # an effect large next to the measured confounders, so a confounder as strong as the strongest
    # of them (the simulated-confounder refuter's default) does not explain it away
    df = simulate(0, effect=2.0)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    results = refute(est, df, n_simulations=100, random_state=0)
    assert [r.method for r in results] == list(REFUTERS)
    assert all(r.verdict == "pass" for r in results), [r.summary() for r in results]
    assert all(r.fast_path for r in results)


def test_omitted_measured_confounder() -> None:
    # true effect 0; the estimate is confounded by z (in the data, left out of the adjustment set)
    df = simulate(1, effect=0.0)
    est = fitted(OLS(), df, {"w"}, WRONG)
    assert est.ci[0] > 0  # the spurious effect is "significant"
    got = {r.method: r for r in refute(est, df, n_simulations=100, random_state=1)}
    # designed to detect it: the dummy outcome carries z's effect on y, and z is imbalanced across x
    assert got["dummy_outcome"].verdict == "fail"
    # a simulated confounder as strong as w (z is as strong) explains the effect away
    assert got["unobserved_common_cause"].verdict in ("warn", "fail")
    # blind to omitted confounding by construction: they check the estimator, not the graph
    for name in ("placebo_treatment", "random_common_cause", "data_subset", "bootstrap"):
        assert got[name].verdict == "pass", got[name].summary()


def test_unobserved_common_cause_passes_a_robust_effect() -> None:
    df = simulate(2, effect=2.0)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    r = refute_unobserved_common_cause(est, df, n_simulations=20, random_state=2)
    assert r.verdict == "pass" and 0 < r.new_effect < est.value
    assert r.details["benchmark"] in {"w", "z"}


def test_simulated_confounder_has_the_requested_strength() -> None:
    df = simulate(3, effect=1.0)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    r = refute_unobserved_common_cause(est, df, r2_treatment=0.1, r2_outcome=0.2, n_simulations=5, random_state=3)
    # OLS: adjusting for U equals the Cinelli-Hazlett bias-adjusted estimate at those partial R²
    from dagcore.estimators.sensitivity.ovb import ols_sensitivity

    s = ols_sensitivity(df, treatment="x", outcome="y", covariates=["w", "z"])
    assert r.new_effect == pytest.approx(s.adjusted(0.1, 0.2), rel=1e-6)


def test_fast_path_matches_refitting(monkeypatch: pytest.MonkeyPatch) -> None:
    df = simulate(4, effect=1.0, n=400)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    fast = refute(est, df, n_simulations=15, random_state=4)
    monkeypatch.setattr(_linear.Linear, "build", classmethod(lambda cls, *a: None))
    slow = refute(est, df, n_simulations=15, random_state=4)
    for f, s in zip(fast, slow):
        assert f.fast_path and not s.fast_path
        np.testing.assert_allclose(f.values, s.values, rtol=1e-7, atol=1e-9, err_msg=f.method)
        assert f.verdict == s.verdict


@pytest.mark.slow
def test_generic_path_with_a_nonlinear_estimator() -> None:
    df = simulate(5, effect=1.0, n=800)
    est = fitted(IPW(), df, {"w", "z"}, TRUE)
    r = refute_placebo_treatment(est, df, n_simulations=30, random_state=5, n_jobs=2)
    assert not r.fast_path and r.verdict == "pass" and r.p_value < 0.05
    b = refute_bootstrap(est, df, n_simulations=40, random_state=5)
    assert b.verdict in ("pass", "warn")
    d = refute_dummy_outcome(fitted(IPW(), simulate(6, effect=0.0, n=800), {"w"}, WRONG), simulate(6, effect=0.0, n=800),
                             n_simulations=20, random_state=6)
    assert d.verdict == "fail"


def test_refutation_is_an_immutable_value() -> None:
    df = simulate(7, effect=1.0, n=300)
    r = refute_placebo_treatment(fitted(OLS(), df, {"w", "z"}, TRUE), df, n_simulations=10, random_state=0)
    assert isinstance(r, Refutation)
    with pytest.raises(AttributeError):
        r.verdict = "fail"  # type: ignore[misc]
    d = json.loads(r.to_json())
    assert d["method"] == "placebo_treatment" and len(d["values"]) == 10 and d["rule"]
    assert str(r).startswith("[PASS] placebo_treatment")


def test_reproducible_with_random_state() -> None:
    df = simulate(8, effect=1.0, n=300)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    a = refute_placebo_treatment(est, df, n_simulations=10, random_state=3)
    b = refute_placebo_treatment(est, df, n_simulations=10, random_state=3)
    assert a.values == b.values


def test_bad_input() -> None:
    df = simulate(9, effect=1.0, n=200)
    bare = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2))
    with pytest.raises(EstimatorError, match="fitted estimator"):
        refute_placebo_treatment(bare, df)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    with pytest.raises(EstimatorError, match="unknown refuter"):
        refute(est, df, methods=["placebo"])
    iv = Estimand(treatment="x", outcome="y", strategy="iv", instruments={"w"})
    iv_est = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), estimand=iv, estimator=OLS())
    with pytest.raises(EstimatorError, match="backdoor"):
        refute(iv_est, df, methods=["random_common_cause"])
    with pytest.raises(Exception, match="'y'"):
        refute_placebo_treatment(est, df.drop(columns="y"))


class Offset(OLS):
    """A buggy estimator: adds a constant to every estimate (finds an effect where there is none)."""

    def fit(self, data, estimand):  # noqa: ANN001
        super().fit(data, estimand)
        e = self.estimate_
        self.estimate_ = Estimate(value=e.value + 0.5, se=e.se, ci=(e.ci[0] + 0.5, e.ci[1] + 0.5), method="offset",
                                  n=e.n, estimand=estimand, estimator=self)
        return self


class Overconfident(OLS):
    """Reports a third of the true standard error."""

    def fit(self, data, estimand):  # noqa: ANN001
        super().fit(data, estimand)
        e = self.estimate_
        se = e.se / 3
        self.estimate_ = Estimate(value=e.value, se=se, ci=(e.value - 1.96 * se, e.value + 1.96 * se),
                                  method="overconfident", n=e.n, estimand=estimand, estimator=self)
        return self


class FirstCovariate(OLS):
    """Unstable: adjusts only for the alphabetically first covariate it is given."""

    def fit(self, data, estimand):  # noqa: ANN001
        first = sorted(estimand.adjustment_set)[:1]
        super().fit(data, dataclasses.replace(estimand, adjustment_set=first))
        self.estimate_ = dataclasses.replace(self.estimate_, estimand=estimand)
        return self


def test_each_refuter_catches_what_it_is_designed_for() -> None:
    df = simulate(10, effect=1.0, n=800)
    assert refute_placebo_treatment(fitted(Offset(), df, {"w", "z"}, TRUE), df, n_simulations=50,
                                    random_state=0).verdict == "fail"
    assert refute_bootstrap(fitted(Overconfident(), df, {"w", "z"}, TRUE), df, n_simulations=100,
                            random_state=0).verdict == "fail"
    assert R.refute_data_subset(fitted(Overconfident(), df, {"w", "z"}, TRUE), df, n_simulations=100,
                              random_state=0).verdict == "warn"  # subset spread ≫ what the SE predicts
    # the random covariate's name sorts before "w": this estimator then adjusts for it instead of w
    df2 = df.copy()
    df2["z"] = 0.0
    est = fitted(FirstCovariate(), df2.rename(columns={"w": "wz"}), {"wz"}, TRUE)
    r = R.refute_random_common_cause(est, df2.rename(columns={"w": "wz"}), n_simulations=20, random_state=0)
    assert r.verdict == "fail" and not r.fast_path


def test_a_refuter_whose_replicates_all_fail_is_an_error_not_a_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty failed refits leave nothing to judge: a verdict from NaN replicates would be a silent wrong answer."""
    from dagcore.estimators.refutation import _template

    df = simulate(5, effect=1.0, n=300)
    est = fitted(OLS(), df, {"w", "z"}, TRUE)
    monkeypatch.setattr(_linear.Linear, "build", classmethod(lambda cls, *a: None))  # no fast path: every replicate refits

    def failing(*args: object) -> None:
        raise ValueError("singular design")

    monkeypatch.setattr(_template, "refit", failing)
    with pytest.raises(EstimatorError, match="20 of 20 replicates failed"):
        refute_placebo_treatment(est, df, n_simulations=20, random_state=0)


@pytest.mark.parametrize("refuter", ["random_common_cause", "unobserved_common_cause"])
def test_a_refuter_adding_a_covariate_adds_it_to_the_users_formula_too(refuter: str) -> None:
    """With ``formula=`` the estimator fits exactly that design: the added covariate must enter it, not be ignored."""
    df = simulate(7, effect=0.5)
    kwargs = {"n_simulations": 10, "random_state": 3}
    by_formula = fitted(OutcomeRegression(formula="y ~ x + w + z", treatment_interactions=False), df, {"w", "z"}, TRUE)
    by_default = fitted(OLS(), df, {"w", "z"}, TRUE)  # the same model, written by dagcore
    assert by_formula.value == pytest.approx(by_default.value, rel=1e-10)
    a = R.REFUTERS[refuter](by_formula, df, **kwargs)
    b = R.REFUTERS[refuter](by_default, df, **kwargs)
    if refuter == "random_common_cause":
        assert a.details["mean_abs_shift"] > 0  # before: exactly 0.0, a pass that tested nothing
        assert a.details["mean_abs_shift"] == pytest.approx(b.details["mean_abs_shift"], rel=1e-6)
    else:
        assert a.new_effect != pytest.approx(by_formula.value, rel=1e-3)  # before: the estimate itself
        assert a.new_effect == pytest.approx(b.new_effect, rel=1e-6)
    assert R.with_covariate_in_formulas(OutcomeRegression(), "u").formula is None  # nothing written, nothing changed
