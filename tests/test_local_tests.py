"""Local tests of the graph's implied independencies against data."""

import json

import numpy as np
import pandas as pd
import pytest
from brute import local_markov

from dagcore import CausalGraph, DataError
from dagcore.estimators.refutation.local import adjust_pvalues, independence_test, local_tests

# true graph: A -> B -> C, A -> C, B -> D, C -> D, E -> D
TRUE = CausalGraph([("A", "B"), ("B", "C"), ("A", "C"), ("B", "D"), ("C", "D"), ("E", "D")])
MISSING = CausalGraph([("A", "B"), ("B", "C"), ("B", "D"), ("C", "D"), ("E", "D")])  # forgets A -> C


def gaussian(seed: int, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + rng.normal(size=n)
    c = 0.6 * b + 0.5 * a + rng.normal(size=n)
    e = rng.normal(size=n)
    d = 0.5 * b + 0.5 * c + 0.7 * e + rng.normal(size=n)
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "E": e})


def binary(seed: int, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.5
    b = rng.random(n) < np.where(a, 0.7, 0.3)
    c = rng.random(n) < 0.2 + 0.4 * b + 0.3 * a
    e = rng.random(n) < 0.4
    d = rng.random(n) < 0.1 + 0.3 * b + 0.3 * c + 0.2 * e
    return pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "E": e}).astype(int)


def implied(g: CausalGraph) -> list[tuple[str, str, tuple[str, ...]]]:
    """Local Markov statements, each checked to be a d-separation by definition."""
    from dagcore import d_separated

    out = local_markov(g)
    assert all(d_separated(g, x, y, given=given) for x, y, given in out)
    return out


def test_missing_edge_is_flagged_gaussian() -> None:
    res = local_tests(implied(MISSING), gaussian(0))
    flagged = {frozenset((r.x, r.y)) for r in res.rejected}
    assert frozenset({"A", "C"}) in flagged
    assert all(r.test == "fisher_z" for r in res)
    # the true graph's implications hold
    assert not local_tests(implied(TRUE), gaussian(0)).rejected


def test_missing_edge_is_flagged_discrete() -> None:
    res = local_tests(implied(MISSING), binary(1))
    assert {frozenset((r.x, r.y)) for r in res.rejected} >= {frozenset({"A", "C"})}
    assert all(r.test == "g" for r in res)
    r = next(r for r in res if {r.x, r.y} == {"A", "C"})
    assert 0 < r.effect < 1 and r.effect_name == "Cramér's V"


def test_mixed_variables_use_the_regression_test() -> None:
    df = gaussian(2)
    df["B"] = (df["B"] > 0).astype(int)  # a binary mediator: A ⊥ D-type statements become mixed
    res = local_tests([("A", "C", ("B",)), ("E", "B", ())], df)
    kinds = {r.statement: r.test for r in res}
    assert kinds["A ⊥ C | B"] == "fisher_z"  # continuous pair, discrete conditioning set as indicators
    assert kinds["E ⊥ B"] == "regression"


@pytest.mark.slow
@pytest.mark.parametrize("maker", [gaussian, binary])
def test_true_graph_rejected_at_about_the_nominal_rate(maker) -> None:
    # raw p-values of true implications are (close to) uniform: about 5% below 0.05
    statements = implied(TRUE)
    pvals = []
    for seed in range(120):
        pvals += [r.p_value for r in local_tests(statements, maker(1000 + seed, n=300), correction="none")]
    rate = np.mean(np.array(pvals) < 0.05)
    assert 0.02 <= rate <= 0.09, rate


@pytest.mark.slow
def test_true_graph_family_wise_rate_under_holm() -> None:
    statements = implied(TRUE)
    rejected = [bool(local_tests(statements, gaussian(5000 + s, n=200)).rejected) for s in range(100)]
    assert np.mean(rejected) <= 0.10


def test_corrections_by_definition() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(12) ** 3
    holm = adjust_pvalues(p, "holm")
    bh = adjust_pvalues(p, "bh")
    order = np.argsort(p)
    m = len(p)
    for i, j in enumerate(order):  # brute force from the definitions
        assert holm[j] == pytest.approx(min(1, max((m - k) * p[order[k]] for k in range(i + 1))))
        assert bh[j] == pytest.approx(min(1, min(m * p[order[k]] / (k + 1) for k in range(i, m))))
    assert np.all(bh <= holm + 1e-12)
    with pytest.raises(ValueError, match="unknown correction"):
        adjust_pvalues(p, "bonf")


def test_fisher_z_matches_partial_correlation() -> None:
    df = gaussian(3)
    kind, z, dof, p, r, _, n = independence_test(df, "A", "D", ["B", "C"])
    X = np.column_stack([np.ones(n), df[["B", "C"]]])
    res = lambda v: v - X @ np.linalg.lstsq(X, v, rcond=None)[0]  # noqa: E731
    assert r == pytest.approx(np.corrcoef(res(df["A"].to_numpy()), res(df["D"].to_numpy()))[0, 1])
    assert dof == n - 2 - 3 and z == pytest.approx(np.arctanh(r) * np.sqrt(dof))


def test_results_are_values_and_serialise() -> None:
    res = local_tests(implied(MISSING), gaussian(4), correction="bh")
    d = json.loads(res.to_json())
    assert d["correction"] == "bh" and d["n_tested"] == len(res) and d["n_rejected"] >= 1
    assert "contradicted" in res.summary()
    with pytest.raises(AttributeError):
        res.results[0].rejected = False  # type: ignore[misc]


def test_bad_input_and_skips() -> None:
    df = gaussian(5).drop(columns="E")
    res = local_tests(implied(TRUE), df)
    assert res.skipped and all("E" in s for s in res.skipped)
    with pytest.raises(DataError, match="'Q'"):
        independence_test(df, "A", "Q")
    with pytest.raises(ValueError, match="unknown test"):
        independence_test(df, "A", "B", test="kendall")


def test_stratified_g_matches_scipy_per_stratum() -> None:
    from scipy.stats import chi2_contingency

    df = binary(6, n=1500)
    kind, g, dof, p, *_ = independence_test(df, "A", "D", ["B"])
    want_g = want_df = 0.0
    for _, part in df.groupby("B"):
        stat, _, d, _ = chi2_contingency(pd.crosstab(part["A"], part["D"]), correction=False, lambda_="log-likelihood")
        want_g += stat
        want_df += d
    assert kind == "g" and g == pytest.approx(want_g) and dof == want_df
    kind, x2, *_ = independence_test(df, "A", "D", ["B"], test="chi2")
    pearson = sum(chi2_contingency(pd.crosstab(p_["A"], p_["D"]), correction=False)[0] for _, p_ in df.groupby("B"))
    assert x2 == pytest.approx(pearson)


def test_graph_input_uses_the_graphs_implications() -> None:
    res = local_tests(MISSING, gaussian(7))
    assert len(res) > 0 and frozenset({"A", "C"}) in {frozenset((r.x, r.y)) for r in res.rejected}
