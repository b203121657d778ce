"""The graph picture: the legend shows exactly the styles used, `--highlight adjustment` outlines identify's set,
and bidirected arcs are routed between nodes instead of winding around them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from dagcore import identify, render
from dagcore.grammar import load, parse
from dagcore.rendering import EDGE_STYLE, FEATURE_STYLE, ROLE_STYLE

ROOT = Path(__file__).resolve().parents[1]
NS = {"s": "http://www.w3.org/2000/svg"}


def _groups(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg[svg.index("<svg"):])
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class", "").startswith(("node", "edge"))]


def _title(g: ET.Element) -> str:
    t = g.find("s:title", NS)
    return "" if t is None or t.text is None else t.text


def _legend_nodes(svg: str) -> dict[str, ET.Element]:
    return {_title(g)[len("legend_"):]: g for g in _groups(svg) if _title(g).startswith("legend_") and "->" not in _title(g)}


def _shape_attrs(g: ET.Element) -> dict[str, str]:
    """The drawing attributes of a node's outline (ellipse or polygon): fill, stroke, width, dashes, and how many."""
    shapes = [c for c in g if c.tag.endswith(("ellipse", "polygon"))]
    first = shapes[0]
    return {"kind": first.tag.split("}")[1], "fill": first.get("fill", ""), "stroke": first.get("stroke", ""),
            "width": first.get("stroke-width", "1"), "dash": first.get("stroke-dasharray", ""), "outlines": str(len(shapes))}


def test_legend_entries_are_drawn_like_the_nodes_they_explain() -> None:
    g = parse("Z -> X; Z -> Y; X -> Y; X -> M -> Y; S -> Y; U -> Z; U [latent]; S [selected]; Z [adjusted]; "
              "X [exposure]; Y [outcome]; A <-> Z")
    svg = render(g, highlight=["M"])
    legend = _legend_nodes(svg)
    nodes = {_title(n): n for n in _groups(svg) if n.get("class", "").startswith("node") and not _title(n).startswith("legend_")}
    assert set(legend) == {"exposure", "outcome", "confounder", "mediator", "latent", "adjusted", "selected", "highlight",
                           "bidirected"}
    for role, node in (("exposure", "X"), ("outcome", "Y"), ("latent", "U")):
        assert _shape_attrs(legend[role])["fill"] == _shape_attrs(nodes[node])["fill"]
    assert _shape_attrs(legend["latent"])["dash"] == _shape_attrs(nodes["U"])["dash"] != ""
    assert _shape_attrs(legend["adjusted"])["kind"] == _shape_attrs(nodes["Z"])["kind"] == "polygon"  # a box
    assert _shape_attrs(legend["selected"])["outlines"] == _shape_attrs(nodes["S"])["outlines"] == "2"
    hl, m = _shape_attrs(legend["highlight"]), _shape_attrs(nodes["M"])
    assert (hl["stroke"], hl["width"]) == (m["stroke"], m["width"]) == (FEATURE_STYLE["highlight"]["color"], "3")
    # a graph without those styles has no legend entry for them
    plain = _legend_nodes(render(parse("X -> Y; X [exposure]; Y [outcome]")))
    assert set(plain) == {"exposure", "outcome"}
    paths = _legend_nodes(render(parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]"), highlight="paths"))
    assert "path_from" in paths and "highlight" not in paths
    assert set(ROLE_STYLE) >= {"exposure", "outcome"} and set(EDGE_STYLE) == {"path", "bidirected"}


def _outlined(svg: str) -> set[str]:
    colour = FEATURE_STYLE["highlight"]["color"]
    return {_title(g) for g in _groups(svg) if not _title(g).startswith("legend_")
            and any(c.get("stroke") == colour for c in g if c.tag.endswith(("ellipse", "polygon")))}


def test_cli_highlight_adjustment_outlines_the_set_identify_chooses(tmp_path: Path) -> None:
    from dagcore.cli import main

    dag = ROOT / "examples" / "butterfly.dag"
    chosen = set(identify(load(dag)).adjustment_set)
    assert chosen and not load(dag).adjusted  # no node is marked [adjusted]: the set comes from identify
    plain, high = tmp_path / "plain.svg", tmp_path / "high.svg"
    assert main(["render", str(dag), "-o", str(plain)]) == 0
    assert main(["render", str(dag), "--highlight", "adjustment", "-o", str(high)]) == 0
    assert _outlined(high.read_text()) == chosen and _outlined(plain.read_text()) == set()
    assert "adjustment set" in high.read_text()
    assert main(["render", str(ROOT / "examples" / "bow.dag"), "--highlight", "adjustment", "-o", str(high)]) == 1


def _points(d: str) -> np.ndarray:
    return np.array([(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)])


def _bezier(ctrl: np.ndarray, k: int = 24) -> np.ndarray:
    """Points along a Graphviz path (M p0 C p1 p2 p3 p4 p5 p6 ...: cubic Bézier pieces)."""
    out, p0 = [], ctrl[0]
    for i in range(1, len(ctrl) - 2, 3):
        p1, p2, p3 = ctrl[i], ctrl[i + 1], ctrl[i + 2]
        s = np.linspace(0, 1, k)[:, None]
        out.append((1 - s) ** 3 * p0 + 3 * (1 - s) ** 2 * s * p1 + 3 * (1 - s) * s**2 * p2 + s**3 * p3)
        p0 = p3
    return np.concatenate(out)


def _turning(points: np.ndarray) -> float:
    """Total absolute change of direction along a curve, in degrees (a winding arc turns back on itself)."""
    d = np.diff(points, axis=0)
    d = d[np.hypot(d[:, 0], d[:, 1]) > 1e-6]
    return float(np.degrees(np.abs(np.diff(np.unwrap(np.arctan2(d[:, 1], d[:, 0])))).sum()))


def _ellipses(svg: str) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for g in _groups(svg):
        e = g.find("s:ellipse", NS)
        if g.get("class", "").startswith("node") and e is not None and not _title(g).startswith("legend_"):
            out[_title(g)] = tuple(float(e.get(k)) for k in ("cx", "cy", "rx", "ry"))  # type: ignore[assignment]
    return out


@pytest.mark.parametrize("text", [
    (ROOT / "examples" / "napkin.dag").read_text(),
    "A -> B -> C -> D -> E; A <-> E; B <-> D; A <-> C; C [exposure]; E [outcome]",
    "X -> M -> Y; X <-> Y; M <-> Z; Z -> Y; W -> X; W <-> M; X [exposure]; Y [outcome]",
])
def test_bidirected_arcs_do_not_wind_around_or_cross_other_nodes(text: str) -> None:
    # before, napkin's W <-> Y arc was an unconstrained spline that turned 205° around Z and X
    svg = render(parse(text), legend=False)
    nodes = _ellipses(svg)
    arcs = [g for g in _groups(svg) if "bidirected" in g.get("class", "") and g.get("class", "").startswith("edge")]
    assert arcs
    for arc in arcs:
        ends = set(re.findall(r"[^&;>-]+", _title(arc).replace("&#45;&gt;", "->"))) & set(nodes)
        curve = _bezier(_points(arc.find("s:path", NS).get("d")))
        assert _turning(curve) <= 90, f"the arc {_title(arc)} winds ({_turning(curve):.0f}° of turning)"
        for name, (cx, cy, rx, ry) in nodes.items():
            if name not in ends:
                inside = ((curve[:, 0] - cx) / rx) ** 2 + ((curve[:, 1] - cy) / ry) ** 2 < 1
                assert not inside.any(), f"the arc {_title(arc)} passes through {name}"
