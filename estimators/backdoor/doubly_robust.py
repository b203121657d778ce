"""Augmented inverse probability weighting (doubly robust) with cross-fitting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.estimators._data import check_binary, design_matrix, prepare
from dagcore.estimators._nuisance import arm_rows, propensity_scores, regressor
from dagcore.estimators.base import ClippedPropensity, OutcomeModelled, RepeatedSplits
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate

__all__ = ["AIPW"]


class _ArmGrams:
    """Least squares of the outcome on ``[1, X]`` within each treatment arm of a training set, from Gram matrices.

    ``per_fold`` accumulates ``A'A`` and ``A'y`` once per held-out fold and arm; a training set's fit is
    the total minus its held-out fold, so the ten regressions of 5-fold AIPW cost one pass over the data.
    The coefficients are those of ``LinearRegression`` (the normal equations; least squares when singular).
    """

    def __init__(self, gram: np.ndarray, moment: np.ndarray, fallback: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
        self.gram, self.moment, self.fallback = gram, moment, fallback

    @classmethod
    def per_fold(cls, X: np.ndarray, t: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> list[_ArmGrams]:
        p = X.shape[1] + 1
        gram = np.zeros((len(folds), 2, p, p))
        moment = np.zeros((len(folds), 2, p))
        for i, (_, test) in enumerate(folds):
            for arm in (0, 1):
                rows = test[t[test] == arm]
                A = np.column_stack([np.ones(rows.size), X[rows]])
                gram[i, arm], moment[i, arm] = A.T @ A, A.T @ y[rows]
        total_gram, total_moment = gram.sum(axis=0), moment.sum(axis=0)
        return [cls(total_gram - gram[i], total_moment - moment[i], (X, t, y, train)) for i, (train, _) in enumerate(folds)]

    def predict(self, X: np.ndarray, rows: np.ndarray, arm: int) -> np.ndarray:
        try:
            if np.linalg.cond(self.gram[arm]) > 1e10:  # (nearly) collinear: the normal equations lose accuracy
                raise np.linalg.LinAlgError
            coef = np.linalg.solve(self.gram[arm], self.moment[arm])
        except np.linalg.LinAlgError:
            Xf, tf, yf, train = self.fallback
            fit = train[tf[train] == arm]
            coef = np.linalg.lstsq(np.column_stack([np.ones(fit.size), Xf[fit]]), yf[fit], rcond=None)[0]
        return coef[0] + X[rows] @ coef[1:]


class AIPW(RepeatedSplits, ClippedPropensity, OutcomeModelled):
    """Augmented IPW (doubly robust) with K-fold cross-fitting and an influence-function SE.

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Fit separately in each treatment arm; default ordinary least squares.
    propensity_model, trim :
        The propensity model and its clipping, see
        :class:`~dagcore.estimators.base.ClippedPropensity`.
    n_folds, n_repeats, n_jobs, random_state :
        Cross-fitting, see :class:`~dagcore.estimators.base.RepeatedSplits`;
        here ``n_folds=1`` is allowed and means no cross-fitting (the
        nuisances are fit on all rows).
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    Cross-fitted nuisance models on a confounded binary treatment (effect 1):

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(2); n = 3000; z = rng.normal(size=n)
    >>> t = rng.binomial(1, 1 / (1 + np.exp(-z))); y = 1.0 * t + z + rng.normal(size=n)
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> est = AIPW().fit(pd.DataFrame({"z": z, "t": t, "y": y}), e).estimate_
    >>> est.ci[0] < 1.0 < est.ci[1], est.inference
    (True, 'influence function, 5-fold cross-fitting')
    """

    name = "aipw"
    strategies = ("backdoor", "randomized")

    def _nuisances(
        self, X: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, gram: _ArmGrams | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tr1, tr0 = arm_rows(train, t)
        if X.shape[1] == 0:
            return np.full(test.size, t[train].mean()), np.full(test.size, y[tr1].mean()), np.full(test.size, y[tr0].mean())
        e = propensity_scores(self._fit_propensity_model(X[train], t[train]), X[test])
        if gram is not None:  # the default linear outcome model, from Gram matrices
            return e, gram.predict(X, test, 1), gram.predict(X, test, 0)
        mu1 = regressor(self.outcome_model).fit(X[tr1], y[tr1]).predict(X[test])
        mu0 = regressor(self.outcome_model).fit(X[tr0], y[tr0]).predict(X[test])
        return e, mu1, mu0

    def _one_split(self, X: np.ndarray, t: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float, np.ndarray]:
        n = len(t)
        folds = self._folds(t, seed, minimum=1, estimator="AIPW")
        fast = self.outcome_model is None and X.shape[1] and len(folds) > 1
        grams = _ArmGrams.per_fold(X, t, y, folds) if fast else [None] * len(folds)
        e, mu1, mu0 = self._cross_fit(lambda tr, te, gm: self._nuisances(X, t, y, tr, te, gm), folds, n, extra=grams)
        if self.trim:
            e = np.clip(e, self.trim, 1 - self.trim)
        psi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
        value = float(psi.mean())
        se = float(psi.std(ddof=1) / np.sqrt(n))
        return value, se, e

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        prep = prepare(data, t_name, y_name, covs, dropna=self.dropna)
        t = check_binary(prep.data, t_name, estimator="AIPW")
        y = prep.data[y_name].to_numpy(dtype=float)
        X = design_matrix(prep.data, covs)
        value, se, runs = self._over_splits(lambda seed: self._one_split(X, t, y, seed))
        overlap = assess_overlap(runs[0][2], t)
        folds = f"{self.n_folds}-fold cross-fitting" if self.n_folds > 1 else "no cross-fitting"
        reps = f", median of {self.n_repeats} splits" if self.n_repeats > 1 else ""
        return self._result(
            estimand, value, se, len(t),
            inference=f"influence function, {folds}{reps}",
            diagnostics={"propensity_overlap": overlap},
            notes=prep.notes,
        )
