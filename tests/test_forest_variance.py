"""The causal forest's pieces against their definitions: the R-loss split, the forest weights and the little-bags variance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from brute import honest_rows_by_leaf
from scipy import stats
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeRegressor

from dagcore import CausalForest, Estimand, EstimatorError
from dagcore.estimators.cate import forest as forest_module


def test_the_split_minimises_the_r_loss_with_each_child_refitted() -> None:
    """A depth-1 tree on the R-loss targets picks the threshold of the brute-force R-loss minimum."""
    rng = np.random.default_rng(3)
    n = 120
    x = rng.normal(size=n)
    rt = rng.normal(size=n) * (0.3 + (x > 0.4))  # Var(T~) changes with x too
    ry = np.where(x > -0.3, 2.0, 0.5) * rt + 0.3 * rng.normal(size=n)
    z, w = forest_module.rloss_targets(rt, ry)
    tree = DecisionTreeRegressor(max_depth=1, min_samples_leaf=5).fit(x[:, None].astype(np.float32), z, sample_weight=w)
    xs = np.sort(x)

    def rloss(mask: np.ndarray) -> float:
        tau = np.sum(rt[mask] * ry[mask]) / np.sum(rt[mask] ** 2)
        return float(np.sum((ry[mask] - tau * rt[mask]) ** 2))

    cuts = [(xs[i] + xs[i + 1]) / 2 for i in range(4, n - 5)]
    best = min(cuts, key=lambda c: rloss(x <= c) + rloss(x > c))
    chosen = tree.tree_.threshold[0]
    x32 = x.astype(np.float32)
    assert np.array_equal(x32 <= chosen, x32 <= np.float32(best))  # the same partition of the rows
    assert -0.6 < best < 0.0  # the effect's jump


def test_the_debiasing_is_the_mean_of_the_normal_truncated_to_positive_variances() -> None:
    between = np.array([0.5, 1.0, 1.0, 2.0])
    noise = np.array([0.4, 1.2, 0.1, 1.9])
    groups = np.array([50, 200, 10, 1000])
    got = forest_module._debias(between, noise, groups)
    initial = between - noise
    se = np.maximum(between, noise) * np.sqrt(2 / groups)
    want = stats.truncnorm.mean(-initial / se, np.inf, loc=initial, scale=se)
    np.testing.assert_allclose(got, want, rtol=1e-9)


@pytest.fixture(scope="module")
def small_forest() -> tuple[CausalForest, list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    rng = np.random.default_rng(11)
    n = 400
    x, w = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-0.5 * w))).astype(float)
    df = pd.DataFrame({"x": x, "w": w, "t": t, "y": (1 + (x > 0)) * t + w + rng.normal(size=n)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w"})
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    original = forest_module.honest_tree

    def spy(V, rt, ry, grow, fill, seed, options):  # type: ignore[no-untyped-def]
        seen.append((grow, fill))
        return original(V, rt, ry, grow, fill, seed, options)

    forest_module.honest_tree = spy  # type: ignore[assignment]
    try:
        cf = CausalForest(n_estimators=24, group_size=3, min_samples_leaf=8, effect_modifiers=["x"], outcome_model=LinearRegression(),
                          treatment_model=LogisticRegression(), n_folds=2, random_state=0).fit(df, e)
    finally:
        forest_module.honest_tree = original  # type: ignore[assignment]
    return cf, seen, x


def test_the_estimate_and_its_variance_follow_their_definitions(small_forest: tuple[CausalForest, list, np.ndarray]) -> None:
    """Brute force from the filling rows of each tree's leaf: weights alpha_i(x), the weighted moment, grf's little bags."""
    cf, seen, x = small_forest
    rt, ry, ell = cf._rt, cf._ry, cf.group_size
    V = x[:, None].astype(np.float32)
    points = np.array([[-1.0], [0.3], [1.5]], dtype=np.float32)
    tau, var = cf._predict(points, variance=True)
    assert var is not None
    for p in range(points.shape[0]):
        members = []  # per tree: the filling rows of the point's leaf (or of its nearest ancestor that has some)
        for tree, (_, fill) in zip(cf.trees_, seen):
            members.append(honest_rows_by_leaf(tree.tree, V, fill)[tree.lookup[tree.tree.apply(points[p : p + 1])[0]]])
        used = [m for m in members if m.size]
        alpha = np.zeros(len(x))
        for m in used:
            np.add.at(alpha, m, 1 / m.size / len(used))
        tbar, ybar = alpha @ rt, alpha @ ry
        theta = (alpha @ ((rt - tbar) * (ry - ybar))) / (alpha @ (rt - tbar) ** 2)
        assert tau[p] == pytest.approx(theta, rel=1e-9)
        score = (rt - tbar) * (ry - ybar - theta * (rt - tbar))  # the local moment at theta
        psi = np.array([score[m].mean() if m.size else np.nan for m in members]).reshape(-1, ell)
        good = ~np.isnan(psi).any(axis=1)
        psi = psi[good]
        centre = psi.mean()
        between = np.mean((psi.mean(axis=1) - centre) ** 2)
        total = np.mean((psi - centre) ** 2)
        noise = (total - between) / (ell - 1)
        bread = alpha @ (rt - tbar) ** 2
        infinite_forest = forest_module._debias(np.array([between]), np.array([noise]), np.array([good.sum()]))[0]
        monte_carlo = between / good.sum()  # the variance of the average of the bag means
        want = (infinite_forest + monte_carlo) / bread**2
        assert var[p] == pytest.approx(want, rel=1e-9)


def test_the_default_leaf_size_follows_the_data_size() -> None:
    """2 growing rows per leaf (undersmoothed) below LARGE_LEAVES_FROM rows, 5 from there; a setting is kept."""
    assert CausalForest()._leaf_size(forest_module.LARGE_LEAVES_FROM - 1) == 2
    assert CausalForest()._leaf_size(forest_module.LARGE_LEAVES_FROM) == 5
    assert CausalForest(min_samples_leaf=3)._leaf_size(10**6) == 3
    rng = np.random.default_rng(0)
    x = rng.normal(size=600)
    t = (rng.random(600) < 0.5).astype(float)
    df = pd.DataFrame({"x": x, "t": t, "y": x + t + rng.normal(size=600)})
    e = Estimand(treatment="t", outcome="y", strategy="randomized", adjustment_set=frozenset())
    cf = CausalForest(n_estimators=8, group_size=2, effect_modifiers=["x"], outcome_model=LinearRegression(), n_folds=2).fit(df, e)
    assert cf.min_samples_leaf_ == 2
    with pytest.raises(EstimatorError, match="or None: by the data size"):
        CausalForest(min_samples_leaf=0).fit(df, e)
