"""d-separation queries on random graphs of 1,000, 10,000 and 100,000 nodes.

Compares ``dagcore.d_separated`` with ``networkx.is_d_separator`` and a floor
(one topological sort plus one BFS over the graph), all measured in the same
run on the same graphs and queries. Target: within 2x of networkx.
Run: ``python benchmarks/bench_structure.py``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, table  # noqa: E402
from _common import floor_bfs as floor  # noqa: E402

from dagcore import d_separated  # noqa: E402
from dagcore.random import deep_dag, erdos_renyi_dag  # noqa: E402


def main() -> None:
    rows = []
    for family, n in [(f, n) for f in ("sparse ER", "deep") for n in (1_000, 10_000, 100_000)]:
        g = erdos_renyi_dag(n, expected_degree=3, seed=7) if family == "sparse ER" else deep_dag(n, layers=20, seed=7)
        nxg = g.nx
        rng = random.Random(n)
        nodes = list(g.nodes)
        queries = []
        while len(queries) < 10:
            # y far downstream of x, so that most queries are d-connected and explore much of the graph
            x = rng.choice(nodes)
            desc = sorted(g.descendants(x))
            if len(desc) < (50 if family == "deep" else 5):
                continue
            y = desc[rng.randrange(len(desc))]
            z = set(rng.sample([v for v in nodes if v not in (x, y)], 20))
            queries.append((x, y, z))
        repeat = 3 if n < 100_000 else 1
        t_ours = best_time(lambda: [d_separated(g, x, y, given=z) for x, y, z in queries], repeat=repeat) / len(queries)
        t_nx = best_time(lambda: [nx.is_d_separator(nxg, {x}, {y}, z) for x, y, z in queries], repeat=repeat) / len(queries)
        t_floor = best_time(lambda: [floor(nxg, x) for x, _, _ in queries], repeat=repeat) / len(queries)
        answers = [d_separated(g, x, y, given=z) for x, y, z in queries]
        agree = answers == [nx.is_d_separator(nxg, {x}, {y}, z) for x, y, z in queries]
        rows.append([family, f"{n:,}", f"{len(g.edges):,}", f"{t_ours * 1000:.1f} ms", f"{t_nx * 1000:.1f} ms", f"{t_floor * 1000:.1f} ms",
                     f"{t_ours / t_nx:.3f}x", f"{t_ours / t_floor:.3f}x", f"{answers.count(False)}/{len(answers)}", "yes" if agree else "NO"])
    print(table(["family", "nodes", "edges", "dagcore d_separated", "networkx is_d_separator", "floor (toposort + BFS)", "vs networkx", "vs floor", "d-connected", "same answers"], rows))


if __name__ == "__main__":
    main()
