"""Heterogeneous effects: meta-learners and the uplift / Qini evaluation of a targeting score."""

from dagcore.estimators.cate.metalearners import DRLearner, SLearner, TLearner, XLearner
from dagcore.estimators.cate.uplift import Targeting, UpliftCurve, qini_curve, targeting, uplift_curve

__all__ = [
    "DRLearner",
    "SLearner",
    "TLearner",
    "Targeting",
    "UpliftCurve",
    "XLearner",
    "qini_curve",
    "targeting",
    "uplift_curve",
]
