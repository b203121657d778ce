"""Diagnostics shared by the estimators: covariate balance, propensity overlap, effective sample size."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import PositivityWarning

__all__ = ["standardized_mean_differences", "overlap_summary", "effective_sample_size"]


def standardized_mean_differences(X: pd.DataFrame, t: np.ndarray, weights: np.ndarray | None = None) -> dict[str, float]:
    """Standardized mean difference of each covariate between treated and untreated (pooled SD of the raw data).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    >>> standardized_mean_differences(X, np.array([0, 0, 1, 1]))
    {'a': 2.8284}
    """
    if X.shape[1] == 0:
        return {}
    A = X.to_numpy(dtype=float)
    w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype=float)
    treated = t == 1
    m1 = (w[treated] @ A[treated]) / w[treated].sum()
    m0 = (w[~treated] @ A[~treated]) / w[~treated].sum()
    sd = np.sqrt((A[treated].var(axis=0, ddof=1) + A[~treated].var(axis=0, ddof=1)) / 2)
    smd = np.divide(m1 - m0, sd, out=np.zeros_like(sd), where=sd > 0)
    return {str(col): round(float(v), 4) for col, v in zip(X.columns, smd)}


def overlap_summary(ps: np.ndarray, t: np.ndarray, *, threshold: float = 0.01) -> dict[str, Any]:
    """Range of propensity scores by group; warns (PositivityWarning) when some are within ``threshold`` of 0 or 1."""
    summary = {
        "treated_min": float(ps[t == 1].min()),
        "treated_max": float(ps[t == 1].max()),
        "control_min": float(ps[t == 0].min()),
        "control_max": float(ps[t == 0].max()),
        "n_extreme": int(((ps < threshold) | (ps > 1 - threshold)).sum()),
    }
    if summary["n_extreme"]:
        warnings.warn(
            f"{summary['n_extreme']} units have propensity scores within {threshold} of 0 or 1: weak overlap "
            "(positivity) makes weighting estimates unstable; consider trimming or a different estimand",
            PositivityWarning,
            stacklevel=3,
        )
    return summary


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``.

    Examples
    --------
    >>> effective_sample_size(np.array([1.0, 1.0, 2.0]))
    2.6667
    """
    return round(float(weights.sum() ** 2 / (weights**2).sum()), 4)
