"""Rendering: SVG content, role styling, legend, positions, PNG/PDF files, and a missing dot binary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dagcore import GraphvizNotFoundError, render
from dagcore.grammar import load, parse

ROOT = Path(__file__).resolve().parents[1]


def test_svg_has_every_observed_node_roles_and_legend() -> None:
    g = load(ROOT / "examples" / "frontdoor.dag")
    svg = render(g)
    assert isinstance(svg, str) and svg.lstrip().startswith("<?xml")
    for node in g.observed:
        assert f">{node}<" in svg
    assert "legend" in svg and "exposure" in svg and "outcome" in svg
    assert 'class="node exposure"' in svg and 'class="node outcome"' in svg
    assert "stroke-dasharray" in svg  # latent genotype is dashed


def test_bidirected_edge_is_drawn_dashed_with_two_heads_and_its_latent_hidden() -> None:
    svg = render(parse("X -> Y; X <-> Y; X [exposure]; Y [outcome]"))
    assert "U[X,Y]" not in svg
    assert 'class="edge bidirected"' in svg


@pytest.mark.parametrize("fmt", ["png", "pdf", "svg"])
def test_files_are_written(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"g.{fmt}"
    assert render(load(ROOT / "examples" / "iv.dag"), out) is None
    assert out.stat().st_size > 200
    assert not list(tmp_path.glob(".*tmp"))


def test_positions_are_kept() -> None:
    g = parse('A [pos="0,0"] B [pos="3,0"] C [pos="0,2"] A -> B; A -> C')
    svg = render(g, legend=False)
    xs = {}
    for node in "ABC":
        m = re.search(rf"<title>{node}</title>\s*<ellipse[^>]*cx=\"([-\d.]+)\" cy=\"([-\d.]+)\"", svg)
        assert m, node
        xs[node] = (float(m.group(1)), float(m.group(2)))
    assert xs["B"][0] - xs["A"][0] > 150  # 3 units to the right
    assert abs(xs["A"][1] - xs["B"][1]) < 1  # same height
    assert xs["C"][1] > xs["A"][1]  # pos y grows downward as in DAGitty


def test_highlight_paths_and_adjustment() -> None:
    g = parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]")
    assert "#d62728" in render(g, highlight="paths")
    assert "#d62728" not in render(g.with_roles(adjusted="Z"), highlight="paths")
    assert "#d62728" in render(g.with_roles(adjusted="Z"), highlight="adjustment")


def test_missing_dot_gives_install_hint_and_repr_svg_returns_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    g = parse("A -> B")
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        render(g)
    assert g._repr_svg_() is None
    from dagcore import to_dot

    assert "->" in to_dot(g)


def test_unknown_format() -> None:
    from dagcore import DagcoreError

    with pytest.raises(DagcoreError, match="cannot render to 'gif'"):
        render(parse("A -> B"), format="gif")


def test_highlight_paths_colours_the_shortest_open_non_causal_path() -> None:
    from dagcore.rendering import to_graphviz

    g = parse("A -> X; A -> M; B -> M; B -> Y; X -> Y; C -> X; C -> Y; X [exposure]; Y [outcome]")
    source = to_graphviz(g.with_roles(adjusted="M"), highlight="paths").source
    red = {line.split("[")[0].strip() for line in source.splitlines()
           if "#d62728" in line and "->" in line and not line.strip().startswith("legend_")}
    assert red == {"C -> X", "C -> Y"}  # shortest: X <- C -> Y (X <- A -> M <- B -> Y is open too, and longer)
    assert "#d62728" not in to_graphviz(g.with_roles(adjusted=["C"]), highlight="paths").source


def test_large_graphs_switch_to_sfdp_with_a_warning_and_engine_forces_a_layout() -> None:
    from dagcore import CausalGraph, DagcoreError, LayoutWarning
    from dagcore.rendering import DOT_NODE_LIMIT, to_graphviz

    big = CausalGraph([(f"v{i}", f"v{i + 1}") for i in range(DOT_NODE_LIMIT + 1)])
    with pytest.warns(LayoutWarning, match="sfdp"):
        assert to_graphviz(big).engine == "sfdp"
    assert to_graphviz(big, engine="dot").engine == "dot"
    assert to_graphviz(CausalGraph([("a", "b")])).engine == "dot"
    with pytest.raises(DagcoreError, match="unknown layout engine 'circo'"):
        to_graphviz(big, engine="circo")


@pytest.mark.slow
def test_render_2000_nodes_in_under_30_seconds() -> None:
    import time
    import warnings

    from dagcore import LayoutWarning
    from dagcore.random import deep_dag

    g = deep_dag(2_000, layers=20, seed=11)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayoutWarning)
        svg = render(g)
    assert svg.count("<g id=\"node") >= 2_000
    assert time.perf_counter() - start < 30
