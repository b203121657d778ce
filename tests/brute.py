"""Brute-force helpers shared by the tests: definitions read literally (enumerating paths, splitting rows by a tree's rules)."""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np

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

    def joint(self, do: dict[str, int]) -> dict[tuple[int, ...], float]:
        """The exact joint over ``order`` under the intervention ``do`` (truncated factorisation), nonzero cells only."""
        out: dict[tuple[int, ...], float] = {}
        for values in itertools.product((0, 1), repeat=len(self.order)):
            a = dict(zip(self.order, values))
            p = 1.0
            for v in self.order:
                if v in do:
                    p *= 1.0 if a[v] == do[v] else 0.0
                else:
                    q = self.cpt[v][tuple(a[u] for u in self.parents[v])]
                    p *= q if a[v] == 1 else 1 - q
                if p == 0:
                    break
            if p:
                out[values] = p
        return out

    def probability(self, do: dict[str, int], event: dict[str, int]) -> float:
        """``P(event | do(do))`` exactly."""
        at = {v: self.order.index(v) for v in event}
        return sum(p for values, p in self.joint(do).items() if all(values[at[v]] == val for v, val in event.items()))


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


def honest_rows_by_leaf(tree: Any, V: np.ndarray, fill: np.ndarray) -> list[np.ndarray]:
    """Brute force from the split rules: per leaf position, its filling rows, or its nearest ancestor's that has some."""
    t = tree.tree_
    rows = {0: fill}
    parent = {0: -1}
    for node in range(t.node_count):  # node ids are in preorder: a parent before its children
        if t.children_left[node] != -1:
            here = rows[node]
            below = V[here, t.feature[node]] <= t.threshold[node]
            rows[t.children_left[node]], rows[t.children_right[node]] = here[below], here[~below]
            parent[t.children_left[node]] = parent[t.children_right[node]] = node
    out = []
    for leaf in np.flatnonzero(t.children_left == -1):
        node = leaf
        while rows[node].size == 0:
            node = parent[node]
        out.append(rows[node])
    return out
