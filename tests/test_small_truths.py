"""Small truths (issue 12, item 10): standardization over everyone says what it used; unknown methods point to related ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import dagcore
from dagcore import Estimand
from dagcore.errors import EstimatorError

ROOT = Path(__file__).resolve().parents[1]
E = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})


def test_standardization_over_everyone_reports_the_population_and_the_fit_rows() -> None:
    df = pd.DataFrame({"z": [0.0, 1, 2, 3, 4, 5, 6, 7, None, 9], "t": [0, 1] * 5,
                       "y": [0.1, 1.3, 2.2, None, 4.1, 5.6, None, 7.4, 8.0, 9.9]})
    est = dagcore.estimate(E, df, method="standardization", population="all", inference="delta")
    # 9 rows have treatment and covariates (the average is over them); the model is fit on the 7 with y too
    assert est.n == 9
    assert est.diagnostics["population_rows"] == 9 and est.diagnostics["model_rows"] == 7
    assert est.warnings[:2] == (
        "the outcome model is fit on the 7 rows with y observed; the average is over all 9 rows with complete treatment "
        "and covariates (2 without y included)",
        "dropped 1 rows with missing treatment or covariates",
    )
    observed = dagcore.estimate(E, df, method="standardization", inference="delta", dropna=True)
    assert observed.n == 7 and observed.warnings[0].startswith("dropped 3 rows with missing values")


def test_nhefs_population_all_is_1629_rows_and_regressions_robust_se_is_0_4689() -> None:
    g = dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag")
    df = pd.read_csv(ROOT / "examples" / "nhefs" / "nhefs.csv")
    e = dagcore.identify(g)
    est = dagcore.estimate(e, df, method="standardization", population="all", inference="delta")
    assert est.n == 1629 and "63 without wt82_71 included" in est.warnings[0]
    ps = ("qsmk ~ C(sex) + C(race) + age + I(age**2) + C(education) + smokeintensity + I(smokeintensity**2)"
          " + smokeyrs + I(smokeyrs**2) + C(exercise) + C(active) + wt71 + I(wt71**2)")
    reg = dagcore.estimate(e, df, method="regression", formula=ps.replace("qsmk ~", "wt82_71 ~ qsmk +"), dropna=True)
    assert round(reg.se, 4) == 0.4689  # the value the README quotes


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("propensity_score_weighting", "did you mean 'ipw' (inverse probability weighting)?"),
        ("backdoor.propensity_score_matching", "did you mean 'matching' (propensity-score matching)?"),
        ("backdoor.linear_regression", "did you mean 'regression' (outcome regression by OLS)?"),
        ("doubly_robust", "did you mean 'aipw' (augmented IPW, the doubly robust estimator)?"),
        ("TMLE", "did you mean 'aipw' (the doubly robust estimator with the same efficient influence function; dagcore has no TMLE)?"),
        ("g-formula", "did you mean 'standardization' (the parametric g-formula)?"),
        ("backdoor.econml.dml.DML", "did you mean 'dml'?"),
        ("ipww", "did you mean 'ipw'?"),
        ("iv.instrumental_variable", "'2sls' (two-stage least squares with the instruments) is the related method, but it cannot serve this 'backdoor' estimand"),
    ],
)
def test_an_unknown_method_suggests_the_closest_related_one(name: str, hint: str) -> None:
    df = pd.DataFrame({"z": [0.0, 1, 2, 3], "t": [0, 1, 0, 1], "y": [0.0, 1, 2, 3]})
    with pytest.raises(EstimatorError, match="unknown method") as info:
        dagcore.estimate(E, df, method=name)
    assert f"unknown method {name!r}; {hint}; methods for this estimand: aipw, " in str(info.value)


def test_a_name_with_no_relative_gets_the_list_only() -> None:
    with pytest.raises(EstimatorError, match=r"^unknown method 'xyzzy'; methods for this estimand: aipw, "):
        dagcore.estimate(E, pd.DataFrame({"z": [0.0], "t": [0], "y": [0.0]}), method="xyzzy")
