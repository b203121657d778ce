"""Estimators for a back-door (adjustment-set) estimand: regression, standardization, weighting, AIPW, double ML, g-estimation, matching, stratification."""

from dagcore.estimators.backdoor.dml import DoubleML
from dagcore.estimators.backdoor.doubly_robust import AIPW
from dagcore.estimators.backdoor.g_estimation import GEstimation
from dagcore.estimators.backdoor.matching import Matching
from dagcore.estimators.backdoor.regression import (
    OutcomeRegression,
    Standardization,
    default_formula,
    interacted_formula,
)
from dagcore.estimators.backdoor.stratification import Stratification
from dagcore.estimators.backdoor.weighting import IPW, weighted_regression_sandwich

__all__ = [
    "AIPW",
    "DoubleML",
    "GEstimation",
    "IPW",
    "Matching",
    "OutcomeRegression",
    "Standardization",
    "Stratification",
    "default_formula",
    "interacted_formula",
    "weighted_regression_sandwich",
]
