"""Inverse probability weighting (Hájek)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import EstimatorError
from dagcore.estimators._data import design_frame
from dagcore.estimators.base import PropensityFormula
from dagcore.estimators.diagnostics import assess_overlap, effective_sample_size, standardized_mean_differences
from dagcore.estimators.result import Estimate

__all__ = ["IPW", "weighted_regression_sandwich"]


def weighted_regression_sandwich(y: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Coefficient of ``t`` in the weighted regression ``y ~ 1 + t`` and its HC0 sandwich SE.

    This is the GEE-robust standard error that Hernán & Robins report for IP
    weighting (it ignores the estimation of the weights, so it is conservative).
    """
    X = np.column_stack([np.ones_like(t), t])
    XtW = X.T * w
    bread = np.linalg.inv(XtW @ X)
    beta = bread @ (XtW @ y)
    resid = y - X @ beta
    meat = (X * (w * resid)[:, None]).T @ (X * (w * resid)[:, None])
    cov = bread @ meat @ bread
    return float(beta[1]), float(np.sqrt(cov[1, 1]))


class IPW(PropensityFormula):
    """Inverse probability weighting with Hájek (normalised) weights.

    Parameters
    ----------
    stabilized : bool
        Stabilised weights ``P(T = t) / P(T = t | Z)`` (same point estimate for the ATE).
    trim : float, optional
        Drop units with propensity outside ``[trim, 1 - trim]`` (the estimand then changes: reported).
    propensity_formula, propensity_model, allow_extra_variables :
        The propensity model, see :class:`~dagcore.estimators.base.PropensityFormula`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Notes
    -----
    SE: the sandwich (HC0) of the weighted regression of the outcome on the
    treatment, which equals the GEE robust SE of Hernán & Robins (2020, ch. 12).

    Examples
    --------
    A binary treatment confounded by ``z``, with a constant effect of 1.5:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(1); z = rng.normal(size=2000)
    >>> t = (rng.random(2000) < 1 / (1 + np.exp(-z))).astype(float)
    >>> df = pd.DataFrame({"z": z, "t": t, "y": 1.5 * t + z + rng.normal(size=2000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> round(IPW().fit(df, e).estimate_.value, 1)
    1.5
    """

    name = "ipw"
    strategies = ("backdoor", "randomized")

    stabilized: bool = False
    trim: float | None = None

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        prep, t, y, covs = self._propensity_inputs(data, estimand, estimator="IPW")
        df = prep.data
        X = design_frame(df, covs) if covs else pd.DataFrame(index=df.index)
        ps = self._propensity_scores(df, estimand.treatment[0], covs, design=X.to_numpy(dtype=float))
        overlap = assess_overlap(ps, t)
        notes = list(prep.notes)
        keep = np.ones(len(t), dtype=bool)
        if self.trim is not None:
            if not 0 < self.trim < 0.5:
                raise EstimatorError(f"trim must be between 0 and 0.5, got {self.trim}")
            keep = (ps >= self.trim) & (ps <= 1 - self.trim)
            notes.append(f"trimmed {int((~keep).sum())} units with propensity outside [{self.trim}, {1 - self.trim}]: the estimate is for the remaining population")
        t, y, ps = t[keep], y[keep], ps[keep]
        if t.min() == t.max():
            raise EstimatorError("after trimming only one treatment group is left")
        w = np.where(t == 1, 1 / ps, 1 / (1 - ps))
        if self.stabilized:
            p1 = t.mean()
            w = w * np.where(t == 1, p1, 1 - p1)
        value, se = weighted_regression_sandwich(y, t, w)
        X = X.loc[keep]
        diagnostics = {
            "propensity_overlap": overlap,
            "smd_before": standardized_mean_differences(X, t) if covs else {},
            "smd_after": standardized_mean_differences(X, t, w) if covs else {},
            "effective_sample_size": {"treated": effective_sample_size(w[t == 1]), "control": effective_sample_size(w[t == 0])},
            "max_weight": float(w.max()),
        }
        return self._result(
            estimand, value, se, int(keep.sum()),
            inference="sandwich (HC0) SE of the weighted regression = GEE robust SE (weights treated as known)",
            diagnostics=diagnostics, notes=notes,
        )
