"""Warnings raised while fitting reach the user once, located at the user's own line."""

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

import dagcore
from dagcore import IPW, Estimand, PositivityWarning
from dagcore.estimators.refutation import refute_placebo_treatment


def data(n: int = 500, strength: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(n, 3))
    t = (rng.random(n) < 1 / (1 + np.exp(-strength * z[:, 0]))).astype(float)
    return pd.DataFrame({"a": z[:, 0], "b": z[:, 1], "c": z[:, 2], "t": t, "y": t + z[:, 0] + rng.normal(size=n)})


E = Estimand(treatment="t", outcome="y", strategy="backdoor", adjustment_set={"a", "b", "c"})


def here() -> int:
    """The line number of the caller's next line."""
    return sys._getframe(1).f_lineno + 1


def convergence(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_a_nuisance_models_convergence_warning_reaches_fit_s_caller() -> None:
    df = data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = here()
        IPW(propensity_model=LogisticRegression(max_iter=1)).fit(df, E)
    conv = convergence(caught)
    assert len(conv) == 1, [str(w.message) for w in caught]
    assert conv[0].filename == __file__ and conv[0].lineno == line


def test_through_dagcore_estimate_the_warning_names_the_users_line() -> None:
    df = data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = here()
        dagcore.estimate(E, df, method="ipw", propensity_model=LogisticRegression(max_iter=1))
    conv = convergence(caught)
    assert len(conv) == 1
    assert conv[0].filename == __file__ and conv[0].lineno == line


def test_pytest_warns_sees_it() -> None:
    with pytest.warns(ConvergenceWarning, match="failed to converge") as record:
        IPW(propensity_model=LogisticRegression(max_iter=1)).fit(data(), E)
    assert [w.filename for w in record if issubclass(w.category, ConvergenceWarning)] == [__file__]


def test_dagcore_warnings_are_located_at_the_user_too() -> None:
    # a treatment the first covariate nearly determines: weak overlap
    df = data(strength=6.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = here()
        IPW().fit(df, E)
    positivity = [w for w in caught if issubclass(w.category, PositivityWarning)]
    assert len(positivity) == 1 and positivity[0].filename == __file__ and positivity[0].lineno == line


def test_refits_inside_a_refuter_point_at_the_refute_call() -> None:
    df = data()
    with pytest.warns(ConvergenceWarning):
        est = IPW(propensity_model=LogisticRegression(max_iter=1)).fit(df, E).estimate_
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = here()
        refute_placebo_treatment(est, df, n_simulations=3, random_state=0)
    conv = convergence(caught)
    assert conv and {(w.filename, w.lineno) for w in conv} == {(__file__, line)}


def test_the_users_filters_still_apply() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        IPW(propensity_model=LogisticRegression(max_iter=1)).fit(data(), E)
    assert convergence(caught) == []
    with warnings.catch_warnings(), pytest.raises(ConvergenceWarning):
        warnings.simplefilter("error", ConvergenceWarning)
        IPW(propensity_model=LogisticRegression(max_iter=1)).fit(data(), E)
