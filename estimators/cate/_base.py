"""What every CATE estimator shares: modifiers vs controls, ``effect``, ``effect_interval``, potential outcomes, heterogeneity.

A CATE estimator fits its nuisance models on the *features* (the controls,
i.e. the adjustment set, plus the effect modifiers; see
:mod:`dagcore.estimators.cate.modifiers`) and its CATE on the *effect
modifiers*. After ``fit`` it holds

* ``cate_``: the CATE at the rows used to fit;
* ``cate_oos_``: an out-of-sample CATE at those rows (cross-fitted or
  out-of-bag), the proxy the heterogeneity tests need;
* ``scores_``: the cross-fitted doubly robust (AIPW) scores of the rows (binary
  treatment), whose mean is the ATE and whose conditional mean given the
  modifiers is the CATE; None for a continuous treatment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import ConstantEffectWarning, DataError, EstimatorError
from dagcore.estimators._data import Prepared, design_frame, prepare
from dagcore.estimators.base import CausalEstimator
from dagcore.estimators.cate.modifiers import ModifierChoice, choose_modifiers

__all__ = ["CateEstimator", "Fitted", "nonempty"]


def nonempty(X: np.ndarray) -> np.ndarray:
    """Models need at least one column: no features means a constant one (intercept-only fits)."""
    return X if X.shape[1] else np.zeros((X.shape[0], 1))


@dataclass
class Fitted:
    """The arrays of one fit: treatment, outcome, features ``F`` (controls + modifiers) and modifiers ``V``."""

    prep: Prepared
    t: np.ndarray
    y: np.ndarray
    F: np.ndarray
    V: np.ndarray
    choice: ModifierChoice
    notes: list[str]
    #: ``F`` with the estimator's spare trailing columns (``F`` is its view)
    full: np.ndarray | None = None


def design(data: pd.DataFrame, columns: Sequence[str], names: list[str] | None, *, spare: int = 0) -> tuple[np.ndarray, list[str]]:
    """Design matrix of ``columns`` (categorical columns one-hot, first level dropped); with ``names`` (from fitting) exactly those columns.

    ``spare`` trailing columns are allocated with it (uninitialised) for a
    learner to fill (the S-learner's treatment column), so no wider copy is
    made. Numeric columns are written one by one into the preallocated
    matrix: no ``n × p`` temporary (``design_frame`` makes two, measured at
    10^6 rows × 20 in benchmarks/README.md, issue 12 "Speed and memory").
    """
    if not columns:
        return np.zeros((len(data), spare)), []
    numeric = all(pd.api.types.is_numeric_dtype(data[c]) and not isinstance(data[c].dtype, pd.CategoricalDtype) for c in columns)
    if numeric and (names is None or names == [str(c) for c in columns]):
        out = np.empty((len(data), len(columns) + spare))
        for j, c in enumerate(columns):
            out[:, j] = data[c].to_numpy(dtype=float)
        return out, [str(c) for c in columns]
    if names is None:
        frame = design_frame(data, columns)
        built, built_names = frame.to_numpy(dtype=float), [str(c) for c in frame.columns]
    else:
        frame = data[list(columns)]
        cat = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c]) or isinstance(frame[c].dtype, pd.CategoricalDtype)]
        if cat:
            frame = pd.get_dummies(frame, columns=cat, drop_first=False, dtype=float)
        frame.columns = [str(c) for c in frame.columns]
        built, built_names = frame.reindex(columns=names, fill_value=0.0).to_numpy(dtype=float), names
    if spare:
        built = np.hstack([built, np.empty((len(data), spare))])
    return built, built_names


def columns_of(F: np.ndarray, f_names: list[str], names: list[str]) -> np.ndarray | None:
    """The columns ``names`` of ``F`` (named ``f_names``): a view when they are adjacent and in order, None when one is missing."""
    if not names:
        return np.zeros((F.shape[0], 0))
    if not set(names) <= set(f_names):
        return None
    idx = [f_names.index(nm) for nm in names]
    if idx == list(range(idx[0], idx[0] + len(idx))):
        return F[:, idx[0] : idx[0] + len(idx)]
    return F[:, idx]


class CateEstimator(CausalEstimator):
    """Base of the CATE estimators (the meta-learners, :class:`LinearDML`, :class:`CausalForest`).

    Parameters
    ----------
    effect_modifiers : sequence of str, optional
        The CATE's inputs; default the observed pre-treatment covariates of the
        graph (see :mod:`~dagcore.estimators.cate.modifiers`). A descendant of
        the treatment is refused with the path that makes it one.
    """

    strategies = ("backdoor", "randomized")
    #: whether the CATE is a function of the modifiers only (False: of every feature, e.g. an S-learner without a projection)
    _cate_on_modifiers = True
    #: trailing columns allocated beside the feature matrix for the learner to fill (see :func:`design`)
    _spare_columns = 0

    effect_modifiers: Sequence[str] | None = None

    # ------------------------------------------------------------ fitting
    def _setup(self, data: Any, estimand: Any, *, binary: bool = True) -> Fitted:
        """Choose modifiers and controls, validate the data, build the design matrices."""
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        choice = choose_modifiers(estimand, [str(c) for c in data.columns], self.effect_modifiers)
        extra = self._formula_columns(data, estimand, choice.features)
        prep = prepare(data, t_name, y_name, choice.features, extra=extra, dropna=self.dropna)
        if binary:
            from dagcore.estimators._data import check_binary

            t = check_binary(prep.data, t_name, estimator=type(self).__name__)
        else:
            t = prep.data[t_name].to_numpy(dtype=float)
        y = prep.data[y_name].to_numpy(dtype=float)
        full, f_names = design(prep.data, choice.features, None, spare=self._spare_columns)
        F = full[:, : full.shape[1] - self._spare_columns]
        # the modifiers are columns of the features: a view, not a second matrix, when they are adjacent
        mods = list(choice.modifiers)
        numeric = all(pd.api.types.is_numeric_dtype(prep.data[c]) and not isinstance(prep.data[c].dtype, pd.CategoricalDtype) for c in mods)
        v_names = [str(c) for c in mods] if numeric else [str(c) for c in design_frame(prep.data, mods).columns]
        V = columns_of(F, f_names, v_names)
        if V is None:  # pragma: no cover - each column is encoded alone, so the modifiers' columns are the features'
            V, v_names = design(prep.data, mods, None)
        self.features_ = choice.features
        self.effect_modifiers_ = list(choice.modifiers)
        self.controls_ = list(choice.controls)
        self._feature_names = f_names
        self._modifier_names = v_names
        self.treatment_, self.outcome_ = t, y
        notes = [*prep.notes, *choice.notes]
        if not choice.modifiers:
            self._warn(
                "no effect modifier: the graph has no observed pre-treatment covariate in the data and none was given, "
                "so the CATE is one constant (the ATE) and a Qini or uplift curve of it is random targeting; "
                "pass effect_modifiers= or add covariates to the graph",
                ConstantEffectWarning,
            )
        return Fitted(prep, t, y, F, V, choice, notes, full)

    def _formula_columns(self, data: pd.DataFrame, estimand: Any, features: list[str]) -> list[str]:
        """Columns beyond ``features`` that the estimator's formulas read (checked by the formula guard); none by default."""
        return []

    def _feature_rows(self, new_rows: pd.DataFrame) -> np.ndarray:
        """The feature matrix of ``new_rows``, laid out as the fit's."""
        return design(new_rows, list(self.features_), self._feature_names)[0]

    def _cate_diagnostics(self, cate: np.ndarray) -> dict[str, Any]:
        q = np.quantile(cate, [0.05, 0.25, 0.5, 0.75, 0.95])
        return {
            "effect_modifiers": list(self.effect_modifiers_),
            "controls": list(self.controls_),
            "cate_sd": float(cate.std(ddof=1)) if cate.size > 1 else 0.0,
            "cate_quantiles": {f"q{int(p * 100):02d}": float(v) for p, v in zip((0.05, 0.25, 0.5, 0.75, 0.95), q)},
        }

    # ------------------------------------------------------------ new rows
    def _check_fitted(self, what: str) -> None:
        if not hasattr(self, "estimate_"):
            raise EstimatorError(f"this {type(self).__name__} is not fitted yet: call fit(data, estimand) before {what}")

    def _rows(self, new_rows: Any, *, features: bool = False) -> np.ndarray:
        """The design matrix of ``new_rows`` on the modifiers (or on every feature)."""
        if not isinstance(new_rows, pd.DataFrame):
            raise DataError(f"new_rows must be a pandas DataFrame, got {type(new_rows).__name__}")
        columns, names = ((getattr(self, "_feature_columns", self.features_), self._feature_names) if features
                          else (self.effect_modifiers_, self._modifier_names))
        missing = [c for c in columns if c not in new_rows.columns]
        if missing:
            raise DataError(f"new_rows lacks the column(s) {missing} that the CATE model uses")
        na = new_rows[list(columns)].isna().sum()
        if na.any():
            raise DataError(f"new_rows has missing values ({', '.join(f'{c}: {int(k)}' for c, k in na.items() if k)})")
        if features:
            return self._feature_rows(new_rows)
        return design(new_rows, list(columns), names)[0]

    def effect(self, new_rows: pd.DataFrame) -> np.ndarray:
        """CATE for each row of ``new_rows`` (which needs the effect-modifier columns).

        Raises
        ------
        EstimatorError
            Called before ``fit``.
        DataError
            ``new_rows`` is not a DataFrame, lacks a needed column or has missing values.
        """
        self._check_fitted("effect(new_rows)")
        return self._effect(self._rows(new_rows, features=not self._cate_on_modifiers))

    def effect_interval(self, new_rows: pd.DataFrame, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise confidence interval of the CATE at each row: ``(lower, upper)`` arrays.

        Parameters
        ----------
        new_rows : DataFrame
            Rows with the effect-modifier columns.
        level : float, optional
            Confidence level; default the estimator's ``level``.

        Raises
        ------
        EstimatorError
            Not fitted, a bad ``level``, or an estimator without pointwise inference.
        """
        self._check_fitted("effect_interval(new_rows)")
        level = self.level if level is None else level
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise EstimatorError(f"level is the confidence level, a number between 0 and 1 (e.g. 0.95), got {level!r}")
        return self._interval(self._rows(new_rows, features=not self._cate_on_modifiers), float(level))

    def predict_potential_outcomes(self, new_rows: pd.DataFrame) -> pd.DataFrame:
        """Model-based counterfactuals per row: ``y0``, ``y1``, ``effect`` (and ``effect_lower``/``effect_upper`` where the method gives intervals).

        These are predictions of the fitted outcome models, valid as
        counterfactuals only under the graph's assumptions (the adjustment set
        makes the treatment ignorable) and the models' fit; they need every
        feature (controls and modifiers) of the rows.

        Raises
        ------
        EstimatorError
            Not fitted, or an estimator that models no outcome.
        DataError
            ``new_rows`` lacks a feature column or has missing values.
        """
        self._check_fitted("predict_potential_outcomes(new_rows)")
        F = self._rows(new_rows, features=True)
        y0, y1 = self._potential_outcomes(F)
        out = pd.DataFrame({"y0": y0, "y1": y1, "effect": y1 - y0}, index=new_rows.index)
        try:
            lo, hi = self.effect_interval(new_rows)
        except EstimatorError:
            return out
        out["effect_lower"], out["effect_upper"] = lo, hi
        return out

    def heterogeneity(self, n_groups: int = 5, level: float | None = None) -> Any:
        """The BLP test and GATES of the fitted CATE (see :func:`~dagcore.estimators.cate.heterogeneity.heterogeneity_tests`).

        Uses the out-of-sample CATE ``cate_oos_`` and the cross-fitted
        doubly robust scores ``scores_`` of the rows used to fit.
        """
        from dagcore.estimators.cate.heterogeneity import heterogeneity_tests

        self._check_fitted("heterogeneity()")
        if getattr(self, "scores_", None) is None:
            raise EstimatorError(
                f"{type(self).__name__}: the BLP test and GATES use doubly robust scores, which need a binary (0/1) treatment"
            )
        return heterogeneity_tests(self.cate_oos_, self.scores_, n_groups=n_groups, level=self.level if level is None else level)

    # ------------------------------------------------------------ subclass hooks
    def _effect(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        raise EstimatorError(
            f"{type(self).__name__} gives no pointwise CATE interval; use method='linear_dml', 'causal_forest' or "
            "'dr_learner' (linear final stage)"
        )

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise EstimatorError(f"{type(self).__name__} does not model the outcome, so it predicts no potential outcomes")


def residual_nuisances(
    outcome_model: Any, treatment_model: Any, F: np.ndarray, t: np.ndarray, y: np.ndarray, binary: bool, train: np.ndarray, test: np.ndarray
) -> tuple[tuple[np.ndarray, ...], Any]:
    """One fold of the orthogonalising nuisances of LinearDML and the causal forest: E[Y | X] and E[T | X].

    Fit on ``train`` (the flexible default learners unless models are given), predicted at ``test``; returns
    ``((m_hat, e_hat), (outcome, treatment))``. A classifier for a non-binary treatment is refused.
    """
    from sklearn.base import is_classifier

    from dagcore.estimators._nuisance import (
        fit_treatment_model,
        flexible_classifier,
        flexible_regressor,
        predict_treatment,
    )

    G = nonempty(F)
    outcome = flexible_regressor(outcome_model).fit(G[train], y[train])
    treat = flexible_classifier(treatment_model) if binary else flexible_regressor(treatment_model)
    if is_classifier(treat) and not binary:
        raise EstimatorError("treatment_model is a classifier but the treatment is not binary (0/1); pass a regressor")
    treat = fit_treatment_model(treat, G[train], t[train])
    return (np.asarray(outcome.predict(G[test]), dtype=float), predict_treatment(treat, G[test])), (outcome, treat)
