"""Identification: adjustment sets, front-door, instruments, mediation, the ID algorithm and :func:`identify`.

Built on :mod:`dagcore.structure`; never imports the estimation layer. Every graph function
also takes a plain ``networkx.DiGraph``, with roles as keywords (``exposure=``, ``outcome=``,
``latent=``) or node attributes (see :func:`dagcore.graph.as_causal_graph`).
"""

from dagcore.identification import generalized as _generalized  # noqa: F401  (registers adjustment for PDAG, MAG and PAG)
from dagcore.identification.adjustment import (
    AdjustmentCheck,
    adjustment_sets,
    canonical_adjustment_set,
    forbidden_nodes,
    is_adjustment_set,
    is_backdoor_set,
    minimal_adjustment_set,
    minimum_adjustment_set,
    optimal_adjustment_set,
    proper_causal_nodes,
)
from dagcore.identification.adjustment_reasons import no_adjustment_reason
from dagcore.identification.conditioning import Conditioning, selection_reason
from dagcore.identification.expressions import (
    Expression,
    Fraction,
    JointDistribution,
    P,
    Product,
    Sum,
    backdoor_formula,
    evaluate,
    frontdoor_formula,
    rename_bound,
    simplify,
)
from dagcore.identification.frontdoor import FrontdoorCheck, find_frontdoor_set, frontdoor_sets, is_frontdoor_set
from dagcore.identification.id_algorithm import identify_effect
from dagcore.identification.instrumental import InstrumentCheck, instruments, is_instrument
from dagcore.identification.mediation import (
    MediationCheck,
    check_mediation_set,
    identify_mediation,
    mediation_covariates,
)
from dagcore.identification.strategy import identify

__all__ = [
    "AdjustmentCheck",
    "Conditioning",
    "Expression",
    "Fraction",
    "FrontdoorCheck",
    "InstrumentCheck",
    "JointDistribution",
    "MediationCheck",
    "P",
    "Product",
    "Sum",
    "adjustment_sets",
    "backdoor_formula",
    "canonical_adjustment_set",
    "check_mediation_set",
    "evaluate",
    "find_frontdoor_set",
    "forbidden_nodes",
    "frontdoor_formula",
    "frontdoor_sets",
    "identify",
    "identify_effect",
    "identify_mediation",
    "instruments",
    "is_adjustment_set",
    "is_backdoor_set",
    "is_frontdoor_set",
    "is_instrument",
    "mediation_covariates",
    "no_adjustment_reason",
    "minimal_adjustment_set",
    "minimum_adjustment_set",
    "optimal_adjustment_set",
    "proper_causal_nodes",
    "rename_bound",
    "selection_reason",
    "simplify",
]
