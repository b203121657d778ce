"""CATE meta-learners: S-, T-, X- (Künzel et al. 2019) and DR-learner (Kennedy 2023).

Every learner fits on the adjustment set of the estimand (the features that
make treatment ignorable) plus any ``effect_modifiers``, and after ``fit``

* ``effect(new_rows)`` returns the conditional average treatment effect
  :math:`\\tau(v) = E[Y(1) - Y(0) \\mid V = v]` for each row, where ``V`` is
  ``effect_modifiers`` (default: the adjustment set);
* ``estimate_`` is the ATE, the mean CATE over the rows used, with a standard
  error: a stratified nonparametric bootstrap for the S-, T- and X-learner, the
  cross-fitted influence function (the mean of the doubly robust
  pseudo-outcomes) for the DR-learner;
* ``cate_`` holds the CATE of the rows used to fit.

When ``effect_modifiers`` does not contain the whole adjustment set, the S-,
T- and X-learner first estimate :math:`\\tau(x)` on the full feature set and
then project it on ``V`` with ``cate_model`` (least squares by default), since
:math:`E[\\tau(X) \\mid V] = \\tau(V)`; the DR-learner regresses its
pseudo-outcomes on ``V`` directly.

The treatment must be binary (0/1). Models are scikit-learn estimators
(cloned, never modified); the defaults are unpenalised: ordinary least squares
and the logistic maximum-likelihood fit.

References
----------
Künzel, S. R., Sekhon, J. S., Bickel, P. J. and Yu, B. (2019). Metalearners for
estimating heterogeneous treatment effects using machine learning. *PNAS*
116(10), 4156-4165.

Kennedy, E. H. (2023). Towards optimal doubly robust estimation of
heterogeneous causal effects. *Electronic Journal of Statistics* 17(2), 3008-3049.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import EstimatorError
from dagcore.estimators._nuisance import arm_rows, cross_fit_models, propensity_scores, regressor
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped, ClippedPropensity, CrossFitted, OutcomeModelled, PropensityModelled
from dagcore.estimators.cate._base import CateEstimator, nonempty
from dagcore.estimators.cate.linear import LinearCate, fit_linear_cate
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate
from dagcore.estimators.targets import check_target, clip_propensity, clip_rule, doubly_robust

__all__ = ["SLearner", "TLearner", "XLearner", "DRLearner"]


_nonempty = nonempty


class _MetaLearner(CateEstimator, OutcomeModelled):
    """What the meta-learners share: features, the CATE projection and ``effect``."""

    cate_model: Any = None

    # ------------------------------------------------------------ subclass hooks
    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray, dict[str, Any]]:  # pragma: no cover - abstract
        """Fit on the rows given; return a predictor of tau on F, tau at those rows and diagnostics."""
        raise NotImplementedError

    def _arms(self, tau_model: Any, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - abstract
        """The fitted outcome models' predictions (mu0, mu1) at the rows of F."""
        raise NotImplementedError

    def _extra_diagnostics(self, F: np.ndarray, t: np.ndarray) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------ shared fitting
    def _prepare(self, data: pd.DataFrame, estimand: Any) -> dict[str, Any]:
        d = self._setup(data, estimand)
        # tau(F) is already a function of V when V contains every feature
        self._project = not set(self.features_) <= set(self.effect_modifiers_)
        self._cate_on_modifiers = self._project
        return {"prep": d.prep, "t": d.t, "y": d.y, "F": d.F, "V": d.V, "notes": d.notes}

    def _final(self, V: np.ndarray, target: np.ndarray) -> Any:
        return regressor(self.cate_model).fit(_nonempty(V), target)

    def _cate_at(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, Any, np.ndarray, dict[str, Any]]:
        """Fit on these rows: (tau model on F, projection on V or None, CATE at the rows, diagnostics)."""
        tau_model, tau, diag = self._tau(F, t, y)
        if self._project:
            final = self._final(V, tau)
            return tau_model, final, np.asarray(final.predict(_nonempty(V)), dtype=float), diag
        return tau_model, None, tau, diag

    # ------------------------------------------------------------ prediction
    def _effect(self, X: np.ndarray) -> np.ndarray:
        if self.cate_model_ is not None:
            return np.asarray(self.cate_model_.predict(_nonempty(X)), dtype=float)
        return np.asarray(self.tau_model_.predict(X), dtype=float)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._arms(self.tau_model_, F)


class _BootstrappedLearner(_MetaLearner, Bootstrapped, CrossFitted, PropensityModelled):
    """The S-, T- and X-learner: the ATE is the mean CATE.

    Its SE is by default the influence function of the ATE (no refits beyond
    ``n_folds`` cross-fits); with ``n_bootstrap >= 2`` a stratified bootstrap
    that refits every model.
    """

    n_bootstrap: int = 0
    n_folds: int = 2

    def _bootstrap(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean CATE on stratified (by treatment arm) bootstrap resamples, refitting every model."""
        def one(idx: np.ndarray) -> float:
            return float(self._cate_at(F[idx], V[idx], t[idx], y[idx])[2].mean())

        return bootstrap(one, len(t), int(self.n_bootstrap), random_state=self.random_state, n_jobs=self.n_jobs, strata=t)

    def _fold(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, ...]:
        """The learner fit on ``train``: propensity, mu0, mu1 and the CATE at ``test``."""
        tau_model, final, _, _ = self._cate_at(F[train], V[train], t[train], y[train])
        mu0, mu1 = self._arms(tau_model, F[test])
        cate = np.asarray(final.predict(_nonempty(V[test])), dtype=float) if final is not None else np.asarray(tau_model.predict(F[test]), dtype=float)
        if F.shape[1]:
            e = propensity_scores(self._fit_propensity_model(F[train], t[train]), F[test])
        else:
            e = np.full(test.size, t[train].mean())
        return e, mu0, mu1, cate

    def _influence(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Cross-fitted AIPW scores of the rows and the out-of-fold CATE."""
        folds = self._folds(t, self.random_state, estimator=f"the {self.name.replace('_', '-')}")
        e, mu0, mu1, cate = self._cross_fit(lambda tr, te: self._fold(F, V, t, y, tr, te), folds, len(t))
        if ((e <= 0) | (e >= 1)).any():
            raise EstimatorError("some cross-fitted propensity scores are exactly 0 or 1 (no overlap); use n_bootstrap for bootstrap inference or drop those units")
        scores = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
        return scores, cate, {"propensity_overlap_crossfit": assess_overlap(e, t), "aipw_ate": float(scores.mean())}

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        b = self.n_bootstrap
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 0 or b == 1:  # the interval needs 2 replicates
            raise EstimatorError(f"n_bootstrap must be 0 (influence-function SE) or a whole number of at least 2, got {b!r}")
        d = self._prepare(data, estimand)
        F, V, t, y = d["F"], d["V"], d["t"], d["y"]
        self.tau_model_, self.cate_model_, cate, diag = self._cate_at(F, V, t, y)
        self.cate_ = cate
        diag = {**diag, **self._extra_diagnostics(F, t)}
        value = float(cate.mean())
        self.scores_, self.cate_oos_, extra = self._influence(F, V, t, y)
        if b:
            reps = self._bootstrap(F, V, t, y)
            se, ci = bootstrap_interval(reps, self.level)
            inference = f"bootstrap (B={self.n_bootstrap}), stratified by treatment, percentile CI"
        else:
            se, ci = float(self.scores_.std(ddof=1) / np.sqrt(len(t))), None
            inference = (f"influence function of the ATE (doubly robust scores from the learner's {self.n_folds}-fold "
                         "cross-fitted outcome models and a propensity model)")
        # a model additive in the treatment (the default linear S-learner) has one effect for everyone: its
        # coefficient, a variance-weighted average of the conditional effects when they vary, not the ATE
        additive = F.shape[1] > 0 and float(np.ptp(cate)) <= 1e-9 * max(1.0, abs(value))
        return self._result(
            estimand, value, se, len(t),
            inference=inference,
            target=("WATE (the outcome model is additive in the treatment: a variance-weighted average of the "
                    "conditional effects, the ATE only if the effect is constant; pass a flexible outcome_model)") if additive else "ATE",
            ci=ci,
            diagnostics={**diag, **extra, **self._cate_diagnostics(cate)},
            notes=d["notes"],
        )


class SLearner(_BootstrappedLearner):
    """S-learner: one outcome model of the features and the treatment; CATE = mu(x, 1) - mu(x, 0).

    With a linear ``outcome_model`` (the default) and no interactions the CATE is
    constant (the coefficient of the treatment); pass a flexible model (trees,
    boosting) to let it vary.

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Fit on the features plus the treatment (last column); default least squares.
    cate_model : scikit-learn regressor, optional
        Projects the CATE on ``effect_modifiers`` when they are not a superset of the adjustment set.
    effect_modifiers : sequence of str, optional
        Columns the CATE is a function of; default the graph's observed
        pre-treatment covariates (the adjustment set without a graph), see
        :mod:`~dagcore.estimators.cate.modifiers`.
    n_folds, propensity_model :
        The ATE's SE by default is the influence function: the doubly robust
        (AIPW) scores built from the learner refit on ``n_folds`` (2)
        cross-fitting folds and a propensity model (default the logistic
        MLE); no other refit. The point estimate is the mean CATE.
    n_bootstrap, n_jobs, random_state :
        ``n_bootstrap >= 2``: a stratified bootstrap (by treatment arm,
        refitting every model) gives the SE and a percentile CI instead
        (0: the influence function), see :class:`~dagcore.estimators.base.Bootstrapped`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    A randomized treatment with a constant effect of 2:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(1); x = rng.normal(size=1000); t = rng.binomial(1, 0.5, size=1000)
    >>> df = pd.DataFrame({"x": x, "t": t, "y": 2 * t + x + rng.normal(size=1000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})
    >>> s = SLearner(n_bootstrap=50).fit(df, e)
    >>> s.estimate_.ci[0] < 2.0 < s.estimate_.ci[1]
    True
    >>> bool(np.ptp(s.effect(df.head(5))) < 1e-9)  # a linear S-learner has a constant CATE
    True
    """

    name = "s_learner"

    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray, dict[str, Any]]:
        model = regressor(self.outcome_model).fit(np.column_stack([F, t]), y)
        tau = _SLearnerEffect(model)
        return tau, tau.predict(F), {}

    def _arms(self, tau_model: Any, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = F.shape[0]
        model = tau_model.model
        return (np.asarray(model.predict(np.column_stack([F, np.zeros(n)])), dtype=float),
                np.asarray(model.predict(np.column_stack([F, np.ones(n)])), dtype=float))


class _SLearnerEffect:
    """tau(x) = mu(x, 1) - mu(x, 0) from a fitted S-learner outcome model."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, F: np.ndarray) -> np.ndarray:
        n = F.shape[0]
        return np.asarray(self.model.predict(np.column_stack([F, np.ones(n)])) - self.model.predict(np.column_stack([F, np.zeros(n)])), dtype=float)


class _Difference:
    """tau(x) = mu1(x) - mu0(x)."""

    def __init__(self, mu1: Any, mu0: Any) -> None:
        self.mu1, self.mu0 = mu1, mu0

    def predict(self, F: np.ndarray) -> np.ndarray:
        F = _nonempty(F)
        return np.asarray(self.mu1.predict(F), dtype=float) - np.asarray(self.mu0.predict(F), dtype=float)


class TLearner(_BootstrappedLearner):
    """T-learner: one outcome model per treatment arm; CATE = mu1(x) - mu0(x).

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Cloned and fit in each arm; default least squares.
    cate_model, effect_modifiers, n_folds, propensity_model, n_bootstrap, n_jobs, random_state, level, dropna :
        As in :class:`SLearner`.

    Examples
    --------
    An effect that varies with ``x`` (``1 + 2x``), recovered row by row:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(1); x = rng.normal(size=2000)
    >>> t = (rng.random(2000) < 1 / (1 + np.exp(-x))).astype(float)
    >>> df = pd.DataFrame({"x": x, "t": t, "y": (1 + 2 * x) * t + x + rng.normal(size=2000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})
    >>> tl = TLearner(n_bootstrap=50).fit(df, e)
    >>> tl.effect(pd.DataFrame({"x": [-1.0, 0.0, 1.0]})).round(1).tolist()
    [-1.0, 1.0, 3.0]
    >>> tl.estimate_.inference
    'bootstrap (B=50), stratified by treatment, percentile CI'
    """

    name = "t_learner"

    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray, dict[str, Any]]:
        G = _nonempty(F)
        mu1 = regressor(self.outcome_model).fit(G[t == 1], y[t == 1])
        mu0 = regressor(self.outcome_model).fit(G[t == 0], y[t == 0])
        tau = _Difference(mu1, mu0)
        return tau, tau.predict(F), {}

    def _arms(self, tau_model: Any, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        G = _nonempty(F)
        return np.asarray(tau_model.mu0.predict(G), dtype=float), np.asarray(tau_model.mu1.predict(G), dtype=float)


class _XCombination:
    """tau(x) = g(x) tau0(x) + (1 - g(x)) tau1(x), g the propensity score (Künzel et al. 2019)."""

    def __init__(self, tau1: Any, tau0: Any, propensity: Any, mu1: Any, mu0: Any) -> None:
        self.tau1, self.tau0, self.propensity = tau1, tau0, propensity
        self.mu1, self.mu0 = mu1, mu0

    def predict(self, F: np.ndarray) -> np.ndarray:
        F = _nonempty(F)
        g = propensity_scores(self.propensity, F)
        return g * np.asarray(self.tau0.predict(F), dtype=float) + (1 - g) * np.asarray(self.tau1.predict(F), dtype=float)


class XLearner(_BootstrappedLearner):
    """X-learner (Künzel et al. 2019): impute individual effects across arms, model them, combine by the propensity.

    Stage 1 fits ``mu0`` on the controls and ``mu1`` on the treated; stage 2
    regresses the imputed effects ``D1 = Y - mu0(X)`` (treated) and
    ``D0 = mu1(X) - Y`` (controls) on the features with ``cate_model``, giving
    ``tau1`` and ``tau0``; the CATE is ``e(x) tau0(x) + (1 - e(x)) tau1(x)``
    with ``e`` the propensity score.

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Stage-1 model in each arm; default least squares.
    propensity_model : scikit-learn classifier, optional
        The weight ``e(x)``; default unpenalised logistic regression.
    cate_model : scikit-learn regressor, optional
        Stage-2 model of the imputed effects, also the projection on
        ``effect_modifiers`` when needed; default least squares.
    effect_modifiers, n_folds, n_bootstrap, n_jobs, random_state, level, dropna :
        As in :class:`SLearner`.

    Examples
    --------
    The same effect ``1 + 2x`` with only one unit in ten treated:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(1); x = rng.normal(size=2000)
    >>> t = (rng.random(2000) < 0.1).astype(float)  # few treated units: the case the X-learner is made for
    >>> df = pd.DataFrame({"x": x, "t": t, "y": (1 + 2 * x) * t + x + rng.normal(size=2000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})
    >>> XLearner(n_bootstrap=50).fit(df, e).effect(pd.DataFrame({"x": [-1.0, 0.0, 1.0]})).round(1).tolist()
    [-1.0, 0.9, 2.8]
    """

    name = "x_learner"

    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray, dict[str, Any]]:
        G = _nonempty(F)
        tr, co = t == 1, t == 0
        mu1 = regressor(self.outcome_model).fit(G[tr], y[tr])
        mu0 = regressor(self.outcome_model).fit(G[co], y[co])
        d1 = y[tr] - np.asarray(mu0.predict(G[tr]), dtype=float)
        d0 = np.asarray(mu1.predict(G[co]), dtype=float) - y[co]
        tau1 = regressor(self.cate_model).fit(G[tr], d1)
        tau0 = regressor(self.cate_model).fit(G[co], d0)
        prop = self._fit_propensity_model(G, t)
        tau = _XCombination(tau1, tau0, prop, mu1, mu0)
        return tau, tau.predict(F), {}

    def _arms(self, tau_model: Any, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        G = _nonempty(F)
        return np.asarray(tau_model.mu0.predict(G), dtype=float), np.asarray(tau_model.mu1.predict(G), dtype=float)

    def _extra_diagnostics(self, F: np.ndarray, t: np.ndarray) -> dict[str, Any]:
        return {"propensity_overlap": assess_overlap(propensity_scores(self.tau_model_.propensity, _nonempty(F)), t)}


class DRLearner(_MetaLearner, CrossFitted, ClippedPropensity):
    """DR-learner (Kennedy 2023): regress cross-fitted doubly robust pseudo-outcomes on the effect modifiers.

    With cross-fitted propensity ``e`` and arm-specific outcome models ``mu1``,
    ``mu0`` (fit on the other folds), the pseudo-outcome of row ``i`` is the
    AIPW score

    .. math:: \\varphi_i = \\mu_1(X_i) - \\mu_0(X_i) + \\frac{T_i (Y_i - \\mu_1(X_i))}{e(X_i)}
              - \\frac{(1 - T_i)(Y_i - \\mu_0(X_i))}{1 - e(X_i)},

    whose conditional mean given ``V`` is the CATE. ``cate_model`` regresses
    ``phi`` on ``V`` for ``effect``; the ATE in ``estimate_`` is the mean of
    ``phi`` with SE ``sd(phi) / sqrt(n)`` (the influence function; identical
    to :class:`~dagcore.AIPW` with the same folds).

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Fit in each arm; default least squares.
    cate_model : scikit-learn regressor, optional
        Final-stage model of the pseudo-outcomes; default least squares.
    effect_modifiers : sequence of str, optional
        As in :class:`SLearner`.
    target : {"ATE", "ATT", "ATC", "ATO"}
        The average effect in ``estimate_``: the mean of the influence
        function of that target (:func:`~dagcore.estimators.targets.doubly_robust`;
        the ATT's weighs the controls by the odds ``e / (1 - e)``). The CATE
        (``effect``) does not depend on it.
    propensity_model, trim :
        The propensity model and its clipping (default at 0.01 and 0.99, at
        the ends the target divides by), see
        :class:`~dagcore.estimators.base.ClippedPropensity`.
    n_folds, n_jobs, random_state :
        Cross-fitting of the nuisances (at least 2 folds), see
        :class:`~dagcore.estimators.base.CrossFitted`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    The ATE (here 1) and the CATE ``1 + 2x`` from one set of pseudo-outcomes:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(1); n = 3000; x = rng.normal(size=n); t = rng.binomial(1, 1 / (1 + np.exp(-x)))
    >>> df = pd.DataFrame({"x": x, "t": t, "y": (1 + 2 * x) * t + x + rng.normal(size=n)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})
    >>> dr = DRLearner().fit(df, e)
    >>> dr.estimate_.ci[0] < 1.0 < dr.estimate_.ci[1]
    True
    >>> dr.effect(pd.DataFrame({"x": [-1.0, 1.0]})).round(0).tolist()
    [-1.0, 3.0]
    """

    name = "dr_learner"

    target: str = "ATE"

    def _nuisances(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> tuple[tuple[np.ndarray, ...], Any]:
        G = _nonempty(F)
        tr1, tr0 = arm_rows(train, t)
        prop = self._fit_propensity_model(G[train], t[train])
        m1 = regressor(self.outcome_model).fit(G[tr1], y[tr1])
        m0 = regressor(self.outcome_model).fit(G[tr0], y[tr0])
        e = propensity_scores(prop, G[test])
        mu1 = np.asarray(m1.predict(G[test]), dtype=float)
        mu0 = np.asarray(m0.predict(G[test]), dtype=float)
        return (e, mu1, mu0), (m0, m1)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        target = check_target(self.target, ("ATE", "ATT", "ATC", "ATO"), "dr_learner")
        d = self._prepare(data, estimand)
        F, V, t, y = d["F"], d["V"], d["t"], d["y"]
        self._cate_on_modifiers = True  # the pseudo-outcomes are regressed on the modifiers directly
        n = len(t)
        folds = self._folds(t, self.random_state, estimator="the DR-learner")
        (e, mu1, mu0), self.outcome_models_ = cross_fit_models(
            lambda tr, te: self._nuisances(F, t, y, tr, te), folds, n, n_jobs=self.n_jobs
        )
        overlap = assess_overlap(e, t)
        # the pseudo-outcomes divide by e and 1 - e whatever the target: they are clipped at both ends
        e_cate, clipped = clip_propensity(e, "ATE", self.trim)
        if ((e_cate <= 0) | (e_cate >= 1)).any():
            raise EstimatorError("some propensity scores are exactly 0 or 1 (no overlap); set trim > 0 or drop those units")
        dr = doubly_robust(t, y, clip_propensity(e, target, self.trim)[0], mu1, mu0, target)
        phi = doubly_robust(t, y, e_cate, mu1, mu0, "ATE").pseudo_outcomes
        self.pseudo_outcomes_ = self.scores_ = phi
        self.tau_model_ = None
        diagnostics: dict[str, Any] = {
            "propensity_overlap": overlap,
            "clipping": {"rule": clip_rule("ATE", self.trim) + " for the pseudo-outcomes", "n_clipped": clipped},
        }
        if self.cate_model is None:
            # the default least-squares final stage: sandwich covariance, pointwise intervals, coefficient table
            self.final_: LinearCate | None = fit_linear_cate(V, self._modifier_names, phi)
            self.cate_model_ = self.final_
            self.coefficients_ = self.final_.table(self.level)
            diagnostics["coefficients"] = self.coefficients_.to_dict()
        else:
            self.final_ = None
            self.cate_model_ = self._final(V, phi)
        self.cate_ = np.asarray(self.cate_model_.predict(V if self.final_ is not None else _nonempty(V)), dtype=float)
        self.cate_oos_ = np.empty(n)
        for train, test in folds:  # the final stage without each fold, for the heterogeneity tests
            if self.final_ is not None:
                Z = np.column_stack([np.ones(train.size), V[train]])
                beta = np.linalg.lstsq(Z, phi[train], rcond=None)[0]
                self.cate_oos_[test] = beta[0] + V[test] @ beta[1:]
            else:
                self.cate_oos_[test] = self._final(V[train], phi[train]).predict(_nonempty(V[test]))
        return self._result(
            estimand, dr.value, dr.se, n,
            inference=f"influence function (mean of doubly robust pseudo-outcomes), {self.n_folds}-fold cross-fitting; "
            f"{clip_rule(target, self.trim)}",
            target=target,
            diagnostics={**diagnostics, **self._cate_diagnostics(self.cate_)},
            notes=d["notes"],
        )

    def _effect(self, X: np.ndarray) -> np.ndarray:
        if self.final_ is not None:
            return self.final_.predict(X)
        return np.asarray(self.cate_model_.predict(_nonempty(X)), dtype=float)

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        if self.final_ is None:
            raise EstimatorError(
                "this DR-learner's final stage is a user cate_model, which gives no pointwise interval; "
                "leave cate_model unset (least squares with a sandwich covariance) or use method='causal_forest'"
            )
        return self.final_.interval(X, level)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        G = _nonempty(F)
        mu0 = np.mean([np.asarray(m0.predict(G), dtype=float) for m0, _ in self.outcome_models_], axis=0)
        mu1 = np.mean([np.asarray(m1.predict(G), dtype=float) for _, m1 in self.outcome_models_], axis=0)
        return mu0, mu1
