"""Refutation: refuters that perturb data or estimand, and local tests of the graph's implied independencies."""

from dagcore.estimators.refutation.local import LocalTest, LocalTests, adjust_pvalues, independence_test, local_tests
from dagcore.estimators.refutation.refuters import (
    REFUTERS,
    Refutation,
    refute,
    refute_bootstrap,
    refute_data_subset,
    refute_dummy_outcome,
    refute_placebo_treatment,
    refute_random_common_cause,
    refute_unobserved_common_cause,
)

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
