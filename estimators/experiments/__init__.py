"""Randomized experiments: the difference in means and the power / sample-size design."""

from dagcore.estimators.experiments.design import power, sample_size
from dagcore.estimators.experiments.difference_in_means import DifferenceInMeans

__all__ = [
    "DifferenceInMeans",
    "power",
    "sample_size",
]
