"""d-separation in a causal DAG (latent nodes included, never conditioned on).

The test is the linear-time reachability procedure ("Bayes-ball", Shachter
1998; Koller & Friedman 2009, Algorithm 3.1): walk from ``xs`` along trails,
remembering the direction each node was entered from, and stop at blocked
nodes. ``xs`` and ``ys`` are d-separated given ``given`` when no node of
``ys`` is reached.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagcore._traverse import active_reach, minimal_separator
from dagcore.errors import GraphError
from dagcore.graph import CausalGraph, Nodes, takes_graph

__all__ = ["d_separated", "d_connected", "reachable", "minimal_d_separator"]


@takes_graph()
def reachable(g: CausalGraph, sources: Nodes, *, given: Nodes = ()) -> frozenset[str]:
    """Nodes d-connected to ``sources`` given ``given`` (sources excluded unless reached back).

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
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
    return frozenset(active_reach(g.nx, g.check_nodes(sources), g.check_nodes(given)))


@takes_graph()
def d_separated(g: CausalGraph, xs: Nodes, ys: Nodes, *, given: Nodes = ()) -> bool:
    """Whether ``xs`` and ``ys`` are d-separated given ``given`` in ``g``.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
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
    check_disjoint(x, y, z)
    return not (active_reach(g.nx, x, z) & y)


def check_disjoint(x: frozenset[str], y: frozenset[str], z: frozenset[str]) -> None:
    """Raise :class:`GraphError` naming a node that two of a separation question's sets share."""
    for a, b, what in ((x, y, "xs and ys"), (x, z, "xs and given"), (y, z, "ys and given")):
        common = a & b
        if common:
            raise GraphError(f"{what} must be disjoint; both contain {sorted(common)[0]!r}")


@takes_graph()
def d_connected(g: CausalGraph, xs: Nodes, ys: Nodes, *, given: Nodes = ()) -> bool:
    """Whether ``xs`` and ``ys`` are d-connected given ``given`` (the negation of :func:`d_separated`).

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("Y", "M")])
    >>> d_connected(g, "X", "Y", given="M")
    True
    """
    return not d_separated(g, xs, ys, given=given)


@takes_graph()
def minimal_d_separator(
    g: CausalGraph, xs: Nodes, ys: Nodes, *, include: Nodes = (), restrict_to: Iterable[str] | None = None
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
    return minimal_separator(g.nx, x, y, inc, None if restrict_to is None else g.check_nodes(restrict_to), g.latent)
