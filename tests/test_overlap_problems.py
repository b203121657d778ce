"""Overlap on every propensity estimate, and the problems an analysis leads with (issue 12, items 1-3).

The LaLonde-like design: controls drawn from a general population, 80% of them with a true propensity
below 0.01; the logistic propensity model is correctly specified, so its MLE exists (no separation).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import dagcore
from dagcore import Estimand, estimate
from dagcore.errors import SeparationError
from dagcore.estimators.diagnostics import OVERLAP_RULES, assess_overlap
from dagcore.estimators.report.problems import PROBLEM_KINDS, SEVERITIES, Problem, estimator_disagreement, find_problems
from dagcore.estimators.result import Estimate

pytestmark = pytest.mark.filterwarnings("ignore::dagcore.errors.PositivityWarning")

COVS = ["age", "educ", "married", "re75"]
GRAPH = "{age educ married re75} -> treat; {age educ married re75} -> re78; treat -> re78; treat [exposure]; re78 [outcome]"


def lalonde_like(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Earnings in dollars (unscaled), a rare treatment concentrated among low earners; effect 1000."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 55, n)
    educ = rng.integers(6, 19, n).astype(float)
    married = rng.binomial(1, 0.5, n).astype(float)
    re75 = np.maximum(0.0, rng.normal(14000, 9000, n))
    logit = 1.5 - 0.0006 * re75 - 0.06 * (age - 18) - 0.15 * (educ - 12) - 0.8 * married
    e = 1 / (1 + np.exp(-logit))
    t = (rng.random(n) < e).astype(float)
    y = 1000 * t + 0.8 * re75 + 150 * educ + 20 * age + rng.normal(0, 3000, n)
    return pd.DataFrame({"age": age, "educ": educ, "married": married, "re75": re75, "treat": t, "re78": y}), e


ESTIMAND = Estimand(treatment=("treat",), outcome=("re78",), strategy="backdoor", adjustment_set=set(COVS))


def test_the_design_has_80_percent_of_controls_below_0_01() -> None:
    df, e = lalonde_like()
    assert 0.78 < np.mean(e[df.treat == 0] < 0.01) < 0.83


@pytest.mark.parametrize("method", ["ipw", "aipw", "matching", "stratification", "dml", "dr_learner"])
def test_every_propensity_estimator_stores_its_overlap_and_no_false_separation(method: str) -> None:
    df, _ = lalonde_like()
    est = estimate(ESTIMAND, df, method=method)
    o = est.overlap
    label = est.target.split(" ")[0]
    # dml on a binary treatment reports the variance-weighted effect (WATE); its overlap is judged by the ATE's rule
    assert o is not None and o.target == {"WATE": "ATE"}.get(label, label)
    # the ATE has no support where 80% of the controls are; the ATT (matching's default) needs only controls like the treated
    assert o.verdict == ("good" if o.target == "ATT" else "none"), (method, o)
    assert o.rule == OVERLAP_RULES[o.target]
    assert o.share_outside_01 > 0.5 and o.n_treated == int(df.treat.sum())
    assert min(o.ess_treated / o.n_treated, o.ess_control / o.n_control) < 0.5 and o.max_weight > 1
    assert json.loads(est.to_json())["overlap"]["verdict"] == o.verdict
    # the positivity warning raised while fitting is on the result too
    assert any("overlap of the propensity" in w for w in est.warnings) == (o.verdict != "good")


def test_regression_needs_no_propensity_and_stores_none() -> None:
    df, _ = lalonde_like()
    assert estimate(ESTIMAND, df, method="regression").overlap is None


def test_the_verdict_rule_by_target() -> None:
    t = np.repeat([1, 0], [100, 900])
    ps = np.r_[np.full(100, 0.5), np.full(100, 0.5), np.full(800, 0.001)]
    ate, att = assess_overlap(ps, t, warn=False), assess_overlap(ps, t, target="ATT", warn=False)
    assert (ate.verdict, att.verdict) == ("none", "good")  # 80% outside [0.01, 0.99]; the ATT needs controls like the treated
    assert ate.share_outside_01 == pytest.approx(0.8) and ate.share_outside_01_by_arm["control"] == pytest.approx(8 / 9)
    weak = assess_overlap(np.r_[np.full(200, 0.5), np.full(780, 0.3), np.full(20, 0.005)], t, warn=False)
    assert weak.verdict == "weak" and "2% of units" in weak.reasons[0]
    assert assess_overlap(np.full(1000, 0.1), t, warn=False).verdict == "good"
    disjoint = assess_overlap(np.r_[np.full(100, 0.7), np.full(900, 0.2)], t, target="ATO", warn=False)
    assert disjoint.verdict == "none" and "do not intersect" in disjoint.reasons[0]
    with pytest.warns(dagcore.PositivityWarning, match="no overlap of the propensity scores"):
        assess_overlap(ps, t)


def test_the_analysis_leads_with_overlap_and_never_with_pass() -> None:
    df, _ = lalonde_like()
    a = dagcore.analyze(dagcore.parse(GRAPH), df, n_simulations=5, refuters=["placebo_treatment"], local_tests=False)
    assert a.problems and a.problems[0].kind == "no_overlap" and a.problems[0].severity == "critical"
    first = a.problems[0]
    assert "76% of units have a propensity outside [0.01, 0.99]" in first.message
    assert "regression does not weight, but extrapolates" in first.message  # outcome models are not immune
    assert {"ipw", "aipw", "regression"} <= set(first.estimators)
    lines = a.summary().splitlines()
    assert lines[0].startswith("Problem 1/") and lines[0].startswith(f"Problem 1/{len(a.problems)} [critical]: No overlap")
    assert a.limits[0] == first.message
    assert a.overlap is not None and a.overlap.verdict == "none"
    assert json.loads(a.to_json())["problems"][0]["kind"] == "no_overlap"


def test_an_analysis_with_good_overlap_has_no_overlap_problem() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=600)
    x = (rng.random(600) < 1 / (1 + np.exp(-0.5 * z))).astype(float)
    df = pd.DataFrame({"Z": z, "X": x, "Y": x + z + rng.normal(size=600)})
    a = dagcore.analyze(dagcore.parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]"), df, n_simulations=5,
                        refuters=["placebo_treatment"], local_tests=False)
    assert a.overlap.verdict == "good"
    assert not [p for p in a.problems if "overlap" in p.kind]
    assert a.summary().startswith("Problem 1/") == bool(a.problems)


def test_separated_data_is_no_overlap_with_the_column_named() -> None:
    rng = np.random.default_rng(4)
    z, w = rng.normal(size=400), rng.normal(size=400)
    x = (z > 0.3).astype(float)
    df = pd.DataFrame({"Z": z, "W": w, "X": x, "Y": x + z + w + rng.normal(size=400)})
    g = dagcore.parse("{Z W} -> X; {Z W} -> Y; X -> Y; X [exposure]; Y [outcome]")
    with pytest.raises(SeparationError, match=r"Z >= 0\.3\d* for every treated unit and Z <= 0\.2\d* for every control") as info:
        estimate(dagcore.identify(g), df, method="ipw")
    assert info.value.columns == ("Z",)
    a = dagcore.analyze(g, df, n_simulations=5, refuters=["placebo_treatment"], local_tests=False)
    assert a.problems[0].kind == "no_overlap" and "Z >= " in a.problems[0].message
    assert any(p.kind == "estimator_failed" and "ipw" in p.estimators for p in a.problems)


def test_disagreeing_estimators_are_a_problem_naming_the_spread() -> None:
    a = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="regression")
    b = Estimate(value=1.1, se=0.1, ci=(0.9, 1.3), method="aipw")
    c = Estimate(value=2.0, se=0.2, ci=(1.6, 2.4), method="ipw")
    assert estimator_disagreement([a, b]) is None
    p = estimator_disagreement([a, b, c])
    assert p is not None and p.kind == "estimators_disagree"
    assert "from 1 (regression) to 2 (ipw), a spread of 1" in p.message and "4.5 combined SEs" in p.message
    att = Estimate(value=5.0, se=0.1, ci=(4.8, 5.2), target="ATT", method="matching")
    assert estimator_disagreement([a, att]) is None  # different targets are not compared


def test_problems_are_ordered_by_severity_then_kind_and_have_a_stable_shape() -> None:
    a = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="regression")
    b = Estimate(value=2.0, se=0.1, ci=(1.8, 2.2), method="ipw")
    found = find_problems(estimates=[a, b], data_summary={"rows": 100, "rows_with_missing_values": 30},
                          skipped_estimators=["aipw: something broke"])
    assert [p.kind for p in found] == ["estimators_disagree", "rows_dropped", "estimator_failed"]
    assert [p.severity for p in found] == ["warning", "warning", "note"]
    for p in found:
        assert set(p.to_dict()) == {"kind", "severity", "message", "data", "estimators"}
        assert p.kind in PROBLEM_KINDS and p.severity in SEVERITIES
    with pytest.raises(ValueError, match="problem kind"):
        Problem("bad", "note", "x")


def test_the_cli_summary_and_json_lead_with_the_problems(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from dagcore.cli import main

    df, _ = lalonde_like()
    csv, dag = tmp_path / "jobs.csv", tmp_path / "jobs.dag"
    df.to_csv(csv, index=False)
    dag.write_text(GRAPH.replace("; ", "\n"))
    args = ["analyze", str(dag), "--data", str(csv), "--estimators", "regression,ipw", "--refuters", "placebo_treatment",
            "--n-simulations", "5", "--no-local-tests"]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Problem 1/") and "[critical]: No overlap" in out[0]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["problems"][0]["kind"] == "no_overlap" and data["overlap"]["verdict"] == "none"
