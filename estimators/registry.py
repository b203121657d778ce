"""Which estimator serves which estimand strategy, by short name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagcore.estimators.result import Estimate

__all__ = ["REGISTRY", "RELATED_METHODS", "register", "methods_for", "resolve", "estimate", "suggest_method", "DEFAULT_METHOD"]

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


#: Other names for an estimator (other libraries', textbooks', abbreviations), each with the dagcore
#: method closest to it and how they relate; :func:`suggest_method` reads it for an unknown name.
RELATED_METHODS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("iptw", "propensity", "propensity_score", "propensity_score_weighting", "ps_weighting", "weighting",
                     "inverse_probability_weighting", "ip_weighting", "ipw_ate", "hajek", "horvitz_thompson"),
                    ("ipw", "inverse probability weighting")),
    **dict.fromkeys(("psm", "propensity_score_matching", "ps_matching", "nearest_neighbor", "nearest_neighbour", "nn_matching",
                     "knn_matching", "match"), ("matching", "propensity-score matching")),
    **dict.fromkeys(("propensity_score_stratification", "ps_stratification", "subclassification", "strata", "stratify", "blocking"),
                    ("stratification", "propensity-score stratification")),
    **dict.fromkeys(("doubly_robust", "dr", "aiptw", "augmented_ipw", "augmented_ipw_ate", "efficient_influence_function"),
                    ("aipw", "augmented IPW, the doubly robust estimator")),
    "tmle": ("aipw", "the doubly robust estimator with the same efficient influence function; dagcore has no TMLE"),
    **dict.fromkeys(("g_formula", "gformula", "g_computation", "parametric_g_formula", "standardisation", "standardize",
                     "standardise", "marginal_effects"), ("standardization", "the parametric g-formula")),
    **dict.fromkeys(("ols", "linear_regression", "lm", "linear", "linear_model", "regression_adjustment", "outcome_regression",
                     "covariate_adjustment"), ("regression", "outcome regression by OLS")),
    **dict.fromkeys(("double_ml", "doubleml", "debiased_ml", "dml_plr", "plr", "partialling_out", "linear_dml", "lineardml"),
                    ("dml", "double / debiased machine learning, partially linear model")),
    **dict.fromkeys(("causal_forest", "causalforest", "causal_forest_dml", "grf", "forest"),
                    ("dr_learner", "a CATE learner; pass a random forest as cate_model; dagcore has no causal forest")),
    **dict.fromkeys(("slearner", "s_learner_ate"), ("s_learner", "the S-learner")),
    **dict.fromkeys(("tlearner", "t_learner_ate"), ("t_learner", "the T-learner")),
    **dict.fromkeys(("xlearner",), ("x_learner", "the X-learner")),
    **dict.fromkeys(("drlearner", "dr_learner_ate"), ("dr_learner", "the DR-learner")),
    **dict.fromkeys(("tsls", "two_stage_least_squares", "iv", "instrumental_variable", "instrumental_variables", "ivreg",
                     "iv2sls"), ("2sls", "two-stage least squares with the instruments")),
    **dict.fromkeys(("front_door", "frontdoor_adjustment", "front_door_adjustment"), ("frontdoor", "the front-door formula")),
    **dict.fromkeys(("diff_in_means", "dim", "ttest", "t_test", "ab_test", "naive", "difference"),
                    ("difference_in_means", "the difference in means of a randomized experiment")),
    **dict.fromkeys(("id", "id_algorithm", "do_calculus", "identification_formula", "plug_in"),
                    ("plugin", "the plug-in estimate of the identification formula")),
    **dict.fromkeys(("mediation_analysis", "nde", "nie", "natural_effects"), ("mediation", "natural direct and indirect effects")),
}


def suggest_method(method: str, estimand: Any) -> str:
    """The did-you-mean for an unknown method name: the closest *related* dagcore method, and whether it serves ``estimand``.

    Other libraries' names are read as their last dotted part (DoWhy's
    ``"backdoor.propensity_score_weighting"``, ``"iv.instrumental_variable"``,
    ``"backdoor.econml.dml.DML"``), in lower case, and looked up in
    :data:`RELATED_METHODS`; a misspelling gets the closest registered name.

    Examples
    --------
    >>> from dagcore import Estimand
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> suggest_method("backdoor.propensity_score_matching", e)
    "; did you mean 'matching' (propensity-score matching)?"
    >>> suggest_method("TMLE", e)
    "; did you mean 'aipw' (the doubly robust estimator with the same efficient influence function; dagcore has no TMLE)?"
    >>> suggest_method("iv.instrumental_variable", e)
    "; '2sls' (two-stage least squares with the instruments) is the related method, but it cannot serve this 'backdoor' estimand"
    >>> suggest_method("stratificaton", e)
    "; did you mean 'stratification'?"
    """
    from difflib import get_close_matches

    _load()
    key = method.strip().rsplit(".", 1)[-1].lower().replace("-", "_").replace(" ", "_")
    serving = set(methods_for(estimand))
    if key in REGISTRY:
        name, why = key, ""
    elif key in RELATED_METHODS:
        name, why = RELATED_METHODS[key]
    else:
        close = get_close_matches(key, sorted(serving), n=1) or get_close_matches(key, list(REGISTRY) + list(RELATED_METHODS), n=1)
        if not close:
            return ""
        name, why = (close[0], "") if close[0] in REGISTRY else RELATED_METHODS[close[0]]
    what = f" ({why})" if why else ""
    if name not in serving:
        return f"; {name!r}{what} is the related method, but it cannot serve this {estimand.strategy!r} estimand"
    return f"; did you mean {name!r}{what}?"


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
            hint = suggest_method(method, estimand)
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
