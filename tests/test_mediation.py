"""Natural direct and indirect effects: identification checked against exact cross-world truth.

The truth comes from a binary structural model with independent uniform
errors, ``V = 1[U_V < q(pa(V))]``, whose nested counterfactual
``Y(x1, M(x0))`` is computed by enumerating the two worlds jointly (the same
``U_V`` in both). The mediation formula is evaluated on the exact
observational distribution of the same model.
"""

from __future__ import annotations

import itertools

import pytest
from brute import RandomBinaryTables
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore import (
    CausalGraph,
    JointDistribution,
    backdoor_formula,
    check_mediation_set,
    evaluate,
    identify_mediation,
    mediation_covariates,
)
from dagcore._traverse import directed_path
from dagcore.errors import DagcoreError
from dagcore.grammar import parse
from dagcore.identification.mediation import _equivalent_mediator_sets
from dagcore.testing import queries


class ThresholdSCM(RandomBinaryTables):
    """Binary SCM ``V = 1[U_V < q_V(pa)]`` with independent uniform ``U_V``."""

    def _qv(self, v: str, values: dict[str, int]) -> float:
        return self.cpt[v][tuple(values[p] for p in self.parents[v])]

    def observational(self) -> dict[tuple[int, ...], float]:
        observed = list(self.g.observed)
        table: dict[tuple[int, ...], float] = {}

        def walk(i: int, values: dict[str, int], p: float) -> None:
            if i == len(self.order):
                key = tuple(values[v] for v in observed)
                table[key] = table.get(key, 0.0) + p
                return
            v = self.order[i]
            q = self._qv(v, values)
            for val, pv in ((1, q), (0, 1 - q)):
                values[v] = val
                walk(i + 1, values, p * pv)
            del values[v]

        walk(0, {}, 1.0)
        return table

    def nested(self, x: str, y: str, ms: frozenset[str], x_y: int, x_m: int) -> float:
        """``E[Y(x_y, M(x_m))]`` by enumerating both worlds with shared errors."""
        total = 0.0

        def walk(i: int, a: dict[str, int], b: dict[str, int], p: float) -> None:
            nonlocal total
            if p == 0:
                return
            if i == len(self.order):
                total += p * b[y]
                return
            v = self.order[i]
            if v == x:
                a[v], b[v] = x_m, x_y
                walk(i + 1, a, b, p)
            else:
                qa, qb = self._qv(v, a), self._qv(v, b)
                for va, vb, pv in ((1, 1, min(qa, qb)), (1, 0, max(0.0, qa - qb)), (0, 1, max(0.0, qb - qa)), (0, 0, 1 - max(qa, qb))):
                    if v in ms:
                        vb = va  # the mediators keep their world-a (x_m) value
                        if pv == 0:
                            continue
                    a[v], b[v] = va, vb
                    walk(i + 1, a, b, pv * p)
            a.pop(v, None)
            b.pop(v, None)

        walk(0, {}, {}, 1.0)
        return total


def mediation_formula(table: dict[tuple[int, ...], float], observed: list[str], x: str, y: str, ms: frozenset[str], w: frozenset[str]) -> tuple[float, float]:
    """(NDE, NIE) from the mediation formula on an exact observational table."""
    idx = {v: i for i, v in enumerate(observed)}
    mw = sorted(ms) + sorted(w)

    def prob(event: dict[str, int]) -> float:
        return sum(p for k, p in table.items() if all(k[idx[v]] == val for v, val in event.items()))

    def ey(xv: int, cond: dict[str, int]) -> float:
        return prob({**cond, x: xv, y: 1}) / prob({**cond, x: xv})

    nde = nie = 0.0
    for vals in itertools.product((0, 1), repeat=len(mw)):
        a = dict(zip(mw, vals))
        wv = {v: a[v] for v in w}
        pw = prob(wv)
        pm0 = prob({**a, x: 0}) / prob({**wv, x: 0})
        pm1 = prob({**a, x: 1}) / prob({**wv, x: 1})
        nde += (ey(1, a) - ey(0, a)) * pm0 * pw
        nie += ey(1, a) * (pm1 - pm0) * pw
    return nde, nie


def _brute_any_valid(g: CausalGraph, x: str, y: str, ms: frozenset[str]) -> bool:
    pool = sorted(set(g.observed) - g.descendants(x, include_self=True) - ms - {y})
    return any(check_mediation_set(g, set(sub), exposure=x, outcome=y, mediators=ms) for r in range(len(pool) + 1) for sub in itertools.combinations(pool, r))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(queries(min_nodes=3, max_nodes=7, latent_fraction=0.3, bidirected=True), st.integers(0, 10_000), st.data())
def test_mediation_formula_equals_the_cross_world_truth(g: CausalGraph, seed: int, data: st.DataObject) -> None:
    (x,), (y,) = tuple(g.exposure), tuple(g.outcome)
    pool = sorted((g.descendants(x) & set(g.observed)) - {y})
    if not pool:
        return
    ms = frozenset(data.draw(st.lists(st.sampled_from(pool), min_size=1, unique=True)))
    nde_e = identify_mediation(g, x, y, ms, effect="nde")
    nie_e = identify_mediation(g, x, y, ms, effect="nie")
    direct_path = directed_path(g.nx, [x], {y}, avoid=ms) is not None
    if not nde_e.identified:
        assert nde_e.reason and direct_path
        assert not any(_brute_any_valid(g, x, y, s) for s in _equivalent_mediator_sets(g, x, y, ms))
        return
    scm = ThresholdSCM(g, seed)
    table = scm.observational()
    true_nde = scm.nested(x, y, ms, 1, 0) - scm.nested(x, y, ms, 0, 0)
    true_nie = scm.nested(x, y, ms, 1, 1) - scm.nested(x, y, ms, 1, 0)
    if nde_e.formula == "0":  # no directed path avoids the mediators
        assert not direct_path and abs(true_nde) < 1e-9
    else:
        w, used = nde_e.adjustment_set, nde_e.mediators  # used: ms or an equivalent set (first or last mediators)
        assert check_mediation_set(g, w, exposure=x, outcome=y, mediators=used)
        for v in w:  # inclusion-minimal
            assert not check_mediation_set(g, w - {v}, exposure=x, outcome=y, mediators=used)
        assert abs(mediation_formula(table, list(g.observed), x, y, used, w)[0] - true_nde) < 1e-9
    if nie_e.strategy == "mediation":
        nie = mediation_formula(table, list(g.observed), x, y, nie_e.mediators, nie_e.adjustment_set)[1]
        assert abs(nie - true_nie) < 1e-9
    elif nie_e.identified:  # no direct path: the NIE is the total effect
        assert not direct_path
        dist = JointDistribution(list(g.observed), {v: (0, 1) for v in g.observed}, table)
        expr = nie_e.expression if nie_e.expression is not None else backdoor_formula({x}, {y}, nie_e.adjustment_set or ())
        te = evaluate(expr, dist, {x: 1, y: 1}) - evaluate(expr, dist, {x: 0, y: 1})
        assert abs(te - true_nie) < 1e-9


def test_the_truth_really_differs_when_a_confounder_is_affected_by_the_exposure() -> None:
    # the recanting witness: with L treated as a covariate the formula is wrong, so the search must refuse it
    g = parse("X [exposure] Y [outcome] X -> L -> {M Y} X -> M -> Y X -> Y")
    scm = ThresholdSCM(g, 3)
    truth = scm.nested("X", "Y", frozenset({"M"}), 1, 0) - scm.nested("X", "Y", frozenset({"M"}), 0, 0)
    naive, _ = mediation_formula(scm.observational(), list(g.observed), "X", "Y", frozenset({"M"}), frozenset({"L"}))
    assert abs(naive - truth) > 1e-3
    e = identify_mediation(g, mediators="M")
    assert not e.identified
    assert "affected by the exposure: {L}" in e.reason
    joint = identify_mediation(g, mediators={"L", "M"})
    assert joint.identified and joint.adjustment_set == frozenset()


CATALOG = [
    ("X [exposure] Y [outcome] X -> M -> Y X -> Y", True, set()),
    ("X [exposure] Y [outcome] C -> {X M Y} X -> M -> Y X -> Y", True, {"C"}),
    ("X [exposure] Y [outcome] C -> {M Y} X -> M -> Y X -> Y", True, {"C"}),
    ("X [exposure] Y [outcome] X -> M -> Y X -> Y M <-> Y", False, None),
    ("X [exposure] Y [outcome] X -> M -> Y X -> Y X <-> M", False, None),
    ("X [exposure] Y [outcome] X -> M -> Y X -> Y X <-> Y", False, None),
    ("X [exposure] Y [outcome] X -> L -> {M Y} X -> M -> Y", False, None),
]


@pytest.mark.parametrize(("text", "identified", "covariates"), CATALOG)
def test_catalog(text: str, identified: bool, covariates: set[str] | None) -> None:
    g = parse(text)
    e = identify_mediation(g, mediators="M")
    assert e.identified is identified, e.reason
    if identified:
        assert e.adjustment_set == frozenset(covariates)
        assert e.strategy == "mediation" and e.effect == "nde"
        assert "cross-world" in " ".join(e.assumptions)


def test_failure_reasons_name_the_condition() -> None:
    assert "mediator-outcome confounding" in identify_mediation(parse("X [exposure] Y [outcome] X -> M -> Y X -> Y M <-> Y")).reason
    assert "exposure-mediator confounding" in identify_mediation(parse("X [exposure] Y [outcome] X -> M -> Y X -> Y X <-> M")).reason
    assert "exposure-outcome confounding" in identify_mediation(parse("X [exposure] Y [outcome] X -> M -> Y X -> Y X <-> Y")).reason


def test_without_a_direct_path_the_nde_is_zero_and_the_nie_the_total_effect() -> None:
    g = parse("X [exposure] Y [outcome] X -> M -> Y M <-> Y")
    nde = identify_mediation(g, effect="nde")
    assert nde.identified and nde.formula == "0" and "every directed path from X to Y passes through {M}" in nde.assumptions[0]
    nie = identify_mediation(g, effect="nie")
    assert nie.effect == "nie" and nie.strategy == "randomized" and nie.formula == "P(Y | X)"


def test_a_chain_of_mediators_is_answered_through_the_first_one() -> None:
    g = parse("X [exposure] Y [outcome] X -> M1 -> M2 -> Y X -> Y M2 <-> Y")
    e = identify_mediation(g)
    assert e.strategy == "mediation" and e.mediators == {"M1"} and e.adjustment_set == frozenset()
    assert e.formula == "Σ_{M1} [E(Y | X=x1, M1) − E(Y | X=x0, M1)] P(M1 | X=x0)"
    assert "are those through {M1}" in e.assumptions[0]


def test_default_mediators_are_the_nodes_on_causal_paths() -> None:
    g = parse("X [exposure] Y [outcome] X -> A -> B -> Y X -> C -> Y X -> D")
    assert identify_mediation(g).mediators == frozenset({"A", "B", "C"})
    assert mediation_covariates(g).covariates == frozenset()


def test_a_user_covariate_set_is_checked() -> None:
    g = parse("X [exposure] Y [outcome] C -> {X M Y} X -> M -> Y X -> Y")
    assert identify_mediation(g, covariates={"C"}).identified
    bad = identify_mediation(g, covariates=set())
    assert not bad.identified and "exposure-outcome confounding" in bad.reason
    check = check_mediation_set(g, {"M"})
    assert not check and "mediator" in str(check)


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("X [exposure] Y [outcome] X -> Y", {}, "no observed mediator"),
        ("X [exposure] Y [outcome] X -> M -> Y M [latent]", {"mediators": "M"}, "is latent"),
        ("X [exposure] Y [outcome] X -> Y; Z -> Y", {"mediators": "Z"}, "not a descendant of X"),
        ("X [exposure] Y [outcome] X -> M -> Y", {"mediators": "X"}, "cannot be a mediator"),
        ("X [exposure] Y [outcome] X -> M -> Y", {"mediators": "Q"}, "Q"),
        ("X -> M -> Y", {}, "exactly one exposure"),
        ("X [exposure] Y [outcome] X -> M -> Y", {"effect": "total"}, "unknown natural effect"),
    ],
)
def test_bad_input(text: str, kwargs: dict, message: str) -> None:
    with pytest.raises(DagcoreError, match=message):
        identify_mediation(parse(text), **kwargs)
