"""Correctness cross-check against peers: DoWhy's and pgmpy's adjustment sets, validated by dagcore.

For the bundled example graphs and seeded random graphs with latent variables,
ask each library for an adjustment set and check every answer against the
generalized adjustment criterion (``dagcore.is_adjustment_set``, itself tested
against brute-force path enumeration). Also records when a peer calls an effect
identified by adjustment although no valid adjustment set exists, or finds none
although one exists. Needs the peers extra: ``pip install -e '.[peers]'``.

    python benchmarks/crosscheck_peers.py [--random 200] [--max-nodes 9]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import networkx as nx
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import table  # noqa: E402

import dagcore  # noqa: E402
from dagcore.random import erdos_renyi_dag  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXTRA = {
    # C -> X, C -> M, X -> M, M -> Y: {C} is right, {M} is a mediator
    "confounded mediator": "X [exposure] Y [outcome] C -> {X M} X -> M -> Y",
    # a latent confounder of X and Y: nothing observed can adjust
    "latent confounder": "X [exposure] Y [outcome] U [latent] U -> {X Y} Z -> X -> Y",
    # M-bias with the collider also a cause of the outcome's cause
    "M-bias variant": "X [exposure] Y [outcome] A -> {X M} B -> {M Y} M -> W -> Y X -> Y",
}


def graphs(n_random: int, max_nodes: int) -> list[tuple[str, dagcore.CausalGraph]]:
    out = [(p.relative_to(ROOT / "examples").as_posix(), dagcore.load(p)) for p in sorted((ROOT / "examples").rglob("*.dag"))]
    out += [(name, dagcore.parse(text)) for name, text in EXTRA.items()]
    seed = 0
    while len([n for n, _ in out if n.startswith("random")]) < n_random:
        seed += 1
        g = erdos_renyi_dag(4 + seed % (max_nodes - 3), expected_degree=2.5, latent_fraction=0.25, with_query=True, seed=seed)
        if g.exposure and g.outcome and not (g.exposure | g.outcome) & g.latent:
            out.append((f"random seed {seed}", g))
    return [(n, g) for n, g in out if len(g.exposure) == 1 and len(g.outcome) == 1]


def dowhy_set(g: dagcore.CausalGraph) -> tuple[str, frozenset[str] | None]:
    from dowhy import CausalModel  # type: ignore[import-not-found]

    data = pd.DataFrame({v: [0.0, 1.0] for v in g.observed})
    nxg = nx.DiGraph(list(g.edges))
    nxg.add_nodes_from(g.nodes)
    gml = "\n".join(nx.generate_gml(nxg))
    model = CausalModel(data=data, treatment=sorted(g.exposure), outcome=sorted(g.outcome), graph=gml)
    est = model.identify_effect(proceed_when_unidentifiable=False)  # never assume away latent confounding
    if est.estimands.get("backdoor") is None:
        return "none", None
    return "backdoor", frozenset(est.get_backdoor_variables())


def pgmpy_set(g: dagcore.CausalGraph) -> frozenset[str] | None:
    from pgmpy.base import DAG  # type: ignore[import-not-found]
    from pgmpy.inference import CausalInference  # type: ignore[import-not-found]

    (x,), (y,) = tuple(g.exposure), tuple(g.outcome)
    dag = DAG(list(g.edges))
    dag.add_nodes_from(g.nodes)
    dag.latents = set(g.latent)
    found = CausalInference(dag).get_minimal_adjustment_set(x, y)
    return None if found is None else frozenset(found)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--random", type=int, default=200, help="how many random graphs (default 200)")
    ap.add_argument("--max-nodes", type=int, default=9)
    ap.add_argument("--hash-seeds", default="0,1,2,3",
                    help="run once per PYTHONHASHSEED (set iteration order changes some peers' answers); default 0,1,2,3")
    args = ap.parse_args(argv)
    if os.environ.get("_CROSSCHECK_CHILD") != "1":  # the parent runs one child per hash seed
        status = 0
        for seed in args.hash_seeds.split(","):
            print(f"\n=== PYTHONHASHSEED={seed} ===", flush=True)
            env = {**os.environ, "PYTHONHASHSEED": seed.strip(), "_CROSSCHECK_CHILD": "1"}
            status |= subprocess.call([sys.executable, __file__, "--random", str(args.random), "--max-nodes", str(args.max_nodes)], env=env)
        return status
    try:
        import dowhy  # type: ignore[import-not-found]  # noqa: F401
        import pgmpy  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        print("needs the peers extra: pip install -e '.[peers]'")
        return 0
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    problems: list[list[str]] = []
    counts = {"graphs": 0, "dowhy invalid set": 0, "dowhy missed a set": 0, "dowhy error": 0, "pgmpy invalid set": 0, "pgmpy missed a set": 0, "pgmpy error": 0}
    times = {"dagcore": 0.0, "dowhy": 0.0, "pgmpy": 0.0}
    for name, g in graphs(args.random, args.max_nodes):
        counts["graphs"] += 1
        (x,), (y,) = tuple(g.exposure), tuple(g.outcome)
        start = time.perf_counter()
        ours = dagcore.minimal_adjustment_set(g, x, y)
        times["dagcore"] += time.perf_counter() - start
        start = time.perf_counter()
        try:
            kind, theirs = dowhy_set(g)
            if theirs is not None:
                check = dagcore.is_adjustment_set(g, x, y, theirs)
                if not check:
                    counts["dowhy invalid set"] += 1
                    problems.append([name, "DoWhy", "{" + ", ".join(sorted(theirs)) + "}", check.reason])
            elif ours is not None:
                counts["dowhy missed a set"] += 1
                problems.append([name, "DoWhy", "none", "dagcore finds {" + ", ".join(sorted(ours)) + "}"])
        except Exception as err:  # noqa: BLE001 - report whatever the peer raises
            counts["dowhy error"] += 1
            problems.append([name, "DoWhy", "error", f"{type(err).__name__}: {str(err)[:80]}"])
        times["dowhy"] += time.perf_counter() - start
        start = time.perf_counter()
        try:
            theirs = pgmpy_set(g)
            if theirs is not None and not dagcore.is_adjustment_set(g, x, y, theirs):
                counts["pgmpy invalid set"] += 1
                problems.append([name, "pgmpy", "{" + ", ".join(sorted(theirs)) + "}", dagcore.is_adjustment_set(g, x, y, theirs).reason])
            elif theirs is None and ours is not None:
                counts["pgmpy missed a set"] += 1
                problems.append([name, "pgmpy", "none", "dagcore finds {" + ", ".join(sorted(ours)) + "}"])
        except Exception as err:  # noqa: BLE001
            counts["pgmpy error"] += 1
            problems.append([name, "pgmpy", "error", f"{type(err).__name__}: {str(err)[:80]}"])
        times["pgmpy"] += time.perf_counter() - start
    print(table(["count", "value"], [[k, str(v)] for k, v in counts.items()]))
    print(f"\ntotal time: dagcore {times['dagcore']:.2f} s, DoWhy identify_effect {times['dowhy']:.1f} s, pgmpy {times['pgmpy']:.1f} s")
    if problems:
        print()
        print(table(["graph", "peer", "answer", "why it is wrong (dagcore's check)"], problems[:40]))
        if len(problems) > 40:
            print(f"(+{len(problems) - 40} more)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
