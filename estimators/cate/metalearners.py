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

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators._data import FormulaModel, check_formula, check_propensity_formula, formula_model, read_formula
from dagcore.estimators._nuisance import cross_fit_models, propensity_scores
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import (
    Bootstrapped,
    ClippedPropensity,
    CrossFitted,
    NuisanceFormulas,
    OutcomeModelled,
    PropensityModelled,
)
from dagcore.estimators.cate._base import CateEstimator, design, nonempty
from dagcore.estimators.cate._rows import BLOCK, fit_rows, predict_rows
from dagcore.estimators.cate.linear import LinearCate, fit_linear_cate
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate
from dagcore.estimators.targets import check_target, clip_propensity, clip_rule, doubly_robust

__all__ = ["SLearner", "TLearner", "XLearner", "DRLearner"]


_nonempty = nonempty


@dataclass(frozen=True)
class _Columns:
    """Where each model's inputs sit in the learner's feature matrix ``F`` (slices are views, not copies).

    ``out`` are the outcome model's inputs (the S-learner's include the
    treatment's columns at the observed treatment, at positions ``treated``
    of ``out``), ``ps`` the propensity model's; ``arms`` the columns of ``F``
    holding the S-learner's treatment columns at treatment 0 and 1 (None: the
    treatment column itself, set to 0 or 1).
    """

    out: slice
    ps: slice
    treated: np.ndarray | None = None
    arms: tuple[slice, slice] | None = None


def _arm_rows(t: np.ndarray, rows: np.ndarray | None, arm: int) -> np.ndarray:
    """Indices of the rows (all, or ``rows``) in treatment arm ``arm``."""
    return np.flatnonzero(t == arm) if rows is None else rows[t[rows] == arm]


def _take(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return values if rows is None else values[rows]


def _propensity(fitted: Any, F: np.ndarray, cols: slice, rows: np.ndarray | None = None) -> np.ndarray:
    """P(T = 1 | X) at ``F[rows]``, block by block."""
    n = F.shape[0] if rows is None else rows.size
    out = np.empty(n)
    for lo in range(0, n, BLOCK):
        b = slice(lo, lo + BLOCK) if rows is None else rows[lo : lo + BLOCK]
        block = F[b, cols]
        out[lo : lo + block.shape[0]] = propensity_scores(fitted, _nonempty(block))
    return out


class _MetaLearner(CateEstimator, NuisanceFormulas, OutcomeModelled):
    """What the meta-learners share: features, formulas, the CATE projection and ``effect``."""

    cate_model: Any = None
    #: the S-learner's outcome model reads the treatment; the others model each arm (the treatment's terms are dropped)
    _treatment_in_outcome = False
    #: the CATE reads the propensity model's inputs too (the X-learner's weights)
    _cate_reads_propensity = False

    # ------------------------------------------------------------ subclass hooks
    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, rows: np.ndarray | None) -> tuple[Any, np.ndarray, dict[str, Any]]:  # pragma: no cover - abstract
        """Fit on ``rows`` (None: all); return a predictor of tau on F, tau at those rows and diagnostics."""
        raise NotImplementedError

    def _arms(self, tau_model: Any, F: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - abstract
        """The fitted outcome models' predictions (mu0, mu1) at the rows of F."""
        raise NotImplementedError

    def _extra_diagnostics(self, F: np.ndarray, t: np.ndarray) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------ formulas
    def _formula_columns(self, data: pd.DataFrame, estimand: Any, features: list[str]) -> list[str]:
        """Check ``formula`` and ``propensity_formula`` with the one formula guard; the columns they read beyond the features."""
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        allowed = {t_name, *features}
        extra: set[str] = set()
        self._outcome_reads: set[str] | None = None
        self._propensity_reads: set[str] | None = None
        if self.formula:
            v = check_formula(self.formula, data, lhs=y_name, allowed=allowed, never={y_name: "the outcome"},
                              allow_extra=self.allow_extra_variables)
            if self._treatment_in_outcome and t_name not in v.rhs:
                raise DataError(
                    f"the S-learner's formula {self.formula!r} does not use the treatment {t_name!r}, so every effect "
                    f"would be 0; write it in, e.g. '{y_name} ~ {t_name} * (...)'"
                )
            extra |= v.rhs - allowed
            self._outcome_reads = set(v.rhs) - {t_name}
        more = check_propensity_formula(self.propensity_formula, data, t_name, features, outcome=y_name,
                                        allow_extra=self.allow_extra_variables)
        extra |= set(more)
        if self.propensity_formula:
            self._propensity_reads = set(read_formula(self.propensity_formula, data).rhs)
        return sorted(extra)

    def _layout(self, frame: pd.DataFrame, D: np.ndarray, t: np.ndarray | None) -> np.ndarray:
        """The feature matrix ``F`` of ``frame`` (``D``: its default design) as :attr:`_cols` describes it."""
        t_name = self._treatment_name
        if not (self.formula or self.propensity_formula):
            if self._treatment_in_outcome:  # D is the view of a matrix with one spare column: the treatment
                full = D.base if D.base is not None and D.base.shape == (D.shape[0], D.shape[1] + 1) else np.column_stack([D, np.zeros(len(D))])
                full[:, -1] = 0.0 if t is None else t
                return full
            return D
        blocks: list[np.ndarray] = []
        if self.formula:
            model = self._models["outcome"]
            if self._treatment_in_outcome:
                at = [model.rows(frame.assign(**{t_name: a})) for a in (0.0, 1.0)]
                blocks += [model.matrix if t is not None else at[0], at[0][:, self._differ], at[1][:, self._differ]]
            else:
                blocks.append(model.matrix if t is not None else model.rows(frame))
        else:
            blocks.append(D)
            if self._treatment_in_outcome:
                blocks.append(np.zeros((len(D), 1)) if t is None else t[:, None])
        if self.propensity_formula:
            model = self._models["propensity"]
            blocks.append(model.matrix if t is not None else model.rows(frame))
        elif self.formula:
            blocks.append(D)
        return np.hstack(blocks) if len(blocks) > 1 else blocks[0]

    def _build_columns(self, frame: pd.DataFrame, D: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Fit the formulas' recipes on the rows used, lay out ``F`` and record :attr:`_cols`."""
        t_name = self._treatment_name
        self._models: dict[str, FormulaModel] = {}
        k = D.shape[1]
        if self.formula:
            model = formula_model(self.formula, frame, drop=() if self._treatment_in_outcome else [t_name])
            self._models["outcome"] = model
            ko = model.matrix.shape[1]
            if self._treatment_in_outcome:
                at0 = model.rows(frame.assign(**{t_name: 0.0}))
                at1 = model.rows(frame.assign(**{t_name: 1.0}))
                self._differ = np.flatnonzero(~np.all(at0 == at1, axis=0))
                m = self._differ.size
                out, arms = slice(0, ko), (slice(ko, ko + m), slice(ko + m, ko + 2 * m))
                start = ko + 2 * m
            else:
                out, arms, start = slice(0, ko), None, ko
        else:
            extra = 1 if self._treatment_in_outcome else 0
            out, arms, start = slice(0, k + extra), None, k + extra
            self._differ = np.array([k]) if extra else np.zeros(0, dtype=int)
        if self.propensity_formula:
            model = formula_model(self.propensity_formula, frame)
            self._models["propensity"] = model
            ps = slice(start, start + model.matrix.shape[1])
        elif self.formula:
            ps = slice(start, start + k)
        else:
            ps = slice(0, k)
        self._cols = _Columns(out, ps, self._differ if self._treatment_in_outcome else None, arms)
        return self._layout(frame, D, t)

    def _feature_rows(self, new_rows: pd.DataFrame) -> np.ndarray:
        D = design(new_rows, list(self.features_), self._feature_names)[0]
        return self._layout(new_rows, D, None)

    # ------------------------------------------------------------ shared fitting
    def _prepare(self, data: pd.DataFrame, estimand: Any) -> dict[str, Any]:
        self._treatment_name = estimand.treatment[0]
        d = self._setup(data, estimand)
        D = d.F
        F = self._build_columns(d.prep.data, D, d.t)
        # the columns tau(.) reads; it is already a function of V when V contains them all
        reads = set(self.features_) if self._outcome_reads is None else set(self._outcome_reads)
        if self._cate_reads_propensity:
            reads |= set(self.features_) if self._propensity_reads is None else set(self._propensity_reads)
        self._feature_columns = sorted({*self.features_, *reads, *(self._propensity_reads or ())}, key=str)
        self._project = not reads <= set(self.effect_modifiers_)
        self._cate_on_modifiers = self._project
        return {"prep": d.prep, "t": d.t, "y": d.y, "F": F, "V": d.V, "notes": d.notes}

    def _final(self, V: np.ndarray, target: np.ndarray, rows: np.ndarray | None = None) -> Any:
        return fit_rows(self.cate_model, V, target, rows)

    def _cate_at(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray, rows: np.ndarray | None = None) -> tuple[Any, Any, np.ndarray, dict[str, Any]]:
        """Fit on ``rows`` (None: all): (tau model on F, projection on V or None, CATE at the rows, diagnostics)."""
        tau_model, tau, diag = self._tau(F, t, y, rows)
        if self._project:
            final = self._final(V, tau, rows)
            return tau_model, final, predict_rows(final, V, rows), diag
        return tau_model, None, tau, diag

    # ------------------------------------------------------------ prediction
    def _effect(self, X: np.ndarray) -> np.ndarray:
        if self.cate_model_ is not None:
            return predict_rows(self.cate_model_, X)
        return np.asarray(self.tau_model_.predict(X), dtype=float)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._arms(self.tau_model_, F)


class _BootstrappedLearner(_MetaLearner, Bootstrapped, CrossFitted, PropensityModelled):
    """The S-, T- and X-learner, fit once per cross-fitting fold: the CATE averages the fold fits, the ATE is its mean.

    The learner is fit on the training rows of each of ``n_folds`` folds (the
    folds of the influence function, so no model is fit twice): ``effect``
    averages the ``n_folds`` fits, the ATE is the mean of that CATE over the
    rows, and its SE by default is the influence function of the ATE, the
    doubly robust scores built from each fold's outcome models and a
    propensity model at the held-out rows. With ``n_bootstrap >= 2`` a
    stratified bootstrap repeats the whole procedure (folds and fits) on each
    resample instead.
    """

    n_bootstrap: int = 0
    n_folds: int = 2
    n_interval_bootstrap: int = 100

    def _fold_fits(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray, rows: np.ndarray | None) -> list[tuple[Any, Any]]:
        """(tau model, projection or None) fit on the training rows of each fold of ``rows`` (None: all rows)."""
        tt = _take(t, rows)
        folds = self._folds(tt, self.random_state, estimator=f"the {self.name.replace('_', '-')}")
        fits = []
        for train, _ in folds:
            tau_model, final, _, _ = self._cate_at(F, V, t, y, train if rows is None else rows[train])
            fits.append((tau_model, final))
        return fits

    def _average(self, fits: list[tuple[Any, Any]], F: np.ndarray, V: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """The CATE of the fold fits averaged, at ``rows``."""
        if self._project:
            return np.mean([predict_rows(final, V, rows) for _, final in fits], axis=0)
        return np.mean([tau_model.predict(F, rows) for tau_model, _ in fits], axis=0)

    def _bootstrap(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean CATE on stratified (by treatment arm) bootstrap resamples, the folds and fits redone on each (streamed: one at a time)."""
        def one(idx: np.ndarray) -> float:
            return float(self._average(self._fold_fits(F, V, t, y, idx), F, V, idx).mean())

        return bootstrap(one, len(t), int(self.n_bootstrap), random_state=self.random_state, n_jobs=self.n_jobs, strata=t)

    def _fold(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> tuple[tuple[np.ndarray, ...], Any]:
        """The learner fit on ``train``: (propensity, mu0, mu1, CATE) at ``test``, and the fit."""
        tau_model, final, _, _ = self._cate_at(F, V, t, y, train)
        mu0, mu1 = self._arms(tau_model, F, test)
        cate = predict_rows(final, V, test) if final is not None else tau_model.predict(F, test)
        ps = self._cols.ps
        if ps.stop > ps.start:
            e = _propensity(self._fit_propensity_model(F[train, ps], t[train]), F, ps, test)
        else:
            e = np.full(test.size, t[train].mean())
        return (e, mu0, mu1, cate), (tau_model, final)

    def _influence(self, F: np.ndarray, V: np.ndarray, t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple[Any, Any]], dict[str, Any]]:
        """Cross-fitted AIPW scores of the rows, the out-of-fold CATE and the fold fits."""
        folds = self._folds(t, self.random_state, estimator=f"the {self.name.replace('_', '-')}")
        (e, mu0, mu1, cate), fits = cross_fit_models(lambda tr, te: self._fold(F, V, t, y, tr, te), folds, len(t), n_jobs=self.n_jobs)
        if ((e <= 0) | (e >= 1)).any():
            raise EstimatorError("some cross-fitted propensity scores are exactly 0 or 1 (no overlap); use n_bootstrap for bootstrap inference or drop those units")
        scores = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
        return scores, cate, fits, {"propensity_overlap_crossfit": assess_overlap(e, t), "aipw_ate": float(scores.mean())}

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        b = self.n_bootstrap
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 0 or b == 1:  # the interval needs 2 replicates
            raise EstimatorError(f"n_bootstrap must be 0 (influence-function SE) or a whole number of at least 2, got {b!r}")
        bi = self.n_interval_bootstrap
        if isinstance(bi, bool) or not isinstance(bi, (int, np.integer)) or bi < 2:
            raise EstimatorError(f"n_interval_bootstrap must be a whole number of at least 2 (the replicates of effect_interval), got {bi!r}")
        d = self._prepare(data, estimand)
        F, V, t, y = d["F"], d["V"], d["t"], d["y"]
        self._fit_arrays = (F, V)  # effect_interval refits on resamples of these rows
        self.scores_, self.cate_oos_, self.fits_, extra = self._influence(F, V, t, y)
        cate = self.cate_ = self._average(self.fits_, F, V)
        diag = self._extra_diagnostics(F, t)
        value = float(cate.mean())
        if b:
            reps = self._bootstrap(F, V, t, y)
            se, ci = bootstrap_interval(reps, self.level)
            inference = f"bootstrap (B={self.n_bootstrap}), stratified by treatment, percentile CI"  # each resample redoes the fold fits
        else:
            se, ci = float(self.scores_.std(ddof=1) / np.sqrt(len(t))), None
            inference = (f"influence function of the ATE (doubly robust scores from the learner's {self.n_folds} "
                         "cross-fitted fits, whose average is the CATE, and a propensity model)")
        # a model additive in the treatment (the default linear S-learner) has one effect for everyone: its
        # coefficient, a variance-weighted average of the conditional effects when they vary, not the ATE
        additive = bool(self.features_ or self.formula) and float(np.ptp(cate)) <= 1e-9 * max(1.0, abs(value))
        return self._result(
            estimand, value, se, len(t),
            inference=inference,
            target=("WATE (the outcome model is additive in the treatment: a variance-weighted average of the "
                    "conditional effects, the ATE only if the effect is constant; pass a flexible outcome_model)") if additive else "ATE",
            ci=ci,
            diagnostics={**diag, **extra, **self._cate_diagnostics(cate),
                         "effect_interval": self.interval_method()},
            notes=d["notes"],
        )

    def interval_method(self) -> str:
        """How :meth:`effect_interval` computes the pointwise CATE interval of this learner.

        Examples
        --------
        >>> TLearner(n_interval_bootstrap=50).interval_method()[:60]
        'percentile bootstrap of the CATE over B=50 stratified resamp'
        """
        return (f"percentile bootstrap of the CATE over B={self.n_interval_bootstrap} stratified resamples of the rows, "
                f"the {self.n_folds} fold fits redone on each (n_interval_bootstrap; computed when effect_interval is called, "
                "n_jobs replicates in parallel); it covers the learner's own target, so a biased model (e.g. a linear one "
                "for a nonlinear effect, or the smoothing of boosting) is not corrected")

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        F, V = self._fit_arrays
        t, y = self.treatment_, self.outcome_

        def one(idx: np.ndarray) -> np.ndarray:
            fits = self._fold_fits(F, V, t, y, idx)
            if self._project:
                return np.mean([predict_rows(final, X) for _, final in fits], axis=0)
            return np.mean([tau_model.predict(X) for tau_model, _ in fits], axis=0)

        reps = bootstrap(one, len(t), int(self.n_interval_bootstrap), random_state=self.random_state, n_jobs=self.n_jobs, strata=t)
        reps = reps.reshape(len(reps), -1)
        alpha = 1 - level
        return np.quantile(reps, alpha / 2, axis=0), np.quantile(reps, 1 - alpha / 2, axis=0)

    def _effect(self, X: np.ndarray) -> np.ndarray:
        if self._project:
            return np.mean([predict_rows(final, X) for _, final in self.fits_], axis=0)
        return np.mean([tau_model.predict(X) for tau_model, _ in self.fits_], axis=0)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        arms = [self._arms(tau_model, F) for tau_model, _ in self.fits_]
        return np.mean([a[0] for a in arms], axis=0), np.mean([a[1] for a in arms], axis=0)


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
    formula, propensity_formula, allow_extra_variables :
        The outcome model's inputs as a statsmodels/patsy formula, e.g.
        ``"y ~ t * (age + I(age**2)) + C(race)"``: its right-hand side, with
        the treatment's terms (here the model reads the treatment, so they are
        kept and set to 0 and 1 for ``mu(x, 0)`` and ``mu(x, 1)``; a formula
        without the treatment is refused); and the propensity model's inputs
        (``"t ~ age + I(age**2)"``, default the features). Both are checked by
        the one formula guard: a variable outside the adjustment set and the
        effect modifiers is refused unless ``allow_extra_variables=True``, see
        :class:`~dagcore.estimators.base.NuisanceFormulas`.
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
    n_interval_bootstrap : int
        Replicates (100) of the percentile bootstrap behind
        ``effect_interval(rows, level=)``: each refits the learner's fold fits
        on a stratified resample and predicts the rows; run when
        ``effect_interval`` is called (``n_jobs`` in parallel), see
        :meth:`interval_method`.
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
    _treatment_in_outcome = True
    _spare_columns = 1  # the treatment column of the outcome model's inputs, filled in place

    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, rows: np.ndarray | None) -> tuple[Any, np.ndarray, dict[str, Any]]:
        model = fit_rows(self.outcome_model, F[:, self._cols.out], _take(y, rows), rows)
        tau = _SLearnerEffect(model, self._cols)
        return tau, tau.predict(F, rows), {}

    def _arms(self, tau_model: Any, F: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        return tau_model.arm(F, 0, rows), tau_model.arm(F, 1, rows)


class _SLearnerEffect:
    """tau(x) = mu(x, 1) - mu(x, 0) from a fitted S-learner outcome model (inputs built block by block)."""

    def __init__(self, model: Any, cols: _Columns) -> None:
        self.model, self.cols = model, cols

    def arm(self, F: np.ndarray, a: int, rows: np.ndarray | None = None) -> np.ndarray:
        """mu(x, a) at ``F[rows]``: the outcome model's inputs with the treatment's columns at ``a``."""
        n = F.shape[0] if rows is None else rows.size
        out = np.empty(n)
        treated, arms = self.cols.treated, self.cols.arms
        for lo in range(0, n, BLOCK):
            b = slice(lo, lo + BLOCK) if rows is None else rows[lo : lo + BLOCK]
            block = F[b, self.cols.out]  # a copy of the block (basic or fancy indexing of rows, then a slice)
            if rows is None:
                block = block.copy()
            block[:, treated] = a if arms is None else F[b, arms[a]]
            out[lo : lo + block.shape[0]] = np.asarray(self.model.predict(block), dtype=float)
        return out

    def predict(self, F: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        return self.arm(F, 1, rows) - self.arm(F, 0, rows)


class _Difference:
    """tau(x) = mu1(x) - mu0(x)."""

    def __init__(self, mu1: Any, mu0: Any, cols: _Columns) -> None:
        self.mu1, self.mu0, self.cols = mu1, mu0, cols

    def predict(self, F: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        G = F[:, self.cols.out]
        return predict_rows(self.mu1, G, rows) - predict_rows(self.mu0, G, rows)


class TLearner(_BootstrappedLearner):
    """T-learner: one outcome model per treatment arm; CATE = mu1(x) - mu0(x).

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Cloned and fit in each arm; default least squares.
    formula, propensity_formula, allow_extra_variables :
        As in :class:`SLearner`, except that each arm has its own outcome
        model, so the terms of ``formula`` that read the treatment are dropped
        (``"y ~ t + age + I(age**2)"`` gives each arm ``age + I(age**2)``), as
        in :class:`~dagcore.AIPW`.
    cate_model, effect_modifiers, n_folds, propensity_model, n_bootstrap, n_interval_bootstrap, n_jobs, random_state, level, dropna :
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

    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, rows: np.ndarray | None) -> tuple[Any, np.ndarray, dict[str, Any]]:
        G = F[:, self._cols.out]
        r1, r0 = _arm_rows(t, rows, 1), _arm_rows(t, rows, 0)
        mu1 = fit_rows(self.outcome_model, G, y[r1], r1)
        mu0 = fit_rows(self.outcome_model, G, y[r0], r0)
        tau = _Difference(mu1, mu0, self._cols)
        return tau, tau.predict(F, rows), {}

    def _arms(self, tau_model: Any, F: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        G = F[:, self._cols.out]
        return predict_rows(tau_model.mu0, G, rows), predict_rows(tau_model.mu1, G, rows)


class _XCombination:
    """tau(x) = g(x) tau0(x) + (1 - g(x)) tau1(x), g the propensity score (Künzel et al. 2019)."""

    def __init__(self, tau1: Any, tau0: Any, propensity: Any, mu1: Any, mu0: Any, cols: _Columns) -> None:
        self.tau1, self.tau0, self.propensity = tau1, tau0, propensity
        self.mu1, self.mu0, self.cols = mu1, mu0, cols

    def predict(self, F: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        G = F[:, self.cols.out]
        g = _propensity(self.propensity, F, self.cols.ps, rows)
        return g * predict_rows(self.tau0, G, rows) + (1 - g) * predict_rows(self.tau1, G, rows)


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
    formula, propensity_formula, allow_extra_variables :
        The inputs of both stages (``formula``, the treatment's terms dropped,
        as in :class:`TLearner`) and of ``e(x)`` (``propensity_formula``).
    effect_modifiers, n_folds, n_bootstrap, n_interval_bootstrap, n_jobs, random_state, level, dropna :
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
    _cate_reads_propensity = True

    def _tau(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, rows: np.ndarray | None) -> tuple[Any, np.ndarray, dict[str, Any]]:
        G = F[:, self._cols.out]
        r1, r0 = _arm_rows(t, rows, 1), _arm_rows(t, rows, 0)
        mu1 = fit_rows(self.outcome_model, G, y[r1], r1)
        mu0 = fit_rows(self.outcome_model, G, y[r0], r0)
        d1 = y[r1] - predict_rows(mu0, G, r1)
        d0 = predict_rows(mu1, G, r0) - y[r0]
        tau1 = fit_rows(self.cate_model, G, d1, r1)
        tau0 = fit_rows(self.cate_model, G, d0, r0)
        ps = self._cols.ps
        prop = self._fit_propensity_model(_nonempty(F[:, ps] if rows is None else F[rows, ps]), _take(t, rows))
        tau = _XCombination(tau1, tau0, prop, mu1, mu0, self._cols)
        return tau, tau.predict(F, rows), {}

    def _arms(self, tau_model: Any, F: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        G = F[:, self._cols.out]
        return predict_rows(tau_model.mu0, G, rows), predict_rows(tau_model.mu1, G, rows)

    def _extra_diagnostics(self, F: np.ndarray, t: np.ndarray) -> dict[str, Any]:
        e = np.mean([_propensity(tau_model.propensity, F, self._cols.ps) for tau_model, _ in self.fits_], axis=0)
        return {"propensity_overlap": assess_overlap(e, t)}


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
    formula, propensity_formula, allow_extra_variables :
        The inputs of the arms' outcome models and of the propensity model, as
        in :class:`TLearner`.
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
        G, ps = F[:, self._cols.out], self._cols.ps
        tr1, tr0 = _arm_rows(t, train, 1), _arm_rows(t, train, 0)
        prop = self._fit_propensity_model(_nonempty(F[train, ps]), t[train])
        m1 = fit_rows(self.outcome_model, G, y[tr1], tr1)
        m0 = fit_rows(self.outcome_model, G, y[tr0], tr0)
        e = _propensity(prop, F, ps, test)
        return (e, predict_rows(m1, G, test), predict_rows(m0, G, test)), (m0, m1)

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
        self.cate_ = self.final_.predict(V) if self.final_ is not None else predict_rows(self.cate_model_, V)
        self.cate_oos_ = np.empty(n)
        for train, test in folds:  # the final stage without each fold, for the heterogeneity tests
            if self.final_ is not None:
                Z = np.column_stack([np.ones(train.size), V[train]])
                beta = np.linalg.lstsq(Z, phi[train], rcond=None)[0]
                self.cate_oos_[test] = beta[0] + V[test] @ beta[1:]
            else:
                self.cate_oos_[test] = predict_rows(self._final(V, phi[train], train), V, test)
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
        return predict_rows(self.cate_model_, X)

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        if self.final_ is None:
            raise EstimatorError(
                "this DR-learner's final stage is a user cate_model, which gives no pointwise interval; "
                "leave cate_model unset (least squares with a sandwich covariance) or use method='causal_forest'"
            )
        return self.final_.interval(X, level)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        G = F[:, self._cols.out]
        mu0 = np.mean([predict_rows(m0, G) for m0, _ in self.outcome_models_], axis=0)
        mu1 = np.mean([predict_rows(m1, G) for _, m1 in self.outcome_models_], axis=0)
        return mu0, mu1
