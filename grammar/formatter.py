"""Write a :class:`~dagcore.CausalGraph` as ``.dag`` text.

:func:`dumps` gives the canonical form: stable and sorted, so that equal graphs
give identical text and ``parse(dumps(g)) == g``. :func:`to_dagitty` gives text
that dagitty.net accepts.
"""

from __future__ import annotations

import os
import re

from dagcore.files import atomic_write_text
from dagcore.graph import ROLES, CausalGraph, for_graph_class, takes_graph
from dagcore.marked import MarkedGraph

__all__ = ["dumps", "dump", "to_dagitty", "quote_name"]

_BARE_NAME = re.compile(r"(?:[^\W\d][\w.]*|\d[\w.]*)\Z")
_BARE_VALUE = re.compile(r"(?:[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[^\W\d]\w*)\Z")
_KEYWORDS = {"dag", "digraph", "pdag", "mag", "pag", "graph", "node"}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def quote_name(name: str) -> str:
    """A node name as it must be written: bare when it is an identifier, else double-quoted.

    Examples
    --------
    >>> quote_name("age")
    'age'
    >>> quote_name("body mass")
    '"body mass"'
    >>> quote_name('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    if _BARE_NAME.match(name) and name not in _KEYWORDS and "." not in name[:1]:
        return name
    return f'"{_escape(name)}"'


def _value(text: str) -> str:
    return text if _BARE_VALUE.match(text) else f'"{_escape(text)}"'


def _number(x: float) -> str:
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


def _node_lines(graph: CausalGraph | MarkedGraph, nodes: list[str], connected: set[str]) -> list[str]:
    """Graph attributes, then a statement for each node with attributes (roles, label, pos) or without edges."""
    out = [f"{key}={_value(str(graph.attributes[key]))}" for key in sorted(graph.attributes)]
    for node in nodes:
        attrs = [r for r in ROLES if node in getattr(graph, r)]
        if node in graph.labels:
            attrs.append(f'label="{_escape(graph.labels[node])}"')
        if node in graph.positions:
            x, y = graph.positions[node]
            attrs.append(f'pos="{_number(x)},{_number(y)}"')
        if attrs:
            out.append(f"{quote_name(node)} [{','.join(attrs)}]")
        elif node not in connected:
            out.append(quote_name(node))
    return out


def _lines(graph: CausalGraph) -> list[str]:
    hidden = set(graph.bidirected_latents)
    connected = {n for e in graph.edges for n in e}
    out = _node_lines(graph, sorted(n for n in graph.nodes if n not in hidden), connected)
    for u, v in sorted(graph.edges):
        if u in hidden:
            continue
        edge_attrs = graph.edge_attributes.get((u, v), {})
        text = f"{quote_name(u)} -> {quote_name(v)}"
        if edge_attrs:
            text += " [" + ",".join(f"{k}={_value(str(edge_attrs[k]))}" for k in sorted(edge_attrs)) + "]"
        out.append(text)
    for a, b in sorted(graph.bidirected):
        out.append(f"{quote_name(a)} <-> {quote_name(b)}")
    return out


@takes_graph(roles=())
def dumps(graph: CausalGraph) -> str:
    """The canonical ``.dag`` text of a graph.

    Nodes with attributes (and isolated nodes) first, sorted by name, then
    directed edges sorted, then bidirected edges; latent nodes that stand for
    ``<->`` are written back as ``<->``.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> print(dumps(parse("Z -> {X Y}; X -> Y; X [exposure]; Y [outcome]; X <-> Y")))
    dag {
      X [exposure]
      Y [outcome]
      X -> Y
      Z -> X
      Z -> Y
      X <-> Y
    }
    """
    header = f"dag {quote_name(graph.name)} {{" if graph.name else "dag {"
    body = _lines(graph)
    return "\n".join([header, *("  " + line for line in body), "}"]) + "\n"


@takes_graph(roles=())
def to_dagitty(graph: CausalGraph) -> str:
    """Text that dagitty.net and the R package accept: ``dag { ... }``, roles as attributes, ``<->`` kept, no comments.

    The graph name is left out (DAGitty's model code has none).

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> g = parse("dag m { A [exposure] A -> B }")
    >>> print(to_dagitty(g))   # no name "m", no indentation
    dag {
    A [exposure]
    A -> B
    }
    """
    return "\n".join(["dag {", *_lines(graph), "}"]) + "\n"


@takes_graph(roles=())
def dump(graph: CausalGraph, path: str | os.PathLike[str]) -> None:
    """Write the canonical text of ``graph`` to ``path`` atomically (see :mod:`dagcore.files`).

    A new file gets the mode the umask gives; an existing file keeps its mode.

    Raises
    ------
    OutputPathError
        The folder of ``path`` does not exist (nothing is created), or ``path`` is a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from dagcore.grammar import parse, load
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.dag"
    >>> g = parse("A -> B")
    >>> dump(g, p)
    >>> load(p) == g
    True
    """
    atomic_write_text(path, dumps(graph))


def _marked_lines(graph: MarkedGraph) -> list[str]:
    connected = {n for e in graph.edges for n in (e.u, e.v)}
    out = _node_lines(graph, sorted(graph.nodes), connected)
    out += [f"{quote_name(e.u)} {e.token} {quote_name(e.v)}" for e in sorted(graph.edges)]
    return out


@for_graph_class(dumps, MarkedGraph)
def _dumps_marked(graph: MarkedGraph) -> str:
    header = f"{graph.kind} {quote_name(graph.name)} {{" if graph.name else f"{graph.kind} {{"
    return "\n".join([header, *("  " + line for line in _marked_lines(graph)), "}"]) + "\n"


@for_graph_class(to_dagitty, MarkedGraph)
def _to_dagitty_marked(graph: MarkedGraph) -> str:
    return "\n".join([f"{graph.kind} {{", *_marked_lines(graph), "}"]) + "\n"


@for_graph_class(dump, MarkedGraph)
def _dump_marked(graph: MarkedGraph, path: str | os.PathLike[str]) -> None:
    atomic_write_text(path, _dumps_marked(graph))
