"""Graph classes at scale: parse and adjustment on CPDAGs and PAGs of 1,000 and 10,000 nodes.

For each size, a random DAG (about 3 edges per node) with a chosen exposure and
outcome gives a CPDAG (``cpdag``) and a PAG-shaped graph (the DAG's edges with the
marks out of root nodes written as circles, ``@->``). Timed, best
of 3, in one run: parsing the class's text, ``minimal_adjustment_set`` on it (the
first query on a freshly parsed graph, and again on the same graph, whose Meek
closure and representative DAG are cached), and
the same question on the DAG itself (the floor: the class's answer is the DAG
machinery on a representative DAG plus the class's own checks, so the ratio is
the price of the class). Peak memory with tracemalloc.

Run: ``python benchmarks/bench_classes.py [--sizes 1000 10000]``; the 1,000,000-node
parse is ``--huge`` (minutes and several GB).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, peak_memory, table  # noqa: E402

import dagcore  # noqa: E402
from dagcore import CausalGraph  # noqa: E402
from dagcore.equivalence import cpdag, to_mag  # noqa: E402
from dagcore.grammar import dumps, parse  # noqa: E402
from dagcore.marked import PAG, MarkedEdge  # noqa: E402


def _dag(n: int, seed: int) -> CausalGraph:
    rng = random.Random(seed)
    names = [f"v{i}" for i in range(n)]
    edges = {(names[rng.randrange(max(0, i - 50), i)], names[i]) for i in range(1, n) for _ in range(3)}
    x, y = names[n // 3], names[n - 1]
    edges.add((x, y))
    return CausalGraph(sorted(edges), nodes=names, exposure=x, outcome=y)


def _pag_text(dag: CausalGraph, seed: int) -> str:
    rng = random.Random(seed)
    keep = set(dag.exposure) | set(dag.outcome)
    latent = [v for v in dag.nodes if v not in keep and rng.random() < 0.1]
    mag = to_mag(dag.with_roles(latent=latent)) if len(dag.nodes) <= 200 else None
    if mag is None:  # to_mag checks every pair of nodes (cubic): above 200 nodes write the DAG's edges, circles out of roots
        roots = {v for v in dag.nodes if not dag.parents(v)}
        edges = [MarkedEdge(u, v, "o" if u in roots else "-", ">") for u, v in sorted(dag.edges)]
        return dumps(PAG(edges, nodes=dag.nodes, exposure=dag.exposure, outcome=dag.outcome))
    roots = {v for v in mag.nodes if not any(e.mark_at(v) == ">" for e in mag.incident(v))}
    edges = [MarkedEdge(e.u, e.v, "o" if e.u in roots and e.token == "->" else e.at_u, e.at_v) for e in mag.edges]
    return dumps(PAG(edges, nodes=mag.nodes, exposure=mag.exposure, outcome=mag.outcome))


def _first_query(text: str) -> float:
    """Time of the first ``minimal_adjustment_set`` on a freshly parsed graph (parsing not timed)."""
    g = parse(text)
    start = time.perf_counter()
    dagcore.minimal_adjustment_set(g)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    ap.add_argument("--huge", action="store_true", help="also parse a 1,000,000-node, 3,000,000-edge DAG file")
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        dag = _dag(n, n)
        floor = best_time(lambda: dagcore.minimal_adjustment_set(dag))
        for name, text in (("CPDAG", dumps(cpdag(dag))), ("PAG", _pag_text(dag, n))):
            g = parse(text)
            t_parse = best_time(lambda: parse(text))
            t_first = min(_first_query(text) for _ in range(3))  # on a fresh graph: Meek's rules and the extension run
            t_adj = best_time(lambda: dagcore.minimal_adjustment_set(g))  # again on one graph: its closure is cached
            mem = peak_memory(lambda: dagcore.minimal_adjustment_set(parse(text)))
            found = dagcore.minimal_adjustment_set(g)
            rows.append([name, f"{n:,}", f"{len(g.edges):,}", f"{t_parse * 1000:.0f} ms", f"{t_first * 1000:.0f} ms",
                         f"{t_adj * 1000:.1f} ms", f"{floor * 1000:.1f} ms", f"{t_first / floor:.1f}x",
                         f"{t_adj / floor:.1f}x", f"{mem / 2**20:.1f} MiB", "none" if found is None else f"{len(found)} nodes"])
    print(table(["class", "nodes", "edges", "parse", "minimal set (first query)", "minimal set (again)",
                 "same on the DAG (floor)", "ratio first", "ratio again", "peak memory (parse + query)", "answer"], rows))
    if args.huge:
        rng = random.Random(1)
        lines = ["dag {"] + [f"v{rng.randrange(max(0, i - 1000), i)} -> v{i}" for i in range(1, 1_000_000) for _ in range(3)] + ["}"]
        text = "\n".join(lines)
        start = time.perf_counter()
        mem = peak_memory(lambda: parse(text))
        print(f"1,000,000-node DAG, {len(text) / 1e6:.0f} MB of text: parsed in {time.perf_counter() - start:.0f} s (under tracemalloc), peak {mem / 2**30:.1f} GiB")


if __name__ == "__main__":
    main()
