"""Draw a causal graph with Graphviz, roles coloured the same way everywhere.

Colours: exposure green, outcome blue, confounders amber, mediators purple,
colliders red; latent nodes dashed grey; adjusted nodes drawn as boxes,
selected nodes with a double outline, highlighted nodes (e.g. the chosen
adjustment set) outlined red, highlighted paths red; bidirected arcs dashed,
drawn through their latent common cause so they are routed like
any edge (a small grey dot marks the latent). The legend shows exactly the styles used, drawn with the same
attributes (:data:`FEATURE_STYLE`, :data:`EDGE_STYLE`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from dagcore.errors import DagcoreError, GraphvizNotFoundError
from dagcore.files import atomic_write_bytes, check_output_path
from dagcore.graph import ROLES, CausalGraph, takes_graph

__all__ = ["render", "to_graphviz", "ROLE_STYLE", "FEATURE_STYLE", "EDGE_STYLE", "LATENT_POINT"]

#: Fill colours by role (also used by the HTML report).
ROLE_STYLE: dict[str, str] = {
    "exposure": "#b7e4c7",
    "outcome": "#a9d6f5",
    "confounder": "#fde2a7",
    "mediator": "#e0c3fc",
    "collider": "#f8b4b4",
    "latent": "#eeeeee",
}
_FORMATS = ("svg", "png", "pdf")


def _structural_roles(g: CausalGraph) -> dict[str, str]:
    if not g.exposure or not g.outcome:
        return {}
    from dagcore.structure.role_table import roles

    out: dict[str, str] = {}
    for r in roles(g):
        if r.mediator:
            out[r.node] = "mediator"
        elif r.confounder:
            out[r.node] = "confounder"
        elif r.collider:
            out[r.node] = "collider"
    return out


def _open_backdoor_edges(g: CausalGraph) -> set[tuple[str, str]]:
    from dagcore.structure.path_search import paths

    edges: set[tuple[str, str]] = set()
    for x in g.exposure:
        for y in g.outcome:
            it = paths(g, x, y, given=g.adjusted, limit=2000)
            for p in it:
                if p.kind != "causal" and p.open:
                    for a, b, fwd in zip(p.nodes, p.nodes[1:], p.forward):
                        edges.add((a, b) if fwd else (b, a))
    return edges


#: Node attributes of each style feature other than the role's fill; nodes and legend entries both use them.
FEATURE_STYLE: dict[str, dict[str, str]] = {
    "latent": {"style": "dashed,filled", "color": "#777777", "fontcolor": "#555555"},
    "adjusted": {"shape": "box"},
    "selected": {"peripheries": "2"},
    "highlight": {"penwidth": "3", "color": "#d62728"},
}
#: Edge attributes: a highlighted (open back-door) edge, and a bidirected arc (an unobserved common cause).
EDGE_STYLE: dict[str, dict[str, str]] = {
    "path": {"color": "#d62728", "penwidth": "2.5"},
    "bidirected": {"style": "dashed", "color": "#555555"},
}
#: The dot that stands for the unobserved common cause of a bidirected arc (the arc is drawn through it).
LATENT_POINT: dict[str, str] = {"label": "", "shape": "point", "width": "0.07", "color": "#777777", "fillcolor": "#777777"}
_LEGEND_TEXT = {
    "adjusted": "adjusted (box)",
    "selected": "selected (double outline)",
    "path": "open back-door path",
    "bidirected": "unobserved common cause",
}


def _node_attrs(fill: str, features: Iterable[str]) -> dict[str, str]:
    """A node's Graphviz attributes: the role's fill, then each feature's style (the legend uses the same)."""
    attrs = {"fillcolor": fill}
    for f in features:
        attrs.update(FEATURE_STYLE[f])
    return attrs


def _legend(dot, entries: list[str], highlight_label: str, use_pos: bool) -> None:  # type: ignore[no-untyped-def]
    """Add a legend cluster with one entry per style used, each drawn with exactly the attributes of the graph."""
    with dot.subgraph(name="cluster_legend") as leg:
        leg.attr(label="legend", fontsize="10", style="rounded", color="#bbbbbb")
        for i, entry in enumerate(entries):
            where = {"pos": f"{-3 - 2 * i},1!"} if use_pos else {}
            if entry == "bidirected" and not use_pos:  # drawn as in the graph: two arcs from the latent's dot
                u = "legend_bidirected"
                leg.node(u, **LATENT_POINT, **where)
                for end in ("a", "b"):
                    leg.node(f"{u}_{end}", label="", shape="point", width="0.02", style="invis")
                    text = {"label": _LEGEND_TEXT[entry], "fontsize": "10"} if end == "a" else {}
                    leg.edge(u, f"{u}_{end}", **EDGE_STYLE[entry], **text)
                continue
            if entry in EDGE_STYLE:
                a, b = f"legend_{entry}_from", f"legend_{entry}_to"
                leg.node(a, label="", shape="point", width="0.05", **where)
                leg.node(b, label="", shape="point", width="0.05")
                attrs = dict(EDGE_STYLE[entry])
                if entry == "bidirected":
                    attrs["dir"] = "both"
                leg.edge(a, b, label=_LEGEND_TEXT[entry], fontsize="10", **attrs)
                continue
            if entry in ROLE_STYLE:
                attrs = _node_attrs(ROLE_STYLE[entry], ["latent"] if entry == "latent" else [])
                label = entry
            else:
                attrs = _node_attrs("white", [entry])
                label = highlight_label if entry == "highlight" else _LEGEND_TEXT[entry]
            leg.node(f"legend_{entry}", label=label, fontsize="10", style=attrs.pop("style", "filled"), **attrs, **where)


@takes_graph(roles=ROLES)
def to_graphviz(  # type: ignore[no-untyped-def]
    g: CausalGraph,
    *,
    highlight: str | Iterable[str] | None = None,
    legend: bool = True,
    adjustment_set: Iterable[str] | None = None,
):
    """A ``graphviz.Digraph`` of the graph with role styling (see :func:`render`)."""
    import graphviz

    hidden = set(g.bidirected_latents)
    structural = _structural_roles(g)
    highlight_nodes: set[str] = set()
    highlight_edges: set[tuple[str, str]] = set()
    highlight_label = "highlighted"
    if highlight == "paths":
        highlight_edges = _open_backdoor_edges(g)
    elif highlight == "adjustment":
        if adjustment_set is not None:
            highlight_nodes = set(g.check_nodes(list(adjustment_set)))
            highlight_label = "adjustment set"
        else:
            highlight_nodes = set(g.adjusted)
            highlight_label = "adjusted set"
    elif highlight is not None:
        highlight_nodes = set(g.check_nodes(highlight))
    shown = [n for n in g.nodes if n not in hidden]
    use_pos = bool(shown) and all(n in g.positions for n in shown)
    dot = graphviz.Digraph(name=g.name or "dag", engine="neato" if use_pos else "dot")
    dot.attr(rankdir="LR", fontname="Helvetica", bgcolor="white")
    if use_pos:
        dot.attr(overlap="true", splines="true")
    dot.attr("node", fontname="Helvetica", style="filled", fillcolor="white", shape="ellipse")
    dot.attr("edge", fontname="Helvetica")
    used: list[str] = []

    def use(style: str) -> None:
        if style not in used:
            used.append(style)

    for n in shown:
        classes = []
        if n in g.exposure:
            role = "exposure"
        elif n in g.outcome:
            role = "outcome"
        elif n in g.latent:
            role = "latent"
        else:
            role = structural.get(n, "")
        features = [f for f, member in (("latent", n in g.latent), ("adjusted", n in g.adjusted),
                                         ("selected", n in g.selected), ("highlight", n in highlight_nodes)) if member]
        attrs = _node_attrs(ROLE_STYLE[role] if role else "white", features)
        attrs["label"] = g.labels.get(n, n)
        if role:
            classes.append(role)
            use(role)
        for f in features:
            if f != "latent":
                classes.append(f)
                use(f)
        if use_pos:
            x, y = g.positions[n]
            attrs["pos"] = f"{x:.4g},{-y:.4g}!"
        attrs["class"] = " ".join(classes) if classes else "node-plain"
        dot.node(n, **attrs)
    for u, v in sorted(g.edges):
        if u in hidden:
            continue
        attrs = {}
        if (u, v) in highlight_edges:
            attrs.update(EDGE_STYLE["path"])
            use("path")
        dot.edge(u, v, **attrs)
    for a, b in sorted(g.bidirected):
        latent = next(k for k, pair in g.bidirected_latents.items() if pair == (a, b))
        attrs = {**EDGE_STYLE["bidirected"], "class": "bidirected"}
        if (latent, a) in highlight_edges or (latent, b) in highlight_edges:
            attrs.update(EDGE_STYLE["path"])
            use("path")
        if use_pos:
            dot.edge(a, b, dir="both", constraint="false", **attrs)
        else:
            # through a small dot for the latent common cause, so dot lays the arcs out like any edge, ranked and
            # routed between the nodes, instead of an unconstrained spline that winds around them
            point = f"unobserved common cause of {a} and {b}"  # its tooltip; the latent's internal name stays hidden
            dot.node(point, **LATENT_POINT, **{"class": "bidirected-latent"})
            dot.edge(point, a, **attrs)
            dot.edge(point, b, **attrs)
        use("bidirected")
    if legend and used:
        order = [*ROLE_STYLE, "adjusted", "selected", "highlight", "path", "bidirected"]
        _legend(dot, sorted(used, key=order.index), highlight_label, use_pos)
    return dot


@takes_graph(roles=ROLES)
def render(
    g: CausalGraph,
    path: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    highlight: str | Iterable[str] | None = None,
    legend: bool = True,
    adjustment_set: Iterable[str] | None = None,
) -> str | bytes | None:
    """Render the graph to SVG, PNG or PDF with Graphviz.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
        Roles (``exposure=``, ``outcome=``, ``latent=``, ``adjusted=``, ``selected=``) given as
        keywords replace the graph's before drawing.
    path : path-like, optional
        Where to write the image (atomically, with the umask's mode; see
        :mod:`dagcore.files`). Without it the image is returned.
    format : {"svg", "png", "pdf"}, optional
        Defaults to the extension of ``path``, else ``"svg"``.
    highlight : "adjustment", "paths", or iterable of str, optional
        ``"adjustment"``: outline ``adjustment_set`` (the nodes marked
        ``[adjusted]`` when it is None); ``"paths"``: colour the open
        back-door paths given the adjusted nodes; or nodes to outline.
    legend : bool
        Draw a legend with one entry per style used (roles, adjusted,
        selected, highlighted nodes, highlighted paths, bidirected arcs),
        each drawn with the same attributes as the graph's nodes and edges.
    adjustment_set : iterable of str, optional
        The set ``highlight="adjustment"`` outlines, e.g.
        ``identify(g).adjustment_set`` (``dagcore render --highlight
        adjustment`` passes the set :func:`dagcore.identify` chooses).

    Returns
    -------
    str or bytes or None
        SVG text, or PNG/PDF bytes, when ``path`` is None; else None.

    Raises
    ------
    GraphvizNotFoundError
        Graphviz's ``dot`` program is not installed (the message says how to install it).
    OutputPathError
        The folder of ``path`` does not exist (nothing is created), or ``path`` is a folder.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("Z", "Y"), ("X", "Y")], exposure="X", outcome="Y")
    >>> svg = render(g)
    >>> svg.startswith("<?xml") and "confounder" in svg
    True
    """
    import graphviz

    fmt = format or (Path(path).suffix.lstrip(".").lower() if path is not None else "svg") or "svg"
    if fmt not in _FORMATS:
        raise DagcoreError(f"cannot render to {fmt!r}; formats are {', '.join(_FORMATS)}")
    if path is not None:
        check_output_path(path)  # a missing folder fails before Graphviz runs
    dot = to_graphviz(g, highlight=highlight, legend=legend, adjustment_set=adjustment_set)
    try:
        data = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(
            "Graphviz's 'dot' program is not installed; install it with 'sudo apt-get install graphviz' "
            "(Debian/Ubuntu), 'brew install graphviz' (macOS) or 'conda install graphviz'. "
            "dagcore.to_dot(graph) still gives the DOT text."
        ) from None
    except graphviz.CalledProcessError as err:  # pragma: no cover - dot failing on valid input
        raise DagcoreError(f"Graphviz failed: {err.stderr.decode(errors='replace') if err.stderr else err}") from None
    if path is None:
        return data.decode("utf-8") if fmt == "svg" else data
    atomic_write_bytes(path, data)
    return None
