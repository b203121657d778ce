"""Covariate adjustment in CPDAGs/PDAGs, MAGs and PAGs: the generalized adjustment criterion.

Perković, Textor, Kalisch & Maathuis (2018), "Complete graphical characterization
and construction of adjustment sets in Markov equivalence classes of ancestral
graphs", JMLR 18(220). For exposures X and outcomes Y in a PDAG, MAG or PAG G,
a set Z is an adjustment set for every DAG G stands for iff

(0) G is *amenable*: every proper possibly causal path from X to Y starts with a
    (visible) directed edge out of X — otherwise no set works, and the reason
    names the edge;
(a) Z has no node of ``Forb(X, Y, G)``: the possible descendants of the nodes
    other than X on proper possibly causal paths (and X);
(b) Z blocks every proper definite-status non-causal path from X to Y.

Given (0) and (a), (b) holds in G iff it holds in any one DAG G stands for
(the "representative" below): a consistent extension of a PDAG; the canonical
DAG (a latent node per ``<->``, a conditioned selection node per ``--``) of a
MAG, or of a MAG of a PAG's class (circles on ``o->`` read as tails, the
``o-o`` component oriented without unshielded colliders; Zhang 2008). So each
question is the DAG question of :mod:`dagcore.identification.adjustment` on the
representative, with ``Forb(X, Y, G)`` excluded: one implementation of the
separator machinery serves every class. ``tests/test_graph_classes.py`` checks
the PDAG answers against every DAG in the class by brute force.

Examples
--------
>>> from dagcore import parse, adjustment_sets, is_adjustment_set
>>> g = parse("pdag { a -- b  a -> x  b -> x  a -> y  b -> y  x -> y  x [exposure] y [outcome] }")
>>> sorted(sorted(s) for s in adjustment_sets(g))
[['a', 'b']]
>>> print(is_adjustment_set(parse("pdag { x -- y  x [exposure] y [outcome] }"), None, None, ()))
not amenable: x -- y may point either way, so the pdag does not say whether x causes y through it; no adjustment set works for every DAG it stands for
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dagcore._traverse import reach
from dagcore.equivalence import orient, representative_dag
from dagcore.errors import GraphClassError, GraphError, NodeNotFoundError
from dagcore.graph import CausalGraph, Nodes, as_names, for_graph_class
from dagcore.identification import adjustment as dag
from dagcore.identification.adjustment import AdjustmentCheck
from dagcore.marked import (
    ARROW,
    MAG,
    PAG,
    PDAG,
    TAIL,
    MarkedGraph,
    possible_adjacency,
    possible_descendants,
    possibly_out,
)

__all__ = ["amenability", "generalized_forbidden_nodes"]

_CLASSES = (PDAG, MAG, PAG)


@dataclass(frozen=True)
class _Query:
    x: frozenset[str]
    y: frozenset[str]
    forb: frozenset[str]
    problem: str | None  # not amenable: why
    dag: CausalGraph  # the representative DAG
    selection: frozenset[str]  # its selection nodes, always conditioned on
    graph: MarkedGraph  # the graph the criterion reads (a PDAG closed under Meek's rules)


def _query(g: MarkedGraph, exposure: Nodes | None, outcome: Nodes | None) -> _Query:
    x = frozenset(as_names(exposure)) if exposure is not None else g.exposure
    y = frozenset(as_names(outcome)) if outcome is not None else g.outcome
    if not x or not y:
        raise GraphError(f"adjustment needs an exposure and an outcome; mark them in the {g.kind} ([exposure], [outcome]) or pass them")
    for n in x | y:
        if n not in g.nodes:
            raise NodeNotFoundError(n, list(g.nodes))
    if x & y:
        raise GraphError(f"{sorted(x & y)[0]} is both exposure and outcome")
    if g.selected:
        raise GraphClassError(
            f"[selected] nodes in a {g.kind} are not supported: in a MAG, write selection as an undirected edge (a -- b); "
            f"selected here: {', '.join(sorted(g.selected))}"
        )
    if isinstance(g, PDAG):
        g = orient(g)  # the criterion reads the maximally oriented PDAG (Meek's rules; Perković et al. 2017)
    rep, selection = representative_dag(g)
    return _Query(x, y, generalized_forbidden_nodes(g, x, y), amenability(g, x, y), rep, selection, g)


def _proper_possibly_causal_nodes(g: MarkedGraph, x: frozenset[str], y: frozenset[str]) -> frozenset[str]:
    forward = reach(possible_adjacency(g), x, avoid=x)
    backward = reach(possible_adjacency(g, reverse=True), y, avoid=x)
    return frozenset((forward & backward) - x)


def generalized_forbidden_nodes(g: MarkedGraph, x: Iterable[str], y: Iterable[str]) -> frozenset[str]:
    """``Forb(X, Y, G)``: X and the possible descendants of nodes on proper possibly causal paths from X to Y.

    Examples
    --------
    >>> sorted(generalized_forbidden_nodes(PDAG([("x", "->", "m"), ("m", "--", "d"), ("m", "->", "y")]), ["x"], ["y"]))
    ['d', 'm', 'x', 'y']
    """
    xs, ys = frozenset(x), frozenset(y)
    cn = _proper_possibly_causal_nodes(g, xs, ys)
    return frozenset(possible_descendants(g, cn) | xs) if cn else xs


def _visible(g: MarkedGraph, x: str, d: str) -> bool:
    """Whether the directed edge ``x -> d`` of a MAG or PAG is visible (Zhang 2008, Def. 3.1).

    Visible: some V not adjacent to d has an edge into x, or a collider path into x
    whose interior nodes are all parents of d.
    """
    if isinstance(g, PDAG):
        return True
    parents_of_d = {e.other(d) for e in g.incident(d) if e.mark_at(d) == ARROW and e.mark_at(e.other(d)) == TAIL}
    seen = {x}
    frontier = [x]
    while frontier:
        node = frontier.pop()
        for e in g.incident(node):
            v = e.other(node)
            if v in seen or v == d or e.mark_at(node) != ARROW:
                continue  # only edges into the current node
            if not g.adjacent(v, d):
                return True
            # v is adjacent to d: it can continue the collider path if it is a collider (arrow at v) and a parent of d
            if e.mark_at(v) == ARROW and v in parents_of_d:
                seen.add(v)
                frontier.append(v)
    return False


def amenability(g: MarkedGraph, x: Iterable[str], y: Iterable[str]) -> str | None:
    """None when G is amenable relative to (X, Y); else why no adjustment set can work in this class.

    Examples
    --------
    >>> amenability(PDAG([("x", "->", "y")]), ["x"], ["y"]) is None
    True
    """
    xs, ys = frozenset(x), frozenset(y)
    if isinstance(g, PDAG):
        g = orient(g)  # amenability is read on the maximally oriented PDAG
    towards_y = reach(possible_adjacency(g, reverse=True), ys, avoid=xs)
    for a in sorted(xs):
        for e in sorted(g.incident(a)):
            b = e.other(a)
            if b in xs or b not in towards_y or not possibly_out(g, e, a):
                continue
            if e.mark_at(a) != TAIL or e.mark_at(b) != ARROW:
                return (
                    f"not amenable: {e} may point either way, so the {g.kind} does not say whether {a} causes "
                    f"{', '.join(sorted(ys))} through it; no adjustment set works for every DAG it stands for"
                )
            if not _visible(g, a, b):
                return (
                    f"not amenable: the edge {a} -> {b} is not visible (a latent confounder of {a} and {b} is not ruled out); "
                    f"no adjustment set works for every DAG the {g.kind} stands for"
                )
    return None


def _set(z: Iterable[str] | str) -> frozenset[str]:
    return frozenset(as_names(z)) if isinstance(z, str) else frozenset(z)


def _forced(g: MarkedGraph, include: Nodes, ignore_adjusted: bool) -> frozenset[str]:
    """``include`` and, unless ignored, the ``[adjusted]`` nodes: conditioned on in every set, as for DAGs."""
    return _set(include) | (frozenset() if ignore_adjusted else g.adjusted)


@for_graph_class(dag.is_adjustment_set, *_CLASSES)
def _is_adjustment_set(g: MarkedGraph, exposure: Nodes | None, outcome: Nodes | None, adjustment_set: Iterable[str]) -> AdjustmentCheck:
    q = _query(g, exposure, outcome)
    z = _set(adjustment_set)
    for n in z:
        if n not in g.nodes:
            raise NodeNotFoundError(n, list(g.nodes))
    if q.problem:
        return AdjustmentCheck(False, z, q.problem)
    bad = z & (q.forb - q.x)
    if bad:
        node = sorted(bad)[0]
        return AdjustmentCheck(
            False,
            z,
            f"{node} is possibly on a causal path from {', '.join(sorted(q.x))} to {', '.join(sorted(q.y))} "
            f"(or possibly descends from a node that is) in some DAG the {g.kind} stands for",
            forbidden=frozenset(bad),
        )
    check = dag.is_adjustment_set(q.dag, q.x, q.y, z | q.selection)
    if check:
        return AdjustmentCheck(True, z, f"{{{', '.join(sorted(z))}}} is an adjustment set for every DAG the {g.kind} stands for")
    return AdjustmentCheck(False, z, check.reason, open_path=check.open_path, forbidden=check.forbidden)


@for_graph_class(dag.adjustment_sets, *_CLASSES)
def _adjustment_sets(
    g: MarkedGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    include: Nodes = (),
    exclude: Nodes = (),
    ignore_adjusted: bool = False,
) -> Iterator[frozenset[str]]:
    q = _query(g, exposure, outcome)
    if q.problem:
        return iter(())
    sets = dag.adjustment_sets(
        q.dag, q.x, q.y, include=_forced(g, include, ignore_adjusted) | q.selection, exclude=(_set(exclude) | q.forb) - q.x - q.y
    )
    return (s - q.selection for s in sets)


@for_graph_class(dag.minimal_adjustment_set, *_CLASSES)
def _minimal_adjustment_set(
    g: MarkedGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    include: Nodes = (),
    exclude: Nodes = (),
    ignore_adjusted: bool = False,
) -> frozenset[str] | None:
    q = _query(g, exposure, outcome)
    if q.problem:
        return None
    found = dag.minimal_adjustment_set(
        q.dag, q.x, q.y, include=_forced(g, include, ignore_adjusted) | q.selection, exclude=(_set(exclude) | q.forb) - q.x - q.y
    )
    return None if found is None else found - q.selection


@for_graph_class(dag.canonical_adjustment_set, *_CLASSES)
def _canonical_adjustment_set(
    g: MarkedGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, *, ignore_adjusted: bool = False
) -> frozenset[str] | None:
    """``PossAn(X ∪ Y) \\ (X ∪ Y ∪ Forb)`` over observed nodes (Perković et al. 2018, Def. 4.1), when it is valid."""
    q = _query(g, exposure, outcome)
    if q.problem:
        return None
    forced = _forced(g, (), ignore_adjusted)
    possible_ancestors = reach(possible_adjacency(q.graph, reverse=True), q.x | q.y | forced)
    z = (frozenset(possible_ancestors) - q.x - q.y - q.forb - g.latent) | forced
    return z if _is_adjustment_set(g, q.x, q.y, z) else None

