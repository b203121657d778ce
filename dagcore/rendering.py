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
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dagcore._traverse import active_trail, proper_causal_nodes
from dagcore.errors import DagcoreError, GraphvizNotFoundError, LayoutWarning
from dagcore.files import atomic_write_bytes, check_output_path
from dagcore.graph import ROLES, CausalGraph, for_graph_class, takes_graph
from dagcore.marked import ARROW, CIRCLE, TAIL, MarkedGraph

__all__ = ["render", "to_graphviz", "ROLE_STYLE", "FEATURE_STYLE", "EDGE_STYLE", "LATENT_POINT", "DOT_NODE_LIMIT"]

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
_ENGINES = ("dot", "sfdp", "neato", "fdp")
#: Above this many drawn nodes the automatic layout is sfdp, not dot. Measured on deep_dag graphs
#: (benchmarks/bench_structure.py): dot took 0.7 s at 400 nodes, 4 s at 1,000 and 20-32 s at 2,000
#: (superlinear), sfdp 2 s at 2,000 and 19-27 s at 10,000.
DOT_NODE_LIMIT = 1_000


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


def _open_noncausal_edges(g: CausalGraph) -> set[tuple[str, str]]:
    """Edges of the shortest open non-causal path given the adjusted nodes, one path per exposure-outcome pair.

    One breadth-first Bayes-ball search per pair in the graph without the
    first edges of the causal paths (:func:`dagcore._traverse.active_trail`,
    linear time): enumerating every path is exponential.
    """
    edges: set[tuple[str, str]] = set()
    xs, ys = g.exposure, g.outcome
    cn = proper_causal_nodes(g.nx, xs, ys)
    pbd = g.without_edges((a, b) for a in xs for b in g.children(a) if b in cn).nx
    for x in sorted(xs):
        for y in sorted(ys):
            found = active_trail(pbd, {x}, {y}, g.adjusted, blocked=xs | ys)
            if found is not None:
                nodes, forward = found
                edges.update((a, b) if fwd else (b, a) for a, b, fwd in zip(nodes, nodes[1:], forward))
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


def _engine(g: CausalGraph, shown: list[str], engine: str | None) -> str:
    """The Graphviz layout program: the given one, neato with positions, dot up to a size, sfdp above it (with a warning)."""
    if engine is not None:
        if engine not in _ENGINES:
            raise DagcoreError(f"unknown layout engine {engine!r}; engines are {', '.join(_ENGINES)}")
        return engine
    if shown and all(n in g.positions for n in shown):
        return "neato"
    if len(shown) > DOT_NODE_LIMIT:
        warnings.warn(
            f"{len(shown):,} nodes: drawn with Graphviz's force-directed sfdp layout, not the layered dot layout, which "
            f"takes minutes above {DOT_NODE_LIMIT:,} nodes (about 30 s at 2,000); pass engine='dot' to force it",
            LayoutWarning,
            stacklevel=4,
        )
        return "sfdp"
    return "dot"


@takes_graph(roles=ROLES)
def to_graphviz(  # type: ignore[no-untyped-def]
    g: CausalGraph,
    *,
    highlight: str | Iterable[str] | None = None,
    legend: bool = True,
    adjustment_set: Iterable[str] | None = None,
    engine: str | None = None,
):
    """A ``graphviz.Digraph`` of the graph with role styling (see :func:`render`)."""
    import graphviz

    hidden = set(g.bidirected_latents)
    structural = _structural_roles(g)
    highlight_nodes: set[str] = set()
    highlight_edges: set[tuple[str, str]] = set()
    highlight_label = "highlighted"
    if highlight == "paths":
        highlight_edges = _open_noncausal_edges(g) if g.exposure and g.outcome else set()
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
    layout = _engine(g, shown, engine)
    use_pos = layout == "neato" and bool(shown) and all(n in g.positions for n in shown)
    dot = graphviz.Digraph(name=g.name or "dag", engine=layout)
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
    engine: str | None = None,
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
    engine : {"dot", "sfdp", "neato", "fdp"}, optional
        Graphviz's layout program. By default: neato when every node has a
        position, dot (layered) up to :data:`DOT_NODE_LIMIT` drawn nodes, and
        sfdp (force-directed, near-linear) above, with a :class:`LayoutWarning`
        (dot's time grows superlinearly: about 30 s at 2,000 nodes).

    Returns
    -------
    str or bytes or None
        SVG text, or PNG/PDF bytes, when ``path`` is None; else None.

    Raises
    ------
    GraphvizNotFoundError
        Graphviz's ``dot`` program is not installed (the message says how to install it).
    DagcoreError
        An unknown format or layout engine.
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
    dot = to_graphviz(g, highlight=highlight, legend=legend, adjustment_set=adjustment_set, engine=engine)
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


# ---------------------------------------------------------------------------------------------- marked graphs
# PDAGs, MAGs, PAGs and mixed graphs go through the same entry points (registered with for_graph_class):
# each edge is drawn with the mark at each end (a tail as no arrowhead, a circle as an open dot).

_ARROW_SHAPE = {TAIL: "none", ARROW: "normal", CIRCLE: "odot"}


@for_graph_class(to_graphviz, MarkedGraph)
def to_graphviz_marked(g: MarkedGraph, *, highlight: Any = None, legend: bool = True, engine: str | None = None, **_: Any) -> Any:
    """A ``graphviz.Digraph`` of a marked graph: roles coloured, both marks of every edge drawn.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> dot = to_graphviz_marked(parse("pag { x [exposure] x @-> y }"))
    >>> 'arrowtail=odot' in dot.source and 'arrowhead=normal' in dot.source
    True
    """
    import graphviz

    if highlight not in (None, "adjustment") and not isinstance(highlight, (list, tuple, set, frozenset)):
        from dagcore.errors import GraphClassError

        raise GraphClassError(f"highlight={highlight!r} is defined on DAGs; on a {g.kind}, highlight nodes by name")
    outlined = set(g.adjusted) if highlight == "adjustment" else set(highlight or ())
    use_pos = bool(g.nodes) and all(n in g.positions for n in g.nodes)
    dot = graphviz.Digraph(name=g.name or g.kind, engine=engine or ("neato" if use_pos else "dot"))
    dot.attr(rankdir="LR", fontname="Helvetica", bgcolor="white", label=f"{g.kind}", labelloc="t", fontsize="10")
    dot.attr("node", fontname="Helvetica", style="filled", fillcolor="white", shape="ellipse")
    shown_roles = []
    for n in g.nodes:
        role = next((r for r in ("exposure", "outcome", "latent", "adjusted", "selected") if n in g.roles[r]), None)
        attrs = {"label": g.labels.get(n, n)}
        if role in ROLE_STYLE:
            attrs["fillcolor"] = ROLE_STYLE[role]
            shown_roles.append(role)
        if role == "latent":
            attrs["style"] = "dashed,filled"
        if n in outlined:
            attrs.update(penwidth="3", color="#d62728")
        if use_pos:
            x, y = g.positions[n]
            attrs["pos"] = f"{x},{-y}!"
        dot.node(n, **attrs)
    for e in g.edges:
        dot.edge(e.u, e.v, dir="both", arrowtail=_ARROW_SHAPE[e.at_u], arrowhead=_ARROW_SHAPE[e.at_v])
    if legend and shown_roles:
        with dot.subgraph(name="cluster_legend") as leg:
            leg.attr(label="legend", fontsize="10", style="rounded", color="#bbbbbb")
            for role in dict.fromkeys(shown_roles):
                leg.node(f"legend_{role}", label=role, fontsize="10", fillcolor=ROLE_STYLE[role])
    return dot


@for_graph_class(render, MarkedGraph)
def _render_marked(g: MarkedGraph, path: Any = None, **options: Any) -> Any:
    """``render`` itself (format, atomic write, Graphviz errors); its ``to_graphviz`` call reaches the function above."""
    return render.__wrapped__(g, path, **options)  # type: ignore[attr-defined]
