"""A native causal forest: the generalized random forest of Athey, Tibshirani & Wager (2019) on orthogonalised residuals.

The steps, as in grf's ``causal_forest``:

1. **Orthogonalise.** Cross-fit ``m(x) = E[Y | X]`` and ``e(x) = E[T | X]`` on
   the features (controls and modifiers) and keep the out-of-fold residuals
   ``Y~ = Y - m(X)``, ``T~ = T - e(X)`` (Robinson's transformation, the R-learner).
2. **Grow honest trees on the modifiers.** Trees come in *little bags* of
   ``group_size``: each bag draws a half-sample of the rows, each tree draws
   ``sample_fraction * n`` rows from it (without replacement) and splits them in
   two: one half grows the tree, the other (the honest half) fills its leaves.
   The tree is grown by scikit-learn's CART (``DecisionTreeRegressor``,
   ``min_samples_leaf``, ``max_features``) on ``Y~_i / T~_i`` with weights
   ``T~_i^2``: its squared-error split is then the exact decrease of the
   R-loss ``sum (Y~_i - tau T~_i)^2`` with each child's ``tau`` refitted
   (:func:`rloss_targets`), which grf approximates by gradient pseudo-outcomes
   relabelled at every node.
3. **Weight.** A row ``i`` of a tree's honest half gets weight
   ``1 / |leaf|`` at the points ``x`` that fall in its leaf; averaged over trees
   these are the forest weights ``alpha_i(x)``, and
   ``tau(x) = Cov_alpha(T~, Y~) / Var_alpha(T~)`` solves the local moment
   equation. The leaf sums are computed in numpy from ``tree.decision_path``.
4. **Variance.** The little-bags (half-sampling) estimator of grf: per tree,
   the leaf average of the score ``psi_i = (T~_i - t)(Y~_i - y - tau(x)(T~_i - t))``
   (the local moment at the estimate, ``t``, ``y`` the alpha-weighted means);
   the variance of the bag means, less the within-bag noise (the bag means'
   excess variance from having only ``group_size`` trees), over the squared
   bread ``Var_alpha(T~)^2`` (the delta method for the ratio), with grf's
   objective-Bayes correction that keeps it positive; plus the Monte Carlo
   variance of a forest of finitely many trees (the bag means' variance over
   the number of bags; grf reports it apart as the excess error). Pointwise
   intervals are ``tau(x) ± z * se(x)``. The nuisances are taken as known (their
   cross-fitted errors enter the CATE only at second order, as in grf).

**Defaults, and why.** The intervals are for ``tau(x)`` only if the forest's
smoothing bias is small against its standard error (Wager & Athey 2018 get
this by undersmoothing). On ``benchmarks/bench_cate.py`` (n = 4,000) with the
true nuisances, the former 5 rows per leaf gave a grid RMSE of 0.38 of which
an RMS bias of 0.30 against an SD of 0.23, and 91% coverage although the
variance estimate was on the conservative side (95.7% coverage of the
forest's own mean). Hence leaves of at least 2 growing rows
(``min_samples_leaf=2``): more variance, less bias, about the same RMSE.
Where the bias is already small against the variance, larger leaves win: on
the same benchmark, one run per size, 2 / 5 rows per leaf gave RMSE 0.453 /
0.455 and coverage 93.4% / 90.2% at 4,000 rows; 0.247 / 0.216 and 97.4% /
96.2% at 20,000; 0.215 / 0.165 and 98.0% / 97.0% at 100,000. So the default
(``min_samples_leaf=None``) is 2 below :data:`LARGE_LEAVES_FROM` rows and 5
from there (grf's default minimum node size).
With 500 trees the little-bags estimate is noisy because the trees are (at
a point, the within-bag noise is 5-10 times the signal), and the
objective-Bayes correction, the mean of that noisy estimate truncated to
positive values, pushes it up: on the benchmark the standard errors are
about 19% above the uncorrected ``between - noise`` with bags of 4 trees,
33% with grf's bags of 2 (whose Monte Carlo error is larger for the same
trees), 4% with 2,000 trees in bags of 4. The default is bags of 4
(EconML's ``subforest_size``). More trees make the intervals narrower
(less of that push) and the fit slower; see ``benchmarks/README.md``.

A leaf that no row of the honest half reaches takes the honest rows of its
nearest ancestor that has some, so every tree predicts at every point (grf
prunes such a leaf's split instead, ``honesty.prune.leaves``). At the rows
used to fit, ``cate_`` is the out-of-bag estimate (trees whose half-sample left the row out). The
ATE is the mean of the doubly robust scores built with the out-of-bag CATE
(grf's ``average_treatment_effect``) for a binary treatment, and the average
partial effect with the same correction for a continuous one (homoskedastic
treatment residuals assumed).

References
----------
Athey, S., Tibshirani, J. and Wager, S. (2019). Generalized random forests.
*The Annals of Statistics* 47(2), 1148-1178.

Wager, S. and Athey, S. (2018). Estimation and inference of heterogeneous
treatment effects using random forests. *JASA* 113(523), 1228-1242.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from dagcore.errors import EstimatorError
from dagcore.estimators._nuisance import (
    cross_fit_models,
    predict_treatment,
)
from dagcore.estimators._parallel import parallel_map
from dagcore.estimators._resample import spawn_generators, subsample_rows
from dagcore.estimators.base import CrossFitted, OutcomeModelled
from dagcore.estimators.cate._base import CateEstimator, nonempty, residual_nuisances
from dagcore.estimators.diagnostics import assess_overlap
from dagcore.estimators.result import Estimate

__all__ = ["CausalForest"]

_CELLS = 2_000_000  # rows x trees per prediction block (5 float arrays of this size)
#: rows from which the default leaf holds 5 growing rows instead of 2 (measured: the module docstring)
LARGE_LEAVES_FROM = 10_000


class _HonestTree:
    """One honest tree: scikit-learn's fitted tree and the honest-half statistics of its leaves."""

    __slots__ = ("tree", "lookup", "stats")

    def __init__(self, tree: Any, lookup: np.ndarray, stats: np.ndarray) -> None:
        self.tree = tree
        self.lookup = lookup  # node id -> leaf position (-1 for inner nodes)
        self.stats = stats  # (5, leaves): count, mean t, mean y, mean t*t, mean t*y of the honest half


def rloss_targets(rt: np.ndarray, ry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Targets and weights under which CART's squared-error split is the exact R-loss split.

    With ``z_i = Y~_i / T~_i`` and weights ``T~_i^2``, a node's weighted sum of
    squares about its weighted mean is ``sum Y~^2 - (sum T~ Y~)^2 / sum T~^2``:
    the R-loss ``sum (Y~_i - tau T~_i)^2`` at the node's own least-squares
    ``tau``. So scikit-learn's split search maximises the decrease of the R-loss
    with every child's effect refitted, the split grf's gradient pseudo-outcomes
    approximate to first order (grf relabels them at every node; computing them
    once at the root, as an earlier version of this module did, splits on
    differences of ``Var(T~)`` as much as on differences of the effect).
    Residuals within ``1e-12`` of zero (relative) get a tiny stand-in with the
    same sign, so they keep their (vanishing) weight.

    Examples
    --------
    >>> z, w = rloss_targets(np.array([0.5, -1.0]), np.array([1.0, 2.0]))
    >>> z.tolist(), w.tolist()
    ([2.0, -2.0], [0.25, 1.0])
    """
    tiny = 1e-12 * max(float(np.max(np.abs(rt))), 1e-300)
    t = np.where(np.abs(rt) > tiny, rt, np.where(rt < 0, -tiny, tiny))
    return ry / t, t * t


def honest_tree(
    V: np.ndarray, rt: np.ndarray, ry: np.ndarray, grow: np.ndarray, fill: np.ndarray, seed: int, options: dict[str, Any]
) -> _HonestTree:
    """One honest tree: grown on the rows ``grow`` (exact R-loss splits), its leaves filled by the rows ``fill`` only."""
    from sklearn.tree import DecisionTreeRegressor

    tree = DecisionTreeRegressor(random_state=seed, **options)
    z, weight = rloss_targets(rt[grow], ry[grow])
    tree.fit(V[grow], z, sample_weight=weight, check_input=False)  # V: float32, C-contiguous, finite (checked once by _setup)
    left, right = tree.tree_.children_left, tree.tree_.children_right
    leaves = np.flatnonzero(left == -1)
    lookup = np.full(tree.tree_.node_count, -1, dtype=np.int64)
    lookup[leaves] = np.arange(leaves.size)
    ft, fy = rt[fill], ry[fill]
    path = tree.decision_path(V[fill], check_input=False)  # filling rows x nodes: 1 on each row's root-to-leaf path
    sums = np.asarray(path.T @ np.column_stack([np.ones_like(ft), ft, fy, ft * ft, ft * fy])).T  # per node
    # a leaf with no filling row takes those of its nearest ancestor that has some (the root has them all), so
    # every tree predicts everywhere (grf prunes such leaves' splits: honesty.prune.leaves)
    parent = np.full(left.size, -1, dtype=np.int64)
    inner = np.flatnonzero(left != -1)
    parent[left[inner]], parent[right[inner]] = inner, inner
    source = leaves.copy()
    empty = sums[0, source] == 0
    while empty.any():
        source[empty] = parent[source[empty]]
        empty = sums[0, source] == 0
    count = sums[0, source]
    means = sums[1:, source] / count
    return _HonestTree(tree, lookup, np.vstack([count, means]))


def _grow_group(
    V: np.ndarray, rt: np.ndarray, ry: np.ndarray, rng: np.random.Generator, *, size: int, group_size: int,
    honesty: float, options: dict[str, Any],
) -> tuple[np.ndarray, list[_HonestTree]]:
    """One little bag: a half-sample and ``group_size`` honest trees grown from it."""
    n = V.shape[0]
    half = subsample_rows(rng, n, n // 2)
    trees = []
    for _ in range(group_size):
        rows = half[subsample_rows(rng, half.size, size)]
        rows = rows[rng.permutation(rows.size)]
        cut = int(round(rows.size * (1 - honesty)))
        trees.append(honest_tree(V, rt, ry, rows[:cut], rows[cut:], int(rng.integers(2**31 - 1)), options))
    return half, trees


def _debias(var_between: np.ndarray, group_noise: np.ndarray, good: np.ndarray) -> np.ndarray:
    """grf's objective-Bayes debiasing of ``var_between - group_noise`` (a uniform prior on [0, inf))."""
    initial = var_between - group_noise
    se = np.maximum(var_between, group_noise) * np.sqrt(2.0 / np.maximum(good, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = initial / se
        correction = se * np.exp(-ratio * ratio / 2) / np.sqrt(2 * np.pi) / (0.5 * special.erfc(-ratio / np.sqrt(2)))
    return np.where(se > 0, initial + correction, np.maximum(initial, 0.0))


class CausalForest(CateEstimator, CrossFitted, OutcomeModelled):
    """Causal forest (generalized random forest) for a binary or continuous treatment, with pointwise intervals.

    See the module docstring for the algorithm. The CATE is a function of the
    effect modifiers; the nuisance models use the controls and the modifiers.

    Parameters
    ----------
    n_estimators : int
        Trees (500), a multiple of ``group_size``.
    min_samples_leaf : int or None
        Fewest growing rows in a leaf; None (default): 2 (undersmoothed) below
        :data:`LARGE_LEAVES_FROM` rows, 5 from there (see the module docstring).
        The size used is ``min_samples_leaf_`` after fitting.
    max_features : int, float, str or None
        Modifiers tried per split, scikit-learn's meaning (None: all).
    max_depth : int or None
        Depth limit of each tree (None).
    sample_fraction : float
        Rows per tree as a fraction of all rows (0.5, at most 0.5: drawn from the bag's half-sample).
    honesty_fraction : float
        Share of a tree's rows that fill its leaves (0.5); the rest grow it.
    group_size : int
        Trees per little bag (4), for the variance.
    outcome_model : scikit-learn regressor, optional
        Model of ``E[Y | X]``; default histogram gradient boosting.
    treatment_model : scikit-learn estimator, optional
        Model of ``E[T | X]``: a classifier (``predict_proba``) for a 0/1
        treatment, a regressor otherwise; default histogram gradient boosting.
    trim : float
        Propensity scores are clipped to ``[trim, 1 - trim]`` in the doubly
        robust scores of the ATE (0.01); no row is dropped.
    effect_modifiers : sequence of str, optional
        See :class:`~dagcore.estimators.cate._base.CateEstimator`.
    n_folds, n_jobs, random_state :
        Cross-fitting of the nuisances (``n_jobs`` also grows the trees in
        parallel), see :class:`~dagcore.estimators.base.CrossFitted`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    A randomized treatment whose effect is 1 for ``x < 0`` and 3 above:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(0); n = 3000; x = rng.normal(size=n); t = rng.binomial(1, 0.5, n)
    >>> df = pd.DataFrame({"x": x, "t": t, "y": np.where(x > 0, 3.0, 1.0) * t + x + rng.normal(size=n)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"x"})
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> cf = CausalForest(n_estimators=100, outcome_model=LinearRegression(), treatment_model=LogisticRegression(), n_folds=2)
    >>> cf = cf.fit(df, e)
    >>> cf.effect(pd.DataFrame({"x": [-1.0, 1.0]})).round(0).tolist()
    [1.0, 3.0]
    >>> lo, hi = cf.effect_interval(pd.DataFrame({"x": [1.5]}))
    >>> bool(lo[0] < 3 < hi[0])
    True
    """

    name = "causal_forest"

    n_estimators: int = 500
    min_samples_leaf: int | None = None
    max_features: Any = None
    max_depth: int | None = None
    sample_fraction: float = 0.5
    honesty_fraction: float = 0.5
    group_size: int = 4
    treatment_model: Any = None
    trim: float = 0.01

    # ------------------------------------------------------------ checks
    def _check_settings(self, n: int) -> None:
        def whole(value: Any, low: int) -> bool:
            return bool(not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= low)

        if not whole(self.group_size, 2):
            raise EstimatorError(f"group_size must be a whole number of at least 2 (trees per little bag), got {self.group_size!r}")
        if not whole(self.n_estimators, 2) or self.n_estimators % self.group_size:
            raise EstimatorError(f"n_estimators must be a positive multiple of group_size ({self.group_size}), got {self.n_estimators!r}")
        if self.min_samples_leaf is not None and not whole(self.min_samples_leaf, 1):
            raise EstimatorError(f"min_samples_leaf must be a whole number of at least 1 (or None: by the data size), got {self.min_samples_leaf!r}")
        if not 0 < float(self.sample_fraction) <= 0.5:
            raise EstimatorError(f"sample_fraction must be in (0, 0.5] (trees draw from a half-sample), got {self.sample_fraction!r}")
        if not 0 < float(self.honesty_fraction) < 1:
            raise EstimatorError(f"honesty_fraction must be in (0, 1), got {self.honesty_fraction!r}")
        if not 0 <= float(self.trim) < 0.5:
            raise EstimatorError(f"trim must be in [0, 0.5), got {self.trim!r}")
        rows = int(self.sample_fraction * n)
        leaf = self._leaf_size(n)
        if rows * min(self.honesty_fraction, 1 - self.honesty_fraction) < 2 * leaf:
            raise EstimatorError(
                f"{n} rows are too few for honest trees of {rows} rows with min_samples_leaf={leaf}; "
                "use more data or a smaller min_samples_leaf"
            )

    def _leaf_size(self, n: int) -> int:
        """The fewest growing rows per leaf for ``n`` rows: the setting, or by the data size when it is None."""
        if self.min_samples_leaf is not None:
            return int(self.min_samples_leaf)
        return 2 if n < LARGE_LEAVES_FROM else 5

    # ------------------------------------------------------------ nuisances
    def _nuisances(self, F: np.ndarray, t: np.ndarray, y: np.ndarray, binary: bool, train: np.ndarray, test: np.ndarray) -> tuple[tuple[np.ndarray, ...], Any]:
        return residual_nuisances(self.outcome_model, self.treatment_model, F, t, y, binary, train, test)

    # ------------------------------------------------------------ fitting
    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        d = self._setup(data, estimand, binary=False)
        t, y, F = d.t, d.y, d.F
        n = len(t)
        self._check_settings(n)
        binary = set(np.unique(t).tolist()) <= {0.0, 1.0}
        folds = self._folds(t, self.random_state, stratify=binary, estimator="the causal forest")
        (m, e), self.nuisance_models_ = cross_fit_models(
            lambda tr, te: self._nuisances(F, t, y, binary, tr, te), folds, n, n_jobs=self.n_jobs
        )
        rt, ry = t - e, y - m
        if not float(np.mean(rt * rt)) > 1e-12 * max(1.0, float(np.var(t))):
            raise EstimatorError("the treatment is (almost) perfectly predicted by the features: no residual variation to estimate from")
        self._grow(nonempty(d.V), rt, ry)
        self._rt, self._ry = rt, ry
        tau = self._predict(nonempty(d.V), oob=True)[0]
        missing = ~np.isfinite(tau)
        if missing.any():  # rows in every half-sample (tiny forests): the full forest's estimate
            tau[missing] = self._predict(nonempty(d.V)[missing])[0]
        self.cate_ = self.cate_oos_ = tau
        self.binary_ = binary
        diagnostics: dict[str, Any] = {"treatment": "binary" if binary else "continuous", **self._cate_diagnostics(tau)}
        if binary:
            ec = np.clip(e, self.trim, 1 - self.trim)
            mu0, mu1 = m - ec * tau, m + (1 - ec) * tau
            scores = tau + t * (y - mu1) / ec - (1 - t) * (y - mu0) / (1 - ec)
            diagnostics["propensity_overlap"] = assess_overlap(e, t)
            inference = (f"influence function (doubly robust scores with the out-of-bag forest CATE), "
                         f"{self.n_folds}-fold cross-fitted nuisances; pointwise CATE intervals: little bags (half-sampling)")
            target = "ATE"
            self.scores_: np.ndarray | None = scores
        else:
            scores = tau + rt * (ry - rt * tau) / float(np.mean(rt * rt))
            inference = (f"influence function (residual-weighted scores with the out-of-bag forest CATE), "
                         f"{self.n_folds}-fold cross-fitted nuisances; pointwise CATE intervals: little bags (half-sampling)")
            target = "ATE per unit of treatment (average partial effect)"
            self.scores_ = None
        value = float(scores.mean())
        se = float(scores.std(ddof=1) / np.sqrt(n))
        return self._result(estimand, value, se, n, inference=inference, target=target, diagnostics=diagnostics, notes=d.notes)

    def _grow(self, V: np.ndarray, rt: np.ndarray, ry: np.ndarray) -> None:
        n = V.shape[0]
        size = max(2, min(n // 2, int(self.sample_fraction * n)))
        self.min_samples_leaf_ = self._leaf_size(n)
        options = {"min_samples_leaf": self.min_samples_leaf_, "max_features": self.max_features, "max_depth": self.max_depth}
        groups = int(self.n_estimators) // int(self.group_size)
        rngs = spawn_generators(self.random_state, groups)
        Vf = np.ascontiguousarray(V, dtype=np.float32)

        def grow(rng: np.random.Generator) -> tuple[np.ndarray, list[_HonestTree]]:
            return _grow_group(Vf, rt, ry, rng, size=size, group_size=int(self.group_size), honesty=float(self.honesty_fraction), options=options)

        bags = parallel_map(grow, [(r,) for r in rngs], n_jobs=self.n_jobs)
        self.trees_ = [tree for _, trees in bags for tree in trees]
        self._halves = [half for half, _ in bags]

    # ------------------------------------------------------------ prediction
    def _predict(self, V: np.ndarray, *, oob: bool = False, variance: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """The CATE (and its variance) at the rows of ``V``, in blocks of rows; ``oob``: at the training rows, out of bag."""
        n_rows = V.shape[0]
        trees, ell = self.trees_, int(self.group_size)
        B = len(trees)
        tau = np.empty(n_rows)
        var = np.empty(n_rows) if variance else None
        Vf = np.ascontiguousarray(V, dtype=np.float32)
        block = max(1, _CELLS // B)
        inbag = None
        if oob:
            inbag = np.zeros((len(self._halves), n_rows), dtype=bool)
            for g, half in enumerate(self._halves):
                inbag[g, half] = True
        if var is None:  # the estimate alone: running sums over the trees, no (5, trees, rows) array
            return self._estimate(Vf, inbag), None
        for lo in range(0, n_rows, block):
            X = Vf[lo : lo + block]
            m = X.shape[0]
            st = np.empty((5, B, m))
            for b, tree in enumerate(trees):
                st[:, b, :] = tree.stats[:, tree.lookup[tree.tree.apply(X, check_input=False)]]
            valid = st[0] > 0
            if inbag is not None:
                valid &= ~np.repeat(inbag[:, lo : lo + block], ell, axis=0)
            k = valid.sum(axis=0)
            means = np.where(valid, st[1:], 0.0).sum(axis=1) / np.where(k > 0, k, np.nan)
            at, ay, att, aty = means
            denom = att - at * at
            with np.errstate(invalid="ignore", divide="ignore"):
                theta = (aty - at * ay) / denom
            tau[lo : lo + block] = theta
            if var is not None:
                psi = (st[4] - at * st[2] - ay * st[1] + at * ay) - theta * (st[3] - 2 * at * st[1] + at * at)
                psi = np.where(valid, psi, 0.0).reshape(B // ell, ell, m)
                good = valid.reshape(B // ell, ell, m).all(axis=1)
                n_good = good.sum(axis=0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    group_mean = psi.mean(axis=1)
                    centre = np.where(good, group_mean, 0.0).sum(axis=0) / n_good  # ~0: the moment solved by theta
                    total = np.where(good[:, None, :], psi * psi, 0.0).sum(axis=(0, 1)) / (n_good * ell) - centre**2
                    between = np.where(good, group_mean**2, 0.0).sum(axis=0) / n_good - centre**2
                    noise = (total - between) / (ell - 1)
                    # the infinite forest's variance (little bags) plus the Monte Carlo variance of this forest's
                    # average over n_good bags (the bag means' variance over their number: grf's "excess error")
                    var[lo : lo + block] = (_debias(between, noise, n_good) + between / n_good) / (denom * denom)
        return tau, var

    def _estimate(self, Vf: np.ndarray, inbag: np.ndarray | None) -> np.ndarray:
        """The CATE at the rows of ``Vf`` (float32): the local moment solved with the forest-averaged leaf means."""
        sums = np.zeros((4, Vf.shape[0]))
        k = np.zeros(Vf.shape[0])
        for b, tree in enumerate(self.trees_):
            st = tree.stats[:, tree.lookup[tree.tree.apply(Vf, check_input=False)]]
            use = st[0] > 0
            if inbag is not None:
                use &= ~inbag[b // int(self.group_size)]
            sums += np.where(use, st[1:], 0.0)
            k += use
        with np.errstate(invalid="ignore", divide="ignore"):
            at, ay, att, aty = sums / np.where(k > 0, k, np.nan)
            return (aty - at * ay) / (att - at * at)

    def _effect(self, X: np.ndarray) -> np.ndarray:
        return self._predict(nonempty(X))[0]

    def _interval(self, X: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        tau, var = self._predict(nonempty(X), variance=True)
        assert var is not None
        half = float(stats.norm.ppf(0.5 + level / 2)) * np.sqrt(var)
        return tau - half, tau + half

    def effect_se(self, new_rows: pd.DataFrame) -> np.ndarray:
        """Pointwise standard error of the CATE at each row (the little-bags estimate)."""
        self._check_fitted("effect_se(new_rows)")
        var = self._predict(nonempty(self._rows(new_rows)), variance=True)[1]
        assert var is not None
        return np.sqrt(var)

    def _potential_outcomes(self, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self.binary_:
            raise EstimatorError("potential outcomes Y(0), Y(1) need a binary (0/1) treatment")
        G = nonempty(F)
        m = np.mean([np.asarray(o.predict(G), dtype=float) for o, _ in self.nuisance_models_], axis=0)
        e = np.mean([predict_treatment(tm, G) for _, tm in self.nuisance_models_], axis=0)
        # the forest needs the modifiers, which are columns of F in the order of the fit
        V = F[:, [self._feature_names.index(c) for c in self._modifier_names]] if self._modifier_names else np.zeros((len(F), 0))
        tau = self._effect(V)
        return m - e * tau, m + (1 - e) * tau
