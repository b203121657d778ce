"""The refuters' vectorised fast path for linear-regression estimates.

When an estimate is the treatment coefficient of ``Y ~ 1 + D + X`` (checked
on the original data), every replicate of a refuter can be solved at once
with numpy instead of refitting the estimator replicate by replicate. The
template in :mod:`dagcore.estimators.refutation._template` also checks one
replicate against the real estimator before trusting these numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from dagcore.errors import DataError
from dagcore.estimators._data import design_matrix

__all__ = ["Linear", "close", "design", "residualise", "with_intercept"]


def design(data: Any, columns: Iterable[str]) -> np.ndarray:
    """Numeric design matrix (no intercept): :func:`~dagcore.estimators._data.design_matrix`, errors as DataError.

    Examples
    --------
    >>> import pandas as pd
    >>> design(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]}), ["a", "b"]).tolist()
    [[1.0, 0.0], [2.0, 1.0], [3.0, 0.0]]
    """
    cols = list(columns)
    try:
        return design_matrix(data, cols)
    except (TypeError, ValueError) as err:
        raise DataError(f"cannot build a numeric design from {', '.join(cols)}: {err}") from None


def with_intercept(X: np.ndarray) -> np.ndarray:
    """``X`` with a leading column of ones."""
    return np.column_stack([np.ones(len(X)), X])


def residualise(M: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Residuals of each column of ``M`` (or of the vector) on ``X`` (which includes the intercept).

    Examples
    --------
    >>> X = with_intercept(np.array([0.0, 1.0, 2.0]))
    >>> np.round(residualise(np.array([1.0, 3.0, 5.0]), X), 12).tolist()
    [0.0, 0.0, 0.0]
    """
    coef, *_ = np.linalg.lstsq(X, M, rcond=None)
    return M - X @ coef


def close(a: float, b: float, scale: float) -> bool:
    """Whether ``a`` reproduces ``b`` to 1e-6 relative to ``|b| + |scale|``.

    Examples
    --------
    >>> close(1.0 + 1e-9, 1.0, 0.1), close(1.01, 1.0, 0.1)
    (True, False)
    """
    return bool(abs(a - b) <= 1e-6 * (abs(b) + abs(scale) + 1e-12))


class Linear:
    """Vectorised OLS view of an estimate: the treatment coefficient in ``Y ~ 1 + D + X``.

    Built only when it reproduces the estimate on the original data (see
    :meth:`build`); each refuter also checks one replicate against the real
    estimator.

    Examples
    --------
    >>> import pandas as pd
    >>> from dagcore.estimand import Estimand
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=2000); d = z + rng.normal(size=2000)
    >>> df = pd.DataFrame({"z": z, "d": d, "y": 2 * d + z + rng.normal(size=2000)})
    >>> lin = Linear(df, Estimand(treatment="d", outcome="y", strategy="backdoor", adjustment_set={"z"}), "d", "y")
    >>> round(lin.value, 1)
    2.0
    """

    def __init__(self, data: Any, estimand: Any, t: str, y: str) -> None:
        adj = sorted(estimand.adjustment_set or ())
        self.X = with_intercept(design(data, adj))
        self.d = data[t].to_numpy(dtype=float)
        self.y = data[y].to_numpy(dtype=float)
        self.rd = residualise(self.d, self.X)
        self.ry = residualise(self.y, self.X)
        self.value = float(self.rd @ self.ry / (self.rd @ self.rd))

    @classmethod
    def build(cls, estimate: Any, data: Any, estimand: Any, t: str, y: str) -> Linear | None:
        """The fast path for ``estimate``, or None when it does not reproduce the estimate."""
        if estimand.strategy not in ("backdoor", "randomized"):
            return None
        try:
            lin = cls(data, estimand, t, y)
        except (DataError, ValueError, TypeError, np.linalg.LinAlgError):
            return None
        return lin if close(lin.value, estimate.value, estimate.se) else None

    def with_extra(self, W: np.ndarray) -> np.ndarray:
        """Treatment coefficient after adding one extra covariate per column of ``W``."""
        rw = residualise(W, self.X)
        ww = np.einsum("nb,nb->b", rw, rw)
        rd_b = self.rd[:, None] - rw * (rw.T @ self.rd / ww)
        ry_b = self.ry[:, None] - rw * (rw.T @ self.ry / ww)
        return np.einsum("nb,nb->b", rd_b, ry_b) / np.einsum("nb,nb->b", rd_b, rd_b)

    def with_treatments(self, D: np.ndarray) -> np.ndarray:
        """Treatment coefficient with each column of ``D`` as the treatment."""
        rd = residualise(D, self.X)
        return (rd.T @ self.ry) / np.einsum("nb,nb->b", rd, rd)

    def with_outcomes(self, Y: np.ndarray) -> np.ndarray:
        """Treatment coefficient with each column of ``Y`` as the outcome."""
        return (self.rd @ residualise(Y, self.X)) / (self.rd @ self.rd)

    def weighted(self, Wt: np.ndarray) -> np.ndarray:
        """Treatment coefficient under row weights (B × n): subsets and bootstrap resamples."""
        Z = np.column_stack([self.d, self.X])
        A = np.einsum("bn,np,nq->bpq", Wt, Z, Z, optimize=True)
        c = np.einsum("bn,np,n->bp", Wt, Z, self.y, optimize=True)
        try:
            sol = np.linalg.solve(A, c[..., None])[..., 0]
        except np.linalg.LinAlgError:
            sol = np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(A, c)])
        return sol[:, 0]
