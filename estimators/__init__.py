"""Estimation and refutation: from an :class:`~dagcore.Estimand` and a DataFrame to an estimate.

Installed as ``dagcore.estimators``. Public names are imported lazily (like
:mod:`dagcore`'s), so that ``import dagcore.estimators.base`` does not pay for
every estimator, and graph-only work never loads pandas, statsmodels or
scikit-learn.

Subpackages: ``backdoor`` (adjustment-set estimators), ``cate`` (heterogeneous
effects), ``experiments`` (randomized designs), ``refutation``, ``sensitivity``,
``report`` (the ``analyze`` pipeline); modules ``iv``, ``frontdoor``,
``plugin``, ``mediation`` serve the other identification strategies.
"""

from __future__ import annotations

from dagcore._lazy import lazy_exports

# name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Estimate": "dagcore.estimators.result",
    "estimate": "dagcore.estimators.registry",
    "OutcomeRegression": "dagcore.estimators.backdoor.regression",
    "Standardization": "dagcore.estimators.backdoor.regression",
    "IPW": "dagcore.estimators.backdoor.weighting",
    "AIPW": "dagcore.estimators.backdoor.doubly_robust",
    "DoubleML": "dagcore.estimators.backdoor.dml",
    "GEstimation": "dagcore.estimators.backdoor.g_estimation",
    "DRLearner": "dagcore.estimators.cate.metalearners",
    "CausalForest": "dagcore.estimators.cate.forest",
    "LinearDML": "dagcore.estimators.cate.dml",
    "heterogeneity_tests": "dagcore.estimators.cate.heterogeneity",
    "gain_curve": "dagcore.estimators.cate.uplift",
    "SLearner": "dagcore.estimators.cate.metalearners",
    "TLearner": "dagcore.estimators.cate.metalearners",
    "XLearner": "dagcore.estimators.cate.metalearners",
    "Stratification": "dagcore.estimators.backdoor.stratification",
    "Matching": "dagcore.estimators.backdoor.matching",
    "DifferenceInMeans": "dagcore.estimators.experiments.difference_in_means",
    "TwoStageLeastSquares": "dagcore.estimators.iv",
    "FrontdoorLinear": "dagcore.estimators.frontdoor",
    "PlugIn": "dagcore.estimators.plugin",
    "Mediation": "dagcore.estimators.mediation",
    "power": "dagcore.estimators.experiments.design",
    "sample_size": "dagcore.estimators.experiments.design",
    "mde": "dagcore.estimators.experiments.design",
    "Design": "dagcore.estimators.experiments.design",
    "analyze_experiment": "dagcore.estimators.experiments.readout",
    "ExperimentReadout": "dagcore.estimators.experiments.readout",
    "sample_ratio_check": "dagcore.estimators.experiments.health",
    "false_positive_rate": "dagcore.estimators.experiments.health",
    "experiment_html": "dagcore.estimators.report.experiment",
    "methods_for": "dagcore.estimators.registry",
    "qini_curve": "dagcore.estimators.cate.uplift",
    "targeting": "dagcore.estimators.cate.uplift",
    "uplift_curve": "dagcore.estimators.cate.uplift",
    "Analysis": "dagcore.estimators.report.analysis",
    "LocalTests": "dagcore.estimators.refutation.local",
    "OVBSensitivity": "dagcore.estimators.sensitivity.ovb",
    "Refutation": "dagcore.estimators.refutation.refuters",
    "analyze": "dagcore.estimators.report.analysis",
    "e_value": "dagcore.estimators.sensitivity.evalue",
    "load_spec": "dagcore.estimators.report.spec",
    "local_tests": "dagcore.estimators.refutation.local",
    "ols_sensitivity": "dagcore.estimators.sensitivity.ovb",
    "refute": "dagcore.estimators.refutation.refuters",
    "Overlap": "dagcore.estimators.result",
    "Problem": "dagcore.estimators.report.problems",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
