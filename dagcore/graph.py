"""The causal graph model: an immutable DAG with node roles.

A :class:`CausalGraph` is a directed acyclic graph over named nodes, some of
which may be latent (unobserved). DAGitty's bidirected edge ``A <-> B`` is
shorthand for ``A <- U -> B`` with ``U`` latent: the model holds that latent
node explicitly, remembers it came from a bidirected edge, and writes it back
as ``A <-> B``. Plain networkx algorithms therefore work on
:meth:`CausalGraph.to_networkx`, while algorithms that need the acyclic
directed mixed graph (ADMG) over the observed nodes use
:meth:`CausalGraph.latent_projection`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar, cast, overload

import networkx as nx

from dagcore._traverse import find_cycle, node_set, predecessors, reach, successors, without_edges
from dagcore.errors import (
    CycleError,
    GraphClassError,
    GraphError,
    NodeNameError,
    NodeNotFoundError,
    UnknownArgumentError,
)
from dagcore.marked import MarkedGraph
from dagcore.vocabulary import FOREIGN_NAMES, check_keywords

__all__ = ["CausalGraph", "ADMG", "ROLES", "Nodes", "FOREIGN_NAMES", "as_causal_graph", "as_names", "check_keywords", "exposure_and_outcome", "takes_graph", "for_graph_class"]

#: The node roles a graph can hold, in display order.
ROLES: tuple[str, ...] = ("exposure", "outcome", "latent", "adjusted", "selected")

Edge = tuple[str, str]
#: A node argument: one name or an iterable of names (a single string is one node, never its characters; see :func:`as_names`).
Nodes: TypeAlias = "str | Iterable[str]"
_DiGraph: TypeAlias = nx.DiGraph  # for annotations inside CausalGraph, where ``nx`` is the property


_NAME_HINT = " (a networkx graph's node names become strings: pass '1' for node 1)"


def as_names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Normalise one node name or an iterable of names to a tuple of names.

    A single string is one name, never a set of characters.

    Examples
    --------
    >>> as_names("smoking")
    ('smoking',)
    >>> as_names(["a", "b", "a"])
    ('a', 'b')
    >>> as_names(None)
    ()
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise NodeNameError(f"node names must be strings, got {value!r} of type {type(value).__name__}{_NAME_HINT}")
    out: dict[str, None] = {}
    for item in value:
        if not isinstance(item, str):
            raise NodeNameError(f"node names must be strings, got {item!r} of type {type(item).__name__}{_NAME_HINT}")
        out[item] = None
    return tuple(out)


def _bidirected_latent_name(a: str, b: str, taken: set[str]) -> str:
    """Name of the latent node standing for ``a <-> b`` that collides with no node."""
    first, second = sorted((a, b))
    name = f"U[{first},{second}]"
    while name in taken:
        name += "'"
    return name


class _Role:
    """A read-only attribute of :class:`CausalGraph`: the nodes that hold one role (one descriptor for all five roles)."""

    def __init__(self, role: str, doc: str) -> None:
        self.role = role
        self.__doc__ = doc

    @overload
    def __get__(self, graph: None, owner: type | None = None) -> _Role: ...
    @overload
    def __get__(self, graph: CausalGraph, owner: type | None = None) -> frozenset[str]: ...
    def __get__(self, graph: CausalGraph | None, owner: type | None = None) -> frozenset[str] | _Role:
        return self if graph is None else graph._roles[self.role]

    def __set__(self, graph: CausalGraph, value: object) -> None:
        raise AttributeError(f"CausalGraph is immutable; use with_roles() to change {self.role!r}")


class CausalGraph:
    """An immutable causal DAG with node roles, labels and positions.

    Parameters
    ----------
    edges : iterable of (str, str)
        Directed edges ``(cause, effect)``.
    nodes : iterable of str, optional
        Nodes, including isolated ones. Nodes named in ``edges`` are added;
        roles, labels and positions must name nodes that exist.
    bidirected : iterable of (str, str), optional
        ``A <-> B`` pairs: each becomes an explicit latent common cause.
    exposure, outcome, latent, adjusted, selected : str or iterable of str
        Node roles. A single string is one node.
    labels : mapping, optional
        Display labels by node.
    positions : mapping, optional
        ``(x, y)`` coordinates by node (DAGitty's ``pos``).
    edge_attributes : mapping, optional
        Attributes by directed edge, e.g. ``{("X", "Y"): {"beta": "0.4"}}``.
    name : str, optional
        The graph's name (``dag NAME { ... }``).
    attributes : mapping, optional
        Graph attributes such as DAGitty's ``bb``.

    Raises
    ------
    CycleError
        The edges contain a directed cycle.
    GraphError
        A self loop, a node that is both exposure and outcome, or a latent
        exposure or outcome.
    NodeNotFoundError
        A role, label or position names a node that is not in the graph.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("Z", "Y"), ("X", "Y")], exposure="X", outcome="Y")
    >>> sorted(g.parents("Y"))
    ['X', 'Z']
    >>> sorted(g.observed)
    ['X', 'Y', 'Z']
    >>> h = CausalGraph([("X", "Y")], bidirected=[("X", "Y")])
    >>> h.bidirected
    frozenset({('X', 'Y')})
    >>> sorted(h.latent)
    ['U[X,Y]']
    """

    _nodes: tuple[str, ...]
    _edges: frozenset[Edge]
    _roles: dict[str, frozenset[str]]
    _bidirected_latent: Mapping[str, Edge]
    _labels: Mapping[str, str]
    _positions: Mapping[str, tuple[float, float]]
    _edge_attributes: Mapping[Edge, Mapping[str, Any]]
    _name: str | None
    _attributes: Mapping[str, Any]
    _nx: nx.DiGraph
    _hash: int | None
    _observed: tuple[tuple[str, ...], frozenset[str]] | None

    __slots__ = (
        "_nodes",
        "_edges",
        "_roles",
        "_bidirected_latent",
        "_labels",
        "_positions",
        "_edge_attributes",
        "_name",
        "_attributes",
        "_nx",
        "_hash",
        "_observed",
    )

    def __init__(
        self,
        edges: Iterable[Edge] = (),
        *,
        nodes: Iterable[str] = (),
        bidirected: Iterable[Edge] = (),
        exposure: str | Iterable[str] | None = None,
        outcome: str | Iterable[str] | None = None,
        latent: str | Iterable[str] | None = None,
        adjusted: str | Iterable[str] | None = None,
        selected: str | Iterable[str] | None = None,
        labels: Mapping[str, str] | None = None,
        positions: Mapping[str, tuple[float, float]] | None = None,
        edge_attributes: Mapping[Edge, Mapping[str, Any]] | None = None,
        name: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        _bidirected_latent: Mapping[str, Edge] | None = None,
    ) -> None:
        node_order: dict[str, None] = dict.fromkeys(as_names(list(nodes)))
        edge_list: list[Edge] = []
        for edge in edges:
            u, v = _check_edge(edge)
            node_order.setdefault(u)
            node_order.setdefault(v)
            edge_list.append((u, v))

        bidirected_latent: dict[str, Edge] = dict(_bidirected_latent or {})
        for latent_node in bidirected_latent:
            node_order.setdefault(latent_node)
        taken = set(node_order)
        known_pairs = {frozenset(p) for p in bidirected_latent.values()}
        for edge in bidirected:
            a, b = _check_edge(edge, kind="bidirected edge")
            node_order.setdefault(a)
            node_order.setdefault(b)
            taken.update((a, b))
            if frozenset((a, b)) in known_pairs:
                continue
            known_pairs.add(frozenset((a, b)))
            u = _bidirected_latent_name(a, b, taken)
            taken.add(u)
            node_order[u] = None
            bidirected_latent[u] = tuple(sorted((a, b)))  # type: ignore[assignment]
        for u, (a, b) in bidirected_latent.items():
            edge_list.extend([(u, a), (u, b)])

        roles = {
            "exposure": frozenset(as_names(exposure)),
            "outcome": frozenset(as_names(outcome)),
            "latent": frozenset(as_names(latent)) | frozenset(bidirected_latent),
            "adjusted": frozenset(as_names(adjusted)),
            "selected": frozenset(as_names(selected)),
        }
        known = list(node_order)
        for role, members in roles.items():
            for n in members:
                if n not in node_order:
                    raise NodeNotFoundError(n, known, what=f"{role} node")

        for u, v in edge_list:
            if u == v:
                raise GraphError(f"self loop {u} -> {u}: a variable cannot cause itself")
        graph = nx.DiGraph()
        graph.add_nodes_from(node_order)
        graph.add_edges_from(edge_list)
        cycle = find_cycle(graph)
        if cycle is not None:
            raise CycleError(cycle)
        both = roles["exposure"] & roles["outcome"]
        if both:
            raise GraphError(f"node {sorted(both)[0]!r} is both exposure and outcome; a node can have only one of these roles")
        for role in ("exposure", "outcome"):
            bad = roles[role] & roles["latent"]
            if bad:
                article = "an" if role[0] in "aeiou" else "a"
                raise GraphError(f"{role} {sorted(bad)[0]!r} is latent; {article} {role} must be observed")

        label_map = {str(k): str(v) for k, v in (labels or {}).items()}
        pos_map = {str(k): (float(x), float(y)) for k, (x, y) in (positions or {}).items()}
        for n in (*label_map, *pos_map):
            if n not in node_order:
                raise NodeNotFoundError(n, known)
        attr_map: dict[Edge, Mapping[str, Any]] = {}
        for e, attrs in (edge_attributes or {}).items():
            e = (str(e[0]), str(e[1]))
            if not graph.has_edge(*e):
                raise GraphError(f"edge attributes given for {e[0]} -> {e[1]}, which is not an edge of the graph")
            if attrs:
                attr_map[e] = MappingProxyType(dict(attrs))

        object.__setattr__(self, "_nodes", tuple(node_order))
        object.__setattr__(self, "_edges", frozenset(graph.edges))
        object.__setattr__(self, "_roles", roles)
        object.__setattr__(self, "_bidirected_latent", MappingProxyType(bidirected_latent))
        object.__setattr__(self, "_labels", MappingProxyType(label_map))
        object.__setattr__(self, "_positions", MappingProxyType(pos_map))
        object.__setattr__(self, "_edge_attributes", MappingProxyType(attr_map))
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_attributes", MappingProxyType(dict(attributes or {})))
        nx.freeze(graph)
        object.__setattr__(self, "_nx", graph)
        object.__setattr__(self, "_hash", None)
        object.__setattr__(self, "_observed", None)

    # ------------------------------------------------------------------ immutability
    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"CausalGraph is immutable; use with_roles() or build a new graph (tried to set {key!r})")

    def __delattr__(self, key: str) -> None:
        raise AttributeError("CausalGraph is immutable")

    # ------------------------------------------------------------------ basic views
    @property
    def kind(self) -> str:
        """The graph class, as DAGitty's header word: always ``"dag"`` (see :mod:`dagcore.marked` for the others)."""
        return "dag"

    @property
    def name(self) -> str | None:
        """The graph's name, or None."""
        return self._name

    @property
    def attributes(self) -> Mapping[str, Any]:
        """Graph attributes (e.g. DAGitty's ``bb``)."""
        return self._attributes

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node, observed and latent, in declaration order."""
        return self._nodes

    @property
    def observed(self) -> tuple[str, ...]:
        """Observed nodes in declaration order (computed once: the graph is immutable)."""
        return self._observed_cache()[0]

    @property
    def observed_set(self) -> frozenset[str]:
        """Observed nodes as a frozenset, for set algebra (computed once, like :attr:`observed`).

        Examples
        --------
        >>> sorted(CausalGraph([("U", "X"), ("X", "Y")], latent="U").observed_set)
        ['X', 'Y']
        """
        return self._observed_cache()[1]

    def _observed_cache(self) -> tuple[tuple[str, ...], frozenset[str]]:
        cached = self._observed
        if cached is None:
            lat = self._roles["latent"]
            order = tuple(n for n in self._nodes if n not in lat)
            cached = (order, frozenset(order))
            object.__setattr__(self, "_observed", cached)
        return cached

    latent = _Role("latent", "Latent nodes, including those standing for bidirected edges.")

    @property
    def edges(self) -> frozenset[Edge]:
        """Every directed edge, including those out of latent nodes."""
        return self._edges

    @property
    def bidirected(self) -> frozenset[Edge]:
        """The ``A <-> B`` pairs (sorted within each pair) written as bidirected edges."""
        return frozenset(self._bidirected_latent.values())

    @property
    def bidirected_latents(self) -> Mapping[str, Edge]:
        """Latent nodes that stand for a bidirected edge, mapped to their pair."""
        return self._bidirected_latent

    exposure = _Role("exposure", "Exposure (treatment) nodes.")
    outcome = _Role("outcome", "Outcome nodes.")
    adjusted = _Role("adjusted", "Nodes marked as adjusted for.")
    selected = _Role("selected", "Nodes marked as selection nodes.")

    @property
    def labels(self) -> Mapping[str, str]:
        """Display labels by node (only those set)."""
        return self._labels

    @property
    def positions(self) -> Mapping[str, tuple[float, float]]:
        """``(x, y)`` positions by node (only those set)."""
        return self._positions

    @property
    def edge_attributes(self) -> Mapping[Edge, Mapping[str, Any]]:
        """Attributes by directed edge (only edges that have some)."""
        return self._edge_attributes

    def roles_of(self, node: str) -> frozenset[str]:
        """The roles a node holds.

        Examples
        --------
        >>> CausalGraph([("X", "Y")], exposure="X").roles_of("X")
        frozenset({'exposure'})
        """
        self.check_node(node)
        return frozenset(r for r, members in self._roles.items() if node in members)

    def label(self, node: str) -> str:
        """The display label of a node (its name when no label is set)."""
        self.check_node(node)
        return self._labels.get(node, node)

    # ------------------------------------------------------------------ structure
    def check_node(self, node: str) -> str:
        """Return ``node`` when it is a node of the graph, else raise :class:`NodeNotFoundError` (with a did-you-mean)."""
        if node not in self._nx:
            raise NodeNotFoundError(node, self._nodes)
        return node

    def check_nodes(self, nodes: str | Iterable[str] | None) -> frozenset[str]:
        """Return the named nodes as a frozenset, raising for unknown names.

        Raises
        ------
        NodeNotFoundError
            A name that is not a node of the graph (with a did-you-mean).
        """
        if isinstance(nodes, (set, frozenset)) and nodes <= node_set(self._nx):
            return frozenset(nodes)  # fast path: already a set of known node names
        return frozenset(self.check_node(n) for n in as_names(nodes))

    def __contains__(self, node: object) -> bool:
        return node in self._nx

    def __iter__(self):
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def has_edge(self, u: str, v: str) -> bool:
        """Whether the directed edge ``u -> v`` exists."""
        return self._nx.has_edge(u, v)

    def parents(self, node: str) -> frozenset[str]:
        """Direct causes of ``node`` (latent ones included)."""
        return frozenset(self._nx.predecessors(self.check_node(node)))

    def children(self, node: str) -> frozenset[str]:
        """Direct effects of ``node``."""
        return frozenset(self._nx.successors(self.check_node(node)))

    def ancestors(self, nodes: str | Iterable[str], *, include_self: bool = False) -> frozenset[str]:
        """Ancestors of a node or a set of nodes.

        Examples
        --------
        >>> g = CausalGraph([("A", "B"), ("B", "C")])
        >>> sorted(g.ancestors("C"))
        ['A', 'B']
        >>> sorted(g.ancestors(["B"], include_self=True))
        ['A', 'B']
        """
        return self._reach(predecessors(self._nx), nodes, include_self)

    def descendants(self, nodes: str | Iterable[str], *, include_self: bool = False) -> frozenset[str]:
        """Descendants of a node or a set of nodes: :meth:`ancestors` along the arrows.

        Examples
        --------
        >>> sorted(CausalGraph([("A", "B"), ("B", "C")]).descendants("A"))
        ['B', 'C']
        """
        return self._reach(successors(self._nx), nodes, include_self)

    def _reach(self, adjacency: Mapping[Any, Any], nodes: str | Iterable[str], include_self: bool) -> frozenset[str]:
        start = self.check_nodes(nodes)
        seen = reach(adjacency, start)
        return frozenset(seen if include_self else seen - start)

    def topological_order(self) -> tuple[str, ...]:
        """Nodes in a topological order (causes before effects), stable for equal graphs."""
        return tuple(nx.lexicographical_topological_sort(self._nx))

    # ------------------------------------------------------------------ derived graphs
    def with_roles(self, **roles: str | Iterable[str] | None) -> CausalGraph:
        """Return a new graph with the given roles replaced.

        Parameters
        ----------
        **roles
            Any of ``exposure``, ``outcome``, ``latent``, ``adjusted``,
            ``selected``; a role not named keeps its members. Latent nodes that
            stand for bidirected edges stay latent.

        Examples
        --------
        >>> g = CausalGraph([("X", "Y")])
        >>> sorted(g.with_roles(exposure="X", outcome="Y").exposure)
        ['X']
        """
        unknown = set(roles) - set(ROLES)
        if unknown:
            from difflib import get_close_matches

            bad = sorted(unknown)[0]
            close = [FOREIGN_NAMES[bad]] if FOREIGN_NAMES.get(bad) in ROLES else get_close_matches(bad, ROLES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; roles are {', '.join(ROLES)}"
            raise GraphError(f"unknown role {bad!r}{hint}")
        current = {r: self._roles[r] for r in ROLES}
        current["latent"] = current["latent"] - frozenset(self._bidirected_latent)
        for r, members in roles.items():
            current[r] = frozenset(as_names(members))
        return self._rebuild(**current)

    def without_edges(self, removed: Iterable[Edge]) -> CausalGraph:
        """The same graph (nodes, roles, labels) without some directed edges: graph surgery.

        Removing edges keeps a DAG a DAG and keeps every role valid, so the
        result is built without re-validation, at the cost of one shallow copy
        of the adjacency. Pairs that are not edges are ignored. Removing an
        edge out of a latent node that stands for ``A <-> B`` keeps that node
        latent, but it no longer stands for a bidirected edge.

        Examples
        --------
        >>> g = CausalGraph([("Z", "X"), ("X", "Y"), ("Z", "Y")])
        >>> sorted(g.without_edges([("X", "Y")]).edges)
        [('Z', 'X'), ('Z', 'Y')]
        """
        drop = {(u, v) for u, v in removed if self._nx.has_edge(u, v)}
        if not drop:
            return self
        new = object.__new__(CausalGraph)
        for slot in CausalGraph.__slots__:
            object.__setattr__(new, slot, getattr(self, slot))
        object.__setattr__(new, "_edges", self._edges - drop)
        object.__setattr__(new, "_edge_attributes", MappingProxyType({e: a for e, a in self._edge_attributes.items() if e not in drop}))
        cut = {u for u, _ in drop}
        if cut & self._bidirected_latent.keys():
            object.__setattr__(new, "_bidirected_latent", MappingProxyType({u: p for u, p in self._bidirected_latent.items() if u not in cut}))
        object.__setattr__(new, "_nx", without_edges(self._nx, drop))
        object.__setattr__(new, "_hash", None)
        return new

    def _rebuild(self, **overrides: Any) -> CausalGraph:
        """A new graph from this one's constructor arguments (:meth:`_rebuild_kwargs`) with ``overrides``."""
        return CausalGraph(**{**self._rebuild_kwargs(), **overrides})

    def latent_projection(self) -> ADMG:
        """The acyclic directed mixed graph over the observed nodes.

        ``a -> b`` when a directed path from ``a`` to ``b`` has only latent
        intermediate nodes; ``a <-> b`` when some latent node reaches both
        ``a`` and ``b`` through latent-only directed paths (Verma & Pearl 1990).

        Examples
        --------
        >>> g = CausalGraph([("X", "M"), ("M", "Y"), ("U", "X"), ("U", "Y")], latent="U")
        >>> p = g.latent_projection()
        >>> sorted(p.directed), sorted(p.bidirected)
        ([('M', 'Y'), ('X', 'M')], [('X', 'Y')])
        """
        lat = self.latent
        succ = successors(self._nx)
        directed: set[Edge] = set()
        for a in self.observed:
            stack = list(succ[a])
            seen = set(stack)
            while stack:
                n = stack.pop()
                if n in lat:
                    for c in succ[n]:
                        if c not in seen:
                            seen.add(c)
                            stack.append(c)
                else:
                    directed.add((a, n))
        bidirected: set[Edge] = set()
        for u in lat:
            # observed nodes reached from u through latent-only paths
            reached: set[str] = set()
            stack = [u]
            seen = {u}
            while stack:
                n = stack.pop()
                for c in succ[n]:
                    if c in seen:
                        continue
                    seen.add(c)
                    if c in lat:
                        stack.append(c)
                    else:
                        reached.add(c)
            ordered = sorted(reached)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    bidirected.add((a, b))
        return ADMG(nodes=self.observed, directed=frozenset(directed), bidirected=frozenset(bidirected))

    # ------------------------------------------------------------------ networkx
    def to_networkx(self) -> _DiGraph:
        """A new (mutable) networkx DiGraph with roles and labels as node attributes.

        Node attributes: ``roles`` (a frozenset), ``latent`` (bool), ``label``
        and ``pos`` when set; latent nodes standing for bidirected edges also
        carry ``bidirected=(a, b)``. Edge attributes are copied.
        """
        g = nx.DiGraph(name=self._name or "")
        g.graph.update(self._attributes)
        for n in self._nodes:
            attrs: dict[str, Any] = {"roles": self.roles_of(n), "latent": n in self.latent}
            if n in self._labels:
                attrs["label"] = self._labels[n]
            if n in self._positions:
                attrs["pos"] = self._positions[n]
            if n in self._bidirected_latent:
                attrs["bidirected"] = self._bidirected_latent[n]
            g.add_node(n, **attrs)
        for u, v in sorted(self._edges):
            g.add_edge(u, v, **dict(self._edge_attributes.get((u, v), {})))
        return g

    @property
    def nx(self) -> _DiGraph:
        """The graph's own frozen networkx DiGraph (read-only; shared, never copy-mutate it)."""
        return self._nx

    @classmethod
    def from_networkx(
        cls,
        graph: _DiGraph,
        *,
        exposure: str | Iterable[str] | None = None,
        outcome: str | Iterable[str] | None = None,
        latent: str | Iterable[str] | None = None,
        adjusted: str | Iterable[str] | None = None,
        selected: str | Iterable[str] | None = None,
    ) -> CausalGraph:
        """Build a graph from a networkx DiGraph.

        Roles given as arguments are added to those found in node attributes
        (``roles``, or boolean ``latent``/``exposure``/... attributes). Node
        names are converted with ``str``.

        Raises
        ------
        GraphError
            ``graph`` is undirected or a multigraph.

        Examples
        --------
        >>> import networkx as nx
        >>> g = CausalGraph.from_networkx(nx.DiGraph([("X", "Y")]), exposure="X", outcome="Y")
        >>> sorted(g.edges)
        [('X', 'Y')]
        """
        if not isinstance(graph, nx.DiGraph) or graph.is_multigraph():
            raise GraphError(f"from_networkx needs a networkx DiGraph, got {type(graph).__name__}")
        roles: dict[str, set[str]] = {r: set(as_names(v)) for r, v in zip(ROLES, (exposure, outcome, latent, adjusted, selected))}
        labels: dict[str, str] = {}
        positions: dict[str, tuple[float, float]] = {}
        bidirected_latent: dict[str, Edge] = {}
        for n, data in graph.nodes(data=True):
            name = str(n)
            for r in data.get("roles", ()):
                if r in roles:
                    roles[r].add(name)
            for r in ROLES:
                if data.get(r) is True:
                    roles[r].add(name)
            if "label" in data and str(data["label"]) != name:
                labels[name] = str(data["label"])
            if "pos" in data and data["pos"] is not None:
                x, y = data["pos"]
                positions[name] = (float(x), float(y))
            if data.get("bidirected"):
                a, b = data["bidirected"]
                bidirected_latent[name] = (str(a), str(b))
        edges = []
        edge_attrs: dict[Edge, dict[str, Any]] = {}
        for u, v, data in graph.edges(data=True):
            if str(u) in bidirected_latent:
                continue
            edges.append((str(u), str(v)))
            if data:
                edge_attrs[(str(u), str(v))] = dict(data)
        for name in bidirected_latent:
            roles["latent"].discard(name)
        return cls(
            edges,
            nodes=[str(n) for n in graph.nodes if str(n) not in bidirected_latent],
            labels=labels,
            positions=positions,
            edge_attributes=edge_attrs,
            name=graph.graph.get("name") or None,
            _bidirected_latent=bidirected_latent,
            exposure=roles["exposure"],
            outcome=roles["outcome"],
            latent=roles["latent"],
            adjusted=roles["adjusted"],
            selected=roles["selected"],
        )

    # ------------------------------------------------------------------ value semantics
    def _key(self) -> tuple:
        return (
            frozenset(self._nodes),
            self._edges,
            tuple(self._roles[r] for r in ROLES),
            frozenset(self._bidirected_latent.items()),
            frozenset(self._labels.items()),
            frozenset(self._positions.items()),
            frozenset((e, frozenset((k, str(v)) for k, v in a.items())) for e, a in self._edge_attributes.items()),
            self._name,
            frozenset((k, str(v)) for k, v in self._attributes.items()),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CausalGraph):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = hash(self._key())
            object.__setattr__(self, "_hash", h)
        return h

    def __reduce__(self):
        return (_rebuild_from_state, (self._rebuild_kwargs(),))

    def _rebuild_kwargs(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this graph, as plain (picklable) values."""
        bid_nodes = set(self._bidirected_latent)
        return dict(
            edges=sorted(e for e in self._edges if e[0] not in bid_nodes),
            nodes=[n for n in self._nodes if n not in bid_nodes],
            exposure=self._roles["exposure"],
            outcome=self._roles["outcome"],
            latent=self._roles["latent"] - bid_nodes,
            adjusted=self._roles["adjusted"],
            selected=self._roles["selected"],
            labels=dict(self._labels),
            positions=dict(self._positions),
            edge_attributes={e: dict(a) for e, a in self._edge_attributes.items()},
            name=self._name,
            attributes=dict(self._attributes),
            _bidirected_latent=dict(self._bidirected_latent),
        )

    def _repr_svg_(self) -> str | None:
        """Inline SVG for Jupyter; None (no error) when Graphviz's ``dot`` is missing."""
        from dagcore.errors import DagcoreError
        from dagcore.rendering import render

        try:
            return render(self, format="svg")  # type: ignore[return-value]
        except DagcoreError:
            return None

    def __repr__(self) -> str:
        parts = [f"{len(self.observed)} observed"]
        if self.latent:
            parts.append(f"{len(self.latent)} latent")
        parts.append(f"{len(self._edges)} edges")
        if self.exposure:
            parts.append("exposure=" + ",".join(sorted(self.exposure)))
        if self.outcome:
            parts.append("outcome=" + ",".join(sorted(self.outcome)))
        name = f" {self._name!r}" if self._name else ""
        return f"<CausalGraph{name}: {'; '.join(parts)}>"


def _rebuild_from_state(kwargs: dict[str, Any]) -> CausalGraph:
    return CausalGraph(**kwargs)


def _check_edge(edge: object, *, kind: str = "edge") -> Edge:
    try:
        u, v = cast("tuple[object, object]", edge)
    except (TypeError, ValueError):
        raise GraphError(f"an {kind} must be a pair of node names, got {edge!r}") from None
    if not isinstance(u, str) or not isinstance(v, str):
        raise GraphError(f"node names must be strings, got {kind} {edge!r}")
    if kind == "bidirected edge" and u == v:
        raise GraphError(f"bidirected self loop {u} <-> {u}")
    return u, v


@dataclass(frozen=True)
class ADMG:
    """An acyclic directed mixed graph: directed and bidirected edges over observed nodes.

    This is the latent projection used by the ID algorithm. Bidirected edges
    are stored as sorted pairs.

    Examples
    --------
    >>> m = ADMG(nodes=("X", "Y"), directed=frozenset({("X", "Y")}), bidirected=frozenset({("X", "Y")}))
    >>> [sorted(d) for d in m.districts()]
    [['X', 'Y']]
    """

    nodes: tuple[str, ...]
    directed: frozenset[Edge] = field(default_factory=frozenset)
    bidirected: frozenset[Edge] = field(default_factory=frozenset)

    def parents(self, node: str) -> frozenset[str]:
        """Direct causes of ``node`` in the ADMG."""
        return frozenset(u for u, v in self.directed if v == node)

    def children(self, node: str) -> frozenset[str]:
        """Direct effects of ``node`` in the ADMG."""
        return frozenset(v for u, v in self.directed if u == node)

    def spouses(self, node: str) -> frozenset[str]:
        """Nodes joined to ``node`` by a bidirected edge."""
        return frozenset(b if a == node else a for a, b in self.bidirected if node in (a, b))

    def subgraph(self, nodes: Iterable[str]) -> ADMG:
        """The induced sub-ADMG over ``nodes`` (order follows ``self.nodes``)."""
        keep = set(nodes)
        return ADMG(
            nodes=tuple(n for n in self.nodes if n in keep),
            directed=frozenset(e for e in self.directed if e[0] in keep and e[1] in keep),
            bidirected=frozenset(e for e in self.bidirected if e[0] in keep and e[1] in keep),
        )

    def ancestors(self, nodes: Iterable[str], *, include_self: bool = True) -> frozenset[str]:
        """Ancestors of a set of nodes through directed edges (inclusive by default)."""
        start = set(nodes)
        pred: dict[str, set[str]] = {n: set() for n in self.nodes}
        for u, v in self.directed:
            pred[v].add(u)
        seen = set(start)
        stack = list(start)
        while stack:
            for p in pred.get(stack.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return frozenset(seen if include_self else seen - start)

    def topological_order(self) -> tuple[str, ...]:
        """Nodes in a topological order of the directed part (stable)."""
        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.directed)
        return tuple(nx.lexicographical_topological_sort(g))

    def districts(self) -> list[frozenset[str]]:
        """The c-components: connected components of the bidirected part, sorted."""
        g = nx.Graph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.bidirected)
        return sorted((frozenset(c) for c in nx.connected_components(g)), key=lambda c: sorted(c))


# ---------------------------------------------------------------------------------------------- graph input
def as_causal_graph(graph: CausalGraph | nx.DiGraph, **roles: str | Iterable[str] | None) -> CausalGraph:
    """The one coercion of a graph argument: a :class:`CausalGraph` as is, a networkx ``DiGraph`` converted.

    Every public graph function calls this on its graph argument (through
    :func:`takes_graph`), so each accepts either kind of graph.

    Parameters
    ----------
    graph : CausalGraph or networkx.DiGraph
        A ``DiGraph``'s node attributes may carry roles, as
        :meth:`CausalGraph.from_networkx` reads them (``latent=True``, ...).
    **roles
        ``exposure``, ``outcome``, ``latent``, ``adjusted``, ``selected``:
        each given (not None) replaces that role of the graph, as
        :meth:`CausalGraph.with_roles` does.

    Returns
    -------
    CausalGraph

    Raises
    ------
    CycleError
        The ``DiGraph`` has a directed cycle (the error names it).
    GraphError
        Anything else than a ``CausalGraph`` or a ``DiGraph`` (an undirected
        graph, a multigraph, ``.dag`` text), a self loop, or an unknown role.

    Examples
    --------
    >>> import networkx as nx
    >>> g = as_causal_graph(nx.DiGraph([("U", "X"), ("U", "Y"), ("X", "Y")]), exposure="X", outcome="Y", latent="U")
    >>> g
    <CausalGraph: 2 observed; 1 latent; 3 edges; exposure=X; outcome=Y>
    >>> as_causal_graph(g) is g
    True
    >>> as_causal_graph(nx.DiGraph([("A", "B"), ("B", "A")]))
    Traceback (most recent call last):
    ...
    dagcore.errors.CycleError: the graph has a directed cycle A -> B -> A; a causal DAG must be acyclic (...)
    """
    if isinstance(graph, CausalGraph):
        g = graph
    elif isinstance(graph, nx.DiGraph) and not graph.is_multigraph():
        g = CausalGraph.from_networkx(graph)
    else:
        what = type(graph).__name__
        if isinstance(graph, str):
            hint = "; parse .dag text with dagcore.parse(text) or read a file with dagcore.load(path)"
        elif isinstance(graph, nx.Graph):
            hint = "; a causal graph needs directed edges (a networkx DiGraph without parallel edges)"
        else:
            hint = ""
        raise GraphError(f"expected a CausalGraph or a networkx DiGraph, got {what}{hint}")
    given = {r: v for r, v in roles.items() if v is not None}
    return g.with_roles(**given) if given else g


def exposure_and_outcome(
    g: CausalGraph,
    exposure: str | Iterable[str] | None = None,
    outcome: str | Iterable[str] | None = None,
    *,
    purpose: str,
    single: bool = False,
) -> tuple[frozenset[str], frozenset[str]]:
    """The exposure and outcome nodes of a causal question, checked: the arguments when given, else the graph's roles.

    Every graph function that asks about an effect resolves its question here.

    Parameters
    ----------
    g : CausalGraph
    exposure, outcome : str or iterable of str, optional
        None means the graph's role.
    purpose : str
        What needs them, for the messages (``"identify"``, ``"adjustment"``, ...).
    single : bool
        Require exactly one exposure and one outcome.

    Raises
    ------
    GraphError
        None given or marked (or not exactly one each when ``single``), a node
        in both, or a latent one.
    NodeNotFoundError
        A name that is not a node of ``g``.

    Examples
    --------
    >>> g = CausalGraph([("X", "Y")], exposure="X", outcome="Y")
    >>> exposure_and_outcome(g, purpose="identify")
    (frozenset({'X'}), frozenset({'Y'}))
    >>> exposure_and_outcome(g, "Y", "Y", purpose="identify")
    Traceback (most recent call last):
    ...
    dagcore.errors.GraphError: 'Y' cannot be both exposure and outcome
    """
    xs = g.check_nodes(as_names(exposure)) if exposure is not None else g.exposure
    ys = g.check_nodes(as_names(outcome)) if outcome is not None else g.outcome
    if single and (len(xs) != 1 or len(ys) != 1):
        raise GraphError(
            f"{purpose} needs exactly one exposure and one outcome, got {sorted(xs) or 'none'} and {sorted(ys) or 'none'}; "
            "mark them in the graph ([exposure], [outcome]) or pass exposure=..., outcome=..."
        )
    if not xs or not ys:
        raise GraphError(f"{purpose} needs an exposure and an outcome: mark them in the graph ([exposure], [outcome]) or pass exposure=..., outcome=...")
    both = xs & ys
    if both:
        raise GraphError(f"{sorted(both)[0]!r} cannot be both exposure and outcome")
    latent = (xs | ys) & g.latent
    if latent:
        raise GraphError(f"{sorted(latent)[0]!r} is latent; the exposure and outcome must be observed")
    return xs, ys


_F = TypeVar("_F", bound=Callable[..., Any])


#: Implementations of public graph functions for the graph classes of :mod:`dagcore.marked`, by function.
_FOR_CLASS: dict[Any, dict[type, Callable[..., Any]]] = {}


def for_graph_class(public: Callable[..., Any], *classes: type) -> Callable[[_F], _F]:
    """Register ``impl`` as what the :func:`takes_graph` function ``public`` does on these graph classes.

    The public function keeps one name and one signature for every graph
    class (``adjustment_sets(pdag)``, ``dumps(mag)``); each class's meaning
    lives in its own module (the generalized adjustment criterion for PDAGs,
    MAGs and PAGs, the writer for marked edges). Asked of a class nothing is
    registered for, the public function raises :class:`GraphClassError`.

    Examples
    --------
    >>> from dagcore.marked import PAG
    >>> @takes_graph()
    ... def size(g: CausalGraph) -> int:
    ...     return len(g.nodes)
    >>> @for_graph_class(size, PAG)
    ... def _size_pag(g: PAG) -> int:
    ...     return len(g.nodes)
    >>> size(PAG([("a", "@->", "b")]))
    2
    """

    def register(impl: _F) -> _F:
        table = _FOR_CLASS.setdefault(public, {})
        for cls in classes:
            table[cls] = impl
        return impl

    return register


def _class_implementation(public: Any, name: str, g: MarkedGraph) -> Callable[..., Any]:
    table = _FOR_CLASS.get(public, {})
    for cls in type(g).__mro__:
        if cls in table:
            return table[cls]
    supported = sorted({c.KIND for c in table if hasattr(c, "KIND")})
    also = f"; for {', '.join(supported)} graphs it is" if supported else ""
    raise GraphClassError(f"{name}() is defined on DAGs, not on a {g.kind} graph{also}")


def takes_graph(*, roles: Iterable[str] = ("latent",)) -> Callable[[_F], _F]:
    """Decorate a public graph function: plain networkx graphs in, role keywords, keyword names checked.

    The wrapped function's first argument goes through :func:`as_causal_graph`,
    so it may be a :class:`CausalGraph` or a networkx ``DiGraph``. Each role in
    ``roles`` that the function does not take itself becomes a keyword-only
    argument (default None) that sets that role of the graph first; the
    wrapper's signature shows them. An unknown keyword, or too many positional
    arguments, raises :class:`~dagcore.errors.UnknownArgumentError` through
    :func:`check_keywords` (with a did-you-mean), never a bare ``TypeError``.

    Examples
    --------
    >>> import networkx as nx
    >>> @takes_graph()
    ... def observed(g: CausalGraph) -> list[str]:
    ...     return sorted(g.observed)
    >>> observed(nx.DiGraph([("U", "X"), ("U", "Y")]), latent="U")
    ['X', 'Y']
    >>> import inspect; str(inspect.signature(observed))
    "(g: 'CausalGraph', *, latent: 'str | Iterable[str] | None' = None) -> 'list[str]'"
    """
    role_names = tuple(roles)
    unknown = set(role_names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(func: _F) -> _F:
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        own = [p.name for p in params]
        extra = tuple(r for r in role_names if r not in own)
        positional = [p.name for p in params if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        keyword_only = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
        var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        accepted = [*own[1:], *extra]
        accepted_set = frozenset(accepted)
        max_args = len(positional) - 1  # after the graph
        name = func.__name__

        @functools.wraps(func)
        def wrapper(g: Any, *args: Any, **kwargs: Any) -> Any:
            if len(args) > max_args:
                taken = ", ".join(positional[1:])
                options = f"; pass {', '.join(f'{k}=...' for k in keyword_only)} by keyword" if keyword_only else ""
                raise UnknownArgumentError(
                    f"{name}() takes {max_args + 1} positional arguments (the graph, {taken}) but {len(args) + 1} were given{options}"
                )
            if kwargs:
                if not var_keyword and not kwargs.keys() <= accepted_set:
                    check_keywords(name, kwargs, accepted)
                if args:
                    twice = [k for k in positional[1 : len(args) + 1] if k in kwargs]
                    if twice:
                        raise UnknownArgumentError(f"{name}() got {twice[0]!r} twice, as a positional and as a keyword argument")
                if extra:
                    given = {r: kwargs.pop(r) for r in extra if r in kwargs}
                    if given:
                        if isinstance(g, MarkedGraph):
                            return _class_implementation(wrapper, name, g)(g.with_roles(**given), *args, **kwargs)
                        return func(as_causal_graph(g, **given), *args, **kwargs)
            if isinstance(g, MarkedGraph):
                return _class_implementation(wrapper, name, g)(g, *args, **kwargs)
            if g.__class__ is not CausalGraph:
                g = as_causal_graph(g)
            return func(g, *args, **kwargs)

        if extra:
            new = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
            new += [inspect.Parameter(r, inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | Iterable[str] | None") for r in extra]
            new += [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
            wrapper.__signature__ = sig.replace(parameters=new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
