"""Double/debiased machine learning for the partially linear model (Chernozhukov et al. 2018)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import EstimatorError
from dagcore.estimators._data import design_matrix, prepare
from dagcore.estimators._nuisance import classifier, fit_treatment_model, predict_treatment, regressor
from dagcore.estimators.base import OutcomeModelled, RepeatedSplits
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate

__all__ = ["DoubleML"]


def _is_binary(values: np.ndarray) -> bool:
    return set(np.unique(values).tolist()) <= {0.0, 1.0}


class DoubleML(RepeatedSplits, OutcomeModelled):
    r"""Double machine learning in the partially linear model, cross-fitted (partialling out).

    The model is :math:`Y = \theta T + g(X) + \varepsilon` with
    :math:`E[\varepsilon \mid T, X] = 0`, where ``X`` is the adjustment set.
    Both nuisances, :math:`\ell(X) = E[Y \mid X]` and :math:`m(X) = E[T \mid X]`,
    are fitted on the other folds and predicted on the held-out fold; the
    estimate solves the Neyman-orthogonal (partialling-out) score
    :math:`\psi = (\tilde Y - \theta \tilde T)\,\tilde T` with the residuals
    :math:`\tilde Y = Y - \hat\ell(X)`, :math:`\tilde T = T - \hat m(X)` pooled
    over the folds ("DML2"):

    .. math:: \hat\theta = \sum_i \tilde T_i \tilde Y_i \big/ \sum_i \tilde T_i^2,
              \qquad \widehat{\mathrm{SE}}^2 = \frac{1}{n}\,\frac{\overline{\psi^2}}{\left(\overline{\tilde T^2}\right)^2}.

    With ``n_repeats > 1`` the sample is re-split, :math:`\hat\theta` is the
    median over splits and the SE is the median of
    :math:`\sqrt{\widehat{\mathrm{SE}}_r^2 + (\hat\theta_r - \hat\theta)^2}`
    (Chernozhukov et al. 2018, section 3.4).

    The treatment may be continuous (``theta`` is the effect per unit) or
    binary (``theta`` is the ATE when the effect is constant; when it varies
    with ``X`` the partialling-out estimand is the variance-weighted average
    :math:`E[\operatorname{Var}(T \mid X)\,\tau(X)] / E[\operatorname{Var}(T \mid X)]`;
    use :class:`~dagcore.AIPW` or :class:`~dagcore.DRLearner` for the ATE then).

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Model of :math:`E[Y \mid X]`; default ordinary least squares.
    treatment_model : scikit-learn estimator, optional
        Model of :math:`E[T \mid X]`. Default: ordinary least squares for a
        continuous treatment, unpenalised logistic regression (the
        maximum-likelihood fit) for a binary (0/1) one. A classifier is used through ``predict_proba``, a
        regressor through ``predict``.
    n_folds, n_repeats, n_jobs, random_state :
        Cross-fitting, see :class:`~dagcore.estimators.base.RepeatedSplits`
        (at least 2 folds; stratified by treatment only when it is binary).
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    References
    ----------
    Chernozhukov, V., Chetverikov, D., Demirer, M., Duflo, E., Hansen, C.,
    Newey, W. and Robins, J. (2018). Double/debiased machine learning for
    treatment and structural parameters. *The Econometrics Journal* 21(1), C1-C68.

    Examples
    --------
    A continuous treatment whose confounder acts on the outcome through ``sin(z)``:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(0); z = rng.normal(size=2000)
    >>> t = z + rng.normal(size=2000)
    >>> df = pd.DataFrame({"z": z, "t": t, "y": 0.5 * t + np.sin(z) + rng.normal(size=2000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> est = DoubleML().fit(df, e).estimate_
    >>> est.ci[0] < 0.5 < est.ci[1], est.target
    (True, 'ATE per unit of treatment')
    """

    name = "dml"
    strategies = ("backdoor",)

    treatment_model: Any = None

    def _nuisances(self, X: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, binary: bool) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.base import is_classifier

        if X.shape[1] == 0:
            return np.full(test.size, y[train].mean()), np.full(test.size, t[train].mean())
        ell = np.asarray(regressor(self.outcome_model).fit(X[train], y[train]).predict(X[test]), dtype=float)
        treat = classifier(self.treatment_model) if binary else regressor(self.treatment_model)  # the user's model, else the default for this treatment
        if is_classifier(treat) and not binary:
            raise EstimatorError("treatment_model is a classifier but the treatment is not binary (0/1); pass a regressor")
        return ell, predict_treatment(fit_treatment_model(treat, X[train], t[train]), X[test])

    def _one_split(self, X: np.ndarray, t: np.ndarray, y: np.ndarray, seed: int, binary: bool) -> tuple[float, float, np.ndarray]:
        n = len(t)
        folds = self._folds(t, seed, stratify=binary, estimator="double ML")
        ell, m = self._cross_fit(lambda tr, te: self._nuisances(X, t, y, tr, te, binary), folds, n)
        v = t - m
        u = y - ell
        denom = float(np.mean(v * v))
        if not denom > 1e-12 * max(1.0, float(np.var(t))):
            raise EstimatorError("the treatment is (almost) perfectly predicted by the adjustment set: no residual variation to estimate from")
        theta = float(np.mean(v * u) / denom)
        psi = (u - theta * v) * v
        se = float(np.sqrt(np.mean(psi**2) / denom**2 / n))
        return theta, se, v

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        prep = prepare(data, t_name, y_name, covs, dropna=self.dropna)
        t = prep.data[t_name].to_numpy(dtype=float)
        y = prep.data[y_name].to_numpy(dtype=float)
        X = design_matrix(prep.data, covs)
        binary = _is_binary(t)
        value, se, runs = self._over_splits(lambda seed: self._one_split(X, t, y, seed, binary))
        reps = f", median of {self.n_repeats} splits" if self.n_repeats > 1 else ""
        diagnostics: dict[str, Any] = {
            "treatment": "binary" if binary else "continuous",
            "residual_treatment_variance": float(np.mean(runs[0][2] ** 2)),
        }
        if binary:  # the treatment model is a propensity: its overlap goes on the estimate
            diagnostics["propensity_overlap"] = assess_overlap(np.clip(t - runs[0][2], 0.0, 1.0), t)
        if self.n_repeats > 1:
            diagnostics["split_estimates"] = [float(r[0]) for r in runs]
        return self._result(
            estimand, value, se, len(t),
            inference=f"orthogonal score (partialling out), {self.n_folds}-fold cross-fitting{reps}",
            target="ATE" if binary else "ATE per unit of treatment",
            diagnostics=diagnostics,
            notes=prep.notes,
        )
