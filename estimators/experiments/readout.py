"""Reading out an A/B test: every arm against control on every metric, with the health checks first.

:func:`analyze_experiment` validates the data, runs the sample-ratio check,
the pre-period balance and the peeking check, compares each treatment arm
with the control on each metric (:mod:`~dagcore.estimators.experiments.comparisons`),
corrects the p-values over all those comparisons (Holm, Benjamini–Hochberg or
Bonferroni; checked against statsmodels' ``multipletests``), and, when asked, adds the
heterogeneity section (:mod:`~dagcore.estimators.experiments.heterogeneity`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators.experiments.comparisons import (
    Comparison,
    adjusted,
    mean_difference,
    proportion_difference,
    ratio_difference,
    with_correction,
)
from dagcore.estimators.experiments.health import (
    BalanceCheck,
    PeekingCheck,
    SampleRatioCheck,
    balance_check,
    peeking_check,
    sample_ratio_check,
)
from dagcore.estimators.result import jsonable

__all__ = ["ExperimentReadout", "analyze_experiment"]

CORRECTIONS = ("holm", "bh", "bonferroni", "none")
ADJUSTMENTS = ("lin", "cuped")
INFERENCES = ("welch", "neyman")

#: More distinct treatment values than this is not a set of arms (a continuous exposure).
MAX_ARMS = 20


@dataclass(frozen=True)
class ExperimentReadout:
    """The readout of an experiment: health checks, comparisons, and what was assumed.

    Attributes
    ----------
    treatment : str
        The column of arm labels.
    control : str
        The control arm's label.
    arms : tuple of str
        Every arm, control first.
    metrics : tuple of str
        The metrics compared (columns, or ``num/den`` ratios).
    comparisons : tuple of Comparison
        One per (metric, treatment arm).
    srm : SampleRatioCheck
    balance : BalanceCheck
    peeking : PeekingCheck or None
        When a planned sample size was given.
    heterogeneity : tuple, optional
        The ``cate=`` section: one :class:`~dagcore.estimators.experiments.heterogeneity.Heterogeneity` per treatment arm.
    correction : str
        How the p-values were adjusted over the comparisons.
    level : float
        Confidence level of the intervals (1 − the significance level).
    covariates : tuple of str
        Pre-treatment covariates used for the adjustment and the balance check.
    notes : tuple of str
        Everything the reader should know (rows dropped, how the covariates were chosen, what was not done and why).
    """

    treatment: str
    control: str
    arms: tuple[str, ...]
    metrics: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    srm: SampleRatioCheck
    balance: BalanceCheck
    peeking: PeekingCheck | None
    heterogeneity: tuple[Any, ...]
    correction: str
    level: float
    covariates: tuple[str, ...]
    n: int
    notes: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        """No sample-ratio mismatch, no imbalanced covariate, no early stop."""
        return not (self.srm.mismatch or self.balance.imbalanced or (self.peeking is not None and self.peeking.early))

    def verdicts(self) -> list[tuple[str, str]]:
        """``(status, text)`` of each health check, the sample-ratio check first; status is pass, warn or fail."""
        out = [("fail" if self.srm.mismatch else "pass", self.srm.summary())]
        if self.peeking is not None:
            out.append(("warn" if self.peeking.early else "pass", self.peeking.summary()))
        if self.balance.rows:
            out.append(("warn" if self.balance.imbalanced else "pass", self.balance.summary()))
        return out

    def comparison(self, metric: str | None = None, arm: str | None = None) -> Comparison:
        """The comparison of ``arm`` (default: the first treatment arm) on ``metric`` (default: the first)."""
        metric = metric or self.metrics[0]
        arm = arm or self.arms[1]
        for c in self.comparisons:
            if c.metric == metric and c.arm == str(arm):
                return c
        raise DataError(f"no comparison of arm {arm!r} on metric {metric!r}; arms {list(self.arms[1:])}, metrics {list(self.metrics)}")

    def table(self) -> pd.DataFrame:
        """The comparisons as a DataFrame, one row each."""
        rows = []
        for c in self.comparisons:
            d = c.to_dict()
            d["ci_low"], d["ci_high"] = c.ci
            d["lift_ci_low"], d["lift_ci_high"] = c.lift_ci
            d.pop("ci"), d.pop("lift_ci")
            rows.append(d)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The readout for a terminal: the health verdicts first, then one line per comparison."""
        lines = [text for _, text in self.verdicts()]
        n_comp = len(self.comparisons)
        how = {"holm": "Holm", "bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni", "none": "no"}[self.correction]
        lines.append("")
        lines.append(f"{n_comp} comparison{'s' if n_comp != 1 else ''} against control {self.control!r} "
                     f"({how} correction over all of them; intervals are per comparison, at {self.level:.0%}):")
        for c in self.comparisons:
            lines.append("  " + c.summary())
            if c.variance_reduction is not None:
                lines.append(f"    variance reduction from the adjustment: {c.variance_reduction:.1%} "
                             f"(SE {c.se:.4g} vs {c.se_unadjusted:.4g} unadjusted)")
        for h in self.heterogeneity:
            lines += ["", h.summary()]
        if self.notes:
            lines += ["", "Notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: the checks, the comparisons, the heterogeneity section and the notes."""
        return jsonable({
            "treatment": self.treatment, "control": self.control, "arms": list(self.arms), "metrics": list(self.metrics),
            "n": self.n, "level": self.level, "correction": self.correction, "covariates": list(self.covariates),
            "healthy": self.healthy, "srm": self.srm.to_dict(), "balance": self.balance.to_dict(),
            "peeking": None if self.peeking is None else self.peeking.to_dict(),
            "comparisons": [c.to_dict() for c in self.comparisons],
            "heterogeneity": [h.to_dict() for h in self.heterogeneity], "notes": list(self.notes),
        })

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def _repr_html_(self) -> str:
        from html import escape

        return "<pre>" + escape(self.summary()) + "</pre>"


# --------------------------------------------------------------------------- inputs


def _label(v: Any) -> str:
    """An arm's label as text (``1.0`` -> ``"1"``, ``True`` -> ``"True"``)."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _ratios(ratios: Mapping[str, Sequence[str]] | Sequence[str] | None) -> dict[str, tuple[str, str]]:
    """Ratio metrics as ``name -> (numerator, denominator)``; strings are ``"num/den"``."""
    if ratios is None:
        return {}
    if isinstance(ratios, str):
        ratios = [ratios]
    items: list[tuple[str, Any]] = list(ratios.items()) if isinstance(ratios, Mapping) else [(str(r), r) for r in ratios]
    out: dict[str, tuple[str, str]] = {}
    for name, spec in items:
        if isinstance(spec, str):
            num, sep, den = spec.partition("/")
            pair = (num.strip(), den.strip()) if sep else ("", "")
        else:
            pair = tuple(spec) if isinstance(spec, (tuple, list)) and len(spec) == 2 else ("", "")  # type: ignore[assignment]
        if not (pair[0] and pair[1]):
            raise DataError(f"a ratio metric is 'numerator/denominator' (e.g. 'revenue/visits'), got {spec!r}")
        out[str(name)] = (str(pair[0]), str(pair[1]))
    return out


def _names(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    names = tuple(value)
    if not all(isinstance(v, str) for v in names):
        raise DataError(f"{what} must be column names, got {value!r}")
    return names


def _from_graph(graph: Any, treatment: str | None, outcomes: tuple[str, ...], covariates: tuple[str, ...] | None,
                data: pd.DataFrame, notes: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Treatment, outcomes and covariates from a graph whose exposure is randomized (no open back-door path)."""
    from dagcore.grammar import load, parse
    from dagcore.identification.strategy import identify

    if isinstance(graph, str):
        g = load(graph) if graph.endswith(".dag") and "\n" not in graph and "{" not in graph else parse(graph)
    else:
        g = graph
    t = treatment or (sorted(g.exposure)[0] if len(g.exposure) == 1 else None)
    if t is None:
        raise EstimatorError(f"the graph has exposures {sorted(g.exposure)}: mark one [exposure] or pass treatment=")
    ys = outcomes or tuple(sorted(g.outcome))
    if not ys:
        raise EstimatorError("the graph marks no [outcome]: mark one or pass outcome=")
    g = g.with_roles(exposure=[t], outcome=list(ys))
    estimand = identify(g)
    if estimand.strategy != "randomized":
        parents = sorted(g.parents(t))
        raise EstimatorError(
            f"the graph does not make {t!r} randomized: it has causes {parents} with open back-door paths to "
            f"{', '.join(ys)} (identification: {estimand.strategy}); an experiment's assignment has no causes in the graph. "
            "For an observational analysis use dagcore.analyze"
        )
    after = g.descendants(t)
    if covariates is None:
        pre = [v for v in g.observed if v not in after and v != t and v not in ys and v in data.columns
               and v in g.ancestors(list(ys))]
        covariates = tuple(pre)
        if pre:
            notes.append(f"covariates from the graph: {', '.join(pre)} (causes of the outcome that the assignment does not "
                         "affect, measured before it); they sharpen the estimate and are checked for balance")
    bad = [c for c in covariates if c in after]
    if bad:
        raise DataError(f"covariate {bad[0]!r} is affected by the assignment {t!r} in the graph (post-treatment): "
                        "adjusting for it biases the effect; use pre-treatment covariates only")
    return t, ys, covariates


# --------------------------------------------------------------------------- the readout


def analyze_experiment(
    data: pd.DataFrame,
    *,
    treatment: str | None = None,
    outcome: str | Sequence[str] | None = None,
    ratios: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
    control: Any = None,
    covariates: str | Sequence[str] | None = None,
    graph: Any = None,
    adjustment: str = "lin",
    inference: str = "welch",
    level: float = 0.95,
    correction: str = "holm",
    allocation: Mapping[Any, float] | Sequence[float] | None = None,
    design: Any = None,
    planned_n: int | None = None,
    looks: int = 1,
    srm_alpha: float = 0.01,
    balance_alpha: float = 0.01,
    cate: bool | str = False,
    dropna: bool = False,
    random_state: int = 0,
) -> ExperimentReadout:
    """Read out a randomized experiment: sample-ratio check, balance, peeking, then every arm against control.

    Parameters
    ----------
    data : DataFrame
        One row per randomized unit.
    treatment : str
        The column of arm labels (numbers or text). With ``graph=``, the graph's exposure by default.
    outcome : str or list of str
        Metric columns (numeric; a 0/1 column is read out as a rate). With ``graph=``, the graph's outcomes by default.
    ratios : list of "num/den", or mapping name -> (num, den), optional
        Ratio metrics ``Σnum/Σden`` per arm (revenue per visit), with delta-method SEs.
    control : label, optional
        The control arm (default: an arm called ``control``, else ``0``, else ``False``, when there is one).
    covariates : list of str, optional
        Pre-treatment covariates (measured before assignment): the regression
        adjustment of every column metric, and the balance check. With ``graph=``,
        by default the causes of the outcome that the assignment does not affect.
    graph : CausalGraph or .dag text or path, optional
        A graph in which the exposure is randomized (no open back-door path):
        gives the roles, and refuses post-treatment covariates.
    adjustment : {"lin", "cuped"}
        Lin's (2013) interacted regression, or CUPED (Deng et al. 2013).
    inference : {"welch", "neyman"}
        The interval of an unadjusted difference in means: Welch's t or Neyman's normal.
    level : float
        Confidence level; ``1 - level`` is the significance level of the adjusted p-values.
    correction : {"holm", "bh", "bonferroni", "none"}
        Multiplicity correction over every (metric, arm) comparison.
    allocation : mapping arm -> share, or shares control first, optional
        The planned split for the sample-ratio check (default: ``design``'s, else equal).
    design : Design, optional
        The plan (:func:`~dagcore.sample_size`): its allocation and total sample size.
    planned_n : int, optional
        The planned total units (default: ``design.n_total``); a readout below it is flagged as peeking.
    looks : int
        How many times the result was checked up to now (the peeking false-positive rate).
    srm_alpha, balance_alpha : float
        Thresholds of the sample-ratio and balance checks.
    cate : bool or str
        Add the heterogeneity section: a CATE meta-learner (``True``: ``"dr_learner"``,
        or a learner's name) of the first metric with the covariates as effect modifiers.
    dropna : bool
        Drop rows with missing values in the columns used (counted in the notes).
    random_state : int
        Seed of the meta-learner's cross-fitting.

    Returns
    -------
    ExperimentReadout

    Raises
    ------
    DataError
        A missing or non-numeric metric column, a treatment with one arm, an unknown control, ...

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"arm": np.repeat(["A", "B"], 5000)})
    >>> df["converted"] = (rng.random(10_000) < np.where(df.arm == "B", 0.12, 0.10)).astype(int)
    >>> r = analyze_experiment(df, treatment="arm", outcome="converted", control="A")
    >>> r.srm.mismatch, round(r.comparison().difference, 3), r.comparison().significant
    (False, 0.019, True)
    """
    notes: list[str] = []
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for name, value, choices in (("correction", correction, CORRECTIONS), ("adjustment", adjustment, ADJUSTMENTS),
                                 ("inference", inference, INFERENCES)):
        if value not in choices:
            raise EstimatorError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    if not 0 < level < 1:
        raise EstimatorError(f"level must be between 0 and 1, got {level!r}")
    outcomes = _names(outcome, "outcome")
    covs = None if covariates is None else _names(covariates, "covariates")
    if graph is not None:
        treatment, outcomes, covs = _from_graph(graph, treatment, outcomes, covs, data, notes)
    covs = covs or ()
    ratio_metrics = _ratios(ratios)
    if treatment is None:
        raise DataError("pass treatment= (the column of arm labels)")
    if not outcomes and not ratio_metrics:
        raise DataError("pass outcome= (metric columns) or ratios= (num/den ratio metrics)")
    clash = [c for c in covs if c == treatment or c in outcomes or any(c in p for p in ratio_metrics.values())]
    if clash:
        raise DataError(f"{clash[0]!r} is a metric or the treatment, so it cannot also be a pre-treatment covariate")

    frame, arm = _validated(data, treatment, outcomes, ratio_metrics, covs, dropna, notes)
    if len(frame) < len(data):
        notes.append(f"the sample-ratio and peeking checks count the {len(frame):,} rows kept, not the {len(data):,} assigned: "
                     "missing values that differ by arm show up as a mismatch")
    arms_seen = list(dict.fromkeys(sorted(set(arm.tolist()), key=_arm_order)))
    ctrl = _control(control, arms_seen, treatment)
    arms = (ctrl, *[a for a in arms_seen if a != ctrl])

    # health checks, the sample-ratio check first
    alloc = _allocation(allocation, design, arms)
    counts = {a: int((arm == a).sum()) for a in arms}
    srm = sample_ratio_check(counts, alloc, alpha=srm_alpha, warn=False)
    n_planned = planned_n if planned_n is not None else (design.n_total if design is not None else None)
    peek = None
    if n_planned is not None:
        peek = peeking_check(len(frame), n_planned, alpha=1 - level, looks=looks, warn=False)
    balance = balance_check(frame, arm, ctrl, covs, alpha=balance_alpha)
    if srm.mismatch:
        from dagcore.errors import SampleRatioMismatchWarning

        warnings.warn(srm.summary(), SampleRatioMismatchWarning, stacklevel=2)
    if peek is not None and peek.early:
        from dagcore.errors import PeekingWarning

        warnings.warn(peek.summary(), PeekingWarning, stacklevel=2)

    # comparisons: every metric, every treatment arm
    comparisons: list[Comparison] = []
    X_all = None
    if covs:
        from dagcore.estimators._data import design_frame

        X_frame = design_frame(frame, list(covs))
        X_all = X_frame.to_numpy(dtype=float)
    for metric in outcomes:
        y = frame[metric].to_numpy(dtype=float)
        binary = set(np.unique(y).tolist()) <= {0.0, 1.0}
        for a in arms[1:]:
            t1, t0 = arm == a, arm == ctrl
            if X_all is not None:
                keep = t1 | t0
                comparisons.append(adjusted(
                    y[keep], t1[keep].astype(float), X_all[keep], tuple(covs), metric=metric,
                    kind="proportion" if binary else "mean", arm=a, control=ctrl, level=level, adjustment=adjustment,
                ))
            elif binary:
                comparisons.append(proportion_difference(y[t1], y[t0], metric=metric, arm=a, control=ctrl, level=level))
            else:
                comparisons.append(mean_difference(y[t1], y[t0], metric=metric, arm=a, control=ctrl, level=level, inference=inference))
    for name, (num, den) in ratio_metrics.items():
        nv, dv = frame[num].to_numpy(dtype=float), frame[den].to_numpy(dtype=float)
        for a in arms[1:]:
            t1, t0 = arm == a, arm == ctrl
            for side, rows in ((a, t1), (ctrl, t0)):
                if dv[rows].sum() <= 0:
                    raise DataError(f"ratio metric {name!r}: the denominator {den!r} sums to {dv[rows].sum():g} in arm {side!r}")
            comparisons.append(ratio_difference(nv[t1], dv[t1], nv[t0], dv[t0], metric=name, arm=a, control=ctrl, level=level))
        if covs:
            notes.append(f"ratio metric {name!r} is not regression-adjusted (only column metrics are); its interval is unadjusted")
    for c in comparisons:
        if c.n_treatment < 2 or c.n_control < 2:
            raise DataError(f"arm {c.arm!r} or the control {c.control!r} has fewer than 2 units: nothing to compare")
    comparisons = with_correction(comparisons, correction, level)
    if covs and graph is None:
        notes.append(f"covariates {', '.join(covs)} are taken to be measured before assignment (pre-treatment), as given")

    het: tuple[Any, ...] = ()
    if cate:
        from dagcore.estimators.experiments.heterogeneity import heterogeneity

        if not covs:
            raise EstimatorError("cate= needs covariates= (the effect modifiers); the experiment has none")
        if not outcomes:
            raise EstimatorError("cate= needs a column metric (outcome=); ratio metrics have no per-unit effect")
        learner = "dr_learner" if cate is True else str(cate)
        het = tuple(heterogeneity(frame, arm, a, ctrl, outcomes[0], covs, method=learner, level=level, random_state=random_state)
                    for a in arms[1:])
    return ExperimentReadout(
        treatment=treatment, control=ctrl, arms=tuple(arms), metrics=(*outcomes, *ratio_metrics), comparisons=tuple(comparisons),
        srm=srm, balance=balance, peeking=peek, heterogeneity=het, correction=correction, level=level, covariates=tuple(covs),
        n=len(frame), notes=tuple(notes),
    )


def _arm_order(label: str) -> tuple[int, float, str]:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def _validated(data: pd.DataFrame, treatment: str, outcomes: tuple[str, ...], ratios: Mapping[str, tuple[str, str]],
               covs: tuple[str, ...], dropna: bool, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows to use and each row's arm label, through the estimators' one validation layer (:func:`prepare`)."""
    from dagcore.estimators._data import prepare

    metrics = [*outcomes, *(c for pair in ratios.values() for c in pair)]
    columns = list(dict.fromkeys([treatment, *metrics, *covs]))
    missing = [c for c in columns if c not in data.columns]
    if missing:
        prepare(data, missing[0], missing[0], [])  # raises the one missing-column error, with its did-you-mean
    labels = data[treatment]
    distinct = labels.dropna().unique()
    if len(distinct) < 2:
        shown = [_label(v) for v in distinct]
        raise DataError(f"treatment {treatment!r} has {'one arm ' + repr(shown[0]) if shown else 'no values'}: "
                        "an experiment needs a control and at least one treatment arm")
    if len(distinct) > MAX_ARMS:
        raise DataError(f"treatment {treatment!r} has {len(distinct)} distinct values: an experiment's arms are a few labels "
                        f"(at most {MAX_ARMS}); is this the right column?")
    # prepare() wants a numeric treatment: hand it the arms' codes (missing labels stay missing)
    codes = pd.Series(pd.factorize(labels)[0], index=data.index).astype(float).where(labels.notna())
    coded = data[columns].assign(**{treatment: codes})
    for col in metrics:
        s = data[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise DataError(f"column {col!r} (outcome) must be numeric, got {s.dtype} with values like "
                            f"{s.dropna().unique()[:3].tolist()}")
    prep = prepare(coded, treatment, metrics[0], list(covs), extra=metrics[1:], dropna=dropna)
    notes.extend(prep.notes)
    frame = data.loc[prep.data.index, columns].copy()
    for col in metrics:
        frame[col] = frame[col].astype(float)
    return frame, np.array([_label(v) for v in frame[treatment]], dtype=object)


def _control(control: Any, arms: list[str], treatment: str) -> str:
    if control is not None:
        label = _label(control)
        if label not in arms:
            raise DataError(f"control {control!r} is not an arm of {treatment!r}; its arms are {arms}")
        return label
    named = [a for a in arms if a.lower() == "control"]
    if named:
        return named[0]
    if "0" in arms:
        return "0"
    if set(arms) == {"False", "True"}:  # a boolean "treated" column
        return "False"
    raise DataError(f"which arm of {treatment!r} is the control? Its arms are {arms}: pass control=")


def _allocation(allocation: Any, design: Any, arms: tuple[str, ...]) -> dict[str, float] | None:
    if allocation is not None:
        if isinstance(allocation, Mapping):
            shares = {_label(k): float(v) for k, v in allocation.items()}
            if set(shares) != set(arms):
                raise DataError(f"allocation names the arms {sorted(shares)}; the data has {list(arms)}")
            return {a: shares[a] for a in arms}
        values = [float(v) for v in allocation]
        if len(values) != len(arms):
            raise DataError(f"allocation has {len(values)} shares for the {len(arms)} arms {list(arms)} (control first)")
        return dict(zip(arms, values))
    if design is not None:
        if design.arms != len(arms):
            raise DataError(f"the design plans {design.arms} arms, the data has {len(arms)}: {list(arms)}")
        return dict(zip(arms, design.allocation))
    return None

