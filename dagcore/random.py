"""Seeded random causal DAGs for tests, benchmarks and simulation studies.

Two families:

- :func:`erdos_renyi_dag`: a random topological order, each forward pair joined
  with a probability chosen for a given expected degree;
- :func:`deep_dag`: layered graphs where exposure and outcome sit late in the
  order with hundreds of ancestors and many back-door paths.

Both can mark a fraction of nodes latent and add bidirected edges.
"""

from __future__ import annotations

import random as _random

from dagcore.graph import CausalGraph

__all__ = ["erdos_renyi_dag", "deep_dag", "random_query"]


def _names(n: int, prefix: str) -> list[str]:
    width = len(str(max(n - 1, 0)))
    return [f"{prefix}{i:0{width}d}" for i in range(n)]


def _finish(
    rng: _random.Random,
    order: list[str],
    edges: list[tuple[str, str]],
    *,
    latent_fraction: float,
    bidirected: int,
    exposure: str | None,
    outcome: str | None,
) -> CausalGraph:
    protected = {exposure, outcome}
    candidates = [n for n in order if n not in protected]
    k = int(round(latent_fraction * len(order)))
    latent = rng.sample(candidates, min(k, len(candidates))) if k else []
    observed = [n for n in order if n not in set(latent)]
    pairs: set[tuple[str, str]] = set()
    tries = 0
    while len(pairs) < bidirected and len(observed) >= 2 and tries < 20 * bidirected + 20:
        tries += 1
        a, b = rng.sample(observed, 2)
        pairs.add((min(a, b), max(a, b)))
    return CausalGraph(
        edges,
        nodes=order,
        bidirected=sorted(pairs),
        latent=latent,
        exposure=exposure,
        outcome=outcome,
    )


def erdos_renyi_dag(
    n: int,
    *,
    expected_degree: float = 3.0,
    latent_fraction: float = 0.0,
    bidirected: int = 0,
    with_query: bool = False,
    seed: int | None = None,
    prefix: str = "v",
) -> CausalGraph:
    """A random DAG: each forward pair of a random order is an edge with probability ``expected_degree / (n - 1)``.

    Runs in time linear in the number of edges (geometric skipping), so graphs
    of 100,000 nodes are cheap.

    Parameters
    ----------
    n : int
        Number of nodes.
    expected_degree : float
        Expected number of edges per node (in plus out).
    latent_fraction : float
        Fraction of nodes marked latent (never the exposure or outcome).
    bidirected : int
        Number of bidirected edges ``A <-> B`` to add among observed nodes.
    with_query : bool
        Pick an exposure and outcome: a late node and one of its ancestors.
    seed : int, optional
        Seed for reproducibility.

    Examples
    --------
    >>> g = erdos_renyi_dag(50, expected_degree=3, seed=1)
    >>> len(g.nodes), 40 < len(g.edges) < 110
    (50, True)
    >>> erdos_renyi_dag(50, seed=1) == erdos_renyi_dag(50, seed=1)
    True
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    rng = _random.Random(seed)
    order = _names(n, prefix)
    rng.shuffle(order)
    p = min(1.0, expected_degree / max(n - 1, 1))
    edges: list[tuple[str, str]] = []
    if p > 0 and n > 1:
        import math

        # Enumerate forward pairs (i < j) by index k in the triangular array, skipping geometrically.
        total = n * (n - 1) // 2
        log_q = math.log(1.0 - p) if p < 1.0 else None
        k = -1
        while True:
            if log_q is None:
                k += 1
            else:
                k += 1 + int(math.log(1.0 - rng.random()) / log_q)
            if k >= total:
                break
            # row i has n-1-i pairs; find i, j from k
            i = int(n - 2 - math.floor(math.sqrt(-8 * k + 4 * n * (n - 1) - 7) / 2.0 - 0.5))
            j = k + i + 1 - n * (n - 1) // 2 + (n - i) * ((n - i) - 1) // 2
            edges.append((order[i], order[j]))
    exposure = outcome = None
    if with_query:
        exposure, outcome = _pick_query(rng, order, edges)
    return _finish(rng, order, edges, latent_fraction=latent_fraction, bidirected=bidirected, exposure=exposure, outcome=outcome)


def _pick_query(rng: _random.Random, order: list[str], edges: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    """An (exposure, outcome) pair with the exposure an ancestor of the outcome, late in the order."""
    parents: dict[str, list[str]] = {v: [] for v in order}
    for u, v in edges:
        parents[v].append(u)
    for outcome in reversed(order):
        if parents[outcome]:
            # any ancestor; prefer a direct parent of the outcome that itself has parents
            candidates = sorted(parents[outcome], key=lambda x: -len(parents[x]))
            return candidates[0] if rng.random() < 0.7 else rng.choice(candidates), outcome
    return None, None


def deep_dag(
    n: int = 500,
    *,
    layers: int = 10,
    expected_degree: float = 4.0,
    latent_fraction: float = 0.0,
    bidirected: int = 0,
    seed: int | None = None,
) -> CausalGraph:
    """A layered DAG with the exposure ``X`` and outcome ``Y`` in the last layers.

    Nodes ``v...`` are spread over ``layers`` layers; edges go from earlier to
    later layers (mostly to the next one). ``X`` and ``Y`` get many parents
    from the last layers, so they have hundreds of ancestors and many
    back-door paths; ``X -> Y`` is an edge.

    Examples
    --------
    >>> g = deep_dag(300, seed=0)
    >>> sorted(g.exposure), sorted(g.outcome)
    (['X'], ['Y'])
    >>> len(g.ancestors("X")) > 100
    True
    """
    rng = _random.Random(seed)
    body = _names(n, "v")
    per_layer = max(1, n // layers)
    layer_of = {name: min(i // per_layer, layers - 1) for i, name in enumerate(body)}
    by_layer: list[list[str]] = [[] for _ in range(layers)]
    for name in body:
        by_layer[layer_of[name]].append(name)
    edges: set[tuple[str, str]] = set()
    out_degree = max(1, int(round(expected_degree / 2)))
    for name in body:
        layer = layer_of[name]
        if layer == layers - 1:
            continue
        for _ in range(out_degree):
            target_layer = layer + 1 if rng.random() < 0.8 else rng.randint(layer + 1, layers - 1)
            edges.add((name, rng.choice(by_layer[target_layer])))
    last = by_layer[-1] + by_layer[-2] if layers > 1 else by_layer[-1]
    for node in rng.sample(last, min(len(last), max(3, len(last) // 2))):
        edges.add((node, "X"))
    for node in rng.sample(last, min(len(last), max(3, len(last) // 2))):
        edges.add((node, "Y"))
    edges.add(("X", "Y"))
    order = body + ["X", "Y"]
    return _finish(rng, order, sorted(edges), latent_fraction=latent_fraction, bidirected=bidirected, exposure="X", outcome="Y")


def random_query(graph: CausalGraph, *, seed: int | None = None) -> CausalGraph | None:
    """The graph with an exposure and outcome set: an observed node and an observed descendant of it.

    Returns None when no observed node has an observed descendant.

    Examples
    --------
    >>> g = random_query(CausalGraph([("A", "B")]), seed=0)
    >>> sorted(g.exposure), sorted(g.outcome)
    (['A'], ['B'])
    """
    rng = _random.Random(seed)
    observed = list(graph.observed)
    rng.shuffle(observed)
    for x in observed:
        desc = sorted(graph.descendants(x) - graph.latent)
        if desc:
            return graph.with_roles(exposure=x, outcome=rng.choice(desc))
    return None
