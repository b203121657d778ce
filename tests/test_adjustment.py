"""Adjustment sets against an independent brute-force reading of the adjustment criterion."""

from __future__ import annotations

import itertools

import pytest
from brute import simple_paths
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore import (
    CausalGraph,
    GraphError,
    adjustment_sets,
    canonical_adjustment_set,
    is_adjustment_set,
    is_backdoor_set,
    minimal_adjustment_set,
    minimum_adjustment_set,
    optimal_adjustment_set,
)
from dagcore.grammar import parse
from dagcore.testing import dags, queries


def brute_force_valid(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], z: frozenset[str]) -> bool:
    """Shpitser, VanderWeele & Robins (2010), read literally by enumerating paths."""
    if z & g.latent or z & (xs | ys):
        return False
    proper_causal_nodes: set[str] = set()
    noncausal: list[list[str]] = []
    for x in xs:
        for y in ys:
            for p in simple_paths(g, x, y):
                if set(p[1:]) & xs:
                    continue  # not proper
                if all(g.has_edge(p[i], p[i + 1]) for i in range(len(p) - 1)):
                    proper_causal_nodes.update(p[1:])
                else:
                    noncausal.append(p)
    forbidden = set()
    for w in proper_causal_nodes:
        forbidden |= g.descendants(w, include_self=True)
    if z & forbidden:
        return False
    for p in noncausal:
        blocked = False
        for i in range(1, len(p) - 1):
            a, v, b = p[i - 1], p[i], p[i + 1]
            if g.has_edge(a, v) and g.has_edge(b, v):
                if v not in z and not (g.descendants(v) & z):
                    blocked = True
            elif v in z:
                blocked = True
        if not blocked:
            return False
    return True


def all_valid_sets(g: CausalGraph) -> list[frozenset[str]]:
    xs, ys = g.exposure, g.outcome
    candidates = [v for v in g.observed if v not in xs | ys]
    return [frozenset(c) for k in range(len(candidates) + 1) for c in itertools.combinations(candidates, k) if brute_force_valid(g, xs, ys, frozenset(c))]


@pytest.mark.slow
@settings(max_examples=250)
@given(queries(max_nodes=8, latent_fraction=0.3, bidirected=True, max_exposures=2))
def test_sets_against_brute_force(g: CausalGraph) -> None:
    xs, ys = g.exposure, g.outcome
    valid = all_valid_sets(g)
    minimal = {s for s in valid if not any(t < s for t in valid)}
    # the checker agrees with the definition on every subset of at most 3 covariates
    candidates = [v for v in g.observed if v not in xs | ys]
    for k in range(min(3, len(candidates)) + 1):
        for c in itertools.combinations(candidates, k):
            assert bool(is_adjustment_set(g, xs, ys, c)) == (frozenset(c) in set(valid))
    m = minimal_adjustment_set(g, xs, ys)
    assert (m is None) == (not valid)
    if m is not None:
        assert m in minimal
    listed = list(adjustment_sets(g, xs, ys))
    assert len(listed) == len(set(listed))
    assert set(listed) == minimal
    mm = minimum_adjustment_set(g, xs, ys)
    if valid:
        assert mm in set(valid) and len(mm) == min(len(s) for s in valid)
    else:
        assert mm is None
    c = canonical_adjustment_set(g, xs, ys)
    assert (c is None) == (not valid) and (c is None or c in set(valid))
    o = optimal_adjustment_set(g, xs, ys)
    assert o is None or o in set(valid)
    if valid and not g.latent:
        assert o is not None


@pytest.mark.parametrize(
    ("name", "text", "expected_minimal"),
    [
        ("confounding", "Z -> X; Z -> Y; X -> Y", [{"Z"}]),
        ("m-bias", "A -> X; A -> M; B -> M; B -> Y; X -> Y", [set()]),
        ("butterfly", "A -> X; A -> M; B -> M; B -> Y; M -> X; M -> Y; X -> Y", [{"A", "M"}, {"B", "M"}]),
        ("mediator with confounder", "C -> X; C -> Y; X -> M -> Y", [{"C"}]),
        ("confounded-mediator trap", "C -> X; C -> M; X -> M; M -> Y", [{"C"}]),
        ("front-door (no set)", "X -> M -> Y; X <-> Y", []),
        ("bow (no set)", "X -> Y; X <-> Y", []),
    ],
)
def test_catalog(name: str, text: str, expected_minimal: list[set[str]]) -> None:
    g = parse(text + "; X [exposure]; Y [outcome]")
    got = sorted(sorted(s) for s in adjustment_sets(g))
    assert got == sorted(sorted(s) for s in expected_minimal), name
    m = minimal_adjustment_set(g)
    assert (m is None) == (not expected_minimal)
    if m is not None:
        assert "M" not in m or name == "butterfly"


def test_mediator_is_never_proposed_and_explained() -> None:
    g = parse("C -> X; C -> M; X -> M; M -> Y; X [exposure]; Y [outcome]")
    for s in adjustment_sets(g):
        assert "M" not in s
    check = is_adjustment_set(g, "X", "Y", {"M"})
    assert not check and "M is on a causal path" in check.reason and check.forbidden == {"M"}


def test_star_with_5_confounders_and_36_instruments() -> None:
    edges = [(f"C{i}", "X") for i in range(5)] + [(f"C{i}", "Y") for i in range(5)] + [(f"I{i}", "X") for i in range(36)] + [("X", "Y")]
    g = CausalGraph(edges, exposure="X", outcome="Y")
    assert minimal_adjustment_set(g) == {f"C{i}" for i in range(5)}
    assert optimal_adjustment_set(g) == {f"C{i}" for i in range(5)}
    assert list(adjustment_sets(g)) == [frozenset(f"C{i}" for i in range(5))]


def test_open_path_is_printed() -> None:
    g = parse("Z -> X; Z -> Y; X -> Y; X [exposure]; Y [outcome]")
    check = is_adjustment_set(g, "X", "Y", ())
    assert not check and check.open_path == "X <- Z -> Y"
    assert bool(is_backdoor_set(g, "X", "Y", {"Z"}))


def test_latent_nodes_are_never_used() -> None:
    g = parse("U -> X; U -> Y; X -> Y; U [latent]; X [exposure]; Y [outcome]")
    assert minimal_adjustment_set(g) is None and list(adjustment_sets(g)) == []
    assert "latent" in is_adjustment_set(g, "X", "Y", {"U"}).reason


def test_include_exclude_and_cost() -> None:
    g = parse("A -> X; A -> B; B -> Y; X -> Y; X [exposure]; Y [outcome]")
    assert minimal_adjustment_set(g, exclude={"A"}) == {"B"}
    assert minimal_adjustment_set(g, exclude={"A", "B"}) is None
    assert minimum_adjustment_set(g, cost={"A": 10, "B": 1}) == {"B"}
    assert minimum_adjustment_set(g, cost={"A": 1, "B": 10}) == {"A"}


def test_errors() -> None:
    with pytest.raises(GraphError, match="needs an exposure and an outcome"):
        minimal_adjustment_set(parse("X -> Y"))


@pytest.mark.slow
@settings(max_examples=100)
@given(dags(max_nodes=8, latent_fraction=0.3, bidirected=True), st.data())
def test_edge_removal_without_rebuild_matches_a_rebuilt_graph(g: CausalGraph, data: st.DataObject) -> None:
    edges = sorted(g.nx.edges)
    if not edges:
        return
    removed = set(data.draw(st.lists(st.sampled_from(edges), unique=True)))
    cut = g.without_edges(removed)
    kept = [e for e in edges if e not in removed]
    for v in g.nodes:
        assert cut.parents(v) == frozenset(u for u, w in kept if w == v)
        assert cut.children(v) == frozenset(w for u, w in kept if u == v)
    assert set(cut.nx.edges) == set(kept) and cut.latent == g.latent and cut.exposure == g.exposure
    assert set(g.nx.edges) == set(edges)  # the original is untouched


@settings(max_examples=300, deadline=None)
@given(queries(max_nodes=8, latent_fraction=0.2, bidirected=True), st.data())
def test_the_open_path_named_for_an_invalid_set_is_one_the_enumeration_finds(g, data) -> None:
    """The witness of an invalid set comes from one linear search and a loop erasure; for a set without forbidden
    nodes (the only sets ``is_adjustment_set`` asks it about) it must be an open non-causal path of the graph
    (checked against every path that ``paths`` enumerates), and exist exactly when such a path exists."""
    from dagcore.identification.adjustment import (
        _open_noncausal_path,
        _proper_backdoor_graph,
        forbidden_nodes,
        proper_causal_nodes,
    )
    from dagcore.structure.path_search import paths

    x, y = frozenset(g.exposure), frozenset(g.outcome)
    candidates = sorted(set(g.observed) - x - y - forbidden_nodes(g, x, y))
    z = frozenset(data.draw(st.lists(st.sampled_from(candidates), unique=True)) if candidates else [])
    pbd = _proper_backdoor_graph(g, x, proper_causal_nodes(g, x, y))
    witness = _open_noncausal_path(pbd, g, x, y, z)
    enumerated = {
        p.text()
        for a in x
        for b in y
        for p in paths(g, a, b, given=z)
        if p.open and p.kind != "causal" and not (set(p.nodes[1:-1]) & (x | y))
    }
    assert (witness is None) == (not enumerated)
    if witness is not None:
        assert witness in enumerated


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(queries(max_nodes=9, latent_fraction=0.2, bidirected=True, max_exposures=2), st.data())
def test_bit_mask_and_set_listings_agree_in_order(g: CausalGraph, data: st.DataObject) -> None:
    """The two representations of the listing (bit masks up to _BITSET_NODES moral-graph nodes, sets above)
    list the same sets in the same order, with include= and exclude=."""
    import dagcore.identification.adjustment as adj

    xs, ys = g.exposure, g.outcome
    candidates = sorted(set(g.observed) - xs - ys)
    include = data.draw(st.lists(st.sampled_from(candidates), unique=True, max_size=1)) if candidates else []
    exclude = data.draw(st.lists(st.sampled_from(candidates), unique=True, max_size=2)) if candidates else []
    exclude = [v for v in exclude if v not in include]
    by_bits = list(adj.adjustment_sets(g, include=include, exclude=exclude))
    limit = adj._BITSET_NODES
    try:
        adj._BITSET_NODES = -1
        by_sets = list(adj.adjustment_sets(g, include=include, exclude=exclude))
    finally:
        adj._BITSET_NODES = limit
    assert by_bits == by_sets
    for s in by_bits:
        assert set(include) <= s and not s & set(exclude) and is_adjustment_set(g, xs, ys, s)


def test_ladder_lists_every_choice_of_one_node_per_rung() -> None:
    """X -> Y plus k paths X <- A_i -> B_i -> Y: the minimal sets pick A_i or B_i on every rung (2^k of them)."""
    k = 6
    edges = [("X", "Y")] + [e for i in range(k) for e in ((f"A{i}", "X"), (f"A{i}", f"B{i}"), (f"B{i}", "Y"))]
    g = CausalGraph(edges, exposure="X", outcome="Y")
    expected = {frozenset(pick) for pick in itertools.product(*[(f"A{i}", f"B{i}") for i in range(k)])}
    listed = list(adjustment_sets(g))
    assert len(listed) == len(expected) == 2**k and set(listed) == expected
