"""The one place that reads a graph's adjacency: successor and predecessor maps, reachability, cycles, surgery.

Every algorithm in :mod:`dagcore.graph`, :mod:`dagcore.structure` and
:mod:`dagcore.identification` walks the graph through these functions; no
other module touches networkx's private ``_succ``/``_pred``/``_adj``/``_node``
dicts. Those dicts are read directly (instead of the public ``G.succ`` /
``G.pred`` views, which build a view object on every lookup) because the
structural algorithms are benchmarked against networkx and a linear-time floor
(``benchmarks/bench_structure.py``, ``benchmarks/bench_identify.py``).

The maps returned are the graph's own dicts: callers only read them. The
functions take a networkx ``DiGraph`` (a :class:`~dagcore.CausalGraph` passes
its frozen one, ``g.nx``) or, for :func:`reach`, one of its adjacency maps.
The d-separation kernels at the end are unchecked: the public, checked forms
are in :mod:`dagcore.structure.dseparation`, and identification calls the
kernels directly only in loops over node sets it has already validated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, KeysView, Mapping
from typing import Any

import networkx as nx

__all__ = [
    "successors",
    "predecessors",
    "node_set",
    "reach",
    "proper_causal_nodes",
    "directed_path",
    "find_cycle",
    "without_edges",
    "active_reach",
    "Walk",
    "active_walk",
    "trail",
    "loop_erased",
    "active_trail",
    "moral_ancestral_neighbours",
    "moral_reach_blockers",
    "minimal_separator",
]

Adjacency = Mapping[Any, Collection[Any]]  # networkx's _succ/_pred, or a dict of neighbour lists


def successors(graph: nx.DiGraph) -> Adjacency:
    """``{node: {child: edge data}}``: the graph's own successor dict (read it, never change it).

    Examples
    --------
    >>> sorted(successors(nx.DiGraph([("a", "b"), ("a", "c")]))["a"])
    ['b', 'c']
    """
    return graph._succ


def predecessors(graph: nx.DiGraph) -> Adjacency:
    """``{node: {parent: edge data}}``: the graph's own predecessor dict (read it, never change it).

    Examples
    --------
    >>> list(predecessors(nx.DiGraph([("a", "b")]))["b"])
    ['a']
    """
    return graph._pred


def node_set(graph: nx.DiGraph) -> KeysView[str]:
    """The graph's nodes as a set-like keys view (constant-time membership and ``<=``).

    Examples
    --------
    >>> {"a"} <= node_set(nx.DiGraph([("a", "b")]))
    True
    """
    return graph._node.keys()


def reach(
    adjacency: Adjacency,
    start: Iterable[str],
    *,
    avoid: Collection[str] = (),
    stop: Collection[str] = (),
) -> set[str]:
    """Nodes reachable from ``start`` along ``adjacency`` (``start`` included).

    With :func:`predecessors` this is the inclusive ancestor set, with
    :func:`successors` the inclusive descendant set.

    Parameters
    ----------
    adjacency : mapping
        :func:`successors` or :func:`predecessors` of a graph.
    start : iterable of str
    avoid : collection of str
        Nodes never entered (a start node is still included).
    stop : collection of str
        Nodes entered but not expanded (start nodes included).

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(reach(predecessors(g), ["c"]))
    ['a', 'b', 'c']
    >>> sorted(reach(successors(g), ["a"], avoid={"c"}))
    ['a', 'b']
    >>> sorted(reach(successors(g), ["a"], stop={"c"}))
    ['a', 'b', 'c']
    """
    seen: set[str] = set(start)
    if not avoid and not stop:  # the common case, kept tight: it is every ancestors()/descendants() call
        stack = list(seen)
        while stack:
            for w in adjacency[stack.pop()]:
                if w not in seen:
                    seen.add(w)
                    stack.append(w)
        return seen
    stack = [v for v in seen if v not in stop]
    while stack:
        for w in adjacency[stack.pop()]:
            if w not in seen and w not in avoid:
                seen.add(w)
                if w not in stop:
                    stack.append(w)
    return seen


def proper_causal_nodes(graph: nx.DiGraph, xs: Collection[str], ys: Collection[str]) -> frozenset[str]:
    """``cn(X, Y)``: the nodes other than X on proper causal paths from X to Y (unchecked kernel).

    A descendant of X (edges into X ignored) that reaches Y by a directed path
    avoiding X; :func:`dagcore.proper_causal_nodes` is the checked public form.

    Examples
    --------
    >>> sorted(proper_causal_nodes(nx.DiGraph([("x", "m"), ("m", "y"), ("m", "d")]), {"x"}, {"y"}))
    ['m', 'y']
    """
    return frozenset((reach(graph._succ, xs) - set(xs)) & reach(graph._pred, ys, stop=xs))


def directed_path(graph: nx.DiGraph, sources: Iterable[str], targets: Collection[str], *, avoid: Collection[str] = ()) -> list[str] | None:
    """One directed path from a node of ``sources`` to a node of ``targets`` whose nodes avoid ``avoid``, or None.

    Deterministic: sources and children are tried in sorted order (depth first).

    Examples
    --------
    >>> g = nx.DiGraph([("x", "m"), ("m", "y"), ("x", "y")])
    >>> directed_path(g, ["x"], {"y"}, avoid={"m"})
    ['x', 'y']
    >>> directed_path(g, ["y"], {"x"}) is None
    True
    """
    succ = graph._succ
    for start in sorted(sources):
        parent: dict[str, str | None] = {start: None}
        stack = [start]
        while stack:
            n = stack.pop()
            for c in sorted(succ[n]):
                if c in parent or c in avoid:
                    continue
                parent[c] = n
                if c in targets:
                    path = [c]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])  # type: ignore[arg-type]
                    return path[::-1]
                stack.append(c)
    return None


def find_cycle(graph: nx.DiGraph) -> list[str] | None:
    """A directed cycle as a node list with the first node repeated last, or None for a DAG.

    Kahn's algorithm first (linear time; the common case, no cycle, ends
    there), then networkx's ``find_cycle`` to name one.

    Examples
    --------
    >>> find_cycle(nx.DiGraph([("a", "b"), ("b", "a")]))
    ['a', 'b', 'a']
    >>> find_cycle(nx.DiGraph([("a", "b")])) is None
    True
    """
    indegree = {v: len(p) for v, p in graph._pred.items()}
    stack = [v for v, d in indegree.items() if d == 0]
    seen = 0
    succ = graph._succ
    while stack:
        v = stack.pop()
        seen += 1
        for c in succ[v]:
            indegree[c] -= 1
            if indegree[c] == 0:
                stack.append(c)
    if seen == len(indegree):
        return None
    try:
        cycle_edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:  # pragma: no cover - Kahn's algorithm found a cycle
        return None
    nodes = [u for u, _ in cycle_edges]
    return nodes + [nodes[0]]


def without_edges(graph: nx.DiGraph, drop: Collection[tuple[str, str]]) -> nx.DiGraph:
    """A frozen copy of ``graph`` without the edges ``drop`` (all of them edges of ``graph``).

    Costs one shallow copy of the adjacency dicts: only the rows of the
    touched nodes are rebuilt, node attribute dicts are shared (both graphs
    are frozen).

    Examples
    --------
    >>> g = nx.freeze(nx.DiGraph([("a", "b"), ("b", "c")]))
    >>> sorted(without_edges(g, {("a", "b")}).edges)
    [('b', 'c')]
    """
    new = nx.DiGraph()
    new.graph.update(graph.graph)
    succ, pred = dict(graph._succ), dict(graph._pred)
    for u, v in drop:
        succ[u] = {k: d for k, d in succ[u].items() if k != v}
        pred[v] = {k: d for k, d in pred[v].items() if k != u}
    new._node = graph._node
    new._succ = new._adj = succ
    new._pred = pred
    nx.freeze(new)
    return new


# ---------------------------------------------------------------------------------------------- d-separation kernels
# Unchecked: callers pass node sets they have validated (dagcore.structure.dseparation does, for the public API).


def active_reach(graph: nx.DiGraph, xs: Collection[str], zs: Collection[str]) -> set[str]:
    """Nodes outside ``zs`` and ``xs`` that some trail from ``xs`` active given ``zs`` reaches ("Bayes-ball").

    Linear time (Shachter 1998; Koller & Friedman 2009, Algorithm 3.1): walk
    the trails remembering whether each node was entered from a child or a
    parent; colliders pass only when they are ancestors of ``zs``.

    Examples
    --------
    >>> g = nx.DiGraph([("x", "m"), ("y", "m")])
    >>> sorted(active_reach(g, {"x"}, set())), sorted(active_reach(g, {"x"}, {"m"}))
    (['m'], ['y'])
    """
    pred = graph._pred
    succ = graph._succ
    # Ancestors of the conditioning set (inclusive): colliders there are open.
    anc_z = reach(pred, zs)
    # Two stacks and two seen-sets, one per direction of arrival, instead of (node, direction) tuples: 1.4x faster
    # on deep_dag(1000) and deep_dag(10000) (interleaved best of 9 and 3), same states visited.
    up_seen: set[str] = set()  # arrived from a child (moving against the arrow)
    down_seen: set[str] = set()  # arrived from a parent (through an arrowhead)
    up = list(xs)
    down: list[str] = []
    while up or down:
        while up:
            node = up.pop()
            if node in up_seen:
                continue
            up_seen.add(node)
            if node not in zs:
                up.extend(p for p in pred[node] if p not in up_seen)
                down.extend(c for c in succ[node] if c not in down_seen)
        while down:
            node = down.pop()
            if node in down_seen:
                continue
            down_seen.add(node)
            if node not in zs:
                down.extend(c for c in succ[node] if c not in down_seen)
            if node in anc_z:
                up.extend(p for p in pred[node] if p not in up_seen)
    reached = (up_seen | down_seen).difference(zs)
    reached.difference_update(xs)
    return reached


State = tuple[str, bool]
"""A Bayes-ball state: ``(node, arrived_from_child)``; ``(v, False)`` means the trail enters ``v`` through an arrowhead."""


class Walk:
    """The states a breadth-first Bayes-ball walk reached, each with the state it was reached from.

    ``state in walk`` tells whether a state was reached; :meth:`trail` reads
    the trail that reached it. States reached by arriving from a child and
    from a parent are kept in two dicts keyed by node (cheaper than one dict
    keyed by ``(node, direction)`` tuples: no tuple per edge).
    """

    __slots__ = ("up", "down")

    def __init__(self) -> None:
        self.up: dict[str, State | None] = {}
        self.down: dict[str, State | None] = {}

    def __contains__(self, state: object) -> bool:
        if not isinstance(state, tuple) or len(state) != 2:
            return False
        return state[0] in (self.up if state[1] else self.down)

    def came_from(self, state: State) -> State | None:
        """The state ``state`` was reached from (None for a start state)."""
        return (self.up if state[1] else self.down)[state[0]]

    def trail(self, state: State) -> tuple[list[str], list[bool]]:
        """The trail to ``state``: its nodes and, per edge, whether it points away from the source."""
        nodes, forward = [], []
        cur: State | None = state
        while cur is not None:
            nodes.append(cur[0])
            prev = self.came_from(cur)
            if prev is not None:
                forward.append(not cur[1])  # entered from a parent: the edge points along the trail
            cur = prev
        return nodes[::-1], forward[::-1]


def active_walk(
    graph: nx.DiGraph,
    sources: Collection[str],
    zs: Collection[str],
    *,
    blocked: Collection[str] = (),
    targets: Collection[str] = (),
    anc_z: Collection[str] | None = None,
) -> tuple[Walk, State | None]:
    """Breadth-first Bayes-ball from ``sources`` given ``zs``, with parent pointers: ``(walk, target state or None)``.

    The :class:`Walk` holds every state reached and the state it was reached
    from (None for the start states ``(x, True)``); :func:`trail` reads a
    trail out of it. Nodes in ``blocked`` and the sources are reached but
    never expanded (never interior). The walk stops at the first state of a
    node in ``targets`` (other than a start state); with no targets it
    reaches every state: linear time in the size of the graph (Shachter 1998;
    Koller & Friedman 2009, Algorithm 3.1, breadth first). ``anc_z``, the
    inclusive ancestors of ``zs``, is computed when not given.

    Examples
    --------
    >>> g = nx.DiGraph([("x", "m"), ("y", "m")])
    >>> walk, _ = active_walk(g, {"x"}, set())
    >>> ("m", False) in walk, ("m", True) in walk
    (True, False)
    """
    from collections import deque

    pred = graph._pred
    succ = graph._succ
    if anc_z is None:
        anc_z = reach(pred, zs)
    stop = set(blocked) | set(sources)
    walk = Walk()
    came_up, came_down = walk.up, walk.down
    queue: deque[State] = deque()
    for x in sorted(sources):  # a deterministic witness, whatever order the set iterates in
        came_up[x] = None
        queue.append((x, True))
    push = queue.append
    while queue:
        state = queue.popleft()
        node, up = state
        if (came_up if up else came_down)[node] is not None:
            if node in targets:
                return walk, state
            if node in stop:
                continue
        if node not in zs:
            for c in succ[node]:
                if c not in came_down:
                    came_down[c] = state
                    push((c, False))
            if up:
                for p in pred[node]:
                    if p not in came_up:
                        came_up[p] = state
                        push((p, True))
        if not up and node in anc_z:
            for p in pred[node]:
                if p not in came_up:
                    came_up[p] = state
                    push((p, True))
    return walk, None


def trail(walk: Walk, state: State) -> tuple[list[str], list[bool]]:
    """The trail :func:`active_walk` followed to ``state``: its nodes and, per edge, whether it points away from the source.

    Examples
    --------
    >>> g = nx.DiGraph([("c", "x"), ("c", "y")])
    >>> walk, end = active_walk(g, {"x"}, set(), targets={"y"})
    >>> trail(walk, end)
    (['x', 'c', 'y'], [False, True])
    """
    return walk.trail(state)


def loop_erased(nodes: list[str], forward: list[bool]) -> tuple[list[str], list[bool]]:
    """A simple path from a trail: cut every loop ``v ... v`` (left to right). Linear time.

    Cutting a loop out of a trail that is active given Z leaves a trail that
    is active given Z: the cut node keeps its other edges; if it becomes a
    collider, it was a collider at one of its visits, or the loop went down
    from it to a collider, so it is an ancestor of Z; if it is in Z, it was a
    collider at both visits and stays one. Every other node keeps both edges.

    Examples
    --------
    >>> loop_erased(["x", "c", "d", "c", "y"], [False, True, False, True])
    (['x', 'c', 'y'], [False, True])
    """
    path: list[str] = []
    fwd: list[bool] = []
    where: dict[str, int] = {}
    for i, v in enumerate(nodes):
        at = where.get(v)
        if at is not None:
            for w in path[at + 1 :]:
                del where[w]
            del path[at + 1 :]
            del fwd[at:]
            continue
        if i:
            fwd.append(forward[i - 1])
        where[v] = len(path)
        path.append(v)
    return path, fwd


def active_trail(
    graph: nx.DiGraph, sources: Collection[str], targets: Collection[str], zs: Collection[str], *, blocked: Collection[str] = ()
) -> tuple[list[str], list[bool]] | None:
    """A simple path from ``sources`` to ``targets`` that is active given ``zs``: its nodes and edge directions, or None.

    One breadth-first Bayes-ball search (:func:`active_walk`, linear time)
    finds a shortest active trail; :func:`loop_erased` makes it a simple
    path. Nodes in ``blocked`` (and the other sources) are never interior.
    ``forward[i]`` says whether the edge between ``nodes[i]`` and
    ``nodes[i + 1]`` points away from the source.

    Examples
    --------
    >>> g = nx.DiGraph([("c", "x"), ("c", "y"), ("x", "m"), ("y", "m")])
    >>> active_trail(g, {"x"}, {"y"}, set())
    (['x', 'c', 'y'], [False, True])
    >>> active_trail(g, {"x"}, {"y"}, {"c"}) is None
    True
    >>> active_trail(g, {"x"}, {"y"}, {"c", "m"})
    (['x', 'm', 'y'], [True, False])
    """
    walk, end = active_walk(graph, sources, zs, blocked=blocked, targets=targets)
    if end is None:
        return None
    return loop_erased(*walk.trail(end))


def moral_ancestral_neighbours(graph: nx.DiGraph, nodes: Collection[str]) -> dict[str, set[str]]:
    """Adjacency of the moral graph of the subgraph induced by the ancestors of ``nodes`` (inclusive).

    Examples
    --------
    >>> m = moral_ancestral_neighbours(nx.DiGraph([("a", "c"), ("b", "c"), ("c", "d")]), {"c"})
    >>> sorted(m["a"])
    ['b', 'c']
    """
    pred = graph._pred
    anc = reach(pred, nodes)
    nbrs: dict[str, set[str]] = {v: set() for v in anc}
    for v in anc:
        parents = list(pred[v])
        for i, p in enumerate(parents):
            nbrs[v].add(p)
            nbrs[p].add(v)
            for q in parents[i + 1 :]:
                nbrs[p].add(q)
                nbrs[q].add(p)
    return nbrs


def moral_reach_blockers(graph: nx.DiGraph, anc: Collection[str], start: Collection[str], blockers: Collection[str]) -> set[str]:
    """Blockers reachable from ``start`` in the moral graph of ``anc`` (an ancestral set) by paths whose interior avoids the blockers.

    The moral graph is never built: a node's moral neighbours are its parents,
    its children in ``anc`` and the other parents of those children. Each
    child's parents are enqueued once, the first time one of them is
    expanded, so the search is linear in the size of the ancestral graph
    instead of quadratic in the number of parents.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "c"), ("b", "c")])
    >>> sorted(moral_reach_blockers(g, {"a", "b", "c"}, {"a"}, {"b"}))
    ['b']
    """
    pred, succ = graph._pred, graph._succ
    seen = set(start)
    stack = list(start)
    hit: set[str] = set()
    married: set[str] = set()

    def visit(w: str) -> None:
        if w not in seen:
            seen.add(w)
            if w in blockers:
                hit.add(w)
            else:
                stack.append(w)

    while stack:
        v = stack.pop()
        for p in pred[v]:
            visit(p)
        for c in succ[v]:
            if c not in anc:
                continue
            visit(c)
            if c not in married:
                married.add(c)
                for p in pred[c]:
                    visit(p)
    return hit


def minimal_separator(
    graph: nx.DiGraph,
    x: Collection[str],
    y: Collection[str],
    include: Collection[str],
    restrict_to: Collection[str] | None,
    latent: Collection[str],
) -> frozenset[str] | None:
    """A minimal d-separator Z of disjoint ``x`` and ``y`` with ``include ⊆ Z ⊆ restrict_to``, outside ``latent``, or None.

    FINDMINSEP (Tian, Paz & Pearl 1998; van der Zander, Liśkiewicz & Textor
    2019) in the moral graph of the ancestral graph of ``x ∪ y ∪ include``;
    :func:`dagcore.minimal_d_separator` is the checked public form.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> sorted(minimal_separator(g, {"a"}, {"c"}, set(), None, set()))
    ['b']
    """
    anc = frozenset(reach(graph._pred, set(x) | set(y) | set(include)))
    # only ancestors can be in Z0: intersect first, so a large restrict_to costs one pass
    candidates = anc if restrict_to is None else frozenset(restrict_to) & anc
    z0 = frozenset(((candidates - frozenset(latent)) - frozenset(x) - frozenset(y)) | frozenset(include))
    if active_reach(graph, x, z0) & frozenset(y):
        return None
    zx = frozenset(include) | (moral_reach_blockers(graph, anc, x, z0) & z0)
    return frozenset(include) | (moral_reach_blockers(graph, anc, y, zx) & zx)
