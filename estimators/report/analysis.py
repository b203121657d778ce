"""The whole analysis in one call: identify, estimate, diagnose, refute, test the graph, state the limits.

:func:`analyze` runs every step on a graph and a DataFrame and returns an
immutable :class:`Analysis`, which renders to Markdown, one self-contained
HTML file, or JSON (:mod:`dagcore.estimators.report.formats`).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from dagcore.errors import DagcoreError, DataError, EstimatorError

__all__ = ["Analysis", "analyze", "DEFAULT_ESTIMATORS", "effect_roles", "e_value_for", "ovb_for", "data_overlap"]

log = logging.getLogger("dagcore")

#: Estimators tried, in order, for each strategy when the caller names none;
#: names the registry does not know, or that cannot serve the estimand, are skipped.
DEFAULT_ESTIMATORS: Mapping[str, tuple[str, ...]] = {
    "randomized": ("regression", "ipw", "aipw"),
    "backdoor": ("regression", "ipw", "aipw"),
    "frontdoor": ("frontdoor", "regression"),
    "iv": ("2sls", "iv", "wald"),
    "id": ("plugin", "id"),
    "mediation": ("mediation",),
}


@dataclass(frozen=True)
class Analysis:
    """Everything :func:`analyze` found, as one immutable value.

    Attributes
    ----------
    graph : CausalGraph
    exposure, outcome : str
    estimand : Estimand
    estimates : tuple of Estimate
        One per estimator that could serve the estimand; the first is the primary.
    skipped_estimators : tuple of str
        Estimators that were asked for or tried and could not run, with the reason.
    refutations : tuple of Refutation
        Refuters run on the primary estimate.
    e_value : EValue or None
    ovb : OVBSensitivity or None
        Cinelli & Hazlett sensitivity of the linear-regression version of the estimate.
    local_tests : LocalTests or None
    problems : tuple of Problem
        What is wrong, most serious first (:func:`~dagcore.estimators.report.problems.find_problems`):
        no or weak overlap, disagreeing estimators, failed refuters, contradicted independencies,
        estimators that could not run, dropped rows. The summary and the Limits lead with them.
    overlap : Overlap or None
        The propensity overlap of the exposure given the adjustment set (default logistic model), for a
        binary exposure with covariates: the data's overlap, whatever the estimators.
    propensity : PropensityOverlap or None
        Propensity scores by arm for the overlap figure (:mod:`~dagcore.estimators.report.overlap`).
    heterogeneity : Heterogeneity or None
        For an analysis with a CATE estimator: the BLP test, GATES and the held-out gain curve of the
        first CATE estimate (:meth:`~dagcore.estimators.cate.CateEstimator.heterogeneity`), shown in
        the report's "Heterogeneous effects" section with its three figures.
    title : str
        The report's title (from an analysis specification), or empty.
    limits : tuple of str
        What the analysis cannot claim, generated from what was found (the problems first).
    notes : tuple of str
        Steps that were skipped and why.
    data_summary : mapping
    seconds : mapping
        Wall time per step.
    """

    graph: Any
    exposure: str
    outcome: str
    estimand: Any
    estimates: tuple[Any, ...] = ()
    skipped_estimators: tuple[str, ...] = ()
    refutations: tuple[Any, ...] = ()
    e_value: Any = None
    ovb: Any = None
    local_tests: Any = None
    problems: tuple[Any, ...] = ()
    overlap: Any = None
    limits: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    data_summary: Mapping[str, Any] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict, compare=False)
    graph_svg: str = field(default="", compare=False, repr=False)
    propensity: Any = field(default=None, compare=False, repr=False)
    heterogeneity: Any = field(default=None, compare=False, repr=False)
    title: str = ""

    @cached_property
    def figures(self) -> Mapping[str, Any]:
        """The report's figures by name (matplotlib ``Figure`` objects that show as SVG in Jupyter).

        Names: ``overlap``, ``balance``, ``forest``, ``refutations``, ``sensitivity``
        (each only when the analysis has what it draws); drawn once, on first access.
        """
        from dagcore.estimators.report.plots import analysis_figures

        return analysis_figures(self)

    @property
    def identified(self) -> bool:
        """Whether the effect is nonparametrically identifiable from the graph (an instrument's is not)."""
        return bool(self.estimand is not None and self.estimand.identified)

    @property
    def estimable(self) -> bool:
        """Whether there is something to estimate: identified, or identified under an instrument's parametric assumptions."""
        return bool(self.estimand is not None and self.estimand.estimable)

    @property
    def estimate(self) -> Any:
        """The primary estimate (None when nothing could be estimated)."""
        return self.estimates[0] if self.estimates else None

    def summary(self) -> str:
        """A terminal summary: the problems first, then identification, estimates, verdicts, sensitivity, graph tests, limits."""
        from dagcore.estimators.report.formats import terminal_summary

        return terminal_summary(self)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form of every section."""
        from dagcore.estimators.result import jsonable

        return jsonable({
            "exposure": self.exposure, "outcome": self.outcome, "identified": self.identified, "estimable": self.estimable, "estimand": self.estimand,
            "estimates": self.estimates, "skipped_estimators": self.skipped_estimators, "refutations": self.refutations,
            "sensitivity": {"e_value": self.e_value, "ovb": self.ovb}, "local_tests": self.local_tests,
            "problems": self.problems, "overlap": self.overlap,
            "heterogeneity": self.heterogeneity.to_dict() if self.heterogeneity is not None else None,
            "limits": self.limits, "notes": self.notes, "data": self.data_summary, "seconds": self.seconds,
            "report": _report_content(self),
        })

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        kwargs.setdefault("indent", 2)
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def to_markdown(self, *, figure_dir: str | None = None) -> str:
        """The report as Markdown; ``figure_dir`` is where its figures' SVG files are linked from (see :meth:`write`)."""
        from dagcore.estimators.report.formats import to_markdown

        return to_markdown(self, figure_dir=figure_dir)

    def write(self, path: Any, *, figures_dir: Any = None) -> list[Any]:
        """Write the report (.html, .md or .json) and its figures; returns the paths written.

        See :func:`dagcore.estimators.report.formats.write_report` (a Markdown
        report's figures go to ``<name>_figures/`` beside it by default).
        """
        from dagcore.estimators.report.formats import write_report

        return write_report(self, path, figures_dir=figures_dir)

    def to_html(self) -> str:
        """The report as one self-contained HTML file (inline SVG and CSS, no JavaScript, no external resources)."""
        from dagcore.estimators.report.formats import to_html

        return to_html(self)

    def _repr_html_(self) -> str:
        from dagcore.estimators.report.formats import notebook_html

        return notebook_html(self)


def _report_content(a: Analysis) -> dict[str, Any]:
    from dagcore.estimators.report.readable import report_content

    return report_content(a)


def _to_stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


class _Stages:
    """Stage messages on stderr (or a callback) while the analysis runs."""

    def __init__(self, progress: bool | Callable[[str], None]) -> None:
        self.callback: Callable[[str], None] | None
        if callable(progress):
            self.callback = progress
        elif progress:
            self.callback = _to_stderr
        else:
            self.callback = None
        self.bars = bool(progress) and not callable(progress)

    def __call__(self, message: str) -> None:
        log.info(message)
        if self.callback:
            self.callback(message)


def _as_graph(graph: Any) -> Any:
    from dagcore.graph import CausalGraph

    if isinstance(graph, CausalGraph):
        return graph
    if isinstance(graph, str) or hasattr(graph, "__fspath__"):
        from dagcore.grammar import load

        return load(graph)
    raise TypeError(f"graph must be a CausalGraph or a path to a .dag file, got {type(graph).__name__}")


def effect_roles(graph: Any, exposure: str | None = None, outcome: str | None = None) -> tuple[Any, str, str]:
    """The graph with exactly one exposure and one outcome, and their names.

    ``exposure`` and ``outcome`` replace the graph's roles when given (a node
    moving from outcome to exposure, or back, leaves its old role). This is the
    check :func:`analyze` and the CLI's ``refute`` and ``sensitivity`` make
    before estimating, so none of them silently picks one of several exposures.

    Parameters
    ----------
    graph : CausalGraph
    exposure, outcome : str, optional
        Node names overriding the graph's roles.

    Returns
    -------
    (CausalGraph, str, str)
        The graph with those roles, the exposure and the outcome.

    Raises
    ------
    NodeNotFoundError
        ``exposure`` or ``outcome`` is not a node of the graph.
    DataError
        The graph (after the overrides) has not exactly one exposure and one outcome.

    Examples
    --------
    >>> from dagcore import parse
    >>> g, t, y = effect_roles(parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]"), outcome="Z")
    >>> (t, y, sorted(g.outcome))
    ('X', 'Z', ['Z'])
    """
    g = graph
    if exposure is not None or outcome is not None:
        roles: dict[str, Any] = {}
        if exposure is not None:
            g.check_nodes([exposure])
            roles["exposure"] = [exposure]
        if outcome is not None:
            g.check_nodes([outcome])
            roles["outcome"] = [outcome]
        # a node moving from outcome to exposure (or back) leaves its old role
        if "outcome" not in roles:
            roles["outcome"] = [n for n in g.outcome if n not in roles["exposure"]]
        if "exposure" not in roles:
            roles["exposure"] = [n for n in g.exposure if n not in roles["outcome"]]
        g = g.with_roles(**roles)
    if len(g.exposure) != 1 or len(g.outcome) != 1:
        raise DataError(
            "the analysis needs exactly one exposure and one outcome; mark them in the .dag "
            "(X [exposure], Y [outcome]) or pass exposure= and outcome= "
            f"(the graph has exposure {sorted(g.exposure)} and outcome {sorted(g.outcome)})"
        )
    return g, next(iter(g.exposure)), next(iter(g.outcome))


def _data_summary(g: Any, data: Any) -> dict[str, Any]:
    observed = [v for v in g.observed]
    return {
        "rows": int(len(data)),
        "columns": int(data.shape[1]),
        "graph_variables_missing_from_data": sorted(v for v in observed if v not in data.columns),
        "rows_with_missing_values": int(data[[c for c in observed if c in data.columns]].isna().any(axis=1).sum()),
        "missing_by_column": {
            str(c): int(k) for c, k in data[[c for c in observed if c in data.columns]].isna().sum().items() if k
        },
    }


def _fit(estimand: Any, data: Any, spec: Any, target: str | None = None) -> Any:
    if isinstance(spec, Mapping) or (isinstance(spec, str) and target is None):
        from dagcore.estimators.registry import estimate as _estimate

        if isinstance(spec, str):
            return _estimate(estimand, data, method=spec)
        options = dict(spec)
        if not isinstance(options.get("method"), str):
            raise EstimatorError(f"an estimator given as a mapping needs 'method' (a registry name), got {spec!r}")
        if target is not None:
            options.setdefault("target", target)
        return _estimate(estimand, data, **options)
    from sklearn.base import clone

    from dagcore.estimators.registry import resolve

    est = resolve(spec, estimand, {}) if isinstance(spec, str) else clone(spec)
    if target is not None:
        if "target" not in est.get_params(deep=False):
            raise EstimatorError(f"it has no target option (it estimates one fixed target), so it cannot estimate the {target}")
        est.set_params(target=target)
    return est.fit(data, estimand).estimate_


def _spec_name(spec: Any) -> str:
    if isinstance(spec, Mapping):
        return str(spec.get("method", "?"))
    return spec if isinstance(spec, str) else type(spec).__name__


def _is_binary(values: Any) -> bool:
    u = np.unique(values[~np.isnan(values)])
    return u.size <= 2 and set(u.tolist()) <= {0.0, 1.0}


def _treatment_outcome(estimand: Any, what: str) -> tuple[str, str]:
    if estimand is None or not getattr(estimand, "treatment", None) or not getattr(estimand, "outcome", None):
        raise EstimatorError(f"the {what} names no treatment and outcome (build it with dagcore.identify)")
    return estimand.treatment[0], estimand.outcome[0]


def e_value_for(estimate: Any, data: Any) -> tuple[Any, str | None]:
    """The E-value of an estimate of the effect of its estimand's treatment on its outcome, on the right scale.

    Ratio targets (``RR``, ``OR``) use :func:`~dagcore.estimators.sensitivity.evalue.e_value`
    directly; a risk difference on a binary outcome is converted to a risk
    ratio with the untreated risk in ``data``; a continuous outcome uses
    :func:`~dagcore.estimators.sensitivity.evalue.e_value_continuous` with the
    outcome's standard deviation.

    Parameters
    ----------
    estimate : Estimate
        An estimate whose ``estimand`` names the treatment and outcome (every
        estimate from :func:`dagcore.estimate` does).
    data : pandas.DataFrame
        The data it was estimated on.

    Returns
    -------
    (EValue or None, str or None)
        The E-value, or None with a note saying why it was skipped.

    Raises
    ------
    EstimatorError
        The estimate carries no estimand.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import estimate, identify, parse
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=500); x = (z + rng.normal(size=500) > 0).astype(float)
    >>> df = pd.DataFrame({"Z": z, "X": x, "Y": 2 * x + z + rng.normal(size=500)})
    >>> est = estimate(identify(parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]")), df, method="regression")
    >>> ev, note = e_value_for(est, df)
    >>> ev.point > 1 and note is None
    True
    """
    t, y = _treatment_outcome(estimate.estimand if estimate is not None else None, "estimate")
    est = estimate
    from dagcore.estimators.sensitivity.evalue import e_value, e_value_continuous

    yv = data[y].to_numpy(dtype=float)
    if est.target in ("RR", "OR"):
        prevalence = float(np.nanmean(yv)) if _is_binary(yv) else 0.5
        return e_value(est.value, *est.ci, measure=est.target, rare=prevalence < 0.15), None
    if _is_binary(yv):
        d = data[t].to_numpy(dtype=float)
        p0 = float(np.nanmean(yv[d == 0])) if np.any(d == 0) else float("nan")
        lo, hi = est.ci
        if not (p0 > 0 and p0 + est.value > 0 and p0 + lo > 0 and p0 + hi > 0):
            return None, "E-value skipped: the risk difference cannot be converted to a risk ratio"
        from dagcore.estimators.sensitivity.evalue import EValue

        ev = e_value(
            (p0 + est.value) / p0,
            (p0 + lo) / p0,
            (p0 + hi) / p0,
        )
        ev = EValue(
            **{**ev.__dict__, "measure": "RD", "estimate": est.value, "ci": est.ci,
               "conversion": f"risk difference converted to a risk ratio with the untreated risk {p0:.3g}"}
        )
        return ev, None
    sd = float(np.nanstd(yv, ddof=1))
    return e_value_continuous(est.value, est.se, sd, level=est.level), None


def ovb_for(
    estimand: Any, data: Any, *, k: Sequence[float] = (1.0, 2.0, 3.0), formula: str | None = None
) -> tuple[Any, str | None]:
    """Cinelli & Hazlett sensitivity of the linear-regression version of a covariate-adjustment estimand.

    Fits ``outcome ~ treatment + adjustment set`` (or ``formula``, e.g. the
    regression estimator's, with squared and categorical terms) by OLS on the
    complete rows and benchmarks the confounding on each numeric covariate
    that is a term of the model, ``k`` times as strong
    (:func:`~dagcore.estimators.sensitivity.ovb.ols_sensitivity`,
    :func:`~dagcore.estimators.sensitivity.ovb.ovb_sensitivity`).

    Parameters
    ----------
    estimand : Estimand
        An identified estimand; only ``backdoor`` and ``randomized`` ones apply.
    data : pandas.DataFrame
    k : sequence of float
        Benchmark multipliers.
    formula : str, optional
        A statsmodels formula for the outcome model whose treatment coefficient is the effect.

    Returns
    -------
    (OVBSensitivity or None, str or None)
        The sensitivity, or None with a note saying why it was skipped (another
        strategy, or a fit that failed).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import identify, parse
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=500); x = z + rng.normal(size=500)
    >>> df = pd.DataFrame({"Z": z, "X": x, "Y": 2 * x + z + rng.normal(size=500)})
    >>> ovb, note = ovb_for(identify(parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]")), df, k=(1,))
    >>> 0 < ovb.rv_q < 1 and note is None
    True
    """
    from dagcore.estimators.sensitivity.ovb import ols_sensitivity

    t, y = _treatment_outcome(estimand, "estimand")
    if estimand.strategy not in ("backdoor", "randomized"):
        return None, f"robustness value skipped: it applies to covariate adjustment, not {estimand.strategy}"
    covs = sorted(estimand.adjustment_set or ())
    bench = [c for c in covs if np.issubdtype(data[c].dtype, np.number)]
    frame = data[[t, y, *covs]].dropna()
    try:
        if formula is not None:
            import statsmodels.formula.api as smf

            from dagcore.estimators.sensitivity.ovb import ovb_sensitivity

            fit = smf.ols(formula, frame).fit()
            terms = [c for c in bench if c in fit.model.exog_names]
            return ovb_sensitivity(fit, t, benchmarks=terms, k=tuple(k)), None
        return ols_sensitivity(frame, treatment=t, outcome=y, covariates=covs, benchmarks=bench, k=tuple(k)), None
    except (DagcoreError, ValueError, np.linalg.LinAlgError) as err:
        return None, f"robustness value skipped: {err}"


def _limits(a: dict[str, Any]) -> list[str]:
    """Plain-language limits generated from what the analysis found: the problems first, then the rest."""
    out: list[str] = []
    estimand = a["estimand"]
    if estimand.parametric:
        out.append(
            f"The effect of {a['exposure']} on {a['outcome']} is not identifiable without parametric assumptions; "
            f"the estimate assumes {estimand.identified_under} (instrument {', '.join(sorted(estimand.instruments or ()))})."
        )
    if not estimand.estimable:
        out.append(
            f"The effect of {a['exposure']} on {a['outcome']} is not identifiable from this graph"
            + (f" ({estimand.reason})" if estimand.reason else "")
            + "; no estimate is reported. Measuring a variable that blocks the open path, or a stronger design, is needed."
        )
        return out
    problems = a.get("problems", ())
    out.extend(p.message for p in problems)
    overlap_told = any(p.kind in ("no_overlap", "weak_overlap") for p in problems)
    missing = a["data_summary"]["graph_variables_missing_from_data"]
    if missing:
        out.append(f"Graph variables missing from the data: {', '.join(missing)}.")
    ests = a["estimates"]
    if not ests:
        out.append("No estimator could serve the estimand; see the notes.")
    for e in ests:
        for w in e.warnings:
            if overlap_told and _is_overlap_warning(w):
                continue  # said, with the numbers, by the overlap problem
            out.append(f"{e.method}: {w}")
    for r in a["refutations"]:
        if r.verdict == "warn":
            out.append(f"Refuter {r.method} gave WARN: {r.rule}.")
    ev = a["e_value"]
    if ev is not None and ev.limit is not None and ev.limit <= 1.0:
        out.append("The confidence interval includes no effect (E-value of the confidence limit is 1).")
    ovb = a["ovb"]
    if ovb is not None:
        out.append(
            f"An unmeasured confounder explaining {100 * ovb.rv_q:.2g}% of the residual variance of both "
            f"{a['exposure']} and {a['outcome']} would explain the (linear) estimate away "
            f"({100 * ovb.rv_qa:.2g}% would make it not significant)."
        )
    if ev is not None:
        out.append(
            f"On the risk-ratio scale an unmeasured confounder associated with both by a risk ratio of {ev.point:.3g} "
            "could explain the estimate away (E-value)."
        )
    out.append(
        "Every conclusion rests on the graph: its missing edges are assumptions, and no test on these data can "
        "rule out a common cause that was not measured."
    )
    return out


def _is_overlap_warning(text: str) -> bool:
    return text.startswith(("weak overlap of the propensity", "no overlap of the propensity"))


def data_overlap(estimand: Any, data: Any) -> tuple[Any, str | None]:
    """The propensity overlap of the estimand's binary treatment given its adjustment set, by the default logistic model.

    It judges every estimator of the analysis, outcome-model ones included
    (they extrapolate where overlap fails). Separation of the arms by the
    covariates gives the verdict ``none`` with the columns involved.

    Returns
    -------
    (Overlap or None, str or None)
        None, with a note, when it does not apply (not covariate adjustment, a
        treatment that is not 0/1, no covariates) or the model cannot be fit.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import identify, parse
    >>> rng = np.random.default_rng(0); z = rng.normal(size=500)
    >>> df = pd.DataFrame({"Z": z, "X": (z > 0).astype(float), "Y": z + rng.normal(size=500)})
    >>> o, _ = data_overlap(identify(parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]")), df)
    >>> o.verdict, o.separation
    ('none', "perfect separation of 'X': Z >= 0.00... for every treated unit and Z <= -0.00... for every control, so ...")
    """
    import warnings

    from dagcore.errors import SeparationError
    from dagcore.estimators._nuisance import fit_propensity
    from dagcore.estimators.diagnostics import assess_overlap, separated_overlap

    if estimand is None or not estimand.identified or estimand.strategy not in ("backdoor", "randomized"):
        return None, None
    covs = sorted(estimand.adjustment_set or ())
    t_name = estimand.treatment[0]
    if not covs or t_name not in data.columns or not all(c in data.columns for c in covs):
        return None, None
    t = data[t_name].to_numpy(dtype=float)
    if not _is_binary(t) or np.unique(t).size < 2:
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ps = fit_propensity(data, t_name, covs)
    except SeparationError as err:
        return separated_overlap(str(err), t), None
    except DataError as err:
        if "no overlap" in str(err):  # fitted propensities of exactly 0 or 1: the arms do not overlap
            return separated_overlap(str(err), t), None
        return None, f"overlap not measured: {err}"
    except (DagcoreError, ValueError, np.linalg.LinAlgError) as err:
        return None, f"overlap not measured: {err}"
    return assess_overlap(ps, t, warn=False), None


def _heterogeneity(estimates: Sequence[Any], notes: list[str]) -> Any:
    """BLP, GATES and the gain curve of the first CATE estimate (its cross-fitted scores), or None.

    Examples
    --------
    >>> _heterogeneity([], []) is None
    True
    """
    from dagcore.estimators.cate import CateEstimator

    for e in estimates:
        est = getattr(e, "estimator", None)
        if isinstance(est, CateEstimator) and getattr(est, "scores_", None) is not None:
            try:
                return est.heterogeneity()
            except (DagcoreError, ValueError, np.linalg.LinAlgError) as err:
                notes.append(f"heterogeneity tests skipped for {e.method}: {err}")
                return None
    return None


def analyze(
    graph: Any,
    data: Any,
    *,
    exposure: str | None = None,
    outcome: str | None = None,
    estimators: Sequence[Any] | None = None,
    refuters: Iterable[str] | None = None,
    n_simulations: int = 100,
    random_state: Any = 0,
    n_jobs: int | None = 1,
    alpha: float = 0.05,
    correction: str = "holm",
    local_tests: bool = True,
    progress: bool | Callable[[str], None] = False,
    target: str | None = None,
    title: str = "",
) -> Analysis:
    """Run the whole analysis of the effect of ``exposure`` on ``outcome``.

    Steps: identification (:func:`dagcore.identify`); estimation with each of
    ``estimators`` (by default two or three chosen for the strategy, e.g.
    outcome regression, IPW and AIPW for covariate adjustment); refutation of
    the primary (first) estimate; sensitivity (E-value and Cinelli & Hazlett's
    robustness value); local tests of the graph's implied independencies; and
    a list of limits generated from what was found. When the effect is not
    identifiable, estimation, refutation and sensitivity are skipped and the
    report says why.

    Parameters
    ----------
    graph : CausalGraph or path
    data : pandas.DataFrame
    exposure, outcome : str, optional
        Override the graph's roles.
    estimators : sequence of str, mapping or estimator, optional
        Registry method names (for :func:`dagcore.estimate`), mappings
        ``{"method": name, **settings}`` (e.g. ``{"method": "ipw",
        "propensity_formula": "x ~ z + I(z**2)"}``), or estimator instances
        following the contract.
    refuters : iterable of str, optional
        Names from :data:`dagcore.estimators.refutation.refuters.REFUTERS` (all that apply by default).
    n_simulations, random_state, n_jobs :
        Passed to the refuters.
    alpha, correction :
        For the local tests.
    local_tests : bool
        Whether to test the implied independencies.
    progress : bool or callable
        ``True`` writes stage messages and progress bars to stderr; a callable receives the stage messages.
    target : {"ATE", "ATT", "ATC", "ATO"}, optional
        The population every estimator averages over (each estimator's
        ``target=``); an estimator without that target is skipped, with the
        reason. By default each estimator's own default.
    title : str
        A title for the report (the default names the exposure and the outcome).

    Returns
    -------
    Analysis

    Raises
    ------
    DataError
        When the data is not a DataFrame, or exposure or outcome is not a column.
    """

    from dagcore.estimators.refutation.refuters import REFUTERS

    if target is not None and target not in ("ATE", "ATT", "ATC", "ATO"):
        raise EstimatorError(f"target must be one of 'ATE', 'ATT', 'ATC', 'ATO', got {target!r}")
    stages = _Stages(progress)
    seconds: dict[str, float] = {}
    notes: list[str] = []
    from dagcore.estimators._data import check_frame

    data = check_frame(data)
    g, t, y = effect_roles(_as_graph(graph), exposure, outcome)
    for c in (t, y):
        if c not in data.columns:
            raise DataError(f"the {'exposure' if c == t else 'outcome'} {c!r} is not a column of the data")
    summary = _data_summary(g, data)
    if summary["rows_with_missing_values"]:
        used = [c for c in g.observed if c in data.columns]
        data = data.dropna(subset=used).reset_index(drop=True)
        notes.append(
            f"{summary['rows_with_missing_values']} rows with missing values in graph variables were dropped "
            f"(complete-case analysis on {len(data)} rows)"
        )
        if len(data) < 10:
            raise DataError(f"only {len(data)} complete rows in the graph's variables; too few to analyse")

    clock = time.perf_counter()
    stages(f"identifying the effect of {t} on {y}")
    from dagcore.identification import identify

    estimand = identify(g)
    seconds["identification"] = time.perf_counter() - clock

    estimates: list[Any] = []
    skipped: list[str] = []
    refutations: tuple[Any, ...] = ()
    ev = ovb = None
    if estimand.estimable:
        clock = time.perf_counter()
        specs = list(estimators) if estimators is not None else list(DEFAULT_ESTIMATORS.get(estimand.strategy, ()))
        for spec in specs:
            stages(f"estimating with {_spec_name(spec)}")
            try:
                estimates.append(_fit(estimand, data, spec, target))
            except (DagcoreError, ValueError, np.linalg.LinAlgError) as err:
                skipped.append(f"{_spec_name(spec)}: {err}")
                if estimators is not None:
                    log.warning("estimator %s failed: %s", _spec_name(spec), err)
        seconds["estimation"] = time.perf_counter() - clock
        if estimates:
            primary = estimates[0]
            clock = time.perf_counter()
            stages(f"refuting the {primary.method} estimate ({n_simulations} simulations per refuter)")
            names = list(REFUTERS) if refuters is None else [refuters] if isinstance(refuters, str) else list(refuters)
            unknown = [r for r in names if r not in REFUTERS]
            if unknown:
                raise EstimatorError(f"unknown refuter(s) {', '.join(map(repr, unknown))}; known: {', '.join(REFUTERS)}")
            seeds = np.random.SeedSequence(random_state).generate_state(len(names))
            done = []
            for name, seed in zip(names, seeds):
                try:
                    done.append(
                        REFUTERS[name](
                            primary, data, n_simulations=n_simulations, random_state=int(seed), n_jobs=n_jobs,
                            progress=stages.bars,
                        )
                    )
                except (DagcoreError, ValueError, np.linalg.LinAlgError) as err:
                    notes.append(f"refuter {name} not run: {err}")
            refutations = tuple(done)
            seconds["refutation"] = time.perf_counter() - clock
            clock = time.perf_counter()
            stages("sensitivity analysis")
            try:
                ev, note = e_value_for(primary, data)
            except (ValueError, DagcoreError) as err:
                ev, note = None, f"E-value skipped: {err}"
            if note:
                notes.append(note)
            # the regression estimator's own model (squared and categorical terms) when the treatment enters it as a
            # main effect only, so that its coefficient is that estimate (ATE, or WATE for a binary treatment);
            # otherwise the additive linear model of the adjustment set
            formula = next((str(e.settings["formula"]) for e in estimates if e.method == "regression"
                            and e.settings.get("formula") and str(e.target).startswith(("ATE", "WATE"))), None)
            ovb, note = ovb_for(estimand, data, formula=formula)
            if note:
                notes.append(note)
            seconds["sensitivity"] = time.perf_counter() - clock
    else:
        notes.append("estimation, refutation and sensitivity skipped: the effect is not identifiable")

    lt = None
    if local_tests:
        clock = time.perf_counter()
        stages("testing the graph's implied independencies")
        from dagcore.estimators.refutation.local import local_tests as run_local_tests

        try:
            lt = run_local_tests(g, data, alpha=alpha, correction=correction)
        except (DagcoreError, ValueError) as err:
            notes.append(f"local tests skipped: {err}")
        seconds["local_tests"] = time.perf_counter() - clock
    if skipped:
        notes.extend(f"estimator {s}" for s in skipped)

    overlap, note = data_overlap(estimand, data)
    if note:
        notes.append(note)
    from dagcore.estimators.report.problems import find_problems

    problems = find_problems(
        estimates=estimates, overlap=overlap, refutations=refutations, local_tests=lt, data_summary=summary,
        skipped_estimators=skipped,
    )
    found = {
        "estimand": estimand, "exposure": t, "outcome": y, "estimates": estimates, "refutations": refutations,
        "local_tests": lt, "e_value": ev, "ovb": ovb, "data_summary": summary, "problems": problems,
    }
    from dagcore.estimators.report.formats import graph_svg
    from dagcore.estimators.report.overlap import propensity_overlap

    propensity, note = propensity_overlap(estimates, estimand, data)
    if note:
        notes.append(note)
    heterogeneity = _heterogeneity(estimates, notes)
    svg = graph_svg(g, adjusted=estimand.adjustment_set if estimand.estimable else None)
    return Analysis(
        graph=g, exposure=t, outcome=y, estimand=estimand,
        estimates=tuple(estimates), skipped_estimators=tuple(skipped), refutations=tuple(refutations),
        e_value=ev, ovb=ovb, local_tests=lt, problems=problems, overlap=overlap, limits=tuple(_limits(found)), notes=tuple(notes),
        data_summary=summary, seconds=seconds, graph_svg=svg, propensity=propensity, title=title,
        heterogeneity=heterogeneity,
    )
