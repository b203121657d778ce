"""Selection ([selected] nodes) against exact distributions of random binary models.

For a random graph with a selection node S, the truth is the population's
P(y | do(x)), by enumerating the model with the exposure's mechanism replaced.
The data are the selected sample: the exact distribution of the observed
variables given S = 1. For every candidate set Z the adjustment formula
Σ_z P(y | x, z) P(z) is evaluated on that selected distribution, under two
random parameterisations. A set counts as valid by definition when the formula
equals the truth in both (to 1e-9), and as invalid when it differs (by more
than 1e-6) in one of them. dagcore must accept exactly the valid sets
(:func:`dagcore.is_adjustment_set`), list exactly the minimal ones
(:func:`dagcore.adjustment_sets`), refuse with a reason when there is none, and
``identify`` must give a formula that equals the truth on the selected sample.
"""

from __future__ import annotations

import itertools

import pytest
from brute import RandomBinaryTables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagcore import (
    CausalGraph,
    JointDistribution,
    adjustment_sets,
    backdoor_formula,
    canonical_adjustment_set,
    d_separated,
    evaluate,
    identify,
    is_adjustment_set,
    minimal_adjustment_set,
    minimum_adjustment_set,
    no_adjustment_reason,
    optimal_adjustment_set,
    selection_reason,
)
from dagcore.grammar import parse
from dagcore.testing import queries


class SelectedSCM(RandomBinaryTables):
    """Exact joint distributions of a binary model, with interventions and the selected sample."""

    def selected_sample(self, selected: frozenset[str]) -> JointDistribution:
        """The observed variables' distribution among units with every S = 1 (S itself dropped: it is constant)."""
        observed = [v for v in self.g.observed if v not in selected]
        idx = [self.order.index(v) for v in observed]
        sel = [self.order.index(s) for s in selected]
        table: dict[tuple[int, ...], float] = {}
        total = 0.0
        for values, p in self.joint({}).items():
            if all(values[i] == 1 for i in sel):
                key = tuple(values[i] for i in idx)
                table[key] = table.get(key, 0.0) + p
                total += p
        return JointDistribution(observed, {v: (0, 1) for v in observed}, {k: p / total for k, p in table.items()})

    def effect(self, do: dict[str, int], event: dict[str, int]) -> float:
        return self.probability(do, event)


def _gaps(g: CausalGraph, scm: SelectedSCM, dist: JointDistribution, z: frozenset[str]) -> float:
    """Largest |formula on the selected sample - truth| over every value of X and Y."""
    xs, ys = sorted(g.exposure), sorted(g.outcome)
    expr = backdoor_formula(xs, ys, z)
    worst = 0.0
    for xv in itertools.product((0, 1), repeat=len(xs)):
        for yv in itertools.product((0, 1), repeat=len(ys)):
            truth = scm.effect(dict(zip(xs, xv)), dict(zip(ys, yv)))
            got = evaluate(expr, dist, {**dict(zip(xs, xv)), **dict(zip(ys, yv))})
            worst = max(worst, abs(got - truth))
    return worst


@st.composite
def selected_queries(draw: st.DrawFn, max_exposures: int = 1, max_nodes: int = 6) -> CausalGraph:
    """A random query graph, often with an observed confounder C, plus a selection node S with one or two parents."""
    g = draw(queries(max_nodes=max_nodes, latent_fraction=0.25, bidirected=True, max_exposures=max_exposures, edge_probability=0.45))
    edges = list(g.nx.edges)
    nodes = list(g.nodes)
    if draw(st.booleans()):  # an observed confounder C -> X, C -> Y: adjustment is needed
        edges += [("C", x) for x in sorted(g.exposure)] + [("C", y) for y in sorted(g.outcome)]
        roots = sorted(set(g.observed) - g.descendants(g.exposure | g.outcome, include_self=True))
        edges += [(v, "C") for v in draw(st.lists(st.sampled_from(roots), max_size=1))] if roots else []
        nodes.append("C")
    h = CausalGraph(edges, nodes=nodes, latent=g.latent, exposure=g.exposure, outcome=g.outcome)
    # Three times in four S hangs off nodes v with (v ⊥ Y | X) once the edges into X are cut (or off a fresh cause
    # W of X): there adjustment under selection can succeed. Otherwise off any node (the outcome, a mediator, ...).
    pool = sorted(set(h.nodes) - set(h.bidirected_latents))
    if draw(st.integers(0, 3)):
        cut = h.without_edges((p, x) for x in h.exposure for p in h.parents(x))
        pool = [v for v in pool if v not in h.exposure | h.outcome and d_separated(cut, v, h.outcome, given=h.exposure)] or ["W"]
    parents = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
    edges += [(p, "S") for p in parents]
    nodes.append("S")
    if "W" in parents:
        edges.append(("W", sorted(h.exposure)[0]))
        nodes.append("W")
    return CausalGraph(edges, nodes=nodes, latent=g.latent, exposure=g.exposure, outcome=g.outcome, selected="S")


def _check(g: CausalGraph, seed: int) -> None:
    xs, ys, s = g.exposure, g.outcome, frozenset(g.selected)
    models = [SelectedSCM(g, seed), SelectedSCM(g, seed + 7919)]
    dists = [m.selected_sample(s) for m in models]
    candidates = [v for v in g.observed if v not in xs | ys | s]
    valid: set[frozenset[str]] = set()
    for k in range(len(candidates) + 1):
        for c in itertools.combinations(candidates, k):
            z = frozenset(c)
            gaps = [_gaps(g, m, d, z) for m, d in zip(models, dists)]
            accepted = bool(is_adjustment_set(g, xs, ys, z))
            if accepted:
                assert max(gaps) < 1e-9, (z, gaps, is_adjustment_set(g, xs, ys, z).reason)
                valid.add(z)
            else:
                assert max(gaps) > 1e-6, (z, gaps, is_adjustment_set(g, xs, ys, z).reason)
    minimal = {z for z in valid if not any(t < z for t in valid)}
    assert set(adjustment_sets(g)) == minimal
    m = minimal_adjustment_set(g)
    assert (m is None) == (not valid) and (m is None or m in minimal)
    reason = no_adjustment_reason(g)
    assert (reason is None) == bool(valid), reason
    if selection_reason(g) is not None:
        assert not valid
    mm = minimum_adjustment_set(g)
    assert (mm is None) == (not valid) and (mm is None or (mm in valid and len(mm) == min(len(v) for v in valid)))
    c = canonical_adjustment_set(g)
    assert (c is None) == (not valid) and (c is None or c in valid)
    o = optimal_adjustment_set(g)
    assert o is None or o in valid
    e = identify(g)
    mark = f"{sorted(s)[0]} = 1"
    if valid:
        assert e.strategy in ("randomized", "backdoor") and e.adjustment_set in valid
        assert any(mark in a for a in e.assumptions) and mark in e.formula
    elif e.identified:  # front-door, ID or instrument on variables the selection is d-separated from
        assert e.strategy in ("frontdoor", "id", "iv") and any(mark in a for a in e.assumptions)
    if e.strategy in ("randomized", "backdoor", "frontdoor", "id"):
        for m_, d in zip(models, dists):
            xs_, ys_ = sorted(xs), sorted(ys)
            for xv in itertools.product((0, 1), repeat=len(xs_)):
                for yv in itertools.product((0, 1), repeat=len(ys_)):
                    values = {**dict(zip(xs_, xv)), **dict(zip(ys_, yv))}
                    assert abs(evaluate(e.expression, d, values) - m_.effect(dict(zip(xs_, xv)), dict(zip(ys_, yv)))) < 1e-9
    elif not e.identified:
        assert e.reason


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selected_queries(max_nodes=4), st.integers(0, 10_000))
def test_selection_sets_equal_the_exact_definition(g: CausalGraph, seed: int) -> None:
    _check(g, seed)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selected_queries(max_exposures=2), st.integers(0, 10_000))
def test_selection_sets_equal_the_exact_definition_many_graphs(g: CausalGraph, seed: int) -> None:
    _check(g, seed)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("S1 -> X -> Y; S1 [selected]", [set()]),  # selection on a cause of X only (DAGitty's test)
        ("S2 -> Y; X -> Y; S2 [selected]", []),  # selection on a cause of Y
        ("A -> X; A -> Y; A -> S; X -> Y; X -> S; S [selected]", []),  # DAGitty's test: neither {} nor {A}
        ("Z -> X; Z -> Y; X -> Y; X -> S; S [selected]", []),  # X causes S and has an open back-door path
        ("X -> S; X -> Y; S [selected]", [set()]),
        ("Z -> X; Z -> Y; X -> Y; Z -> C; C -> S; S [selected]", []),
        ("Z -> X; Z -> Y; X -> Y; X -> C; C -> S; W -> S; S [selected]", []),
        ("A -> X; A -> Y; X -> Y; A -> S; S [selected]", []),
        ("A -> X; B -> A; B -> Y; X -> Y; A -> S; S [selected]", []),
        ("A -> X; A -> B; B -> Y; X -> Y; X -> S; S [selected]", []),
        ("X -> Y; U -> S; U -> X; S [selected]; U [latent]", [set()]),
    ],
)
def test_catalog_under_selection_matches_the_exact_definition(text: str, valid: list[set[str]]) -> None:
    g = parse(text + "; X [exposure]; Y [outcome]")
    assert sorted(sorted(s) for s in adjustment_sets(g)) == sorted(sorted(s) for s in valid)
    _check(g, 11)


def test_selection_reasons_name_the_cause() -> None:
    g = parse("X -> Y -> S; C -> X; C -> Y; X [exposure]; Y [outcome]; S [selected]")
    assert selection_reason(g) == "S is a descendant of the outcome Y (Y -> S); the effect is not recoverable from the selected sample by adjustment"
    g = parse("X -> M -> Y; M -> S; X [exposure]; Y [outcome]; S [selected]")
    assert "S is a descendant of M (M -> S), which is on the causal path X -> M -> Y" in selection_reason(g)
    g = parse("Z -> X; Z -> Y; X -> Y; X -> S; X [exposure]; Y [outcome]; S [selected]")
    assert "the exposure X affects the selection (X -> S)" in selection_reason(g) and "X <- Z -> Y" in selection_reason(g)
    g = parse("X -> Y; C -> Y; C -> S; X [exposure]; Y [outcome]; S [selected]")
    assert "by the path Y <- C -> S" in selection_reason(g)
    e = identify(g)
    assert e.strategy == "not_identifiable" and e.reason.startswith(no_adjustment_reason(g)) and "S = 1" in " ".join(e.assumptions)
    assert not is_adjustment_set(g, "X", "Y", {"C"}) and "not recoverable" in is_adjustment_set(g, "X", "Y", {"C"}).reason


@pytest.mark.parametrize(
    ("text", "strategy"),
    [
        ("X -> M -> Y; X <-> Y; W -> S", "frontdoor"),  # S hangs off a variable unrelated to the front-door formula
        ("X -> M -> Y; X <-> Y; W -> S; W -> M", "not_identifiable"),
        ("X -> M -> Y; X <-> Y; M -> S", "not_identifiable"),
        ("X -> Y; X <-> Y; Z -> X; W -> S", "iv"),
    ],
)
def test_other_strategies_only_on_variables_independent_of_the_selection(text: str, strategy: str) -> None:
    g = parse(text + "; X [exposure]; Y [outcome]; S [selected]")
    e = identify(g)
    assert e.strategy == strategy
    if strategy == "not_identifiable":
        assert "nor by another formula" in e.reason
    else:
        assert e.assumptions[0].startswith("selection: the data hold only units with S = 1; the formula uses only variables d-separated from S")
    _check(g, 5)


def test_identify_states_the_selection_and_the_formula_on_the_selected_sample() -> None:
    g = parse("Z -> X; Z -> Y; X -> Y; Z -> S; X [exposure]; Y [outcome]; S [selected]")
    # Z -> S: P(z | S = 1) is not P(z), and (Y ⊥ S | X) fails in the graph without edges into X
    assert identify(g).strategy == "not_identifiable"
    g = parse("Z -> X; Z -> Y; X -> Y; W -> X; W -> S; X [exposure]; Y [outcome]; S [selected]")
    e = identify(g)
    assert e.strategy == "backdoor" and e.adjustment_set == {"Z"}
    assert e.formula == "Σ_{Z} P(Y | X, Z, S = 1) P(Z | S = 1)"
    assert e.assumptions[0].startswith("selection: the data hold only units with S = 1")
    assert e.expression.to_text() == "Σ_{Z} P(Y | X, Z) P(Z)"  # evaluated on the selected sample
