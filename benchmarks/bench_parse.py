"""Parse random .dag files of 1,000 and 10,000 nodes (about 3 edges per node).

Prints parse time, peak memory, and the ratio to ``networkx.read_edgelist`` on
the same edges (the floor), measured in the same run. Target: at most 5x the
floor at 10,000 nodes. Run: ``python benchmarks/bench_parse.py``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, peak_memory, table  # noqa: E402

from dagcore.grammar import dumps, parse  # noqa: E402
from dagcore.random import erdos_renyi_dag  # noqa: E402


def main() -> None:
    rows = []
    for n in (1_000, 10_000):
        g = erdos_renyi_dag(n, expected_degree=6, seed=n)  # 3 edges per node
        text = dumps(g)
        edgelist = "\n".join(f"{u} {v}" for u, v in sorted(g.edges))
        # interleaved rounds, best of 7 each: a burst of load hits both sides, not one
        t_parse = t_floor = float("inf")
        for _ in range(7):
            t_parse = min(t_parse, best_time(lambda: parse(text), repeat=1))
            t_floor = min(t_floor, best_time(lambda: nx.read_edgelist(io.StringIO(edgelist), create_using=nx.DiGraph), repeat=1))
        mem = peak_memory(lambda: parse(text))
        rows.append([f"{n:,}", f"{len(g.edges):,}", f"{t_parse * 1000:.0f} ms", f"{t_floor * 1000:.0f} ms", f"{t_parse / t_floor:.1f}x", f"{mem / 2**20:.1f} MiB"])
    print(table(["nodes", "edges", "dagcore parse", "nx.read_edgelist (floor)", "ratio", "peak memory"], rows))


if __name__ == "__main__":
    main()
