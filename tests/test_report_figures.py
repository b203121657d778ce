"""The report's figures (estimators/report/plots.py): each one checked against the numbers it draws."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from dagcore import CausalGraph
from dagcore.estimators.refutation.result import Refutation
from dagcore.estimators.report.analysis import Analysis, analyze
from dagcore.estimators.report.figures import figure_svg
from dagcore.estimators.report.overlap import PropensityOverlap
from dagcore.estimators.report.plots import (
    FIGURES,
    analysis_figures,
    balance_plot,
    figure_names,
    forest_plot,
    labelled_benchmarks,
    overlap_plot,
    refutation_plot,
    sensitivity_contour,
)
from dagcore.estimators.result import Estimate
from dagcore.estimators.sensitivity.ovb import BenchmarkBound, OVBSensitivity, bias_adjusted, ols_sensitivity


def simulate(seed: int = 0, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w, z = rng.normal(size=n), rng.normal(size=n)
    x = (0.8 * w + 0.5 * z + rng.normal(size=n) > 0).astype(float)
    return pd.DataFrame({"w": w, "z": z, "x": x, "y": 2.0 * x + 0.5 * w + 0.5 * z + rng.normal(size=n)})


GRAPH = CausalGraph([("w", "x"), ("w", "y"), ("z", "x"), ("z", "y"), ("x", "y")], exposure="x", outcome="y")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    # estimators kept to the fast linear ones: the figures, not the estimators, are under test here
    return analyze(GRAPH, simulate(), estimators=["regression", "ipw"], refuters=["placebo_treatment", "bootstrap"],
                   n_simulations=8, random_state=1, local_tests=False)


@pytest.mark.slow
def test_every_figure_is_drawn_for_a_backdoor_analysis(analysis: Analysis) -> None:
    figs = analysis.figures
    backdoor = [name for name in FIGURES if not name.startswith("cate_")]  # the CATE figures need a CATE estimator
    assert list(figs) == backdoor == figure_names(analysis)
    for fig in figs.values():
        svg = fig._repr_svg_()  # Jupyter shows each figure as SVG
        assert ET.fromstring(svg).tag.endswith("svg")
    assert analysis.figures is figs  # drawn once


def test_overlap_bars_are_the_histogram_of_the_scores_with_the_thresholds() -> None:
    rng = np.random.default_rng(0)
    treated, control = rng.beta(3, 2, size=120), rng.beta(2, 3, size=300)
    o = PropensityOverlap("x", "test", treated, control, ((0.01, "extreme"), (0.99, "extreme"), (0.2, "trimmed")))
    ax = overlap_plot(o).axes[0]
    heights = np.array([p.get_height() for p in ax.patches])
    assert heights[heights > 0].sum() == treated.size and -heights[heights < 0].sum() == control.size
    lines = sorted(round(line.get_xdata()[0], 6) for line in ax.lines if len(set(line.get_xdata())) == 1)
    assert lines == [0.01, 0.2, 0.99]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"treated (120)", "untreated (300)", "extreme", "trimmed"}


def test_love_plot_shows_absolute_smd_before_and_after_and_the_threshold() -> None:
    e = Estimate(value=1.0, se=0.1, ci=(0.8, 1.2), method="ipw",
                 diagnostics={"smd_before": {"a": -0.5, "b": 0.2}, "smd_after": {"a": 0.03, "b": -0.12}})
    ax = balance_plot([e]).axes[0]
    before, after = (c.get_offsets() for c in ax.collections)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["b", "a"]  # sorted by imbalance before, the worst on top
    assert before[:, 0].tolist() == [0.2, 0.5] and after[:, 0].tolist() == [0.12, 0.03]
    assert any(line.get_xdata()[0] == 0.1 for line in ax.lines)
    assert balance_plot([Estimate(value=1.0, se=0.1, ci=(0.8, 1.2))]) is None


def test_forest_plot_draws_each_interval_and_states_each_target() -> None:
    es = [Estimate(value=3.4, se=0.5, ci=(2.4, 4.5), method="ipw", target="ATE"),
          Estimate(value=2.9, se=0.4, ci=(2.1, 3.7), method="matching", target="ATT")]
    ax = forest_plot(es).axes[0]
    segments = sorted(tuple(line.get_xdata()) for line in ax.lines if len(set(line.get_xdata())) == 2)
    assert segments == [(2.1, 3.7), (2.4, 4.5)]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ipw: ATE", "matching: ATT"]
    assert "2.9 (2.1 to 3.7)" in {t.get_text() for t in ax.texts}


def test_refutation_panels_hold_every_finite_replicate_and_the_estimate() -> None:
    r1 = Refutation(method="placebo_treatment", title="p", estimate=2.0, se=0.1, new_effect=0.0,
                    values=(0.1, -0.2, 0.05, float("nan")), interval=(-0.2, 0.1), p_value=0.01, verdict="pass", rule="r")
    r2 = Refutation(method="bootstrap", title="b", estimate=2.0, se=0.1, new_effect=2.0, values=(1.9, 2.1, 2.0),
                    interval=(1.9, 2.1), p_value=0.01, verdict="warn", rule="r")
    fig = refutation_plot([r1, r2])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    for ax, r in zip(visible, (r1, r2)):
        assert sum(p.get_height() for p in ax.patches) == sum(math.isfinite(v) for v in r.values)
        assert r.estimate in {line.get_xdata()[0] for line in ax.lines}
        assert r.verdict.upper() in ax.get_title()


def _crowded() -> OVBSensitivity:
    """A sensitivity result with 27 benchmark bounds piled up near the origin, as on NHEFS."""
    rng = np.random.default_rng(3)
    bounds = []
    for i in range(9):
        for k in (1.0, 2.0, 3.0):
            r2d, r2y = k * rng.uniform(0.001, 0.02), k * rng.uniform(0.001, 0.03)
            adj, se = bias_adjusted(3.4, 0.5, 1500, r2d, r2y)
            bounds.append(BenchmarkBound(f"covariate{i}", k, k, r2d / k, r2y / k, r2d, r2y, float(adj), float(se),
                                         (float(adj) - 1, float(adj) + 1)))
    return OVBSensitivity("d", 3.4, 0.5, 6.8, 1500, 0.03, 0.16, 0.12, bounds=tuple(bounds))


def _label_boxes(fig) -> list:  # type: ignore[no-untyped-def]
    from matplotlib.text import Text

    ax = fig.axes[0]
    fig.draw_without_rendering()
    return [Text.get_window_extent(t) for t in ax.texts if (t.get_gid() or "").startswith("benchmark-label-")]


def test_contour_labels_only_the_strongest_benchmarks_without_overlap() -> None:
    s = _crowded()
    fig = sensitivity_contour(s)
    ax = fig.axes[0]
    labelled = [t for t in ax.texts if (t.get_gid() or "").startswith("benchmark-label-")]
    strongest = labelled_benchmarks(s)
    assert len(strongest) == 4 and len(labelled) == 4
    assert {t.get_text() for t in labelled} == {f"{b.kd:g}× {b.covariate} ({b.adjusted_estimate:.3g})" for b in strongest}
    boxes = _label_boxes(fig)
    others = [t.get_window_extent() for t in ax.texts if not (t.get_gid() or "").startswith("benchmark-label-")]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:]), "benchmark labels overlap"
        assert not any(a.overlaps(b) for b in others), "a benchmark label overlaps another text"
    svg = figure_svg(fig)
    assert all(f'id="benchmark-label-{i}"' in svg for i in range(4))
    # every benchmark is still drawn as a point
    offsets = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets()) == len(s.bounds)])
    assert len(offsets) == 27


def test_the_red_dashed_contour_is_where_the_estimate_is_explained_away() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 2))
    d = x @ [0.6, 0.3] + rng.normal(size=500)
    df = pd.DataFrame({"d": d, "a": x[:, 0], "b": x[:, 1], "y": 0.3 * d + x @ [1.0, 0.5] + rng.normal(size=500)})
    s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["a", "b"], k=[1, 2])
    ax = sensitivity_contour(s, resolution=201).axes[0]
    from matplotlib.contour import ContourSet

    red = [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.0]]
    assert len(red) == 1 and any(t.get_text() == "0 (explained away)" for t in ax.texts)
    from matplotlib.path import Path as MPath

    drawn = [v for c in red for p in c.get_paths() for v, code in p.iter_segments(simplify=False)
             if code in (MPath.MOVETO, MPath.LINETO)]
    vertices = np.clip(np.array(drawn), 0.0, None)
    assert len(vertices) > 10
    adjusted = s.adjusted(vertices[:, 0], vertices[:, 1])
    assert np.max(np.abs(adjusted)) < 0.02 * abs(s.estimate)
    assert ax.get_xlim() == (0.0, s.contour_limit())


def test_analysis_without_propensity_or_refuters_has_fewer_figures() -> None:
    df = simulate(2, n=200).assign(x=lambda d: d["x"] + np.random.default_rng(0).normal(size=len(d)))  # continuous
    a = analyze(GRAPH, df, estimators=["regression"], refuters=[], local_tests=False)
    assert figure_names(a) == ["forest", "sensitivity"] and list(analysis_figures(a)) == ["forest", "sensitivity"]
    assert any("overlap figure skipped: the treatment is not binary" in n for n in a.notes)
