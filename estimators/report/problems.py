"""The problems of an analysis, most serious first: what a reader must see before the estimate.

:func:`find_problems` turns what :func:`~dagcore.estimators.report.analysis.analyze`
found into an ordered tuple of :class:`Problem` values (stored on
``Analysis.problems``): missing or weak propensity overlap, estimators that
disagree beyond their standard errors, refuters that failed, independencies
of the graph that the data contradicts, estimators that could not run, rows
dropped for missing values. The terminal summary, the Limits and the
rendered reports lead with them, so a fragile result is never introduced by
its point estimate.

Every problem has the same shape: ``kind`` (one of :data:`PROBLEM_KINDS`),
``severity`` (one of :data:`SEVERITIES`), ``message`` (a sentence with the
numbers), ``data`` (the numbers, JSON-able) and ``estimators`` (the methods
concerned).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PROBLEM_KINDS", "SEVERITIES", "Problem", "find_problems", "estimator_disagreement", "problem_lines"]

#: Severities, most serious first. ``critical``: the headline number should not be read as it is;
#: ``warning``: it may be wrong, look; ``note``: worth knowing.
SEVERITIES: tuple[str, ...] = ("critical", "warning", "note")

#: Kinds of problem, in the order they are shown within a severity.
PROBLEM_KINDS: tuple[str, ...] = (
    "no_overlap",
    "weak_overlap",
    "estimators_disagree",
    "refuter_failed",
    "independencies_contradicted",
    "estimator_failed",
    "rows_dropped",
)

#: How far apart (in combined standard errors) two estimates of one target may be before they "disagree".
DISAGREEMENT_Z = 2.0

#: Estimators that model the outcome only: they need no propensity, but extrapolate their model where overlap fails.
_OUTCOME_MODEL_METHODS = ("regression", "standardization", "s_learner", "t_learner", "dml", "plugin")


@dataclass(frozen=True)
class Problem:
    """One problem of an analysis.

    Attributes
    ----------
    kind : str
        One of :data:`PROBLEM_KINDS`.
    severity : str
        One of :data:`SEVERITIES`.
    message : str
        What is wrong, with the numbers, and what it means for the estimate.
    data : mapping
        The numbers behind the message (JSON-able).
    estimators : tuple of str
        The estimators (or refuters) concerned.

    Examples
    --------
    >>> p = Problem("rows_dropped", "note", "3 of 100 rows were dropped.", {"dropped": 3, "rows": 100})
    >>> str(p), p.to_dict()["data"]
    ('[note] 3 of 100 rows were dropped.', {'dropped': 3, 'rows': 100})
    """

    kind: str
    severity: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)
    estimators: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in PROBLEM_KINDS:
            raise ValueError(f"problem kind must be one of {', '.join(PROBLEM_KINDS)}, got {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"problem severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}")
        object.__setattr__(self, "estimators", tuple(self.estimators))

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        from dagcore.estimators.result import jsonable

        return jsonable({"kind": self.kind, "severity": self.severity, "message": self.message,
                         "data": self.data, "estimators": self.estimators})


def _order(p: Problem) -> tuple[int, int]:
    return SEVERITIES.index(p.severity), PROBLEM_KINDS.index(p.kind)


def _code(target: str) -> str:
    return str(target).split(" ", 1)[0]


def _g(v: float) -> str:
    return f"{v:.4g}" if math.isfinite(v) else "–"


def _overlap_problem(estimates: Sequence[Any], overlap: Any) -> Problem | None:
    """The worst overlap among the estimates' own and the analysis's propensity fit, naming who relies on it."""
    rank = {"good": 0, "weak": 1, "none": 2}
    measured = [(e.method, e.overlap) for e in estimates if getattr(e, "overlap", None) is not None]
    if overlap is not None:
        measured.append(("propensity model", overlap))
    bad = [(m, o) for m, o in measured if o.verdict != "good"]
    if not bad:
        return None
    worst = max(bad, key=lambda mo: rank[mo[1].verdict])[1]
    # every estimate aiming at a target whose overlap is not good relies on the region without it
    weighting = sorted({m for m, o in bad if m != "propensity model" and rank[o.verdict] >= 1})
    failing_targets = {o.target for _, o in bad}
    modelled = sorted(
        e.method for e in estimates
        if getattr(e, "overlap", None) is None and _code(e.target) in failing_targets
    )
    none = worst.verdict == "none"
    head = "No overlap" if none else "Weak overlap"
    parts = [f"{head} of treated and untreated units (target {worst.target}): {'; '.join(worst.reasons)}."]
    if not worst.separation:
        ess = "" if any("effective sample size" in r for r in worst.reasons) else (
            f"; effective sample size treated {_g(worst.ess_treated)} of {worst.n_treated}, "
            f"control {_g(worst.ess_control)} of {worst.n_control}"
        )
        parts.append(
            f"Propensity: treated {worst.treated_range[0]:.3g} to {worst.treated_range[1]:.3g}, "
            f"control {worst.control_range[0]:.3g} to {worst.control_range[1]:.3g}{ess}; largest weight {_g(worst.max_weight)}."
        )
    if weighting:
        parts.append(f"{', '.join(weighting)} weight{'s' if len(weighting) == 1 else ''} a few units heavily there.")
    if modelled:
        parts.append(
            f"{', '.join(modelled)} {'does' if len(modelled) == 1 else 'do'} not weight, but "
            f"extrapolate{'s' if len(modelled) == 1 else ''} the outcome model into the region without overlap: "
            "not immune."
        )
    parts.append(
        "The estimate there rests on modelling assumptions, not data; consider a target with support "
        "(the ATT when controls far outnumber the treated, or the overlap population), or trimming."
    )
    return Problem(
        "no_overlap" if none else "weak_overlap", "critical" if none else "warning", " ".join(parts),
        worst.to_dict(), tuple(dict.fromkeys([*weighting, *modelled])),
    )


def estimator_disagreement(estimates: Sequence[Any], *, z: float = DISAGREEMENT_Z) -> Problem | None:
    """A problem when two estimates of the same target are more than ``z`` combined standard errors apart.

    The combined SE of two estimates is ``sqrt(se_a² + se_b²)``; the message
    names the spread (lowest to highest estimate) and the largest gap.

    Examples
    --------
    >>> from dagcore.estimators.result import Estimate
    >>> a = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="regression")
    >>> b = Estimate(value=2.0, se=0.1, ci=(1.8, 2.2), method="ipw")
    >>> print(estimator_disagreement([a, b]).message)  # doctest: +NORMALIZE_WHITESPACE
    The estimators disagree: ATE from 1 (regression) to 2 (ipw), a spread of 1, 7.1 combined SEs apart (more than 2 is
    not chance): a model is misspecified, or overlap is too weak for some of them.
    >>> estimator_disagreement([a, a]) is None
    True
    """
    by_target: dict[str, list[Any]] = {}
    for e in estimates:
        if math.isfinite(e.value) and math.isfinite(e.se):
            by_target.setdefault(e.target, []).append(e)
    worst: tuple[float, str, list[Any]] | None = None
    for target, group in by_target.items():
        gaps = [
            abs(a.value - b.value) / math.sqrt(a.se**2 + b.se**2)
            for i, a in enumerate(group) for b in group[i + 1 :]
            if a.se**2 + b.se**2 > 0
        ]
        if gaps and max(gaps) > z and (worst is None or max(gaps) > worst[0]):
            worst = (max(gaps), target, group)
    if worst is None:
        return None
    gap, target, group = worst
    lo, hi = min(group, key=lambda e: e.value), max(group, key=lambda e: e.value)
    message = (
        f"The estimators disagree: {target} from {lo.value:.4g} ({lo.method}) to {hi.value:.4g} ({hi.method}), "
        f"a spread of {hi.value - lo.value:.4g}, {gap:.1f} combined SEs apart (more than {z:g} is not chance): "
        "a model is misspecified, or overlap is too weak for some of them."
    )
    data = {"target": target, "low": lo.value, "high": hi.value, "spread": hi.value - lo.value, "max_combined_se_gap": gap,
            "estimates": {e.method: {"value": e.value, "se": e.se} for e in group}}
    return Problem("estimators_disagree", "warning", message, data, tuple(e.method for e in group))


def find_problems(
    *,
    estimates: Sequence[Any] = (),
    overlap: Any = None,
    refutations: Sequence[Any] = (),
    local_tests: Any = None,
    data_summary: Mapping[str, Any] | None = None,
    skipped_estimators: Sequence[str] = (),
) -> tuple[Problem, ...]:
    """The problems of an analysis, most serious first (by severity, then in the order of :data:`PROBLEM_KINDS`).

    Parameters
    ----------
    estimates : sequence of Estimate
        Their ``overlap`` (:class:`~dagcore.estimators.result.Overlap`) and values are read.
    overlap : Overlap, optional
        The overlap of the analysis's own propensity model (:func:`analyze` fits one for every binary
        treatment with covariates, so outcome-model estimators are judged on it too).
    refutations : sequence of Refutation
    local_tests : LocalTests, optional
    data_summary : mapping, optional
        ``rows`` and ``rows_with_missing_values`` are read.
    skipped_estimators : sequence of str
        ``"name: reason"`` of the estimators that could not run.

    Returns
    -------
    tuple of Problem

    Examples
    --------
    >>> from dagcore.estimators.result import Estimate
    >>> a = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="regression")
    >>> b = Estimate(value=2.0, se=0.1, ci=(1.8, 2.2), method="ipw")
    >>> [p.kind for p in find_problems(estimates=[a, b], data_summary={"rows": 100, "rows_with_missing_values": 3})]
    ['estimators_disagree', 'rows_dropped']
    """
    found: list[Problem] = []
    ov = _overlap_problem(estimates, overlap)
    if ov is not None:
        found.append(ov)
    dis = estimator_disagreement(estimates)
    if dis is not None:
        found.append(dis)
    for r in refutations:
        if r.verdict == "fail":
            found.append(Problem("refuter_failed", "warning", f"Refuter {r.method} FAILED: {r.rule}.",
                                 {"refuter": r.method, "new_effect": r.new_effect, "p_value": r.p_value}, (r.method,)))
    if local_tests is not None and local_tests.rejected:
        rejected = sorted(local_tests.rejected, key=lambda r: r.p_adjusted)
        shown = ", ".join(r.statement for r in rejected[:5])
        more = f" and {len(rejected) - 5} more" if len(rejected) > 5 else ""
        found.append(Problem(
            "independencies_contradicted", "warning",
            f"The data contradicts {len(rejected)} of {len(local_tests)} independencies the graph implies "
            f"({shown}{more}): the graph misses edges or common causes there (or the tests' models do not fit), "
            "and an adjustment set read off it may be wrong.",
            {"rejected": len(rejected), "tested": len(local_tests), "statements": [r.statement for r in rejected]},
        ))
    for s in skipped_estimators:
        name, _, reason = s.partition(": ")
        found.append(Problem("estimator_failed", "warning" if "separation" in reason or "overlap" in reason else "note",
                             f"{name} could not run: {reason}", {"estimator": name, "reason": reason}, (name,)))
    summary = dict(data_summary or {})
    dropped = int(summary.get("rows_with_missing_values", 0) or 0)
    if dropped:
        rows = int(summary.get("rows", 0) or 0)
        share = dropped / rows if rows else float("nan")
        found.append(Problem(
            "rows_dropped", "warning" if share > 0.05 else "note",
            f"{dropped} rows of {rows} ({100 * share:.2g}%) had missing values in graph variables and were dropped: "
            "the complete-case analysis assumes missingness does not depend on the outcome given the covariates.",
            {"dropped": dropped, "rows": rows, "share": share},
        ))
    return tuple(sorted(found, key=_order))


def problem_lines(problems: Sequence[Any]) -> list[str]:
    """The problems as the first lines of a summary, most serious first: ``Problem i/n [severity]: message``.

    Examples
    --------
    >>> from dagcore.estimators.report.problems import Problem
    >>> problem_lines([Problem("no_overlap", "critical", "No overlap: ..."), Problem("rows_dropped", "note", "3 rows ...")])
    ['Problem 1/2 [critical]: No overlap: ...', 'Problem 2/2 [note]: 3 rows ...']
    """
    return [f"Problem {i}/{len(problems)} [{p.severity}]: {p.message}" for i, p in enumerate(problems, 1)]
