"""Double/debiased machine learning for the partially linear model (Chernozhukov et al. 2018)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import EstimatorError
from dagcore.estimators._nuisance import (
    classifier,
    cross_fit_logistic,
    fit_treatment_model,
    predict_treatment,
    regressor,
)
from dagcore.estimators.backdoor._fold_ols import FoldGrams
from dagcore.estimators.base import NuisanceFormulas, OutcomeModelled, RepeatedSplits
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate
from dagcore.estimators.targets import treatment_kind

__all__ = ["DoubleML"]


#: The target label of the partially linear model on a binary treatment.
WATE_LABEL = "WATE (the average of the conditional effects weighted by Var(T | X); the ATE only if the effect is constant)"


class DoubleML(RepeatedSplits, NuisanceFormulas, OutcomeModelled):
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
    binary. On a binary treatment ``theta`` is the ATE only when the effect is
    constant; when it varies with ``X`` the partialling-out estimand is the
    variance-weighted average
    :math:`E[\operatorname{Var}(T \mid X)\,\tau(X)] / E[\operatorname{Var}(T \mid X)]`,
    and the estimate is labelled so (target ``WATE``); use
    :class:`~dagcore.AIPW` or :class:`~dagcore.DRLearner` for the ATE, ATT,
    ATC or ATO. A numeric treatment with 3 to 10 values is refused unless
    ``treatment_type="continuous"``.

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Model of :math:`E[Y \mid X]`; default ordinary least squares.
    treatment_model : scikit-learn estimator, optional
        Model of :math:`E[T \mid X]`. Default: ordinary least squares for a
        continuous treatment, unpenalised logistic regression (the
        maximum-likelihood fit) for a binary (0/1) one. A classifier is used through ``predict_proba``, a
        regressor through ``predict``.
    treatment_type : {"auto", "continuous"}
        ``"continuous"`` accepts a multi-valued treatment as continuous (a linear effect per unit).
    formula, propensity_formula, allow_extra_variables :
        The features of ``E[Y | X]`` and of ``E[T | X]`` as formulas (the
        treatment's terms of ``formula`` are dropped: it is partialled out),
        see :class:`~dagcore.estimators.base.NuisanceFormulas`.
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
    treatment_type: str = "auto"

    def _nuisances(
        self, X: np.ndarray, Xm: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, binary: bool,
        grams: tuple[FoldGrams | None, FoldGrams | None], propensity: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.base import is_classifier

        y_gram, t_gram = grams
        if X.shape[1] == 0:
            ell = np.full(test.size, y[train].mean())
        elif y_gram is not None:  # the default least squares, from Gram matrices
            ell = y_gram.predict(X, test)
        else:
            ell = np.asarray(regressor(self.outcome_model).fit(X[train], y[train]).predict(X[test]), dtype=float)
        if Xm.shape[1] == 0:
            return ell, np.full(test.size, t[train].mean())
        if propensity is not None:  # the default logistic model, cross-fitted at once (cross_fit_logistic)
            return ell, propensity[test]
        if t_gram is not None:
            return ell, t_gram.predict(Xm, test)
        treat = classifier(self.treatment_model) if binary else regressor(self.treatment_model)  # the user's model, else the default for this treatment
        if is_classifier(treat) and not binary:
            raise EstimatorError("treatment_model is a classifier but the treatment is not binary (0/1); pass a regressor")
        return ell, predict_treatment(fit_treatment_model(treat, Xm[train], t[train]), Xm[test])

    def _one_split(self, X: np.ndarray, Xm: np.ndarray, t: np.ndarray, y: np.ndarray, seed: int, binary: bool) -> tuple[float, float, np.ndarray]:
        n = len(t)
        folds = self._folds(t, seed, stratify=binary, estimator="double ML")
        one = np.zeros(n, dtype=int)
        y_grams = FoldGrams.per_fold(X, y, folds, one, 1) if self.outcome_model is None and X.shape[1] else [None] * len(folds)
        t_grams = (FoldGrams.per_fold(Xm, t, folds, one, 1) if self.treatment_model is None and not binary and Xm.shape[1]
                   else [None] * len(folds))
        # the default propensity: every fold's logistic MLE in one call, each warm-started from the last
        propensity = cross_fit_logistic(Xm, t, folds) if binary and self.treatment_model is None and Xm.shape[1] else None
        ell, m = self._cross_fit(lambda tr, te, g: self._nuisances(X, Xm, t, y, tr, te, binary, g, propensity), folds, n,
                                 extra=list(zip(y_grams, t_grams)))
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
        if self.treatment_type not in ("auto", "continuous"):
            raise EstimatorError(f"treatment_type must be 'auto' or 'continuous', got {self.treatment_type!r}")
        prep, covs = self._formula_prepare(data, estimand)
        t = prep.data[prep.treatment].to_numpy(dtype=float)
        y = prep.data[prep.outcome].to_numpy(dtype=float)
        X, Xm = self._feature_matrices(prep, covs)
        binary = treatment_kind(t, prep.treatment, estimator="dml", declared_continuous=self.treatment_type == "continuous") == "binary"
        value, se, runs = self._over_splits(lambda seed: self._one_split(X, Xm, t, y, seed, binary))
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
            target=(WATE_LABEL if Xm.shape[1] else "ATE") if binary else "ATE per unit of treatment",
            diagnostics=diagnostics,
            notes=prep.notes,
        )
