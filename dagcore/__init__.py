"""dagcore: graph-first causal reasoning.

Write the causal assumptions as a ``.dag`` file, ask the graph questions
(roles, paths, adjustment sets, identification), estimate the identified
effect on a DataFrame, refute it, and write an audit report.

Public names are imported lazily, so ``import dagcore`` stays fast and graph
work never loads pandas or scikit-learn.
"""

from __future__ import annotations

from dagcore._lazy import lazy_exports

__version__ = "0.1.0"

# name -> module that defines it. One block per layer; keep each block sorted.
_EXPORTS: dict[str, str] = {
    # errors and warnings
    "DagcoreError": "dagcore.errors",
    "DagSyntaxError": "dagcore.errors",
    "GraphError": "dagcore.errors",
    "GraphClassError": "dagcore.errors",
    "CycleError": "dagcore.errors",
    "NodeNameError": "dagcore.errors",
    "NodeNotFoundError": "dagcore.errors",
    "UnknownArgumentError": "dagcore.errors",
    "DataError": "dagcore.errors",
    "SeparationError": "dagcore.errors",
    "NotIdentifiableError": "dagcore.errors",
    "HedgeError": "dagcore.errors",
    "EstimatorError": "dagcore.errors",
    "GraphvizNotFoundError": "dagcore.errors",
    "OutputPathError": "dagcore.errors",
    "DesignError": "dagcore.errors",
    "AmbiguousEffectError": "dagcore.errors",
    "SpecError": "dagcore.errors",
    "DagcoreWarning": "dagcore.errors",
    "PositivityWarning": "dagcore.errors",
    "WeakInstrumentWarning": "dagcore.errors",
    "PostTreatmentWarning": "dagcore.errors",
    "LayoutWarning": "dagcore.errors",
    "SampleRatioMismatchWarning": "dagcore.errors",
    "PeekingWarning": "dagcore.errors",
    "ConstantEffectWarning": "dagcore.errors",
    # graph model
    "ADMG": "dagcore.graph",
    "CausalGraph": "dagcore.graph",
    "Estimand": "dagcore.estimand",
    "MAG": "dagcore.marked",
    "MixedGraph": "dagcore.marked",
    "PAG": "dagcore.marked",
    "PDAG": "dagcore.marked",
    "UndirectedGraph": "dagcore.marked",
    "cpdag": "dagcore.equivalence",
    "equivalent_dags": "dagcore.equivalence",
    "m_separated": "dagcore.equivalence",
    "orient": "dagcore.equivalence",
    "to_mag": "dagcore.equivalence",
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
    "d_connected": "dagcore.structure.dseparation",
    "d_separated": "dagcore.structure.dseparation",
    "minimal_d_separator": "dagcore.structure.dseparation",
    "Independence": "dagcore.structure.independencies",
    "implied_independencies": "dagcore.structure.independencies",
    "Path": "dagcore.structure.path_search",
    "paths": "dagcore.structure.path_search",
    "Role": "dagcore.structure.role_table",
    "RoleTable": "dagcore.structure.role_table",
    "roles": "dagcore.structure.role_table",
    "render": "dagcore.rendering",
    # end structure

    # identification
    "AdjustmentCheck": "dagcore.identification.adjustment",
    "adjustment_sets": "dagcore.identification.adjustment",
    "canonical_adjustment_set": "dagcore.identification.adjustment",
    "forbidden_nodes": "dagcore.identification.adjustment",
    "is_adjustment_set": "dagcore.identification.adjustment",
    "is_backdoor_set": "dagcore.identification.adjustment",
    "minimal_adjustment_set": "dagcore.identification.adjustment",
    "minimum_adjustment_set": "dagcore.identification.adjustment",
    "optimal_adjustment_set": "dagcore.identification.adjustment",
    "proper_causal_nodes": "dagcore.identification.adjustment",
    "FrontdoorCheck": "dagcore.identification.frontdoor",
    "find_frontdoor_set": "dagcore.identification.frontdoor",
    "frontdoor_sets": "dagcore.identification.frontdoor",
    "is_frontdoor_set": "dagcore.identification.frontdoor",
    "InstrumentCheck": "dagcore.identification.instrumental",
    "instruments": "dagcore.identification.instrumental",
    "is_instrument": "dagcore.identification.instrumental",
    "identify_effect": "dagcore.identification.id_algorithm",
    "Expression": "dagcore.identification.expressions",
    "P": "dagcore.identification.expressions",
    "Sum": "dagcore.identification.expressions",
    "Product": "dagcore.identification.expressions",
    "Fraction": "dagcore.identification.expressions",
    "JointDistribution": "dagcore.identification.expressions",
    "backdoor_formula": "dagcore.identification.expressions",
    "evaluate": "dagcore.identification.expressions",
    "frontdoor_formula": "dagcore.identification.expressions",
    "simplify": "dagcore.identification.expressions",
    "identify": "dagcore.identification.strategy",
    "MediationCheck": "dagcore.identification.mediation",
    "check_mediation_set": "dagcore.identification.mediation",
    "identify_mediation": "dagcore.identification.mediation",
    "mediation_covariates": "dagcore.identification.mediation",
    "Conditioning": "dagcore.identification.conditioning",
    "selection_reason": "dagcore.identification.conditioning",
    "no_adjustment_reason": "dagcore.identification.adjustment_reasons",
    # end identification

    # estimation (dagcore.estimators, lazy)
    "Estimate": "dagcore.estimators",
    "estimate": "dagcore.estimators",
    "OutcomeRegression": "dagcore.estimators",
    "Standardization": "dagcore.estimators",
    "IPW": "dagcore.estimators",
    "AIPW": "dagcore.estimators",
    "DoubleML": "dagcore.estimators",
    "GEstimation": "dagcore.estimators",
    "DRLearner": "dagcore.estimators",
    "CausalForest": "dagcore.estimators",
    "LinearDML": "dagcore.estimators",
    "heterogeneity_tests": "dagcore.estimators",
    "gain_curve": "dagcore.estimators",
    "SLearner": "dagcore.estimators",
    "TLearner": "dagcore.estimators",
    "XLearner": "dagcore.estimators",
    "Stratification": "dagcore.estimators",
    "Matching": "dagcore.estimators",
    "DifferenceInMeans": "dagcore.estimators",
    "TwoStageLeastSquares": "dagcore.estimators",
    "FrontdoorLinear": "dagcore.estimators",
    "PlugIn": "dagcore.estimators",
    "Mediation": "dagcore.estimators",
    "power": "dagcore.estimators",
    "sample_size": "dagcore.estimators",
    "mde": "dagcore.estimators",
    "Design": "dagcore.estimators",
    "analyze_experiment": "dagcore.estimators",
    "ExperimentReadout": "dagcore.estimators",
    "sample_ratio_check": "dagcore.estimators",
    "false_positive_rate": "dagcore.estimators",
    "experiment_html": "dagcore.estimators",
    "methods_for": "dagcore.estimators",
    "qini_curve": "dagcore.estimators",
    "targeting": "dagcore.estimators",
    "uplift_curve": "dagcore.estimators",
    # end estimation

    # refutation and report
    "Analysis": "dagcore.estimators",
    "LocalTests": "dagcore.estimators",
    "OVBSensitivity": "dagcore.estimators",
    "Refutation": "dagcore.estimators",
    "analyze": "dagcore.estimators",
    "e_value": "dagcore.estimators",
    "load_spec": "dagcore.estimators",
    "local_tests": "dagcore.estimators",
    "ols_sensitivity": "dagcore.estimators",
    "refute": "dagcore.estimators",
    # end refutation
}

__all__ = sorted(["__version__", *_EXPORTS])

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
