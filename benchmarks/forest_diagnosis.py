"""Where the causal forest's grid coverage goes (issue 13): bias against variance on the bench_cate.py design.

Replications of the simulation of ``benchmarks/bench_cate.py`` (n = 4,000, the
same 500 grid points), the forest fitted with forest settings given as JSON:

* ``true nuisances``: the residuals ``T - e(X)``, ``Y - m(X)`` from the
  simulation's own ``e`` and ``m`` (no nuisance error), seeds 100, 101, ...;
* ``own residuals``: the estimator's default cross-fitted residuals, seeds
  0, 1, ... (seed 0 is the benchmark's data set).

Per setting: grid RMSE, RMS bias (mean over replications minus ``tau``), mean
SD over replications, mean standard error, coverage of ``tau`` and coverage of
the forest's own mean (the variance alone), and the fit time of the forest.

    python benchmarks/forest_diagnosis.py [--true 8] [--own 8] '{"min_samples_leaf": 5, "group_size": 2}' '{}'

Writes ``benchmarks/results/forest_diagnosis.txt``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_cate import GRAPH, X_COLS, grid, simulate, truth  # noqa: E402


def true_residuals(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The simulation of bench_cate.simulate, with its true propensity and outcome regression."""
    rng = np.random.default_rng(seed)
    X, W = rng.normal(size=(n, 4)), rng.normal(size=(n, 3))
    e = 1 / (1 + np.exp(-(0.6 * W[:, 0] - 0.5 * W[:, 1] + 0.4 * X[:, 0])))
    t = (rng.random(n) < e).astype(float)
    base = W[:, 0] + 0.5 * W[:, 1] ** 2 + np.sin(2 * W[:, 2]) + 0.5 * X[:, 0] + X[:, 2]
    y = base + truth(X) * t + rng.normal(size=n)
    return X, t - e, y - (base + e * truth(X))


def own_residuals(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import dagcore

    df, _ = simulate(n, seed=seed)
    cf = dagcore.CausalForest(effect_modifiers=X_COLS, n_estimators=40).fit(df, dagcore.identify(dagcore.parse(GRAPH)))  # for its residuals
    return df[X_COLS].to_numpy(), cf._rt, cf._ry


def summary(label: str, kw: dict, fits: list[tuple[np.ndarray, np.ndarray, float]], tg: np.ndarray) -> str:
    est, se = np.array([f[0] for f in fits]), np.array([f[1] for f in fits])
    bias = est.mean(axis=0) - tg
    return (f"| {label} | {json.dumps(kw)} | {len(fits)} | {np.sqrt(np.mean((est - tg) ** 2)):.3f} | {np.sqrt(np.mean(bias ** 2)):.3f} | "
            f"{est.std(axis=0, ddof=1).mean():.3f} | {se.mean():.3f} | {np.mean(np.abs(est - tg) <= 1.959964 * se):.1%} | "
            f"{np.mean(np.abs(est - est.mean(axis=0)) <= 1.959964 * se):.1%} | {np.mean([f[2] for f in fits]):.1f} |")


def main() -> None:
    from threadpoolctl import threadpool_limits

    from dagcore import CausalForest

    ap = argparse.ArgumentParser()
    ap.add_argument("settings", nargs="*", default=['{"min_samples_leaf": 5, "group_size": 2}', "{}"])
    ap.add_argument("--true", type=int, default=8)
    ap.add_argument("--own", type=int, default=8)
    ap.add_argument("--n", type=int, default=4000)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    settings = [json.loads(s) for s in args.settings]
    g = grid()[X_COLS].to_numpy()
    tg = truth(g)
    lines = ["| residuals | forest settings (else the defaults) | R | grid RMSE | RMS bias | SD | mean SE | coverage of tau | "
             "coverage of the forest's mean | forest fit (s) |", "|---|---|---|---|---|---|---|---|---|---|"]
    with threadpool_limits(1):
        for label, make, seeds in (("true nuisances", true_residuals, range(100, 100 + args.true)),
                                   ("own residuals", own_residuals, range(args.own))):
            data = [make(seed, args.n) for seed in seeds]
            for kw in settings:
                fits = []
                for seed, (V, rt, ry) in zip(seeds, data):
                    cf = CausalForest(random_state=seed, **kw)
                    start = time.perf_counter()
                    cf._grow(V, rt, ry)
                    fit_s = time.perf_counter() - start
                    tau, var = cf._predict(g, variance=True)
                    fits.append((tau, np.sqrt(var), fit_s))
                lines.append(summary(label, kw, fits, tg))
                print(lines[-1], flush=True)
    text = f"forest_diagnosis.py, n = {args.n}, 500 grid points of bench_cate.py\n\n" + "\n".join(lines) + "\n"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "forest_diagnosis.txt").write_text(text)


if __name__ == "__main__":
    main()
