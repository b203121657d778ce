"""Shared pytest configuration: hypothesis profiles, and the fixtures several test files use."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def _ci_hits(estimand: Any, datasets: Iterable[Any], methods: Iterable[str], truth: float) -> dict[str, int]:
    """For each method, in how many of ``datasets`` its confidence interval for ``estimand`` covers ``truth``."""
    from dagcore import estimate

    hits = dict.fromkeys(methods, 0)
    for data in datasets:
        for method in hits:
            e = estimate(estimand, data, method=method)
            hits[method] += e.ci[0] <= truth <= e.ci[1]
    return hits


@pytest.fixture(scope="session")
def ci_hits() -> Callable[[Any, Iterable[Any], Iterable[str], float], dict[str, int]]:
    """The coverage count of the fixed-seed coverage tests: ``ci_hits(estimand, datasets, methods, truth)``."""
    return _ci_hits
