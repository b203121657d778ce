"""Every estimate says what it estimates: targets ATE / ATT / ATC / ATO, checked on simulations with a known truth.

* a heterogeneous-effect design (tau = 1 + z1, treatment more likely where z1 is large): every estimate
  labelled "ATE" is within Monte-Carlo error of the true ATE (1), and what is not the ATE says so (WATE, ATO);
* a design where most controls have a propensity below 0.01 (the non-experimental comparison groups of
  job-training evaluations): the ATT estimators recover the true ATT;
* the overlap-weighted target (ATO) against its definition;
* a multi-valued treatment is refused, never silently continuous.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import dagcore
from dagcore import (
    AIPW,
    IPW,
    DataError,
    DoubleML,
    DRLearner,
    Estimand,
    EstimatorError,
    OutcomeRegression,
    Standardization,
)
from dagcore.estimators.targets import balancing_weights, clip_propensity, doubly_robust, tilting

E = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2"})


def heterogeneous(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """tau(z) = 1 + z1 with E[z1] = 0 (ATE 1); the propensity grows with z1, so a variance-weighted average exceeds 1."""
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    e = expit(-1 + 1.2 * z1 - 0.5 * z2)
    t = (rng.random(n) < e).astype(float)
    tau = 1 + z1
    return pd.DataFrame({"z1": z1, "z2": z2, "t": t, "y": z1 + z2 + tau * t + rng.normal(size=n)}), e, tau


def comparison_group(n: int = 8000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Few treated units; most controls look nothing like them (propensity below 0.01)."""
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    e = expit(-7.5 + 3.3 * z1 + 0.5 * z2)
    t = (rng.random(n) < e).astype(float)
    tau = 1 + z1
    return pd.DataFrame({"z1": z1, "z2": z2, "t": t, "y": z1 + z2 + tau * t + rng.normal(size=n)}), e, tau


def population_att() -> float:
    """E[1 + z1 | T = 1] of :func:`comparison_group`, by numerical integration over z1 and z2."""
    g = np.linspace(-8, 8, 801)
    z1, z2 = np.meshgrid(g, g, indexing="ij")
    density = np.exp(-(z1**2 + z2**2) / 2) * expit(-7.5 + 3.3 * z1 + 0.5 * z2)
    return float(1 + (z1 * density).sum() / density.sum())


@pytest.fixture(scope="module")
def het() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    return heterogeneous()


def quiet(call):  # noqa: ANN001, ANN201 - a tiny helper
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


@pytest.mark.parametrize(
    ("method", "options"),
    [
        ("regression", {}), ("standardization", {"inference": "delta"}), ("ipw", {}), ("aipw", {}), ("dr_learner", {}),
        ("t_learner", {"n_bootstrap": 20}), ("x_learner", {"n_bootstrap": 20}), ("matching", {"target": "ATE"}),
        ("stratification", {"n_strata": 10}), ("dml", {}), ("s_learner", {"n_bootstrap": 20}), ("g_estimation", {}),
    ],
)
def test_every_ate_label_is_the_ate(method: str, options: dict, het) -> None:
    df, e, tau = het
    est = quiet(lambda: dagcore.estimate(E, df, method=method, **options))
    code = est.target.split()[0]
    if code == "ATE":
        assert abs(est.value - 1.0) < 4 * est.se, est
    else:  # what a model without treatment interactions estimates: weighted averages above the ATE here
        assert method in ("dml", "s_learner", "g_estimation") and code in ("WATE", "ATO"), est
        assert est.value - 1.0 > 4 * est.se  # so labelling it "ATE" would be wrong
    if code == "ATO":  # g-estimation's psi is the overlap-weighted effect
        h = e * (1 - e)
        assert abs(est.value - (h * tau).sum() / h.sum()) < 4 * est.se


def test_a_no_interaction_formula_is_labelled_a_weighted_average(het) -> None:
    df, _, _ = het
    plain = OutcomeRegression(formula="y ~ t + z1 + z2").fit(df, E).estimate_
    assert plain.target.startswith("WATE") and plain.value - 1.0 > 4 * plain.se
    std = Standardization(formula="y ~ t + z1 + z2", inference="delta").fit(df, E).estimate_
    assert std.target.startswith("WATE")
    full = Standardization(formula="y ~ t * (z1 + z2)", inference="delta").fit(df, E).estimate_
    assert full.target == "ATE" and abs(full.value - 1.0) < 4 * full.se


def test_interacted_regression_is_statsmodels_plus_the_covariate_mean_variance(het) -> None:
    import statsmodels.formula.api as smf

    df, _, _ = het
    for target, rows in (("ATE", df.index == df.index), ("ATT", df.t == 1), ("ATC", df.t == 0)):
        centred = df.assign(**{c: df[c] - df.loc[rows, c].mean() for c in ("z1", "z2")})
        ref = smf.ols("y ~ t * (z1 + z2)", centred).fit(cov_type="HC1")
        ours = OutcomeRegression(target=target).fit(df, E).estimate_
        assert ours.target == target and ours.value == pytest.approx(ref.params["t"], abs=1e-10)
        d = ref.params[["t:z1", "t:z2"]].to_numpy()
        extra = d @ np.cov(df.loc[rows, ["z1", "z2"]].to_numpy(), rowvar=False) @ d / rows.sum()
        assert ours.se == pytest.approx(np.sqrt(ref.bse["t"] ** 2 + extra), rel=1e-8)
    std = Standardization(target="ATT", inference="delta").fit(df, E).estimate_
    assert std.value == pytest.approx(OutcomeRegression(target="ATT").fit(df, E).estimate_.value, abs=1e-10)


@pytest.mark.parametrize(
    ("method", "options"),
    [("ipw", {}), ("aipw", {}), ("dr_learner", {}), ("matching", {}), ("regression", {}), ("standardization", {"inference": "delta"}),
     ("stratification", {"n_strata": 20})],
)
def test_att_estimators_recover_the_att_when_most_controls_have_no_overlap(method: str, options: dict) -> None:
    df, e, _ = comparison_group()
    t = df.t.to_numpy()
    assert (e[t == 0] < 0.01).mean() >= 0.8 and 150 < t.sum() < 400  # the design: most controls are unlike any treated unit
    est = quiet(lambda: dagcore.estimate(E, df, method=method, target="ATT", **options))
    assert est.target == "ATT"
    assert abs(est.value - population_att()) < 4 * est.se, est


def test_ato_against_its_definition(het) -> None:
    df, e, tau = het
    h = e * (1 - e)
    truth = (h * tau).sum() / h.sum()
    for cls in (IPW, AIPW, DRLearner):
        est = quiet(lambda cls=cls: cls(target="ATO").fit(df, E).estimate_)
        assert est.target == "ATO" and abs(est.value - truth) < 4 * est.se, (cls, est)


def test_the_doubly_robust_scores_against_the_textbook_formulas() -> None:
    rng = np.random.default_rng(1)
    n = 500
    t = rng.binomial(1, 0.3, n).astype(float)
    y, e, mu1, mu0 = rng.normal(size=n), rng.uniform(0.05, 0.95, n), rng.normal(size=n), rng.normal(size=n)
    aipw = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
    assert doubly_robust(t, y, e, mu1, mu0, "ATE").value == pytest.approx(aipw.mean())
    hahn = (t * (y - mu0) - (1 - t) * e / (1 - e) * (y - mu0)).sum() / t.sum()  # Hahn (1998), the ATT
    assert doubly_robust(t, y, e, mu1, mu0, "ATT").value == pytest.approx(hahn)
    mirror = ((1 - t) * (mu1 - y) + t * (1 - e) / e * (y - mu1)).sum() / (1 - t).sum()
    assert doubly_robust(t, y, e, mu1, mu0, "ATC").value == pytest.approx(mirror)
    # with mu1 = mu0 = 0 every target is its Hajek-normalised IPW contrast with the balancing weights
    w = balancing_weights(t, e, "ATO")
    ipw = (w * t * y).sum() / (w * t).sum() - (w * (1 - t) * y).sum() / (w * (1 - t)).sum()
    h, _ = tilting(e, "ATO")
    assert np.allclose(w, np.where(t == 1, h / e, h / (1 - e)))
    assert abs(doubly_robust(t, y, e, 0 * y, 0 * y, "ATO").value - ipw) < 0.5  # not identical (no normalisation), close


def test_default_clipping_is_stated_and_tames_the_dr_learner() -> None:
    df, e, tau = comparison_group(4000, 3)
    E1 = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2"})
    clipped = quiet(lambda: DRLearner().fit(df, E1))
    raw = quiet(lambda: DRLearner(trim=0.0).fit(df, E1))
    assert "clipped to [0.01, 0.99]" in clipped.estimate_.inference
    assert clipped.estimate_.diagnostics["clipping"]["n_clipped"] > 0.5 * len(df)
    pehe = {name: float(np.sqrt(np.mean((m.cate_ - tau) ** 2))) for name, m in (("clipped", clipped), ("raw", raw))}
    assert pehe["clipped"] < 0.5 * pehe["raw"], pehe
    # the ATT never divides by e: only the upper end is clipped, and the controls' tiny scores stay as they are
    est = quiet(lambda: AIPW(target="ATT").fit(df, E1).estimate_)
    assert "clipped above at 0.99" in est.inference
    assert clip_propensity(np.array([1e-6, 0.5]), "ATT", 0.01)[1] == 0
    with pytest.raises(EstimatorError, match="trim"):
        AIPW(trim=0.7).fit(df, E1)


def test_a_multivalued_treatment_is_refused_not_silently_continuous() -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(size=600)
    dose = rng.integers(0, 3, 600).astype(float)
    df = pd.DataFrame({"z1": z, "z2": rng.normal(size=600), "t": dose, "y": dose + z + rng.normal(size=600)})
    for cls in (OutcomeRegression, DoubleML):
        with pytest.raises(DataError, match=r"takes 3 values \[0, 1, 2\], a multi-valued treatment"):
            cls().fit(df, E)
        est = cls(treatment_type="continuous").fit(df, E).estimate_
        assert est.target == "ATE per unit of treatment" and abs(est.value - 1) < 0.2
    with pytest.raises(DataError, match="binary"):
        AIPW().fit(df, E)


def test_targets_are_checked() -> None:
    df, _, _ = heterogeneous(500)
    for est in (IPW(target="ATX"), AIPW(target="att"), Standardization(target="ATO"), OutcomeRegression(target="ATO"), DRLearner(target="CATE")):
        with pytest.raises(EstimatorError, match="target must be one of"):
            est.fit(df, E)
    with pytest.raises(EstimatorError, match="with a formula use Standardization"):
        OutcomeRegression(formula="y ~ t + z1 + z2", target="ATT").fit(df, E)


def test_analyze_and_the_cli_take_a_target(tmp_path) -> None:
    import json

    from dagcore.cli import main

    df, _, _ = heterogeneous(800, 5)
    g = dagcore.parse("z1 -> t; z2 -> t; z1 -> y; z2 -> y; t -> y; t [exposure]; y [outcome]")
    a = quiet(lambda: dagcore.analyze(g, df, target="ATT", refuters=[], local_tests=False, estimators=["regression", "ipw", "dml"]))
    assert [e.target for e in a.estimates] == ["ATT", "ATT"]
    assert any(s.startswith("dml:") and "cannot estimate the ATT" in s for s in a.skipped_estimators)
    with pytest.raises(EstimatorError, match="target must be one of"):
        dagcore.analyze(g, df, target="LATE")
    dag, csv = tmp_path / "g.dag", tmp_path / "d.csv"
    dag.write_text("z1 -> t; z2 -> t; z1 -> y; z2 -> y; t -> y; t [exposure]; y [outcome]")
    df.to_csv(csv, index=False)
    out = tmp_path / "a.json"
    code = quiet(lambda: main(["analyze", str(dag), "--data", str(csv), "--target", "ATO", "--estimators", "ipw,aipw",
                               "--refuters", "placebo_treatment", "--n-simulations", "5", "--no-local-tests", "-q", "-o", str(out)]))
    assert code == 0
    report = json.loads(out.read_text())
    assert [e["target"] for e in report["estimates"]] == ["ATO", "ATO"]


@pytest.mark.parametrize("inference", ["delta", "bootstrap"])
def test_default_standardization_equals_its_formula(inference: str) -> None:
    """The default g-formula runs arm by arm on Gram matrices (no model matrix of the interactions): the same numbers as the formula."""
    rng = np.random.default_rng(0)
    n = 800
    df = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.choice(list("abc"), n)})
    df["t"] = (rng.random(n) < expit(df.z1)).astype(float)
    df["y"] = (1 + df.z1) * df.t + df.z1 + (df.z2 == "b") + rng.normal(size=n)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z1", "z2"})
    for target in ("ATE", "ATT", "ATC"):
        fast = Standardization(target=target, inference=inference, n_bootstrap=10).fit(df, e).estimate_
        ref = Standardization(target=target, inference=inference, n_bootstrap=10, formula="y ~ t * (z1 + C(z2))").fit(df, e).estimate_
        assert fast.value == pytest.approx(ref.value, abs=1e-12) and fast.se == pytest.approx(ref.se, rel=1e-9)
        assert fast.target == ref.target == target


def test_a_category_in_one_arm_only_is_named_not_a_lapack_error() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"z1": ["a"] * 195 + ["b"] * 5, "z2": rng.normal(size=200), "t": [0.0, 1.0] * 97 + [0.0] * 6, "y": rng.normal(size=200)})
    with pytest.raises(DataError, match="collinear within a treatment arm .* treatment_interactions=False"):
        OutcomeRegression().fit(df, E)
    assert OutcomeRegression(treatment_interactions=False).fit(df, E).estimate_.target.startswith("WATE")
