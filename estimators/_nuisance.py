"""Nuisance models of the estimators: the one default learner factory, the one cross-fitting helper, propensity scores.

* :func:`classifier` / :func:`regressor` give a fresh copy (``sklearn.base.clone``)
  of the user's model or the default: :class:`LogisticMLE`, the unpenalised
  logistic regression (the statsmodels ``Binomial`` GLM's maximum-likelihood
  fit), and ordinary least squares (``LinearRegression``). Every estimator
  that needs a propensity or outcome model takes it from here.
* :func:`crossfit_folds` builds the K folds (stratified on a binary
  treatment) after one check of the units available, and :func:`cross_fit`
  fits the nuisances on each training part and returns their out-of-fold
  predictions (AIPW, DoubleML and the DR-learner).
* :func:`fit_propensity` is P(T = 1 | covariates) for IPW, matching and
  stratification: the default model, a user's classifier, or a statsmodels formula.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from dagcore.errors import DataError, EstimatorError, SeparationError
from dagcore.estimators._data import design_frame, formula_design
from dagcore.estimators._folds import FoldLayout, StackedRows, row_chunks, transpose_times
from dagcore.estimators._parallel import parallel_map

__all__ = [
    "LogisticMLE",
    "PropensityFit",
    "arm_rows",
    "classifier",
    "cross_fit",
    "cross_fit_logistic",
    "cross_fit_logistic_laid_out",
    "crossfit_folds",
    "cross_fit_models",
    "fit_propensity",
    "GRAM_CONDITION_LIMIT",
    "fit_treatment_model",
    "flexible_classifier",
    "flexible_regressor",
    "gram_solve",
    "logistic_newton",
    "NewtonState",
    "predict_treatment",
    "propensity_fit",
    "propensity_scores",
    "regressor",
    "separation_message",
]


_CHUNK = 1 << 14  # rows per block of the Hessian: a cache-sized buffer instead of an n x p copy
_LP_ROWS = 20_000  # rows of the first, subsampled separation check (a subset that overlaps proves the whole does)
_CHORD_BELOW = 1e-2  # a Newton step smaller than this (standardised units) lets the next step reuse the Hessian


def logistic_newton(
    X: np.ndarray | StackedRows,
    t: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-12,
    names: Sequence[str] | None = None,
    start: tuple[float, np.ndarray] | None = None,
    moments: tuple[np.ndarray, np.ndarray] | None = None,
    state: NewtonState | None = None,
) -> tuple[float, np.ndarray]:
    """Intercept and coefficients of the unpenalised logistic regression of ``t`` (0/1) on ``[1, X]``: the maximum-likelihood fit.

    Newton-Raphson from 0 (or from ``start``, an intercept and coefficients
    on the original scale: a warm start, such as the fit on the other folds'
    data) on standardised columns (each centred and divided by its standard
    deviation, which makes the fit independent of the columns' units; the
    coefficients are returned on the original scale; ``moments``, the
    columns' means and standard deviations, when the caller has them). A step that lowers the
    log-likelihood is halved until it does not; the fit has converged when a
    step raises the log-likelihood by less than ``tol`` relative to it. Near
    the maximum (the last step below 0.01 in standardised units) the Hessian
    of the previous step is reused (a chord step: the gradient costs a third
    of the Hessian's time; a chord step that does not contract fast is
    followed by a Newton step), a step whose predicted gain ``g'H⁻¹g / 2`` is
    below ``tol`` is taken without evaluating the log-likelihood again, and a
    step that moves no unit's log-odds by more than 0.5 from where the Hessian
    was computed is a sure ascent (:func:`_ascent_certified`), so the
    log-likelihood is not evaluated for it either. ``state`` (with ``start``
    and ``moments``) continues a Newton run whose Hessian on these rows is
    known (:class:`NewtonState`): the first steps are chord steps with it. The result is plain
    Newton's with halving to about 1e-10 relative (tested against the fold-by-fold
    fits and statsmodels).
    Constant columns get coefficient 0 (the intercept spans them). The
    standardised rows are built block by block, so no ``n × p`` copy of
    ``X`` is made.

    Separation is decided from the data, never from the size of the linear
    predictor: when the fit has not converged, or some fitted probabilities
    are within 1e-9 of 0 or 1 while the last Newton step was not small (at a
    maximum it is tiny; along a separating direction every step has about the
    same size while the gains shrink), a linear program (Konis 2007) looks for a
    direction ``b`` with ``(2t - 1) · [1, X] b >= 0`` for every row and ``> 0``
    for some. Such a direction exists exactly when the maximum-likelihood
    estimate does not (complete or quasi-complete separation; Albert &
    Anderson 1984); its non-zero entries are the columns involved.

    Raises
    ------
    SeparationError
        (Quasi-)complete separation; its ``columns`` are the columns of the
        separating direction (named by ``names``) and ``n_separated`` the rows
        it predicts exactly.

    Warns
    -----
    ConvergenceWarning
        No convergence within ``max_iter`` steps without separation.

    References
    ----------
    Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood estimates in
    logistic regression models. *Biometrika* 71(1), 1-10.
    Konis, K. (2007). *Linear programming algorithms for detecting separated data in binary
    logistic regression models*. DPhil thesis, University of Oxford.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]); t = np.array([0, 0, 1, 0, 1, 1.0])
    >>> b0, b = logistic_newton(x, t); round(b0, 3), np.round(b, 3).tolist()
    (-3.035, [1.214])
    >>> b0, b = logistic_newton(x, t, start=(-3.0, np.array([1.2]))); round(b0, 3), np.round(b, 3).tolist()
    (-3.035, [1.214])
    >>> logistic_newton(x, (x[:, 0] > 2.5).astype(float), names=["x"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagcore.errors.SeparationError: perfect separation: x >= 3 for every treated unit and x <= 2 for every control, so the propensity ...
    """
    if not isinstance(X, StackedRows):
        X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    n, k = X.shape
    mu, sd = _column_moments(X) if moments is None else moments
    active = sd > 1e-12 * np.maximum(1.0, np.abs(mu))
    if not active.all():
        kept = StackedRows([part[:, active] for part in X.parts]) if isinstance(X, StackedRows) else X[:, active]
        intercept, sub = logistic_newton(kept, t, max_iter=max_iter, tol=tol,
                                         names=None if names is None else [nm for nm, a in zip(names, active) if a],
                                         start=None if start is None else (start[0], np.asarray(start[1])[active]),
                                         moments=None if moments is None else (mu[active], sd[active]))
        coef = np.zeros(k)
        coef[active] = sub
        return intercept, coef
    mu, sd = mu[active], sd[active]
    b = np.zeros(k + 1)  # standardised coordinates: intercept, then one per column
    eta = np.zeros(n)
    score: _Score | None = None  # the probabilities and the score at a linear predictor computed with it
    if start is not None and np.all(np.isfinite(start[1])) and np.isfinite(start[0]):
        slope0 = np.asarray(start[1], dtype=float)
        b[0], b[1:] = float(start[0]) + float(mu @ slope0), slope0 * sd
        score = _linear_and_score(X, slope0, float(start[0]), t)
        eta = score.eta

    def raw(b: np.ndarray) -> tuple[float, np.ndarray]:
        slope = b[1:] / sd
        return float(b[0] - mu @ slope), slope

    hess = np.empty((k + 1, k + 1))
    if state is not None and (state.hessian.shape != hess.shape or len(state.eta) != n or moments is None or score is None):
        state = None  # only with the moments it was computed for and a start; constant columns drop out above
    block = _chunk_buffer(X)
    far = _far_from_zero(mu, sd)
    # loglik_current: whether loglik is the log-likelihood at b; else it only scales the tolerance (an earlier
    # value, or at a warm start an estimate from every 16th row), and is computed when a step needs it
    if start is None:
        loglik, loglik_current = -n * float(np.log(2.0)), True  # at b = 0 every probability is 1/2
    else:
        loglik, loglik_current = _log_likelihood(t[::16], eta[::16]) * n / max(len(t[::16]), 1), False
    converged = False
    last_step = np.inf  # the size (largest entry) of the last step taken
    recompute = True  # whether the next step needs the Hessian at the current b
    eta_is_current = True
    polished = False  # whether a last chord step has been taken after the tolerance was met
    eta_hess = eta  # the linear predictor where hess was computed
    reach_eta: float | None = 0.0  # the largest change of a unit's log-odds from eta_hess to eta (None: not known)
    if state is not None:  # continue its run: the next step is a chord step with its Hessian
        hess[:] = state.hessian
        eta_hess, reach_eta = state.eta, None
        last_step, recompute = state.step, False
    for _ in range(max_iter):
        if score is None or score.eta is not eta:
            score = _Score.at(X, eta, t)
        p, rsum = score.p, score.resid_sum
        grad = np.concatenate([[rsum], (score.x_resid - mu * rsum) / sd])
        fresh = recompute or last_step >= _CHORD_BELOW
        if fresh:
            _logistic_hessian(X, p, mu, sd, far, block, hess)
            eta_hess, reach_eta = eta, 0.0
        solved = True
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step, solved = np.linalg.lstsq(hess, grad, rcond=None)[0], False
        size = float(np.max(np.abs(step))) if step.size else 0.0
        predicted = 0.5 * float(grad @ step)  # the gain of a step on the quadratic model
        # a chord step (the previous Hessian) that does not contract fast is followed by a Newton step
        recompute = not fresh and size > 0.25 * last_step
        if size < 1e-3 and predicted <= tol * (abs(loglik) + 1.0):
            # the predicted gain is below the tolerance: this step lands on the maximum (a Newton step to
            # quadratic accuracy; a chord step, which contracts only linearly, by one more unless its
            # contraction leaves less than 1e-10)
            b += step
            # a chord step leaves an error of about its contraction times its size: below 1e-10 it is done
            remaining = size if fresh else size * size / max(last_step, size, 1e-300)
            last_step = size
            if fresh or polished or remaining < 1e-10:
                eta_is_current, converged = False, True
                break
            polished, loglik_current = True, False
            b0, slope = raw(b)
            score = _linear_and_score(X, slope, b0, t)
            eta, reach_eta = score.eta, None
            continue
        b0, slope = raw(b + step)
        if predicted <= tol * (abs(loglik) + 1.0):  # the last step if it is a sure ascent: its score is not needed
            new_eta = _linear(X, slope, b0)
        else:
            score = _linear_and_score(X, slope, b0, t)
            new_eta = score.eta
        # a sure ascent (_ascent_certified; the current point's reach is known from the step that led to it)
        reach_new = _reach(new_eta, eta_hess) if solved and size < 0.1 else np.inf
        if reach_eta is None and reach_new <= _SURE_REACH:
            reach_eta = _reach(eta, eta_hess)
        if reach_eta is not None and max(reach_eta, reach_new) <= _SURE_REACH:
            b += step  # no need to evaluate the log-likelihood
            last_step, eta, loglik_current, reach_eta = size, new_eta, False, reach_new
            if predicted <= tol * (abs(loglik) + 1.0):
                converged = True
                break
            continue
        if not loglik_current:
            loglik = _log_likelihood(t, eta)
        new_loglik = _log_likelihood(t, new_eta)
        for _halving in range(40):
            if new_loglik >= loglik:
                break
            step /= 2
            b0, slope = raw(b + step)
            new_eta = _linear(X, slope, b0)
            new_loglik = _log_likelihood(t, new_eta)
        else:  # no ascent along the Newton direction: at the maximum to machine precision
            loglik_current = True
            if not fresh:  # the previous Hessian's direction: try again with the current one
                recompute = True
                continue
            converged = True
            break
        b += step
        last_step = float(np.max(np.abs(step))) if step.size else 0.0
        gain = new_loglik - loglik
        eta, loglik, loglik_current, reach_eta = new_eta, new_loglik, True, None
        if gain <= tol * (abs(loglik) + 1.0):
            converged = True
            break
    # at a maximum Newton's last step is tiny (quadratic convergence); along a separating direction the
    # log-likelihood creeps up by ever smaller gains while each step stays about the same size
    if n and (not converged or last_step > 1e-3):
        if not eta_is_current:
            b0, slope = raw(b)
            eta = _linear(X, slope, b0)
        p = expit(eta)
        if not converged or np.min(p) < 1e-9 or np.max(p) > 1 - 1e-9:
            rows = np.asarray(X)  # a StackedRows copied once, on this rare path
            found = _separating_direction(rows, t, mu, sd)
            if found is not None:
                raise _separation_error(rows, t, *_fewest_columns(rows, t, mu, sd, found), names)
    if not converged:
        warnings.warn(
            f"the logistic model did not converge in {max_iter} Newton steps; raise max_iter", ConvergenceWarning, stacklevel=2
        )
    intercept, slope = raw(b)
    return intercept, slope


def _ascent_certified(eta: np.ndarray, new_eta: np.ndarray, eta_hess: np.ndarray) -> bool:
    """Whether the step from ``eta`` to ``new_eta`` surely raises the log-likelihood, without evaluating it.

    The step is ``s = H⁻¹ g`` with ``H`` the negative Hessian at ``eta_hess``.
    Along it, ``φ(τ) = ℓ(b + τ s)`` has ``φ'(0) = s'Hs`` and ``-φ''(τ) = Σ w_i(τ) (z_i s)²``
    with weights ``w = p (1 - p)``, whose logarithm moves at most as fast as the
    linear predictor (``|d log w / dη| = |1 - 2p| <= 1``). So ``-φ'' <= e^D s'Hs``
    with ``D`` the largest change of a unit's linear predictor from ``eta_hess``
    on the segment, and ``φ(1) - φ(0) >= s'Hs (1 - e^D / 2) > 0`` when ``D <= 0.5``
    (D at most ln 2 would do). The log-likelihood costs as much as a gradient,
    and near the maximum every step passes.
    """
    return max(_reach(eta, eta_hess), _reach(new_eta, eta_hess)) <= _SURE_REACH


_SURE_REACH = 0.5  # the largest change of a unit's log-odds from the Hessian's point that certifies an ascent


def _reach(eta: np.ndarray, eta_hess: np.ndarray) -> float:
    """The largest change of a unit's linear predictor between ``eta_hess`` and ``eta``."""
    if eta is eta_hess or not eta.size:
        return 0.0
    gap = np.subtract(eta, eta_hess)
    return float(np.max(np.abs(gap, out=gap)))


def _far_from_zero(mu: np.ndarray, sd: np.ndarray) -> bool:
    """Whether some column's mean is far from 0 relative to its spread: the Hessian then centres each block (:func:`_logistic_hessian`)."""
    return bool(mu.size and np.max(np.abs(mu) / sd) > 100)


@dataclass(frozen=True)
class NewtonState:
    """Where a Newton step of :func:`logistic_newton` on the same rows left off, for the run to go on from its ``start``.

    Attributes
    ----------
    hessian : array
        The negative Hessian of the log-likelihood in the standardised
        coordinates of the run's ``moments`` (intercept first), at ...
    eta : array
        ... this linear predictor (one entry per row).
    step : float
        The size (largest entry, standardised units) of the step from there
        to ``start``: a chord step that does not shrink to a quarter of it is
        followed by a Newton step, as within a run.
    """

    hessian: np.ndarray
    eta: np.ndarray
    step: float


@dataclass(frozen=True)
class _Score:
    """At a linear predictor ``eta``: the probabilities ``p``, ``Σ (t - p)`` and ``X' (t - p)``."""

    eta: np.ndarray
    p: np.ndarray
    resid_sum: float
    x_resid: np.ndarray

    @classmethod
    def at(cls, X: np.ndarray | StackedRows, eta: np.ndarray, t: np.ndarray) -> _Score:
        p = expit(eta)
        resid = t - p
        return cls(eta, p, float(resid.sum()), transpose_times(X, resid))


_SCORE_CHUNK = 8192  # rows per block of _linear_and_score: X's block is read once, from cache the second time


def _linear_and_score(X: np.ndarray | StackedRows, slope: np.ndarray, intercept: float, t: np.ndarray) -> _Score:
    """The linear predictor and the score there (:class:`_Score`) in one pass over ``X``'s rows, block by block.

    ``X @ slope`` and then ``X' (t - p)`` read ``X`` twice from memory; here
    each block of rows is read again while in cache: 14 ms instead of 22 ms at
    800,000 × 20 on the F-ordered design (2026-12-01).
    """
    n, k = X.shape
    eta, p, x_resid = np.empty(n), np.empty(n), np.zeros(k)
    resid_sum = 0.0
    for lo, rows in row_chunks(X, _SCORE_CHUNK):
        hi = lo + len(rows)
        block_eta = np.matmul(rows, slope, out=eta[lo:hi])
        block_eta += intercept
        resid = t[lo:hi] - expit(block_eta, out=p[lo:hi])
        resid_sum += float(resid.sum())
        x_resid += rows.T @ resid
    return _Score(eta, p, resid_sum, x_resid)


def _linear(X: np.ndarray | StackedRows, slope: np.ndarray, intercept: float) -> np.ndarray:
    """The linear predictor ``X @ slope + intercept`` (one array)."""
    eta = X @ slope
    eta += intercept
    return np.asarray(eta)


def _logistic_hessian(
    X: np.ndarray | StackedRows, p: np.ndarray, mu: np.ndarray, sd: np.ndarray, far: bool, block: np.ndarray, hess: np.ndarray
) -> None:
    """The negative Hessian of the log-likelihood in standardised coordinates, ``[1, Z]' W [1, Z]``, into ``hess`` (block by block)."""
    w = 1.0 - p
    w *= p
    wsum = w.sum()
    wx = np.zeros(X.shape[1])
    xwx = hess[1:, 1:]
    xwx[:] = 0.0
    for lo, rows in row_chunks(X, _CHUNK):
        w_rows = w[lo : lo + len(rows)]
        wx += rows.T @ w_rows  # while the block is in cache
        # columns far from 0 relative to their spread are centred in the block (no cancellation);
        # otherwise X'WX is centred afterwards, one pass cheaper (measured 1.4x on 800,000 x 20)
        z = np.multiply(np.subtract(rows, mu, out=block[: len(rows)]) if far else rows, np.sqrt(w_rows)[:, None], out=block[: len(rows)])
        xwx += z.T @ z
    hess[0, 0] = wsum
    hess[0, 1:] = hess[1:, 0] = (wx - mu * wsum) / sd
    if not far:
        xwx -= np.outer(mu, wx) + np.outer(wx, mu) - wsum * np.outer(mu, mu)
    xwx /= np.outer(sd, sd)


def _chunk_buffer(X: np.ndarray | StackedRows) -> np.ndarray:
    """A buffer for a chunk of ``X``'s rows, in ``X``'s memory order: a column-major (Fortran) design copied into a
    row-major buffer reads with a stride, and the Hessian took 41 ms instead of 27 ms at 800,000 x 20 (2026-12-01)."""
    first = X.parts[0] if isinstance(X, StackedRows) else X
    column_major = first.ndim == 2 and first.shape[1] > 1 and first.strides[0] == first.itemsize
    return np.empty((min(X.shape[0], _CHUNK), X.shape[1]), order="F" if column_major else "C")


def _column_moments(X: np.ndarray | StackedRows) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) standard deviation of each column, block by block (no ``n × p`` temporary).

    The rows are shifted by the first row first, so a large common offset does not cancel the variance.
    """
    n, k = X.shape
    if n == 0:
        return np.zeros(k), np.ones(k)
    origin = next(row_chunks(X, 1))[1][0].copy()
    s1, s2 = np.zeros(k), np.zeros(k)
    buffer = _chunk_buffer(X)
    for _, rows in row_chunks(X, _CHUNK):
        d = np.subtract(rows, origin, out=buffer[: len(rows)])
        s1 += d.sum(axis=0)
        s2 += np.einsum("ij,ij->j", d, d)
    mean = s1 / n
    return origin + mean, np.sqrt(np.maximum(s2 / n - mean**2, 0.0))


def _log_likelihood(t: np.ndarray, eta: np.ndarray) -> float:
    return float(t @ eta - np.logaddexp(0.0, eta).sum())


def _separating_direction(X: np.ndarray, t: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray | None:
    """A direction ``b`` (standardised coordinates, intercept first) that separates the arms, or None.

    The linear program: maximise ``Σ s_i z_i b`` subject to ``s_i z_i b >= 0``
    and ``-1 <= b <= 1``, with ``s = 2t - 1`` and ``z_i = [1, (x_i - mu) / sd]``;
    a positive optimum is a separating direction. A random subsample is
    checked first: if it overlaps (optimum 0), so does the whole data.
    """
    from scipy.optimize import linprog

    n = len(t)
    rows_sets = [np.arange(n)]
    if n > _LP_ROWS:
        sub = np.sort(np.random.default_rng(0).choice(n, _LP_ROWS, replace=False))
        rows_sets = [sub, np.arange(n)]
    for rows in rows_sets:
        s = 2 * t[rows] - 1
        Z = np.column_stack([np.ones(rows.size), (X[rows] - mu) / sd])
        SZ = Z * s[:, None]
        res = linprog(-SZ.sum(axis=0), A_ub=-SZ, b_ub=np.zeros(rows.size), bounds=[(-1, 1)] * Z.shape[1], method="highs")
        if res.status != 0 or -res.fun <= 1e-7 * rows.size:
            return None  # this subset overlaps, so the whole data does
        margins = SZ @ res.x
        if np.min(margins) < -1e-7:  # numerically not a separating direction
            return None
    return np.asarray(res.x)


def _fewest_columns(X: np.ndarray, t: np.ndarray, mu: np.ndarray, sd: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """A separating direction on as few columns as greedy elimination finds (so the error names the culprits), and those columns."""
    cols = [j for j in range(X.shape[1]) if abs(b[1 + j]) > 1e-6]
    if len(cols) > 12:
        return b, cols
    for j in list(cols):
        rest = [c for c in cols if c != j]
        sub = _separating_direction(X[:, rest], t, mu[rest], sd[rest]) if rest else None
        if sub is not None:
            cols = rest
            b = np.zeros(X.shape[1] + 1)
            b[0], b[[1 + c for c in rest]] = sub[0], sub[1:]
    return b, cols


def _separation_error(X: np.ndarray, t: np.ndarray, b: np.ndarray, cols: list[int], names: Sequence[str] | None) -> SeparationError:
    mu, sd = X.mean(axis=0), X.std(axis=0)
    label = [str(names[j]) if names is not None else f"column {j}" for j in range(X.shape[1])]
    score = X @ (b[1:] / sd) + (b[0] - mu @ (b[1:] / sd))
    s = 2 * t - 1
    n_strict = int(np.sum(s * score > 1e-7 * (1 + np.abs(score).max())))
    if len(cols) == 1:
        j = cols[0]
        x = X[:, j]
        hi, lo = (t == 1, t == 0) if b[1 + j] > 0 else (t == 0, t == 1)  # the arm on the high side of x, and the other
        cut_hi, cut_lo = float(x[hi].min()), float(x[lo].max())
        first, second = ("treated unit", "control") if b[1 + j] > 0 else ("control", "treated unit")
        if cut_hi > cut_lo:
            how = f"{label[j]} >= {cut_hi:.4g} for every {first} and {label[j]} <= {cut_lo:.4g} for every {second}"
        else:  # quasi-complete: the units beyond the other arm's range are all in one arm
            tr = t == 1
            pieces = []
            for count, side, cut, arm in (
                (int(np.sum(x > x[~tr].max())), ">", float(x[~tr].max()), "treated"),
                (int(np.sum(x < x[~tr].min())), "<", float(x[~tr].min()), "treated"),
                (int(np.sum(x > x[tr].max())), ">", float(x[tr].max()), "controls"),
                (int(np.sum(x < x[tr].min())), "<", float(x[tr].min()), "controls"),
            ):
                if count:
                    pieces.append(f"all {count} units with {label[j]} {side} {cut:.4g} are {arm}")
            how = " and ".join(pieces) or f"{label[j]} separates the arms"
    else:
        involved = ", ".join(label[j] for j in cols) or "the intercept alone"
        how = (
            f"a linear combination of {involved} is >= 0 for every treated unit and <= 0 for every control "
            f"(strictly for {n_strict} of {len(t)} units)"
        )
    err = SeparationError(
        f"perfect separation: {how}, so the propensity of those units is 0 or 1 and the logistic model has no maximum "
        "likelihood estimate (no overlap there); restrict the population, coarsen or drop the separating "
        "covariate, or change the estimand"
    )
    err.columns = tuple(label[j] for j in cols)
    err.n_separated = n_strict
    return err


def separation_message(treatment: str, detail: str = "") -> str:
    """The error text for perfect separation of ``treatment`` (the logistic MLE does not exist), with ``detail`` from the fit.

    Examples
    --------
    >>> separation_message("'t'")
    "perfect separation: the covariates predict 't' exactly, so there is no overlap between treated and untreated units; restrict the population or change the estimand"
    """
    if detail:
        return detail.replace("perfect separation:", f"perfect separation of {treatment}:", 1)
    return (
        f"perfect separation: the covariates predict {treatment} exactly, so there is no overlap "
        "between treated and untreated units; restrict the population or change the estimand"
    )


class LogisticMLE(ClassifierMixin, BaseEstimator):
    """Unpenalised logistic regression (maximum likelihood, Newton-Raphson): the default propensity model.

    The fit a statsmodels ``Binomial`` GLM gives (to 1e-8, tested; no L2
    penalty, which would move IPW and AIPW estimates), as a scikit-learn
    classifier with an intercept.

    Why numpy and not ``LogisticRegression(C=np.inf)`` or statsmodels:
    speed and memory, measured on 2026-12-01 (best of 3, one BLAS thread,
    scikit-learn 1.9.1; the fit alone):

    ==================  =========  ==============  =================  ===========
    rows × covariates   this fit   sklearn lbfgs   sklearn newton-ch  statsmodels
    ==================  =========  ==============  =================  ===========
    2,000 × 3           0.6 ms     2.4 ms          2.2 ms             3.4 ms
    20,000 × 5          3.3 ms     5.8 ms          5.8 ms             23 ms
    800,000 × 20        350 ms     276 ms          867 ms             11.7 s
    ==================  =========  ==============  =================  ===========

    Nuisance models are refit per fold, per bootstrap replicate and per
    refutation replicate, mostly on small data, where the libraries' fixed
    cost of validation and solver set-up dominates. Peak extra memory is
    0.4x the covariate matrix (the Hessian is built block by block; the
    libraries copy ``X`` at least once). scikit-learn's default tolerances
    also stop short of the MLE: about 1e-6 in the probabilities with
    ``newton-cholesky`` and 1e-4 with ``lbfgs``, which is why lbfgs is faster
    at 800,000 rows; this fit matches statsmodels to 1e-15 in the coefficients.

    Since issue 12 the fit runs on standardised columns (:func:`logistic_newton`:
    the same answer in any units) and separation is decided by a linear
    program on the data, never by the size of the log-odds. A/B against the
    previous fit in one run on 2026-12-01 (best of 3, one BLAS thread, a
    loaded machine): 0.9x-1.1x its time at 2,000 × 3, 20,000 × 5 and
    800,000 × 20, and 1.1x at 200,000 × 10 with propensities down to 1e-13.
    Near the maximum, Newton's steps reuse the Hessian (chord steps) and skip
    the log-likelihood when the ascent is certain from the log-odds' change
    (:func:`logistic_newton`); a warm ``start`` makes a refit on overlapping
    data two or three steps (:func:`cross_fit_logistic`).

    Parameters
    ----------
    max_iter, tol :
        Newton steps at most, and the relative gain in the log-likelihood that ends them.
    start : (intercept, coefficients), optional
        Where Newton's iterations start (a warm start, as ``KMeans(init=...)``;
        :func:`cross_fit_logistic` starts each fold from the previous one's fit).
    column_moments : (means, standard deviations), optional
        Of the columns of the ``X`` that ``fit`` gets, when known: they
        standardise the columns (any centre and scale give the same fit, to
        rounding), and a standard deviation of 0 marks a constant column
        (coefficient 0), so they must be the data's.

    Raises
    ------
    DataError
        From ``fit``: not two classes; :class:`~dagcore.errors.SeparationError`
        for perfect (or quasi-complete) separation, where the likelihood has
        no maximum, naming the columns (a DataFrame's names, else "column j").

    Examples
    --------
    >>> rng = np.random.default_rng(0); x = rng.normal(size=(2000, 1))
    >>> t = (rng.random(2000) < 1 / (1 + np.exp(-(0.5 + x[:, 0])))).astype(float)
    >>> model = LogisticMLE().fit(x, t)
    >>> round(float(model.predict_proba(x)[:, 1].mean()), 2) == round(float(t.mean()), 2)
    True
    >>> np.round(model.coef_, 1).tolist(), model.classes_.tolist()
    ([[1.0]], [0.0, 1.0])
    """

    def __init__(
        self,
        max_iter: int = 100,
        tol: float = 1e-12,
        start: tuple[float, np.ndarray] | None = None,
        column_moments: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.start = start
        self.column_moments = column_moments

    def fit(self, X: Any, y: Any) -> LogisticMLE:
        """Fit on the rows of ``X`` (n × p) and two-class labels ``y``; the second sorted label is the positive class.

        A DataFrame's column names name the columns of a separation error.
        """
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise DataError(f"a logistic model needs two classes, got {self.classes_.size} ({self.classes_.tolist()[:3]})")
        intercept, coef = logistic_newton(X, (y == self.classes_[1]).astype(float), max_iter=self.max_iter, tol=self.tol, names=names,
                                          start=self.start, moments=self.column_moments)
        self.intercept_ = np.array([intercept])
        self.coef_ = coef.reshape(1, -1)
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The linear predictor (log-odds of the positive class)."""
        return np.asarray(X, dtype=float) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns: probability of ``classes_[0]`` and of ``classes_[1]``."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The more probable class."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def classifier(model: Any = None) -> Any:
    """A fresh copy of ``model`` (``sklearn.base.clone``, the user's object is never fit), or the default :class:`LogisticMLE`.

    Examples
    --------
    >>> type(classifier()).__name__
    'LogisticMLE'
    >>> from sklearn.linear_model import LogisticRegression
    >>> user = LogisticRegression(C=0.5); copy = classifier(user)
    >>> copy is not user, copy.C
    (True, 0.5)
    """
    from sklearn.base import clone

    return clone(model) if model is not None else LogisticMLE()


def regressor(model: Any = None) -> Any:
    """A fresh copy of ``model``, or the default ordinary least squares (``LinearRegression``).

    Examples
    --------
    >>> type(regressor()).__name__
    'LinearRegression'
    """
    from sklearn.base import clone
    from sklearn.linear_model import LinearRegression

    return clone(model) if model is not None else LinearRegression()


#: above this condition number the normal equations lose accuracy: the Gram-matrix least squares falls back
GRAM_CONDITION_LIMIT = 1e10


def gram_solve(gram: np.ndarray, moment: np.ndarray, fallback: Callable[[], np.ndarray]) -> np.ndarray:
    """The default least squares from its normal equations ``gram @ coef = moment``, or ``fallback()`` when ill-conditioned.

    The one rule of the Gram-matrix fits (the cross-fitted arms of AIPW and double ML,
    the meta-learners' row subsets): solve when the condition number is at most
    :data:`GRAM_CONDITION_LIMIT`, else call ``fallback`` (a least-squares fit on the rows
    themselves, the minimum-norm solution when columns are collinear).

    Examples
    --------
    >>> gram_solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]), lambda: np.zeros(2)).tolist()
    [1.0, 0.5]
    >>> gram_solve(np.ones((2, 2)), np.ones(2), lambda: np.array([0.5, 0.5])).tolist()  # collinear
    [0.5, 0.5]
    """
    try:
        if np.linalg.cond(gram) > GRAM_CONDITION_LIMIT:
            raise np.linalg.LinAlgError
        return np.asarray(np.linalg.solve(gram, moment))
    except np.linalg.LinAlgError:
        return np.asarray(fallback())


def fit_treatment_model(model: Any, X: np.ndarray, t: np.ndarray) -> Any:
    """Fit a model of the treatment: a classifier on integer labels, a regressor on the values as they are."""
    from sklearn.base import is_classifier

    return model.fit(X, t.astype(int) if is_classifier(model) else t)


def predict_treatment(fitted: Any, X: np.ndarray) -> np.ndarray:
    """E[T | X] from a fitted treatment model: P(T = 1 | X) of a classifier (``predict_proba``), else ``predict``.

    The probability column is that of class 1 in ``classes_``; a model without ``classes_`` gives its second column.
    """
    if hasattr(fitted, "predict_proba"):
        classes = getattr(fitted, "classes_", None)
        return np.asarray(fitted.predict_proba(X)[:, 1 if classes is None else list(classes).index(1)], dtype=float)
    return np.asarray(fitted.predict(X), dtype=float)


def propensity_scores(fitted: Any, X: np.ndarray) -> np.ndarray:
    """P(T = 1 | X) of a fitted treatment model, a regressor's predictions clipped to [0, 1].

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]]); t = np.array([0, 1, 0, 1])
    >>> propensity_scores(fit_treatment_model(regressor(), x, t), np.array([[-9.0], [9.0]])).tolist()
    [0.0, 1.0]
    """
    return np.clip(predict_treatment(fitted, X), 0.0, 1.0)


def crossfit_folds(
    t: np.ndarray,
    n_folds: int,
    *,
    random_state: int | None,
    stratify: bool = True,
    minimum: int = 2,
    estimator: str = "this estimator",
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) row indices of K-fold cross-fitting, shuffled; stratified on a binary treatment.

    ``n_folds=1`` (allowed with ``minimum=1``) is no cross-fitting: one
    "fold" that trains and predicts on every row.

    Raises
    ------
    EstimatorError
        ``n_folds`` below ``minimum``; fewer treated or untreated units than
        folds (stratified); fewer than two rows per fold.

    Examples
    --------
    >>> t = np.array([0, 1] * 5)
    >>> [(len(tr), len(te)) for tr, te in crossfit_folds(t, 2, random_state=0)]
    [(5, 5), (5, 5)]
    >>> crossfit_folds(np.array([0, 0, 0, 1, 1, 1]), 4, random_state=0, estimator="AIPW")
    Traceback (most recent call last):
    ...
    dagcore.errors.EstimatorError: AIPW: too few units for 4-fold cross-fitting (3 treated, 3 untreated); use fewer folds
    """
    if isinstance(n_folds, bool) or not isinstance(n_folds, (int, np.integer)) or n_folds < minimum:
        raise EstimatorError(f"{estimator} cross-fits its nuisance models: n_folds must be at least {minimum} (a whole number), got {n_folds!r}")
    n = len(t)
    if n_folds == 1:
        rows = np.arange(n)
        return [(rows, rows)]
    if stratify:
        treated = int(np.sum(t == 1))
        if min(treated, n - treated) < n_folds:
            raise EstimatorError(
                f"{estimator}: too few units for {n_folds}-fold cross-fitting ({treated} treated, {n - treated} untreated); use fewer folds"
            )
    if n < 2 * n_folds:
        raise EstimatorError(f"{estimator}: {n} rows are too few for {n_folds}-fold cross-fitting; use fewer folds")
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter = StratifiedKFold(n_folds, shuffle=True, random_state=random_state) if stratify else KFold(n_folds, shuffle=True, random_state=random_state)
    labels = np.asarray(t)
    if stratify and labels.dtype.kind in "fiub" and ((labels == 0) | (labels == 1)).all():
        labels = (labels == 1).astype(np.int8)  # the same classes in the same order, so the same folds: 99 ms instead of 121 at 10^6 rows
    return list(splitter.split(np.zeros((n, 1)), labels))


def arm_rows(rows: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The treated and the untreated among ``rows``, for outcome models fit per arm.

    Raises
    ------
    EstimatorError
        One arm is empty.
    """
    treated, untreated = rows[t[rows] == 1], rows[t[rows] == 0]
    if treated.size == 0 or untreated.size == 0:
        raise EstimatorError("a cross-fitting training set has no treated or no untreated units; use fewer folds")
    return treated, untreated


def cross_fit(
    nuisances: Callable[..., tuple[np.ndarray, ...]],
    folds: list[tuple[np.ndarray, np.ndarray]],
    n: int,
    *,
    n_jobs: int | None = None,
    extra: Sequence[Any] | None = None,
) -> tuple[np.ndarray, ...]:
    """Out-of-fold predictions: ``nuisances(train, test[, extra[k]])`` on every fold, stitched into length-``n`` arrays.

    ``nuisances`` fits its (cloned) models on ``train`` and returns one array
    of predictions at ``test`` per nuisance; folds run in parallel through
    joblib with ``n_jobs``.

    Examples
    --------
    >>> x = np.arange(6.0); folds = crossfit_folds(np.zeros(6), 3, random_state=0, stratify=False)
    >>> (held_out_mean,) = cross_fit(lambda train, test: (np.full(test.size, x[train].mean()),), folds, 6)
    >>> train, test = folds[0]
    >>> bool(np.all(held_out_mean[test] == x[train].mean()))
    True
    """
    args = [(tr, te) if extra is None else (tr, te, ex) for (tr, te), ex in zip(folds, extra if extra is not None else folds)]
    results = parallel_map(nuisances, args, n_jobs=n_jobs)
    out = tuple(np.empty(n) for _ in results[0])
    for (_, te), preds in zip(folds, results):
        for full, pred in zip(out, preds):
            full[te] = pred
    return out


def cross_fit_logistic(X: np.ndarray, t: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Out-of-fold P(T = 1 | X) of the default propensity model (:func:`classifier`: :class:`LogisticMLE`), fit on every fold.

    The same fits as ``LogisticMLE().fit(X[train], t[train])`` on every fold
    (the maximum likelihood, to about 1e-10), faster on big data: the rows
    are put in fold order once (:class:`~dagcore.estimators._folds.FoldLayout`)
    and each fold's fit reads its training rows where they lie
    (:func:`cross_fit_logistic_laid_out`).

    ``folds`` is a K-fold split: the test parts partition the rows and each
    training part holds the other rows (as :func:`crossfit_folds` makes them).

    Raises
    ------
    DataError
        A training set with one class; :class:`~dagcore.errors.SeparationError` from a fold's fit.
    ValueError
        ``folds`` is not a K-fold split.

    Examples
    --------
    >>> rng = np.random.default_rng(0); x = rng.normal(size=(600, 2)); t = (rng.random(600) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    >>> folds = crossfit_folds(t, 3, random_state=0)
    >>> e = cross_fit_logistic(x, t, folds); train, test = folds[1]
    >>> bool(np.allclose(e[test], LogisticMLE().fit(x[train], t[train]).predict_proba(x[test])[:, 1], rtol=1e-9))
    True
    """
    layout = FoldLayout(folds)
    laid_out = cross_fit_logistic_laid_out(layout.gather(np.asarray(X, dtype=float)), layout.gather(np.asarray(t, dtype=float)), layout)
    return layout.restore(laid_out)


_WARM_ROWS = 50_000  # rows of the subsample whose fit starts the first fold's Newton iterations (above 4x as many rows)


def cross_fit_logistic_laid_out(X: np.ndarray, t: np.ndarray, layout: FoldLayout) -> np.ndarray:
    """:func:`cross_fit_logistic` on rows already in ``layout``'s fold order (``layout.gather``); the scores in that order.

    Measured at 10^6 rows × 20 (benchmarks/README.md):

    - each fold's training rows are the two blocks around its held-out rows,
      read in place (:class:`~dagcore.estimators._folds.StackedRows`), not
      copied (``X[train]`` of every fold copied four times the data);
    - the first fold's Newton iterations start from a fit on a subsample of
      50,000 rows; with three folds or more, every later fold continues the
      first fold's run (:class:`_FoldPieces`: one Newton step off the first
      fold's fit, then chord steps with that Hessian, about two passes over
      its rows; with two folds, the second starts from the first's fit);
    - the columns' moments of every training set are the whole's minus its
      held-out fold's (one pass instead of one per fold).

    Separation and non-convergence are decided by each fold's fit, as in
    :class:`LogisticMLE`.

    Examples
    --------
    >>> from dagcore.estimators._folds import FoldLayout
    >>> rng = np.random.default_rng(0); x = rng.normal(size=(600, 2)); t = (rng.random(600) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    >>> layout = FoldLayout(crossfit_folds(t, 3, random_state=0))
    >>> e = layout.restore(cross_fit_logistic_laid_out(layout.gather(x), layout.gather(t), layout))
    >>> bool(np.allclose(e, cross_fit_logistic(x, t, crossfit_folds(t, 3, random_state=0)), rtol=1e-9))
    True
    """
    n = layout.n
    e = np.full(n, np.nan)
    held_out = [_column_moments(layout.held_out(X, k)) + (hi - lo,) for k, (lo, hi) in enumerate(layout.held_out_bounds)]
    total = _combined_moments(held_out)
    start: tuple[float, np.ndarray] | None = None
    if n - held_out[0][2] > 4 * _WARM_ROWS:
        positions = layout.training_positions(0)
        sub = positions[np.sort(np.random.default_rng(0).choice(positions.size, _WARM_ROWS, replace=False))]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = logistic_newton(X[sub], t[sub])
        except SeparationError:  # the subsample is separated, the fold may not be: start from 0
            start = None
    pieces: _FoldPieces | None = None
    for k, (mu_k, sd_k, n_k) in enumerate(held_out):
        t_train = layout.training_vector(t, k)
        if not t_train.size or t_train.min() == t_train.max():
            classes = np.unique(t_train).tolist()
            raise DataError(f"a logistic model needs two classes, got {len(classes)} ({classes[:3]})")
        moments = _training_moments(total, n, mu_k, sd_k, n_k)  # None: a column is (nearly) constant on these rows
        state = None
        if pieces is not None and moments is not None:
            moments, (start, state) = total, pieces.continued(k, layout)  # any centre and scale give the same fit
        intercept, coef = logistic_newton(layout.training(X, k), t_train, start=start, moments=moments, state=state)
        lo, hi = layout.held_out_bounds[k]
        e[lo:hi] = expit(_linear(layout.held_out(X, k), coef, intercept))
        start = (intercept, coef)
        if k == 0 and len(held_out) > 2:
            pieces = _FoldPieces.at(X, t, layout, start, total)
    return e


@dataclass(frozen=True)
class _FoldPieces:
    """Each held-out fold's share of the log-likelihood's score and negative Hessian at one fit (standardised by ``moments``).

    A training set's score and Hessian there are the sums over the other
    folds, so one pass over the data gives every fold's Newton step from that
    fit: the first fold's MLE, which the other folds' MLEs are close to (their
    training sets share most rows). Each further fold then starts from that
    step with its Hessian (:class:`NewtonState`) and needs about two passes
    over its rows instead of five or six (a Newton step costs one pass for the
    score and one for the Hessian), measured at 10^6 × 20 (benchmarks/README.md).
    """

    point: np.ndarray  # the fit, standardised: intercept, then one per column
    moments: tuple[np.ndarray, np.ndarray]
    scores: np.ndarray  # (folds, 1 + columns)
    hessians: np.ndarray  # (folds, 1 + columns, 1 + columns)
    eta: np.ndarray  # the fit's linear predictor, every row in fold order

    @classmethod
    def at(cls, X: np.ndarray, t: np.ndarray, layout: FoldLayout, fit: tuple[float, np.ndarray], moments: tuple[np.ndarray, np.ndarray]) -> _FoldPieces:
        mu, sd = moments
        intercept, slope = fit
        folds, k = len(layout.held_out_bounds), X.shape[1]
        scores, hessians, eta = np.empty((folds, k + 1)), np.empty((folds, k + 1, k + 1)), np.empty(len(t))
        block = _chunk_buffer(X)
        for j, (lo, hi) in enumerate(layout.held_out_bounds):
            rows = layout.held_out(X, j)
            score = _linear_and_score(rows, slope, intercept, t[lo:hi])
            eta[lo:hi] = score.eta
            scores[j, 0], scores[j, 1:] = score.resid_sum, (score.x_resid - mu * score.resid_sum) / sd
            _logistic_hessian(rows, score.p, mu, sd, _far_from_zero(mu, sd), block, hessians[j])
        return cls(np.r_[intercept + float(mu @ slope), slope * sd], moments, scores, hessians, eta)

    def continued(self, k: int, layout: FoldLayout) -> tuple[tuple[float, np.ndarray], NewtonState | None]:
        """Fold ``k``'s start (a Newton step from the fit on its training rows) and the state it continues from."""
        mu, sd = self.moments
        others = np.arange(len(self.scores)) != k
        hessian = self.hessians[others].sum(axis=0)
        try:
            step = np.linalg.solve(hessian, self.scores[others].sum(axis=0))
        except np.linalg.LinAlgError:
            step = np.zeros(len(self.point))
        b = self.point + step
        slope = b[1:] / sd
        state = NewtonState(hessian, layout.training_vector(self.eta, k), float(np.max(np.abs(step))))
        return (float(b[0] - mu @ slope), slope), state


def _combined_moments(parts: list[tuple[np.ndarray, np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the union of disjoint row sets from theirs (Chan, Golub & LeVeque 1979)."""
    n = max(sum(n_k for *_, n_k in parts), 1)
    mean = np.sum([n_k * mu_k for mu_k, _, n_k in parts], axis=0) / n
    m2 = np.sum([n_k * sd_k**2 + n_k * (mu_k - mean) ** 2 for mu_k, sd_k, n_k in parts], axis=0)
    return np.asarray(mean), np.sqrt(m2 / n)


def _training_moments(
    total: tuple[np.ndarray, np.ndarray], n: int, mu_k: np.ndarray, sd_k: np.ndarray, n_k: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Mean and standard deviation of the rows outside a held-out fold from the whole's and the fold's (Chan, Golub & LeVeque 1979).

    None when the training rows are (nearly) constant in a column, where the subtraction cancels.
    """
    mu, sd = total
    n_tr = n - n_k
    if n_tr <= 0:
        return None
    mean = (n * mu - n_k * mu_k) / n_tr
    m2 = n * sd**2 - n_k * sd_k**2 - (mu_k - mean) ** 2 * n_k * n_tr / n
    if np.any(m2 <= 1e-8 * n * sd**2):  # (nearly) constant on the training rows: compute them directly
        return None
    return mean, np.sqrt(m2 / n_tr)


@dataclass(frozen=True)
class PropensityFit:
    """A fitted propensity model: the scores, and what the M-estimation variance needs.

    Attributes
    ----------
    scores : array
        P(T = 1 | covariates) for every row.
    design : array or None
        The model's covariate matrix (without the intercept column) when the
        scores are the default logistic maximum-likelihood fit, whose score
        equations ``Σ (t - e) [1, x] = 0`` the sandwich stacks; None for a
        user's classifier.
    columns : tuple of str
        Names of the design's columns.
    """

    scores: np.ndarray
    design: np.ndarray | None = None
    columns: tuple[str, ...] = ()

    @property
    def is_mle(self) -> bool:
        """Whether the scores come from the logistic maximum-likelihood fit on ``design``."""
        return self.design is not None


def propensity_fit(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str],
    *,
    formula: str | None = None,
    model: Any = None,
    design: np.ndarray | None = None,
) -> PropensityFit:
    """P(treatment = 1 | covariates) for every row, with the model's design.

    Default: the unpenalised logistic regression (:class:`LogisticMLE`) of the
    treatment on the covariates (no L2 penalty, which would move IPW
    estimates); a ``formula`` (``"t ~ age + I(age**2) + C(edu)"``) builds the
    design with patsy and fits the same model; ``model`` is a user's
    classifier. ``design`` is the covariates' model matrix when the caller has
    built it already.

    Raises
    ------
    SeparationError
        (Quasi-)complete separation, naming the covariates involved.
    DataError
        A model that cannot be fit, or scores of exactly 0 or 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0); z = rng.normal(size=500)
    >>> df = pd.DataFrame({"z": z, "t": (rng.random(500) < 1 / (1 + np.exp(-z))).astype(float)})
    >>> fit = propensity_fit(df, "t", ["z"], formula="t ~ z + I(z**2)")
    >>> fit.columns, fit.design.shape, bool(0 < fit.scores.min() < fit.scores.max() < 1)
    (('z', 'I(z ** 2)'), (500, 2), True)
    """
    t = data[treatment].to_numpy(dtype=float)
    if not covariates and formula is None:
        return PropensityFit(np.full(len(t), t.mean()), np.zeros((len(t), 0)), ())
    columns: tuple[str, ...] = ()
    if formula is None:
        if design is None:
            frame = design_frame(data, covariates)
            X, columns = frame.to_numpy(dtype=float), tuple(str(c) for c in frame.columns)
        else:
            X = design
            columns = tuple(str(c) for c in covariates) if X.shape[1] == len(covariates) else tuple(
                str(c) for c in design_frame(data, covariates).columns
            )
    else:
        X, names = formula_design(formula, data)
        columns = tuple(names)
    user = model is not None
    try:
        if user:
            ps = propensity_scores(fit_treatment_model(classifier(model), X, t), X)
        else:
            intercept, coef = logistic_newton(X, t, names=list(columns) if len(columns) == X.shape[1] else None)
            ps = expit(X @ coef + intercept)
    except SeparationError as err:
        new = SeparationError(separation_message(repr(treatment), str(err)))
        new.columns, new.n_separated = err.columns, err.n_separated
        raise new from None
    if np.any(ps <= 0) or np.any(ps >= 1) or not np.isfinite(ps).all():
        raise DataError(f"propensity scores of exactly 0 or 1 for {treatment!r}: no overlap (positivity fails)")
    return PropensityFit(ps, None if user else X, columns)


def fit_propensity(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str],
    *,
    formula: str | None = None,
    model: Any = None,
    design: np.ndarray | None = None,
) -> np.ndarray:
    """P(treatment = 1 | covariates) for every row: the scores of :func:`propensity_fit`.

    Raises
    ------
    DataError
        Perfect separation (:class:`~dagcore.errors.SeparationError`), or a model that cannot be fit.
    """
    return propensity_fit(data, treatment, covariates, formula=formula, model=model, design=design).scores


# ---------------------------------------------------------------- flexible defaults (the CATE forest and LinearDML)
_SMOOTH_BOOSTING: dict[str, Any] = {"learning_rate": 0.05, "max_iter": 200, "min_samples_leaf": 40, "random_state": 0}

def flexible_regressor(model: Any = None) -> Any:
    """A fresh copy of ``model``, or the flexible default: scikit-learn's histogram gradient boosting.

    The default of the estimators whose nuisance models must be flexible to
    orthogonalise a nonlinear confounding (:class:`~dagcore.CausalForest`,
    :class:`~dagcore.LinearDML`): 200 boosting rounds at learning rate 0.05,
    40 rows per leaf at least (smoother than scikit-learn's defaults, which
    overfit residuals at a few thousand rows: on ``benchmarks/bench_cate.py``
    the forest's CATE RMSE went from 0.493 to 0.471), early stopping on a
    held-out tenth above 10,000 rows (scikit-learn's ``"auto"``).

    Examples
    --------
    >>> type(flexible_regressor()).__name__
    'HistGradientBoostingRegressor'
    """
    from sklearn.base import clone
    from sklearn.ensemble import HistGradientBoostingRegressor

    return clone(model) if model is not None else HistGradientBoostingRegressor(**_SMOOTH_BOOSTING)


def flexible_classifier(model: Any = None) -> Any:
    """A fresh copy of ``model``, or the flexible default for a binary treatment: histogram gradient boosting.

    Examples
    --------
    >>> type(flexible_classifier()).__name__
    'HistGradientBoostingClassifier'
    """
    from sklearn.base import clone
    from sklearn.ensemble import HistGradientBoostingClassifier

    return clone(model) if model is not None else HistGradientBoostingClassifier(**_SMOOTH_BOOSTING)


def cross_fit_models(
    fit: Callable[[np.ndarray, np.ndarray], tuple[tuple[np.ndarray, ...], Any]],
    folds: list[tuple[np.ndarray, np.ndarray]],
    n: int,
    *,
    n_jobs: int | None = None,
) -> tuple[tuple[np.ndarray, ...], list[Any]]:
    """:func:`cross_fit` that also keeps each fold's fitted models (to predict new rows by averaging them).

    ``fit(train, test)`` returns ``(predictions at test, models)``.

    Examples
    --------
    >>> x = np.arange(6.0); folds = crossfit_folds(np.zeros(6), 3, random_state=0, stratify=False)
    >>> (pred,), models = cross_fit_models(lambda tr, te: ((np.full(te.size, x[tr].mean()),), x[tr].mean()), folds, 6)
    >>> len(models), bool(np.all(pred[folds[0][1]] == models[0]))
    (3, True)
    """
    results = parallel_map(fit, [(tr, te) for tr, te in folds], n_jobs=n_jobs)
    out = tuple(np.empty(n) for _ in results[0][0])
    for (_, te), (preds, _models) in zip(folds, results):
        for full, pred in zip(out, preds):
            full[te] = pred
    return out, [models for _, models in results]
