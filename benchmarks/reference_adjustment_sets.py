"""The listing of all minimal adjustment sets as it was before issue 11 (commit 2d73c66), kept as the benchmark's reference.

``bench_identify.py`` measures :func:`dagcore.adjustment_sets` against this
function in the same run, on the same graphs. The set-up (the proper back-door
graph, the allowed nodes, the moral graph) is dagcore's own, so only the
listing loops differ; they are copied verbatim.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from dagcore import CausalGraph
from dagcore._traverse import moral_ancestral_neighbours
from dagcore.identification.adjustment import _search_space


def reference_adjustment_sets(g: CausalGraph, exposure=None, outcome=None, *, include=(), exclude=()) -> Iterator[frozenset[str]]:  # type: ignore[no-untyped-def]
    """Every minimal adjustment set, in the order the code of commit 2d73c66 listed them."""
    space = _search_space(g, exposure, outcome, include, exclude)
    if space is None:
        return
    x, y, inc, pbd, allowed = space
    allowed -= inc
    full = moral_ancestral_neighbours(pbd.nx, x | y | inc)
    # Included nodes are always conditioned on: remove them from the moral graph.
    nbrs = {v: ws - inc for v, ws in full.items() if v not in inc}

    # Four specialised searches of the moral graph, kept apart on purpose: merged into one search with
    # optional known/stop arguments (or into two), listing the 2^16 sets of benchmarks/bench_identify.py
    # ran 6-20% slower (best of 10 interleaved runs: 7.30 s here, 7.77 s with two loops, 8.8-10.2 s with one).
    def close(start: set[str]) -> tuple[set[str], set[str]] | None:
        """Grow ``start`` through nodes that cannot be cut; return (component, its neighbourhood) or None if Y is reached."""
        comp = set(start)
        stack = list(start)
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
        return comp, boundary

    def grow(comp: set[str], separator: frozenset[str], v: str) -> set[str] | None:
        """:func:`close` of ``comp ∪ {v}`` when ``comp`` is the X-side component of the minimal separator ``separator``.

        Every other separator node already borders ``comp``, so only the region
        newly reached through ``v`` is searched.
        """
        boundary = set(separator)
        boundary.discard(v)
        new = {v}
        stack = [v]
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
        return boundary

    def y_side(separator: set[str]) -> set[str]:
        """The separator closest to Y: neighbours of Y's component once ``separator`` is removed."""
        comp = set(y)
        stack = list(y)
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
        return out

    def x_component(separator: frozenset[str]) -> set[str]:
        comp = set(x)
        stack = list(x)
        while stack:
            for w in nbrs[stack.pop()]:
                if w not in comp and w not in separator:
                    comp.add(w)
                    stack.append(w)
        return comp

    first = close(set(x))
    if first is None:
        return
    s0 = frozenset(y_side(first[1]))
    seen = {s0}
    queue = deque([s0])
    while queue:
        s = queue.popleft()
        yield frozenset(s | inc)
        comp = x_component(s)
        for v in sorted(s):
            grown = grow(comp, s, v)
            if grown is None:
                continue
            nxt = frozenset(y_side(grown))
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
