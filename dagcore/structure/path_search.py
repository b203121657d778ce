"""Paths between two nodes: their kind, and whether a conditioning set blocks them, in words.

A path is a simple path in the skeleton of the graph (edge directions
ignored). Given a conditioning set Z, a path is *open* when every non-collider
on it is outside Z and every collider is in Z or has a descendant in Z
(Pearl 1988). Latent nodes that stand for ``A <-> B`` are shown as ``<->``.

Without an explicit ``given``, the conditioning set is the graph's
``[adjusted]`` and ``[selected]`` nodes (``ignore_adjusted=True`` drops the
adjusted ones); the iterator's ``given`` attribute says which set was used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dagcore._traverse import predecessors, successors
from dagcore.errors import GraphError
from dagcore.graph import CausalGraph, Nodes, takes_graph

__all__ = ["Path", "paths"]


@dataclass(frozen=True)
class Path:
    """One path between two nodes and its status given a conditioning set.

    Attributes
    ----------
    nodes : tuple of str
        The nodes along the path, source first.
    forward : tuple of bool
        For each step, whether the edge points away from the source (``a -> b``).
    kind : str
        ``"causal"`` (every edge points toward the target), ``"back-door"``
        (the first edge points into the source), or ``"non-causal"``.
    open : bool
        Whether the path is open given the conditioning set.
    reason : str
        Why, naming the nodes.
    """

    nodes: tuple[str, ...]
    forward: tuple[bool, ...]
    kind: str
    open: bool
    reason: str
    latent: frozenset[str] = frozenset()

    def text(self) -> str:
        """The path as text, e.g. ``X <- Z -> Y``; ``A <- U[A,B] -> B`` is shown as ``A <-> B``."""
        parts = [self.nodes[0]]
        i = 0
        while i < len(self.forward):
            nxt = self.nodes[i + 1]
            if nxt.startswith("U[") and nxt in self.latent and i + 1 < len(self.forward) and not self.forward[i] and self.forward[i + 1]:
                parts += ["<->", self.nodes[i + 2]]
                i += 2
                continue
            parts += ["->" if self.forward[i] else "<-", nxt]
            i += 1
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.text()}  [{self.kind}; {self.reason}]"

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return {"path": self.text(), "nodes": list(self.nodes), "kind": self.kind, "open": self.open, "reason": self.reason}


class PathIterator:
    """Iterator over paths that records whether a limit cut it short (``truncated``)."""

    def __init__(self, source: Iterator[Path], limit: int | None, given: frozenset[str] = frozenset()) -> None:
        self._source = source
        self._limit = limit
        self._count = 0
        self.truncated = False
        self.given = given

    def __iter__(self) -> PathIterator:
        return self

    def __next__(self) -> Path:
        if self._limit is not None and self._count >= self._limit:
            try:
                next(self._source)
            except StopIteration:
                raise StopIteration from None
            self.truncated = True
            raise StopIteration
        item = next(self._source)
        self._count += 1
        return item


def _status(g: CausalGraph, nodes: list[str], forward: list[bool], z: frozenset[str], anc_z: frozenset[str]) -> tuple[bool, str]:
    opened: list[str] = []
    for i in range(1, len(nodes) - 1):
        v = nodes[i]
        into_from_left = forward[i - 1]  # edge (i-1, i) points into v
        into_from_right = not forward[i]  # edge (i, i+1) points into v
        if into_from_left and into_from_right:
            if v in z:
                opened.append(f"collider {v} is conditioned on")
            elif v in anc_z:
                d = sorted(g.descendants(v) & z)[0]
                opened.append(f"collider {v} has conditioned descendant {d}")
            else:
                return False, f"blocked: collider {v} is not conditioned on and has no conditioned descendant"
        elif v in z:
            return False, f"blocked: {v} is conditioned on and is not a collider"
    if opened:
        return True, "opened: " + "; ".join(opened)
    return True, "open: no collider and no conditioned node on the path"


@takes_graph()
def paths(
    g: CausalGraph, source: str, target: str, *, given: Nodes | None = None, limit: int | None = None, ignore_adjusted: bool = False
) -> PathIterator:
    """Every simple path between ``source`` and ``target``, lazily, with its status given ``given``.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    source, target : str
    given : str or iterable of str, optional
        The conditioning set. None (the default) means the graph's
        ``[adjusted]`` and ``[selected]`` nodes; ``()`` means nothing.
    limit : int, optional
        Stop after this many paths; the returned iterator's ``truncated``
        attribute then says that more paths exist. The number of paths can be
        exponential in the size of the graph.
    ignore_adjusted : bool
        With ``given=None``, leave the ``[adjusted]`` nodes out of the
        conditioning set (the ``[selected]`` ones stay: the data are selected).

    Returns
    -------
    PathIterator
        Yields :class:`Path` records in depth-first order; its ``given``
        attribute is the conditioning set used.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("Z", "Y"), ("X", "Y"), ("X", "M"), ("Y", "M")])
    >>> for p in paths(g, "X", "Y", given="Z"):
    ...     print(p)
    X -> M <- Y  [non-causal; blocked: collider M is not conditioned on and has no conditioned descendant]
    X -> Y  [causal; open: no collider and no conditioned node on the path]
    X <- Z -> Y  [back-door; blocked: Z is conditioned on and is not a collider]
    >>> it = paths(g, "X", "Y", limit=1)
    >>> len(list(it)), it.truncated
    (1, True)
    >>> [p.open for p in paths(g.with_roles(adjusted="M"), "X", "Y")], sorted(paths(g.with_roles(adjusted="M"), "X", "Y").given)
    ([True, True, True], ['M'])
    """
    src = g.check_node(source)
    dst = g.check_node(target)
    if src == dst:
        raise GraphError(f"source and target are the same node {src!r}")
    if given is None:
        given = (frozenset() if ignore_adjusted else frozenset(g.adjusted)) | frozenset(g.selected)
    z = g.check_nodes(given)
    anc_z = g.ancestors(z, include_self=True)
    succ = successors(g.nx)
    pred = predecessors(g.nx)
    latent = frozenset(g.bidirected_latents)

    def walk() -> Iterator[Path]:
        # depth-first over the skeleton; children before parents, each in sorted order
        stack: list[tuple[str, list[str], list[bool], frozenset[str]]] = [(src, [src], [], frozenset((src,)))]
        while stack:
            node, nodes, fwd, on_path = stack.pop()
            if node == dst:
                yield _make(nodes, fwd)
                continue
            steps = [(c, True) for c in sorted(succ[node])] + [(p, False) for p in sorted(pred[node])]
            for nxt, is_forward in reversed(steps):
                if nxt not in on_path:
                    stack.append((nxt, nodes + [nxt], fwd + [is_forward], on_path | {nxt}))

    def _make(nodes: list[str], fwd: list[bool]) -> Path:
        if all(fwd):
            kind = "causal"
        elif not fwd[0]:
            kind = "back-door"
        else:
            kind = "non-causal"
        is_open, reason = _status(g, nodes, fwd, z, anc_z)
        return Path(tuple(nodes), tuple(fwd), kind, is_open, reason, latent)

    return PathIterator(walk(), limit, z)
