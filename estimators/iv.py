"""Instrumental variables: two-stage least squares (the Wald ratio without covariates)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, WeakInstrumentWarning
from dagcore.estimators._data import design_matrix, prepare
from dagcore.estimators.base import CausalEstimator
from dagcore.estimators.result import Estimate

__all__ = ["TwoStageLeastSquares"]


class TwoStageLeastSquares(CausalEstimator):
    """2SLS with the estimand's covariates and HC0-robust standard errors; the first-stage F is reported.

    With one instrument and no covariates this is the Wald ratio
    ``Cov(Z, Y) / Cov(Z, X)``. A first-stage F below 10 raises a
    :class:`~dagcore.WeakInstrumentWarning`.

    Parameters
    ----------
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    ``u`` confounds ``x`` and ``y``; the instrument ``z`` moves only ``x``:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(3); n = 5000; u = rng.normal(size=n); z = rng.normal(size=n)
    >>> x = z + u + rng.normal(size=n); y = 2 * x + 2 * u + rng.normal(size=n)
    >>> e = Estimand(treatment=("x",), outcome=("y",), strategy="iv", instruments={"z"})
    >>> est = TwoStageLeastSquares().fit(pd.DataFrame({"z": z, "x": x, "y": y}), e).estimate_
    >>> round(est.value, 1), est.diagnostics["first_stage_F"] > 10
    (2.0, True)
    """

    name = "2sls"
    strategies = ("iv",)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        instruments = sorted(estimand.instruments or ())
        if not instruments:
            raise DataError("the estimand names no instrument")
        covs = sorted(estimand.adjustment_set or ())
        prep = prepare(data, t_name, y_name, covs, extra=instruments, dropna=self.dropna)
        df = prep.data
        n = len(df)
        W = np.column_stack([np.ones(n), design_matrix(df, covs)])
        Z = np.column_stack([W, design_matrix(df, instruments)])
        x = df[t_name].to_numpy(dtype=float)
        y = df[y_name].to_numpy(dtype=float)
        X = np.column_stack([x, W])
        # first stage
        coef_fs, *_ = np.linalg.lstsq(Z, x, rcond=None)
        x_hat = Z @ coef_fs
        rss_full = float(((x - x_hat) ** 2).sum())
        coef_r, *_ = np.linalg.lstsq(W, x, rcond=None)
        rss_restricted = float(((x - W @ coef_r) ** 2).sum())
        k = len(instruments)
        dof = n - Z.shape[1]
        f_stat = ((rss_restricted - rss_full) / k) / (rss_full / dof) if rss_full > 0 else float("inf")
        if f_stat < 10:
            self._warn(f"weak instrument: first-stage F = {f_stat:.1f} < 10; the 2SLS estimate is biased toward OLS and its CI unreliable", WeakInstrumentWarning)
        # second stage
        X_hat = np.column_stack([x_hat, W])
        bread = np.linalg.inv(X_hat.T @ X_hat)
        beta = bread @ X_hat.T @ y
        resid = y - X @ beta
        meat = (X_hat * resid[:, None]).T @ (X_hat * resid[:, None])
        cov = bread @ meat @ bread
        value, se = float(beta[0]), float(np.sqrt(cov[0, 0]))
        binary = set(np.unique(x).tolist()) <= {0.0, 1.0}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._result(
                estimand, value, se, n,
                inference="2SLS with HC0 robust standard errors",
                target="LATE" if binary else "ATE per unit of treatment (linear model)",
                diagnostics={"first_stage_F": float(f_stat), "instruments": instruments, "covariates": covs},
                notes=prep.notes,
            )
