"""Coverage of confidence intervals over simulated replicates, shared by the estimator tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dagcore import estimate


def ci_hits(methods: Sequence[str], estimand: Any, datasets: Iterable[Any], truth: float) -> dict[str, int]:
    """For each method, how many of the datasets give a confidence interval that contains ``truth``."""
    hits = dict.fromkeys(methods, 0)
    for data in datasets:
        for method in methods:
            lo, hi = estimate(estimand, data, method=method).ci
            hits[method] += lo <= truth <= hi
    return hits
