"""Brute-force helpers shared by the tests: definitions read literally, by enumerating paths."""

from __future__ import annotations

import itertools
import random

from dagcore import CausalGraph


class RandomBinarySCM:
    """A random binary structural causal model on ``g``: ``P(V = 1 | pa(V))`` uniform in [0.1, 0.9] for each parent configuration.

    The tests that compute exact interventional or cross-world truth by
    enumeration subclass it; the same ``seed`` gives the same model.
    """

    def __init__(self, g: CausalGraph, seed: int) -> None:
        rng = random.Random(seed)
        self.g = g
        self.order = g.topological_order()
        self.parents = {v: sorted(g.parents(v)) for v in self.order}
        self._p1 = {v: {k: rng.uniform(0.1, 0.9) for k in itertools.product((0, 1), repeat=len(self.parents[v]))} for v in self.order}

    def p_one(self, v: str, values: dict[str, int]) -> float:
        """``P(v = 1)`` given the values of its parents (``values`` may hold other nodes too)."""
        return self._p1[v][tuple(values[u] for u in self.parents[v])]


def simple_paths(g: CausalGraph, a: str, b: str) -> list[list[str]]:
    """Every simple path between ``a`` and ``b`` in the skeleton of ``g``."""
    nbrs: dict[str, set[str]] = {v: set() for v in g.nodes}
    for u, v in g.edges:
        nbrs[u].add(v)
        nbrs[v].add(u)
    out: list[list[str]] = []

    def dfs(path: list[str]) -> None:
        if path[-1] == b:
            out.append(path)
            return
        for n in sorted(nbrs[path[-1]]):
            if n not in path:
                dfs(path + [n])

    dfs([a])
    return out


def local_markov(g: CausalGraph) -> list[tuple[str, str, tuple[str, ...]]]:
    """Local Markov statements (v ⊥ non-descendant non-parent | parents), each unordered pair once."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    seen: set[frozenset[str]] = set()
    for v in g.observed:
        pa = g.parents(v)
        if pa & g.latent:
            continue
        for w in g.observed:
            if w == v or w in pa or w in g.descendants(v) or frozenset((v, w)) in seen:
                continue
            seen.add(frozenset((v, w)))
            out.append((v, w, tuple(sorted(pa))))
    return out

