"""One vocabulary: dagcore's names for each concept, keyword-only options, did-you-mean for other libraries' names."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pandas as pd
import pytest
from test_graph_inputs import FUNCTIONS, GRAPH_FUNCTIONS

import dagcore
from dagcore import CausalGraph, DagcoreError, Estimate, EstimatorError
from dagcore.errors import UnknownArgumentError
from dagcore.estimators.result import TARGETS
from dagcore.graph import FOREIGN_NAMES

G = CausalGraph([("Z", "X"), ("C", "X"), ("C", "Y"), ("X", "Y")], exposure="X", outcome="Y")


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    c = rng.normal(size=300)
    z = rng.normal(size=300)
    x = (c + z + rng.normal(size=300) > 0).astype(int)
    return pd.DataFrame({"C": c, "Z": z, "X": x, "Y": 2 * x + c + rng.normal(size=300)})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: dagcore.identify(G, treatment="X"), re.escape("identify() got an unexpected keyword argument 'treatment'; did you mean 'exposure'?")),
        (lambda: dagcore.identify(G, exposur="X"), "did you mean 'exposure'?"),
        (lambda: dagcore.identify(G, common_causes=["C"]), "is_adjustment_set"),
        (lambda: dagcore.identify(G, instruments=["Z"]), r"dagcore.instruments\(g\)"),
        (lambda: dagcore.roles(G, treatment="X"), "did you mean 'exposure'?"),
        (lambda: dagcore.minimal_adjustment_set(G, treatment="X", outcome="Y"), "did you mean 'exposure'?"),
        (lambda: dagcore.d_separated(G, "Z", "Y", conditioning_set={"X"}), "did you mean 'given'?"),
        (lambda: dagcore.paths(G, "X", "Y", conditioned={"C"}), "did you mean 'given'?"),
        (lambda: dagcore.is_instrument(G, instruments="Z"), "did you mean 'instrument'?"),
        (lambda: dagcore.identify_effect(G, treatment="X", outcome="Y"), "did you mean 'exposure'?"),
        (lambda: dagcore.d_separated(G, "Z", "Y", {"X"}), r"takes 3 positional arguments .* pass given=\.\.\. by keyword"),
        (lambda: dagcore.is_adjustment_set(G, "X", "Y", {"C"}, exposure="X"), "'exposure' twice"),
        (lambda: dagcore.d_separated(G, "Z", "Y", unobserved="C"), "did you mean 'latent'?"),
    ],
)
def test_graph_functions_name_the_right_keyword(call, message: str) -> None:
    with pytest.raises(UnknownArgumentError, match=message) as err:
        call()
    assert isinstance(err.value, TypeError) and isinstance(err.value, DagcoreError)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"treatment": "X"}, "estimate takes it from the estimand"),
        ({"common_causes": ["C"]}, "is_adjustment_set"),
        ({"method_name": "backdoor.linear_regression"}, "did you mean 'method'?"),
        ({"n_boostrap": 10}, "did you mean 'n_bootstrap'?"),
    ],
)
def test_estimate_names_the_right_keyword(options: dict, message: str) -> None:
    e = dagcore.identify(G)
    method = "standardization" if "n_boostrap" in options else None
    with pytest.raises(UnknownArgumentError, match=message):
        dagcore.estimate(e, _data(), method=method, **options)


def test_estimate_arguments_swapped() -> None:
    e = dagcore.identify(G)
    with pytest.raises(UnknownArgumentError, match="swapped"):
        dagcore.estimate(_data(), e)
    with pytest.raises(UnknownArgumentError, match="dagcore.identify"):
        dagcore.estimate(G, _data())


@pytest.mark.parametrize("name", GRAPH_FUNCTIONS)
def test_graph_functions_use_one_vocabulary(name: str) -> None:
    params = inspect.signature(FUNCTIONS[name]).parameters.values()
    names = [p.name for p in params]
    assert not set(names) & set(FOREIGN_NAMES), f"{name} uses another library's name: {set(names) & set(FOREIGN_NAMES)}"
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    # the graph and at most three more positional arguments; every option is keyword-only
    assert len(positional) <= 4, f"{name}: make {[p.name for p in positional[4:]]} keyword-only"
    assert "given" not in [p.name for p in positional], f"{name}: given must be keyword-only"


def test_estimate_is_a_hashable_value() -> None:
    a = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), target="ATT", method="matching", settings={"caliper": 0.2, "models": [1, 2]}, n=10)
    b = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), target="ATT", method="matching", settings={"caliper": 0.2, "models": [1, 2]}, n=10,
                 diagnostics={"smd": {"C": 0.01}})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), target="ATE", method="matching", settings={"caliper": 0.2, "models": [1, 2]}, n=10)
    settings = {"caliper": 0.2}
    c = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), settings=settings)
    settings["caliper"] = 0.5
    assert c.settings["caliper"] == 0.2
    with pytest.raises(AttributeError):
        a.value = 2.0  # type: ignore[misc]


def test_fitted_estimates_hash() -> None:
    est = dagcore.estimate(dagcore.identify(G), _data(), method="ipw")
    assert hash(est) == hash(est) and est in {est}


@pytest.mark.parametrize("target", [*TARGETS, "ATE per unit of treatment", "ATE per unit of treatment (linear model)", "ATO"])
def test_valid_targets(target: str) -> None:
    assert Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), target=target).target == target


@pytest.mark.parametrize("target", ["ate", "effect", "", "ATE ", "ATEX", None])
def test_invalid_targets(target) -> None:
    with pytest.raises(EstimatorError, match="unknown estimate target"):
        Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), target=target)


def test_estimates_with_a_nan_standard_error_are_equal_values() -> None:
    from dagcore.estimators.result import Estimate

    def make(value: float) -> Estimate:
        return Estimate(value=value, se=float("nan"), ci=(float("nan"), float("nan")), inference="none (n_bootstrap=0)")

    assert make(1.0) == make(1.0) and hash(make(1.0)) == hash(make(1.0))
    assert make(1.0) != make(2.0)
