"""Every estimator's parameters: keyword-only, documented, with the documented defaults, and scikit-learn's contract.

The parameters are declared once, as dataclass fields of the estimator or of a
parameter group in ``dagcore.estimators.base``; these tests hold each class to
its docstring and to what scikit-learn's ``get_params`` / ``set_params`` /
``clone`` / ``repr`` need.
"""

from __future__ import annotations

import inspect
import re

import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from dagcore.estimators.base import CausalEstimator
from dagcore.estimators.registry import REGISTRY, _load

_load()
CLASSES = sorted(set(REGISTRY.values()), key=lambda c: c.__name__)

# The defaults every estimator had when each wrote its own __init__ (FrontdoorLinear gained n_jobs since).
COMMON = {"level": 0.95, "dropna": False}
BOOT = {"n_bootstrap": 200, "random_state": 0, "n_jobs": None}
FOLDS = {"n_folds": 5, "random_state": 0, "n_jobs": None}
FORMULAS = {"formula": None, "propensity_formula": None, "allow_extra_variables": False}
DEFAULTS = {
    "DifferenceInMeans": {},
    "TwoStageLeastSquares": {"covariates": None},
    "OutcomeRegression": {"formula": None, "cov_type": "HC1", "allow_extra_variables": False, "target": "ATE", "treatment_type": "auto",
                          "treatment_interactions": True},
    "Standardization": {"formula": None, "population": "observed", "outcome_model": "ols", "effect_measure": "RD",
                        "inference": "bootstrap", "allow_extra_variables": False, "target": "ATE", **BOOT},
    "IPW": {"propensity_formula": None, "propensity_model": None, "stabilized": False, "trim": None, "variance": "m_estimation",
            "allow_extra_variables": False, "target": "ATE"},
    "AIPW": {"outcome_model": None, "propensity_model": None, "n_repeats": 1, "trim": 0.01, "target": "ATE", "formula": None,
             "propensity_formula": None, "allow_extra_variables": False, **FOLDS},
    "DoubleML": {"outcome_model": None, "treatment_model": None, "n_repeats": 1, "treatment_type": "auto", "formula": None,
                 "propensity_formula": None, "allow_extra_variables": False, **FOLDS},
    "GEstimation": {"propensity_formula": None, "censoring_weights": False, "inference": "sandwich", "allow_extra_variables": False, **BOOT},
    "Matching": {"n_neighbors": 1, "distance": "logit", "replace": True, "caliper": None, "target": "ATT", "propensity_formula": None,
                 "propensity_model": None, "random_state": 0, "allow_extra_variables": False},
    "Stratification": {"n_strata": 5, "on": "propensity", "max_levels": 20, "target": "ATE", "propensity_formula": None,
                       "propensity_model": None, "allow_extra_variables": False},
    # the S-, T- and X-learner: influence-function SE by default (issue 13), the bootstrap on request
    "SLearner": {"outcome_model": None, "propensity_model": None, "cate_model": None, "effect_modifiers": None, **FORMULAS, **BOOT, "n_bootstrap": 0, "n_folds": 2, "n_interval_bootstrap": 100},
    "TLearner": {"outcome_model": None, "propensity_model": None, "cate_model": None, "effect_modifiers": None, **FORMULAS, **BOOT, "n_bootstrap": 0, "n_folds": 2, "n_interval_bootstrap": 100},
    "XLearner": {"outcome_model": None, "propensity_model": None, "cate_model": None, "effect_modifiers": None, **FORMULAS, **BOOT, "n_bootstrap": 0, "n_folds": 2, "n_interval_bootstrap": 100},
    "DRLearner": {"outcome_model": None, "propensity_model": None, "cate_model": None, "effect_modifiers": None, **FORMULAS, "trim": 0.01,
                  "target": "ATE", **FOLDS},
    "Mediation": {"method": "auto", "interaction": False, "max_levels": 10, **BOOT},
    "PlugIn": {"treatment_values": None, "max_levels": 20, **BOOT},
    "FrontdoorLinear": dict(BOOT),
    "LinearDML": {"outcome_model": None, "treatment_model": None, "effect_modifiers": None, **FOLDS},
    "CausalForest": {"outcome_model": None, "treatment_model": None, "effect_modifiers": None, "n_estimators": 500, "min_samples_leaf": None,
                     "max_features": None, "max_depth": None, "sample_fraction": 0.5, "honesty_fraction": 0.5, "group_size": 4,
                     "trim": 0.01, **FOLDS},
}


def documented_parameters(cls: type) -> list[str]:
    """The names in the numpydoc ``Parameters`` section of the class docstring (``a, b : ...`` lines count each name)."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    match = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, flags=re.S | re.M)
    assert match, f"{cls.__name__} has no Parameters section"
    names: list[str] = []
    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            names += [n.strip() for n in line.split(":")[0].split(",") if n.strip()]
    return names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_defaults_are_the_documented_ones(cls: type) -> None:
    assert cls().get_params(deep=False) == {**COMMON, **DEFAULTS[cls.__name__]}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_docstring_documents_every_parameter_once(cls: type) -> None:
    documented = documented_parameters(cls)
    assert len(documented) == len(set(documented)), f"{cls.__name__} documents a parameter twice: {documented}"
    assert set(documented) == set(cls().get_params(deep=False))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_options_are_keyword_only(cls: type) -> None:
    params = inspect.signature(cls).parameters.values()
    assert all(p.kind is p.KEYWORD_ONLY for p in params)
    with pytest.raises(TypeError, match="positional"):
        cls(0.9)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_scikit_learn_contract(cls: type) -> None:
    est = cls()
    check_no_attributes_set_in_init(cls.__name__, est)
    check_parameters_default_constructible(cls.__name__, est)
    check_get_params_invariance(cls.__name__, est)
    check_set_params(cls.__name__, est)
    assert vars(est).keys() == est.get_params(deep=False).keys()  # __init__ stores its arguments and nothing else


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_clone_and_repr_keep_the_settings(cls: type) -> None:
    params = {"level": 0.9, "dropna": True}
    if "outcome_model" in cls().get_params() and cls.__name__ != "Standardization":
        params["outcome_model"] = LinearRegression(fit_intercept=False)
    if "propensity_model" in cls().get_params():
        params["propensity_model"] = LogisticRegression(C=0.5)
    est = cls(**params)
    copy = clone(est)
    assert copy is not est and copy.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    assert copy.level == 0.9 and copy.dropna is True
    for name in ("outcome_model", "propensity_model"):
        if name in params:
            assert getattr(copy, name) is not params[name] and getattr(copy, name).get_params() == params[name].get_params()
    assert repr(cls(level=0.9)) == f"{cls.__name__}(level=0.9)"
    assert est.set_params(level=0.8) is est and est.level == 0.8
    if "propensity_model" in params:
        est.set_params(propensity_model__C=2.0)
        assert est.propensity_model.C == 2.0


def test_a_subclass_declares_its_parameters_as_fields() -> None:
    class Scaled(CausalEstimator):
        """A toy: its one parameter is an annotated class attribute."""

        scale: float = 1.0

    assert inspect.signature(Scaled).parameters.keys() == {"level", "dropna", "scale"}
    assert Scaled(scale=2.0) != Scaled(scale=2.0)  # estimators compare by identity, as scikit-learn's do
    assert clone(Scaled(scale=2.0)).scale == 2.0

    class Handwritten(CausalEstimator):
        """An estimator written the scikit-learn way keeps its own ``__init__``."""

        def __init__(self, alpha: float = 1.0, level: float = 0.95) -> None:
            self.alpha = alpha
            self.level = level

    assert Handwritten(0.5).alpha == 0.5 and sorted(Handwritten().get_params()) == ["alpha", "level"]
