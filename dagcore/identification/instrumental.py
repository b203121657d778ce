"""Instrumental variables, including conditional instruments.

Z is a (conditional) instrument for the effect of X on Y given W
(Brito & Pearl 2002; van der Zander, Textor & Liśkiewicz 2015) when

- **relevance**: Z and X are d-connected given W;
- **exclusion**: Z affects Y only through X (no directed path from Z to Y avoiding X);
- **independence**: Z and Y are d-separated given W once the edges out of X
  are removed (no open non-causal path between Z and Y);
- W contains no descendant of X (or of Y), and Z, W are observed.

An instrument identifies the effect only with extra assumptions (linear
effects, or monotonicity for the local average effect).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dagcore._traverse import directed_path, minimal_separator
from dagcore.graph import CausalGraph, Nodes, exposure_and_outcome, takes_graph
from dagcore.identification._verdict import Verdict
from dagcore.identification.frontdoor import _without_out_edges
from dagcore.structure.dseparation import d_separated, reachable

__all__ = ["InstrumentCheck", "is_instrument", "instruments"]

_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InstrumentCheck(Verdict):
    """Truthy when valid; ``condition`` names the failed one (relevance, exclusion, independence, covariates)."""

    valid: bool
    instrument: str
    given: frozenset[str]
    reason: str
    condition: str | None = None


def _query(g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None) -> tuple[str, str]:
    (x,), (y,) = exposure_and_outcome(g, exposure, outcome, purpose="instrumental variables", single=True)
    return x, y


@takes_graph()
def is_instrument(
    g: CausalGraph, instrument: str, exposure: Nodes | None = None, outcome: Nodes | None = None, *, given: Nodes = ()
) -> InstrumentCheck:
    """Check whether ``instrument`` is a valid (conditional) instrument, naming the failed condition.

    Examples
    --------
    >>> g = CausalGraph([("Z", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    >>> bool(is_instrument(g, "Z", "X", "Y"))
    True
    >>> print(is_instrument(CausalGraph([("Z", "X"), ("X", "Y"), ("Z", "Y")]), "Z", "X", "Y"))
    exclusion fails: Z affects Y other than through X (Z -> Y)
    """
    x, y = _query(g, exposure, outcome)
    z = g.check_node(instrument)
    w = g.check_nodes(given)
    if z in g.latent:
        return InstrumentCheck(False, z, w, f"{z} is latent and cannot be an instrument", "observed")
    if w & g.latent:
        return InstrumentCheck(False, z, w, f"{sorted(w & g.latent)[0]} is latent and cannot be conditioned on", "observed")
    if z in (x, y) or z in w or x in w or y in w:
        return InstrumentCheck(False, z, w, "instrument, exposure, outcome and covariates must be distinct", "covariates")
    bad = w & (g.descendants(x) | g.descendants(y))
    if bad:
        return InstrumentCheck(False, z, w, f"covariate {sorted(bad)[0]} is affected by the exposure or outcome", "covariates")
    if z in g.descendants(x):
        return InstrumentCheck(False, z, w, f"{z} is affected by the exposure {x}", "exclusion")
    # exclusion: a directed path from Z to Y that avoids X
    g_no_x = _without_out_edges(g, frozenset({x}))
    direct = directed_path(g_no_x.nx, [z], {y})
    if direct:
        return InstrumentCheck(False, z, w, f"exclusion fails: {z} affects {y} other than through {x} ({' -> '.join(direct)})", "exclusion")
    if not d_separated(g_no_x, z, y, given=w):
        cond = f" given {{{', '.join(sorted(w))}}}" if w else ""
        return InstrumentCheck(False, z, w, f"independence fails: {z} and {y} share an open non-causal path{cond}", "independence")
    if d_separated(g, z, x, given=w):
        return InstrumentCheck(False, z, w, f"relevance fails: {z} is d-separated from {x}", "relevance")
    cond = f" given {{{', '.join(sorted(w))}}}" if w else ""
    return InstrumentCheck(True, z, w, f"{z} is a valid instrument for {x} -> {y}{cond}", None)


def _conditioning_sets(
    g: CausalGraph, g_no_x: CausalGraph, z: str, x: str, y: str, allowed: frozenset[str], sep: frozenset[str]
) -> Iterator[frozenset[str]]:
    """Conditioning sets to try for ``z``, lazily: the separator near Z, the one near Y, the ancestral set."""
    yield sep
    near_y = minimal_separator(g_no_x.nx, frozenset({y}), frozenset({z}), _EMPTY, allowed, g.latent)
    if near_y is not None:
        yield near_y
    yield frozenset((g.ancestors({z, x, y}) & allowed) - {z})


@takes_graph()
def instruments(
    g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None
) -> Iterator[tuple[str, frozenset[str]]]:
    """Valid (instrument, conditioning set) pairs, lazily; never a latent node.

    For each observed non-descendant Z of X and Y, the conditioning set
    tried first is empty, then a minimal d-separator of Z and Y in the graph
    without the edges out of X, restricted to observed non-descendants of X
    and Y (van der Zander, Textor & Liśkiewicz 2015). The conditions are those
    of :func:`is_instrument`, evaluated with shared precomputation: one
    reachability pass decides every unconditional instrument, and only the
    remaining candidates cost a separator search each.

    Every node that is an instrument given some *ancestral* set
    ``W ⊆ An(Z ∪ X ∪ Y)`` is listed (the tests check this against trying every
    such subset); an instrument that needs a non-ancestral ``W`` (conditioning
    on a collider below ``Z``) may be missed, though :func:`is_instrument`
    accepts it.

    Examples
    --------
    >>> g = CausalGraph([("W", "Z"), ("W", "Y"), ("Z", "X"), ("X", "Y")], bidirected=[("X", "Y")])
    >>> [(z, sorted(w)) for z, w in instruments(g, "X", "Y")]
    [('Z', ['W'])]
    """
    x, y = _query(g, exposure, outcome)
    g_no_x = _without_out_edges(g, frozenset({x}))
    post = g.descendants(x, include_self=True) | g.descendants(y, include_self=True)
    allowed = frozenset(g.observed) - post
    # exclusion: Z must not reach Y by a directed path avoiding X
    reaches_y = g_no_x.ancestors(y)
    # independence and relevance with the empty set, for every candidate at once: one reachability pass each
    connected_to_y = reachable(g_no_x, y)
    connected_to_x = reachable(g, x)
    ys = frozenset({y})
    for z in sorted(allowed - reaches_y):
        if z not in connected_to_y and z in connected_to_x:
            yield z, frozenset()
            continue
        # conditional: a minimal separator of Z and Y (without X's out-edges); then the ancestral
        # set of Z, X, Y among allowed nodes, which can also open a path from Z to X
        zs = frozenset({z})
        sep = minimal_separator(g_no_x.nx, zs, ys, _EMPTY, allowed, g.latent)
        if sep is None:
            continue
        for w in _conditioning_sets(g, g_no_x, z, x, y, allowed, sep):
            if w and d_separated(g_no_x, z, y, given=w) and not d_separated(g, z, x, given=w):
                yield z, w
                break
