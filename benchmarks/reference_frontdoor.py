"""The front-door candidate search before the linear rewrite, kept verbatim as a reference.

``dagcore.identification.frontdoor._largest_candidate_set`` replaced this loop (one
d-separation per candidate, and one candidate dropped per round: quadratic);
``bench_identify.py --issue11 --parts bow`` times both in one run and
``tests/test_direct_effects.py`` checks that they return the same set.
"""

from __future__ import annotations

from dagcore.graph import CausalGraph
from dagcore.identification.frontdoor import _without_out_edges
from dagcore.structure.dseparation import d_separated


def reference_candidate_set(g: CausalGraph, x: frozenset[str], y: frozenset[str]) -> frozenset[str]:
    """Observed non-descendants of Y meeting (ii), then drop (iii)'s violators one at a time."""
    g_x = _without_out_edges(g, x)
    candidates = {v for v in frozenset(g.observed) - x - y - g.descendants(y) if d_separated(g_x, x, {v})}
    changed = True
    while changed and candidates:
        changed = False
        g_m = _without_out_edges(g, frozenset(candidates))
        for v in sorted(candidates):
            if not d_separated(g_m, {v}, y, given=x):
                candidates.discard(v)
                changed = True
                break
    return frozenset(candidates)
