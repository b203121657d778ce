"""The report's words: diagnostics as named rows with units, thresholds and verdicts; what each p-value tests;
what the E-value and the robustness value measure and why they can differ; how many rows each estimate used.

One content model (:func:`report_content`) that the HTML, the Markdown and the JSON all render, so the three
carry the same content. The raw diagnostics dicts stay in the JSON's ``estimates``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "DiagnosticRow",
    "PASS_DEFINITION",
    "DIAGNOSTIC_VERDICTS",
    "P_VALUE_MEANING",
    "diagnostic_rows",
    "overlap_rows",
    "p_value_meaning",
    "rows_used",
    "sensitivity_sentences",
    "report_content",
]

#: What a refuter's ``pass`` means, shown next to every count of passes.
PASS_DEFINITION = (
    "pass: the re-estimates behaved as the refuter's rule requires (the rule, with its numbers, is in the "
    "refutations table); warn: a milder departure; fail: the rule is broken. A pass cannot rule out an unmeasured "
    "common cause: only the simulated-confounder refuter and the sensitivity section speak to that."
)

#: What a diagnostic's verdict means.
DIAGNOSTIC_VERDICTS = "pass: within the threshold shown; warn: outside it; – : descriptive (no threshold)."

#: What each refuter's p-value tests. A small p-value is good news for the estimate in every row, the
#: opposite of DoWhy's refuter p-values (where a large p means the refutation found nothing).
P_VALUE_MEANING: dict[str, str] = {
    "placebo_treatment": "chance that a permuted (placebo) treatment gives an effect as large as the estimate; "
    "small = the estimate stands out from placebo effects",
    "bootstrap": "two-sided bootstrap test of effect = 0; small = the resampled effects stay away from 0",
    "unobserved_common_cause": "test of effect = 0 after adjusting for the simulated confounder; small = the effect "
    "survives it",
    "random_common_cause": "no p-value: judged by how far the estimate moves (see the rule)",
    "data_subset": "no p-value: judged by how far the subset estimates move (see the rule)",
    "dummy_outcome": "no p-value: judged by how far the dummy effects are from 0 in SEs (see the rule)",
}

_NO_P = "no p-value: see the rule"


@dataclass(frozen=True)
class DiagnosticRow:
    """One readable diagnostic: what it is, its value and unit, the threshold it is judged by, and the verdict.

    Examples
    --------
    >>> DiagnosticRow("ipw", "units with propensity > 0.99", "0", "units", "0", "pass").to_dict()["verdict"]
    'pass'
    """

    estimator: str
    name: str
    value: str
    unit: str = ""
    threshold: str = "–"
    verdict: str = "–"

    def to_dict(self) -> dict[str, str]:
        """Plain-JSON form."""
        return asdict(self)


def _g(v: Any, digits: int = 3) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return "–"
        return f"{v:.{digits}g}" if isinstance(v, float) else str(v)
    return str(v)


def _verdict(ok: bool) -> str:
    return "pass" if ok else "warn"


def _smd_rows(method: str, d: Mapping[str, Any], what: str) -> list[DiagnosticRow]:
    rows = []
    before = d.get("smd_before") or {}
    after = d.get("smd_after") or {}
    if before:
        worst = max(before, key=lambda c: abs(before[c]))
        rows.append(DiagnosticRow(method, "largest |standardized mean difference| before adjustment",
                                  f"{abs(before[worst]):.3g} ({worst})", "pooled SDs", "– (imbalance is expected)", "–"))
    if after:
        worst = max(after, key=lambda c: abs(after[c]))
        over = sorted(c for c in after if abs(after[c]) > 0.1)
        rows.append(DiagnosticRow(method, f"largest |standardized mean difference| after {what}",
                                  f"{abs(after[worst]):.3g} ({worst})", "pooled SDs", "≤ 0.1", _verdict(abs(after[worst]) <= 0.1)))
        rows.append(DiagnosticRow(method, f"covariates with |SMD| > 0.1 after {what}",
                                  f"{len(over)} of {len(after)}" + (f" ({', '.join(over)})" if over else ""), "covariates", "0",
                                  _verdict(not over)))
    return rows


def _overlap_dict_rows(method: str, o: Mapping[str, Any]) -> list[DiagnosticRow]:
    rows = []
    for arm, key in (("treated", "treated"), ("untreated", "control")):
        lo, hi = o.get(f"{key}_min"), o.get(f"{key}_max")
        if lo is not None and hi is not None:
            rows.append(DiagnosticRow(method, f"propensity score range, {arm}", f"{lo:.3g} to {hi:.3g}", "probability",
                                      "inside [0.01, 0.99]", _verdict(lo >= 0.01 and hi <= 0.99)))
    if "n_extreme" in o:
        n = int(o["n_extreme"])
        rows.append(DiagnosticRow(method, "units with propensity within 0.01 of 0 or 1", str(n), "units", "0", _verdict(n == 0)))
    return rows


def _pct(share: float) -> str:
    return "–" if not math.isfinite(share) else f"{100 * share:.3g}%"


def _overlap_object_rows(method: str, o: Any) -> list[DiagnosticRow]:
    """Rows of an estimate's :class:`~dagcore.estimators.result.Overlap` (its verdict follows the estimator's overlap rule)."""
    rows = [DiagnosticRow(method, f"overlap verdict (rule for the {o.target})", o.verdict, "", "good",
                          _verdict(o.verdict == "good"))]
    if getattr(o, "separation", ""):
        return rows + [DiagnosticRow(method, "separation", o.separation, "", "none", "warn")]
    ate = str(o.target).split(" ")[0] == "ATE"
    for arm, rng in (("treated", o.treated_range), ("untreated", o.control_range)):
        rows.append(DiagnosticRow(method, f"propensity score range, {arm}", f"{rng[0]:.3g} to {rng[1]:.3g}", "probability"))
    rows.append(DiagnosticRow(method, "units with propensity outside [0.05, 0.95]", _pct(o.share_outside_05), "share of units",
                              "≤ 10%" if ate else "–", _verdict(o.share_outside_05 <= 0.10) if ate else "–"))
    rows.append(DiagnosticRow(method, "units with propensity outside [0.01, 0.99]", _pct(o.share_outside_01), "share of units",
                              "≤ 1%" if ate else "–", _verdict(o.share_outside_01 <= 0.01) if ate else "–"))
    for arm, ess, n in (("treated", o.ess_treated, o.n_treated), ("untreated", o.ess_control, o.n_control)):
        share = ess / n if n else math.nan
        rows.append(DiagnosticRow(method, f"effective sample size of the weights, {arm} (Kish)", f"{ess:.4g} of {n} ({_pct(share)})",
                                  "units", "≥ 25% of the arm" if ate else "–", _verdict(share >= 0.25) if ate else "–"))
    if math.isfinite(getattr(o, "max_weight_share", math.nan)):
        rows.append(DiagnosticRow(method, "largest share of an arm's weight on one unit", _pct(o.max_weight_share), "share of the arm's weight",
                                  "≤ 10%", _verdict(o.max_weight_share <= 0.10)))
    return rows


_DESCRIPTIVE: dict[str, tuple[str, str]] = {
    "r_squared": ("R² of the outcome model", "share of variance"),
    "formula": ("model formula", ""),
    "population_rows": ("rows the standardization averages over", "rows"),
    "n_strata": ("strata used", "strata"),
    "n_treated": ("treated units", "units"),
    "n_control": ("untreated units", "units"),
    "cells": ("cells of the plug-in distribution", "cells"),
    "contrast": ("treatment contrast", ""),
    "mediators": ("mediators", ""),
    "instruments": ("instruments", ""),
    "covariates": ("covariates", ""),
    "effect_modifiers": ("effect modifiers", ""),
    "cate_sd": ("standard deviation of the CATE", "outcome units"),
    "nde": ("natural direct effect", "outcome units"),
    "nie": ("natural indirect effect", "outcome units"),
}

#: Keys that are drawn (love plot) or repeated elsewhere: their rows would only repeat the figure or the table.
_SHOWN_ELSEWHERE = {"smd_before", "smd_after", "balance", "strata", "propensity_overlap"}


def diagnostic_rows(estimate: Any) -> list[DiagnosticRow]:
    """The estimate's diagnostics as readable rows (units, thresholds, verdicts); unknown keys are listed as they are.

    Examples
    --------
    >>> from dagcore.estimators.result import Estimate
    >>> e = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="ipw", n=100, diagnostics={
    ...     "propensity_overlap": {"treated_min": 0.2, "treated_max": 0.995, "control_min": 0.1, "control_max": 0.9,
    ...                            "n_extreme": 1}, "max_weight": 5.0})
    >>> [(r.name, r.value, r.verdict) for r in diagnostic_rows(e)][1:3]
    [('propensity score range, untreated', '0.1 to 0.9', 'pass'), ('units with propensity within 0.01 of 0 or 1', '1', 'warn')]
    """
    d = dict(estimate.diagnostics)
    m = estimate.method
    rows: list[DiagnosticRow] = []
    if getattr(estimate, "overlap", None) is not None:
        rows += _overlap_object_rows(m, estimate.overlap)
    elif isinstance(d.get("propensity_overlap"), Mapping):
        rows += _overlap_dict_rows(m, d["propensity_overlap"])
    what = {"matching": "matching", "stratification": "stratification"}.get(m, "weighting")
    rows += _smd_rows(m, d, what)
    ess = d.get("effective_sample_size")
    if isinstance(ess, Mapping) and estimate.n:
        total = float(sum(float(v) for v in ess.values()))
        share = total / estimate.n
        parts = ", ".join(f"{'untreated' if k == 'control' else k} {float(v):.4g}" for k, v in ess.items())
        rows.append(DiagnosticRow(m, "effective sample size of the weights (Kish)", f"{total:.4g} of {estimate.n} ({share:.0%}; {parts})",
                                  "units", "≥ 50% of the rows", _verdict(share >= 0.5)))
    if "max_weight" in d:
        stabilized = bool(estimate.settings.get("stabilized"))
        rows.append(DiagnosticRow(m, "largest weight", _g(float(d["max_weight"])), "× a unit",
                                  "–" if stabilized else "≤ 100 (no propensity within 0.01 of 0 or 1)",
                                  "–" if stabilized else _verdict(float(d["max_weight"]) <= 100)))
    if "first_stage_F" in d:
        f = float(d["first_stage_F"])
        rows.append(DiagnosticRow(m, "first-stage F statistic of the instruments", _g(f), "F", "> 10 (Staiger & Stock)", _verdict(f > 10)))
    if "empty_conditioning_cells" in d:
        k = int(d["empty_conditioning_cells"]) if not isinstance(d["empty_conditioning_cells"], (list, tuple)) else len(d["empty_conditioning_cells"])
        rows.append(DiagnosticRow(m, "empty conditioning cells", str(k), "cells", "0", _verdict(k == 0)))
    if "split_estimates" in d and d["split_estimates"]:
        v = [float(x) for x in d["split_estimates"]]
        rows.append(DiagnosticRow(m, "estimates over the repeated sample splits", f"{min(v):.4g} to {max(v):.4g} ({len(v)} splits)", "outcome units"))
    if isinstance(d.get("cate_quantiles"), Mapping):
        q = d["cate_quantiles"]
        rows.append(DiagnosticRow(m, "CATE, 5th to 95th percentile", f"{_g(q.get('q05'))} to {_g(q.get('q95'))} (median {_g(q.get('q50'))})", "outcome units"))
    done = {"propensity_overlap", "smd_before", "smd_after", "effective_sample_size", "max_weight", "first_stage_F",
            "empty_conditioning_cells", "split_estimates", "cate_quantiles"}
    for k, v in d.items():
        if k in done or k in _SHOWN_ELSEWHERE:
            continue
        name, unit = _DESCRIPTIVE.get(k, (k.replace("_", " "), ""))
        if isinstance(v, Mapping) or (isinstance(v, (list, tuple)) and len(v) > 12):
            value = f"({len(v)} entries, in the JSON report)"
        elif isinstance(v, (list, tuple)):
            value = ", ".join(_g(x) for x in v)
        else:
            value = _g(v, 4)
        rows.append(DiagnosticRow(m, name, value, unit))
    return rows


def overlap_rows(overlap: Any) -> list[DiagnosticRow]:
    """Counts of units beyond each threshold of the overlap figure, per arm (from the propensity scores themselves).

    Examples
    --------
    >>> import numpy as np
    >>> from dagcore.estimators.report.overlap import PropensityOverlap
    >>> o = PropensityOverlap("x", "logistic", np.array([0.5, 0.999]), np.array([0.2]), ((0.01, "e"), (0.99, "e")))
    >>> [(r.name, r.value, r.verdict) for r in overlap_rows(o)][:2]
    [('treated units with propensity < 0.01', '0', 'pass'), ('treated units with propensity > 0.99', '1', 'warn')]
    """
    if overlap is None:
        return []
    rows: list[DiagnosticRow] = []
    cuts = sorted({v for v, _ in overlap.thresholds})
    low = [v for v in cuts if v < 0.5]
    high = [v for v in cuts if v > 0.5]
    for arm, ps in (("treated", overlap.treated), ("untreated", overlap.control)):
        for v in low:
            k = int((ps < v).sum())
            rows.append(DiagnosticRow("propensity model", f"{arm} units with propensity < {v:g}", str(k), "units", "0", _verdict(k == 0)))
        for v in high:
            k = int((ps > v).sum())
            rows.append(DiagnosticRow("propensity model", f"{arm} units with propensity > {v:g}", str(k), "units", "0", _verdict(k == 0)))
    return rows


def p_value_meaning(refutation: Any) -> str:
    """What the refuter's p-value tests, in words (``"no p-value: ..."`` when it has none).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> p_value_meaning(NS(method="bootstrap", p_value=0.01))
    'two-sided bootstrap test of effect = 0; small = the resampled effects stay away from 0'
    >>> p_value_meaning(NS(method="my_refuter", p_value=None))
    'no p-value: see the rule'
    """
    meaning = P_VALUE_MEANING.get(refutation.method)
    if refutation.p_value is None:
        return meaning if meaning and meaning.startswith("no p-value") else _NO_P
    return meaning if meaning and not meaning.startswith("no p-value") else "see the refuter's rule"


def rows_used(a: Any) -> str:
    """The header's sentence on the data and the rows each estimate used.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> a = NS(data_summary={"rows": 10, "columns": 3, "rows_with_missing_values": 2, "missing_by_column": {"y": 2}},
    ...        estimates=[NS(method="ipw", n=8), NS(method="regression", n=8)])
    >>> rows_used(a)
    'Data: 10 rows, 3 columns; 2 rows with missing values in graph variables dropped (y: 2); every estimate used 8 rows.'
    """
    ds = a.data_summary
    text = f"Data: {ds.get('rows', '?')} rows, {ds.get('columns', '?')} columns"
    dropped = int(ds.get("rows_with_missing_values", 0) or 0)
    if dropped:
        by = ds.get("missing_by_column") or {}
        detail = f" ({', '.join(f'{c}: {k}' for c, k in by.items())})" if by else ""
        text += f"; {dropped} rows with missing values in graph variables dropped{detail}"
    ns = {e.n for e in a.estimates}
    if len(ns) == 1:
        text += f"; every estimate used {ns.pop()} rows"
    elif ns:
        text += "; rows used: " + ", ".join(f"{e.method} {e.n}" for e in a.estimates)
    return text + "."


def sensitivity_sentences(a: Any) -> dict[str, str]:
    """One sentence each on the E-value and the robustness value, and one on why they can differ."""
    out: dict[str, str] = {}
    ev, ovb = a.e_value, a.ovb
    if ev is not None:
        scale = (
            "after converting the mean difference to an approximate risk ratio (outcome standardized by its SD)"
            if ev.measure == "difference" else (ev.conversion or f"on the {ev.measure} scale")
        )
        limit = f"; {ev.limit:.3g} would move the confidence interval to include no effect" if ev.limit is not None else ""
        out["e_value"] = (
            f"E-value {ev.point:.3g} (of the {a.estimate.method} estimate, {scale}): an unmeasured confounder associated "
            f"with both {a.exposure} and {a.outcome} by a risk ratio of {ev.point:.3g} each, beyond the measured "
            f"covariates, could explain the estimate away{limit}."
        )
    if ovb is not None:
        out["robustness_value"] = (
            f"Robustness value {100 * ovb.rv_q:.3g}% (of the {a.exposure} coefficient of the linear regression "
            f"{ovb.model or f'of {a.outcome} on {a.exposure} and the covariates'}, estimate {ovb.estimate:.3g}): an unmeasured confounder explaining {100 * ovb.rv_q:.3g}% of "
            f"the residual variance of both {a.exposure} and {a.outcome} would explain the estimate away; "
            f"{100 * ovb.rv_qa:.3g}% would make it not significant at α = {ovb.alpha:g}."
        )
    if ev is not None and ovb is not None:
        out["why_they_differ"] = (
            "They measure different things and cannot be compared as numbers: the E-value is a worst-case bound on "
            "the risk-ratio scale (for a continuous outcome through an approximate conversion of the standardized "
            "effect), for the confounder's associations beyond the measured covariates; the robustness value is a "
            "share of residual variance (partial R²) in a linear model. A small risk ratio can correspond to a "
            "large share of variance and the other way round, and they refer to different estimates (the primary "
            "estimate for the E-value, the linear regression for the robustness value)."
        )
    return out


def report_content(a: Any) -> dict[str, Any]:
    """The readable content every report format renders: header, rows, meanings, sentences, figures.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import parse
    >>> from dagcore.estimators.report.analysis import analyze
    >>> rng = np.random.default_rng(0); z = rng.normal(size=300)
    >>> x = (z + rng.normal(size=300) > 0).astype(float)
    >>> df = pd.DataFrame({"z": z, "x": x, "y": x + z + rng.normal(size=300)})
    >>> a = analyze(parse("z -> x; z -> y; x -> y; x [exposure]; y [outcome]"), df, n_simulations=5, local_tests=False)
    >>> c = report_content(a)
    >>> c["rows_used"], c["pass_definition"] == PASS_DEFINITION
    ('Data: 300 rows, 3 columns; every estimate used 300 rows.', True)
    """
    from dagcore.estimators.report.plots import FIGURES, figure_names, labelled_benchmarks

    diag = [r.to_dict() for r in overlap_rows(a.propensity)]
    for e in a.estimates:
        diag += [r.to_dict() for r in diagnostic_rows(e)]
    labelled = {(b.covariate, b.kd) for b in labelled_benchmarks(a.ovb)} if a.ovb is not None else set()
    return {
        "title": a.title or f"Causal analysis: effect of {a.exposure} on {a.outcome}",
        "rows_used": rows_used(a),
        "pass_definition": PASS_DEFINITION,
        "diagnostic_verdicts": DIAGNOSTIC_VERDICTS,
        "diagnostics": diag,
        "overlap_source": None if a.propensity is None else a.propensity.source,
        "refutations": [
            {"refuter": r.method, "verdict": r.verdict, "new_effect": r.new_effect, "p_value": r.p_value,
             "p_value_tests": p_value_meaning(r), "rule": r.rule, "can_detect": r.detects}
            for r in a.refutations
        ],
        "p_value_note": (
            "A small p-value is good news for the estimate in every row (the opposite of DoWhy's refuter p-values, "
            "where a large p-value means the refutation found nothing)."
        ),
        "sensitivity": sensitivity_sentences(a),
        "benchmarks": [
            {"confounder_as_strong_as": f"{b.kd:g}× {b.covariate}", "r2_treatment": b.r2dz_x, "r2_outcome": b.r2yz_dx,
             "adjusted_estimate": b.adjusted_estimate, "adjusted_ci": list(b.adjusted_ci),
             "labelled_in_figure": (b.covariate, b.kd) in labelled}
            for b in (a.ovb.bounds if a.ovb is not None else ())
        ],
        "figures": [{"name": name, "caption": FIGURES[name]} for name in figure_names(a)],
    }

