"""Conditional independencies among observed variables that a causal graph implies.

These are the graph's testable implications: if the data contradict one, the
graph is wrong somewhere. :func:`dagcore.estimators.refutation.local.local_tests`
tests them on a DataFrame.

``[adjusted]`` nodes are conditioned on in every statement (they are in
``given``; ``ignore_adjusted=True`` leaves them out), and ``[selected]`` nodes
S too: the data hold only ``S = 1``, so a statement holds *in the selected
sample* when it is a d-separation given ``given ∪ S``; S is then named in
``selected`` rather than ``given`` (it is constant in the data).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dagcore._traverse import reach
from dagcore.equivalence import consistent_extension, m_separated, mag_of_pag, orient
from dagcore.errors import GraphClassError, GraphError, NodeNotFoundError
from dagcore.graph import CausalGraph, Nodes, as_names, for_graph_class, takes_graph
from dagcore.marked import MAG, PAG, PDAG, MarkedGraph, canonical_dag
from dagcore.structure.dseparation import check_disjoint, d_connected, d_separated, minimal_d_separator

__all__ = ["Independence", "implied_independencies"]


@dataclass(frozen=True, order=True)
class Independence:
    """The statement ``x ⊥ y | given`` (given is sorted).

    Examples
    --------
    >>> print(Independence("A", "B", ("C",)))
    A ⊥ B | C
    >>> print(Independence("A", "B", (), ("S",)))
    A ⊥ B  (in the sample selected on S = 1)
    """

    x: str
    y: str
    given: tuple[str, ...] = ()
    selected: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.x} ⊥ {self.y}" + (f" | {', '.join(self.given)}" if self.given else "")
        if self.selected:
            text += f"  (in the sample selected on {' = 1, '.join(self.selected)} = 1)"
        return text

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return {"x": self.x, "y": self.y, "given": list(self.given), "selected": list(self.selected), "statement": str(self)}


@takes_graph()
def implied_independencies(g: CausalGraph, *, kind: str = "missing_edge", ignore_adjusted: bool = False) -> list[Independence]:
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
        With adjusted or selected nodes C, only the statements
        ``v ⊥ w | pa(v) ∪ C`` that are still d-separations are kept (v, w outside C).
    ignore_adjusted : bool
        Leave the ``[adjusted]`` nodes out of the conditioning (the
        ``[selected]`` ones stay: the data are the selected sample).

    Returns
    -------
    list of Independence
        Sorted; every statement is a d-separation in ``g``.

    Raises
    ------
    GraphError
        ``kind="local"`` on a graph with latent nodes, an unknown kind, or a
        latent node marked adjusted or selected.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("X", "Y"), ("Z", "W")])
    >>> [str(s) for s in implied_independencies(g)]
    ['W ⊥ X | Z', 'W ⊥ Y | Z', 'Y ⊥ Z | X']
    >>> [str(s) for s in implied_independencies(g, kind="local")]
    ['W ⊥ X | Z', 'W ⊥ Y | X', 'W ⊥ Y | Z', 'Y ⊥ Z | X']
    >>> [str(s) for s in implied_independencies(g.with_roles(adjusted="X"))]
    ['W ⊥ Y | X', 'Y ⊥ Z | X']
    """
    adjusted = frozenset() if ignore_adjusted else frozenset(g.adjusted) - g.selected
    selected = frozenset(g.selected)
    hidden = (adjusted | selected) & g.latent
    if hidden:
        role = "adjusted" if sorted(hidden)[0] in adjusted else "selected"
        raise GraphError(f"{sorted(hidden)[0]!r} is marked {role} but is latent: an unobserved variable cannot be conditioned on")
    if kind == "missing_edge":
        return sorted(_missing_edge(g, adjusted, selected))
    if kind == "local":
        if g.latent:
            raise GraphError(
                "the local Markov basis needs a graph without latent nodes; use kind='missing_edge' "
                f"(the graph has latent {sorted(g.latent)[:3]})"
            )
        return sorted(_local(g, adjusted, selected))
    raise GraphError(f"unknown kind {kind!r}; use 'missing_edge' or 'local'")


def _missing_edge(g: CausalGraph, adjusted: frozenset[str], selected: frozenset[str]) -> Iterator[Independence]:
    projection = g.latent_projection()
    adjacent = {frozenset(e) for e in projection.directed} | {frozenset(e) for e in projection.bidirected}
    conditioned = adjusted | selected
    observed = sorted(frozenset(g.observed) - conditioned)
    sel = tuple(sorted(selected))
    for i, a in enumerate(observed):
        for b in observed[i + 1 :]:
            if frozenset((a, b)) in adjacent:
                continue
            z = minimal_d_separator(g, a, b, include=conditioned)
            if z is not None:
                yield Independence(a, b, tuple(sorted(z - selected)), sel)


def _local(g: CausalGraph, adjusted: frozenset[str], selected: frozenset[str]) -> Iterator[Independence]:
    conditioned = adjusted | selected
    sel = tuple(sorted(selected))
    seen: set[tuple[frozenset[str], tuple[str, ...]]] = set()
    for v in sorted(frozenset(g.nodes) - conditioned):
        parents = g.parents(v)
        others = set(g.nodes) - g.descendants(v, include_self=True) - parents - conditioned
        given = tuple(sorted((parents | adjusted) - selected))
        for w in sorted(others):
            key = (frozenset((v, w)), given)
            if key in seen:
                continue
            if conditioned and not d_separated(g, v, w, given=parents | conditioned):
                continue
            seen.add(key)
            a, b = sorted((v, w))
            yield Independence(a, b, given, sel)


@for_graph_class(implied_independencies, PDAG, MAG, PAG)
def _implied_independencies_of_class(
    g: MarkedGraph, *, kind: str = "missing_edge", ignore_adjusted: bool = False
) -> list[Independence]:
    """The independencies every DAG of the class implies (they are Markov equivalent): m-separations.

    PDAG: those of a consistent extension. MAG and PAG (through a MAG of its class):
    for each non-adjacent pair, a minimal m-separating set found from the ancestors
    of the pair and the selection (a separator by maximality; Richardson & Spirtes
    2002), shrunk one node at a time (minimal when no single node can be dropped;
    Tian, Paz & Pearl 1998).
    """
    if isinstance(g, PDAG):  # the extension keeps the roles, so [adjusted] nodes are conditioned on as in a DAG
        return implied_independencies(consistent_extension(orient(g)), kind=kind, ignore_adjusted=ignore_adjusted)  # type: ignore[no-any-return]
    if g.adjusted and not ignore_adjusted:
        raise GraphClassError(
            f"implied_independencies() of a {g.kind} with [adjusted] nodes ({', '.join(sorted(g.adjusted))}) is not "
            "supported: the independencies given them are not computed for this class; pass ignore_adjusted=True "
            "(CLI: --ignore-adjusted) for the graph's own independencies"
        )
    if kind != "missing_edge":
        raise GraphError(f"kind={kind!r} is defined on DAGs; a {g.kind} has the missing-edge basis only (kind='missing_edge')")
    mag = mag_of_pag(g) if isinstance(g, PAG) else g
    canon, selection = canonical_dag(mag)
    pred = {n: list(canon.predecessors(n)) for n in canon}
    observed = sorted(set(mag.nodes) - mag.latent)
    out = []
    for i, a in enumerate(observed):
        for b in observed[i + 1 :]:
            if mag.adjacent(a, b):
                continue
            z = {n for n in reach(pred, [a, b, *selection]) if isinstance(n, str)} - {a, b} - mag.latent
            if not m_separated(mag, [a], [b], z):
                continue  # pragma: no cover - impossible in a maximal ancestral graph
            for v in sorted(z):
                if m_separated(mag, [a], [b], z - {v}):
                    z.discard(v)
            out.append(Independence(a, b, tuple(sorted(z))))
    return sorted(out)


def _class_nodes(g: MarkedGraph, xs: Nodes, ys: Nodes, given: Nodes) -> tuple[frozenset[str], ...]:
    x, y, z = (frozenset(as_names(v)) for v in (xs, ys, given))
    for n in x | y | z:
        if n not in g.nodes:
            raise NodeNotFoundError(n, list(g.nodes))
    check_disjoint(x, y, z)
    return x, y, z


@for_graph_class(d_separated, PDAG, MAG, PAG)
def _separated_in_class(g: MarkedGraph, xs: Nodes, ys: Nodes, *, given: Nodes = ()) -> bool:
    """Separation in every graph of the class (they are Markov equivalent, so in any one of them).

    PDAG: d-separation in a consistent extension; MAG: m-separation; PAG: m-separation in a MAG of its class.
    """
    x, y, z = _class_nodes(g, xs, ys, given)
    if isinstance(g, PDAG):
        return d_separated(consistent_extension(orient(g)), x, y, given=z)  # type: ignore[no-any-return]
    return m_separated(mag_of_pag(g) if isinstance(g, PAG) else g, x, y, z)


@for_graph_class(d_connected, PDAG, MAG, PAG)
def _connected_in_class(g: MarkedGraph, xs: Nodes, ys: Nodes, *, given: Nodes = ()) -> bool:
    return not _separated_in_class(g, xs, ys, given=given)
