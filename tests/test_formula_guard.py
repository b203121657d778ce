"""The formula guard reads the variables a formula really uses (patsy evaluation), whatever the syntax."""

import warnings

import numpy as np
import pandas as pd
import pytest

from dagcore import (
    IPW,
    DataError,
    Estimand,
    Matching,
    OutcomeRegression,
    PositivityWarning,
    Standardization,
    Stratification,
    estimate,
)
from dagcore.estimators._data import formula_variables, read_formula


def data(n: int = 400) -> pd.DataFrame:
    """Z confounds X -> Y; M is a mediator; W a collider of X and Y ("my col" a copy of it with a space in its name)."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=n)
    x = (0.5 * z + rng.normal(size=n) > 0).astype(float)
    m = x + rng.normal(size=n)
    y = m + z + rng.normal(size=n)
    c = x + y + rng.normal(size=n)
    return pd.DataFrame({"Z": z, "X": x, "M": m, "Y": y, "W": c, "my col": c, "grp": np.where(c > 1, "hi", "lo")})


E = Estimand(treatment="X", outcome="Y", strategy="backdoor", adjustment_set={"Z"})

# every way of reaching the collider W (or its copy "my col") in patsy's syntax
SNEAKY = {
    "plain": "Y ~ X + Z + W",
    "Q": 'Y ~ X + Z + Q("my col")',
    "C()": "Y ~ X + Z + C(grp)",
    "I()": "Y ~ X + Z + I(W**2)",
    "np.log": "Y ~ X + Z + np.log(np.abs(W) + 1)",
    "center": "Y ~ X + Z + center(W)",
    "interaction": "Y ~ X + Z + Z:W",
    "nested": 'Y ~ X + Z + I(np.exp(Q("my col") / 10))',
}


@pytest.mark.parametrize("formula", SNEAKY.values(), ids=SNEAKY.keys())
def test_every_syntax_of_a_collider_is_seen_and_refused(formula: str) -> None:
    df = data()
    assert read_formula(formula, df).rhs - {"X", "Z"}, formula  # the guard sees a variable outside the adjustment set
    with pytest.raises(DataError, match="does not license"):
        OutcomeRegression(formula=formula).fit(df, E)
    with pytest.raises(DataError, match="does not license"):
        Standardization(formula=formula, n_bootstrap=0).fit(df, E)


@pytest.mark.parametrize("formula", [f.replace("Y ~ X + ", "X ~ ") for f in SNEAKY.values()], ids=SNEAKY.keys())
def test_every_syntax_is_seen_in_propensity_formulas(formula: str) -> None:
    df = data()
    for est in (IPW(propensity_formula=formula), Matching(propensity_formula=formula),
                Stratification(propensity_formula=formula)):
        with pytest.raises(DataError, match="propensity formula uses"):
            est.fit(df, E)


def test_the_recorded_columns_are_exactly_those_used() -> None:
    df = data()
    v = read_formula('Y ~ X * center(Z) + C(grp, Treatment("lo")) + I(Q("my col") ** 2) + np.log(np.abs(M))', df)
    assert v.lhs == {"Y"} and v.rhs == {"X", "Z", "grp", "my col", "M"}
    assert formula_variables("Y ~ X + Z", df) == {"X", "Y", "Z"}


def test_licensed_formulas_still_fit() -> None:
    df = data()
    plain = OutcomeRegression(formula="Y ~ X + Z").fit(df, E).estimate_.value  # the default interacts a binary X with Z
    assert OutcomeRegression().fit(df, E).estimate_.value == pytest.approx(plain, abs=0.1)
    assert OutcomeRegression(formula='Q("Y") ~ X + Z').fit(df, E).estimate_.value == pytest.approx(plain)
    assert OutcomeRegression(formula="Y ~ X + Z + I(Z**2)").fit(df, E).estimate_.value == pytest.approx(plain, abs=0.1)
    assert IPW(propensity_formula="X ~ Z + I(Z**2)").fit(df, E).estimate_.value == pytest.approx(plain, abs=0.3)
    # an extra variable with allow_extra_variables=True is the user's call, and is used
    forced = OutcomeRegression(formula="Y ~ X + Z + M", allow_extra_variables=True).fit(df, E).estimate_.value
    assert abs(forced) < 0.3  # adjusting for the mediator removes the effect: why the guard exists
    for cls in (IPW, Matching, Stratification):  # and reaches the propensity model too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PositivityWarning)  # a collider in the propensity model: little overlap
            est = cls(propensity_formula='X ~ Z + Q("my col")', allow_extra_variables=True).fit(df, E).estimate_
        assert np.isfinite(est.value)


@pytest.mark.parametrize("formula", ["Y ~ X + Z + Y", "Y ~ X + Z + I(Y * 1)", 'Y ~ X + Z + Q("Y")', "Y ~ X * Y + Z"])
def test_the_outcome_never_appears_on_the_right(formula: str) -> None:
    df = data()
    # not even with allow_extra_variables=True: a model of Y on itself fits perfectly (an ATE of 1e-15, "significant")
    for est in (OutcomeRegression(formula=formula, allow_extra_variables=True),
                Standardization(formula=formula, allow_extra_variables=True, n_bootstrap=0)):
        with pytest.raises(DataError, match=r"'Y' \(the outcome\) may not be on the right-hand side of the formula") as err:
            est.fit(df, E)
        assert formula in str(err.value)
    with pytest.raises(DataError, match=r"'Y' \(the outcome\)"):
        estimate(E, df, method="regression", formula=formula, allow_extra_variables=True)


def test_the_outcome_and_treatment_stay_off_a_propensity_formulas_right() -> None:
    df = data()
    with pytest.raises(DataError, match=r"'Y' \(the outcome\) may not be on the right-hand side of the propensity"):
        IPW(propensity_formula="X ~ Z + np.log(np.abs(Y))", allow_extra_variables=True).fit(df, E)
    with pytest.raises(DataError, match=r"'X' \(the treatment"):
        IPW(propensity_formula="X ~ Z + X", allow_extra_variables=True).fit(df, E)


def test_left_hand_sides() -> None:
    df = data()
    with pytest.raises(DataError, match=r"left-hand side must be 'Y' itself, got 'np.log\(np.abs\(Y\)\)'"):
        OutcomeRegression(formula="np.log(np.abs(Y)) ~ X + Z").fit(df, E)
    with pytest.raises(DataError, match=r"propensity formula's left-hand side must be 'X' itself, got 'Z'"):
        IPW(propensity_formula="Z ~ X").fit(df, E)
    with pytest.raises(DataError, match="needs '~'"):
        OutcomeRegression(formula="X + Z").fit(df, E)


def test_unknown_names_and_backquotes_get_a_named_error() -> None:
    df = data()
    with pytest.raises(DataError, match="uses 'age', which is not a column of the data"):
        OutcomeRegression(formula="Y ~ X + Z + age").fit(df, E)
    with pytest.raises(DataError, match="no data named 'your col'"):
        OutcomeRegression(formula='Y ~ X + Z + Q("your col")').fit(df, E)
    # backquotes are formulaic's quoting, not patsy's (which statsmodels uses here): refused, never read past
    with pytest.raises(DataError, match=r'as Q\("my col"\), not in backquotes'):
        OutcomeRegression(formula="Y ~ X + Z + `my col`", allow_extra_variables=True).fit(df, E)


def test_a_formula_model_is_reused_only_on_the_same_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stored model matrices (a refuter's refits): reused when the formula's columns are unchanged, rebuilt otherwise."""
    import patsy

    from dagcore.estimators._data import formula_model

    builds: list[int] = []
    original = patsy.dmatrix

    def counting(*args: object, **kwargs: object) -> object:
        builds.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(patsy, "dmatrix", counting)
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"t": rng.integers(0, 2, 50).astype(float), "z": rng.normal(size=50), "g": rng.choice(["a", "b"], 50)})
    formula = "t ~ z + I(z**2) + C(g) + z:C(g)"
    first = formula_model(formula, df)
    placebo = df.assign(t=rng.permutation(df["t"].to_numpy()))  # the treatment replaced: the same right-hand side
    again = formula_model(formula, placebo)
    assert len(builds) == 1 and again.names == first.names
    np.testing.assert_array_equal(again.matrix, first.matrix)
    again.matrix[:] = 0.0  # a copy: the stored matrix is untouched
    np.testing.assert_array_equal(formula_model(formula, df).matrix, first.matrix)
    moved = df.assign(z=df["z"] + 1e-12)  # one column changed by a hair: rebuilt
    assert not np.array_equal(formula_model(formula, moved).matrix, first.matrix) and len(builds) == 2
    relabelled = df.assign(g=df["g"].astype("category"))  # the same values as another dtype: rebuilt
    formula_model(formula, relabelled)
    assert len(builds) == 3
    fewer = df.iloc[:40]  # other rows: rebuilt
    assert formula_model(formula, fewer).matrix.shape[0] == 40 and len(builds) == 4
