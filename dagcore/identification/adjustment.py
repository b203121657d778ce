"""Covariate adjustment: validity, and minimal, minimum, optimal, canonical and all minimal sets.

Everything rests on the generalized adjustment criterion (Shpitser,
VanderWeele & Robins 2010; Perković, Textor, Kalisch & Maathuis 2018): for
exposures X and outcomes Y in a DAG G, a set Z is an adjustment set, so that
``P(y | do(x)) = Σ_z P(y | x, z) P(z)``, if and only if

(a) Z contains no node of ``forb(X, Y) = De(cn(X, Y)) ∪ X``, where ``cn`` are
    the nodes other than X on proper causal paths from X to Y (mediators, Y
    itself, and their descendants are forbidden), and
(b) Z d-separates X and Y in the proper back-door graph ``G^pbd``: G without
    the first edge of every proper causal path from X to Y.

Latent nodes are never used. Pearl's back-door criterion is the special case
tested by :func:`is_backdoor_set`. The fast algorithms are those of van der
Zander, Liśkiewicz & Textor (2019), "Separators and adjustment sets in causal
graphs: complete criteria and an algorithmic framework", Artificial
Intelligence 270.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import networkx as nx

from dagcore._traverse import active_trail, moral_ancestral_neighbours
from dagcore._traverse import proper_causal_nodes as causal_nodes
from dagcore.errors import GraphError
from dagcore.graph import CausalGraph, Nodes, as_names, exposure_and_outcome, takes_graph
from dagcore.identification._verdict import Verdict
from dagcore.structure.dseparation import d_separated, minimal_d_separator
from dagcore.structure.path_search import Path

__all__ = [
    "AdjustmentCheck",
    "adjustment_sets",
    "canonical_adjustment_set",
    "forbidden_nodes",
    "is_adjustment_set",
    "is_backdoor_set",
    "minimal_adjustment_set",
    "minimum_adjustment_set",
    "optimal_adjustment_set",
    "proper_causal_nodes",
]


@dataclass(frozen=True)
class AdjustmentCheck(Verdict):
    """Whether a set is a valid adjustment set; truthy when valid, else ``reason`` says why in words."""

    valid: bool
    adjustment_set: frozenset[str]
    reason: str
    open_path: str | None = None
    forbidden: frozenset[str] = frozenset()


    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return {
            "valid": self.valid,
            "set": sorted(self.adjustment_set),
            "reason": self.reason,
            "open_path": self.open_path,
            "forbidden": sorted(self.forbidden),
        }


# ---------------------------------------------------------------------------------------------- helpers
def _query(g: CausalGraph, xs: Nodes | None, ys: Nodes | None) -> tuple[frozenset[str], frozenset[str]]:
    return exposure_and_outcome(g, xs, ys, purpose="adjustment")


@takes_graph()
def proper_causal_nodes(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None) -> frozenset[str]:
    """``cn(X, Y)``: nodes other than X on proper causal paths from X to Y (Y included when X causes it).

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("M", "Y"), ("M", "D")])
    >>> sorted(proper_causal_nodes(g, "X", "Y"))
    ['M', 'Y']
    """
    x, y = _query(g, exposure, outcome)
    return causal_nodes(g.nx, x, y)


@takes_graph()
def forbidden_nodes(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None) -> frozenset[str]:
    """``forb(X, Y) = De(cn(X, Y)) ∪ X``: nodes that no adjustment set may contain.

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("M", "Y"), ("M", "D"), ("C", "X"), ("C", "Y")])
    >>> sorted(forbidden_nodes(g, "X", "Y"))
    ['D', 'M', 'X', 'Y']
    """
    x, y = _query(g, exposure, outcome)
    cn = proper_causal_nodes(g, x, y)
    return frozenset(g.descendants(cn, include_self=True) | x) if cn else frozenset(x)


def _proper_backdoor_graph(g: CausalGraph, x: frozenset[str], cn: frozenset[str]) -> CausalGraph:
    return g.without_edges((a, b) for a in x for b in g.children(a) if b in cn)


def _forced(
    g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None, include: Nodes, ignore_adjusted: bool
) -> tuple[frozenset[str], frozenset[str]] | None:
    """``(include ∪ [adjusted], [selected])``, or None when the selection rules adjustment out."""
    if not g.adjusted and not g.selected:
        return g.check_nodes(include), frozenset()
    from dagcore.identification.conditioning import forced_nodes

    x, y = _query(g, exposure, outcome)
    return forced_nodes(g, x, y, include, ignore_adjusted)


def _search_space(
    g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None, include: Nodes, exclude: Nodes
) -> tuple[frozenset[str], frozenset[str], frozenset[str], CausalGraph, frozenset[str]] | None:
    """What the set searches share: ``(x, y, include, proper back-door graph, allowed nodes)``, or None when ``include`` is impossible.

    Allowed nodes are the observed ones outside ``forb(X, Y)``, X, Y and ``exclude``.
    """
    x, y = _query(g, exposure, outcome)
    inc = g.check_nodes(include)
    exc = g.check_nodes(exclude)
    forb = forbidden_nodes(g, x, y)
    if inc & (forb | g.latent | exc):
        return None
    pbd = _proper_backdoor_graph(g, x, proper_causal_nodes(g, x, y))
    return x, y, inc, pbd, g.observed_set - forb - x - y - exc


# ---------------------------------------------------------------------------------------------- validity
@takes_graph()
def is_adjustment_set(
    g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None, adjustment_set: Iterable[str]
) -> AdjustmentCheck:
    """Check a proposed adjustment set against the generalized adjustment criterion.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    exposure, outcome : str or iterable of str
        None means the graph's roles.
    adjustment_set : iterable of str
        The set to check (a single string is one node).

    Returns
    -------
    AdjustmentCheck
        Truthy when valid; otherwise ``reason`` names a forbidden node (a
        mediator or a descendant of one), a latent node, or an open
        non-causal path, printed as a path. Under ``[selected]`` nodes the set
        must also identify the effect from the selected sample (generalized
        adjustment under selection; :mod:`dagcore.identification.conditioning`).
        The set is checked as given: ``[adjusted]`` marks are not added to it.

    Examples
    --------
    >>> g = CausalGraph([("C", "X"), ("C", "M"), ("X", "M"), ("M", "Y")])
    >>> bool(is_adjustment_set(g, "X", "Y", {"C"}))
    True
    >>> print(is_adjustment_set(g, "X", "Y", {"M"}))
    M is on a causal path from X to Y (or descends from a node that is): adjusting for it blocks part of the effect or opens a biasing path
    >>> print(is_adjustment_set(CausalGraph([("C", "X"), ("C", "Y"), ("X", "Y")]), "X", "Y", ()))
    the non-causal path X <- C -> Y is open
    """
    x, y = _query(g, exposure, outcome)
    z = g.check_nodes(as_names(adjustment_set) if isinstance(adjustment_set, str) else list(adjustment_set))
    overlap = z & (x | y)
    if overlap:
        return AdjustmentCheck(False, z, f"{sorted(overlap)[0]} is an exposure or outcome and cannot be adjusted for")
    latent = z & g.latent
    if latent:
        return AdjustmentCheck(False, z, f"{sorted(latent)[0]} is latent (unobserved) and cannot be adjusted for")
    cn = proper_causal_nodes(g, x, y)
    forb = forbidden_nodes(g, x, y)
    bad = z & forb
    if bad:
        node = sorted(bad)[0]
        return AdjustmentCheck(
            False,
            z,
            f"{node} is on a causal path from {', '.join(sorted(x))} to {', '.join(sorted(y))} "
            "(or descends from a node that is): adjusting for it blocks part of the effect or opens a biasing path",
            forbidden=frozenset(bad),
        )
    selected = _selection_check(g, x, y, z)
    if isinstance(selected, AdjustmentCheck):
        return selected
    pbd = _proper_backdoor_graph(g, x, cn)
    if d_separated(pbd, x, y, given=z | selected):
        return AdjustmentCheck(True, z, f"{{{', '.join(sorted(z))}}} blocks every non-causal path and contains no forbidden node")
    path = _open_noncausal_path(pbd, g, x, y, z | selected)
    return AdjustmentCheck(False, z, f"the non-causal path {path} is open" if path else "a non-causal path stays open", open_path=path)


def _selection_check(g: CausalGraph, x: frozenset[str], y: frozenset[str], z: frozenset[str]) -> frozenset[str] | AdjustmentCheck:
    """The selected nodes (conditioned on with the set), or the failed check when the selection rules adjustment out."""
    if not g.selected:
        return frozenset()
    from dagcore.identification.conditioning import selection_reason

    reason = selection_reason(g, x, y)
    return frozenset(g.selected) if reason is None else AdjustmentCheck(False, z, reason)


def _open_noncausal_path(
    search: CausalGraph, g: CausalGraph, x: frozenset[str], y: frozenset[str], z: frozenset[str]
) -> str | None:
    """An open non-causal path from ``x`` to ``y`` given ``z`` as text, found in ``search`` (the graph whose open
    paths are the non-causal ones: the proper back-door graph, or the graph without edges out of ``x``).

    One breadth-first Bayes-ball search and a loop erasure (:func:`~dagcore._traverse.active_trail`, linear
    time): no path is enumerated.
    """
    found = active_trail(search.nx, x, y, z, blocked=x | y)
    if found is None:
        return None
    nodes, forward = found
    return Path(tuple(nodes), tuple(forward), "non-causal", True, "", frozenset(g.latent)).text()


@takes_graph()
def is_backdoor_set(
    g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None, adjustment_set: Iterable[str]
) -> AdjustmentCheck:
    """Pearl's back-door criterion: no descendant of X in Z, and Z blocks every path into X.

    Sufficient but not necessary for adjustment (see :func:`is_adjustment_set`).

    Examples
    --------
    >>> g = CausalGraph([("C", "X"), ("C", "Y"), ("X", "Y")])
    >>> bool(is_backdoor_set(g, "X", "Y", {"C"})), bool(is_backdoor_set(g, "X", "Y", ()))
    (True, False)
    """
    x, y = _query(g, exposure, outcome)
    z = g.check_nodes(list(as_names(adjustment_set)) if isinstance(adjustment_set, str) else list(adjustment_set))
    if z & g.latent:
        return AdjustmentCheck(False, z, f"{sorted(z & g.latent)[0]} is latent (unobserved) and cannot be adjusted for")
    desc = z & g.descendants(x)
    if desc:
        return AdjustmentCheck(False, z, f"{sorted(desc)[0]} is a descendant of the exposure", forbidden=frozenset(desc))
    g_under = g.without_edges((a, b) for a in x for b in g.children(a))
    if d_separated(g_under, x, y, given=z):
        return AdjustmentCheck(True, z, "blocks every back-door path and contains no descendant of the exposure")
    path = _open_noncausal_path(g_under, g, x, y, z)
    return AdjustmentCheck(False, z, f"the back-door path {path} is open" if path else "a back-door path stays open", open_path=path)


# ---------------------------------------------------------------------------------------------- finding sets
@takes_graph()
def minimal_adjustment_set(
    g: CausalGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    include: Nodes = (),
    exclude: Nodes = (),
    ignore_adjusted: bool = False,
) -> frozenset[str] | None:
    """One inclusion-minimal adjustment set in linear time, or None when none exists.

    Steps (van der Zander et al. 2019, FINDMINADJ): build the proper back-door
    graph; restrict candidates to observed nodes outside ``forb(X, Y)`` and
    ``exclude``; find a minimal separator of X and Y containing ``include``
    there (:func:`dagcore.minimal_d_separator`). Minimal is relative to
    ``include``: no node outside ``include`` can be dropped.

    The graph's ``[adjusted]`` nodes are included too (unless
    ``ignore_adjusted=True``), and under ``[selected]`` nodes the set is
    valid for the selected sample (:mod:`dagcore.identification.conditioning`);
    :func:`dagcore.no_adjustment_reason` says why when None is returned.

    Examples
    --------
    >>> g = CausalGraph([("A", "X"), ("A", "M"), ("B", "M"), ("B", "Y"), ("X", "Y")])
    >>> minimal_adjustment_set(g, "X", "Y")   # M-bias: the empty set
    frozenset()
    >>> sorted(minimal_adjustment_set(g, "X", "Y", include={"M"}))
    ['A', 'M']
    >>> minimal_adjustment_set(CausalGraph([("X", "Y")], bidirected=[("X", "Y")]), "X", "Y") is None
    True
    """
    forced = _forced(g, exposure, outcome, include, ignore_adjusted)
    if forced is None:
        return None
    space = _search_space(g, exposure, outcome, forced[0] | forced[1], exclude)
    if space is None:
        return None
    x, y, inc, pbd, allowed = space
    found = minimal_d_separator(pbd, x, y, include=inc, restrict_to=allowed | inc)
    return None if found is None else found - forced[1]


@takes_graph()
def canonical_adjustment_set(
    g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, *, ignore_adjusted: bool = False
) -> frozenset[str] | None:
    """The canonical set ``An(X ∪ Y) ∩ observed \\ (X ∪ Y ∪ forb)`` (Perković et al. 2018), or None.

    It is an adjustment set whenever any adjustment set exists. With
    ``[adjusted]`` nodes A (and selected nodes S) it is
    ``A ∪ (An(X ∪ Y ∪ A ∪ S) ∩ observed \\ (X ∪ Y ∪ S ∪ forb))``, valid whenever
    any set containing A is (van der Zander et al. 2019, separators containing a
    given set).

    Examples
    --------
    >>> g = CausalGraph([("A", "X"), ("A", "M"), ("B", "M"), ("B", "Y"), ("X", "Y")])
    >>> sorted(canonical_adjustment_set(g, "X", "Y"))
    ['A', 'B']
    """
    x, y = _query(g, exposure, outcome)
    forced = _forced(g, x, y, (), ignore_adjusted)
    if forced is None:
        return None
    inc, sel = forced
    forb = forbidden_nodes(g, x, y)
    if inc & (forb | g.latent):
        return None
    z = ((g.ancestors(x | y | inc | sel) & g.observed_set) - forb - x - y - sel) | inc
    return frozenset(z) if is_adjustment_set(g, x, y, z) else None


@takes_graph()
def optimal_adjustment_set(
    g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, *, ignore_adjusted: bool = False
) -> frozenset[str] | None:
    """The O-set ``pa(cn(X, Y)) \\ forb(X, Y)`` of Henckel, Perković & Maathuis (2022), or None.

    Among all valid adjustment sets, the O-set gives the smallest asymptotic
    variance for regression (and many other) estimators of the total effect.
    It needs every node of ``pa(cn)`` observed; when one is latent, or the
    set is not valid (then no adjustment set exists), None is returned.

    With ``[adjusted]`` nodes A the answer is ``O ∪ A`` when that is valid
    (else None): a valid set containing A with the O-set's covariates, but
    Henckel et al.'s optimality is proven for the unconstrained O-set only.
    Under ``[selected]`` nodes the set must also be valid for the selected
    sample (its optimality there is not established either).

    References
    ----------
    Henckel, L., Perković, E. & Maathuis, M. (2022). Graphical criteria for
    efficient total effect estimation via adjustment in causal linear models.
    JRSS-B 84(2).

    Examples
    --------
    >>> g = CausalGraph([("C", "X"), ("C", "Y"), ("X", "Y"), ("P", "Y"), ("I", "X")])
    >>> sorted(optimal_adjustment_set(g, "X", "Y"))
    ['C', 'P']
    """
    x, y = _query(g, exposure, outcome)
    forced = _forced(g, x, y, (), ignore_adjusted)
    if forced is None:
        return None
    inc, sel = forced
    cn = proper_causal_nodes(g, x, y)
    forb = forbidden_nodes(g, x, y)
    parents: set[str] = set()
    for v in cn:
        parents |= g.parents(v)
    o = (frozenset(parents) - forb - x - sel) | inc
    if o & (g.latent | forb):
        return None
    return o if is_adjustment_set(g, x, y, o) else None


@takes_graph()
def minimum_adjustment_set(
    g: CausalGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    cost: Mapping[str, float] | None = None,
    ignore_adjusted: bool = False,
) -> frozenset[str] | None:
    """An adjustment set of fewest variables (or least total ``cost``), or None.

    Computed as a minimum vertex cut between X and Y in the moral graph of the
    ancestral proper back-door graph (van der Zander et al. 2019, FINDMINCOSTADJ),
    with networkx's maximum flow. Nodes that may not be adjusted for get
    infinite capacity. ``[adjusted]`` nodes (and ``[selected]`` ones) are
    conditioned on: removed from the moral graph of ``An(X ∪ Y ∪ A ∪ S)``,
    and the adjusted ones added to the cut.

    Examples
    --------
    >>> g = CausalGraph([("A", "X"), ("B", "X"), ("A", "C"), ("B", "C"), ("C", "Y"), ("X", "Y")])
    >>> sorted(minimum_adjustment_set(g, "X", "Y"))
    ['C']
    >>> sorted(minimum_adjustment_set(g, "X", "Y", cost={"C": 5, "A": 1, "B": 1}))
    ['A', 'B']
    """
    forced = _forced(g, exposure, outcome, (), ignore_adjusted)
    if forced is None:
        return None
    space = _search_space(g, exposure, outcome, forced[0] | forced[1], ())
    if space is None:
        return None
    x, y, inc, pbd, allowed = space
    if minimal_d_separator(pbd, x, y, include=inc, restrict_to=allowed | inc) is None:
        return None
    nbrs = {v: ws - inc for v, ws in moral_ancestral_neighbours(pbd.nx, x | y | inc).items() if v not in inc}
    flow = nx.DiGraph()
    source, sink = ("__source__",), ("__sink__",)
    for v in nbrs:
        if v in x:
            flow.add_edge(source, (v, "out"))
            continue
        if v in y:
            flow.add_edge((v, "in"), sink)
            continue
        if v in allowed:
            c = 1.0 if cost is None else float(cost.get(v, 1.0))
            if c < 0:
                raise GraphError(f"cost of {v!r} is negative")
            flow.add_edge((v, "in"), (v, "out"), capacity=c)
        else:
            flow.add_edge((v, "in"), (v, "out"))
    for v, ws in nbrs.items():
        for w in ws:
            flow.add_edge((v, "out"), (w, "in"))
    if source not in flow or sink not in flow:
        return forced[0]
    _value, (reach, _rest) = nx.minimum_cut(flow, source, sink)
    cut = frozenset(v for v in nbrs if (v, "in") in reach and (v, "out") not in reach)
    return cut | forced[0]


@takes_graph()
def adjustment_sets(
    g: CausalGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    include: Nodes = (),
    exclude: Nodes = (),
    ignore_adjusted: bool = False,
) -> Iterator[frozenset[str]]:
    """Every minimal adjustment set, lazily, with polynomial delay.

    Minimal adjustment sets are the minimal separators of X and Y in the
    moral graph of the ancestral proper back-door graph, restricted to
    allowed nodes (van der Zander et al. 2019). They are generated from the
    separator closest to X by the moves of Berry, Bordat & Cogis (2000) /
    Kloks & Kratsch (1998): for a minimal separator S with X-side component C
    and each s in S, close ``C ∪ {s}`` and take the separator closest to Y of
    what remains. The first set costs one linear-time pass.

    Every set contains ``include`` and the graph's ``[adjusted]`` nodes
    (unless ``ignore_adjusted=True``); minimal is relative to them. Under
    ``[selected]`` nodes only sets valid for the selected sample are listed
    (none when the selection rules adjustment out; see
    :func:`dagcore.no_adjustment_reason`).

    Examples
    --------
    >>> g = CausalGraph([("A", "X"), ("A", "B"), ("B", "Y"), ("X", "Y")])
    >>> sorted(sorted(s) for s in adjustment_sets(g, "X", "Y"))
    [['A'], ['B']]
    """
    forced = _forced(g, exposure, outcome, include, ignore_adjusted)
    if forced is None:
        return
    selected = forced[1]
    space = _search_space(g, exposure, outcome, forced[0] | selected, exclude)
    if space is None:
        return
    x, y, inc, pbd, allowed = space
    full = moral_ancestral_neighbours(pbd.nx, x | y | inc)
    # Included nodes are always conditioned on: remove them from the moral graph.
    nbrs = {v: ws - inc for v, ws in full.items() if v not in inc}
    search: _BitSearch | _SetSearch = (_BitSearch if len(nbrs) <= _BITSET_NODES else _SetSearch)(nbrs, x, y, allowed - inc)
    for s in search.separators():
        yield (s | inc) - selected


#: Largest moral graph listed with bit masks (one Python int of up to n bits per node: 50 MB at 20,000 nodes).
#: Measured against the set-based search below (same driver, same machine): 2.9x on the first 10 sets of
#: deep_dag(10,000) (52.7 s against 152.3 s) and, with the skipped closest-to-Y searches, 3.4x on the 2^16 sets of
#: the ladder (4.0 s against 11.7 s); benchmarks/bench_identify.py --issue11 has the end-to-end ratios.
_BITSET_NODES = 20_000


_Sep = TypeVar("_Sep", frozenset[str], int)  # a node set: names, or a bit mask
_Comp = TypeVar("_Comp", set[str], int)


class _SeparatorSearch(Generic[_Sep, _Comp]):
    """The minimal X-Y separators of a moral graph whose nodes in ``allowed`` may be cut, lazily, without repeats.

    Generated from the separator closest to X by the moves of Berry, Bordat &
    Cogis (2000) / Kloks & Kratsch (1998): for a minimal separator S with
    X-side component C and each s in S, close ``C ∪ {s}`` and take the
    separator closest to Y of what remains, breadth first over the separators
    found, each yielded when found (the queue's order, with less work before
    each set). When the closed set's boundary is itself a separator already
    found, it is its own closest-to-Y separator, so that search is skipped. The four
    searches of the moral graph are kept apart on purpose: merged into one with
    optional arguments (or into two), the listing ran 6-20% slower. Subclasses
    store node sets as Python sets (any size) or as bit masks (faster on small
    and dense moral graphs: one OR per node instead of one test per edge).
    """

    def close_x(self) -> _Sep | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def grow(self, comp: _Comp, separator: _Sep, v: _Sep) -> _Sep | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def y_side(self, separator: _Sep) -> _Sep:  # pragma: no cover - abstract
        raise NotImplementedError

    def x_component(self, separator: _Sep) -> _Comp:  # pragma: no cover - abstract
        raise NotImplementedError

    def members(self, separator: _Sep) -> Iterable[_Sep]:  # pragma: no cover - abstract
        raise NotImplementedError

    def names(self, separator: _Sep) -> frozenset[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def separators(self) -> Iterator[frozenset[str]]:
        boundary = self.close_x()
        if boundary is None:
            return
        s0 = self.y_side(boundary)
        yield self.names(s0)
        seen = {s0}
        queue = deque([s0])
        while queue:
            s = queue.popleft()
            comp = self.x_component(s)
            for v in self.members(s):
                grown = self.grow(comp, s, v)
                if grown is None or grown in seen:
                    continue
                nxt = self.y_side(grown)
                if nxt not in seen:
                    seen.add(nxt)
                    yield self.names(nxt)  # breadth first, so the order is the queue's: yielding on discovery saves work
                    queue.append(nxt)


class _SetSearch(_SeparatorSearch[frozenset[str], set[str]]):
    """Node sets as frozensets of names; members in sorted order."""

    def __init__(self, nbrs: Mapping[str, set[str]], x: frozenset[str], y: frozenset[str], allowed: frozenset[str]) -> None:
        self.nbrs, self.x, self.y, self.allowed = nbrs, x, y, allowed

    def close_x(self) -> frozenset[str] | None:
        """The allowed nodes bordering X's component through nodes that cannot be cut, or None if Y is reached."""
        nbrs, y, allowed = self.nbrs, self.y, self.allowed
        comp = set(self.x)
        stack = list(comp)
        boundary: set[str] = set()
        while stack:
            for w in nbrs[stack.pop()]:
                if w in comp or w in boundary:
                    continue
                if w in y:
                    return None
                if w in allowed:
                    boundary.add(w)
                else:
                    comp.add(w)
                    stack.append(w)
        return frozenset(boundary)

    def grow(self, comp: set[str], separator: frozenset[str], v: frozenset[str]) -> frozenset[str] | None:
        """The boundary of ``comp ∪ {v}`` closed, when ``comp`` is the X-side component of the minimal separator ``separator``.

        Every other separator node already borders ``comp``, so only the region
        newly reached through ``v`` is searched.
        """
        nbrs, y, allowed = self.nbrs, self.y, self.allowed
        boundary = set(separator - v)
        new = set(v)
        stack = list(v)
        while stack:
            for w in nbrs[stack.pop()]:
                if w in comp or w in new or w in boundary:
                    continue
                if w in y:
                    return None
                if w in allowed:
                    boundary.add(w)
                else:
                    new.add(w)
                    stack.append(w)
        return frozenset(boundary)

    def y_side(self, separator: frozenset[str]) -> frozenset[str]:
        """The separator closest to Y: neighbours of Y's component once ``separator`` is removed."""
        nbrs = self.nbrs
        comp = set(self.y)
        stack = list(comp)
        out: set[str] = set()
        while stack:
            for w in nbrs[stack.pop()]:
                if w in comp or w in out:
                    continue
                if w in separator:
                    out.add(w)
                else:
                    comp.add(w)
                    stack.append(w)
        return frozenset(out)

    def x_component(self, separator: frozenset[str]) -> set[str]:
        nbrs = self.nbrs
        comp = set(self.x)
        stack = list(comp)
        while stack:
            for w in nbrs[stack.pop()]:
                if w not in comp and w not in separator:
                    comp.add(w)
                    stack.append(w)
        return comp

    def members(self, separator: frozenset[str]) -> list[frozenset[str]]:
        return [frozenset((v,)) for v in sorted(separator)]

    def names(self, separator: frozenset[str]) -> frozenset[str]:
        return separator


class _BitSearch(_SeparatorSearch[int, int]):
    """Node sets as bit masks over the nodes in sorted order (bit i is the i-th name), so members come in sorted order too."""

    def __init__(self, nbrs: Mapping[str, set[str]], x: frozenset[str], y: frozenset[str], allowed: frozenset[str]) -> None:
        self.order = sorted(nbrs)
        index = {v: i for i, v in enumerate(self.order)}
        self.nbr = [sum(1 << index[w] for w in nbrs[v]) for v in self.order]
        self.x = sum(1 << index[v] for v in x if v in index)
        self.y = sum(1 << index[v] for v in y if v in index)
        self.allowed = sum(1 << index[v] for v in allowed if v in index)

    def _around(self, frontier: int) -> int:
        """The union of the neighbourhoods of the nodes in ``frontier``."""
        nbr = self.nbr
        acc = 0
        while frontier:
            low = frontier & -frontier
            acc |= nbr[low.bit_length() - 1]
            frontier ^= low
        return acc

    def close_x(self) -> int | None:
        around, y, allowed = self._around, self.y, self.allowed
        comp = frontier = self.x
        boundary = 0
        while frontier:
            new = around(frontier) & ~comp & ~boundary
            if new & y:
                return None
            boundary |= new & allowed
            frontier = new & ~allowed
            comp |= frontier
        return boundary

    def grow(self, comp: int, separator: int, v: int) -> int | None:
        around, y, allowed = self._around, self.y, self.allowed
        boundary = separator & ~v
        seen = comp | v
        frontier = v
        while frontier:
            new = around(frontier) & ~seen & ~boundary
            if new & y:
                return None
            boundary |= new & allowed
            frontier = new & ~allowed
            seen |= frontier
        return boundary

    def y_side(self, separator: int) -> int:
        around = self._around
        comp = frontier = self.y
        out = 0
        while frontier:
            new = around(frontier) & ~comp
            out |= new & separator
            frontier = new & ~separator
            comp |= frontier
        return out

    def x_component(self, separator: int) -> int:
        around = self._around
        comp = frontier = self.x
        while frontier:
            frontier = around(frontier) & ~comp & ~separator
            comp |= frontier
        return comp

    def members(self, separator: int) -> Iterator[int]:
        while separator:
            low = separator & -separator
            yield low
            separator ^= low

    def names(self, separator: int) -> frozenset[str]:
        order = self.order
        out = []
        while separator:
            low = separator & -separator
            out.append(order[low.bit_length() - 1])
            separator ^= low
        return frozenset(out)
