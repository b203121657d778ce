"""The front-door criterion (Pearl 1995), for sets of mediators.

A set M satisfies the front-door criterion relative to (X, Y) when

(i)   M intercepts every directed path from X to Y;
(ii)  no back-door path from X to M is open (X and M are d-separated once the
      edges out of X are removed);
(iii) every back-door path from M to Y is blocked by X (M and Y are
      d-separated given X once the edges out of M are removed).

Then ``P(y | do(x)) = Σ_m P(m | x) Σ_x' P(y | m, x') P(x')``. Latent nodes are
never in M.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dagcore._traverse import active_reach, directed_path
from dagcore.graph import CausalGraph, Nodes, as_names, exposure_and_outcome, takes_graph
from dagcore.identification._verdict import Verdict
from dagcore.structure.dseparation import d_separated

__all__ = ["FrontdoorCheck", "is_frontdoor_set", "frontdoor_sets", "find_frontdoor_set"]

_BRUTE_FORCE_LIMIT = 14


@dataclass(frozen=True)
class FrontdoorCheck(Verdict):
    """Truthy when M is a front-door set; otherwise ``reason`` names the failed condition."""

    valid: bool
    mediators: frozenset[str]
    reason: str
    condition: str | None = None


def _without_out_edges(g: CausalGraph, nodes: frozenset[str]) -> CausalGraph:
    """``g`` without the edges out of ``nodes`` (do-calculus' G with X underlined); the instrument checks use it too."""
    return g.without_edges((a, b) for a in nodes for b in g.children(a))


def _query(g: CausalGraph, x: Nodes | None, y: Nodes | None) -> tuple[frozenset[str], frozenset[str]]:
    return exposure_and_outcome(g, x, y, purpose="the front-door criterion")


@takes_graph()
def is_frontdoor_set(g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None, mediators: Iterable[str]) -> FrontdoorCheck:
    """Check the front-door criterion, naming the condition that fails.

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("M", "Y")], bidirected=[("X", "Y")])
    >>> bool(is_frontdoor_set(g, "X", "Y", {"M"}))
    True
    >>> print(is_frontdoor_set(CausalGraph([("X", "M"), ("M", "Y"), ("X", "Y")]), "X", "Y", {"M"}))
    condition (i) fails: the directed path X -> Y does not go through {M}
    """
    x, y = _query(g, exposure, outcome)
    m = g.check_nodes(as_names(mediators) if isinstance(mediators, str) else list(mediators))
    if not m:
        return FrontdoorCheck(False, m, "the mediator set is empty", "i")
    if m & g.latent:
        return FrontdoorCheck(False, m, f"{sorted(m & g.latent)[0]} is latent and cannot be a front-door variable", "observed")
    if m & (x | y):
        return FrontdoorCheck(False, m, "mediators must differ from the exposure and outcome", "i")
    if directed_path(g.nx, x, y) is None:
        return FrontdoorCheck(
            False, m,
            f"{', '.join(sorted(x))} has no directed path to {', '.join(sorted(y))}: there is no effect to mediate "
            "(it is zero; identify() gives the formula)",
            "i",
        )
    # (i) every directed path from X to Y goes through M
    path = directed_path(g.nx, x, y, avoid=m)
    if path:
        return FrontdoorCheck(False, m, f"condition (i) fails: the directed path {' -> '.join(path)} does not go through {{{', '.join(sorted(m))}}}", "i")
    # (ii) no open back-door path from X to M
    if not d_separated(_without_out_edges(g, x), x, m):
        return FrontdoorCheck(False, m, f"condition (ii) fails: a back-door path from {', '.join(sorted(x))} to {{{', '.join(sorted(m))}}} is open", "ii")
    # (iii) back-door paths from M to Y blocked by X
    if not d_separated(_without_out_edges(g, m), m, y, given=x):
        return FrontdoorCheck(False, m, f"condition (iii) fails: a back-door path from {{{', '.join(sorted(m))}}} to {', '.join(sorted(y))} is not blocked by {', '.join(sorted(x))}", "iii")
    return FrontdoorCheck(True, m, "satisfies the front-door criterion", None)


def _largest_candidate_set(g: CausalGraph, x: frozenset[str], y: frozenset[str]) -> frozenset[str]:
    """The largest set of observed non-descendants of Y meeting (ii) one by one and (iii) together (Jeong et al. 2022).

    ``benchmarks/reference_frontdoor.py`` keeps the one-at-a-time loop this replaces; a test checks they agree.
    """
    # (ii) for each candidate alone: X and v d-separated with X's out-edges cut, i.e. v outside one Bayes-ball reach.
    reached = active_reach(_without_out_edges(g, x).nx, x, ())
    candidates = frozenset(g.observed) - x - y - g.descendants(y) - reached
    # (iii): drop every candidate d-connected to Y given X once the candidates' out-edges are cut, all of a round's
    # violators at once (one reach from Y per round). Dropping a candidate restores its out-edges, which only adds
    # d-connections, so a violator stays one: the rounds reach the same largest set as dropping one at a time
    # (linear per round instead of one d-separation per candidate: see benchmarks/README.md, the bow table).
    while candidates:
        violators = candidates & active_reach(_without_out_edges(g, candidates).nx, y, x)
        if not violators:
            break
        candidates -= violators
    return frozenset(candidates)


@takes_graph()
def find_frontdoor_set(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None) -> frozenset[str] | None:
    """A front-door set in polynomial time, or None.

    Following Jeong, Tian & Bareinboim (2022): start from the observed
    nodes (not descendants of Y) that satisfy (ii) one by one;
    repeatedly drop those that violate (iii) with the current set; the
    largest surviving set satisfies the criterion exactly when any set does
    among those candidates, so it is returned when it also satisfies (i),
    after dropping the members on no causal path from X to Y that the
    criterion does not need. When X has no directed path to Y there is no
    effect to mediate and None is returned (:func:`is_frontdoor_set` says
    so too).

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("M", "Y"), ("U", "X"), ("U", "Y")], latent="U")
    >>> sorted(find_frontdoor_set(g, "X", "Y"))
    ['M']
    """
    x, y = _query(g, exposure, outcome)
    if directed_path(g.nx, x, y) is None:  # no effect to mediate: no set is a front-door set
        return None
    m = _largest_candidate_set(g, x, y)
    if not (m and is_frontdoor_set(g, x, y, m)):
        return None
    return _without_irrelevant(g, x, y, m)


def _without_irrelevant(g: CausalGraph, x: frozenset[str], y: frozenset[str], m: frozenset[str]) -> frozenset[str]:
    """Drop members of a front-door set that lie on no causal path from X to Y, while the set stays valid.

    Such a node is kept only when it is needed to block a back-door path from
    the others to Y (condition iii); the greedy pass is bounded so it stays
    cheap on large graphs.
    """
    from dagcore.identification.adjustment import proper_causal_nodes

    on_paths = proper_causal_nodes(g, x, y)
    extra = m - on_paths
    if not extra:
        return m
    if m & on_paths and is_frontdoor_set(g, x, y, m & on_paths):
        return m & on_paths
    if len(extra) > _BRUTE_FORCE_LIMIT:
        return m
    for v in sorted(extra):
        if is_frontdoor_set(g, x, y, m - {v}):
            m = m - {v}
    return m


@takes_graph()
def frontdoor_sets(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None) -> Iterator[frozenset[str]]:
    """Front-door sets, lazily: first the one :func:`find_frontdoor_set` finds, then every
    inclusion-minimal one among the candidates (by search when there are at most 14 candidates).

    Examples
    --------
    >>> g = CausalGraph([("X", "M1"), ("M1", "M2"), ("M2", "Y")], bidirected=[("X", "Y")])
    >>> [sorted(s) for s in frontdoor_sets(g, "X", "Y")]
    [['M1', 'M2'], ['M1'], ['M2']]
    """
    x, y = _query(g, exposure, outcome)
    first = find_frontdoor_set(g, x, y)
    if first is None:
        return
    yield first
    pool = sorted(first)
    if len(pool) > _BRUTE_FORCE_LIMIT:
        return
    found: list[frozenset[str]] = []
    for k in range(1, len(pool)):
        for combo in itertools.combinations(pool, k):
            s = frozenset(combo)
            if any(f <= s for f in found):
                continue
            if is_frontdoor_set(g, x, y, s):
                found.append(s)
                yield s
