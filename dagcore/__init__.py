"""dagcore: graph-first causal reasoning.

Write the causal assumptions as a ``.dag`` file, ask the graph questions
(roles, paths, adjustment sets, identification), estimate the identified
effect on a DataFrame, refute it, and write an audit report.

Public names are imported lazily, so ``import dagcore`` stays fast and graph
work never loads pandas or scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it. One block per layer; keep each block sorted.
_EXPORTS: dict[str, str] = {
    # errors and warnings
    "DagcoreError": "dagcore.errors",
    "DagSyntaxError": "dagcore.errors",
    "GraphError": "dagcore.errors",
    "CycleError": "dagcore.errors",
    "NodeNotFoundError": "dagcore.errors",
    "DataError": "dagcore.errors",
    "NotIdentifiableError": "dagcore.errors",
    "EstimatorError": "dagcore.errors",
    "GraphvizNotFoundError": "dagcore.errors",
    "DagcoreWarning": "dagcore.errors",
    "PositivityWarning": "dagcore.errors",
    "WeakInstrumentWarning": "dagcore.errors",
    "PostTreatmentWarning": "dagcore.errors",
    # graph model
    "ADMG": "dagcore.graph",
    "CausalGraph": "dagcore.graph",
    "Estimand": "dagcore.estimand",
    # end graph model

    # language (dagcore.grammar)
    "dump": "dagcore.grammar",
    "dumps": "dagcore.grammar",
    "from_dot": "dagcore.grammar",
    "from_gml": "dagcore.grammar",
    "from_json": "dagcore.grammar",
    "load": "dagcore.grammar",
    "parse": "dagcore.grammar",
    "to_dagitty": "dagcore.grammar",
    "to_dot": "dagcore.grammar",
    "to_gml": "dagcore.grammar",
    "to_json": "dagcore.grammar",
    # end language

    # structure
    "d_connected": "dagcore.dseparation",
    "d_separated": "dagcore.dseparation",
    "minimal_d_separator": "dagcore.dseparation",
    "Independence": "dagcore.independencies",
    "implied_independencies": "dagcore.independencies",
    "Path": "dagcore.paths",
    "paths": "dagcore.paths",
    "Role": "dagcore.roles",
    "RoleTable": "dagcore.roles",
    "roles": "dagcore.roles",
    "render": "dagcore.render",
    # end structure

    # identification
    "AdjustmentCheck": "dagcore.adjustment",
    "adjustment_sets": "dagcore.adjustment",
    "canonical_adjustment_set": "dagcore.adjustment",
    "forbidden_nodes": "dagcore.adjustment",
    "is_adjustment_set": "dagcore.adjustment",
    "is_backdoor_set": "dagcore.adjustment",
    "minimal_adjustment_set": "dagcore.adjustment",
    "minimum_adjustment_set": "dagcore.adjustment",
    "optimal_adjustment_set": "dagcore.adjustment",
    "proper_causal_nodes": "dagcore.adjustment",
    "FrontdoorCheck": "dagcore.frontdoor",
    "find_frontdoor_set": "dagcore.frontdoor",
    "frontdoor_sets": "dagcore.frontdoor",
    "is_frontdoor_set": "dagcore.frontdoor",
    "InstrumentCheck": "dagcore.instruments",
    "instruments": "dagcore.instruments",
    "is_instrument": "dagcore.instruments",
    "HedgeError": "dagcore.id_algorithm",
    "identify_effect": "dagcore.id_algorithm",
    "Expression": "dagcore.expressions",
    "P": "dagcore.expressions",
    "Sum": "dagcore.expressions",
    "Product": "dagcore.expressions",
    "Fraction": "dagcore.expressions",
    "JointDistribution": "dagcore.expressions",
    "backdoor_formula": "dagcore.expressions",
    "evaluate": "dagcore.expressions",
    "frontdoor_formula": "dagcore.expressions",
    "simplify": "dagcore.expressions",
    "identify": "dagcore.identify",
    "MediationCheck": "dagcore.mediation",
    "check_mediation_set": "dagcore.mediation",
    "identify_mediation": "dagcore.mediation",
    "mediation_covariates": "dagcore.mediation",
    # end identification

    # estimation (dagcore.estimators, lazy)
    "Estimate": "dagcore.estimators.estimate",
    "estimate": "dagcore.estimators.api",
    "OutcomeRegression": "dagcore.estimators.regression",
    "Standardization": "dagcore.estimators.regression",
    "IPW": "dagcore.estimators.weighting",
    "AIPW": "dagcore.estimators.doubly_robust",
    "DoubleML": "dagcore.estimators.dml",
    "DRLearner": "dagcore.estimators.metalearners",
    "SLearner": "dagcore.estimators.metalearners",
    "TLearner": "dagcore.estimators.metalearners",
    "XLearner": "dagcore.estimators.metalearners",
    "Stratification": "dagcore.estimators.stratification",
    "Matching": "dagcore.estimators.matching",
    "DifferenceInMeans": "dagcore.estimators.randomized",
    "TwoStageLeastSquares": "dagcore.estimators.iv",
    "FrontdoorLinear": "dagcore.estimators.frontdoor_estimators",
    "PlugIn": "dagcore.estimators.plugin",
    "Mediation": "dagcore.estimators.mediation_estimators",
    "power": "dagcore.estimators.power",
    "sample_size": "dagcore.estimators.power",
    "methods_for": "dagcore.estimators.registry",
    "qini_curve": "dagcore.estimators.uplift",
    "targeting": "dagcore.estimators.uplift",
    "uplift_curve": "dagcore.estimators.uplift",
    # end estimation

    # refutation and report
    "Analysis": "dagcore.estimators.analysis",
    "LocalTests": "dagcore.estimators.local_tests",
    "OVBSensitivity": "dagcore.estimators.sensitivity",
    "Refutation": "dagcore.estimators.refute",
    "analyze": "dagcore.estimators.analysis",
    "e_value": "dagcore.estimators.sensitivity",
    "local_tests": "dagcore.estimators.local_tests",
    "ols_sensitivity": "dagcore.estimators.sensitivity",
    "refute": "dagcore.estimators.refute",
    # end refutation
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dagcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
