"""Instrumental variables, including conditional instruments.

Z is a (conditional) instrument for the effect of X on Y given a set W
(Brito & Pearl 2002; van der Zander, Textor & Liśkiewicz 2015; Henckel,
Buttenschön & Maathuis 2024) when

- **covariates**: W contains no *forbidden* node: neither X nor a descendant
  of a node on a proper causal path from X to Y (a mediator, or Y), as in the
  adjustment criterion; Z and W are observed and Z is not in W;
- **relevance**: Z and X are d-connected given W;
- **independence and exclusion**: Z and Y are d-separated given W in the
  *proper back-door graph* (G without the first edge of every proper causal
  path from X to Y). A directed path ``Z -> A -> Y`` that avoids X violates
  exclusion only when it stays open: conditioning on A blocks it.

Z itself must not be a descendant of X (or of Y): a descendant of X is moved
by X, so whenever X and Y share an unobserved cause the path
``Z <- ... <- X <-> Y`` is open and no allowed W can block it (X is
forbidden); when X and Y share no such cause the effect needs no instrument.

Why W may not contain a mediator's descendant: in ``Z -> X -> M -> Y;
X -> Y; M -> D`` the set W = {M} (or {D}) passes the separation test in the
proper back-door graph (the edge ``X -> M`` is removed there), but conditioning
on M holds the mediated part fixed: in a linear model 2SLS given {M} estimates
the direct effect of X on Y, not the total effect (and given {D}, a mixture of
the two). Forbidden nodes are therefore refused.

An instrument identifies the effect only with parametric assumptions
(linear, homogeneous effects; or the local average effect under
monotonicity), never nonparametrically.

Deciding whether a given Z is a conditional instrument for *some* W is
NP-hard (van der Zander, Textor & Liśkiewicz 2015); :func:`instruments` is
complete except where it says otherwise (see its docstring).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from dagcore._traverse import directed_path, minimal_separator
from dagcore.graph import CausalGraph, Nodes, exposure_and_outcome, takes_graph
from dagcore.identification._verdict import Verdict
from dagcore.identification.adjustment import _proper_backdoor_graph, proper_causal_nodes
from dagcore.identification.frontdoor import _without_out_edges
from dagcore.structure.dseparation import d_separated, reachable

__all__ = ["InstrumentCheck", "is_instrument", "instruments"]

_EMPTY: frozenset[str] = frozenset()
#: The search for conditioning sets that open a collider path (non-ancestral W) tries every
#: subset of the witness pool when the pool has at most this many nodes (complete there),
#: else single witnesses only: the general problem is NP-hard.
_WITNESS_POOL_LIMIT = 10


@dataclass(frozen=True)
class InstrumentCheck(Verdict):
    """Truthy when valid; ``condition`` names the failed one (observed, covariates, exclusion, independence, relevance)."""

    valid: bool
    instrument: str
    given: frozenset[str]
    reason: str
    condition: str | None = None


@dataclass(frozen=True)
class _Setting:
    """What every instrument check for one (X, Y) shares."""

    x: str
    y: str
    pbd: CausalGraph  # the proper back-door graph
    forbidden: frozenset[str]  # X and De(cn(X, Y))
    not_instruments: frozenset[str]  # De(X) ∪ De(Y), inclusive


def _setting(g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None) -> _Setting:
    (x,), (y,) = exposure_and_outcome(g, exposure, outcome, purpose="instrumental variables", single=True)
    xs = frozenset({x})
    cn = proper_causal_nodes(g, xs, frozenset({y}))
    forbidden = frozenset(g.descendants(cn, include_self=True)) | xs if cn else xs
    return _Setting(x, y, _proper_backdoor_graph(g, xs, cn), forbidden, frozenset(g.descendants({x, y}, include_self=True)))


def _braces(w: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(w)) + "}"


@takes_graph()
def is_instrument(
    g: CausalGraph, instrument: str, exposure: Nodes | None = None, outcome: Nodes | None = None, *, given: Nodes = ()
) -> InstrumentCheck:
    """Check whether ``instrument`` is a valid (conditional) instrument given ``given``, naming the failed condition.

    The conditions are those of the module docstring: ``given`` holds no
    forbidden node, the instrument is d-connected to the exposure given it, and
    d-separated from the outcome given it in the proper back-door graph; the
    instrument is observed and not a descendant of the exposure or outcome.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    >>> bool(is_instrument(g, "Z", "X", "Y"))
    True
    >>> print(is_instrument(CausalGraph([("Z", "X"), ("X", "Y"), ("Z", "Y")]), "Z", "X", "Y"))
    exclusion fails: Z affects Y other than through X (Z -> Y)

    A directed path that avoids X is no violation once W blocks it:

    >>> g = CausalGraph([("Z", "A"), ("A", "Y"), ("Z", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    >>> print(is_instrument(g, "Z", "X", "Y", given={"A"}))
    Z is a valid instrument for X -> Y given {A}
    """
    s = _setting(g, exposure, outcome)
    return _check(g, s, g.check_node(instrument), g.check_nodes(given))


def _check(g: CausalGraph, s: _Setting, z: str, w: frozenset[str]) -> InstrumentCheck:
    x, y = s.x, s.y
    if z in g.latent:
        return InstrumentCheck(False, z, w, f"{z} is latent and cannot be an instrument", "observed")
    if w & g.latent:
        return InstrumentCheck(False, z, w, f"{sorted(w & g.latent)[0]} is latent and cannot be conditioned on", "observed")
    if z in (x, y) or z in w or x in w or y in w:
        return InstrumentCheck(False, z, w, "instrument, exposure, outcome and covariates must be distinct", "covariates")
    bad = w & s.forbidden
    if bad:
        v = sorted(bad)[0]
        return InstrumentCheck(
            False, z, w,
            f"covariate {v} is forbidden: it is a mediator of {x} -> {y}, the outcome, or a descendant of one; "
            "conditioning on it would hold part of the effect fixed",
            "covariates",
        )
    if z in s.not_instruments:
        by = x if z in g.descendants(x) else y
        return InstrumentCheck(False, z, w, f"{z} is affected by the {'exposure' if by == x else 'outcome'} {by}: a descendant is never an instrument", "exclusion")
    if not d_separated(s.pbd, z, y, given=w):
        direct = directed_path(_without_out_edges(g, frozenset({x})).nx, [z], {y}, avoid=w)
        if direct:
            return InstrumentCheck(False, z, w, f"exclusion fails: {z} affects {y} other than through {x} ({' -> '.join(direct)})", "exclusion")
        cond = f" given {_braces(w)}" if w else ""
        return InstrumentCheck(False, z, w, f"independence fails: {z} and {y} share an open non-causal path{cond}", "independence")
    if d_separated(g, z, x, given=w):
        cond = f" given {_braces(w)}" if w else ""
        return InstrumentCheck(False, z, w, f"relevance fails: {z} is d-separated from {x}{cond}", "relevance")
    cond = f" given {_braces(w)}" if w else ""
    return InstrumentCheck(True, z, w, f"{z} is a valid instrument for {x} -> {y}{cond}", None)


def _candidate_sets(
    g: CausalGraph, s: _Setting, z: str, allowed: frozenset[str], near_z: frozenset[str]
) -> Iterator[tuple[frozenset[str], bool]]:
    """Conditioning sets to try for ``z``, lazily, each with whether it is known to separate Z and Y (in the pbd graph).

    First the ancestral ones: ``near_z`` (a minimal separator near Z), one
    near Y, and every allowed ancestor of Z, X and Y. Then sets that must
    contain a *witness*: an allowed node outside the ancestors of Z and Y (a
    collider below a path from Z, or a descendant of one) whose conditioning
    opens a path from Z to X; for each witness set I the same three sets are
    tried with I included.
    """
    zs, ys = frozenset({z}), frozenset({s.y})
    pbd = s.pbd.nx
    for include in _witness_sets(g, s, z, allowed):
        first = near_z if not include else minimal_separator(pbd, zs, ys, include, allowed, g.latent)
        if first is None:
            continue  # no separator contains these witnesses
        yield first, True
        near_y = minimal_separator(pbd, ys, zs, include, allowed, g.latent)
        if near_y is not None and near_y != first:
            yield near_y, True
        yield (s.pbd.ancestors(zs | ys | {s.x} | include) & allowed) | include, False


def _witness_sets(g: CausalGraph, s: _Setting, z: str, allowed: frozenset[str]) -> Iterator[frozenset[str]]:
    """The empty set, then sets of witnesses: allowed nodes outside An(Z ∪ Y), nearest to Z first.

    Every subset when there are at most ``_WITNESS_POOL_LIMIT`` of them, else
    the nearest ``_WITNESS_POOL_LIMIT`` one at a time (the breadth-first search
    stops there).
    """
    yield _EMPTY
    anc = s.pbd.ancestors({z, s.y}, include_self=True)
    pool: list[str] = []
    for layer in nx.bfs_layers(g.nx.to_undirected(as_view=True), [z]):
        pool.extend(v for v in sorted(layer) if v in allowed and v not in anc)
        if len(pool) > _WITNESS_POOL_LIMIT:
            for v in pool[:_WITNESS_POOL_LIMIT]:
                yield frozenset({v})
            return
    for k in range(1, len(pool) + 1):
        for combo in itertools.combinations(pool, k):
            yield frozenset(combo)


@takes_graph()
def instruments(
    g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None
) -> Iterator[tuple[str, frozenset[str]]]:
    """Valid (instrument, conditioning set) pairs, lazily, one per instrument; never an invalid one.

    For each observed node Z that is not a descendant of X or Y, conditioning
    sets are tried in order: the empty set, minimal d-separators of Z and Y in
    the proper back-door graph restricted to allowed (observed, not forbidden)
    nodes, the allowed ancestors of Z, X and Y, and then sets that include
    *witnesses*, nodes below a collider whose conditioning opens a path from Z
    to X (``Z -> C <- V -> X``: W = {C}). Each pair is checked with the
    conditions of :func:`is_instrument`; one reachability pass decides every
    unconditional instrument at once.

    Completeness: every Z that is an instrument given *some* set W is listed
    (the tests check this against all conditioning sets on small random
    graphs) whenever Z's witness pool (allowed nodes outside the ancestors
    of Z and Y) has at most 10 nodes; on larger pools only the 10 witnesses
    nearest to Z are tried, one at a time, because deciding whether Z is an
    instrument for some W is NP-hard (van der Zander, Textor & Liśkiewicz
    2015): an instrument that needs other witnesses may then be missed, but no
    invalid pair is ever returned.

    Examples
    --------
    >>> g = CausalGraph([("W", "Z"), ("W", "Y"), ("Z", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    >>> [(z, sorted(w)) for z, w in instruments(g, "X", "Y")]
    [('Z', ['W'])]
    >>> g = CausalGraph([("Z", "C"), ("V", "C"), ("V", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    >>> [(z, sorted(w)) for z, w in instruments(g, "X", "Y")]
    [('C', []), ('V', []), ('Z', ['C'])]
    """
    s = _setting(g, exposure, outcome)
    x, y = s.x, s.y
    allowed_w = frozenset(g.observed) - s.forbidden - {y}
    # independence and relevance with the empty set, for every candidate at once: one reachability pass each
    connected_to_y = reachable(s.pbd, y)
    connected_to_x = reachable(g, x)
    ys = frozenset({y})
    for z in sorted(frozenset(g.observed) - s.not_instruments):
        if z not in connected_to_y and z in connected_to_x:
            yield z, _EMPTY
            continue
        allowed = allowed_w - {z}
        # a separator within the allowed nodes exists at all? (else no W can work)
        near_z = minimal_separator(s.pbd.nx, frozenset({z}), ys, _EMPTY, allowed, g.latent)
        if near_z is None:
            continue
        for w, separates in _candidate_sets(g, s, z, allowed, near_z):
            if w and (separates or d_separated(s.pbd, z, y, given=w)) and not d_separated(g, z, x, given=w):
                yield z, w
                break
