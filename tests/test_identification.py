"""identify(), the ID algorithm, front-door and instruments: catalog, brute force, and numerical truth.

Numerical truth: random binary structural causal models on random graphs with
latent variables. The exact P(y | do(x)) comes from enumerating the model with
the exposure's mechanism replaced; the identified formula is evaluated on the
exact observational distribution of the observed variables. They must agree
to 1e-9 whenever the effect is identified.
"""

from __future__ import annotations

import itertools

import pytest
from brute import RandomBinaryTables, simple_paths
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore import (
    CausalGraph,
    GraphError,
    HedgeError,
    JointDistribution,
    d_separated,
    evaluate,
    frontdoor_sets,
    identify,
    identify_effect,
    instruments,
    is_frontdoor_set,
    is_instrument,
)
from dagcore.grammar import load, parse
from dagcore.testing import queries


class BinarySCM(RandomBinaryTables):
    def observational(self) -> JointDistribution:
        observed = list(self.g.observed)
        idx = [self.order.index(v) for v in observed]
        table: dict[tuple[int, ...], float] = {}
        for values, p in self.joint({}).items():
            key = tuple(values[i] for i in idx)
            table[key] = table.get(key, 0.0) + p
        return JointDistribution(observed, {v: (0, 1) for v in observed}, table)

    def interventional(self, do: dict[str, int], event: dict[str, int]) -> float:
        return self.probability(do, event)


def check_formula(g: CausalGraph, expr, seed: int) -> int:
    scm = BinarySCM(g, seed)
    dist = scm.observational()
    xs, ys = sorted(g.exposure), sorted(g.outcome)
    extra = sorted(expr.free_variables() - set(xs) - set(ys))
    checked = 0
    for xv in itertools.product((0, 1), repeat=len(xs)):
        for yv in itertools.product((0, 1), repeat=len(ys)):
            truth = scm.interventional(dict(zip(xs, xv)), dict(zip(ys, yv)))
            for ev in itertools.product((0, 1), repeat=len(extra)):
                values = {**dict(zip(xs, xv)), **dict(zip(ys, yv)), **dict(zip(extra, ev))}
                got = evaluate(expr, dist, values)
                assert abs(got - truth) < 1e-9, (expr.to_text(), values, got, truth)
                checked += 1
    return checked


@pytest.mark.slow
@settings(max_examples=120)
@given(queries(max_nodes=7, latent_fraction=0.3, bidirected=True), st.integers(0, 10_000))
def test_identified_formulas_equal_the_truth(g: CausalGraph, seed: int) -> None:
    e = identify(g)
    if e.strategy in ("randomized", "backdoor", "frontdoor", "id"):
        assert check_formula(g, e.expression, seed) > 0


@pytest.mark.slow
@settings(max_examples=120)
@given(queries(max_nodes=7, latent_fraction=0.4, bidirected=True), st.integers(0, 10_000))
def test_id_algorithm_equals_the_truth_or_finds_a_hedge(g: CausalGraph, seed: int) -> None:
    try:
        expr = identify_effect(g, g.exposure, g.outcome)
    except HedgeError as err:
        f, f_prime = err.hedge
        projection = g.latent_projection()
        assert f_prime < f
        assert f & g.exposure and not f_prime & g.exposure
        assert len(projection.subgraph(f).districts()) == 1
        assert len(projection.subgraph(f_prime).districts()) == 1
        return
    check_formula(g, expr, seed)


CATALOG = [
    ("confounding.dag", "backdoor"),
    ("m_bias.dag", "randomized"),
    ("butterfly.dag", "backdoor"),
    ("frontdoor.dag", "frontdoor"),
    ("iv.dag", "iv"),
    ("conditional_iv.dag", "iv"),
    ("napkin.dag", "id"),
    ("bow.dag", "not_identifiable"),
    ("nhefs/nhefs.dag", "backdoor"),
]


@pytest.mark.parametrize(("name", "strategy"), CATALOG)
def test_catalog_strategies(name: str, strategy: str) -> None:
    from pathlib import Path

    g = load(Path(__file__).parents[1] / "examples" / name)
    e = identify(g)
    assert e.strategy == strategy
    assert e.assumptions
    if strategy == "not_identifiable":
        assert "hedge" in e.reason and not e.formula
    else:
        assert e.formula and e.latex


def test_napkin_is_the_ratio_formula_not_the_naive_conditional() -> None:
    e = identify(parse("W -> Z -> X -> Y; W <-> X; W <-> Y; X [exposure]; Y [outcome]"))
    assert e.strategy == "id"
    # the ratio takes the same value for every Z, so it is averaged over P(Z): no free variable but X and Y
    assert e.formula == "Σ_{Z} P(Z) [[Σ_{W} P(W) P(X | W, Z) P(Y | W, X, Z)] / [Σ_{W} P(W) P(X | W, Z)]]"
    assert e.expression.free_variables() == {"X", "Y"}
    assert check_formula(e.graph, e.expression, seed=3) > 0


def test_nhefs_estimand_text() -> None:
    from pathlib import Path

    e = identify(load(Path(__file__).parents[1] / "examples" / "nhefs" / "nhefs.dag"))
    assert e.adjustment_set == {"sex", "race", "age", "education", "smokeintensity", "smokeyrs", "exercise", "active", "wt71"}
    assert any(a.startswith("no unobserved common cause of qsmk and wt82_71 other than through {active, age") for a in e.assumptions)
    assert e.to_dict()["strategy"] == "backdoor"


def test_latent_exposure_is_an_error() -> None:
    with pytest.raises(GraphError, match="latent"):
        identify(parse("U -> Y; U [latent]"), exposure="U", outcome="Y")


def test_direct_effect() -> None:
    e = identify(parse("C -> X; X -> M -> Y; X -> Y; C -> Y; X [exposure]; Y [outcome]"), effect="direct")
    assert e.effect == "direct" and e.mediators == {"M"} and e.adjustment_set == {"C"}


def test_idc_conditional_effect() -> None:
    g = parse("Z -> X -> Y; Z -> Y; X [exposure]; Y [outcome]")
    expr = identify_effect(g, "X", "Y", given="Z")
    assert expr.to_text() == "P(Y | X, Z)"


@pytest.mark.slow
@settings(max_examples=150)
@given(queries(max_nodes=7, latent_fraction=0.3, bidirected=True))
def test_frontdoor_sets_satisfy_the_definition_and_are_found_when_they_exist(g: CausalGraph) -> None:
    xs, ys = g.exposure, g.outcome
    found = list(frontdoor_sets(g))
    for m in found:
        assert _brute_frontdoor(g, xs, ys, m)
    candidates = [v for v in g.observed if v not in xs | ys]
    exists = any(_brute_frontdoor(g, xs, ys, frozenset(c)) for k in range(1, len(candidates) + 1) for c in itertools.combinations(candidates, k))
    if exists:
        assert found, "a front-door set exists but none was found"


def _brute_frontdoor(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], m: frozenset[str]) -> bool:
    # (i) every directed path from X to Y meets M
    for x in xs:
        for y in ys:
            for p in simple_paths(g, x, y):
                if all(g.has_edge(p[i], p[i + 1]) for i in range(len(p) - 1)) and not set(p) & m:
                    return False
    gx = g._rebuild(edges=[e for e in g.edges if e[0] not in xs and e[0] not in g.bidirected_latents], edge_attributes={})
    if not d_separated(gx, xs, m):
        return False
    gm = g._rebuild(edges=[e for e in g.edges if e[0] not in m and e[0] not in g.bidirected_latents], edge_attributes={})
    return d_separated(gm, m, ys, given=xs) and bool(is_frontdoor_set(g, xs, ys, m))


# instruments against their definition (all conditioning sets) and 2SLS simulations: tests/test_instruments.py


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("Z -> X -> Y; Z -> Y", "exclusion"),
        ("Z -> X -> Y; Z <-> Y", "independence"),
        ("Z -> W; X -> Y", "relevance"),
    ],
)
def test_instrument_failures_are_named(text: str, condition: str) -> None:
    g = parse(text + "; X [exposure]; Y [outcome]")
    check = is_instrument(g, "Z")
    assert not check and check.condition == condition and condition in check.reason


def test_latent_node_is_never_an_instrument() -> None:
    g = parse("U -> X -> Y; X <-> Y; U [latent]; X [exposure]; Y [outcome]")
    assert list(instruments(g)) == []
    assert not is_instrument(g, "U")
