"""Experiment readout and health checks: each statistic against its definition or a reference implementation."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests

import dagcore
from dagcore import DataError, EstimatorError, PeekingWarning, SampleRatioMismatchWarning, analyze_experiment
from dagcore.estimators.experiments.comparisons import proportion_difference, ratio_difference
from dagcore.estimators.experiments.health import false_positive_rate, peeking_check, sample_ratio_check
from dagcore.estimators.report.experiment import experiment_html


def _experiment(n: int = 6000, arms: tuple[str, ...] = ("control", "B"), seed: int = 0, lift: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.array(arms)[np.arange(n) % len(arms)]
    rng.shuffle(arm)
    pre = rng.normal(10, 3, n)
    effect = np.select([arm == a for a in arms], [0.0] + [lift * (i + 1) for i in range(len(arms) - 1)])
    revenue = 2 * pre + effect + rng.normal(0, 4, n)
    converted = (rng.random(n) < 0.10 + 0.01 * (effect > 0)).astype(int)
    visits = rng.poisson(3, n) + 1
    return pd.DataFrame({"arm": arm, "pre": pre, "revenue": revenue, "converted": converted, "visits": visits,
                         "spend": visits * (1.5 + 0.1 * (effect > 0)) + rng.normal(0, 1, n)})


# ---------------------------------------------------------------- one comparison
def test_welch_and_neyman_match_their_definitions() -> None:
    df = _experiment()
    r = analyze_experiment(df, treatment="arm", outcome="revenue")
    c = r.comparison()
    y1, y0 = df.revenue[df.arm == "B"].to_numpy(), df.revenue[df.arm == "control"].to_numpy()
    welch = stats.ttest_ind(y1, y0, equal_var=False)
    assert c.difference == pytest.approx(y1.mean() - y0.mean())
    assert c.se == pytest.approx(math.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size))
    assert c.p_value == pytest.approx(welch.pvalue)
    assert c.ci == pytest.approx(tuple(welch.confidence_interval(0.95)))
    n = analyze_experiment(df, treatment="arm", outcome="revenue", inference="neyman").comparison()
    assert n.ci == pytest.approx((n.difference - 1.959964 * n.se, n.difference + 1.959964 * n.se), rel=1e-6)
    # relative lift and its delta-method interval
    m1, m0 = y1.mean(), y0.mean()
    var = y1.var(ddof=1) / y1.size / m0**2 + m1**2 * y0.var(ddof=1) / y0.size / m0**4
    assert c.lift == pytest.approx(m1 / m0 - 1)
    assert c.lift_ci == pytest.approx((c.lift - 1.959964 * math.sqrt(var), c.lift + 1.959964 * math.sqrt(var)), rel=1e-6)


def test_proportions_use_newcombes_interval() -> None:
    # Newcombe (1998), example (a): 56/70 vs 48/80, hybrid score interval 0.0524 to 0.3339
    c = proportion_difference(np.r_[np.ones(56), np.zeros(14)], np.r_[np.ones(48), np.zeros(32)], metric="m", arm="1", control="0", level=0.95)
    assert c.difference == pytest.approx(0.2) and c.ci == pytest.approx((0.0524, 0.3339), abs=1e-4)
    z = (0.8 - 0.6) / math.sqrt(104 / 150 * 46 / 150 * (1 / 70 + 1 / 80))  # pooled two-proportion z test
    assert c.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert c.kind == "proportion" and c.lift == pytest.approx(0.8 / 0.6 - 1)


def test_zero_one_outcomes_are_read_as_rates() -> None:
    c = analyze_experiment(_experiment(), treatment="arm", outcome="converted").comparison()
    assert c.kind == "proportion" and "Newcombe" in c.inference


def test_ratio_metric_delta_method_matches_the_bootstrap() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    den1, den0 = rng.poisson(3, n) + 1.0, rng.poisson(3, n) + 1.0
    num1, num0 = den1 * rng.gamma(2, 1.0, n), den0 * rng.gamma(2, 0.9, n)
    c = ratio_difference(num1, den1, num0, den0, metric="r", arm="1", control="0", level=0.95)
    assert c.difference == pytest.approx(num1.sum() / den1.sum() - num0.sum() / den0.sum())
    rows = rng.integers(0, n, (400, n))
    boot = num1[rows].sum(1) / den1[rows].sum(1) - num0[rows].sum(1) / den0[rows].sum(1)
    assert c.se == pytest.approx(boot.std(ddof=1), rel=0.12)


# ---------------------------------------------------------------- regression adjustment
def test_lin_regression_is_the_interacted_ols_with_hc2() -> None:
    df = _experiment()
    c = analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["pre"]).comparison()
    d = df.assign(t=(df.arm == "B").astype(float), xc=df.pre - df.pre.mean())
    fit = smf.ols("revenue ~ t + xc + t:xc", d).fit(cov_type="HC2")
    assert c.difference == pytest.approx(fit.params["t"]) and c.se == pytest.approx(fit.bse["t"])
    assert c.value_control == pytest.approx(fit.params["Intercept"])
    # the unadjusted SE is Neyman's, which is HC2 of the unadjusted regression: the reduction compares like with like
    plain = smf.ols("revenue ~ t", d).fit(cov_type="HC2")
    assert c.se_unadjusted == pytest.approx(plain.bse["t"])
    rho = np.corrcoef(df.pre, df.revenue - (df.arm == "B") * 1.0)[0, 1]
    assert c.variance_reduction == pytest.approx(1 - c.se**2 / c.se_unadjusted**2)
    assert c.variance_reduction == pytest.approx(rho**2, abs=0.05)
    assert c.adjusted_for == ("pre",)


def test_cuped_is_the_pooled_slope_adjustment() -> None:
    df = _experiment()
    c = analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["pre"], adjustment="cuped").comparison()
    theta = np.cov(df.revenue, df.pre)[0, 1] / df.pre.var()
    ycv = df.revenue - theta * (df.pre - df.pre.mean())
    assert c.difference == pytest.approx(ycv[df.arm == "B"].mean() - ycv[df.arm == "control"].mean())
    lin = analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["pre"]).comparison()
    assert c.difference == pytest.approx(lin.difference, abs=0.02) and c.variance_reduction > 0.5


def test_categorical_covariates_are_one_hot_encoded() -> None:
    df = _experiment().assign(country=lambda d: np.where(d.pre > 10, "fr", "de"))
    c = analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["country"]).comparison()
    assert c.variance_reduction is not None and c.variance_reduction > 0.2


# ---------------------------------------------------------------- several arms and metrics
@pytest.mark.parametrize(("correction", "method"), [("holm", "holm"), ("bh", "fdr_bh"), ("bonferroni", "bonferroni")])
def test_multiplicity_matches_statsmodels_multipletests(correction: str, method: str) -> None:
    df = _experiment(arms=("control", "B", "C", "D"), lift=0.2)
    r = analyze_experiment(df, treatment="arm", outcome=["revenue", "converted"], ratios=["spend/visits"], correction=correction)
    assert len(r.comparisons) == 9 and r.arms == ("control", "B", "C", "D")
    raw = [c.p_value for c in r.comparisons]
    expected = multipletests(raw, alpha=0.05, method=method)[1]
    assert [c.p_adjusted for c in r.comparisons] == pytest.approx(list(expected))
    assert [c.significant for c in r.comparisons] == [bool(q < 0.05) for q in expected]
    none = analyze_experiment(df, treatment="arm", outcome="revenue", correction="none")
    assert [c.p_adjusted for c in none.comparisons] == [c.p_value for c in none.comparisons]


def test_table_has_one_row_per_comparison() -> None:
    r = analyze_experiment(_experiment(arms=("control", "B", "C")), treatment="arm", outcome=["revenue", "converted"])
    t = r.table()
    assert len(t) == 4 and {"ci_low", "ci_high", "lift", "p_adjusted"} <= set(t.columns)


# ---------------------------------------------------------------- health checks
def test_srm_on_known_splits() -> None:
    srm = sample_ratio_check({"control": 50_000, "treatment": 51_000}, warn=False)
    chi2 = 2 * 500**2 / 50_500
    assert srm.statistic == pytest.approx(chi2) and srm.p_value == pytest.approx(stats.chi2.sf(chi2, 1))
    assert srm.p_value == pytest.approx(0.002, abs=0.0005) and srm.mismatch
    assert srm.shortfall == {"control": 500.0, "treatment": -500.0}
    assert "SAMPLE RATIO MISMATCH" in srm.summary() and "500 units" in srm.summary()
    ok = sample_ratio_check([10_000, 20_050], [1, 2], warn=False)
    assert not ok.mismatch and ok.expected["1"] == pytest.approx(20_033.333, rel=1e-6)
    with pytest.warns(SampleRatioMismatchWarning, match="p = 0.0017"):
        sample_ratio_check([50_000, 51_000])


def test_srm_comes_first_in_the_readout() -> None:
    df = _experiment(n=8000)
    drop = df.index[(df.arm == "B")][:400]
    with pytest.warns(SampleRatioMismatchWarning):
        r = analyze_experiment(df.drop(drop), treatment="arm", outcome="revenue")
    assert r.srm.mismatch and not r.healthy
    assert r.summary().startswith("SAMPLE RATIO MISMATCH") and r.verdicts()[0][0] == "fail"
    html = experiment_html(r)
    assert html.index("SAMPLE RATIO MISMATCH") < html.index("<h2>Results")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and '<span class="verdict fail">' in html


def test_the_planned_allocation_comes_from_the_design() -> None:
    rng = np.random.default_rng(2)
    arm = np.where(rng.random(9000) < 1 / 3, "control", "B")
    df = pd.DataFrame({"arm": arm, "y": rng.normal(size=9000)})
    plan = dagcore.sample_size(baseline=0.0, sd=1.0, mde=0.1, ratio=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SampleRatioMismatchWarning)
        r = analyze_experiment(df, treatment="arm", outcome="y", design=plan)
    assert not r.srm.mismatch and r.srm.allocation["B"] == pytest.approx(2 / 3)
    with pytest.warns(SampleRatioMismatchWarning):
        analyze_experiment(df, treatment="arm", outcome="y")  # the 50/50 default does not fit a 1:2 test


def test_false_positive_rate_of_repeated_looks_matches_armitage() -> None:
    assert false_positive_rate([1.0]) == 0.05
    # Armitage, McPherson & Rowe (1969): 2, 3, 5 equally spaced looks at a nominal 5%
    for k, rate in ((2, 0.083), (3, 0.107), (5, 0.142)):
        assert false_positive_rate([i / k for i in range(1, k + 1)]) == pytest.approx(rate, abs=0.0015)
    # the multivariate normal CDF of the looks' z statistics, corr(Z_i, Z_j) = sqrt(t_i / t_j)
    t = np.array([0.2, 0.7, 1.0])
    mvn = stats.multivariate_normal(np.zeros(3), np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t)), seed=0, abseps=1e-6)
    z = np.full(3, stats.norm.ppf(0.975))
    assert false_positive_rate(t) == pytest.approx(1 - mvn.cdf(z, lower_limit=-z), abs=1e-5)
    z1 = np.full(3, stats.norm.ppf(0.95))
    assert false_positive_rate(t, alternative="larger") == pytest.approx(1 - mvn.cdf(z1), abs=1e-5)
    # a Monte Carlo check of the one-interim-look case at 30%
    rng = np.random.default_rng(0)
    inc = rng.normal(size=(200_000, 2)) * np.sqrt([0.3, 0.7])
    z1, z2 = inc[:, 0] / math.sqrt(0.3), inc.sum(1)
    mc = np.mean((abs(z1) > 1.959964) | (abs(z2) > 1.959964))
    assert false_positive_rate([0.3, 1.0]) == pytest.approx(mc, abs=0.002)


def test_peeking_is_flagged_with_the_inflation() -> None:
    check = peeking_check(10_000, 29_502, warn=False)
    assert check.early and check.false_positive_rate == pytest.approx(false_positive_rate([10_000 / 29_502, 1.0]))
    assert "not 5%" in check.summary()
    many = peeking_check(10_000, 29_502, looks=5, warn=False)
    assert many.false_positive_rate > check.false_positive_rate
    assert not peeking_check(30_000, 29_502, warn=False).early
    with pytest.warns(PeekingWarning, match="false-positive rate of"):
        analyze_experiment(_experiment(), treatment="arm", outcome="revenue", planned_n=12_000)


def test_balance_flags_an_imbalanced_pre_period_covariate() -> None:
    df = _experiment(n=8000)
    ok = analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["pre"])
    assert not ok.balance.imbalanced and ok.balance.rows[0]["smd"] == pytest.approx(
        dagcore.estimators.diagnostics.standardized_mean_differences(df[["pre"]], (df.arm == "B").to_numpy().astype(int))["pre"])
    bad = df.assign(pre=df.pre + 0.5 * (df.arm == "B"))
    r = analyze_experiment(bad, treatment="arm", outcome="revenue", covariates=["pre"])
    assert r.balance.imbalanced == ["B: pre"] and "IMBALANCED" in r.summary()


# ---------------------------------------------------------------- through a graph
def test_a_graph_with_a_randomized_exposure_gives_roles_and_covariates() -> None:
    df = _experiment()
    g = "dag { arm [exposure] revenue [outcome] pre -> revenue  arm -> revenue  arm -> visits }"
    r = analyze_experiment(df, graph=g)
    assert r.treatment == "arm" and r.metrics == ("revenue",) and r.covariates == ("pre",)
    assert r.comparison().difference == pytest.approx(
        analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["pre"]).comparison().difference)
    assert any("covariates from the graph" in n for n in r.notes)
    with pytest.raises(DataError, match="'visits' is affected by the assignment 'arm'"):
        analyze_experiment(df, graph=g, covariates=["visits"])
    with pytest.raises(EstimatorError, match="does not make 'arm' randomized"):
        analyze_experiment(df, graph="dag { arm [exposure] revenue [outcome] pre -> {arm revenue} arm -> revenue }")


# ---------------------------------------------------------------- heterogeneity
def test_cate_hook_finds_a_known_modifier() -> None:
    rng = np.random.default_rng(4)
    n = 4000
    x = rng.normal(size=n)
    arm = np.where(np.arange(n) % 2 == 0, "control", "B")
    y = (arm == "B") * (1.0 + 1.5 * x) + x + rng.normal(size=n)
    r = analyze_experiment(pd.DataFrame({"arm": arm, "x": x, "y": y}), treatment="arm", outcome="y", covariates=["x"], cate=True)
    (h,) = r.heterogeneity
    assert h.method == "dr_learner" and h.modifiers == ("x",)
    slope = h.slopes[0]
    assert abs(slope["slope"] - 1.5) < 4 * slope["se"] and slope["p_value"] < 1e-6
    assert h.estimate.ci[0] < 1.0 < h.estimate.ci[1]
    assert "heterogeneity of y" in r.summary()
    with pytest.raises(EstimatorError, match="cate= needs covariates="):
        analyze_experiment(pd.DataFrame({"arm": arm, "y": y}), treatment="arm", outcome="y", cate=True)


# ---------------------------------------------------------------- bad input
def test_bad_inputs_are_named() -> None:
    df = _experiment(n=400)
    with pytest.raises(DataError, match=r"column 'label' \(outcome\) must be numeric, got"):
        analyze_experiment(df.assign(label="x"), treatment="arm", outcome="label")
    with pytest.raises(DataError, match="treatment 'arm' has one arm 'control': an experiment needs a control and at least one treatment arm"):
        analyze_experiment(df.assign(arm="control"), treatment="arm", outcome="revenue")
    with pytest.raises(DataError, match="control 'A' is not an arm of 'arm'"):
        analyze_experiment(df, treatment="arm", outcome="revenue", control="A")
    with pytest.raises(DataError, match="which arm of 'arm' is the control"):
        analyze_experiment(df.assign(arm=np.where(df.arm == "B", "B", "A")), treatment="arm", outcome="revenue")
    with pytest.raises(DataError, match="did you mean 'revenue'"):
        analyze_experiment(df, treatment="arm", outcome="Revenue")
    with pytest.raises(DataError, match="did you mean 'arm'"):
        analyze_experiment(df, treatment="Arm", outcome="revenue")
    with pytest.raises(DataError, match="distinct values"):
        analyze_experiment(df, treatment="pre", outcome="revenue")
    with pytest.raises(DataError, match="'numerator/denominator'"):
        analyze_experiment(df, treatment="arm", ratios=["spend"])
    with pytest.raises(DataError, match="pass outcome="):
        analyze_experiment(df, treatment="arm")
    with pytest.raises(DataError, match="cannot also be a pre-treatment covariate"):
        analyze_experiment(df, treatment="arm", outcome="revenue", covariates=["revenue"])
    with pytest.raises(EstimatorError, match="correction must be one of"):
        analyze_experiment(df, treatment="arm", outcome="revenue", correction="fdr")
    with pytest.raises(DataError, match="allocation has 3 shares for the 2 arms"):
        analyze_experiment(df, treatment="arm", outcome="revenue", allocation=[1, 1, 1])


def test_missing_values_are_counted_and_dropped_on_request() -> None:
    df = _experiment(n=400)
    df.loc[:4, "revenue"] = np.nan
    with pytest.raises(DataError, match=r"5 rows have missing values \(revenue: 5\)"):
        analyze_experiment(df, treatment="arm", outcome="revenue")
    r = analyze_experiment(df, treatment="arm", outcome="revenue", dropna=True)
    assert r.n == 395 and any("dropped 5 rows" in n for n in r.notes)


def test_numeric_arms_default_to_zero_as_control() -> None:
    df = _experiment(n=400).assign(arm=lambda d: (d.arm == "B").astype(int))
    r = analyze_experiment(df, treatment="arm", outcome="revenue")
    assert r.control == "0" and r.arms == ("0", "1")
    assert r.to_dict()["comparisons"][0]["arm"] == "1"


def test_boolean_arms_default_to_false_as_control() -> None:
    df = _experiment(n=400).assign(arm=lambda d: d.arm == "B")
    r = analyze_experiment(df, treatment="arm", outcome="revenue")
    assert r.control == "False" and r.arms == ("False", "True")
