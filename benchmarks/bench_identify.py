"""Identification speed on random graphs of 100 to 100,000 nodes, in two families.

Times, per graph: one minimal adjustment set, the O-set, the time per set
when listing minimal sets (the first 1,000 up to 1,000 nodes, 10 up to
10,000, 2 beyond: each set costs one linear pass per separator node), instruments, and
``identify()``; compares the minimal set with
the networkx recipe (``nx.find_minimal_d_separator`` on the proper back-door
graph) and with a floor (one topological sort plus one BFS), all in the same
run. Also: ``identify()`` on the NHEFS example, instruments on a 5,000-node
graph, and the rate of listing minimal sets on a graph built to have 2^16 of
them. ``--peers`` adds DoWhy's and pgmpy's back-door search when installed.
Run: ``python benchmarks/bench_identify.py [--peers] [--max-nodes N]``.

``--issue11`` runs only the issue-11 tables instead: ``is_adjustment_set`` on
an invalid set and ``identify()`` at 25 to 100,000 nodes against
``minimal_adjustment_set`` on the same graph, with peak memory; listing all
minimal sets of the ladder graphs against the pre-issue-11 listing
(``reference_adjustment_sets.py``), interleaved, best of 3; instruments on the
deep family at 5,000 and 10,000 nodes.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, peak_memory, table  # noqa: E402
from _common import floor_bfs as floor  # noqa: E402

import dagcore  # noqa: E402
from dagcore.identification.adjustment import _proper_backdoor_graph, forbidden_nodes, proper_causal_nodes  # noqa: E402
from dagcore.random import deep_dag, erdos_renyi_dag  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def networkx_recipe(g: dagcore.CausalGraph, x: frozenset[str], y: frozenset[str]) -> object:
    cn = proper_causal_nodes(g, x, y)
    pbd = _proper_backdoor_graph(g, x, cn).nx
    allowed = set(g.observed) - forbidden_nodes(g, x, y) - x - y
    return nx.find_minimal_d_separator(pbd, set(x), set(y), restricted=allowed | set(x) | set(y))


def graph_with_2_16_minimal_sets() -> dagcore.CausalGraph:
    edges = [("X", "Y")]
    for i in range(16):  # X <- a_i <- c_i -> Y: each path is blocked by a_i or by c_i, so 2^16 minimal sets
        edges += [(f"c{i}", f"a{i}"), (f"a{i}", "X"), (f"c{i}", "Y")]
    return dagcore.CausalGraph(edges, exposure="X", outcome="Y")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peers", action="store_true")
    parser.add_argument("--max-nodes", type=int, default=100_000)
    parser.add_argument("--peers-only", action="store_true", help="only the peer comparison")
    parser.add_argument("--targets-only", action="store_true", help="only the targets table (NHEFS, instruments, listing rate)")
    parser.add_argument("--nx-timeout", type=float, default=120, help="seconds allowed to the networkx recipe, instruments and set listing above 10,000 nodes")
    parser.add_argument("--issue11", action="store_true", help="only the issue-11 tables (invalid sets, identify, ladder listing, instruments)")
    parser.add_argument("--parts", default="invalid,bow,listing,instruments", help="with --issue11: which tables, comma-separated")
    args = parser.parse_args()
    if args.issue11:
        issue11(args)
        return
    if args.peers_only:
        peers(dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag"))
        return
    dagcore.identify(dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag"))  # warm-up: first-call imports are not timed
    rows = []
    for family in () if args.targets_only else ("sparse ER", "deep"):
        for n in (100, 1_000, 10_000, 100_000):
            if n > args.max_nodes:
                continue
            g = erdos_renyi_dag(n, expected_degree=3, with_query=True, seed=11) if family == "sparse ER" else deep_dag(n, layers=20, seed=11)
            x, y = g.exposure, g.outcome
            repeat = 3 if n <= 10_000 else 1
            t_min = best_time(lambda: dagcore.minimal_adjustment_set(g, x, y), repeat=repeat)
            if n <= 10_000:
                t_nx = best_time(lambda: networkx_recipe(g, x, y), repeat=repeat)
            else:  # networkx's search can take very long here: cap it
                t_nx = _timed_in_child(lambda: networkx_recipe(g, x, y), timeout=args.nx_timeout)[1]
            t_floor = best_time(lambda: floor(g.nx, next(iter(x))), repeat=repeat)
            t_o = best_time(lambda: dagcore.optimal_adjustment_set(g, x, y), repeat=repeat)
            k = 1000 if n <= 1_000 else 10 if n <= 10_000 else 2
            if n <= 10_000:
                t_all = best_time(lambda: list(itertools.islice(dagcore.adjustment_sets(g, x, y), k)), repeat=1)
                n_sets = len(list(itertools.islice(dagcore.adjustment_sets(g, x, y), k)))
            else:  # capped like the instruments
                found, t_all = _timed_in_child(lambda: len(list(itertools.islice(dagcore.adjustment_sets(g, x, y), k))), timeout=args.nx_timeout)
                n_sets = found if isinstance(found, int) else 0
            if n <= 10_000:
                t_iv = best_time(lambda: list(dagcore.instruments(g)), repeat=1)
            else:  # one separator search per candidate: cap it on the largest graphs
                t_iv = _timed_in_child(lambda: len(list(dagcore.instruments(g))), timeout=args.nx_timeout)[1]
            t_id = best_time(lambda: dagcore.identify(g), repeat=3 if n <= 10_000 else 1)
            print(f"  measured {family} n={n:,}: minimal {t_min * 1000:.1f} ms, floor {t_floor * 1000:.1f} ms, networkx {t_nx * 1000:.0f} ms, "
                  f"O-set {t_o * 1000:.1f} ms, per set {t_all * 1000 / max(n_sets, 1):.2f} ms, instruments {t_iv * 1000:.0f} ms, identify {t_id * 1000:.1f} ms",
                  file=sys.stderr, flush=True)
            rows.append([family, f"{n:,}", f"{len(g.edges):,}", f"{t_min * 1000:.1f}", f"{t_min / t_floor:.1f}x", f"{t_min / t_nx:.2f}x" if t_nx < args.nx_timeout else f"< {t_min / t_nx:.4f}x (networkx > {args.nx_timeout:.0f} s, stopped)",
                         f"{t_o * 1000:.1f}", f"{t_all * 1000 / max(n_sets, 1):.2f} ({n_sets} listed)" if n_sets else f"> {args.nx_timeout:.0f} s (stopped)", f"{t_iv * 1000:.0f}" if t_iv < args.nx_timeout else f"> {args.nx_timeout:.0f} s (stopped)", f"{t_id * 1000:.1f}"])
    if rows:
        print(table(["family", "nodes", "edges", "minimal set ms", "vs floor", "vs networkx recipe", "O-set ms", "ms per minimal set, listing the first 1,000 / 10 / 2 (found)", "instruments ms", "identify() ms"], rows))

    nhefs = dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag")
    t_nhefs = best_time(lambda: dagcore.identify(nhefs), repeat=20)
    g5k = erdos_renyi_dag(5_000, expected_degree=3, with_query=True, seed=5)
    t_iv5k = best_time(lambda: list(dagcore.instruments(g5k)), repeat=3)
    big = graph_with_2_16_minimal_sets()
    start = time.perf_counter()
    count = sum(1 for _ in dagcore.adjustment_sets(big))
    elapsed = time.perf_counter() - start
    print()
    print(table(["target", "measured", "goal"], [
        ["identify() on NHEFS", f"{t_nhefs * 1000:.2f} ms", "< 20 ms"],
        ["instruments on a 5,000-node graph", f"{t_iv5k * 1000:.0f} ms", "< 1 s"],
        ["listing all minimal sets of a graph with 2^16 = 65,536 of them", f"{count:,} sets in {elapsed:.1f} s = {count / elapsed:,.0f} sets/s", ">= 10,000 sets/s"],
    ]))
    if args.peers:
        peers(nhefs)


def ladder(rungs: int = 16) -> dagcore.CausalGraph:
    """The issue's ladder: X -> Y plus ``rungs`` paths X <- A_i -> B_i -> Y (2^rungs minimal sets: A_i or B_i on each rung)."""
    edges = [("X", "Y")]
    for i in range(rungs):
        edges += [(f"A{i}", "X"), (f"A{i}", f"B{i}"), (f"B{i}", "Y")]
    return dagcore.CausalGraph(edges, exposure="X", outcome="Y")


def confounded_er(n: int, seed: int) -> dagcore.CausalGraph:
    """A sparse Erdős–Rényi DAG (3 edges per node) with a query whose minimal adjustment set is not empty.

    The exposure is one of the sampled nodes with the most ancestors (the default query of a sparse DAG is
    often unconfounded), the outcome one of its descendants.
    """
    import random

    g = erdos_renyi_dag(n, expected_degree=3, seed=seed)
    rng = random.Random(seed)
    sample = rng.sample(list(g.nodes), min(300, len(g.nodes)))
    by_ancestry = sorted(sample, key=lambda v: -len(g.ancestors(v)))
    for x in by_ancestry[:40]:
        desc = sorted(g.descendants(x))
        for y in rng.sample(desc, min(3, len(desc))):
            q = g.with_roles(exposure=x, outcome=y)
            if dagcore.minimal_adjustment_set(q):
                return q
    raise RuntimeError(f"no confounded query found in erdos_renyi_dag({n}, seed={seed})")


def invalid_set(g: dagcore.CausalGraph) -> frozenset[str]:
    """A set that is not an adjustment set because a non-causal path stays open: the minimal set without one member."""
    m = dagcore.minimal_adjustment_set(g)
    assert m, "the benchmark graphs have a non-empty minimal set"
    z = m - {sorted(m)[0]}
    assert not dagcore.is_adjustment_set(g, g.exposure, g.outcome, z)
    return z


def issue11(args: argparse.Namespace) -> None:
    """The issue-11 tables, each ratio measured in the same run on the same graph."""
    dagcore.identify(dagcore.load(ROOT / "examples" / "nhefs" / "nhefs.dag"))  # warm-up: first-call imports are not timed
    parts = set(args.parts.split(","))
    if "invalid" in parts:
        _invalid_sets(args)
    if "bow" in parts:
        _bow(args)
    if "listing" in parts:
        _listing()
    if "instruments" in parts:
        _instruments(args)


def _invalid_sets(args: argparse.Namespace) -> None:
    rows = []
    for family in ("random (sparse ER)", "deep"):
        for n in (25, 1_000, 10_000, 100_000):
            if n > args.max_nodes:
                continue
            g = confounded_er(n, seed=11) if family.startswith("random") else deep_dag(n, layers=min(20, max(3, n // 5)), seed=11)
            x, y = g.exposure, g.outcome
            z = invalid_set(g)
            repeat = 7 if n <= 1_000 else 3 if n <= 10_000 else 1
            t_min = t_check = t_id = float("inf")
            for _ in range(repeat):  # interleaved, best of each
                t_min = min(t_min, best_time(lambda: dagcore.minimal_adjustment_set(g, x, y), repeat=1))
                t_check = min(t_check, best_time(lambda: dagcore.is_adjustment_set(g, x, y, z), repeat=1))
                t_id = min(t_id, best_time(lambda: dagcore.identify(g), repeat=1))
            check = dagcore.is_adjustment_set(g, x, y, z)
            m_min = peak_memory(lambda: dagcore.minimal_adjustment_set(g, x, y))
            m_check = peak_memory(lambda: dagcore.is_adjustment_set(g, x, y, z))
            m_id = peak_memory(lambda: dagcore.identify(g))
            e = len(g.edges)
            print(f"  measured {family} n={n:,}: minimal {t_min * 1000:.2f} ms, check {t_check * 1000:.2f} ms, identify {t_id * 1000:.2f} ms; "
                  f"peak {m_check / 2**20:.1f} / {m_id / 2**20:.1f} MiB", file=sys.stderr, flush=True)
            rows.append([family, f"{n:,}", f"{e:,}", f"{t_min * 1000:.2f}", f"{t_check * 1000:.2f} ({t_check / t_min:.2f}x)",
                         f"{t_id * 1000:.2f} ({t_id / t_min:.2f}x)", dagcore.identify(g).strategy, f"{(check.open_path or '').count(' ') // 2} edges",
                         f"{m_min / e:.0f} / {m_check / e:.0f} / {m_id / e:.0f}"])
    print(table(["family", "nodes", "edges", "minimal set ms", "is_adjustment_set (invalid) ms (vs minimal)", "identify() ms (vs minimal)",
                 "strategy", "open path named", "peak bytes per edge: minimal / check / identify"], rows))



def _bow(args: argparse.Namespace) -> None:
    """identify() where no adjustment set exists: the bow X <-> Y added to the deep family, so it goes on to the
    front-door search, the ID algorithm and instruments. Capped in a child process (the fork is in the time)."""
    from reference_frontdoor import reference_candidate_set

    from dagcore.identification.frontdoor import _largest_candidate_set

    rows = []
    for n in (25, 1_000, 2_000, 10_000):
        base = deep_dag(n, layers=min(20, max(3, n // 5)), seed=11)
        g = dagcore.CausalGraph(base.edges, nodes=base.nodes, bidirected=[("X", "Y")], exposure="X", outcome="Y")
        t_min = best_time(lambda: dagcore.minimal_adjustment_set(g), repeat=3)
        strategy, t_id = _timed_in_child(lambda: dagcore.identify(g).strategy, timeout=args.nx_timeout)
        t_fd = best_time(lambda: _largest_candidate_set(g, g.exposure, g.outcome), repeat=3)
        # the reference (the loop before the rewrite), in a capped child: quadratic
        _, t_ref = _timed_in_child(lambda: reference_candidate_set(g, g.exposure, g.outcome), timeout=args.nx_timeout)
        same = _largest_candidate_set(g, g.exposure, g.outcome) == reference_candidate_set(g, g.exposure, g.outcome) if n <= 2_000 else None
        rows.append([f"{n:,}", f"{len(g.edges):,}", f"{t_min * 1000:.2f}", f"{t_id * 1000:.0f}" + (" (stopped)" if t_id >= args.nx_timeout else ""),
                     f"{t_id / t_min:.0f}x", strategy, f"{t_fd * 1000:.1f}",
                     f"{t_ref * 1000:.0f}" + (" (stopped)" if t_ref >= args.nx_timeout else ""), f"{t_ref / t_fd:.0f}x",
                     {True: "yes", False: "NO", None: "not compared"}[same]])
        print(f"  measured bow n={n:,}: identify {t_id:.1f} s ({strategy}), front-door search {t_fd:.3f} s vs reference {t_ref:.1f} s",
              file=sys.stderr, flush=True)
    print()
    print(table(["deep nodes + X <-> Y", "edges", "minimal set ms (None)", "identify() ms", "vs minimal", "strategy",
                 "front-door search ms", "reference loop ms", "speed-up", "same set"], rows))



def _listing() -> None:
    """Listing every minimal set against the pre-issue-11 loops (benchmarks/reference_adjustment_sets.py), interleaved."""
    from reference_adjustment_sets import reference_adjustment_sets

    rows = []
    for name, g in (("ladder X <- A_i -> B_i -> Y, 16 rungs", ladder(16)), ("X <- a_i <- c_i -> Y, 16 paths", graph_with_2_16_minimal_sets())):
        ours = theirs = float("inf")
        count = 0
        for _ in range(3):
            start = time.perf_counter()
            count = sum(1 for _ in dagcore.adjustment_sets(g))
            ours = min(ours, time.perf_counter() - start)
            start = time.perf_counter()
            ref_count = sum(1 for _ in reference_adjustment_sets(g))
            theirs = min(theirs, time.perf_counter() - start)
            assert count == ref_count == 2**16
        same = list(itertools.islice(dagcore.adjustment_sets(g), 5000)) == list(itertools.islice(reference_adjustment_sets(g), 5000))
        rows.append([name, f"{count:,}", f"{theirs:.2f} s ({count / theirs:,.0f}/s)", f"{ours:.2f} s ({count / ours:,.0f}/s)", f"{theirs / ours:.1f}x",
                     "yes" if same else "no"])
        print(f"  measured {name}: reference {theirs:.2f} s, now {ours:.2f} s", file=sys.stderr, flush=True)
    for n, k in ((1_000, 300), (10_000, 3)):
        g = deep_dag(n, layers=20, seed=11)
        ours = theirs = float("inf")
        for _ in range(2 if n <= 1_000 else 1):
            start = time.perf_counter()
            got = list(itertools.islice(dagcore.adjustment_sets(g), k))
            ours = min(ours, time.perf_counter() - start)
            start = time.perf_counter()
            ref = list(itertools.islice(reference_adjustment_sets(g), k))
            theirs = min(theirs, time.perf_counter() - start)
        rows.append([f"deep_dag({n:,}), first {k}", f"{len(got)}", f"{theirs:.2f} s", f"{ours:.2f} s", f"{theirs / ours:.1f}x", "yes" if got == ref else "no"])
        print(f"  measured deep {n}: reference {theirs:.2f} s, now {ours:.2f} s", file=sys.stderr, flush=True)
    print()
    print(table(["graph", "sets", "reference (pre-issue-11 loops)", "now", "speed-up", "same sets, same order"], rows))



def _instruments(args: argparse.Namespace) -> None:
    """Instruments on the deep family (measure only: instrumental.py is being rewritten in another branch)."""
    rows = []
    for n in (5_000, 10_000):
        g = deep_dag(n, layers=20, seed=11)
        t_min = best_time(lambda: dagcore.minimal_adjustment_set(g), repeat=3)
        found, t_iv = _timed_in_child(lambda: len(list(dagcore.instruments(g))), timeout=args.nx_timeout)
        rows.append([f"{n:,}", f"{len(g.edges):,}", f"{t_iv:.1f}" + (" (stopped)" if t_iv >= args.nx_timeout else ""), str(found), f"{t_iv / t_min:.0f}x"])
        print(f"  measured instruments deep {n}: {t_iv:.1f} s", file=sys.stderr, flush=True)
    print()
    print(table(["deep nodes", "edges", "instruments s", "instruments found", "vs minimal set"], rows))


def _timed_in_child(fn, timeout: float) -> tuple[object, float]:
    """Run ``fn`` in a forked process; (result or "timeout"/"error: ...", seconds)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    queue = ctx.Queue()

    def run() -> None:
        start = time.perf_counter()
        try:
            out = fn()
        except Exception as err:  # noqa: BLE001 - report whatever the peer raises
            out = f"error: {type(err).__name__}"
        queue.put((out, time.perf_counter() - start))

    proc = ctx.Process(target=run)
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        return f"timeout (> {timeout:.0f} s)", timeout
    return queue.get()


def peers(g: dagcore.CausalGraph) -> None:
    """DoWhy's identify_effect on NHEFS; pgmpy's minimal adjustment set on random graphs, each answer checked."""
    try:
        import pandas as pd
        from dowhy import CausalModel  # type: ignore[import-not-found]

        data = pd.DataFrame({v: [0.0, 1.0] for v in g.observed})
        plain = nx.DiGraph(list(g.edges))
        plain.add_nodes_from(g.nodes)
        gml = "\n".join(nx.generate_gml(plain))
        model = CausalModel(data=data, treatment=list(g.exposure), outcome=list(g.outcome), graph=gml)
        t = best_time(lambda: model.identify_effect(proceed_when_unidentifiable=False), repeat=3)
        ours = best_time(lambda: dagcore.identify(g), repeat=3)
        print(f"\nDoWhy identify_effect on NHEFS: {t * 1000:.1f} ms; dagcore.identify: {ours * 1000:.2f} ms ({t / ours:.0f}x faster)")
    except ImportError:
        print("\n--peers: dowhy is not installed (pip install -e '.[peers]'); skipped")
    try:
        from pgmpy.base import DAG  # type: ignore[import-not-found]
        from pgmpy.inference import CausalInference  # type: ignore[import-not-found]
    except ImportError:
        print("--peers: pgmpy is not installed (pip install -e '.[peers]'); skipped")
        return
    rows = []
    for family in ("sparse ER", "deep"):
        for n in (100, 1_000):
            cg = erdos_renyi_dag(n, expected_degree=3, with_query=True, seed=11) if family == "sparse ER" else deep_dag(n, layers=20, seed=11)
            (x,), (y,) = tuple(cg.exposure), tuple(cg.outcome)
            dag = DAG(list(cg.edges), latents=set(cg.latent))
            ci = CausalInference(dag)
            theirs, t_theirs = _timed_in_child(lambda: ci.get_minimal_adjustment_set(x, y), timeout=120)
            t_ours = best_time(lambda: dagcore.minimal_adjustment_set(cg, x, y), repeat=3)
            ours = dagcore.minimal_adjustment_set(cg, x, y)
            valid = "-" if not isinstance(theirs, (set, frozenset)) else ("yes" if dagcore.is_adjustment_set(cg, x, y, theirs) else "NO")
            rows.append([family, f"{n:,}", f"{t_theirs * 1000:.1f}", f"{t_ours * 1000:.2f}", f"{t_theirs / t_ours:.0f}x",
                         "none" if ours is None else len(ours), theirs if isinstance(theirs, str) else ("none" if theirs is None else len(theirs)), valid])
    print()
    print(table(["family", "nodes", "pgmpy get_minimal_adjustment_set ms", "dagcore ms", "dagcore faster by", "dagcore set size", "pgmpy set size", "pgmpy set valid"], rows))


if __name__ == "__main__":
    main()
