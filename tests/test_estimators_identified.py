"""The plug-in estimator of identified formulas and the mediation estimators, against known truths."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from brute import RandomBinaryTables
from sklearn.base import clone

import dagcore
from dagcore import CausalGraph, Estimand, Mediation, PlugIn, identify, identify_mediation
from dagcore.errors import DataError, EstimatorError, PositivityWarning
from dagcore.grammar import load, parse

EX = Path(__file__).resolve().parents[1] / "examples"


class SampledSCM(RandomBinaryTables):
    """Binary SCM with random conditional probabilities: samples rows and gives exact interventional means."""

    def __init__(self, g: CausalGraph, seed: int, low: float = 0.15, high: float = 0.85) -> None:
        super().__init__(g, seed, low, high)

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        cols: dict[str, np.ndarray] = {}
        for v in self.order:
            pa = self.parents[v]
            idx = np.zeros(n, dtype=int)
            for p in pa:
                idx = idx * 2 + cols[p]
            table = np.array([self.cpt[v][k] for k in itertools.product((0, 1), repeat=len(pa))])
            cols[v] = (rng.random(n) < table[idx]).astype(int)
        return pd.DataFrame({v: cols[v] for v in self.g.observed})

    def mean_under_do(self, x: str, xv: int, y: str) -> float:
        return self.probability({x: xv}, {y: 1})  # E[Y | do(x)] of a binary Y

    def ate(self, x: str, y: str) -> float:
        return self.mean_under_do(x, 1, y) - self.mean_under_do(x, 0, y)


@pytest.mark.parametrize(("name", "strategy"), [("napkin.dag", "id"), ("frontdoor.dag", "frontdoor"), ("confounding.dag", "backdoor")])
def test_plugin_recovers_the_true_effect(name: str, strategy: str) -> None:
    g = load(EX / name)
    e = identify(g)
    assert e.strategy == strategy
    scm = SampledSCM(g, seed=5)
    (x,), (y,) = tuple(g.exposure), tuple(g.outcome)
    df = scm.sample(100_000, seed=1)
    est = dagcore.estimate(e, df, method="plugin", n_bootstrap=40)
    truth = scm.ate(x, y)
    assert abs(est.value - truth) < max(4 * est.se, 0.01), (est.value, truth, est.se)
    assert est.ci[0] < est.value < est.ci[1]
    assert "bootstrap, B=40" in est.inference


def test_plugin_is_the_default_for_an_id_estimand_and_differs_from_the_naive_contrast() -> None:
    g = load(EX / "napkin.dag")
    scm = SampledSCM(g, seed=57, low=0.02, high=0.98)  # a seed whose naive contrast is biased by about 0.05
    df = scm.sample(200_000, seed=2)
    est = dagcore.estimate(identify(g), df, n_bootstrap=0)
    assert est.method == "plugin"
    naive = df.loc[df.X == 1, "Y"].mean() - df.loc[df.X == 0, "Y"].mean()
    truth = scm.ate("X", "Y")
    assert abs(est.value - truth) < 0.015
    assert abs(naive - truth) > 0.03


def test_plugin_backdoor_equals_saturated_standardization() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    z = rng.integers(0, 3, n)
    x = (rng.random(n) < 0.2 + 0.25 * z).astype(int)
    y = x * 1.5 + z + rng.normal(size=n)
    df = pd.DataFrame({"x": x, "y": np.round(y, 0), "z": z})
    e = Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    got = PlugIn(n_bootstrap=0, max_levels=50).fit(df, e).estimate_.value
    by_z = df.groupby("z")
    manual = sum((g.loc[g.x == 1, "y"].mean() - g.loc[g.x == 0, "y"].mean()) * len(g) / n for _, g in by_z)
    assert got == pytest.approx(manual, abs=1e-12)


def test_plugin_bad_inputs() -> None:
    e = Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.integers(0, 2, 200), "y": rng.integers(0, 2, 200), "z": rng.normal(size=200)})
    with pytest.raises(DataError, match="'z' has 200 distinct values"):
        PlugIn(n_bootstrap=0).fit(df, e)
    df3 = df.assign(z=rng.integers(0, 2, 200), x=rng.integers(0, 3, 200))
    with pytest.raises(DataError, match="pass treatment_values"):
        PlugIn(n_bootstrap=0).fit(df3, e)
    assert np.isfinite(PlugIn(n_bootstrap=0, treatment_values=(0, 2)).fit(df3, e).estimate_.value)
    with pytest.raises(DataError, match="treatment value 7 does not occur"):
        PlugIn(n_bootstrap=0, treatment_values=(0, 7)).fit(df3, e)
    with pytest.raises(DataError, match="column 'z' is not in the data"):
        PlugIn(n_bootstrap=0).fit(df.drop(columns="z"), e)


def test_plugin_warns_about_empty_cells() -> None:
    df = pd.DataFrame({"x": [0, 0, 1, 1, 0, 0], "z": [0, 0, 0, 0, 1, 1], "y": [0, 1, 1, 1, 0, 1]})
    e = Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    with pytest.warns(PositivityWarning, match="no data"):
        est = PlugIn(n_bootstrap=0).fit(df, e).estimate_
    assert any("positivity" in w for w in est.warnings)


def _mediation_data(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=n)
    x = (rng.random(n) < 1 / (1 + np.exp(-c))).astype(float)
    m = 0.8 * x + 0.5 * c + rng.normal(size=n)
    y = 1.0 * x + 1.5 * m + c + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m": m, "y": y, "c": c})


MEDIATION_DAG = "x [exposure] y [outcome] c -> {x m y} x -> m -> y x -> y"


def test_linear_mediation_recovers_nde_and_nie() -> None:
    df = _mediation_data(20_000, 0)
    g = parse(MEDIATION_DAG)
    nde = dagcore.estimate(identify_mediation(g, effect="nde"), df, n_bootstrap=50)
    nie = dagcore.estimate(identify_mediation(g, effect="nie"), df, n_bootstrap=50)
    assert nde.target == "NDE" and nie.target == "NIE"
    assert nde.value == pytest.approx(1.0, abs=0.05)
    assert nie.value == pytest.approx(0.8 * 1.5, abs=0.05)
    assert nde.diagnostics["method"] == "linear"
    assert nde.diagnostics["total_effect"] == pytest.approx(nde.value + nie.value)


@pytest.mark.slow
def test_linear_mediation_coverage() -> None:
    g = parse(MEDIATION_DAG)
    e = identify_mediation(g, effect="nie")
    hits = 0
    reps = 100
    for r in range(reps):
        est = Mediation(n_bootstrap=100, random_state=r).fit(_mediation_data(400, 100 + r), e).estimate_
        hits += est.ci[0] <= 1.2 <= est.ci[1]
    assert 0.88 <= hits / reps <= 0.99, hits


def test_interaction_mediation() -> None:
    rng = np.random.default_rng(4)
    n = 40_000
    x = rng.integers(0, 2, n).astype(float)
    m = 1.0 + 0.5 * x + rng.normal(size=n)
    y = 1.0 * x + 2.0 * m + 1.0 * x * m + rng.normal(size=n)
    df = pd.DataFrame({"x": x, "m": m, "y": y})
    e = identify_mediation(parse("x [exposure] y [outcome] x -> m -> y x -> y"))
    est = Mediation(interaction=True, n_bootstrap=0).fit(df, e).estimate_
    # NDE = θ + θ_xm E[M | x0] = 1 + 1 * 1.0; NIE = (θ_m + θ_xm) a = 3 * 0.5
    assert est.value == pytest.approx(2.0, abs=0.05)
    assert est.diagnostics["nie"] == pytest.approx(1.5, abs=0.05)


def test_discrete_mediation_recovers_the_cross_world_truth() -> None:
    # binary x, m, c; y continuous: y = x + 2 m + c + x m + noise
    rng = np.random.default_rng(5)
    n = 200_000
    c = rng.integers(0, 2, n)
    x = (rng.random(n) < 0.3 + 0.4 * c).astype(int)
    pm = lambda xv, cv: 0.2 + 0.4 * xv + 0.2 * cv  # noqa: E731
    m = (rng.random(n) < pm(x, c)).astype(int)
    y = x + 2 * m + c + x * m + rng.normal(size=n)
    df = pd.DataFrame({"x": x, "m": m, "c": c, "y": y})
    # truth: NDE = E[Y(1, M(0)) - Y(0, M(0))] = 1 + E[M(0)]; NIE = E[Y(1, M(1)) - Y(1, M(0))] = 3 (E[M(1)] - E[M(0)])
    em0 = 0.5 * pm(0, 0) + 0.5 * pm(0, 1)
    em1 = 0.5 * pm(1, 0) + 0.5 * pm(1, 1)
    e = identify_mediation(parse("x [exposure] y [outcome] c -> {x m y} x -> m -> y x -> y"))
    est = Mediation(n_bootstrap=0).fit(df, e).estimate_
    assert est.diagnostics["method"] == "discrete"
    assert est.value == pytest.approx(1 + em0, abs=0.03)
    assert est.diagnostics["nie"] == pytest.approx(3 * (em1 - em0), abs=0.03)


def test_mediation_bad_inputs() -> None:
    g = parse(MEDIATION_DAG)
    df = _mediation_data(300, 1)
    with pytest.raises(EstimatorError, match="not identifiable"):
        Mediation().fit(df, identify_mediation(g, covariates=set()))
    with pytest.raises(EstimatorError, match="unknown mediation method"):
        Mediation(method="magic").fit(df, identify_mediation(g))
    with pytest.raises(DataError, match="'m' has 300 values"):
        Mediation(method="discrete").fit(df.assign(x=df.x.astype(int)), identify_mediation(g))
    with pytest.raises(DataError, match="binary"):
        Mediation(method="discrete").fit(df.assign(x=df.c.round()), identify_mediation(g))
    with pytest.raises(EstimatorError, match="mediation cannot serve a 'backdoor' estimand"):
        dagcore.estimate(identify(g), df, method="mediation")
    with pytest.raises(EstimatorError, match="methods that can: mediation"):
        dagcore.estimate(identify_mediation(g), df, method="ipw")


def test_clone_round_trip() -> None:
    for est in (PlugIn(n_bootstrap=7, treatment_values=(0, 2)), Mediation(method="linear", interaction=True, n_bootstrap=3)):
        assert clone(est).get_params() == est.get_params()


def test_no_warnings_leak_on_clean_data() -> None:
    df = _mediation_data(2000, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Mediation(n_bootstrap=10).fit(df, identify_mediation(parse(MEDIATION_DAG)))
