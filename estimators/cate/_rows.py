"""Fitting and predicting the meta-learners' models on a subset of rows without copying the feature matrix.

The S-, T- and X-learner fit their models on a treatment arm, a training fold
or a bootstrap resample of the rows. ``X[rows]`` copies ``len(rows) × p``
values per model; at 10^6 rows × 20 covariates those copies (and the two more
that ``LinearRegression`` makes to centre ``X`` and to call LAPACK) put the
learners' peak memory at 4.6-6.1x the data (benchmarks/README.md, issue 12
"Speed and memory"). Here the default least squares is computed from the
Gram matrix of the rows, accumulated over blocks of :data:`BLOCK` rows, and
predictions are made block by block, so the extra memory is a few blocks. A
user's scikit-learn model is fit on ``X[rows]`` as before (its ``fit`` needs
the rows), but predicted block by block.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BLOCK", "LeastSquares", "fit_rows", "predict_rows"]

#: rows per block of the Gram accumulation and of the predictions (8 MiB at 16 float64 columns)
BLOCK = 1 << 16


def _blocks(n: int, rows: np.ndarray | None) -> Any:
    for lo in range(0, n if rows is None else rows.size, BLOCK):
        yield slice(lo, lo + BLOCK) if rows is None else rows[lo : lo + BLOCK]


class LeastSquares:
    """Ordinary least squares with an intercept (the fit of ``LinearRegression``), from the Gram matrix of the rows.

    The columns are centred at their means over the rows (two passes, block
    by block) before the Gram matrix is formed, so a large offset does not
    cancel; an ill-conditioned Gram matrix (condition number above ``GRAM_CONDITION_LIMIT``, e.g.
    collinear or constant columns) falls back to ``LinearRegression`` on the
    rows (the minimum-norm least-squares solution).

    Examples
    --------
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(500, 2)); y = 3 + X @ [1.0, -2.0]
    >>> fit = LeastSquares().fit(X, y[:250], np.arange(250))
    >>> round(float(fit.intercept_), 6), np.round(fit.coef_, 6).tolist()
    (3.0, [1.0, -2.0])
    """

    def fit(self, X: np.ndarray, target: np.ndarray, rows: np.ndarray | None = None) -> LeastSquares:
        """Fit ``target`` (one value per row of ``rows``, or per row of ``X``) on ``X[rows]``."""
        n, k = X.shape
        m = n if rows is None else rows.size
        target = np.asarray(target, dtype=float)
        ybar = float(target.mean()) if m else 0.0
        if k == 0 or m == 0:
            self.coef_, self.intercept_ = np.zeros(k), ybar
            return self
        total = np.zeros(k)
        for b in _blocks(n, rows):
            total += X[b].sum(axis=0)
        mean = total / m
        gram, moment = np.zeros((k, k)), np.zeros(k)
        pos = 0
        for b in _blocks(n, rows):
            block = X[b] - mean
            yb = target[pos : pos + block.shape[0]] - ybar
            pos += block.shape[0]
            gram += block.T @ block
            moment += block.T @ yb
        from dagcore.estimators._nuisance import gram_solve, regressor

        def on_the_rows() -> np.ndarray:  # the default least squares itself, on a copy of the rows
            return np.asarray(regressor().fit(X if rows is None else X[rows], target).coef_)

        coef = gram_solve(gram, moment, on_the_rows)
        self.coef_ = coef
        self.intercept_ = ybar - float(mean @ coef)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``intercept_ + X @ coef_``."""
        X = np.asarray(X, dtype=float)
        if X.shape[1] != self.coef_.size:  # intercept-only models get the placeholder column of nonempty()
            return np.full(X.shape[0], self.intercept_)
        return X @ self.coef_ + self.intercept_


def fit_rows(model: Any, X: np.ndarray, target: np.ndarray, rows: np.ndarray | None = None) -> Any:
    """``model`` (cloned) fit on ``X[rows]`` and ``target``; the default (``model is None``) least squares makes no copy of the rows.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(6, 2); y = X[:, 0] * 2.0
    >>> fit_rows(None, X, y[[0, 2, 4]], np.array([0, 2, 4])).predict(X[1:3]).round(6).tolist()
    [4.0, 8.0]
    """
    from dagcore.estimators._nuisance import regressor
    from dagcore.estimators.cate._base import nonempty

    if model is None:
        return LeastSquares().fit(X, target, rows)
    return regressor(model).fit(nonempty(X if rows is None else X[rows]), target)


def predict_rows(fitted: Any, X: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """``fitted.predict`` at ``X[rows]`` (every row when None), block by block.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(6, 2); fit = LeastSquares().fit(X, X[:, 1])
    >>> predict_rows(fit, X, np.array([5, 0])).round(6).tolist()
    [11.0, 1.0]
    """
    from dagcore.estimators.cate._base import nonempty

    n = X.shape[0]
    out = np.empty(n if rows is None else rows.size)
    pos = 0
    for b in _blocks(n, rows):
        block = nonempty(X[b])
        out[pos : pos + block.shape[0]] = np.asarray(fitted.predict(block), dtype=float)
        pos += block.shape[0]
    return out
