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

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators._data import check_binary, design_frame, prepare
from dagcore.estimators._nuisance import arm_rows, propensity_scores, regressor
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped, ClippedPropensity, CrossFitted, OutcomeModelled, PropensityModelled
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate

__all__ = ["SLearner", "TLearner", "XLearner", "DRLearner"]


def _nonempty(X: np.ndarray) -> np.ndarray:
    """Models need at least one column: no features means a constant one (intercept-only fits)."""
    return X if X.shape[1] else np.zeros((X.shape[0], 1))


class _MetaLearner(OutcomeModelled):
    """What the meta-learners share: features, the CATE projection and ``effect``."""

    strategies = ("backdoor", "randomized")

    cate_model: Any = None
    effect_modifiers: Sequence[str] | None = None

    # ------------------------------------------------------------ features
    def _design(self, data: pd.DataFrame, columns: list[str], names: list[str] | None) -> tuple[np.ndarray, list[str]]:
        """Design matrix of ``columns``; with ``names`` (from fitting) new rows get exactly those columns."""
        if not columns:
            return np.zeros((len(data), 0)), []
        if names is None:
            frame = design_frame(data, columns)
            return frame.to_numpy(dtype=float), [str(c) for c in frame.columns]
        frame = data[list(columns)]
        cat = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c]) or isinstance(frame[c].dtype, pd.CategoricalDtype)]
        if cat:
            frame = pd.get_dummies(frame, columns=cat, drop_first=False, dtype=float)
        frame.columns = [str(c) for c in frame.columns]
        return frame.reindex(columns=names, fill_value=0.0).to_numpy(dtype=float), names

    def _modifiers(self, covs: list[str]) -> list[str]:
        if self.effect_modifiers is None:
            return list(covs)
        mods = [self.effect_modifiers] if isinstance(self.effect_modifiers, str) else list(self.effect_modifiers)
        if not all(isinstance(m, str) for m in mods):
            raise EstimatorError(f"effect_modifiers must be column names, got {self.effect_modifiers!r}")
        return list(dict.fromkeys(mods))

    # ------------------------------------------------------------ subclass hooks
    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray, dict[str, Any]]:  # pragma: no cover - abstract
        """Fit on the rows given; return a predictor of tau on F, tau at those rows and diagnostics."""
        raise NotImplementedError

    def _extra_diagnostics(self, F: np.ndarray, t: np.ndarray) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------ shared fitting
    def _prepare(self, data: pd.DataFrame, estimand: Any) -> dict[str, Any]:
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        mods = self._modifiers(covs)
        bad = [m for m in mods if m in (t_name, y_name)]
        if bad:
            raise EstimatorError(f"effect_modifiers cannot include the treatment or the outcome ({bad[0]!r})")
        features = list(dict.fromkeys([*covs, *mods]))
        prep = prepare(data, t_name, y_name, features, dropna=self.dropna)
        t = check_binary(prep.data, t_name, estimator=type(self).__name__)
        y = prep.data[y_name].to_numpy(dtype=float)
        F, f_names = self._design(prep.data, features, None)
        V, v_names = self._design(prep.data, mods, None)
        self.features_ = features
        self.effect_modifiers_ = mods
        self._feature_names = f_names
        self._modifier_names = v_names
        # tau(F) is already a function of V when V contains every feature
        self._project = not set(features) <= set(mods)
        return {"prep": prep, "t": t, "y": y, "F": F, "V": V}

    def _final(self, V: np.ndarray, target: np.ndarray) -> Any:
        return regressor(self.cate_model).fit(_nonempty(V), target)

    def _cate_at(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[Any, Any, np.ndarray, dict[str, Any]]:
        """Fit on these rows: (tau model on F, projection on V or None, CATE at the rows, diagnostics)."""
        tau_model, tau, diag = self._tau(F, t, y)
        if self._project:
            final = self._final(V, tau)
            return tau_model, final, np.asarray(final.predict(_nonempty(V)), dtype=float), diag
        return tau_model, None, tau, diag

    def _cate_diagnostics(self, cate: np.ndarray) -> dict[str, Any]:
        q = np.quantile(cate, [0.05, 0.25, 0.5, 0.75, 0.95])
        return {
            "effect_modifiers": list(self.effect_modifiers_),
            "cate_sd": float(cate.std(ddof=1)) if cate.size > 1 else 0.0,
            "cate_quantiles": {f"q{int(p * 100):02d}": float(v) for p, v in zip((0.05, 0.25, 0.5, 0.75, 0.95), q)},
        }

    # ------------------------------------------------------------ prediction
    def effect(self, new_rows: pd.DataFrame) -> np.ndarray:
        """CATE for each row of ``new_rows`` (which needs the effect-modifier columns; all features for the S-, T- and X-learner without a projection).

        Raises
        ------
        EstimatorError
            Called before ``fit``.
        DataError
            ``new_rows`` is not a DataFrame, lacks a needed column or has missing values.
        """
        if not hasattr(self, "estimate_"):
            raise EstimatorError(f"this {type(self).__name__} is not fitted yet: call fit(data, estimand) before effect(new_rows)")
        if not isinstance(new_rows, pd.DataFrame):
            raise DataError(f"new_rows must be a pandas DataFrame, got {type(new_rows).__name__}")
        if self.cate_model_ is not None:
            columns, names = self.effect_modifiers_, self._modifier_names
        else:
            columns, names = self.features_, self._feature_names
        missing = [c for c in columns if c not in new_rows.columns]
        if missing:
            raise DataError(f"new_rows lacks the column(s) {missing} that the CATE model uses")
        na = new_rows[list(columns)].isna().sum()
        if na.any():
            raise DataError(f"new_rows has missing values ({', '.join(f'{c}: {int(k)}' for c, k in na.items() if k)})")
        X, _ = self._design(new_rows, list(columns), names)
        if self.cate_model_ is not None:
            return np.asarray(self.cate_model_.predict(_nonempty(X)), dtype=float)
        return np.asarray(self.tau_model_.predict(X), dtype=float)


class _BootstrappedLearner(_MetaLearner, Bootstrapped):
    """The S-, T- and X-learner: the ATE is the mean CATE, its SE and CI from a stratified bootstrap that refits every model."""

    def _bootstrap(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean CATE on stratified (by treatment arm) bootstrap resamples, refitting every model."""
        def one(idx: np.ndarray) -> float:
            return float(self._cate_at(F[idx], V[idx], t[idx], y[idx])[2].mean())

        return bootstrap(one, len(t), int(self.n_bootstrap), random_state=self.random_state, n_jobs=self.n_jobs, strata=t)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        b = self.n_bootstrap
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 2:  # the interval needs 2 replicates
            raise EstimatorError(f"n_bootstrap must be a whole number of at least 2, got {b!r}")
        d = self._prepare(data, estimand)
        F, V, t, y = d["F"], d["V"], d["t"], d["y"]
        self.tau_model_, self.cate_model_, cate, diag = self._cate_at(F, V, t, y)
        self.cate_ = cate
        diag = {**diag, **self._extra_diagnostics(F, t)}
        value = float(cate.mean())
        reps = self._bootstrap(F, V, t, y)
        se, ci = bootstrap_interval(reps, self.level)
        return self._result(
            estimand, value, se, len(t),
            inference=f"bootstrap (B={self.n_bootstrap}), stratified by treatment, percentile CI",
            ci=ci,
            diagnostics={**diag, **self._cate_diagnostics(cate)},
            notes=d["prep"].notes,
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
        Columns the CATE is a function of; default the adjustment set.
    n_bootstrap, n_jobs, random_state :
        The ATE's bootstrap (stratified by treatment arm, refitting every
        model), see :class:`~dagcore.estimators.base.Bootstrapped`.
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
    cate_model, effect_modifiers, n_bootstrap, n_jobs, random_state, level, dropna :
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


class _XCombination:
    """tau(x) = g(x) tau0(x) + (1 - g(x)) tau1(x), g the propensity score (Künzel et al. 2019)."""

    def __init__(self, tau1: Any, tau0: Any, propensity: Any) -> None:
        self.tau1, self.tau0, self.propensity = tau1, tau0, propensity

    def predict(self, F: np.ndarray) -> np.ndarray:
        F = _nonempty(F)
        g = propensity_scores(self.propensity, F)
        return g * np.asarray(self.tau0.predict(F), dtype=float) + (1 - g) * np.asarray(self.tau1.predict(F), dtype=float)


class XLearner(_BootstrappedLearner, PropensityModelled):
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
    effect_modifiers, n_bootstrap, n_jobs, random_state, level, dropna :
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
        tau = _XCombination(tau1, tau0, prop)
        return tau, tau.predict(F), {}

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
    propensity_model, trim :
        The propensity model and its clipping, see
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

    def _nuisances(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        G = _nonempty(F)
        tr1, tr0 = arm_rows(train, t)
        e = propensity_scores(self._fit_propensity_model(G[train], t[train]), G[test])
        mu1 = np.asarray(regressor(self.outcome_model).fit(G[tr1], y[tr1]).predict(G[test]), dtype=float)
        mu0 = np.asarray(regressor(self.outcome_model).fit(G[tr0], y[tr0]).predict(G[test]), dtype=float)
        return e, mu1, mu0

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        d = self._prepare(data, estimand)
        F, V, t, y = d["F"], d["V"], d["t"], d["y"]
        n = len(t)
        folds = self._folds(t, self.random_state, estimator="the DR-learner")
        e, mu1, mu0 = self._cross_fit(lambda tr, te: self._nuisances(F, t, y, tr, te), folds, n)
        if self.trim:
            e = np.clip(e, self.trim, 1 - self.trim)
        overlap = assess_overlap(e, t)
        if ((e <= 0) | (e >= 1)).any():
            raise EstimatorError("some propensity scores are exactly 0 or 1 (no overlap); set trim > 0 or drop those units")
        phi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
        self.pseudo_outcomes_ = phi
        self.tau_model_ = None
        self.cate_model_ = self._final(V, phi)
        self.cate_ = np.asarray(self.cate_model_.predict(_nonempty(V)), dtype=float)
        value = float(phi.mean())
        se = float(phi.std(ddof=1) / np.sqrt(n))
        return self._result(
            estimand, value, se, n,
            inference=f"influence function (mean of doubly robust pseudo-outcomes), {self.n_folds}-fold cross-fitting",
            diagnostics={"propensity_overlap": overlap, **self._cate_diagnostics(self.cate_)},
            notes=d["prep"].notes,
        )
