"""Timing helpers shared by the benchmark scripts (best of several runs, peak memory with tracemalloc)."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], *, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes traced by tracemalloc during one call (numpy registers its buffers with tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def floor_bfs(g: Any, source: str) -> None:
    """The floor of the graph benchmarks: one topological sort plus one BFS over the skeleton (networkx DiGraph)."""
    from collections import deque

    import networkx as nx

    list(nx.topological_sort(g))
    seen = {source}
    queue = deque([source])
    while queue:
        v = queue.popleft()
        for nbrs in (g._succ[v], g._pred[v]):
            for w in nbrs:
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
