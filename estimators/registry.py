"""Which estimator serves which estimand strategy, by short name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagcore.estimators.result import Estimate

__all__ = ["REGISTRY", "register", "methods_for", "resolve", "estimate", "DEFAULT_METHOD"]

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
    return sorted(name for name, cls in REGISTRY.items() if estimand.strategy in getattr(cls, "strategies", ()))


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
    elif not _is_dagcore_estimator(method):
        from dagcore.estimators.cate.adapters import ExternalCate, contract_error, external_contract

        if external_contract(method) is None:
            raise contract_error(method)
        est = _construct(ExternalCate, {"model": method, **options})
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


def _is_dagcore_estimator(obj: Any) -> bool:
    from dagcore.estimators.base import CausalEstimator

    return isinstance(obj, CausalEstimator)


def _check_params(cls: type, options: dict[str, Any]) -> None:
    from dagcore.graph import check_keywords

    valid = cls._get_param_names() if hasattr(cls, "_get_param_names") else []
    name = getattr(cls, "name", "") or cls.__name__
    check_keywords(f"estimate(method={name!r})", options, ["method", *valid])


def _construct(cls: type, options: dict[str, Any]) -> Any:
    _check_params(cls, options)
    return cls(**options)


_LOADED = False


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from dagcore.estimators.backdoor.dml import DoubleML
    from dagcore.estimators.backdoor.doubly_robust import AIPW
    from dagcore.estimators.backdoor.g_estimation import GEstimation
    from dagcore.estimators.backdoor.matching import Matching
    from dagcore.estimators.backdoor.regression import OutcomeRegression, Standardization
    from dagcore.estimators.backdoor.stratification import Stratification
    from dagcore.estimators.backdoor.weighting import IPW
    from dagcore.estimators.cate.dml import LinearDML
    from dagcore.estimators.cate.forest import CausalForest
    from dagcore.estimators.cate.metalearners import DRLearner, SLearner, TLearner, XLearner
    from dagcore.estimators.experiments.difference_in_means import DifferenceInMeans
    from dagcore.estimators.frontdoor import FrontdoorLinear
    from dagcore.estimators.iv import TwoStageLeastSquares
    from dagcore.estimators.mediation import Mediation
    from dagcore.estimators.plugin import PlugIn

    for cls in (
        DifferenceInMeans, OutcomeRegression, Standardization, IPW, AIPW, Stratification, Matching, TwoStageLeastSquares, FrontdoorLinear,
        PlugIn, Mediation, DoubleML, SLearner, TLearner, XLearner, DRLearner, GEstimation, LinearDML, CausalForest,
    ):
        REGISTRY.setdefault(cls.name, cls)
    REGISTRY.setdefault("wald", TwoStageLeastSquares)


def estimate(estimand: Any, data: Any, method: Any = None, **options: Any) -> Estimate:
    """Estimate the effect named by ``estimand`` from ``data``.

    Parameters
    ----------
    estimand : Estimand
        From :func:`dagcore.identify`.
    data : pandas.DataFrame
        One column per graph variable used.
    method : str, estimator class or instance, optional
        A short name (``"regression"``, ``"standardization"``, ``"ipw"``,
        ``"aipw"``, ``"stratification"``, ``"matching"``, ``"dml"``, ``"g_estimation"``, ``"s_learner"``/``"t_learner"``/``"x_learner"``/``"dr_learner"``, ``"linear_dml"``, ``"causal_forest"``, ``"difference_in_means"``, ``"2sls"``/``"wald"``,
        ``"frontdoor"``, ``"plugin"``, ``"mediation"``; see
        :func:`~dagcore.estimators.registry.methods_for`), a class, or a
        configured instance; by default the registry's choice for the
        estimand's strategy. An EconML CATE estimator or a CausalML
        meta-learner object is wrapped in
        :class:`~dagcore.estimators.cate.adapters.ExternalCate` (the
        adjustment set is EconML's ``W``, the effect modifiers its ``X``).
    **options
        Parameters of the estimator (e.g. ``formula=...``, ``n_folds=...``).

    Returns
    -------
    Estimate

    Raises
    ------
    EstimatorError
        The method cannot serve the estimand (the message lists those that can),
        or the effect is not identifiable.
    UnknownArgumentError
        An option the estimator does not take, with a did-you-mean (DoWhy's
        ``treatment=``, ``common_causes=`` or ``method_name=`` included), or
        the estimand and the data swapped.
    DataError
        Missing columns (with a did-you-mean), missing values, wrong types.

    Examples
    --------
    >>> import numpy as np, pandas as pd, dagcore
    >>> g = dagcore.parse("z -> x; z -> y; x -> y; x [exposure]; y [outcome]")
    >>> rng = np.random.default_rng(0); z = rng.normal(size=400); x = z + rng.normal(size=400)
    >>> df = pd.DataFrame({"z": z, "x": x, "y": 3 * x - z + rng.normal(size=400)})
    >>> round(estimate(dagcore.identify(g), df).value, 1)
    3.0
    >>> estimate(dagcore.identify(g), df, method="2sls")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagcore.errors.EstimatorError: 2sls cannot serve a 'backdoor' estimand; methods that can: aipw, ..., standardization, ...
    >>> estimate(dagcore.identify(g), df, method_name="ipw")
    Traceback (most recent call last):
    ...
    dagcore.errors.UnknownArgumentError: estimate(method='regression') got an unexpected keyword argument 'method_name'; did you mean 'method'? ...
    """
    from dagcore.errors import UnknownArgumentError
    from dagcore.estimand import Estimand

    if not isinstance(estimand, Estimand):
        swapped = isinstance(data, Estimand)
        raise UnknownArgumentError(
            "estimate(estimand, data, ...) takes the estimand first"
            + ("; the arguments are swapped" if swapped else f", got {type(estimand).__name__}: get one with dagcore.identify(graph)")
        )
    est = resolve(method, estimand, dict(options))
    return est.fit(data, estimand).estimate_
