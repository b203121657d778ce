"""d-separation in a causal DAG (latent nodes included, never conditioned on).

The test is the linear-time reachability procedure ("Bayes-ball", Shachter
1998; Koller & Friedman 2009, Algorithm 3.1): walk from ``xs`` along trails,
remembering the direction each node was entered from, and stop at blocked
nodes. ``xs`` and ``ys`` are d-separated given ``given`` when no node of
``ys`` is reached.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagcore.errors import GraphError
from dagcore.graph import CausalGraph

__all__ = ["d_separated", "d_connected", "reachable", "minimal_d_separator"]


def reachable(g: CausalGraph, sources: str | Iterable[str], given: str | Iterable[str] = ()) -> frozenset[str]:
    """Nodes d-connected to ``sources`` given ``given`` (sources excluded unless reached back).

    Parameters
    ----------
    g : CausalGraph
    sources : str or iterable of str
        Where the trails start.
    given : str or iterable of str
        The conditioning set.

    Returns
    -------
    frozenset of str
        Every node ``v`` not in ``given`` such that some trail from a source to
        ``v`` is active given ``given``.

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("Y", "M")])
    >>> sorted(reachable(g, "X"))
    ['M']
    >>> sorted(reachable(g, "X", given="M"))
    ['Y']
    """
    xs = g.check_nodes(sources)
    zs = g.check_nodes(given)
    pred = g.nx._pred
    succ = g.nx._succ
    # Ancestors of the conditioning set (inclusive): colliders there are open.
    anc_z = set(zs)
    stack = list(zs)
    while stack:
        for p in pred[stack.pop()]:
            if p not in anc_z:
                anc_z.add(p)
                stack.append(p)
    # (node, arrived_from_child) — "up" means we came from a child (moving against the arrow).
    visited: set[tuple[str, bool]] = set()
    to_visit: list[tuple[str, bool]] = [(x, True) for x in xs]
    reached: set[str] = set()
    while to_visit:
        node, up = to_visit.pop()
        if (node, up) in visited:
            continue
        visited.add((node, up))
        if node not in zs:
            reached.add(node)
        if up:
            if node not in zs:
                to_visit.extend((p, True) for p in pred[node])
                to_visit.extend((c, False) for c in succ[node])
        else:
            if node not in zs:
                to_visit.extend((c, False) for c in succ[node])
            if node in anc_z:
                to_visit.extend((p, True) for p in pred[node])
    return frozenset(reached - xs)


def d_separated(
    g: CausalGraph,
    xs: str | Iterable[str],
    ys: str | Iterable[str],
    given: str | Iterable[str] = (),
) -> bool:
    """Whether ``xs`` and ``ys`` are d-separated given ``given`` in ``g``.

    Parameters
    ----------
    g : CausalGraph
    xs, ys : str or iterable of str
        Disjoint node sets (a single string is one node).
    given : str or iterable of str
        The conditioning set, disjoint from ``xs`` and ``ys``.

    Returns
    -------
    bool

    Raises
    ------
    NodeNotFoundError
        A name that is not a node of ``g``.
    GraphError
        The sets overlap.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("Z", "Y")])
    >>> d_separated(g, "X", "Y")
    False
    >>> d_separated(g, "X", "Y", given="Z")
    True

    References
    ----------
    Pearl, J. (1988). Probabilistic Reasoning in Intelligent Systems.
    Shachter, R. (1998). Bayes-Ball. UAI.
    """
    x, y, z = g.check_nodes(xs), g.check_nodes(ys), g.check_nodes(given)
    for a, b, what in ((x, y, "xs and ys"), (x, z, "xs and given"), (y, z, "ys and given")):
        common = a & b
        if common:
            raise GraphError(f"{what} must be disjoint; both contain {sorted(common)[0]!r}")
    return not (reachable(g, x, z) & y)


def d_connected(
    g: CausalGraph,
    xs: str | Iterable[str],
    ys: str | Iterable[str],
    given: str | Iterable[str] = (),
) -> bool:
    """Whether ``xs`` and ``ys`` are d-connected given ``given`` (the negation of :func:`d_separated`).

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("Y", "M")])
    >>> d_connected(g, "X", "Y", given="M")
    True
    """
    return not d_separated(g, xs, ys, given)


def _moral_ancestral_neighbours(g: CausalGraph, nodes: frozenset[str]) -> dict[str, set[str]]:
    """Adjacency of the moral graph of the subgraph induced by the ancestors of ``nodes`` (inclusive)."""
    anc = g.ancestors(nodes, include_self=True)
    pred = g.nx._pred
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


def minimal_d_separator(
    g: CausalGraph,
    xs: str | Iterable[str],
    ys: str | Iterable[str],
    *,
    include: str | Iterable[str] = (),
    restrict_to: Iterable[str] | None = None,
) -> frozenset[str] | None:
    """A minimal set Z with ``include ⊆ Z ⊆ restrict_to`` that d-separates ``xs`` and ``ys``, or None.

    Latent nodes are never used: ``restrict_to`` defaults to the observed
    nodes outside ``xs`` and ``ys``, and latent nodes are removed from it.
    Minimal means no proper subset containing ``include`` separates.

    The algorithm (Tian, Paz & Pearl 1998; van der Zander, Liśkiewicz & Textor
    2019, FINDMINSEP) works in the moral graph of the ancestral graph of
    ``xs ∪ ys ∪ include``:

    1. ``Z0 = restrict_to ∩ An(xs ∪ ys ∪ include)``;
    2. if ``Z0`` does not separate, no set does: return None;
    3. ``Zx = include ∪ (Z0 ∩ reachable from xs avoiding Z0)``;
    4. ``Z = include ∪ (Zx ∩ reachable from ys avoiding Zx)``.

    Examples
    --------
    >>> g = CausalGraph([("A", "X"), ("A", "B"), ("B", "Y"), ("X", "Y"), ("C", "B")])
    >>> sorted(minimal_d_separator(g, "A", "Y", include=(), restrict_to=["B", "C", "X"]))
    ['B', 'X']
    >>> minimal_d_separator(CausalGraph([("X", "Y")]), "X", "Y") is None
    True

    References
    ----------
    van der Zander, B., Liśkiewicz, M. & Textor, J. (2019). Separators and
    adjustment sets in causal graphs: complete criteria and an algorithmic
    framework. Artificial Intelligence 270, 1-40.
    """
    x, y, inc = g.check_nodes(xs), g.check_nodes(ys), g.check_nodes(include)
    if x & y:
        raise GraphError(f"xs and ys must be disjoint; both contain {sorted(x & y)[0]!r}")
    if inc & (x | y):
        raise GraphError("include must be disjoint from xs and ys")
    return _minimal_separator(g, x, y, inc, None if restrict_to is None else g.check_nodes(restrict_to))


def _minimal_separator(g: CausalGraph, x: frozenset[str], y: frozenset[str], inc: frozenset[str], restrict_to: frozenset[str] | None) -> frozenset[str] | None:
    """:func:`minimal_d_separator` on checked arguments (for callers that loop)."""
    nodes = x | y | inc
    anc = g.ancestors(nodes, include_self=True)
    # only ancestors can be in Z0: intersect first, so a large restrict_to costs one pass
    candidates = anc if restrict_to is None else restrict_to & anc
    z0 = ((candidates - g.latent) - x - y) | inc
    if not d_separated(g, x, y, z0):
        return None
    zx = inc | (_moral_reach_blockers(g, anc, x, frozenset(z0)) & z0)
    z = inc | (_moral_reach_blockers(g, anc, y, frozenset(zx)) & zx)
    return frozenset(z)


def _moral_reach_blockers(g: CausalGraph, anc: frozenset[str], start: frozenset[str], blockers: frozenset[str]) -> set[str]:
    """Blockers reachable from ``start`` in the moral graph of ``anc`` (an ancestral set) by paths whose interior avoids the blockers.

    The moral graph is never built: a node's moral neighbours are its parents, its children in ``anc`` and the
    other parents of those children. Each child's parents are enqueued once,
    the first time one of them is expanded, so the search is linear in the
    size of the ancestral graph instead of quadratic in the number of parents.
    """
    pred, succ = g.nx._pred, g.nx._succ
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
