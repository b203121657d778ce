"""Which estimator serves which estimand strategy, by short name."""

from __future__ import annotations

from typing import Any

__all__ = ["REGISTRY", "register", "methods_for", "resolve", "DEFAULT_METHOD"]

#: name -> estimator class
REGISTRY: dict[str, type] = {}

#: default method for each strategy
DEFAULT_METHOD: dict[str, str] = {
    "randomized": "difference_in_means",
    "backdoor": "regression",
    "frontdoor": "frontdoor",
    "iv": "2sls",
    "id": "plugin",
    "mediation": "mediation",
}


def register(name: str, cls: type) -> None:
    """Make ``cls`` available as ``method=name``."""
    REGISTRY[name] = cls


def methods_for(estimand: Any) -> list[str]:
    """Names of the estimators that can serve ``estimand``'s strategy.

    Examples
    --------
    >>> from dagcore import Estimand
    >>> methods_for(Estimand(treatment=("x",), outcome=("y",), strategy="iv"))
    ['2sls', 'wald']
    """
    _load()
    return sorted(name for name, cls in REGISTRY.items() if estimand.strategy in cls.strategies)


def resolve(method: Any, estimand: Any, options: dict[str, Any]) -> Any:
    """An unfitted estimator from a name, a class or an instance (with ``options`` applied)."""
    from sklearn.base import clone

    from dagcore.errors import EstimatorError

    _load()
    if method is None:
        name = DEFAULT_METHOD.get(estimand.strategy)
        if name is None:
            raise EstimatorError(f"no default estimator for a {estimand.strategy!r} estimand; methods: {', '.join(methods_for(estimand)) or 'none'}")
        method = name
    if isinstance(method, str):
        if method not in REGISTRY:
            from difflib import get_close_matches

            close = get_close_matches(method, list(REGISTRY), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise EstimatorError(f"unknown method {method!r}{hint}; methods for this estimand: {', '.join(methods_for(estimand))}")
        est = _construct(REGISTRY[method], options)
    elif isinstance(method, type):
        est = _construct(method, options)
    else:
        est = clone(method)
        if options:
            _check_params(type(est), options)
            est.set_params(**options)
    strategies = getattr(est, "strategies", ())
    if estimand.strategy not in strategies:
        raise EstimatorError(
            f"{getattr(est, 'name', type(est).__name__)} cannot serve a {estimand.strategy!r} estimand; "
            f"methods that can: {', '.join(methods_for(estimand)) or 'none'}"
        )
    return est


def _check_params(cls: type, options: dict[str, Any]) -> None:
    from dagcore.errors import EstimatorError

    valid = cls._get_param_names() if hasattr(cls, "_get_param_names") else []
    unknown = sorted(set(options) - set(valid))
    if unknown:
        from difflib import get_close_matches

        close = get_close_matches(unknown[0], valid, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        name = getattr(cls, "name", "") or cls.__name__
        raise EstimatorError(f"{name} has no parameter {unknown[0]!r}{hint}; its parameters: {', '.join(valid)}")


def _construct(cls: type, options: dict[str, Any]) -> Any:
    _check_params(cls, options)
    return cls(**options)


_LOADED = False


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from dagcore.estimators.dml import DoubleML
    from dagcore.estimators.doubly_robust import AIPW
    from dagcore.estimators.frontdoor_estimators import FrontdoorLinear
    from dagcore.estimators.iv import TwoStageLeastSquares
    from dagcore.estimators.matching import Matching
    from dagcore.estimators.mediation_estimators import Mediation
    from dagcore.estimators.metalearners import DRLearner, SLearner, TLearner, XLearner
    from dagcore.estimators.plugin import PlugIn
    from dagcore.estimators.randomized import DifferenceInMeans
    from dagcore.estimators.regression import OutcomeRegression, Standardization
    from dagcore.estimators.stratification import Stratification
    from dagcore.estimators.weighting import IPW

    for cls in (
        DifferenceInMeans, OutcomeRegression, Standardization, IPW, AIPW, Stratification, Matching, TwoStageLeastSquares, FrontdoorLinear,
        PlugIn, Mediation, DoubleML, SLearner, TLearner, XLearner, DRLearner,
    ):
        REGISTRY.setdefault(cls.name, cls)
    REGISTRY.setdefault("wald", TwoStageLeastSquares)
