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

__all__ = ["d_separated", "d_connected", "reachable"]


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
