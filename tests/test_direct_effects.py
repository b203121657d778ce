"""Controlled direct effects and the front-door search, against exact distributions and the definition.

The controlled direct effect intervenes on the exposure and on every other
parent of the outcome that the exposure affects; its formula must equal
P(y | do(x, m)) computed by enumerating a random binary model with those
mechanisms replaced.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from test_identification import BinarySCM

from dagcore import CausalGraph, evaluate, find_frontdoor_set, identify, is_frontdoor_set
from dagcore.grammar import parse
from dagcore.testing import queries


def _check_direct(g: CausalGraph, seed: int) -> int:
    e = identify(g, effect="direct")
    if not e.identified:
        return 0
    scm = BinarySCM(g, seed)
    dist = scm.observational()
    xs, ys, ms = sorted(g.exposure), sorted(g.outcome), sorted(e.mediators or ())
    expr = e.expression
    assert expr.free_variables() <= set(xs) | set(ys) | set(ms), expr.to_text()
    checked = 0
    for values in itertools.product((0, 1), repeat=len(xs) + len(ms) + len(ys)):
        a = dict(zip(xs + ms + ys, values))
        truth = scm.interventional({v: a[v] for v in xs + ms}, {v: a[v] for v in ys})
        got = evaluate(expr, dist, a)
        assert abs(got - truth) < 1e-9, (expr.to_text(), a, got, truth)
        checked += 1
    return checked


@settings(max_examples=40, deadline=None)
@given(queries(max_nodes=6, latent_fraction=0.3, bidirected=True))
def test_direct_effect_formulas_equal_the_joint_intervention(g: CausalGraph) -> None:
    _check_direct(g, seed=len(g.edges))


def test_direct_effects_refused_before_are_answered() -> None:
    front = parse("X -> M -> Y; X <-> Y; X [exposure]; Y [outcome]")
    e = identify(front, effect="direct")
    assert e.strategy == "id" and e.mediators == {"M"} and any("direct effect is zero" in a for a in e.assumptions)
    assert _check_direct(front, seed=1) > 0
    napkin = parse("W -> Z -> X -> Y; W <-> X; W <-> Y; X [exposure]; Y [outcome]")
    d, t = identify(napkin, effect="direct"), identify(napkin)
    assert d.strategy == "id" and d.formula == t.formula and d.mediators == frozenset()
    assert _check_direct(napkin, seed=2) > 0


def test_a_confounded_mediator_parent_is_a_named_hedge() -> None:
    e = identify(parse("X -> M -> Y; X -> Y; M <-> Y; X [exposure]; Y [outcome]"), effect="direct")
    assert not e.identified and "hedge" in e.reason and "{M, X}" in e.reason


def _brute_frontdoor_exists(g: CausalGraph) -> bool:
    pool = sorted(set(g.observed) - g.exposure - g.outcome)
    return any(is_frontdoor_set(g, g.exposure, g.outcome, set(c)) for r in range(1, len(pool) + 1) for c in itertools.combinations(pool, r))


@settings(max_examples=60, deadline=None)
@given(queries(max_nodes=6, latent_fraction=0.3, bidirected=True))
def test_find_frontdoor_set_agrees_with_is_frontdoor_set(g: CausalGraph) -> None:
    found = find_frontdoor_set(g)
    if found is None:
        assert not _brute_frontdoor_exists(g)
    else:
        assert is_frontdoor_set(g, g.exposure, g.outcome, found)


def test_no_frontdoor_set_when_the_outcome_causes_the_exposure() -> None:
    g = parse("Y -> X; M; X [exposure]; Y [outcome]")
    assert find_frontdoor_set(g) is None
    check = is_frontdoor_set(g, "X", "Y", {"M"})
    assert not check and "no directed path" in check.reason
    assert identify(g).formula == "P(Y)"


def test_no_irrelevant_mediator_is_proposed() -> None:
    g = parse("X -> M -> Y; X <-> Y; N; X [exposure]; Y [outcome]")
    assert find_frontdoor_set(g) == {"M"}


@settings(max_examples=150, deadline=None)
@given(queries(max_nodes=9, latent_fraction=0.3, bidirected=True))
def test_the_linear_frontdoor_search_finds_the_same_set_as_the_one_at_a_time_loop(g: CausalGraph) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from reference_frontdoor import reference_candidate_set

    from dagcore.identification.frontdoor import _largest_candidate_set

    assert _largest_candidate_set(g, g.exposure, g.outcome) == reference_candidate_set(g, g.exposure, g.outcome)


@pytest.mark.parametrize("seed", range(6))
def test_the_linear_frontdoor_search_agrees_on_larger_graphs_with_latents(seed: int) -> None:
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from reference_frontdoor import reference_candidate_set

    from dagcore.identification.frontdoor import _largest_candidate_set
    from dagcore.random import deep_dag

    base = deep_dag(120, layers=8, seed=seed)
    rng = random.Random(seed)
    nodes = sorted(base.nodes)
    pairs = {tuple(sorted(rng.sample(nodes, 2))) for _ in range(10)} | {("X", "Y")}
    g = CausalGraph(base.edges, nodes=base.nodes, bidirected=sorted(pairs), exposure="X", outcome="Y")
    found = _largest_candidate_set(g, g.exposure, g.outcome)
    assert found == reference_candidate_set(g, g.exposure, g.outcome)
