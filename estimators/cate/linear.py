"""A linear CATE ``tau(v) = [1, v] beta`` with the sandwich covariance of ``beta`` and its coefficient table.

Both linear final stages use it: :class:`~dagcore.estimators.cate.dml.LinearDML`
(residual-on-residual least squares, ``Y~ = (T~ [1, V]) beta + e``) and the
:class:`~dagcore.DRLearner` with its default least-squares final stage
(doubly robust pseudo-outcomes on ``[1, V]``). The fit is statsmodels' OLS;
the covariance is heteroskedasticity-robust (HC1), so the pointwise interval
of ``tau(v)`` is ``[1, v] beta ± z sqrt([1, v] Σ [1, v]')``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CoefficientTable", "LinearCate", "fit_linear_cate"]


@dataclass(frozen=True, eq=False)
class CoefficientTable:
    """Coefficients of a linear CATE: ``tau(v) = intercept + sum_j coef_j v_j``.

    Attributes
    ----------
    names : tuple of str
        ``"intercept"`` then the modifier columns.
    coef, se, lower, upper, pvalue : ndarray
        Estimate, sandwich (HC1) SE, Wald interval at ``level`` and two-sided p-value.
    level : float
    """

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    pvalue: np.ndarray
    level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: ``coef``, ``se``, ``lower``, ``upper``, ``p``."""
        return pd.DataFrame(
            {"coef": self.coef, "se": self.se, "lower": self.lower, "upper": self.upper, "p": self.pvalue},
            index=pd.Index(self.names, name="term"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data: one mapping per coefficient."""
        return {
            "level": self.level,
            "coefficients": [
                {"term": n, "coef": float(c), "se": float(s), "lower": float(lo), "upper": float(hi), "p": float(p)}
                for n, c, s, lo, hi, p in zip(self.names, self.coef, self.se, self.lower, self.upper, self.pvalue)
            ],
        }


@dataclass(frozen=True, eq=False)
class LinearCate:
    """A fitted linear CATE: coefficients ``beta`` on ``[1, V]`` and their covariance."""

    beta: np.ndarray
    cov: np.ndarray
    names: tuple[str, ...]

    def predict(self, V: np.ndarray) -> np.ndarray:
        """``tau(v)`` for each row of ``V``."""
        return np.asarray(self.beta[0] + V @ self.beta[1:], dtype=float)

    def se(self, V: np.ndarray) -> np.ndarray:
        """Pointwise SE of ``tau(v)``: ``sqrt([1, v] Σ [1, v]')``."""
        Z = np.column_stack([np.ones(len(V)), V])
        return np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Z, self.cov, Z), 0.0))

    def interval(self, V: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Wald interval of ``tau(v)`` at ``level``."""
        z = float(stats.norm.ppf(0.5 + level / 2))
        mid, half = self.predict(V), z * self.se(V)
        return mid - half, mid + half

    def table(self, level: float) -> CoefficientTable:
        """The coefficient table at ``level``."""
        se = np.sqrt(np.maximum(np.diag(self.cov), 0.0))
        z = float(stats.norm.ppf(0.5 + level / 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.norm.sf(np.abs(self.beta / se))
        return CoefficientTable(self.names, self.beta.copy(), se, self.beta - z * se, self.beta + z * se, p, level)


def fit_linear_cate(V: np.ndarray, names: list[str], target: np.ndarray, scale: np.ndarray | None = None) -> LinearCate:
    """Least squares of ``target`` on ``scale * [1, V]`` (no other intercept), HC1 sandwich covariance.

    ``scale`` is the treatment residual for LinearDML (``Y~`` on ``T~ [1, V]``);
    None (a column of ones) for the DR-learner's pseudo-outcomes.

    Examples
    --------
    >>> rng = np.random.default_rng(0); v = rng.normal(size=(4000, 1))
    >>> fit = fit_linear_cate(v, ["x"], 1 + 2 * v[:, 0] + rng.normal(size=4000))
    >>> np.round(fit.beta, 1).tolist(), fit.names
    ([1.0, 2.0], ('intercept', 'x'))
    """
    import statsmodels.api as sm

    Z = np.column_stack([np.ones(len(V)), V])
    X = Z if scale is None else Z * scale[:, None]
    res = sm.OLS(target, X).fit(cov_type="HC1")
    return LinearCate(np.asarray(res.params, dtype=float), np.asarray(res.cov_params(), dtype=float), ("intercept", *names))
