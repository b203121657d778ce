"""Refutation: refuters that perturb data or estimand, and local tests of the graph's implied independencies.

Modules: ``result`` (:class:`Refutation`, the value every refuter returns), ``_template`` (the one
run / verdict template every refuter goes through), ``_linear`` (the vectorised fast path for linear
estimates), ``refuters`` (the six refuters, each supplying only what it changes and how it judges),
``local`` (local tests of the graph's implied conditional independencies).
"""

from dagcore.estimators.refutation.local import LocalTest, LocalTests, adjust_pvalues, independence_test, local_tests
from dagcore.estimators.refutation.refuters import (
    REFUTERS,
    refute,
    refute_bootstrap,
    refute_data_subset,
    refute_dummy_outcome,
    refute_placebo_treatment,
    refute_random_common_cause,
    refute_unobserved_common_cause,
)
from dagcore.estimators.refutation.result import Refutation

__all__ = [
    "LocalTest",
    "LocalTests",
    "REFUTERS",
    "Refutation",
    "adjust_pvalues",
    "independence_test",
    "local_tests",
    "refute",
    "refute_bootstrap",
    "refute_data_subset",
    "refute_dummy_outcome",
    "refute_placebo_treatment",
    "refute_random_common_cause",
    "refute_unobserved_common_cause",
]
