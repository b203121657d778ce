"""Conditional independencies among observed variables that a causal graph implies.

These are the graph's testable implications: if the data contradict one, the
graph is wrong somewhere. :func:`dagcore.estimators.refutation.local.local_tests`
tests them on a DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dagcore.errors import GraphError
from dagcore.graph import CausalGraph, takes_graph
from dagcore.structure.dseparation import minimal_d_separator

__all__ = ["Independence", "implied_independencies"]


@dataclass(frozen=True, order=True)
class Independence:
    """The statement ``x ⊥ y | given`` (given is sorted).

    Examples
    --------
    >>> print(Independence("A", "B", ("C",)))
    A ⊥ B | C
    """

    x: str
    y: str
    given: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.x} ⊥ {self.y}"
        return text + (f" | {', '.join(self.given)}" if self.given else "")

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return {"x": self.x, "y": self.y, "given": list(self.given), "statement": str(self)}


@takes_graph()
def implied_independencies(g: CausalGraph, *, kind: str = "missing_edge") -> list[Independence]:
    """The conditional independencies among observed variables implied by ``g``.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    kind : {"missing_edge", "local"}
        ``"missing_edge"`` (DAGitty's default): one statement per pair of
        observed variables that are not adjacent in the latent projection,
        with a minimal separating set of observed variables (pairs that no
        observed set separates are skipped). ``"local"``: the local Markov
        property ``v ⊥ w | pa(v)`` for every non-descendant ``w`` of ``v``
        outside ``pa(v)``, one statement per pair (graphs without latent nodes only).

    Returns
    -------
    list of Independence
        Sorted; every statement is a d-separation in ``g``.

    Raises
    ------
    GraphError
        ``kind="local"`` on a graph with latent nodes, or an unknown kind.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("X", "Y"), ("Z", "W")])
    >>> [str(s) for s in implied_independencies(g)]
    ['W ⊥ X | Z', 'W ⊥ Y | Z', 'Y ⊥ Z | X']
    >>> [str(s) for s in implied_independencies(g, kind="local")]
    ['W ⊥ X | Z', 'W ⊥ Y | X', 'W ⊥ Y | Z', 'Y ⊥ Z | X']
    """
    if kind == "missing_edge":
        return sorted(_missing_edge(g))
    if kind == "local":
        if g.latent:
            raise GraphError(
                "the local Markov basis needs a graph without latent nodes; use kind='missing_edge' "
                f"(the graph has latent {sorted(g.latent)[:3]})"
            )
        return sorted(_local(g))
    raise GraphError(f"unknown kind {kind!r}; use 'missing_edge' or 'local'")


def _missing_edge(g: CausalGraph) -> Iterator[Independence]:
    projection = g.latent_projection()
    adjacent = {frozenset(e) for e in projection.directed} | {frozenset(e) for e in projection.bidirected}
    observed = sorted(g.observed)
    for i, a in enumerate(observed):
        for b in observed[i + 1 :]:
            if frozenset((a, b)) in adjacent:
                continue
            z = minimal_d_separator(g, a, b)
            if z is not None:
                yield Independence(a, b, tuple(sorted(z)))


def _local(g: CausalGraph) -> Iterator[Independence]:
    seen: set[tuple[frozenset[str], tuple[str, ...]]] = set()
    for v in sorted(g.nodes):
        parents = g.parents(v)
        others = set(g.nodes) - g.descendants(v, include_self=True) - parents
        given = tuple(sorted(parents))
        for w in sorted(others):
            key = (frozenset((v, w)), given)
            if key in seen:
                continue
            seen.add(key)
            a, b = sorted((v, w))
            yield Independence(a, b, given)
