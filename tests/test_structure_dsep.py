"""d-separation, paths and implied independencies against an independent brute-force definition."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dagcore import (
    CausalGraph,
    GraphError,
    NodeNotFoundError,
    d_connected,
    d_separated,
    implied_independencies,
    minimal_d_separator,
    paths,
)
from dagcore.testing import dags


def brute_force_open_path_exists(g: CausalGraph, x: str, y: str, z: set[str]) -> bool:
    """Enumerate every simple path of the skeleton and apply Pearl's blocking rules directly."""
    nbrs: dict[str, set[str]] = {v: set() for v in g.nodes}
    for a, b in g.edges:
        nbrs[a].add(b)
        nbrs[b].add(a)
    desc_cache = {v: g.descendants(v) for v in g.nodes}

    def is_open(path: list[str]) -> bool:
        for i in range(1, len(path) - 1):
            a, v, b = path[i - 1], path[i], path[i + 1]
            collider = g.has_edge(a, v) and g.has_edge(b, v)
            if collider:
                if v not in z and not (desc_cache[v] & z):
                    return False
            elif v in z:
                return False
        return True

    def dfs(path: list[str]) -> bool:
        last = path[-1]
        if last == y:
            return is_open(path)
        return any(dfs(path + [n]) for n in sorted(nbrs[last]) if n not in path)

    return dfs([x])


def _random_question(g: CausalGraph, pool: list[str], rnd) -> tuple[str, str, set[str]]:
    """Two nodes of ``pool`` and a random set of the other observed nodes to condition on (the example is skipped when ``pool`` has fewer than two)."""
    assume(len(pool) >= 2)
    x, y = rnd.sample(pool, 2)
    rest = [n for n in g.observed if n not in (x, y)]
    return x, y, set(rnd.sample(rest, rnd.randint(0, len(rest))))


@pytest.mark.slow
@settings(max_examples=2000)
@given(dags(max_nodes=7, latent_fraction=0.3, bidirected=True), st.randoms(use_true_random=False))
def test_d_separation_matches_brute_force(g: CausalGraph, rnd) -> None:
    x, y, z = _random_question(g, list(g.nodes), rnd)
    assert d_separated(g, x, y, given=z) == (not brute_force_open_path_exists(g, x, y, z))


@pytest.mark.slow
@settings(max_examples=300)
@given(dags(max_nodes=7, latent_fraction=0.3, bidirected=True), st.randoms(use_true_random=False))
def test_paths_agree_with_d_separation(g: CausalGraph, rnd) -> None:
    x, y, z = _random_question(g, list(g.observed), rnd)
    found = list(paths(g, x, y, given=z))
    assert any(p.open for p in found) == d_connected(g, x, y, given=z)
    for p in found:
        assert p.nodes[0] == x and p.nodes[-1] == y and len(set(p.nodes)) == len(p.nodes)
        assert p.open == (not p.reason.startswith("blocked"))


@pytest.mark.slow
@settings(max_examples=300)
@given(dags(max_nodes=7, latent_fraction=0.3, bidirected=True))
def test_implied_independencies_are_true_and_cover_every_separable_pair(g: CausalGraph) -> None:
    statements = implied_independencies(g)
    covered = {frozenset((s.x, s.y)) for s in statements}
    for s in statements:
        assert d_separated(g, s.x, s.y, given=set(s.given))
        assert not set(s.given) & g.latent
    observed = sorted(g.observed)
    for a, b in itertools.combinations(observed, 2):
        others = [n for n in observed if n not in (a, b)]
        separable = any(d_separated(g, a, b, given=set(c)) for k in range(len(others) + 1) for c in itertools.combinations(others, k))
        assert (frozenset((a, b)) in covered) == separable


@settings(max_examples=300)
@given(dags(max_nodes=7, latent_fraction=0.3))
def test_minimal_d_separator_is_valid_and_minimal(g: CausalGraph) -> None:
    observed = sorted(g.observed)
    if len(observed) < 2:
        return
    a, b = observed[0], observed[-1]
    z = minimal_d_separator(g, a, b)
    if z is None:
        others = [n for n in observed if n not in (a, b)]
        assert not any(d_separated(g, a, b, given=set(c)) for k in range(len(others) + 1) for c in itertools.combinations(others, k))
    else:
        assert d_separated(g, a, b, given=z) and not z & g.latent
        assert all(not d_separated(g, a, b, given=z - {v}) for v in z)


@settings(max_examples=200)
@given(dags(max_nodes=7))
def test_local_markov_statements_are_true(g: CausalGraph) -> None:
    for s in implied_independencies(g, kind="local"):
        assert d_separated(g, s.x, s.y, given=set(s.given))


def test_local_kind_rejects_latent_graphs() -> None:
    with pytest.raises(GraphError, match="without latent"):
        implied_independencies(CausalGraph([("X", "Y")], bidirected=[("X", "Y")]), kind="local")


def test_path_limit_is_never_silent() -> None:
    edges = [(f"a{i}", f"a{j}") for i in range(8) for j in range(i + 1, 8)]
    it = paths(CausalGraph(edges), "a0", "a7", limit=10)
    assert len(list(it)) == 10 and it.truncated
    it = paths(CausalGraph(edges), "a0", "a7")
    assert len(list(it)) > 10 and not it.truncated


def test_bidirected_paths_are_shown_as_bidirected() -> None:
    g = CausalGraph([("X", "Y")], bidirected=[("X", "Y")])
    texts = sorted(p.text() for p in paths(g, "X", "Y"))
    assert texts == ["X -> Y", "X <-> Y"]


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ((), "blocked: collider M is not conditioned on and has no conditioned descendant"),
        (("M",), "opened: collider M is conditioned on"),
        (("D",), "opened: collider M has conditioned descendant D"),
    ],
)
def test_path_reasons_name_the_nodes(given: tuple, reason: str) -> None:
    g = CausalGraph([("X", "M"), ("Y", "M"), ("M", "D")])
    (p,) = list(paths(g, "X", "Y", given=given))
    assert p.reason == reason


def test_errors() -> None:
    g = CausalGraph([("X", "Y"), ("Z", "Y")])
    with pytest.raises(NodeNotFoundError, match="did you mean 'X'"):
        d_separated(g, "x", "Y")
    with pytest.raises(GraphError, match="disjoint"):
        d_separated(g, "X", "X")
    with pytest.raises(GraphError, match="same node"):
        list(paths(g, "X", "X"))
