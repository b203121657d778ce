"""Brute-force helpers shared by the tests: definitions read literally, by enumerating paths."""

from __future__ import annotations

import itertools
import random

from dagcore import CausalGraph


class RandomBinaryTables:
    """Random conditional probability tables of a binary model on ``g``: ``cpt[v][parent values] = P(v = 1 | parents)``.

    Each entry is drawn uniformly from ``[low, high]`` with ``random.Random(seed)``;
    ``order`` is a topological order and ``parents[v]`` the sorted parents.
    """

    def __init__(self, g: CausalGraph, seed: int, low: float = 0.1, high: float = 0.9) -> None:
        rng = random.Random(seed)
        self.g = g
        self.order = g.topological_order()
        self.parents = {v: sorted(g.parents(v)) for v in self.order}
        self.cpt = {v: {k: rng.uniform(low, high) for k in itertools.product((0, 1), repeat=len(self.parents[v]))} for v in self.order}


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
