"""Heterogeneous effects: meta-learners, LinearDML, the causal forest, heterogeneity tests and uplift evaluation."""

from dagcore.estimators.cate._base import CateEstimator
from dagcore.estimators.cate.dml import LinearDML
from dagcore.estimators.cate.forest import CausalForest
from dagcore.estimators.cate.heterogeneity import Heterogeneity, heterogeneity_tests
from dagcore.estimators.cate.metalearners import DRLearner, SLearner, TLearner, XLearner
from dagcore.estimators.cate.uplift import Targeting, UpliftCurve, gain_curve, qini_curve, targeting, uplift_curve

__all__ = [
    "CateEstimator",
    "CausalForest",
    "DRLearner",
    "Heterogeneity",
    "LinearDML",
    "SLearner",
    "TLearner",
    "Targeting",
    "UpliftCurve",
    "XLearner",
    "gain_curve",
    "heterogeneity_tests",
    "qini_curve",
    "targeting",
    "uplift_curve",
]
