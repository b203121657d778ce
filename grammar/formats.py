"""Other graph formats: Graphviz DOT, node-link JSON and GML, each read and written explicitly.

There is no format guessing: one function per format and direction.
"""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx

from dagcore.errors import DagSyntaxError, GraphError
from dagcore.graph import ROLES, CausalGraph, takes_graph

__all__ = ["to_dot", "from_dot", "to_json", "from_json", "to_gml", "from_gml"]


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------------------------------------- DOT
@takes_graph(roles=())
def to_dot(graph: CausalGraph) -> str:
    """Graphviz DOT text of the graph (no graphviz package needed).

    Roles are kept as a ``roles`` node attribute, bidirected edges are drawn
    as dashed two-headed edges (``dir=both``); :func:`from_dot` reads both back.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> print(to_dot(parse("X [exposure] X -> Y")))
    digraph {
      "X" [roles="exposure"];
      "Y";
      "X" -> "Y";
    }
    """
    hidden = set(graph.bidirected_latents)
    header = f"digraph {_dot_id(graph.name)} {{" if graph.name else "digraph {"
    lines = [header]
    for node in sorted(n for n in graph.nodes if n not in hidden):
        attrs = []
        roles = [r for r in ROLES if node in getattr(graph, r)]
        if roles:
            attrs.append(f'roles="{" ".join(roles)}"')
        if node in graph.labels:
            attrs.append(f"label={_dot_id(graph.labels[node])}")
        if node in graph.positions:
            x, y = graph.positions[node]
            attrs.append(f'pos="{x!r},{y!r}"')
        if "latent" in roles:
            attrs.append("style=dashed")
        lines.append(f"  {_dot_id(node)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for u, v in sorted(graph.edges):
        if u in hidden:
            continue
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)};")
    for a, b in sorted(graph.bidirected):
        lines.append(f"  {_dot_id(a)} -> {_dot_id(b)} [dir=both, style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_DOT_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|//[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<arrow>->|--)
  | (?P<punct>[{}\[\];,=:])
  | (?P<string>"(?:\\.|[^"\\])*")
  | (?P<html><[^>]*>)
  | (?P<id>-?(?:\.\d+|\d+(?:\.\d*)?)|[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)
    """,
    re.VERBOSE | re.DOTALL,
)


def _dot_tokens(text: str, filename: str | None) -> list[tuple[str, str, int, int]]:
    tokens: list[tuple[str, str, int, int]] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        m = _DOT_TOKEN.match(text, pos)
        if m is None:
            col = pos - line_start + 1
            raise DagSyntaxError(
                f"unexpected character {text[pos]!r} in DOT text",
                filename=filename,
                line=line,
                column=col,
                source_line=text.splitlines()[line - 1] if text.splitlines() else None,
            )
        kind = m.lastgroup or ""
        value = m.group()
        if kind != "ws":
            if kind == "string":
                value = re.sub(r"\\(.)", lambda mm: {"n": "\n"}.get(mm.group(1), mm.group(1)), value[1:-1])
                kind = "qid"
            elif kind == "html":
                value, kind = value[1:-1], "qid"
            tokens.append((kind, value, line, pos - line_start + 1))
        newlines = m.group().count("\n")
        if newlines:
            line += newlines
            line_start = m.start() + m.group().rfind("\n") + 1
        pos = m.end()
    return tokens


def from_dot(text: str, *, filename: str | None = None) -> CausalGraph:
    """Read Graphviz DOT text: topology, labels, and the roles written by :func:`to_dot`.

    Styling is ignored. An edge with ``dir=both`` is read as bidirected.
    Subgraphs are flattened; ``graph``/``node``/``edge`` default statements
    are skipped. Undirected graphs (``graph { a -- b }``) are rejected.

    Raises
    ------
    DagSyntaxError
        Malformed DOT, with line and column.

    Examples
    --------
    >>> g = from_dot('digraph { a [label="Age"]; a -> b -> c; }')
    >>> sorted(g.edges), dict(g.labels)
    ([('a', 'b'), ('b', 'c')], {'a': 'Age'})
    """
    toks = _dot_tokens(text, filename)
    i = 0

    def err(message: str, tok: tuple[str, str, int, int] | None = None) -> DagSyntaxError:
        line, col = (tok[2], tok[3]) if tok else (None, None)
        return DagSyntaxError(message, filename=filename, line=line, column=col)

    def peek(k: int = 0) -> tuple[str, str, int, int] | None:
        return toks[i + k] if i + k < len(toks) else None

    def at(value: str, k: int = 0) -> bool:
        tok = peek(k)
        return tok is not None and tok[0] in ("punct", "arrow") and tok[1] == value

    def keyword(tok: tuple[str, str, int, int] | None, *words: str) -> bool:
        return tok is not None and tok[0] == "id" and tok[1].lower() in words

    def is_id(tok: tuple[str, str, int, int] | None) -> bool:
        return tok is not None and tok[0] in ("id", "qid")

    def take(value: str | None = None) -> tuple[str, str, int, int]:
        nonlocal i
        tok = peek()
        if tok is None:
            raise err(f"unexpected end of DOT text (expected {value!r})" if value else "unexpected end of DOT text")
        if value is not None and (tok[0] not in ("punct", "arrow") or tok[1] != value):
            raise err(f"expected {value!r}, got {tok[1]!r}", tok)
        i += 1
        return tok

    nodes: dict[str, None] = {}
    edges: list[tuple[str, str]] = []
    bidirected: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    roles: dict[str, list[str]] = {r: [] for r in ROLES}
    name: str | None = None

    tok = take()
    if keyword(tok, "strict"):
        tok = take()
    if keyword(tok, "graph"):
        raise err("undirected DOT graphs are not causal DAGs; use 'digraph'", tok)
    if not keyword(tok, "digraph"):
        raise err(f"DOT text must start with 'digraph', got {tok[1]!r}", tok)
    if is_id(peek()):
        name = take()[1]
    take("{")

    def attr_list() -> dict[str, str]:
        attrs: dict[str, str] = {}
        while at("["):
            take("[")
            while peek() and not at("]"):
                key = take()
                if not is_id(key):
                    raise err(f"expected an attribute name, got {key[1]!r}", key)
                value = "true"
                if at("="):
                    take("=")
                    value = take()[1]
                attrs[key[1]] = value
                if at(",") or at(";"):
                    take()
            take("]")
        return attrs

    def node_id() -> list[str]:
        tok = peek()
        if tok is None:
            raise err("unexpected end of DOT text")
        if at("{") or keyword(tok, "subgraph"):
            return statements(nested=True)
        if not is_id(tok):
            raise err(f"expected a node name, got {tok[1]!r}", tok)
        take()
        if at(":"):  # ports are ignored
            take(":")
            take()
        return [tok[1]]

    def statements(*, nested: bool = False) -> list[str]:
        seen: list[str] = []
        if nested:
            if keyword(peek(), "subgraph"):
                take()
                if is_id(peek()):
                    take()
            take("{")
        while True:
            tok = peek()
            if tok is None:
                raise err("unexpected end of DOT text: a '{' is not closed")
            if at("}"):
                take("}")
                return seen
            if at(";"):
                take()
                continue
            if keyword(tok, "graph", "node", "edge") and at("[", 1):
                take()
                attr_list()
                continue
            if is_id(tok) and at("=", 1):
                take()
                take("=")
                take()
                continue
            group = node_id()
            chain = [group]
            while (tok := peek()) is not None and tok[0] == "arrow":
                arrow = take()
                if arrow[1] == "--":
                    raise err("'--' is an undirected edge; a causal DAG in DOT uses '->'", arrow)
                chain.append(node_id())
            attrs = attr_list()
            for members in chain:
                for n in members:
                    nodes.setdefault(n)
                    seen.append(n)
            if len(chain) == 1:
                for n in chain[0]:
                    if "label" in attrs:  # kept as written, as from_json keeps it
                        labels[n] = attrs["label"]
                    for r in attrs.get("roles", "").split():
                        if r in roles:
                            roles[r].append(n)
            for left, right in zip(chain, chain[1:]):
                for a in left:
                    for b in right:
                        if attrs.get("dir") == "both":
                            bidirected.append((a, b))
                        else:
                            edges.append((a, b))

    statements()
    if peek() is not None:
        raise err(f"unexpected {peek()[1]!r} after the closing '}}'", peek())  # type: ignore[index]
    try:
        return CausalGraph(edges, nodes=list(nodes), bidirected=bidirected, labels=labels, name=name, **roles)  # type: ignore[arg-type]
    except GraphError as e:
        raise GraphError(e.message, filename=filename) from None


# ---------------------------------------------------------------------------------------------- JSON
def _node_link(graph: CausalGraph) -> dict[str, Any]:
    hidden = set(graph.bidirected_latents)
    nodes = []
    for n in graph.nodes:
        if n in hidden:
            continue
        entry: dict[str, Any] = {"id": n}
        roles = [r for r in ROLES if n in getattr(graph, r)]
        if roles:
            entry["roles"] = roles
        if n in graph.labels:
            entry["label"] = graph.labels[n]
        if n in graph.positions:
            entry["pos"] = list(graph.positions[n])
        nodes.append(entry)
    links = []
    for u, v in sorted(graph.edges):
        if u in hidden:
            continue
        link: dict[str, Any] = {"source": u, "target": v}
        if (u, v) in graph.edge_attributes:
            link["attributes"] = {k: str(x) for k, x in graph.edge_attributes[(u, v)].items()}
        links.append(link)
    data: dict[str, Any] = {
        "directed": True,
        "multigraph": False,
        "graph": {"name": graph.name, **{k: str(v) for k, v in graph.attributes.items()}},
        "nodes": nodes,
        "links": links,
        "bidirected": [list(p) for p in sorted(graph.bidirected)],
    }
    return data


@takes_graph(roles=())
def to_json(graph: CausalGraph, *, indent: int | None = 2) -> str:
    """Node-link JSON (networkx's ``node_link_data`` layout plus ``roles`` and ``bidirected``).

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> g = parse("X [exposure] X -> Y; X <-> Y")
    >>> json.loads(to_json(g))["bidirected"], from_json(to_json(g)) == g
    ([['X', 'Y']], True)
    """
    return json.dumps(_node_link(graph), indent=indent, ensure_ascii=False)


def from_json(text: str, *, filename: str | None = None) -> CausalGraph:
    """Read node-link JSON written by :func:`to_json` (or networkx's ``node_link_data`` of a DiGraph).

    Raises
    ------
    DagSyntaxError
        Invalid JSON (with line and column) or a document of the wrong shape.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DagSyntaxError(f"invalid JSON: {err.msg}", filename=filename, line=err.lineno, column=err.colno) from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise DagSyntaxError("node-link JSON must be an object with a 'nodes' list and a 'links' (or 'edges') list", filename=filename)
    if data.get("directed") is False:
        raise DagSyntaxError("the JSON graph is undirected; a causal DAG needs directed edges", filename=filename)
    links: list[Any] = data.get("links") or data.get("edges") or []
    try:
        nodes = [str(n["id"]) for n in data["nodes"]]
        roles: dict[str, list[str]] = {r: [] for r in ROLES}
        labels: dict[str, str] = {}
        positions: dict[str, tuple[float, float]] = {}
        for n in data["nodes"]:
            for r in n.get("roles", ()):
                if r not in roles:
                    raise DagSyntaxError(f"unknown role {r!r} for node {n['id']!r}", filename=filename)
                roles[r].append(str(n["id"]))
            if "label" in n:  # kept as written, also when it repeats the id: to_json writes only labels the graph has
                labels[str(n["id"])] = str(n["label"])
            if (pos := n.get("pos")) is not None:
                x, y = pos
                positions[str(n["id"])] = (float(x), float(y))
        edges = [(str(e["source"]), str(e["target"])) for e in links]
        edge_attrs = {(str(e["source"]), str(e["target"])): dict(e["attributes"]) for e in links if e.get("attributes")}
        bidirected = [(str(a), str(b)) for a, b in data.get("bidirected", [])]
        graph_data = dict(data.get("graph") or {})
    except (KeyError, TypeError, ValueError) as err:
        raise DagSyntaxError(f"malformed node-link JSON: {type(err).__name__}: {err}", filename=filename) from None
    name = graph_data.pop("name", None)
    return CausalGraph(
        edges,
        nodes=nodes,
        bidirected=bidirected,
        labels=labels,
        positions=positions,
        edge_attributes=edge_attrs,
        name=name or None,
        attributes=graph_data,
        **roles,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------------------------- GML
@takes_graph(roles=())
def to_gml(graph: CausalGraph) -> str:
    """GML text (what DoWhy users hold): node ``label`` is the name, roles as attributes.

    Latent nodes carry ``observed "no"`` as DoWhy writes them; bidirected
    edges are written as their explicit latent common cause.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> g = parse("X [exposure] Y [outcome] X -> Y; X <-> Y")
    >>> text = to_gml(g)
    >>> 'observed "no"' in text   # the latent U[X,Y] behind X <-> Y
    True
    >>> from_gml(text) == g
    True
    """
    g = nx.DiGraph()
    for n in graph.nodes:
        attrs: dict[str, Any] = {}
        roles = [r for r in ROLES if n in getattr(graph, r)]
        if roles:
            attrs["roles"] = " ".join(roles)
        if n in graph.latent:
            attrs["observed"] = "no"
        if n in graph.labels:
            attrs["display"] = graph.labels[n]
        if n in graph.positions:
            attrs["x"], attrs["y"] = graph.positions[n]
        if n in graph.bidirected_latents:
            attrs["bidirected"] = json.dumps(list(graph.bidirected_latents[n]), ensure_ascii=False)
        g.add_node(n, **attrs)
    for u, v in sorted(graph.edges):
        g.add_edge(u, v, **{k: str(x) for k, x in graph.edge_attributes.get((u, v), {}).items()})
    if graph.name:
        g.graph["name"] = graph.name
    return "\n".join(nx.generate_gml(g)) + "\n"


def from_gml(text: str, *, filename: str | None = None) -> CausalGraph:
    """Read GML: node names from ``label`` (or ``id``), latent nodes from ``observed "no"`` or roles.

    Raises
    ------
    DagSyntaxError
        Malformed GML, or an undirected graph.
    """
    try:
        g = nx.parse_gml(text, label=None, destringizer=None)
    except (nx.NetworkXError, ValueError, KeyError, TypeError) as err:
        raise DagSyntaxError(f"invalid GML: {err}", filename=filename) from None
    if not g.is_directed():
        raise DagSyntaxError("the GML graph is undirected (add 'directed 1'); a causal DAG needs directed edges", filename=filename)
    names = {n: str(d.get("label", n)) for n, d in g.nodes(data=True)}
    if len(set(names.values())) != len(names):
        raise DagSyntaxError("two GML nodes share a label; node labels must be unique names", filename=filename)
    roles: dict[str, list[str]] = {r: [] for r in ROLES}
    labels: dict[str, str] = {}
    positions: dict[str, tuple[float, float]] = {}
    bidirected_latent: dict[str, tuple[str, str]] = {}
    for n, d in g.nodes(data=True):
        name = names[n]
        for r in str(d.get("roles", "")).split():
            if r in roles:
                roles[r].append(name)
        if str(d.get("observed", "yes")).lower() in ("no", "false", "0") and name not in roles["latent"]:
            roles["latent"].append(name)
        if "display" in d:
            labels[name] = str(d["display"])
        if "x" in d and "y" in d:
            positions[name] = (float(d["x"]), float(d["y"]))
        if "bidirected" in d:
            try:
                a, b = json.loads(str(d["bidirected"]))
            except (ValueError, TypeError):
                raise DagSyntaxError(f"node {name!r}: attribute 'bidirected' must be a JSON pair of names", filename=filename) from None
            bidirected_latent[name] = (str(a), str(b))
    for name in bidirected_latent:
        if name in roles["latent"]:
            roles["latent"].remove(name)
    edges = []
    edge_attrs: dict[tuple[str, str], dict[str, str]] = {}
    for u, v, d in g.edges(data=True):
        if names[u] in bidirected_latent:
            continue
        edges.append((names[u], names[v]))
        if d:
            edge_attrs[(names[u], names[v])] = {k: str(x) for k, x in d.items()}
    return CausalGraph(
        edges,
        nodes=[names[n] for n in g.nodes if names[n] not in bidirected_latent],
        labels=labels,
        positions=positions,
        edge_attributes=edge_attrs,
        name=g.graph.get("name") or None,
        _bidirected_latent=bidirected_latent,
        **roles,  # type: ignore[arg-type]
    )
