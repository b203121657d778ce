"""Brute-force helpers shared by the tests: definitions read literally, by enumerating paths."""

from __future__ import annotations

from dagcore import CausalGraph


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
