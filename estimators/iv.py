"""Instrumental variables: two-stage least squares (the Wald ratio without covariates)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError, WeakInstrumentWarning
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
    covariates : sequence of str, optional
        Precision covariates added to both stages beside the estimand's own
        conditioning set (often empty when the instrument is valid
        unconditionally, as in a randomized encouragement). They must not
        descend from the treatment (a mediator or a collider would bias the
        estimate), and with them the instrument must stay valid
        (:func:`dagcore.is_instrument` given the whole set: conditioning on a
        common effect of the instrument and a confounder would open a path);
        both are checked on the estimand's graph, and an estimand without a
        graph gets a warning that they could not be.
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

    covariates: Sequence[str] | None = None

    def _precision_covariates(self, estimand: Any, instruments: list[str], given: list[str]) -> list[str]:
        """The user's precision covariates, checked on the graph: non-descendants of the treatment that keep every instrument valid."""
        if self.covariates is None:
            return []
        covs = [self.covariates] if isinstance(self.covariates, str) else list(self.covariates)
        if not all(isinstance(c, str) for c in covs):
            raise EstimatorError(f"covariates must be column names, got {self.covariates!r}")
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        clash = [c for c in covs if c in (t_name, y_name, *instruments)]
        if clash:
            raise EstimatorError(f"covariates cannot include the treatment, the outcome or an instrument ({clash[0]!r})")
        graph = getattr(estimand, "graph", None)
        if graph is None:
            self._warn(f"covariates {covs} could not be checked (the estimand carries no graph): "
                       "they must not be affected by the treatment, nor break the instrument's validity")
            return sorted(set(covs))
        from dagcore.identification import is_instrument

        unknown = [c for c in covs if c not in graph]
        if unknown:
            raise EstimatorError(f"covariate {unknown[0]!r} is not a node of the graph; add it (with its causes and effects) to check it")
        descendants = set(graph.descendants(t_name))
        bad = [c for c in covs if c in descendants]
        if bad:
            raise EstimatorError(
                f"covariate {bad[0]!r} is a descendant of the treatment {t_name!r}: adjusting for it would bias "
                "the instrumental-variable estimate (it may be a mediator or a collider); precision covariates must be non-descendants"
            )
        for z in instruments:
            check = is_instrument(graph, z, t_name, y_name, given=sorted(set(given) | set(covs)))
            if not check:
                raise EstimatorError(f"with the covariates {sorted(covs)}, {z!r} is no longer a valid instrument: {check.reason}")
        return sorted(set(covs))

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        instruments = sorted(estimand.instruments or ())
        if not instruments:
            raise DataError("the estimand names no instrument")
        given = sorted(estimand.adjustment_set or ())
        precision = self._precision_covariates(estimand, instruments, given)
        covs = sorted(set(given) | set(precision))
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
                diagnostics={"first_stage_F": float(f_stat), "instruments": instruments, "covariates": covs,
                             "precision_covariates": precision},
                notes=prep.notes,
            )
