"""Randomized experiments: design (sample size, power, MDE, duration), readout, health checks.

* :mod:`.design`: :func:`sample_size`, :func:`power`, :func:`mde` for rates, means and ratio metrics;
* :mod:`.readout`: :func:`analyze_experiment`, every arm against control on every metric;
* :mod:`.comparisons`: one arm against control on one metric (Welch/Neyman, Newcombe, delta method, Lin/CUPED);
* :mod:`.health`: sample-ratio mismatch, pre-period balance, peeking;
* :mod:`.heterogeneity`: the readout's CATE section (``cate=``);
* :mod:`.difference_in_means`: the estimator the registry uses for a randomized estimand.
"""

from dagcore.estimators.experiments.design import Design, mde, power, sample_size
from dagcore.estimators.experiments.difference_in_means import DifferenceInMeans
from dagcore.estimators.experiments.health import false_positive_rate, sample_ratio_check
from dagcore.estimators.experiments.readout import ExperimentReadout, analyze_experiment

__all__ = [
    "Design",
    "DifferenceInMeans",
    "ExperimentReadout",
    "analyze_experiment",
    "false_positive_rate",
    "mde",
    "power",
    "sample_ratio_check",
    "sample_size",
]
