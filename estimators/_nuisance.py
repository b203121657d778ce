"""Propensity scores: a statsmodels formula (unpenalised logistic GLM) or any scikit-learn classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError
from dagcore.estimators._data import design_matrix

__all__ = ["fit_propensity", "logistic_mle", "logistic_newton"]


def logistic_newton(A: np.ndarray, t: np.ndarray, beta: np.ndarray, *, max_iter: int = 50, tol: float = 1e-10) -> np.ndarray:
    """Coefficients of the unpenalised logistic regression of ``t`` on the columns of ``A``, by Newton-Raphson from ``beta``.

    Raises
    ------
    DataError
        Perfect (or quasi-complete) separation: the likelihood has no maximum.
    """
    beta = np.asarray(beta, dtype=float).copy()
    for _ in range(max_iter):
        eta = A @ beta
        if np.max(np.abs(eta)) > 35:
            raise DataError("perfect separation")
        p = 1 / (1 + np.exp(-eta))
        grad = A.T @ (t - p)
        hess = (A * (p * (1 - p))[:, None]).T @ A
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            break
    return beta


def logistic_mle(X: np.ndarray, t: np.ndarray, *, max_iter: int = 50, tol: float = 1e-10) -> np.ndarray:
    """Fitted probabilities of the unpenalised logistic regression of ``t`` on ``[1, X]`` (Newton–Raphson).

    The maximum-likelihood fit that a statsmodels ``Binomial`` GLM gives, in
    numpy only: one ``n × p`` weighted copy per iteration, no formula parsing.

    Raises
    ------
    DataError
        Perfect (or quasi-complete) separation: the likelihood has no maximum.

    Examples
    --------
    >>> rng = np.random.default_rng(0); x = rng.normal(size=(2000, 1))
    >>> t = (rng.random(2000) < 1 / (1 + np.exp(-(0.5 + x[:, 0])))).astype(float)
    >>> round(float(logistic_mle(x, t).mean()), 2) == round(float(t.mean()), 2)
    True
    """
    A = np.column_stack([np.ones(len(t)), X])
    beta = logistic_newton(A, t, np.zeros(A.shape[1]), max_iter=max_iter, tol=tol)
    return 1 / (1 + np.exp(-(A @ beta)))


def fit_propensity(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str],
    *,
    formula: str | None = None,
    model: Any = None,
    design: np.ndarray | None = None,
) -> np.ndarray:
    """P(treatment = 1 | covariates) for every row.

    Default: an unpenalised logistic regression of the treatment on the
    covariates (no L2 penalty, which would move IPW estimates). ``design``
    is the covariates' model matrix when the caller has built it already.

    Raises
    ------
    DataError
        Perfect separation, or a model that cannot be fit.
    """
    t = data[treatment].to_numpy(dtype=float)
    if not covariates and formula is None:
        return np.full(len(t), t.mean())
    if model is None and formula is None:
        try:
            ps = logistic_mle(design if design is not None else design_matrix(data, covariates), t)
        except DataError:
            raise DataError(
                f"perfect separation: the covariates predict {treatment!r} exactly, so there is no overlap "
                "between treated and untreated units; restrict the population or change the estimand"
            ) from None
    elif model is not None:
        from sklearn.base import clone

        X = design if design is not None else design_matrix(data, covariates)
        fitted = clone(model).fit(X, t)
        ps = fitted.predict_proba(X)[:, 1]
    else:
        import warnings

        import statsmodels.api as sm
        import statsmodels.formula.api as smf
        from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PerfectSeparationWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                ps = smf.glm(formula, data, family=sm.families.Binomial()).fit().predict(data).to_numpy()
        except (PerfectSeparationError, PerfectSeparationWarning):
            raise DataError(
                f"perfect separation: the covariates predict {treatment!r} exactly, so there is no overlap "
                "between treated and untreated units; restrict the population or change the estimand"
            ) from None
        except Exception as err:
            raise DataError(f"could not fit the propensity model {formula!r}: {err}") from None
    if np.any(ps <= 0) or np.any(ps >= 1) or not np.isfinite(ps).all():
        raise DataError(f"propensity scores of exactly 0 or 1 for {treatment!r}: no overlap (positivity fails)")
    return ps
