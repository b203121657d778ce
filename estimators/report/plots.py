"""The report's figures, drawn with matplotlib through :mod:`dagcore.estimators.report.figures`.

Each function takes the values an analysis produced and returns a matplotlib
``Figure`` (which shows itself as SVG in Jupyter); :func:`analysis_figures`
draws every figure an :class:`~dagcore.estimators.report.analysis.Analysis`
has data for.

- :func:`overlap_plot`: propensity scores per arm (mirrored histograms) with the thresholds;
- :func:`balance_plot`: the love plot, absolute standardized mean differences before and after, with the 0.1 line;
- :func:`forest_plot`: every estimator's estimate and confidence interval, each target stated;
- :func:`refutation_plot`: each refuter's simulated distribution against the estimate;
- :func:`sensitivity_contour`: the adjusted estimate over the partial R² of a confounder with treatment and
  outcome (Cinelli & Hazlett 2020, in the style of R's sensemakr), the strongest benchmarks labelled without overlap.

Examples
--------
>>> from dagcore.estimators.report.figures import figure_svg
>>> from dagcore.estimators.result import Estimate
>>> fig = forest_plot([Estimate(value=1.0, se=0.2, ci=(0.6, 1.4), method="ipw")])
>>> "ipw" in figure_svg(fig)
True
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dagcore.estimators.report.figures import new_figure

__all__ = [
    "FIGURES",
    "analysis_figures",
    "balance_plot",
    "figure_names",
    "forest_plot",
    "labelled_benchmarks",
    "overlap_plot",
    "refutation_plot",
    "sensitivity_contour",
]

#: Figure names in report order, with their captions.
FIGURES: dict[str, str] = {
    "overlap": "Propensity overlap: the scores of the treated and the untreated, with the thresholds they are judged by.",
    "balance": "Covariate balance (love plot): absolute standardized mean differences before and after adjustment; "
    "0.1 is the usual threshold for balance.",
    "forest": "Estimates of every estimator with their confidence intervals; each row states what it estimates.",
    "refutations": "Refuters: the distribution of the re-estimated effects in the simulations, against the estimate "
    "and 0.",
    "sensitivity": "Sensitivity contour: the estimate adjusted for an unobserved confounder of given partial R² with "
    "the treatment (x) and the outcome (y); the red dashed line is where the estimate is explained away.",
    "cate_distribution": "Heterogeneity: the distribution of the out-of-sample CATE (each row's effect predicted by a "
    "model fit without its fold).",
    "cate_gates": "Heterogeneity: GATES, the average effect in each quintile of the predicted CATE, with its interval; "
    "rising bars mean the CATE ranks who benefits.",
    "cate_gain": "Heterogeneity: the held-out gain curve (Qini-type) of treating by the predicted CATE against random "
    "targeting, from doubly robust scores.",
}

_TREATED, _CONTROL, _RED, _GREY = "#2b7bba", "#e08214", "#c62828", "#666666"


def overlap_plot(overlap: Any) -> Any:
    """Mirrored histograms of the propensity score, treated above and untreated below, with the thresholds.

    Parameters
    ----------
    overlap : PropensityOverlap
        From :func:`dagcore.estimators.report.overlap.propensity_overlap`.

    Examples
    --------
    >>> from dagcore.estimators.report.figures import figure_svg
    >>> from dagcore.estimators.report.overlap import PropensityOverlap
    >>> o = PropensityOverlap("x", "logistic", np.array([0.6, 0.7]), np.array([0.2, 0.4]), ((0.01, "extreme"),))
    >>> "untreated" in figure_svg(overlap_plot(o))
    True
    """
    fig = new_figure(width=6.4, height=3.6)
    ax = fig.add_subplot()
    bins = np.linspace(0.0, 1.0, 41)
    h1, _ = np.histogram(overlap.treated, bins=bins)
    h0, _ = np.histogram(overlap.control, bins=bins)
    width = bins[1] - bins[0]
    ax.bar(bins[:-1], h1, width=width, align="edge", color=_TREATED, alpha=0.8, label=f"treated ({overlap.treated.size})")
    ax.bar(bins[:-1], -h0, width=width, align="edge", color=_CONTROL, alpha=0.8, label=f"untreated ({overlap.control.size})")
    ax.axhline(0, color="#333333", linewidth=0.8)
    styles: dict[str, str] = {}
    for value, meaning in overlap.thresholds:
        first = meaning not in styles
        style = styles.setdefault(meaning, ["--", ":", "-."][len(styles) % 3])
        ax.axvline(value, color=_GREY, linestyle=style, linewidth=1.2, label=meaning if first else None)
    top = max(int(h1.max(initial=0)), int(h0.max(initial=0)), 1)
    ax.set_ylim(-top * 1.15, top * 1.15)
    ax.set_yticks(ax.get_yticks())
    ax.set_yticklabels([f"{abs(int(v))}" for v in ax.get_yticks()])
    ax.set_ylim(-top * 1.15, top * 1.15)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"propensity score P({overlap.treatment} = 1 | covariates)")
    ax.set_ylabel("units (untreated below the axis)")
    ax.set_title("Propensity overlap by arm", fontsize=11)
    ax.legend(fontsize=8, loc="upper center", ncol=2, frameon=False)
    return fig


def balance_plot(estimates: Sequence[Any]) -> Any | None:
    """Love plot: absolute SMD of each covariate before adjustment and after each estimator's weighting or matching.

    Uses every estimate whose diagnostics hold ``smd_before`` and ``smd_after``
    (IPW, matching, stratification); None when there is none.

    Examples
    --------
    >>> from dagcore.estimators.report.figures import figure_svg
    >>> from dagcore.estimators.result import Estimate
    >>> e = Estimate(value=1.0, se=0.2, ci=(0.6, 1.4), method="ipw",
    ...              diagnostics={"smd_before": {"z": 0.5}, "smd_after": {"z": 0.02}})
    >>> "0.1" in figure_svg(balance_plot([e]))
    True
    """
    with_smd = [e for e in estimates if isinstance(e.diagnostics.get("smd_after"), Mapping) and e.diagnostics["smd_after"]]
    if not with_smd:
        return None
    before = dict(with_smd[0].diagnostics.get("smd_before") or {})
    names = sorted(set(before) | {c for e in with_smd for c in e.diagnostics["smd_after"]}, key=lambda c: abs(before.get(c, 0.0)))
    fig = new_figure(width=6.0, height=max(2.4, 0.32 * len(names) + 1.3))
    ax = fig.add_subplot()
    y = np.arange(len(names))
    ax.scatter([abs(before.get(c, math.nan)) for c in names], y, facecolors="white", edgecolors="#333333", s=36,
               label="before adjustment", zorder=3)
    markers = ["o", "s", "D", "^"]
    colours = [_TREATED, "#1a9850", "#762a83", _CONTROL]
    for i, e in enumerate(with_smd):
        after = e.diagnostics["smd_after"]
        ax.scatter([abs(after.get(c, math.nan)) for c in names], y, marker=markers[i % 4], color=colours[i % 4], s=30,
                   label=f"after {e.method}", zorder=4)
    ax.axvline(0.1, color=_RED, linestyle="--", linewidth=1.2, label="0.1 threshold")
    ax.set_yticks(y, names)
    ax.set_xlabel("|standardized mean difference| (in pooled SDs)")
    ax.set_xlim(left=0)
    ax.set_title("Covariate balance", fontsize=11)
    ax.grid(axis="x", color="#eeeeee")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def forest_plot(estimates: Sequence[Any]) -> Any:
    """Every estimate with its confidence interval; the label states the method and the target.

    Examples
    --------
    >>> from dagcore.estimators.report.figures import figure_svg
    >>> from dagcore.estimators.result import Estimate
    >>> es = [Estimate(value=v, se=0.5, ci=(v - 1, v + 1), method=m) for v, m in [(3.4, "ipw"), (3.5, "regression")]]
    >>> svg = figure_svg(forest_plot(es))
    >>> "regression" in svg and "3.4 (2.4 to 4.4)" in svg
    True
    """
    n = len(estimates)
    fig = new_figure(width=7.2, height=max(1.8, 0.62 * n + 1.1))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    for yi, e in zip(y, estimates):
        lo, hi = e.ci
        ok = math.isfinite(lo) and math.isfinite(hi)
        if ok:
            ax.plot([lo, hi], [yi, yi], color="#333333", linewidth=1.6)
        ax.plot([e.value], [yi], marker="s", color=_TREATED, markersize=7)
        ci = f"{e.value:.3g} ({lo:.3g} to {hi:.3g})" if ok else f"{e.value:.3g} (no CI)"
        ax.annotate(ci, xy=(1.01, yi), xycoords=("axes fraction", "data"), va="center", fontsize=8.5)
    ax.axvline(0, color=_GREY, linestyle=":", linewidth=1)
    # the target code only (ATE, WATE, ATO...): its definition is in the estimates table, and long labels collide
    ax.set_yticks(y, [_wrap(f"{e.method}: {e.target.split(' ', 1)[0]}") for e in estimates], fontsize=8.5)
    ax.set_ylim(-0.7, n - 0.3)
    level = int(round(100 * estimates[0].level)) if estimates else 95
    ax.set_xlabel(f"estimate with {level}% confidence interval")
    ax.set_title("Estimates by estimator", fontsize=11)
    ax.grid(axis="x", color="#eeeeee")
    return fig


def refutation_plot(refutations: Sequence[Any]) -> Any | None:
    """One panel per refuter: the histogram of its re-estimated effects, the estimate, and 0.

    Examples
    --------
    >>> from dagcore.estimators.report.figures import figure_svg
    >>> from dagcore.estimators.refutation.result import Refutation
    >>> r = Refutation(method="placebo_treatment", title="Placebo", estimate=1.0, se=0.1, new_effect=0.0,
    ...                values=(0.1, -0.1, 0.0), interval=(-0.1, 0.1), p_value=0.01, verdict="pass", rule="covers 0")
    >>> "placebo treatment: PASS" in figure_svg(refutation_plot([r]))
    True
    """
    shown = [r for r in refutations if np.isfinite(np.asarray(r.values, dtype=float)).any()]
    if not shown:
        return None
    cols = min(3, len(shown))
    rows = math.ceil(len(shown) / cols)
    fig = new_figure(width=3.0 * cols + 0.6, height=2.3 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False)
    colour = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
    for ax, r in zip(axes.flat, shown):
        values = np.asarray(r.values, dtype=float)
        values = values[np.isfinite(values)]
        ax.hist(values, bins=min(30, max(5, values.size // 3)), color="#9ecae1", edgecolor="#4292c6", linewidth=0.5)
        ax.axvline(r.estimate, color="#111111", linewidth=1.5, label="estimate")
        ax.axvline(0, color=_GREY, linestyle=":", linewidth=1.2, label="0")
        if r.method == "unobserved_common_cause" and math.isfinite(r.new_effect):
            ax.axvline(r.new_effect, color=_RED, linestyle="--", linewidth=1.2, label="adjusted (median)")
        ax.set_title(f"{r.method.replace('_', ' ')}: {r.verdict.upper()}", fontsize=9, color=colour.get(r.verdict, "#333"))
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    legend: dict[str, Any] = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(label, handle)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"Refuters' simulated estimates ({shown[0].n_simulations} simulations each)", fontsize=11)
    return fig


def _strength(b: Any) -> float:
    """How far a benchmark confounder moves the estimate (its bias, up to the common SE factor)."""
    return math.sqrt(b.r2yz_dx * b.r2dz_x / max(1e-12, 1.0 - b.r2dz_x))


def labelled_benchmarks(ovb: Any, *, n: int = 4, limit: float | None = None) -> list[Any]:
    """The ``n`` strongest benchmark bounds inside the plot (those the contour plot labels), strongest first.

    Examples
    --------
    >>> from dagcore.estimators.sensitivity.ovb import ols_sensitivity
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0); z = rng.normal(size=(300, 2)); d = z @ [0.5, 0.1] + rng.normal(size=300)
    >>> df = pd.DataFrame({"d": d, "a": z[:, 0], "b": z[:, 1], "y": d + z @ [0.5, 0.1] + rng.normal(size=300)})
    >>> s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["a", "b"], k=[1])
    >>> [b.covariate for b in labelled_benchmarks(s, n=1)]
    ['a']
    """
    limit = ovb.contour_limit() if limit is None else limit
    inside = [b for b in ovb.bounds if b.r2dz_x <= limit and b.r2yz_dx <= limit]
    return sorted(inside, key=_strength, reverse=True)[:n]


def _disjoint(box: Any, others: Sequence[Any]) -> bool:
    return not any(box.overlaps(o) for o in others)


def sensitivity_contour(ovb: Any, *, n_labels: int = 4, resolution: int = 61) -> Any:
    """Contour plot of the bias-adjusted estimate over the confounder's partial R² with treatment and outcome.

    In the style of sensemakr's ``ovb_contour_plot``: contours of the adjusted
    estimate (labelled), the level where it is explained away (0) red and
    dashed, the unadjusted estimate as a triangle at the origin, and the
    benchmark bounds (confounders ``k`` times as strong as a covariate) as red
    diamonds. Only the ``n_labels`` strongest benchmarks are labelled, each
    label placed where it overlaps no other label, contour label or marker;
    the report lists all of them in a table. Each label is an SVG group with
    id ``benchmark-label-<i>``.

    Examples
    --------
    >>> from dagcore.estimators.report.figures import figure_svg
    >>> from dagcore.estimators.sensitivity.ovb import OVBSensitivity
    >>> svg = figure_svg(sensitivity_contour(OVBSensitivity("d", 2.0, 0.5, 4.0, 100, 0.14, 0.3, 0.2)))
    >>> "Unadjusted" in svg and "explained away" in svg
    True
    """
    limit = ovb.contour_limit()
    r2d, r2y, z = ovb.contour_grid(limit=limit, resolution=resolution)
    fig = new_figure(width=6.0, height=5.4)
    ax = fig.add_subplot()
    finite = z[np.isfinite(z)]
    est = ovb.estimate
    lo = max(float(finite.min()), -abs(est)) if finite.size else -1.0
    hi = min(float(finite.max()), abs(est)) if finite.size else 1.0
    from matplotlib.ticker import MaxNLocator

    levels = [v for v in MaxNLocator(nbins=8).tick_values(lo, hi) if lo <= v <= hi and abs(v) > 1e-12 * max(1, abs(est))]
    texts: list[Any] = []
    if levels:
        cs = ax.contour(r2d, r2y, z, levels=levels, colors="#555555", linewidths=0.9)
        texts += list(ax.clabel(cs, fontsize=8, fmt=lambda v: f"{v:.3g}", inline_spacing=3))
    if finite.size and finite.min() < 0 < finite.max():
        cz = ax.contour(r2d, r2y, z, levels=[0.0], colors=_RED, linewidths=1.8, linestyles="--")
        texts += list(ax.clabel(cz, fontsize=8, fmt=lambda v: "0 (explained away)", inline_spacing=3))
    ax.plot([0], [0], marker="^", color="black", markersize=8, clip_on=False, zorder=5)
    unadj = ax.annotate(f"Unadjusted ({est:.3g})", xy=(0, 0), xytext=(6, 6), textcoords="offset points", fontsize=8.5,
                        zorder=6)
    texts.append(unadj)
    shown = labelled_benchmarks(ovb, n=n_labels, limit=limit)
    inside = [b for b in ovb.bounds if b.r2dz_x <= limit and b.r2yz_dx <= limit]
    ax.scatter([b.r2dz_x for b in inside], [b.r2yz_dx for b in inside], marker="D", color=_RED, s=22, zorder=5,
               label="benchmark bounds" if inside else None)
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_xlabel(f"partial R² of the confounder with the treatment ({ovb.treatment})")
    ax.set_ylabel("partial R² of the confounder with the outcome")
    ax.set_title(f"Estimate adjusted for an unobserved confounder (unadjusted {est:.3g})", fontsize=10.5)
    _place_labels(fig, ax, shown, texts, inside)
    return fig


def _place_labels(fig: Any, ax: Any, bounds: Sequence[Any], obstacles: list[Any], points: Sequence[Any]) -> None:
    """Annotate each bound at the first offset whose text box overlaps no earlier label, contour label or marker."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    fig.draw_without_rendering()  # lay out the axes (constrained layout) before measuring
    boxes = [Text.get_window_extent(t) for t in obstacles if t.get_visible() and t.get_text()]
    for b in points:  # every benchmark diamond
        px, py = ax.transData.transform((b.r2dz_x, b.r2yz_dx))
        boxes.append(Bbox.from_extents(px - 4, py - 4, px + 4, py + 4))
    frame = ax.get_window_extent()
    # candidate offsets (points) from the marker: near first, then farther out, up and to the right first
    # (sensemakr plots are emptiest there), then the other directions
    angles = [45, 20, 70, 0, 90, 110, -20, 135, 160, 180, -45, -90]
    offsets = [(8, 6)] + [
        (round(r * math.cos(math.radians(a))), round(r * math.sin(math.radians(a))))
        for r in (20, 34, 50, 70, 95, 125) for a in angles
    ]
    from matplotlib.transforms import offset_copy

    for i, b in enumerate(bounds):
        text = f"{b.kd:g}× {b.covariate} ({b.adjusted_estimate:.3g})"
        for dx, dy in offsets:
            align = {"ha": "left" if dx >= 0 else "right", "va": "bottom" if dy >= 0 else "top"}
            # measure a plain text at the candidate place (cheap), annotate only the place that is free
            probe = ax.text(b.r2dz_x, b.r2yz_dx, text, fontsize=8, **align,
                            transform=offset_copy(ax.transData, fig=fig, x=dx, y=dy, units="points"))
            box = Text.get_window_extent(probe)
            probe.remove()
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and _disjoint(box.padded(2.0), boxes):
                boxes.append(box)
                ann = ax.annotate(text, xy=(b.r2dz_x, b.r2yz_dx), xytext=(dx, dy), textcoords="offset points", fontsize=8,
                                  color=_RED, **align, zorder=7,
                                  arrowprops={"arrowstyle": "-", "color": _RED, "linewidth": 0.6, "shrinkA": 0, "shrinkB": 3})
                ann.set_gid(f"benchmark-label-{i}")
                break


def analysis_figures(a: Any) -> dict[str, Any]:
    """Every figure the analysis has data for, by name in report order (see :data:`FIGURES`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from dagcore import parse
    >>> from dagcore.estimators.report.analysis import analyze
    >>> rng = np.random.default_rng(0); z = rng.normal(size=300)
    >>> x = (z + rng.normal(size=300) > 0).astype(float)
    >>> df = pd.DataFrame({"z": z, "x": x, "y": x + z + rng.normal(size=300)})
    >>> a = analyze(parse("z -> x; z -> y; x -> y; x [exposure]; y [outcome]"), df, n_simulations=5, local_tests=False)
    >>> list(analysis_figures(a))
    ['overlap', 'balance', 'forest', 'refutations', 'sensitivity']
    """
    draw = {
        "overlap": lambda: overlap_plot(a.propensity),
        "balance": lambda: balance_plot(a.estimates),
        "forest": lambda: forest_plot(a.estimates),
        "refutations": lambda: refutation_plot(a.refutations),
        "sensitivity": lambda: sensitivity_contour(a.ovb),
    }
    names = figure_names(a)
    figures = {name: draw[name]() for name in names if name in draw}
    if any(name.startswith("cate_") for name in names):
        from dagcore.estimators.report.heterogeneity import heterogeneity_figures

        figures.update({f"cate_{k}": fig for k, fig in heterogeneity_figures(a.heterogeneity).items()})
    return figures


def figure_names(a: Any) -> list[str]:
    """The names of the figures the analysis has data for, in report order, without drawing them.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> figure_names(NS(propensity=None, estimates=(), refutations=(), ovb=None))
    []
    """
    names = []
    if a.propensity is not None:
        names.append("overlap")
    if any(isinstance(e.diagnostics.get("smd_after"), Mapping) and e.diagnostics["smd_after"] for e in a.estimates):
        names.append("balance")
    if a.estimates:
        names.append("forest")
    if any(np.isfinite(np.asarray(r.values, dtype=float)).any() for r in a.refutations):
        names.append("refutations")
    if a.ovb is not None:
        names.append("sensitivity")
    if getattr(a, "heterogeneity", None) is not None:
        names += ["cate_distribution", "cate_gates", "cate_gain"]
    return names
