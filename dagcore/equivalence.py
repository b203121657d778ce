"""Equivalence classes and projections: consistent extensions, Meek's rules, CPDAGs, MAGs.

Pure functions between the graph classes of :mod:`dagcore.marked` and
:class:`~dagcore.CausalGraph`:

- :func:`consistent_extension` — one DAG a PDAG stands for (Dor & Tarsi 1992), or why none exists;
- :func:`orient` — the PDAG closed under Meek's rules R1–R4 (Meek 1995): every edge that all its
  extensions direct the same way is directed;
- :func:`cpdag` — the essential graph (CPDAG) of a DAG: its v-structures, then Meek's rules;
- :func:`equivalent_dags` — the DAGs a PDAG stands for, lazily, up to ``limit``;
- :func:`to_mag` — the latent projection of a DAG with latent and selected nodes to a MAG
  (Richardson & Spirtes 2002);
- :func:`m_separated` — m-separation in a MAG (d-separation in its canonical DAG).

No library offers these for our classes (networkx has no CPDAG or MAG; pgmpy and
causal-learn are peers, never core dependencies), so they are written here, each
tested against its definition by brute force in ``tests/test_graph_classes.py``.

Examples
--------
>>> from dagcore import CausalGraph
>>> g = cpdag(CausalGraph([("a", "b"), ("c", "b"), ("b", "d")]))
>>> sorted(g.directed)
[('a', 'b'), ('b', 'd'), ('c', 'b')]
>>> sorted(sorted(d.edges) for d in equivalent_dags(cpdag(CausalGraph([("a", "b"), ("b", "c")]))))
[[('a', 'b'), ('b', 'c')], [('b', 'a'), ('b', 'c')], [('b', 'a'), ('c', 'b')]]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import combinations
from typing import Any

import networkx as nx

from dagcore._traverse import active_reach, reach
from dagcore.errors import GraphError
from dagcore.graph import CausalGraph
from dagcore.marked import ARROW, MAG, PAG, PDAG, TAIL, MarkedEdge, MarkedGraph, canonical_dag, extension_edges

_TOKEN = {(True, False): "->", (False, True): "<-", (False, False): "<->", (True, True): "--"}

__all__ = ["consistent_extension", "orient", "cpdag", "equivalent_dags", "to_mag", "m_separated", "v_structures", "mag_of_pag", "representative_dag"]


def _carry(g: Any) -> dict[str, Any]:
    """Roles, labels, positions, name and attributes of a graph, for the graph built from it."""
    return {
        "exposure": g.exposure,
        "outcome": g.outcome,
        "adjusted": g.adjusted,
        "selected": g.selected,
        "labels": g.labels,
        "positions": g.positions,
        "name": g.name,
        "attributes": g.attributes,
    }


def v_structures(directed: Iterable[tuple[str, str]], adjacent: Any) -> frozenset[tuple[str, str, str]]:
    """Unshielded colliders ``(a, b, c)`` with ``a < c``: ``a -> b <- c``, a and c not adjacent."""
    parents: dict[str, list[str]] = {}
    for u, v in directed:
        parents.setdefault(v, []).append(u)
    out = set()
    for b, ps in parents.items():
        for a, c in combinations(sorted(ps), 2):
            if not adjacent(a, c):
                out.add((a, b, c))
    return frozenset(out)


def _state(g: PDAG) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Mutable children, parents and undirected neighbours of a PDAG."""
    ch: dict[str, set[str]] = {n: set() for n in g.nodes}
    pa: dict[str, set[str]] = {n: set() for n in g.nodes}
    un: dict[str, set[str]] = {n: set() for n in g.nodes}
    for e in g.edges:
        if e.token == "->":
            ch[e.u].add(e.v)
            pa[e.v].add(e.u)
        else:
            un[e.u].add(e.v)
            un[e.v].add(e.u)
    return ch, pa, un


def consistent_extension(g: PDAG) -> CausalGraph:
    """A DAG with the PDAG's skeleton, directions and v-structures (Dor & Tarsi 1992, :func:`dagcore.marked.extension_edges`).

    Raises
    ------
    GraphError
        No such DAG exists.

    Examples
    --------
    >>> sorted(consistent_extension(PDAG([("a", "->", "b"), ("b", "--", "c")])).edges)
    [('a', 'b'), ('b', 'c')]
    """
    return CausalGraph(extension_edges(g), nodes=g.nodes, latent=g.latent, **_carry(g))


def orient(g: PDAG) -> PDAG:
    """The PDAG with every edge its extensions agree on directed: Meek's rules R1–R4 to a fixed point.

    R1: a -> b -- c, a and c not adjacent: b -> c. R2: a -> b -> c and a -- c: a -> c.
    R3: a -- b, a -- c, a -- d, c -> b <- d, c and d not adjacent: a -> b.
    R4: a -- b, a -- c, c -> d -> b, b and c not adjacent, a adjacent to d: a -> b.

    Examples
    --------
    >>> sorted(orient(PDAG([("x", "->", "a"), ("a", "--", "b"), ("b", "--", "c")])).directed)
    [('a', 'b'), ('b', 'c'), ('x', 'a')]
    """
    cached: PDAG | None = g._cache.get("oriented")  # graphs are immutable: the closure is computed once per graph
    if cached is not None:
        return cached
    ch, pa, un = _state(g)

    def adjacent(a: str, b: str) -> bool:
        return b in ch[a] or b in pa[a] or b in un[a]

    def direct(a: str, b: str) -> None:
        un[a].discard(b)
        un[b].discard(a)
        ch[a].add(b)
        pa[b].add(a)

    changed = True
    while changed:
        changed = False
        for a in g.nodes:
            for b in sorted(un[a]):
                if b not in un[a]:
                    continue
                r1 = any(not adjacent(p, b) for p in pa[a] if p != b)  # p -> a -- b
                r2 = bool(ch[a] & pa[b])  # a -> c -> b
                r3 = any(
                    not adjacent(c, d) for c, d in combinations(sorted(un[a] & pa[b]), 2)
                )
                r4 = any(
                    d in pa[b] and adjacent(a, d) and not adjacent(c, b)
                    for c in un[a]
                    for d in ch[c]
                    if c != b
                )
                if r1 or r2 or r3 or r4:
                    direct(a, b)
                    changed = True
    edges = [MarkedEdge(u, v, TAIL, ARROW) for u in g.nodes for v in sorted(ch[u])]
    edges += [MarkedEdge(u, v, TAIL, TAIL) for u in g.nodes for v in sorted(un[u]) if u < v]
    # Meek's rules are sound, so every consistent extension of g extends the closure: no re-validation.
    closed: PDAG = g._copy(edges=edges, _known={"extension": tuple(extension_edges(g))})
    closed._cache["oriented"] = closed
    g._cache["oriented"] = closed
    return closed


def cpdag(dag: CausalGraph) -> PDAG:
    """The essential graph (CPDAG) of a DAG: the edges every Markov-equivalent DAG directs the same way.

    Raises
    ------
    GraphError
        The DAG has latent nodes (its equivalence class over the observed nodes is a PAG;
        project it with :func:`to_mag` first).

    Examples
    --------
    >>> sorted(cpdag(CausalGraph([("a", "b"), ("b", "c")])).undirected)
    [('a', 'b'), ('b', 'c')]
    """
    if dag.latent:
        raise GraphError(
            f"the DAG has latent nodes ({', '.join(sorted(dag.latent)[:3])}): its class over the observed nodes is not a CPDAG; "
            "use to_mag(dag) for the latent projection"
        )
    skeleton = nx.Graph(list(dag.edges))
    skeleton.add_nodes_from(dag.nodes)
    vs = v_structures(dag.edges, skeleton.has_edge)
    compelled = {(a, b) for a, b, _ in vs} | {(c, b) for _, b, c in vs}
    edges = [(u, "->", v) if (u, v) in compelled else (u, "--", v) for u, v in sorted(dag.edges)]
    return orient(PDAG(edges, nodes=dag.nodes, **_carry(dag)))


def equivalent_dags(g: PDAG, *, limit: int | None = None) -> Iterator[CausalGraph]:
    """Every DAG the PDAG stands for (its consistent extensions), lazily; at most ``limit``.

    Examples
    --------
    >>> len(list(equivalent_dags(PDAG([("a", "--", "b"), ("b", "--", "c"), ("a", "--", "c")]))))
    6
    """
    if limit is not None and limit < 1:
        raise GraphError(f"limit must be a positive number of DAGs, got {limit}")
    count = 0
    stack = [orient(g)]
    while stack:
        h = stack.pop()
        und = sorted(h.undirected)
        if not und:
            yield consistent_extension(h)
            count += 1
            if limit is not None and count >= limit:
                return
            continue
        a, b = und[0]
        for u, v in ((b, a), (a, b)):
            edges = [e for e in h.edges if {e.u, e.v} != {a, b}] + [MarkedEdge(u, v, TAIL, ARROW)]
            try:
                child = h._copy(edges=edges)  # validation: an extension exists
            except GraphError:
                continue
            stack.append(orient(child))


def m_separated(g: MarkedGraph, xs: Collection[str], ys: Collection[str], zs: Collection[str] = ()) -> bool:
    """Whether ``zs`` m-separates ``xs`` from ``ys`` in a MAG (d-separation in its canonical DAG).

    Examples
    --------
    >>> g = MAG([("x", "<->", "m"), ("m", "<->", "y")])
    >>> m_separated(g, ["x"], ["y"]), m_separated(g, ["x"], ["y"], ["m"])
    (True, False)
    """
    canon, selection = canonical_dag(g)
    return not (active_reach(canon, set(xs), set(zs) | selection) & set(ys))


def to_mag(dag: CausalGraph) -> MAG:
    """The latent projection of a DAG to a MAG over its observed, unselected nodes.

    Latent nodes are marginalised and selected nodes conditioned on: two nodes are
    adjacent iff no set of observed nodes m-separates them given the selection;
    an edge has a tail at a node that is an ancestor of the other end or of the
    selection, an arrowhead otherwise (Richardson & Spirtes 2002, Section 4.2.1).

    Examples
    --------
    >>> g = to_mag(CausalGraph([("x", "y")], bidirected=[("x", "y")]))
    >>> [str(e) for e in g.edges]
    ['x -> y']
    >>> [str(e) for e in to_mag(CausalGraph([("u", "a"), ("u", "b")], latent="u")).edges]
    ['a <-> b']
    """
    selection = set(dag.selected)
    keep = [n for n in dag.nodes if n not in dag.latent and n not in selection]
    d = dag.nx
    pred = {n: list(d.predecessors(n)) for n in d}
    latent = set(dag.latent)
    anc_sel = reach(pred, selection) if selection else set()
    edges: list[MarkedEdge] = []
    for a, b in combinations(keep, 2):
        anc = (reach(pred, [a, b, *selection]) - latent - {a, b}) | selection
        if b in active_reach(d, {a}, anc):
            a_tail = a in reach(pred, [b]) or a in anc_sel
            b_tail = b in reach(pred, [a]) or b in anc_sel
            edges.append(MarkedEdge.of(a, _TOKEN[(a_tail, b_tail)], b))
    carry = _carry(dag)
    carry["selected"] = frozenset()
    carry["labels"] = {k: v for k, v in dag.labels.items() if k in keep}
    carry["positions"] = {k: v for k, v in dag.positions.items() if k in keep}
    for role in ("exposure", "outcome", "adjusted"):
        carry[role] = frozenset(carry[role]) & set(keep)
    return MAG(edges, nodes=keep, **carry)


def _maximum_cardinality_order(component: nx.Graph) -> dict[Any, int]:
    """Visit order of a maximum cardinality search (Tarjan & Yannakakis 1984), ties broken by name.

    In a chordal graph, the neighbours a node has among the nodes visited before it form a clique.
    Hand-written because networkx exposes no perfect elimination ordering (``complete_to_chordal_graph``
    returns an all-zero order for a graph that already is chordal).
    """
    import heapq

    weight = dict.fromkeys(component, 0)
    heap = [(0, str(n), n) for n in component]  # (-weight, name): the heaviest first, ties by name
    heapq.heapify(heap)
    order: dict[Any, int] = {}
    while heap:
        w, _, node = heapq.heappop(heap)
        if node in order or -w != weight[node]:
            continue  # visited, or a stale entry of a node whose weight has grown since
        order[node] = len(order)
        for nb in component[node]:
            if nb not in order:
                weight[nb] += 1
                heapq.heappush(heap, (-weight[nb], str(nb), nb))
    return order


def _orient_circle_component(g: PAG) -> list[tuple[str, str]]:
    """Directed edges for the o-o component of a PAG with no unshielded collider (it is chordal in a valid PAG)."""
    component = nx.Graph()
    component.add_edges_from((e.u, e.v) for e in g.edges if e.token == "@-@")
    if component.number_of_edges() == 0:
        return []
    if not nx.is_chordal(component):
        raise GraphError("the o-o edges of the PAG are not chordal, so no MAG has this PAG; the PAG is invalid")
    order = _maximum_cardinality_order(component)
    # Direct every edge from the node visited first: a node's parents are its earlier neighbours, a clique.
    return [(u, v) if order[u] < order[v] else (v, u) for u, v in component.edges]


def mag_of_pag(g: PAG) -> MAG:
    """A MAG of the PAG's Markov equivalence class (Zhang 2008, Thm 2): ``o->`` read as ``->``, the ``o-o``
    component oriented without unshielded colliders, ``o--`` read as ``--``.

    Examples
    --------
    >>> [str(e) for e in mag_of_pag(PAG([("a", "@->", "b"), ("c", "@->", "b")])).edges]
    ['a -> b', 'c -> b']
    """
    directed = [(e.u, e.v) for e in g.edges if e.token in ("->", "@->")]
    directed += _orient_circle_component(g)
    edges = [MarkedEdge(u, v, TAIL, ARROW) for u, v in directed]
    edges += [e for e in g.edges if e.token == "<->"]
    edges += [MarkedEdge(e.u, e.v, TAIL, TAIL) for e in g.edges if e.token in ("--", "@--")]
    return _ClassMAG(edges, nodes=g.nodes, latent=g.latent, **_carry(g))


class _ClassMAG(MAG):
    """The MAG of a PAG's class (Zhang 2008, Thm 2), not re-validated: the PAG's marks already are its evidence."""

    def _validate(self) -> None:
        return None


def representative_dag(g: MarkedGraph) -> tuple[CausalGraph, frozenset[str]]:
    """One DAG the graph stands for, and its selection nodes (to be conditioned on).

    PDAG: a consistent extension. MAG: the canonical DAG (``a <-> b`` through a
    latent node, ``a -- b`` into a selection node ``S[a,b]``). PAG: the canonical
    DAG of a MAG of its class.

    Examples
    --------
    >>> d, s = representative_dag(MAG([("a", "<->", "b"), ("b", "->", "c")]))
    >>> sorted(d.observed), sorted(d.bidirected)
    (['a', 'b', 'c'], [('a', 'b')])
    """
    cached: tuple[CausalGraph, frozenset[str]] | None = g._cache.get("representative")
    if cached is None:
        cached = g._cache["representative"] = _representative_dag(g)
    return cached


def _representative_dag(g: MarkedGraph) -> tuple[CausalGraph, frozenset[str]]:
    if isinstance(g, PDAG):
        return consistent_extension(g), frozenset()
    if isinstance(g, PAG):
        g = mag_of_pag(g)
    if not isinstance(g, MAG):
        raise GraphError(f"adjustment is not defined on a {g.kind} graph")
    taken = set(g.nodes)
    directed = [(e.u, e.v) for e in g.edges if e.token == "->"]
    selection: set[str] = set()
    for e in g.edges:
        if e.token == "--":
            s = f"S[{e.u},{e.v}]"
            while s in taken:
                s += "'"
            taken.add(s)
            selection.add(s)
            directed += [(e.u, s), (e.v, s)]
    rep = CausalGraph(directed, nodes=[*g.nodes, *sorted(selection)], bidirected=sorted(g.bidirected), latent=g.latent)
    return rep, frozenset(selection)
