"""Hypothesis strategies for property tests of causal-graph code.

Use them to test your own identification logic against a definition::

    from hypothesis import given
    from dagcore.testing import queries
    from dagcore import minimal_adjustment_set, is_adjustment_set

    @given(queries(max_nodes=8, latent_fraction=0.2))
    def test_minimal_sets_are_valid(g):
        z = minimal_adjustment_set(g, g.exposure, g.outcome)
        assert z is None or is_adjustment_set(g, g.exposure, g.outcome, z)

Requires the ``hypothesis`` package (in the ``dev`` extra).
"""

from __future__ import annotations

try:
    from hypothesis import strategies as st
except ImportError as err:  # pragma: no cover
    raise ImportError("dagcore.testing needs the 'hypothesis' package: pip install 'dagcore[dev]' or pip install hypothesis") from err

from typing import Any

from dagcore.graph import CausalGraph

__all__ = ["dags", "queries"]


@st.composite
def dags(
    draw: st.DrawFn, *, min_nodes: int = 1, max_nodes: int = 8,
    edge_probability: float | None = None, latent_fraction: float = 0.0, bidirected: bool = False,
) -> CausalGraph:
    """Random causal DAGs over nodes ``v0, v1, ...``.

    Parameters
    ----------
    min_nodes, max_nodes : int
        Size range.
    edge_probability : float, optional
        Probability of each forward edge; drawn between 0.1 and 0.7 when None.
    latent_fraction : float
        Upper bound on the fraction of nodes marked latent (each graph draws
        its own fraction between 0 and this).
    bidirected : bool
        Whether to add random ``<->`` edges among observed nodes.

    Examples
    --------
    >>> from hypothesis import find
    >>> g = find(dags(min_nodes=3, edge_probability=0.5), lambda g: len(g.edges) >= 2)
    >>> len(g.nodes) >= 3 and len(g.edges) >= 2
    True
    """
    n = draw(st.integers(min_nodes, max_nodes))
    names = [f"v{i}" for i in range(n)]
    order = draw(st.permutations(names))
    p = edge_probability if edge_probability is not None else draw(st.floats(0.1, 0.7))
    edges = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if draw(st.floats(0, 1)) < p:
                edges.append((a, b))
    latent: list[str] = []
    if latent_fraction > 0 and n > 0:
        k = draw(st.integers(0, int(latent_fraction * n)))
        latent = draw(st.lists(st.sampled_from(names), min_size=k, max_size=k, unique=True)) if k else []
    pairs: list[tuple[str, str]] = []
    observed = [v for v in names if v not in latent]
    if bidirected and len(observed) >= 2:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(observed), st.sampled_from(observed)).filter(lambda t: t[0] != t[1]),
                max_size=3,
            )
        )
    return CausalGraph(edges, nodes=names, bidirected=pairs, latent=latent)


@st.composite
def queries(draw: st.DrawFn, *, max_exposures: int = 1, **dag_options: Any) -> CausalGraph:
    """Random DAGs with roles: an observed exposure (or several) that is an ancestor of an observed outcome.

    Parameters
    ----------
    max_exposures : int
        Most exposures per graph (each an observed ancestor of the outcome).
    **dag_options
        The options of :func:`dags` (``min_nodes``, ``max_nodes``,
        ``edge_probability``, ``latent_fraction``, ``bidirected``), with
        ``min_nodes`` at least 2 (its default here).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(queries(max_nodes=6))
    ... def check(g):
    ...     (y,) = g.outcome
    ...     assert g.exposure <= g.ancestors(y)
    >>> check()
    """
    dag_options["min_nodes"] = max(2, dag_options.get("min_nodes", 2))
    g = draw(dags(**dag_options).filter(lambda g: any(g.descendants(x) - g.latent for x in g.observed)))
    sources = [x for x in g.observed if g.descendants(x) - g.latent]
    y_candidates = sorted({y for x in sources for y in g.descendants(x) - g.latent})
    y = draw(st.sampled_from(y_candidates))
    ancestors = sorted(g.ancestors(y) - g.latent)
    k = draw(st.integers(1, max(1, min(max_exposures, len(ancestors)))))
    xs = draw(st.lists(st.sampled_from(ancestors), min_size=k, max_size=k, unique=True))
    return g.with_roles(exposure=xs, outcome=y)
