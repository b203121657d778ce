"""Experiment design: sample size, power, MDE and duration against statsmodels and the textbook formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

import dagcore
from dagcore import AmbiguousEffectError, DataError, DesignError, mde, power, sample_size


# ---------------------------------------------------------------- the textbook case
def test_textbook_ten_percent_plus_one_point() -> None:
    """Baseline 10%, +1 point, alpha 0.05 two-sided, power 0.8: about 14,750 per arm (pooled normal approximation)."""
    d = sample_size(baseline=0.10, mde=0.01)
    # the formula by hand: n = (z_a sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2))^2 / delta^2
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    by_hand = (za * math.sqrt(2 * 0.105 * 0.895) + zb * math.sqrt(0.1 * 0.9 + 0.11 * 0.89)) ** 2 / 0.01**2
    assert d.n_control == d.n_treatment == math.ceil(by_hand) == 14751
    assert d.n_total == 29502 and d.relative_mde == pytest.approx(0.1)
    assert d.n_control == math.ceil(samplesize_proportions_2indep_onetail(0.01, 0.10, 0.8))
    # the standardized reading of the same numbers gives a different (wrong) answer: that is why it must be asked for by name
    d_reading = sample_size(effect_size=0.01 / math.sqrt(0.1 * 0.9))
    assert d_reading.n_control == 14129 and d_reading.metric == "standardized"


@pytest.mark.parametrize("alternative", ["two-sided", "larger"])
@pytest.mark.parametrize(("baseline", "diff", "n", "ratio"), [(0.10, 0.01, 14751, 1.0), (0.30, 0.02, 5000, 2.0), (0.05, 0.008, 20000, 0.5)])
def test_power_of_a_rate_matches_statsmodels(baseline: float, diff: float, n: int, ratio: float, alternative: str) -> None:
    ours = power(baseline=baseline, mde=diff, n_per_arm=n, ratio=ratio, alternative=alternative).power
    # statsmodels' nobs1 is the arm with prop1 = prop2 + diff (our treatment arm), nobs2 = ratio_sm * nobs1 (our control)
    theirs = power_proportions_2indep(diff, baseline, n * ratio, ratio=1 / ratio, alpha=0.05, alternative=alternative).power
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_sample_size_is_the_smallest_n_with_the_power() -> None:
    for kwargs in ({"baseline": 0.2, "mde": -0.03}, {"baseline": 0.1, "mde": 0.015, "ratio": 3.0}, {"baseline": 12.0, "sd": 30.0, "mde": 1.5}):
        d = sample_size(**kwargs)  # type: ignore[arg-type]
        assert power(**kwargs, n_per_arm=d.n_control).power >= 0.8 - 1e-6  # type: ignore[arg-type]
        assert power(**kwargs, n_per_arm=d.n_control - 1).power < 0.8  # type: ignore[arg-type]


def test_arcsine_matches_cohens_h_in_statsmodels() -> None:
    h = proportion_effectsize(0.11, 0.10)
    d = sample_size(baseline=0.10, mde=0.01, method="arcsine")
    assert d.n_control == math.ceil(NormalIndPower().solve_power(h, power=0.8, alpha=0.05))
    p = power(baseline=0.10, mde=0.01, method="arcsine", n_per_arm=12000).power
    assert p == pytest.approx(NormalIndPower().power(h, nobs1=12000, alpha=0.05), rel=1e-9)


def test_unpooled_is_the_wald_formula() -> None:
    d = sample_size(baseline=0.10, mde=0.01, method="unpooled")
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert d.n_control == math.ceil(z**2 * (0.1 * 0.9 + 0.11 * 0.89) / 0.01**2)


@pytest.mark.parametrize("ratio", [1.0, 1.5, 0.5])
def test_means_match_statsmodels_normal_and_t(ratio: float) -> None:
    d = sample_size(baseline=20.0, sd=40.0, mde=5.0, ratio=ratio)
    # statsmodels: nobs1 is our control arm, nobs2 = ratio * nobs1 (the variance of a mean difference is symmetric)
    normal = NormalIndPower().solve_power(5 / 40, power=0.8, alpha=0.05, ratio=ratio)
    t = TTestIndPower().solve_power(5 / 40, power=0.8, alpha=0.05, ratio=ratio)
    assert d.n_control == math.ceil(normal - 1e-6)
    assert abs(d.n_control - t) <= 2
    assert d.n_treatment == math.ceil(ratio * normal - 1e-6)
    assert power(baseline=20.0, sd=40.0, mde=5.0, n_per_arm=800, ratio=ratio).power == pytest.approx(
        NormalIndPower().power(5 / 40, nobs1=800, alpha=0.05, ratio=ratio), rel=1e-9)


def test_one_sided_means_match_statsmodels() -> None:
    p = power(baseline=0.0, sd=1.0, mde=0.2, n_per_arm=300, alternative="larger").power
    assert p == pytest.approx(NormalIndPower().power(0.2, nobs1=300, alpha=0.05, alternative="larger"), rel=1e-9)
    p = power(baseline=0.0, sd=1.0, mde=-0.2, n_per_arm=300, alternative="smaller").power
    assert p == pytest.approx(NormalIndPower().power(-0.2, nobs1=300, alpha=0.05, alternative="smaller"), rel=1e-9)


def test_mde_inverts_power() -> None:
    for kwargs in ({"baseline": 0.1}, {"baseline": 0.6}, {"baseline": 50.0, "sd": 10.0}):
        d = mde(**kwargs, n_per_arm=9000)  # type: ignore[arg-type]
        assert power(**kwargs, mde=d.mde, n_per_arm=9000).power == pytest.approx(0.8, abs=1e-6)  # type: ignore[arg-type]
    smaller = mde(baseline=0.1, n_per_arm=9000, alternative="smaller")
    assert smaller.mde < 0 and power(baseline=0.1, mde=smaller.mde, n_per_arm=9000, alternative="smaller").power == pytest.approx(0.8, abs=1e-6)
    assert mde(baseline=0.1, n_per_arm=14751).mde == pytest.approx(0.01, abs=2e-6)


def test_relative_mde_is_a_share_of_the_baseline() -> None:
    assert sample_size(baseline=0.10, mde=0.10, relative=True).n_control == sample_size(baseline=0.10, mde=0.01).n_control
    assert sample_size(baseline=40.0, sd=20.0, mde=0.05, relative=True).mde == pytest.approx(2.0)


def test_several_arms_share_alpha() -> None:
    three = sample_size(baseline=0.10, mde=0.01, arms=3)
    assert three.alpha_per_comparison == pytest.approx(0.025)
    assert three.n_control == sample_size(baseline=0.10, mde=0.01, alpha=0.025).n_control
    assert three.n_total == 3 * three.n_control and len(three.allocation) == 3
    assert sample_size(baseline=0.10, mde=0.01, arms=4, correction="bonferroni").alpha_per_comparison == pytest.approx(0.05 / 3)
    assert sample_size(baseline=0.10, mde=0.01, arms=4, correction="none").n_control == 14751
    assert any("Holm" in n for n in three.notes)


def test_cuped_multiplies_the_variance_by_one_minus_rho_squared() -> None:
    plain = sample_size(baseline=10.0, sd=5.0, mde=0.2)
    for rho in (0.3, 0.7, -0.5):
        reduced = sample_size(baseline=10.0, sd=5.0, mde=0.2, cuped_rho=rho)
        exact = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * 2 * 25 * (1 - rho**2) / 0.04
        assert reduced.n_control == math.ceil(exact)
        assert reduced.n_control == pytest.approx(plain.n_control * (1 - rho**2), abs=1.0)


def test_duration_in_days_and_whole_weeks() -> None:
    d = sample_size(baseline=0.10, mde=0.01, traffic_per_day=2000)
    assert d.days == math.ceil(29502 / 2000) == 15
    w = sample_size(baseline=0.10, mde=0.01, traffic_per_day=2000, whole_weeks=True)
    assert w.days == 21 and w.whole_weeks and "3 whole weeks" in w.summary()
    p = power(baseline=0.10, mde=0.01, traffic_per_day=2000, days=14)
    assert p.n_total == 28000 and p.n_control == 14000
    assert p.power == pytest.approx(power(baseline=0.10, mde=0.01, n_per_arm=14000).power)


def test_ratio_metric_uses_the_delta_method_variance_of_the_pilot() -> None:
    rng = np.random.default_rng(3)
    visits = rng.poisson(4, 5000) + 1
    revenue = visits * rng.gamma(2.0, 1.5, 5000)
    pilot = pd.DataFrame({"revenue": revenue, "visits": visits})
    d = sample_size(pilot=pilot, numerator="revenue", denominator="visits", mde=0.05, relative=True)
    r = revenue.sum() / visits.sum()
    # definition: the per-unit SD of the linearized metric (y - R x) / mean(x)
    assert d.baseline == pytest.approx(r) and d.metric == "ratio"
    assert d.sd == pytest.approx(np.std((revenue - r * visits) / visits.mean(), ddof=1), rel=1e-9)
    assert d.n_control == sample_size(baseline=r, sd=d.sd, mde=0.05 * r).n_control


def test_pilot_columns() -> None:
    rng = np.random.default_rng(0)
    converted = pd.Series((rng.random(4000) < 0.1).astype(int), name="converted")
    d = sample_size(pilot=converted, mde=0.01)
    assert d.metric == "proportion" and d.baseline == pytest.approx(converted.mean())
    spend = pd.Series(rng.gamma(2, 10, 4000), name="spend")
    m = sample_size(pilot=spend, mde=1.0)
    assert m.metric == "mean" and m.sd == pytest.approx(spend.std())
    with pytest.raises(DataError, match="'spend' must be numeric"):
        sample_size(pilot=pd.Series(["a", "b"], name="spend"), mde=1.0)


def test_the_standardized_effect_is_there_when_named() -> None:
    assert sample_size(effect_size=0.5).n_control == 64 == math.ceil(TTestIndPower().solve_power(0.5, power=0.8, alpha=0.05))
    assert power(effect_size=0.5, n_per_arm=50).power == pytest.approx(TTestIndPower().power(0.5, nobs1=50, alpha=0.05))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call", [lambda: sample_size(0.1), lambda: power(0.10, 1000), lambda: mde(0.1, 500), lambda: dagcore.sample_size(0.5)])
def test_a_bare_number_names_both_readings(call) -> None:
    with pytest.raises(AmbiguousEffectError) as err:
        call()
    message = str(err.value)
    assert "baseline rate" in message and "Cohen's d" in message and "effect_size=" in message and "baseline=" in message
    assert isinstance(err.value, TypeError) and isinstance(err.value, DesignError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"baseline": 1.5, "mde": 0.01}, r"baseline 1.5 is not a rate in \(0, 1\); for a mean metric also give its standard deviation"),
        ({"baseline": 0.0, "mde": 0.01}, r"not a rate in \(0, 1\)"),
        ({"baseline": 0.95, "mde": 0.1}, r"treatment rate of 1.05, outside \(0, 1\)"),
        ({"baseline": 0.1, "mde": 0.01, "traffic_per_day": -2000}, "traffic_per_day must be positive, got -2000"),
        ({"baseline": 0.1, "mde": 0.01, "traffic_per_day": 0}, "traffic_per_day must be positive"),
        ({"baseline": 0.1, "mde": 0.01, "alpha": 1.2}, r"alpha must be between 0 and 1"),
        ({"baseline": 0.1, "mde": 0.01, "power": 0.01}, "not above the false-positive rate"),
        ({"baseline": 0.1, "mde": 0.01, "arms": 1}, "arms counts the control too"),
        ({"baseline": 0.1, "mde": 0.0}, "mde must be a non-zero number"),
        ({"baseline": 0.1}, "give mde="),
        ({"baseline": 0.1, "mde": -0.01, "alternative": "larger"}, "points the other way"),
        ({"baseline": 0.1, "mde": 0.01, "cuped_rho": 1.0}, "cuped_rho must be a correlation"),
        ({"baseline": 0.1, "mde": 0.01, "effect_size": 0.3}, "replaces baseline"),
        ({"baseline": 10.0, "sd": -1.0, "mde": 1.0}, "sd must be positive"),
        ({"baseline": 0.1, "mde": 0.01, "whole_weeks": True}, "whole_weeks=True needs traffic_per_day"),
        ({"baseline": 0.1, "mde": 0.01, "alternative": "greater"}, "alternative must be one of"),
        ({"baseline": "10%", "mde": 0.01}, "baseline must be a number"),
    ],
)
def test_bad_designs_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(DesignError, match=message):
        sample_size(**kwargs)


def test_bad_units_are_named() -> None:
    with pytest.raises(DesignError, match="exactly one of n_per_arm"):
        power(baseline=0.1, mde=0.01)
    with pytest.raises(DesignError, match="exactly one of n_per_arm"):
        power(baseline=0.1, mde=0.01, n_per_arm=10, n_total=20)
    with pytest.raises(DesignError, match="days= needs traffic_per_day="):
        power(baseline=0.1, mde=0.01, days=14)
    with pytest.raises(DesignError, match="n_per_arm must be positive"):
        power(baseline=0.1, mde=0.01, n_per_arm=-5)
    with pytest.raises(DesignError, match="even the largest change possible falls short"):
        mde(baseline=0.5, n_per_arm=3)


def test_design_is_a_value_with_json() -> None:
    d = sample_size(baseline=0.10, mde=0.01, arms=3, ratio=2.0)
    data = d.to_dict()
    assert data["n_control"] == d.n_control and data["allocation"] == pytest.approx([0.2, 0.4, 0.4])
    assert '"solved_for": "sample_size"' in d.to_json()
    assert d == sample_size(baseline=0.10, mde=0.01, arms=3, ratio=2.0)
    assert str(d).startswith(f"{d.n_control:,} control, {d.n_treatment:,} per treatment arm")
