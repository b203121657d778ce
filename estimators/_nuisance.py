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
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from dagcore.errors import DataError, EstimatorError, SeparationError
from dagcore.estimators._data import design_matrix
from dagcore.estimators._parallel import parallel_map

__all__ = [
    "LogisticMLE",
    "arm_rows",
    "classifier",
    "cross_fit",
    "crossfit_folds",
    "cross_fit_models",
    "fit_propensity",
    "fit_treatment_model",
    "flexible_classifier",
    "flexible_regressor",
    "logistic_newton",
    "predict_treatment",
    "propensity_scores",
    "regressor",
    "separation_message",
]


_CHUNK = 1 << 14  # rows per block of the Hessian: a cache-sized buffer instead of an n x p copy


def logistic_newton(X: np.ndarray, t: np.ndarray, *, max_iter: int = 50, tol: float = 1e-10) -> tuple[float, np.ndarray]:
    """Intercept and coefficients of the unpenalised logistic regression of ``t`` (0/1) on ``[1, X]``, by Newton-Raphson from 0.

    The intercept is kept apart and the Hessian ``X' W X`` is accumulated in
    blocks of rows, so no ``n × p`` copy of ``X`` is ever made (peak memory
    of a fit is a few length-``n`` vectors beyond ``X`` itself). A step that
    lowers the log-likelihood (Newton can overshoot when a row lies far out)
    is halved until it does not.

    Raises
    ------
    DataError
        Perfect (or quasi-complete) separation: no convergence and fitted
        probabilities saturated at 0 or 1, so the likelihood has no maximum.

    Warns
    -----
    ConvergenceWarning
        No convergence within ``max_iter`` steps without separation.
    """
    n, k = X.shape
    beta = np.zeros(k + 1)
    hess = np.empty((k + 1, k + 1))
    block = np.empty((min(n, _CHUNK), k))
    eta = np.zeros(n)
    loglik = _log_likelihood(t, eta)
    converged = False
    for _ in range(max_iter):
        p = expit(eta)
        resid = t - p
        w = p * (1 - p)
        grad = np.concatenate([[resid.sum()], X.T @ resid])
        hess[0, 0] = w.sum()
        hess[0, 1:] = hess[1:, 0] = w @ X
        xwx = hess[1:, 1:]
        xwx[:] = 0.0
        for lo in range(0, n, _CHUNK):
            rows = X[lo : lo + _CHUNK]
            scaled = np.multiply(rows, np.sqrt(w[lo : lo + _CHUNK])[:, None], out=block[: len(rows)])
            xwx += scaled.T @ scaled
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        for _halving in range(30):
            new_eta = X @ (beta[1:] + step[1:]) + (beta[0] + step[0])
            new_loglik = _log_likelihood(t, new_eta)
            if new_loglik >= loglik - 1e-12 * abs(loglik):
                break
            step /= 2
        beta += step
        eta, loglik = new_eta, new_loglik
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    if np.max(np.abs(eta)) > 30 and (not converged or _log_likelihood(t, 2 * eta) >= loglik - 1e-9 * max(1.0, -loglik)):
        # saturated fitted probabilities, and either no convergence or a likelihood that stretching every
        # log-odds does not lower: the coefficients run off to infinity (one far-out row alone is no separation)
        raise SeparationError("perfect separation")
    if not converged:
        warnings.warn(
            f"the logistic model did not converge in {max_iter} Newton steps; raise max_iter", ConvergenceWarning, stacklevel=2
        )
    return float(beta[0]), beta[1:]


def _log_likelihood(t: np.ndarray, eta: np.ndarray) -> float:
    return float(t @ eta - np.logaddexp(0.0, eta).sum())


def separation_message(treatment: str) -> str:
    """The error text for perfect separation of ``treatment`` (the logistic MLE does not exist)."""
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

    Raises
    ------
    DataError
        From ``fit``: not two classes, or perfect (or quasi-complete)
        separation, where the likelihood has no maximum.

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

    def __init__(self, max_iter: int = 50, tol: float = 1e-10) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any) -> LogisticMLE:
        """Fit on the rows of ``X`` (n × p) and two-class labels ``y``; the second sorted label is the positive class."""
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise DataError(f"a logistic model needs two classes, got {self.classes_.size} ({self.classes_.tolist()[:3]})")
        try:
            intercept, coef = logistic_newton(X, (y == self.classes_[1]).astype(float), max_iter=self.max_iter, tol=self.tol)
        except SeparationError:
            raise SeparationError(separation_message("the treatment")) from None
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
    return list(splitter.split(np.zeros((n, 1)), t))


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
    if formula is None:
        X = design if design is not None else design_matrix(data, covariates)
        try:
            ps = propensity_scores(fit_treatment_model(classifier(model), X, t), X)
        except SeparationError:
            raise SeparationError(separation_message(repr(treatment))) from None
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
            raise SeparationError(separation_message(repr(treatment))) from None
        except Exception as err:
            raise DataError(f"could not fit the propensity model {formula!r}: {err}") from None
    if np.any(ps <= 0) or np.any(ps >= 1) or not np.isfinite(ps).all():
        raise DataError(f"propensity scores of exactly 0 or 1 for {treatment!r}: no overlap (positivity fails)")
    return ps


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
