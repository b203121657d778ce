"""Sensitivity to unobserved confounding: the E-value and omitted-variable-bias bounds."""

from dagcore.estimators.sensitivity.evalue import EValue, e_value, e_value_continuous
from dagcore.estimators.sensitivity.ovb import (
    BenchmarkBound,
    OVBSensitivity,
    benchmark_bound,
    bias_adjusted,
    ols_sensitivity,
    ovb_sensitivity,
    partial_r2,
    robustness_value,
)

__all__ = [
    "BenchmarkBound",
    "EValue",
    "OVBSensitivity",
    "benchmark_bound",
    "bias_adjusted",
    "e_value",
    "e_value_continuous",
    "ols_sensitivity",
    "ovb_sensitivity",
    "partial_r2",
    "robustness_value",
]
