"""Conditional instruments against their definition (all conditioning sets, brute force) and linear simulations.

Definition (generalised conditional IV; van der Zander, Textor & Liśkiewicz
2015; Henckel, Buttenschön & Maathuis 2024): Z is an instrument for X -> Y
given W when W holds no forbidden node (X, or a descendant of a node on a
directed path from X to Y other than X), Z is not a descendant of X or Y,
Z and W are observed, Z is d-connected to X given W, and Z is d-separated from
Y given W once the first edge of every directed path from X to Y is removed.
The brute force reads it literally, from enumerated paths.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from brute import simple_paths
from hypothesis import given, settings

from dagcore import CausalGraph, d_separated, identify, instruments, is_instrument
from dagcore.grammar import parse
from dagcore.testing import queries


def _directed_paths(g: CausalGraph, a: str, b: str) -> list[list[str]]:
    return [p for p in simple_paths(g, a, b) if all(g.has_edge(p[i], p[i + 1]) for i in range(len(p) - 1))]


def brute_instrument(g: CausalGraph, z: str, x: str, y: str, w: frozenset[str]) -> bool:
    causal = _directed_paths(g, x, y)
    on_paths = {v for p in causal for v in p[1:]}
    forbidden = {x} | {d for v in on_paths for d in g.descendants(v, include_self=True)}
    if z in g.latent or w & g.latent or z in w or {x, y} & (w | {z}) or w & forbidden:
        return False
    if z in g.descendants({x, y}, include_self=True):
        return False
    first = {(p[0], p[1]) for p in causal}
    pbd = g.without_edges(first)
    return d_separated(pbd, z, y, given=w) and not d_separated(g, z, x, given=w)


def _brute_instruments(g: CausalGraph, x: str, y: str) -> set[str]:
    out = set()
    for z in sorted(set(g.observed) - {x, y}):
        pool = sorted(set(g.observed) - {x, y, z})
        if any(brute_instrument(g, z, x, y, frozenset(c)) for r in range(len(pool) + 1) for c in itertools.combinations(pool, r)):
            out.add(z)
    return out


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(queries(max_nodes=8, latent_fraction=0.3, bidirected=True))
def test_instruments_are_valid_and_complete_over_all_conditioning_sets_many(g: CausalGraph) -> None:
    test_instruments_are_valid_and_complete_over_all_conditioning_sets.hypothesis.inner_test(g)  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None)
@given(queries(max_nodes=7, latent_fraction=0.3, bidirected=True))
def test_instruments_are_valid_and_complete_over_all_conditioning_sets(g: CausalGraph) -> None:
    (x,), (y,) = g.exposure, g.outcome
    found = dict(instruments(g))
    for z, w in found.items():
        assert brute_instrument(g, z, x, y, w), (z, w)
    assert set(found) == _brute_instruments(g, x, y)


@settings(max_examples=30, deadline=None)
@given(queries(max_nodes=6, latent_fraction=0.3, bidirected=True))
def test_is_instrument_is_the_definition(g: CausalGraph) -> None:
    (x,), (y,) = g.exposure, g.outcome
    for z in sorted(set(g.observed) - {x, y}):
        pool = sorted(set(g.observed) - {x, y, z})
        for r in range(min(len(pool), 2) + 1):
            for c in itertools.combinations(pool, r):
                w = frozenset(c)
                assert bool(is_instrument(g, z, x, y, given=w)) == brute_instrument(g, z, x, y, w), (z, w)


# ---------------------------------------------------------------------------------------------- linear models
def _linear_model(g: CausalGraph, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Random linear SEM on ``g``: node order, the population covariance and the total-effect matrix ``(I - B)^-1``."""
    rng = np.random.default_rng(seed)
    order = list(g.topological_order())
    idx = {v: i for i, v in enumerate(order)}
    b = np.zeros((len(order), len(order)))
    for u, v in g.edges:
        b[idx[v], idx[u]] = rng.choice([-1, 1]) * rng.uniform(0.5, 1.5)
    total = np.linalg.inv(np.eye(len(order)) - b)
    noise = np.diag(rng.uniform(0.5, 1.5, len(order)))
    return order, total @ noise @ total.T, total


def _wald_given(cov: np.ndarray, idx: dict[str, int], z: str, x: str, y: str, w: frozenset[str]) -> float:
    """Cov(Z, Y | W) / Cov(Z, X | W): the population limit of 2SLS with W as exogenous controls."""

    def partial(a: str, c: str) -> float:
        if not w:
            return float(cov[idx[a], idx[c]])
        ws = [idx[v] for v in sorted(w)]
        s_ww = cov[np.ix_(ws, ws)]
        return float(cov[idx[a], idx[c]] - cov[idx[a], ws] @ np.linalg.solve(s_ww, cov[ws, idx[c]]))

    return partial(z, y) / partial(z, x)


@settings(max_examples=40, deadline=None)
@given(queries(max_nodes=8, latent_fraction=0.3, bidirected=True))
def test_every_instrument_found_gives_the_total_effect_in_linear_models(g: CausalGraph) -> None:
    (x,), (y,) = g.exposure, g.outcome
    order, cov, total = _linear_model(g, seed=len(g.edges))
    idx = {v: i for i, v in enumerate(order)}
    truth = total[idx[y], idx[x]]
    for z, w in instruments(g):
        assert _wald_given(cov, idx, z, x, y, w) == pytest.approx(truth, abs=1e-8), (z, sorted(w))


def test_issue_examples_blocked_directed_path_and_collider_below_the_instrument() -> None:
    blocked = parse("Z -> A -> Y; Z -> X -> Y; X <-> Y; X [exposure]; Y [outcome]")
    assert is_instrument(blocked, "Z", given={"A"})
    assert not is_instrument(blocked, "Z") and is_instrument(blocked, "Z").condition == "exclusion"
    assert dict(instruments(blocked)) == {"Z": frozenset({"A"})}
    e = identify(blocked)
    assert e.strategy == "iv" and e.instruments == {"Z"} and e.adjustment_set == {"A"}
    assert e.formula == "Cov(Z, Y | A) / Cov(Z, X | A)" and r"\mid A" in e.latex
    collider = parse("Z -> C <- V -> X -> Y; X <-> Y; X [exposure]; Y [outcome]")
    assert dict(instruments(collider))["Z"] == frozenset({"C"})
    for g in (blocked, collider):
        order, cov, total = _linear_model(g, seed=1)
        idx = {v: i for i, v in enumerate(order)}
        for z, w in instruments(g):
            assert _wald_given(cov, idx, z, "X", "Y", w) == pytest.approx(total[idx["Y"], idx["X"]], abs=1e-9)


def test_a_mediators_descendant_is_forbidden_because_2sls_would_give_the_direct_effect() -> None:
    g = parse("Z -> X -> M -> Y; X -> Y; M -> D; X [exposure]; Y [outcome]")
    for w in ({"M"}, {"D"}):
        check = is_instrument(g, "Z", given=w)
        assert not check and check.condition == "covariates" and "forbidden" in check.reason
    order, cov, total = _linear_model(g, seed=2)
    idx = {v: i for i, v in enumerate(order)}
    direct = np.linalg.inv(total)  # I - B: minus the direct coefficients off the diagonal
    given_m = _wald_given(cov, idx, "Z", "X", "Y", frozenset({"M"}))
    assert given_m == pytest.approx(-direct[idx["Y"], idx["X"]], abs=1e-9)  # the direct effect ...
    assert abs(given_m - total[idx["Y"], idx["X"]]) > 0.05  # ... not the total one
    assert _wald_given(cov, idx, "Z", "X", "Y", frozenset()) == pytest.approx(total[idx["Y"], idx["X"]], abs=1e-9)


def test_a_descendant_of_the_exposure_is_never_an_instrument() -> None:
    g = parse("X -> Y; X -> Z; X <-> Y; X [exposure]; Y [outcome]")
    check = is_instrument(g, "Z")
    assert not check and "affected by the exposure" in check.reason
    assert list(instruments(g)) == []


def test_2sls_given_w_on_simulated_data_converges_to_the_effect() -> None:
    from dagcore import estimate

    g = parse("Z -> A -> Y; Z -> X -> Y; X <-> Y; X [exposure]; Y [outcome]")
    rng = np.random.default_rng(0)
    n = 4_000
    u, z = rng.normal(size=n), rng.normal(size=n)
    a = 0.8 * z + rng.normal(size=n)
    x = z + u + rng.normal(size=n)
    y = 1.5 * x + a + 2 * u + rng.normal(size=n)
    import pandas as pd

    est = estimate(identify(g), pd.DataFrame({"Z": z, "A": a, "X": x, "Y": y}), method="2sls")
    assert est.ci[0] < 1.5 < est.ci[1] and abs(est.value - 1.5) < 0.1
