"""The estimator contract (scikit-learn's) and what every estimator shares.

``__init__`` stores its arguments only; ``fit(data, estimand)`` validates the
inputs, computes, stores the :class:`~dagcore.Estimate` in ``estimate_`` and
returns ``self``; learned values end in ``_``. Estimators pass
``sklearn.base.clone``, so refuters can re-run them with the same settings.

Parameters are declared once, as the annotated class attributes of a
dataclass: every subclass of :class:`CausalEstimator` is made a keyword-only
dataclass (``eq=False``, ``repr=False``: identity and scikit-learn's ``repr``
stay), so its generated ``__init__`` takes every parameter by keyword and only
stores it, and scikit-learn's ``get_params`` / ``set_params`` / ``clone`` read
that signature. The parameters that several estimators share live in the
small mixins below (:class:`Bootstrapped`, :class:`CrossFitted`,
:class:`PropensityFormula`, ...), which also document them; an estimator
declares only the parameters of its own.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator

from dagcore.errors import DagcoreWarning, EstimatorError, SeparationError
from dagcore.estimators._data import (
    Prepared,
    check_binary,
    check_formula,
    check_frame,
    check_propensity_formula,
    design_matrix,
    formula_design,
    prepare,
)
from dagcore.estimators._nuisance import classifier, cross_fit, crossfit_folds, fit_propensity, fit_treatment_model
from dagcore.estimators.result import Estimate, Overlap
from dagcore.estimators.targets import DEFAULT_CLIP

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:  # only type checkers read it (typing.dataclass_transform is Python >= 3.11)

    def dataclass_transform(**_: Any) -> Any:
        return lambda cls: cls


__all__ = [
    "Bootstrapped",
    "CausalEstimator",
    "ClippedPropensity",
    "CrossFitted",
    "FormulaChecked",
    "OutcomeFormula",
    "OutcomeModelled",
    "Parallel",
    "PropensityFormula",
    "PropensityModelled",
    "RepeatedSplits",
    "Seeded",
    "NuisanceFormulas",
    "normal_ci",
]


def normal_ci(value: float, se: float, level: float) -> tuple[float, float]:
    """Wald confidence interval ``value ± z * se``.

    Examples
    --------
    >>> [round(v, 3) for v in normal_ci(1.0, 0.5, 0.95)]
    [0.02, 1.98]
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    return (value - z * se, value + z * se)


@dataclass_transform(kw_only_default=True, eq_default=False)
class _KeywordDataclasses(BaseEstimator):
    """Makes every subclass a keyword-only dataclass that keeps scikit-learn's ``repr`` and identity equality."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(eq=False, repr=False, kw_only=True)(cls)


class CausalEstimator(_KeywordDataclasses):
    """Base class: checks the estimand's strategy and builds the :class:`Estimate`.

    A subclass declares its parameters as annotated class attributes with
    their defaults (``trim: float = 0.0``); it becomes a keyword-only
    dataclass when it is defined (``__init_subclass__``), so it writes no
    ``__init__``.

    Parameters
    ----------
    level : float
        Confidence level of the interval (0.95).
    dropna : bool
        Drop the rows with a missing value in a column the estimator uses (the
        count is in the estimate's warnings); by default a missing value is a
        :class:`~dagcore.DataError`.

    Examples
    --------
    >>> from dagcore import Estimand
    >>> class Mean(CausalEstimator):
    ...     '''The mean outcome (not an effect: a toy).'''
    ...     name = "mean"; strategies = ("randomized",)
    ...     scale: float = 1.0
    ...     def _fit(self, data, estimand):
    ...         y = data[estimand.outcome[0]] * self.scale
    ...         return self._result(estimand, float(y.mean()), float(y.sem()), len(y), inference="toy")
    >>> Mean(scale=2.0, level=0.9)
    Mean(level=0.9, scale=2.0)
    >>> sorted(Mean().get_params())
    ['dropna', 'level', 'scale']
    >>> import pandas as pd
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    >>> Mean(scale=2.0).fit(pd.DataFrame({"t": [0, 1], "y": [1.0, 3.0]}), e).estimate_.value
    4.0
    >>> Mean(2.0)
    Traceback (most recent call last):
    ...
    TypeError: Mean.__init__() takes 1 positional argument but 2 were given
    """

    #: Short name used by the registry and in results.
    name: ClassVar[str] = ""
    #: Estimand strategies this estimator can serve.
    strategies: ClassVar[tuple[str, ...]] = ()

    level: float = 0.95
    dropna: bool = False

    def fit(self, data: Any, estimand: Any) -> CausalEstimator:
        """Estimate the effect named by ``estimand`` from ``data``; the result is in ``estimate_``.

        Every warning raised while fitting (dagcore's own, and those of the
        nuisance models: a scikit-learn ``ConvergenceWarning``, a statsmodels
        warning) is re-issued once, after the fit, as coming from the line of
        user code that called ``fit`` (or ``dagcore.estimate``, ``refute``, ...),
        so the usual warning filters and ``pytest.warns`` see it there.
        """
        level = self.level
        if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)) or not 0 < level < 1:
            raise EstimatorError(f"level is the confidence level, a number between 0 and 1 (e.g. 0.95), got {level!r}")
        self._check_estimand(estimand)
        check_frame(data)
        self._warnings: list[str] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", DagcoreWarning)
                try:
                    estimate = self._fit(data, estimand)
                except SeparationError as err:
                    raise _named_separation(err, data, estimand) from None
            self.estimate_ = _with_caught_warnings(estimate, caught)
        finally:
            _reissue(caught)
        return self

    def _fit(self, data: Any, estimand: Any) -> Estimate:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_estimand(self, estimand: Any) -> None:
        if estimand is None or not hasattr(estimand, "strategy"):
            raise EstimatorError(f"{type(self).__name__}.fit needs an Estimand (from dagcore.identify), got {type(estimand).__name__}")
        if not estimand.estimable:
            raise EstimatorError(f"the effect is not identifiable ({estimand.reason}); there is nothing to estimate")
        if estimand.given:
            raise EstimatorError(
                f"the conditional effect given {{{', '.join(sorted(estimand.given))}}} is identified but not estimated by "
                f"{type(self).__name__}; evaluate its formula with dagcore.evaluate, or estimate the average effect"
            )
        if estimand.strategy not in self.strategies:
            # the registry (which imports every estimator) is not imported here: that would be an import
            # cycle; dagcore.estimate() checks first and lists the methods that can serve the estimand
            raise EstimatorError(
                f"{self.name or type(self).__name__} cannot serve a {estimand.strategy!r} estimand "
                f"(it serves: {', '.join(sorted(self.strategies))}); "
                "dagcore.estimators.methods_for(estimand) lists the methods that can"
            )
        if len(estimand.treatment) != 1 or len(estimand.outcome) != 1:
            raise EstimatorError(f"{self.name} estimates the effect of one treatment on one outcome, got {list(estimand.treatment)} -> {list(estimand.outcome)}")

    def _warn(self, message: str, category: type[Warning] = DagcoreWarning) -> None:
        self._warnings.append(message)
        warnings.warn(message, category, stacklevel=3)

    def _result(
        self,
        estimand: Any,
        value: float,
        se: float,
        n: int,
        *,
        inference: str,
        target: str = "ATE",
        ci: tuple[float, float] | None = None,
        diagnostics: dict[str, Any] | None = None,
        notes: list[str] | None = None,
        overlap: Overlap | None = None,
    ) -> Estimate:
        level = float(getattr(self, "level", 0.95))
        diagnostics = dict(diagnostics or {})
        found = diagnostics.get("propensity_overlap")
        if isinstance(found, Overlap):  # the structured overlap goes to Estimate.overlap, its plain form stays here
            overlap = overlap if overlap is not None else found
            diagnostics["propensity_overlap"] = found.to_dict()
        if not np.isfinite(value):
            raise EstimatorError(f"{self.name} produced a non-finite estimate; check overlap and collinearity")
        return Estimate(
            value=value,
            se=se,
            ci=ci if ci is not None else normal_ci(value, se, level),
            level=level,
            target=target,
            method=self.name,
            settings={k: v for k, v in self.get_params(deep=False).items() if _plain(v)},
            inference=inference,
            n=int(n),
            diagnostics=diagnostics,
            warnings=tuple(dict.fromkeys([*(notes or []), *self._warnings])),
            overlap=overlap,
            estimand=estimand,
            estimator=self,
        )


# ---------------------------------------------------------------- parameter groups
# Each group declares (and documents) parameters that several estimators take;
# an estimator inherits the groups it uses and declares only its own parameters.


class Seeded(CausalEstimator):
    """The seed of an estimator's random draws.

    Parameters
    ----------
    random_state : int or None
        Seeds the bootstrap resamples, the fold splits or the matching order
        (0); ``None`` draws fresh entropy, so repeated fits differ.
    """

    random_state: int | None = 0


class Parallel(Seeded):
    """Parallel fits through joblib, reproducible whatever the number of workers (and seeded by :class:`Seeded`).

    Parameters
    ----------
    n_jobs : int or None
        joblib workers for the bootstrap replicates or the cross-fitting folds
        (``None``: one, unless a ``joblib.parallel_backend`` context says
        otherwise); the result does not depend on it.
    """

    n_jobs: int | None = None


class Bootstrapped(Parallel):
    """Inference by the nonparametric bootstrap; ``random_state`` spawns every replicate's stream, ``n_jobs`` runs them (:class:`Parallel`).

    Parameters
    ----------
    n_bootstrap : int
        Replicates behind the SE and the percentile CI (200).
    """

    n_bootstrap: int = 200


class CrossFitted(Parallel):
    """Nuisance models fit on K - 1 folds and predicted on the held-out one; ``random_state`` seeds the split, ``n_jobs`` runs the folds (:class:`Parallel`).

    Parameters
    ----------
    n_folds : int
        Cross-fitting folds (5), stratified on a binary treatment; each
        estimator says the fewest it accepts.
    """

    n_folds: int = 5

    def _folds(self, t: np.ndarray, random_state: int | None, **options: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (train, test) rows of the ``n_folds``-fold split; ``options`` (``estimator``, ``stratify``, ``minimum``) go to ``crossfit_folds``."""
        return crossfit_folds(t, self.n_folds, random_state=random_state, **options)

    def _cross_fit(self, nuisances: Any, folds: list[tuple[np.ndarray, np.ndarray]], n: int, extra: Any = None) -> tuple[np.ndarray, ...]:
        """Out-of-fold predictions of ``nuisances(train, test[, extra[k]])``, the folds run with ``n_jobs``."""
        return cross_fit(nuisances, folds, n, n_jobs=self.n_jobs, extra=extra)


class RepeatedSplits(CrossFitted):
    """:class:`CrossFitted` over several random splits (Chernozhukov et al. 2018, section 3.4).

    Parameters
    ----------
    n_repeats : int
        Random splits (1); the estimate is the median over them and its SE
        the median of ``sqrt(SE_r**2 + (estimate_r - estimate)**2)``.
    """

    n_repeats: int = 1

    def _over_splits(self, one_split: Callable[[int], tuple[Any, ...]]) -> tuple[float, float, list[tuple[Any, ...]]]:
        """Run ``one_split(seed)`` on ``n_repeats`` random splits: the median estimate, its SE, and every run.

        Each run returns ``(estimate, se, ...)``; the seeds come from ``random_state``.
        """
        repeats = self.n_repeats
        if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)) or repeats < 1:
            raise EstimatorError(f"n_repeats must be a whole number of at least 1, got {repeats!r}")
        rng = np.random.default_rng(self.random_state)
        runs = [one_split(int(rng.integers(2**31 - 1))) for _ in range(int(repeats))]
        values = np.array([float(r[0]) for r in runs])
        ses = np.array([float(r[1]) for r in runs])
        value = float(np.median(values))
        return value, float(np.median(np.sqrt(ses**2 + (values - value) ** 2))), runs


class OutcomeModelled(CausalEstimator):
    """A scikit-learn model of the outcome.

    Parameters
    ----------
    outcome_model : scikit-learn regressor, optional
        Cloned before every fit (the user's object is never fit); default
        ordinary least squares (``LinearRegression``).
    """

    outcome_model: Any = None


class PropensityModelled(CausalEstimator):
    """A scikit-learn model of the propensity score ``P(T = 1 | covariates)``.

    Parameters
    ----------
    propensity_model : scikit-learn classifier, optional
        Any estimator with ``predict_proba``, cloned before every fit; default
        the unpenalised logistic regression (the maximum-likelihood fit,
        :class:`~dagcore.estimators._nuisance.LogisticMLE`).
    """

    propensity_model: Any = None

    def _fit_propensity_model(self, X: np.ndarray, t: np.ndarray) -> Any:
        """A fresh copy of ``propensity_model`` (or the default) fit to the 0/1 treatment ``t``."""
        return fit_treatment_model(classifier(self.propensity_model), X, t)


class ClippedPropensity(PropensityModelled):
    """A propensity model (:class:`PropensityModelled`) whose scores are clipped away from 0 and 1.

    Parameters
    ----------
    trim : float
        The scores are clipped at ``trim`` and ``1 - trim`` (default 0.01,
        DoubleML's default for the interactive model; 0: not clipped), at the
        ends whose inverse enters the target's weights only
        (:func:`~dagcore.estimators.targets.clip_rule`: both for the ATE, the
        upper end for the ATT, the lower for the ATC, none for the ATO). The
        units all stay, unlike :class:`~dagcore.IPW`'s ``trim``; the number of
        clipped scores is in the diagnostics.
    """

    trim: float = DEFAULT_CLIP


class FormulaChecked(CausalEstimator):
    """A user formula whose variables are checked against the estimand.

    Parameters
    ----------
    allow_extra_variables : bool
        Let a formula use columns outside the estimand's adjustment set
        (False: such a column is an error, since it may be a collider or a
        mediator). The outcome is never allowed on the right-hand side.
    """

    allow_extra_variables: bool = False


class OutcomeFormula(FormulaChecked):
    """An outcome model given as a statsmodels formula, checked by :class:`FormulaChecked`.

    Parameters
    ----------
    formula : str, optional
        E.g. ``"y ~ t + age + I(age**2) + C(edu)"``; by default the treatment
        plus every adjustment variable, linearly.
    """

    formula: str | None = None


class PropensityFormula(PropensityModelled, FormulaChecked):
    """A propensity model given as a statsmodels formula (checked by :class:`FormulaChecked`) or as a classifier (:class:`PropensityModelled`).

    Parameters
    ----------
    propensity_formula : str, optional
        A formula for the unpenalised logistic propensity model, e.g.
        ``"t ~ age + I(age**2)"``; ``propensity_model`` is used when it is None.
    """

    propensity_formula: str | None = None

    def _propensity_inputs(self, data: Any, estimand: Any, *, estimator: str, formula: bool = True) -> tuple[Prepared, np.ndarray, np.ndarray, list[str]]:
        """The rows to use, the 0/1 treatment, the outcome and the sorted adjustment set.

        With ``formula`` the propensity formula is checked against the
        estimand and its variables are validated with the rest.
        """
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        extra: list[str] = []
        if formula:
            extra = check_propensity_formula(self.propensity_formula, data, t_name, covs, outcome=y_name, allow_extra=self.allow_extra_variables)
        prep = prepare(data, t_name, y_name, covs, extra=extra, dropna=self.dropna)
        t = check_binary(prep.data, t_name, estimator=estimator)
        return prep, t, prep.data[y_name].to_numpy(dtype=float), covs

    def _propensity_scores(self, df: Any, treatment: str, covariates: list[str], design: np.ndarray | None = None) -> np.ndarray:
        """P(treatment = 1 | covariates) for every row of ``df``, from the formula or the model."""
        return fit_propensity(df, treatment, covariates, formula=self.propensity_formula, model=self.propensity_model, design=design)


class NuisanceFormulas(OutcomeFormula):
    """Nuisance models whose features are given as formulas: the outcome's (:class:`OutcomeFormula`) and the treatment's.

    Parameters
    ----------
    propensity_formula : str, optional
        The features of the treatment (propensity) model as a formula,
        ``"t ~ age + I(age**2) + C(edu)"``; by default the adjustment set.

    Notes
    -----
    The outcome formula's right-hand side gives the outcome model's features
    and the propensity formula's the treatment model's; terms reading the
    treatment are left out of the outcome features (the outcome is modelled
    within each arm, or the treatment is partialled out), so the formula of
    :class:`~dagcore.OutcomeRegression` (``"y ~ t + age + I(age**2)"``)
    can be passed as it is. Both are checked by the one formula guard
    (:func:`~dagcore.estimators._data.check_formula`).
    """

    propensity_formula: str | None = None

    def _formula_prepare(self, data: Any, estimand: Any) -> tuple[Prepared, list[str]]:
        """Check both formulas against the estimand and validate every column they read; the rows and the sorted adjustment set."""
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        extra: list[str] = []
        if self.formula:
            v = check_formula(self.formula, data, lhs=y_name, allowed={t_name, *covs}, never={y_name: "the outcome"},
                              allow_extra=self.allow_extra_variables)
            extra += sorted(v.rhs - {t_name, *covs})
        extra += check_propensity_formula(self.propensity_formula, data, t_name, covs, outcome=y_name,
                                          allow_extra=self.allow_extra_variables)
        return prepare(data, t_name, y_name, covs, extra=sorted(set(extra)), dropna=self.dropna), covs

    def _feature_matrices(self, prep: Prepared, covs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The outcome model's and the treatment model's features (the adjustment set's design matrix without formulas)."""
        default = design_matrix(prep.data, covs) if not (self.formula and self.propensity_formula) else np.zeros((0, 0))
        X_out = formula_design(self.formula, prep.data, drop=[prep.treatment])[0] if self.formula else default
        X_ps = formula_design(self.propensity_formula, prep.data, drop=[prep.treatment])[0] if self.propensity_formula else default
        return X_out, X_ps


def _in_dagcore(frame: FrameType) -> bool:
    name = frame.f_globals.get("__name__", "")
    return isinstance(name, str) and (name == "dagcore" or name.startswith("dagcore."))


def _reissue(caught: list[warnings.WarningMessage]) -> None:
    """Issue each distinct caught warning again, located at the user's call into dagcore.

    The location is the caller of the outermost dagcore frame on the stack,
    so a fit reached through ``dagcore.estimate``, a refuter or joblib still
    names the user's line, never a file of this package.
    """
    if not caught:
        return
    frame: FrameType | None = sys._getframe(0)
    level = outermost = 1
    while frame is not None:
        if _in_dagcore(frame):
            outermost = level
        frame, level = frame.f_back, level + 1
    seen: set[tuple[type[Warning], str]] = set()
    for w in caught:
        key = (w.category, str(w.message))
        if key not in seen:
            seen.add(key)
            warnings.warn(w.message, w.category, stacklevel=outermost + 1)


def _named_separation(err: SeparationError, data: Any, estimand: Any) -> SeparationError:
    """``err`` with the design's "column j" replaced by the adjustment set's column names (the learners fit on arrays)."""
    import re

    from dagcore.estimators._data import design_frame

    text = str(err)
    if "column " not in text or not getattr(estimand, "adjustment_set", None):
        return err
    try:
        names = [str(c) for c in design_frame(data, sorted(estimand.adjustment_set)).columns]
    except Exception:  # noqa: BLE001 - naming is a nicety; the original error stands
        return err
    used = [int(m) for m in re.findall(r"column (\d+)", text)]
    if not used or max(used) >= len(names):
        return err
    renamed = SeparationError(re.sub(r"column (\d+)", lambda m: names[int(m.group(1))], text))
    renamed.columns = tuple(names[int(c.split(" ")[1])] if c.startswith("column ") and int(c.split(" ")[1]) < len(names) else c
                            for c in err.columns)
    renamed.n_separated = err.n_separated
    return renamed


def _with_caught_warnings(estimate: Any, caught: list[warnings.WarningMessage]) -> Any:
    """``estimate`` with every dagcore warning raised during the fit (positivity, post-treatment, ...) in its ``warnings``."""
    if not isinstance(estimate, Estimate):
        return estimate
    extra = [str(w.message) for w in caught if issubclass(w.category, DagcoreWarning)]
    merged = tuple(dict.fromkeys([*estimate.warnings, *extra]))
    return estimate if merged == estimate.warnings else replace(estimate, warnings=merged)


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, tuple))
