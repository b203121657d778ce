"""The estimator contract (scikit-learn's) and what every estimator shares.

``__init__`` stores its arguments only; ``fit(data, estimand)`` validates the
inputs, computes, stores the :class:`~dagcore.Estimate` in ``estimate_`` and
returns ``self``; learned values end in ``_``. Estimators pass
``sklearn.base.clone``, so refuters can re-run them with the same settings.
"""

from __future__ import annotations

import sys
import warnings
from types import FrameType
from typing import Any, ClassVar

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator

from dagcore.errors import DagcoreWarning, EstimatorError
from dagcore.estimators.result import Estimate

__all__ = ["CausalEstimator", "normal_ci"]


def normal_ci(value: float, se: float, level: float) -> tuple[float, float]:
    """Wald confidence interval ``value ± z * se``.

    Examples
    --------
    >>> [round(v, 3) for v in normal_ci(1.0, 0.5, 0.95)]
    [0.02, 1.98]
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    return (value - z * se, value + z * se)


class CausalEstimator(BaseEstimator):
    """Base class: checks the estimand's strategy and builds the :class:`Estimate`."""

    #: Short name used by the registry and in results.
    name: ClassVar[str] = ""
    #: Estimand strategies this estimator can serve.
    strategies: ClassVar[tuple[str, ...]] = ()

    def fit(self, data: Any, estimand: Any) -> CausalEstimator:
        """Estimate the effect named by ``estimand`` from ``data``; the result is in ``estimate_``.

        Every warning raised while fitting (dagcore's own, and those of the
        nuisance models: a scikit-learn ``ConvergenceWarning``, a statsmodels
        warning) is re-issued once, after the fit, as coming from the line of
        user code that called ``fit`` (or ``dagcore.estimate``, ``refute``, ...),
        so the usual warning filters and ``pytest.warns`` see it there.
        """
        self._check_estimand(estimand)
        self._warnings: list[str] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", DagcoreWarning)
                self.estimate_ = self._fit(data, estimand)
        finally:
            _reissue(caught)
        return self

    def _fit(self, data: Any, estimand: Any) -> Estimate:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_estimand(self, estimand: Any) -> None:
        if estimand is None or not hasattr(estimand, "strategy"):
            raise EstimatorError(f"{type(self).__name__}.fit needs an Estimand (from dagcore.identify), got {type(estimand).__name__}")
        if not estimand.identified:
            raise EstimatorError(f"the effect is not identifiable ({estimand.reason}); there is nothing to estimate")
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
    ) -> Estimate:
        level = float(getattr(self, "level", 0.95))
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
            diagnostics=diagnostics or {},
            warnings=tuple([*(notes or []), *self._warnings]),
            estimand=estimand,
            estimator=self,
        )


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


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, tuple))
