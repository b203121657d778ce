"""LinearDML: a CATE linear in the effect modifiers, on cross-fitted residuals, with its sandwich covariance.

The model is :math:`Y = \\tau(V) T + g(X) + \\varepsilon` with
:math:`\\tau(v) = [1, v]\\beta` (EconML's ``LinearDML``). The nuisances
:math:`m(X) = E[Y \\mid X]` and :math:`e(X) = E[T \\mid X]` are cross-fitted on
the features ``X`` (controls and modifiers), and ``beta`` solves the
residual-on-residual least squares :math:`\\tilde Y = (\\tilde T [1, V])\\beta + u`;
its covariance is the heteroskedasticity-robust sandwich (HC1), so
``effect_interval`` and the coefficient table (``coefficients_``) come with
it. The treatment may be binary or continuous (``tau`` is then the effect per unit).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import EstimatorError
from dagcore.estimators._nuisance import (
    cross_fit_models,
    predict_treatment,
)
from dagcore.estimators.base import CrossFitted, OutcomeModelled
from dagcore.estimators.cate._base import CateEstimator, nonempty, residual_nuisances
from dagcore.estimators.cate.linear import LinearCate, fit_linear_cate
from dagcore.estimators.result import Estimate

__all__ = ["LinearDML"]


class LinearDML(CateEstimator, CrossFitted, OutcomeModelled):
    """Double ML with a linear final stage: ``tau(v) = [1, v] beta``, sandwich covariance, coefficient table.

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Model of ``E[Y | X]``; default histogram gradient boosting (flexible,
        as the residualisation needs).
    treatment_model : scikit-learn estimator, optional
        Model of ``E[T | X]``: a classifier for a 0/1 treatment, a regressor
        otherwise; default histogram gradient boosting.
    effect_modifiers : sequence of str, optional
        The CATE's inputs, see :class:`~dagcore.estimators.cate._base.CateEstimator`.
    n_folds, n_jobs, random_state :
        Cross-fitting, see :class:`~dagcore.estimators.base.CrossFitted`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Attributes
    ----------
    coefficients_ : CoefficientTable
        ``intercept`` and one coefficient per modifier column, with SE, interval and p-value.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> rng = np.random.default_rng(2); n = 4000; x = rng.normal(size=n); t = rng.binomial(1, 0.5, n)
    >>> df = pd.DataFrame({"x": x, "t": t, "y": (1 + 2 * x) * t + x + rng.normal(size=n)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})
    >>> dml = LinearDML(outcome_model=LinearRegression(), treatment_model=LogisticRegression()).fit(df, e)  # E[Y | x] is linear here
    >>> table = dml.coefficients_.to_frame()  # intercept 1 and slope 2, with sandwich SEs
    >>> list(table.index), bool(((table.lower < [1, 2]) & (table.upper > [1, 2])).all())
    (['intercept', 'x'], True)
    >>> lo, hi = dml.effect_interval(pd.DataFrame({"x": [1.0]}))
    >>> bool(lo[0] < 3.0 < hi[0])
    True
    """

    name = "linear_dml"

    treatment_model: Any = None

    def _nuisances(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, binary: bool, train: np.ndarray, test: np.ndarray) -> tuple[tuple[np.ndarray, ...], Any]:
        return residual_nuisances(self.outcome_model, self.treatment_model, F, t, y, binary, train, test)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        d = self._setup(data, estimand, binary=False)
        t, y, F, V = d.t, d.y, d.F, d.V
        n = len(t)
        binary = set(np.unique(t).tolist()) <= {0.0, 1.0}
        folds = self._folds(t, self.random_state, stratify=binary, estimator="LinearDML")
        (m, e), self.nuisance_models_ = cross_fit_models(lambda tr, te: self._nuisances(F, t, y, binary, tr, te), folds, n, n_jobs=self.n_jobs)
        rt, ry = t - e, y - m
        if not float(np.mean(rt * rt)) > 1e-12 * max(1.0, float(np.var(t))):
            raise EstimatorError("the treatment is (almost) perfectly predicted by the features: no residual variation to estimate from")
        self.final_: LinearCate = fit_linear_cate(V, self._modifier_names, ry, scale=rt)
        self.coefficients_ = self.final_.table(self.level)
        self.binary_ = binary
        cate = self.final_.predict(V)
        self.cate_ = cate
        self.cate_oos_ = self._cross_fitted_cate(V, ry, rt, folds)
        # ATE = mean_i [1, v_i] beta: the gradient term of beta plus the sampling of the v_i
        g = np.r_[1.0, V.mean(axis=0)] if V.shape[1] else np.array([1.0])
        value = float(cate.mean())
        se = float(np.sqrt(g @ self.final_.cov @ g + cate.var(ddof=1) / n))
        if binary:
            ec = np.clip(e, 0.01, 0.99)
            mu0, mu1 = m - ec * cate, m + (1 - ec) * cate
            self.scores_: np.ndarray | None = cate + t * (y - mu1) / ec - (1 - t) * (y - mu0) / (1 - ec)
        else:
            self.scores_ = None
        return self._result(
            estimand, value, se, n,
            inference=f"sandwich (HC1) covariance of the linear final stage, {self.n_folds}-fold cross-fitted nuisances",
            target="ATE" if binary else "ATE per unit of treatment",
            diagnostics={"treatment": "binary" if binary else "continuous", "coefficients": self.coefficients_.to_dict(),
                         **self._cate_diagnostics(cate)},
            notes=d.notes,
        )

    def _cross_fitted_cate(self, V: np.ndarray, ry: np.ndarray, rt: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """The final stage refit without each fold, predicted on it (the out-of-sample proxy of the heterogeneity tests)."""
        out = np.empty(len(ry))
        for train, test in folds:
            Z = np.column_stack([np.ones(train.size), V[train]]) * rt[train, None]
            beta = np.linalg.lstsq(Z, ry[train], rcond=None)[0]
            out[test] = beta[0] + V[test] @ beta[1:]
        return out

    def _effect(self, X: np.ndarray) -> np.ndarray:
        return self.final_.predict(X)

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return self.final_.interval(X, level)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self.binary_:
            raise EstimatorError("potential outcomes Y(0), Y(1) need a binary (0/1) treatment")
        G = nonempty(F)
        m = np.mean([np.asarray(o.predict(G), dtype=float) for o, _ in self.nuisance_models_], axis=0)
        e = np.mean([predict_treatment(tm, G) for _, tm in self.nuisance_models_], axis=0)
        V = F[:, [self._feature_names.index(c) for c in self._modifier_names]] if self._modifier_names else np.zeros((len(F), 0))
        tau = self._effect(V)
        return m - e * tau, m + (1 - e) * tau
