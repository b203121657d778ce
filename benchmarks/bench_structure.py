"""d-separation queries on random graphs of 1,000, 10,000 and 100,000 nodes.

Compares ``dagcore.d_separated`` with ``networkx.is_d_separator`` and a floor
(one topological sort plus one BFS over the graph), all measured in the same
run on the same graphs and queries. Target: within 2x of networkx.
Run: ``python benchmarks/bench_structure.py``.

``--roles-render`` (``--no-render`` to skip the drawing) times instead ``roles`` and ``render`` (SVG, automatic
layout) at 400, 2,000 and 10,000 nodes in both families, each against the
floor and ``minimal_adjustment_set`` on the same graph, with the layout engine
used and roles' peak memory (targets: roles <= 1 s at 10,000 nodes, render
<= 30 s at 2,000).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, peak_memory, table  # noqa: E402
from _common import floor_bfs as floor  # noqa: E402

from dagcore import d_separated  # noqa: E402
from dagcore.random import deep_dag, erdos_renyi_dag  # noqa: E402


def roles_and_render() -> None:
    import time
    import warnings

    import dagcore
    from dagcore.rendering import DOT_NODE_LIMIT

    dagcore.roles(deep_dag(50, layers=5, seed=1))  # warm-up imports
    rows = []
    for family in ("sparse ER", "deep"):
        for n in (400, 2_000, 10_000):
            g = erdos_renyi_dag(n, expected_degree=3, with_query=True, seed=11) if family == "sparse ER" else deep_dag(n, layers=20, seed=11)
            x = next(iter(g.exposure))
            t_roles = t_min = t_floor = float("inf")
            for _ in range(3):  # interleaved, best of 3
                t_roles = min(t_roles, best_time(lambda: dagcore.roles(g), repeat=1))
                t_min = min(t_min, best_time(lambda: dagcore.minimal_adjustment_set(g), repeat=1))
                t_floor = min(t_floor, best_time(lambda: floor(g.nx, x), repeat=1))
            mem = peak_memory(lambda: dagcore.roles(g))
            table_ = dagcore.roles(g)
            bad = sum(r.verdict == "bad" for r in table_)
            engine = "dot" if len(g.observed) <= DOT_NODE_LIMIT else "sfdp"
            t_render = float("nan")
            if "--no-render" not in sys.argv[1:]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.perf_counter()
                    svg = dagcore.render(g)
                    t_render = time.perf_counter() - start
                assert isinstance(svg, str) and svg.count("<g id=\"node") >= len(g.observed)
            print(f"  measured {family} n={n:,}: roles {t_roles * 1000:.0f} ms, render {t_render:.1f} s ({engine})", file=sys.stderr, flush=True)
            rows.append([family, f"{n:,}", f"{len(g.edges):,}", f"{t_roles * 1000:.0f}", f"{t_roles / t_floor:.0f}x", f"{t_roles / t_min:.1f}x",
                         f"{mem / len(g.edges):.0f}", f"{bad}", f"{t_render:.1f} ({engine})"])
    print(table(["family", "nodes", "edges", "roles ms", "vs floor", "vs minimal set", "roles peak bytes/edge", "bad controls", "render s (layout)"], rows))


def main() -> None:
    if "--roles-render" in sys.argv[1:]:
        roles_and_render()
        return
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
