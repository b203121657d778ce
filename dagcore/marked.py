"""Graphs with edge marks: PDAGs/CPDAGs, MAGs, PAGs, undirected graphs and general mixed graphs.

A :class:`~dagcore.CausalGraph` is a DAG. Causal discovery returns a class of
DAGs (a CPDAG or, with latent variables, a PAG), and latent-variable models are
MAGs. Each of these is an immutable graph whose edges carry a *mark* at each
end: a tail (``-``), an arrowhead (``>``) or a circle (``o``, "either"),
written as in DAGitty:

========  ==========  ============================================
DAGitty   marks       meaning
========  ==========  ============================================
``->``    tail/arrow  a causes b
``<->``   arrow/arrow a latent common cause (MAG), no ancestry either way
``--``    tail/tail   undirected (PDAG: orientation unknown; MAG: selection)
``@-@``   circle      PAG: o-o
``@->``   circle/arr  PAG: o->
``@--``   circle/tail PAG: o-
========  ==========  ============================================

Classes and what they accept (validated at construction, with the reason):

- :class:`PDAG` (``pdag { }``): ``->`` and ``--``; it stands for its
  *consistent extensions*, the DAGs with the same skeleton, the same
  v-structures and every written direction. It must have one
  (:func:`~dagcore.equivalence.orient`), else the error names why.
- :class:`MAG` (``mag { }``): ``->``, ``<->`` and ``--``; ancestral (no
  directed or almost directed cycle, no arrowhead into an endpoint of ``--``)
  and maximal (every non-adjacent pair can be m-separated).
- :class:`PAG` (``pag { }``): every mark.
- :class:`UndirectedGraph` (``graph { }``): ``--`` only.
- :class:`MixedGraph` (``digraph { }`` with ``--``): any of ``->``, ``<->``,
  ``--``, several between one pair, as DAGitty's generic ``digraph``; it has
  no causal reading, so identification refuses it.

Examples
--------
>>> g = PDAG([("x", "->", "a"), ("a", "--", "b"), ("b", "->", "y")], exposure="x", outcome="y")
>>> g
<PDAG: 4 nodes; 3 edges; exposure=x; outcome=y>
>>> sorted(g.undirected)
[('a', 'b')]
>>> MAG([("a", "->", "b"), ("b", "->", "c"), ("a", "<->", "c")])
Traceback (most recent call last):
...
dagcore.errors.GraphError: not ancestral: a <-> c, but a is an ancestor of c (a -> b -> c); a MAG has no almost directed cycle
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import combinations
from types import MappingProxyType
from typing import Any, NamedTuple

import networkx as nx

from dagcore._traverse import active_reach, find_cycle, reach
from dagcore.errors import GraphError, NodeNotFoundError

__all__ = [
    "TAIL",
    "ARROW",
    "CIRCLE",
    "MarkedEdge",
    "MarkedGraph",
    "PDAG",
    "MAG",
    "PAG",
    "UndirectedGraph",
    "MixedGraph",
    "GRAPH_CLASSES",
    "possible_descendants",
    "possible_adjacency",
    "possibly_out",
    "extension_edges",
    "canonical_dag",
    "inducing_pair",
]

TAIL, ARROW, CIRCLE = "-", ">", "o"

#: DAGitty's edge tokens: (mark at the left node, mark at the right node).
TOKEN_MARKS: dict[str, tuple[str, str]] = {
    "->": (TAIL, ARROW),
    "<-": (ARROW, TAIL),
    "<->": (ARROW, ARROW),
    "--": (TAIL, TAIL),
    "@-@": (CIRCLE, CIRCLE),
    "@->": (CIRCLE, ARROW),
    "<-@": (ARROW, CIRCLE),
    "@--": (CIRCLE, TAIL),
    "--@": (TAIL, CIRCLE),
}
_MARKS_TOKEN = {marks: tok for tok, marks in TOKEN_MARKS.items() if tok not in ("<-", "<-@", "--@")}
_ROLES = ("exposure", "outcome", "latent", "adjusted", "selected")
#: Cached facts that depend on the edges only (kept by ``with_roles``); the others also carry roles.
_STRUCTURAL = frozenset({"extension", "possibly_out", "possibly_in", "incidence", "directed", "skeleton"})


class MarkedEdge(NamedTuple):
    """An edge ``u *-* v`` with the mark at each end, stored in its canonical direction.

    Examples
    --------
    >>> MarkedEdge.of("b", "<-", "a")
    MarkedEdge(u='a', v='b', at_u='-', at_v='>')
    >>> MarkedEdge.of("b", "<-", "a").token
    '->'
    """

    u: str
    v: str
    at_u: str
    at_v: str

    @classmethod
    def of(cls, a: str, token: str, b: str) -> MarkedEdge:
        if token not in TOKEN_MARKS:
            raise GraphError(f"unknown edge mark {token!r}; edges are {', '.join(TOKEN_MARKS)}")
        ma, mb = TOKEN_MARKS[token]
        if (ma, mb) not in _MARKS_TOKEN:  # written right to left: store it left to right
            a, b, ma, mb = b, a, mb, ma
        if ma == mb and b < a:  # symmetric marks: a canonical order
            a, b = b, a
        return cls(str(a), str(b), ma, mb)

    @property
    def token(self) -> str:
        return _MARKS_TOKEN[(self.at_u, self.at_v)]

    def mark_at(self, node: str) -> str:
        return self.at_u if node == self.u else self.at_v

    def other(self, node: str) -> str:
        return self.v if node == self.u else self.u

    def __str__(self) -> str:
        return f"{self.u} {self.token} {self.v}"


def _names(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset([value])
    return frozenset(str(v) for v in value)


class MarkedGraph:
    """An immutable graph with marked edges; the base of every graph class other than DAGs.

    Parameters
    ----------
    edges : iterable of (str, token, str) or MarkedEdge
        ``("a", "->", "b")``, ``("a", "--", "b")``, ``("a", "@->", "b")``, ...
    nodes, exposure, outcome, latent, adjusted, selected, labels, positions, name, attributes
        As for :class:`~dagcore.CausalGraph`.
    """

    KIND = "digraph"
    TOKENS: frozenset[str] = frozenset(_MARKS_TOKEN.values())
    MULTI = False  # several edges between one pair

    _nodes: tuple[str, ...]
    _edges: tuple[MarkedEdge, ...]
    _pairs: Mapping[frozenset[str], tuple[MarkedEdge, ...]]
    _roles: Mapping[str, frozenset[str]]
    _labels: Mapping[str, str]
    _positions: Mapping[str, tuple[float, float]]
    _name: str | None
    _attributes: Mapping[str, Any]
    _hash: int | None
    _cache: dict[str, Any]

    __slots__ = ("_nodes", "_edges", "_pairs", "_roles", "_labels", "_positions", "_name", "_attributes", "_hash", "_cache")

    def __init__(
        self,
        edges: Iterable[Any] = (),
        *,
        nodes: Iterable[str] = (),
        exposure: str | Iterable[str] | None = None,
        outcome: str | Iterable[str] | None = None,
        latent: str | Iterable[str] | None = None,
        adjusted: str | Iterable[str] | None = None,
        selected: str | Iterable[str] | None = None,
        labels: Mapping[str, str] | None = None,
        positions: Mapping[str, tuple[float, float]] | None = None,
        name: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        _known: Mapping[str, Any] | None = None,
    ) -> None:
        order: dict[str, None] = dict.fromkeys(str(n) for n in nodes)
        edge_list: list[MarkedEdge] = []
        pairs: dict[frozenset[str], list[MarkedEdge]] = {}
        for item in edges:
            e = item if isinstance(item, MarkedEdge) else MarkedEdge.of(*item)
            if e.u == e.v:
                raise GraphError(f"self loop {e}: a variable cannot be its own neighbour")
            if e.token not in self.TOKENS:
                allowed = ", ".join(sorted(self.TOKENS))
                raise GraphError(f"edge {e} is not allowed in a {self.KIND} (its edges are {allowed})")
            order.setdefault(e.u)
            order.setdefault(e.v)
            same = pairs.setdefault(frozenset((e.u, e.v)), [])
            if e in same:
                continue
            if same and not self.MULTI:
                raise GraphError(f"{same[0]} and {e}: a {self.KIND} has at most one edge between two nodes")
            same.append(e)
            edge_list.append(e)
        roles = {r: _names(v) for r, v in zip(_ROLES, (exposure, outcome, latent, adjusted, selected))}
        for role, members in roles.items():
            for n in members:
                if n not in order:
                    raise NodeNotFoundError(n, list(order), what=f"{role} node")
        both = roles["exposure"] & roles["outcome"]
        if both:
            raise GraphError(f"node {sorted(both)[0]!r} is both exposure and outcome; a node can have only one of these roles")
        for n in (*(labels or {}), *(positions or {})):
            if str(n) not in order:
                raise NodeNotFoundError(str(n), list(order))
        set_ = object.__setattr__
        set_(self, "_nodes", tuple(order))
        set_(self, "_edges", tuple(edge_list))
        set_(self, "_pairs", MappingProxyType({k: tuple(v) for k, v in pairs.items()}))
        set_(self, "_roles", MappingProxyType(roles))
        set_(self, "_labels", MappingProxyType({str(k): str(v) for k, v in (labels or {}).items()}))
        set_(self, "_positions", MappingProxyType({str(k): (float(x), float(y)) for k, (x, y) in (positions or {}).items()}))
        set_(self, "_name", name)
        set_(self, "_attributes", MappingProxyType(dict(attributes or {})))
        set_(self, "_hash", None)
        set_(self, "_cache", dict(_known or {}))  # _known: facts a derivation already proved (an extension)
        self._validate()

    def _validate(self) -> None:
        """Raise :class:`GraphError` naming the broken rule of the class (subclasses)."""

    # ------------------------------------------------------------------ immutability and values
    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable (tried to set {key!r})")

    def _key(self) -> tuple[Any, ...]:
        return (
            type(self),
            frozenset(self._nodes),
            frozenset(self._edges),
            tuple(sorted((r, tuple(sorted(m))) for r, m in self._roles.items())),
            tuple(sorted(self._labels.items())),
            tuple(sorted(self._positions.items())),
            self._name,
            tuple(sorted(self._attributes.items())),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MarkedGraph) and self._key() == other._key()

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(self._key()))
        return self._hash  # type: ignore[return-value]

    def __repr__(self) -> str:
        parts = [f"{len(self._nodes)} nodes", f"{len(self._edges)} edges"]
        for role in ("exposure", "outcome"):
            if self._roles[role]:
                parts.append(f"{role}={','.join(sorted(self._roles[role]))}")
        return f"<{type(self).__name__}: {'; '.join(parts)}>"

    # ------------------------------------------------------------------ views
    @property
    def kind(self) -> str:
        """The DAGitty header word: ``pdag``, ``mag``, ``pag``, ``graph`` or ``digraph``."""
        return self.KIND

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def attributes(self) -> Mapping[str, Any]:
        return self._attributes

    @property
    def nodes(self) -> tuple[str, ...]:
        return self._nodes

    @property
    def observed(self) -> tuple[str, ...]:
        """Nodes not marked latent."""
        return tuple(n for n in self._nodes if n not in self._roles["latent"])

    @property
    def edges(self) -> tuple[MarkedEdge, ...]:
        """Every edge, in the order written."""
        return self._edges

    @property
    def labels(self) -> Mapping[str, str]:
        return self._labels

    @property
    def positions(self) -> Mapping[str, tuple[float, float]]:
        return self._positions

    @property
    def roles(self) -> Mapping[str, frozenset[str]]:
        return self._roles

    exposure = property(lambda self: self._roles["exposure"], doc="Exposure nodes.")
    outcome = property(lambda self: self._roles["outcome"], doc="Outcome nodes.")
    latent = property(lambda self: self._roles["latent"], doc="Latent nodes.")
    adjusted = property(lambda self: self._roles["adjusted"], doc="Nodes marked adjusted.")
    selected = property(lambda self: self._roles["selected"], doc="Selection nodes.")

    def _of(self, token: str) -> frozenset[tuple[str, str]]:
        return frozenset((e.u, e.v) for e in self._edges if e.token == token)

    directed = property(lambda self: self._of("->"), doc="``(a, b)`` for every ``a -> b``.")
    undirected = property(lambda self: self._of("--"), doc="``(a, b)`` for every ``a -- b``, ``a < b``.")
    bidirected = property(lambda self: self._of("<->"), doc="``(a, b)`` for every ``a <-> b``, ``a < b``.")

    def edges_between(self, a: str, b: str) -> tuple[MarkedEdge, ...]:
        """The edges joining ``a`` and ``b`` (none, one, or several in a :class:`MixedGraph`)."""
        return self._pairs.get(frozenset((a, b)), ())

    def adjacent(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self._pairs

    def incident(self, node: str) -> Iterator[MarkedEdge]:
        """Edges at ``node``."""
        return iter(self._incidence().get(node, ()))

    def neighbours(self, node: str) -> frozenset[str]:
        return frozenset(e.other(node) for e in self.incident(node))

    def _incidence(self) -> dict[str, list[MarkedEdge]]:
        inc: dict[str, list[MarkedEdge]] | None = self._cache.get("incidence")
        if inc is None:
            inc = {n: [] for n in self._nodes}
            for e in self._edges:
                inc[e.u].append(e)
                inc[e.v].append(e)
            self._cache["incidence"] = inc
        return inc

    def mark(self, at: str, other: str) -> str | None:
        """The mark at ``at`` on the (single) edge between ``at`` and ``other``, or None if not adjacent."""
        found = self.edges_between(at, other)
        return found[0].mark_at(at) if found else None

    def directed_graph(self) -> nx.DiGraph:
        """The directed edges as a networkx ``DiGraph`` over every node (cached, read-only)."""
        g: nx.DiGraph | None = self._cache.get("directed")
        if g is None:
            g = nx.DiGraph()
            g.add_nodes_from(self._nodes)
            g.add_edges_from((e.u, e.v) for e in self._edges if e.token == "->")
            nx.freeze(g)
            self._cache["directed"] = g
        return g

    def skeleton(self) -> nx.Graph:
        """The undirected skeleton (cached, read-only)."""
        g: nx.Graph | None = self._cache.get("skeleton")
        if g is None:
            g = nx.Graph()
            g.add_nodes_from(self._nodes)
            g.add_edges_from((e.u, e.v) for e in self._edges)
            nx.freeze(g)
            self._cache["skeleton"] = g
        return g

    # ------------------------------------------------------------------ copies
    def with_roles(self, **roles: str | Iterable[str] | None) -> MarkedGraph:
        """A copy with the given roles replaced (``exposure=``, ``outcome=``, ...)."""
        unknown = set(roles) - set(_ROLES)
        if unknown:
            raise GraphError(f"unknown role {sorted(unknown)[0]!r}; roles are {', '.join(_ROLES)}")
        merged = {r: (roles[r] if r in roles and roles[r] is not None else self._roles[r]) for r in _ROLES}
        same_edges = {k: v for k, v in self._cache.items() if k in _STRUCTURAL}  # roles change no edge: keep what is known
        return self._copy(edges=self._edges, _known=same_edges, **merged)

    def _copy(self, **changes: Any) -> Any:
        """A new graph of this class with ``changes`` (constructor keywords, or ``cls=``) applied, validated."""
        kw: dict[str, Any] = {
            "edges": self._edges,
            "nodes": self._nodes,
            **{r: self._roles[r] for r in _ROLES},
            "labels": self._labels,
            "positions": self._positions,
            "name": self._name,
            "attributes": self._attributes,
        }
        kw.update(changes)
        cls = changes.pop("cls", None) or type(self)
        kw.pop("cls", None)
        return cls(kw.pop("edges"), **kw)


def _directed_path(g: nx.DiGraph, a: str, b: str) -> list[str] | None:
    try:
        return list(nx.shortest_path(g, a, b))
    except nx.NetworkXNoPath:
        return None


class PDAG(MarkedGraph):
    """A partially directed acyclic graph: ``->`` and ``--`` edges, standing for its consistent DAG extensions.

    A CPDAG (the essential graph of a Markov equivalence class) is the usual case;
    a PDAG with more directions known (background knowledge) is accepted too.
    Construction checks that the directed part is acyclic and that at least one
    DAG extends the PDAG without a new v-structure (Dor & Tarsi 1992).

    Examples
    --------
    >>> PDAG([("a", "->", "b"), ("b", "--", "c")]).undirected
    frozenset({('b', 'c')})
    >>> PDAG([("a", "->", "b"), ("b", "->", "c"), ("c", "->", "a")])
    Traceback (most recent call last):
    ...
    dagcore.errors.CycleError: the graph has a directed cycle a -> b -> c -> a; ...
    """

    KIND = "pdag"
    TOKENS = frozenset({"->", "--"})

    def _validate(self) -> None:
        from dagcore.errors import CycleError

        if "extension" in self._cache:  # derived from a valid PDAG (Meek's rules): its extension is known
            return
        cycle = find_cycle(self.directed_graph())
        if cycle is not None:
            raise CycleError(cycle)
        extension_edges(self)  # raises GraphError naming why no DAG extends it


class MAG(MarkedGraph):
    """A maximal ancestral graph: ``->``, ``<->`` (latent confounding) and ``--`` (selection).

    Examples
    --------
    >>> MAG([("z", "->", "x"), ("x", "->", "y"), ("x", "<->", "w")]).bidirected
    frozenset({('w', 'x')})
    """

    KIND = "mag"
    TOKENS = frozenset({"->", "<->", "--"})

    def _validate(self) -> None:
        from dagcore.errors import CycleError

        d = self.directed_graph()
        cycle = find_cycle(d)
        if cycle is not None:
            raise CycleError(cycle)
        for a, b in sorted(self.bidirected):
            for s, t in ((a, b), (b, a)):
                path = _directed_path(d, s, t)
                if path is not None:
                    raise GraphError(
                        f"not ancestral: {a} <-> {b}, but {s} is an ancestor of {t} ({' -> '.join(path)}); "
                        "a MAG has no almost directed cycle"
                    )
        for a, b in sorted(self.undirected):
            for n in (a, b):
                into = [e for e in self.incident(n) if e.mark_at(n) == ARROW]
                if into:
                    raise GraphError(
                        f"not ancestral: {a} -- {b}, but {n} has an arrowhead ({into[0]}); "
                        "an endpoint of an undirected edge has no parents or spouses in a MAG"
                    )
        pair = inducing_pair(self)
        if pair is not None:
            raise GraphError(
                f"not maximal: {pair[0]} and {pair[1]} are not adjacent but no set m-separates them "
                "(an inducing path joins them); add the edge the latent projection would draw"
            )


class PAG(MarkedGraph):
    """A partial ancestral graph: every mark, circles meaning "tail or arrowhead".

    Examples
    --------
    >>> PAG([("a", "@->", "b"), ("c", "@->", "b")]).edges[0].token
    '@->'
    """

    KIND = "pag"


class UndirectedGraph(MarkedGraph):
    """An undirected graph (DAGitty's ``graph { }``): ``--`` edges only.

    Examples
    --------
    >>> sorted(UndirectedGraph([("x", "--", "y"), ("y", "--", "z")]).undirected)
    [('x', 'y'), ('y', 'z')]
    """

    KIND = "graph"
    TOKENS = frozenset({"--"})


class MixedGraph(MarkedGraph):
    """DAGitty's generic ``digraph`` when it has undirected edges: ``->``, ``<->``, ``--``, several per pair.

    It has no causal reading (a ``--`` here is neither "unknown orientation" nor
    selection), so only structural questions are answered; write ``pdag { }`` or
    ``mag { }`` for those meanings.

    Examples
    --------
    >>> len(MixedGraph([("x", "--", "y"), ("x", "->", "y")]).edges)
    2
    """

    KIND = "digraph"
    TOKENS = frozenset({"->", "<->", "--"})
    MULTI = True


#: Header word -> class, for the parser.
GRAPH_CLASSES: dict[str, type[MarkedGraph]] = {"pdag": PDAG, "mag": MAG, "pag": PAG, "graph": UndirectedGraph, "digraph": MixedGraph}


def possible_descendants(g: MarkedGraph, sources: Iterable[str]) -> frozenset[str]:
    """Possible descendants of ``sources`` (inclusive): reachable along possibly directed edges.

    A step ``a *-* b`` is possibly directed from a to b when the mark at a is not
    an arrowhead and the mark at b is not a tail: ``a -> b``, ``a o-> b``,
    ``a o-o b``, and ``a -- b`` in a PDAG (orientation unknown), not in a MAG or
    PAG (where ``--`` is selection).

    Examples
    --------
    >>> sorted(possible_descendants(PDAG([("a", "->", "b"), ("b", "--", "c"), ("d", "->", "a")]), ["a"]))
    ['a', 'b', 'c']
    """
    return frozenset(reach(possible_adjacency(g), list(sources)))


def possibly_out(g: MarkedGraph, e: MarkedEdge, a: str) -> bool:
    """Whether edge ``e`` is possibly directed away from its end ``a``: no arrowhead at ``a``, no tail at the other end.

    ``--`` counts both ways in a PDAG or undirected graph (orientation unknown), never in a MAG or PAG (selection).

    Examples
    --------
    >>> e = MarkedEdge.of("a", "@->", "b")
    >>> possibly_out(PAG([e]), e, "a"), possibly_out(PAG([e]), e, "b")
    (True, False)
    """
    if e.mark_at(a) == ARROW:
        return False
    if e.mark_at(e.other(a)) == TAIL:
        return isinstance(g, (PDAG, UndirectedGraph)) and e.token == "--"
    return True


def possible_adjacency(g: MarkedGraph, *, reverse: bool = False) -> dict[str, list[str]]:
    """For each node, the nodes one possibly directed step away (``reverse``: the nodes one step towards it).

    Built once per graph and shared by every query: read it, do not modify it.

    Examples
    --------
    >>> possible_adjacency(PDAG([("a", "->", "b"), ("b", "--", "c")]))
    {'a': ['b'], 'b': ['c'], 'c': ['b']}
    """
    key = "possibly_in" if reverse else "possibly_out"
    cached: dict[str, list[str]] | None = g._cache.get(key)  # immutable graph: built once, read by every query
    if cached is not None:
        return cached
    adjacency: dict[str, list[str]] = {n: [] for n in g.nodes}
    for e in g.edges:
        for a, b in ((e.u, e.v), (e.v, e.u)):
            if possibly_out(g, e, a):
                (adjacency[b] if reverse else adjacency[a]).append(a if reverse else b)
    g._cache[key] = adjacency
    return adjacency


def extension_edges(g: PDAG) -> list[tuple[str, str]]:
    """The directed edges of one DAG extending a PDAG without a new v-structure (Dor & Tarsi 1992).

    Repeatedly removes a sink whose undirected neighbours are adjacent to all its
    other neighbours, directing its undirected edges into it.

    Raises
    ------
    GraphError
        No such DAG exists (every remaining node would create a cycle or a new v-structure).

    Examples
    --------
    >>> sorted(extension_edges(PDAG([("a", "->", "b"), ("b", "--", "c")])))
    [('a', 'b'), ('b', 'c')]
    """
    known: tuple[tuple[str, str], ...] | None = g._cache.get("extension")  # immutable graph: computed once
    if known is not None:
        return list(known)
    ch: dict[str, set[str]] = {n: set() for n in g.nodes}
    pa: dict[str, set[str]] = {n: set() for n in g.nodes}
    un: dict[str, set[str]] = {n: set() for n in g.nodes}
    directed: list[tuple[str, str]] = []
    for e in g.edges:
        if e.token == "->":
            ch[e.u].add(e.v)
            pa[e.v].add(e.u)
            directed.append((e.u, e.v))
        else:
            un[e.u].add(e.v)
            un[e.v].add(e.u)
    alive = set(g.nodes)
    # A worklist instead of rescanning every node after each removal (linear passes, not quadratic: the
    # 10,000-node CPDAG of benchmarks/bench_classes.py took 32 s to parse with the rescan): a node's
    # eligibility changes only when a neighbour is removed, so only neighbours of a removed node are re-checked.
    pending = [n for n in g.nodes if not ch[n]]
    queued = set(pending)
    while pending:
        x = pending.pop()
        queued.discard(x)
        if x not in alive or ch[x]:
            continue
        others = pa[x] | un[x]
        if not all(g.adjacent(y, z) for y in un[x] for z in others if z != y):
            continue  # re-queued when a neighbour goes
        for y in un[x]:
            directed.append((y, x))
            un[y].discard(x)
        for y in pa[x]:
            ch[y].discard(x)
        alive.discard(x)
        for y in (*pa[x], *un[x]):
            if y in alive and y not in queued:
                pending.append(y)
                queued.add(y)
        pa[x] = set()
        un[x] = set()
    if alive:
        stuck = sorted(alive)[:6]
        raise GraphError(
            "the PDAG stands for no DAG: every way of directing its undirected edges among "
            f"{', '.join(stuck)}{' ...' if len(alive) > 6 else ''} makes a directed cycle or a v-structure it does not show"
        )
    g._cache["extension"] = tuple(directed)
    return directed


def canonical_dag(g: MarkedGraph) -> tuple[nx.DiGraph, frozenset[Any]]:
    """The canonical DAG of a MAG (Richardson & Spirtes 2002): a latent node per ``<->``, a selection node per ``--``.

    Returns the DAG and its selection nodes, which are always conditioned on; m-separation in the
    MAG is d-separation there.
    """
    d = nx.DiGraph()
    d.add_nodes_from(g.nodes)
    selection: set[Any] = set()
    for e in g.edges:
        if e.token == "->":
            d.add_edge(e.u, e.v)
        elif e.token == "<->":
            d.add_edges_from([((e.u, e.v, "L"), e.u), ((e.u, e.v, "L"), e.v)])
        elif e.token == "--":
            s = (e.u, e.v, "S")
            d.add_edges_from([(e.u, s), (e.v, s)])
            selection.add(s)
    return d, frozenset(selection)


def inducing_pair(g: MarkedGraph) -> tuple[str, str] | None:
    """Two non-adjacent nodes of an ancestral graph that no set m-separates, or None if it is maximal.

    In an ancestral graph, non-adjacent a and b are m-separable iff the ancestors of
    {a, b} and the selection (without a and b) m-separate them (Richardson & Spirtes
    2002, Sec. 3.7 and 4.3).

    Examples
    --------
    >>> inducing_pair(MAG([("a", "<->", "b")])) is None
    True
    """
    canon, selection = canonical_dag(g)
    pred = {n: list(canon.predecessors(n)) for n in canon}
    skeleton = g.skeleton()
    for a, b in combinations(g.nodes, 2):
        if skeleton.has_edge(a, b):
            continue
        anc = {n for n in reach(pred, [a, b, *selection]) if isinstance(n, str)} - {a, b}
        if b in active_reach(canon, {a}, anc | selection):
            return (a, b)
    return None
