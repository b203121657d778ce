"""CATE benchmark (issue 13): dagcore's causal forest, LinearDML, DR-learner and T-learner against EconML and CausalML.

The simulation: four effect modifiers ``x1..x4`` and three controls ``w1..w3``
(all standard normal); the treatment is confounded by ``w1``, ``w2`` and ``x1``
(logistic); ``tau(x) = 2 + 1.5 tanh(2 x1) + 0.75 (x2^2 - 1)`` (nonlinear in
two of the four modifiers, ATE 2); the baseline outcome is nonlinear in the
controls. Every method gets the same rows and is scored on 500 fixed grid
points of the modifiers (controls at 0 for learners whose CATE needs them):
RMSE against ``tau``, coverage of the 95% pointwise intervals, fit time and
peak memory. Each fit runs in its own fresh process (peak memory is the
growth of the resident set during the fit), one BLAS/OpenMP thread
everywhere (the machine is shared), rounds interleaved, best time kept.

    python benchmarks/bench_cate.py [--n 4000] [--rounds 2] [--big 0]

Needs the ``peers`` extra (econml, causalml). Writes
``benchmarks/results/cate.json`` and prints the Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
X_COLS, W_COLS = ["x1", "x2", "x3", "x4"], ["w1", "w2", "w3"]
GRAPH = """
t [exposure]
y [outcome]
{w1 w2 x1} -> t
{w1 w2 w3 x1 x2 x3 x4} -> y
t -> y
"""


def simulate(n: int, seed: int = 0, randomized: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X, W = rng.normal(size=(n, 4)), rng.normal(size=(n, 3))
    logit = 0.6 * W[:, 0] - 0.5 * W[:, 1] + 0.4 * X[:, 0]
    p = np.full(n, 0.5) if randomized else 1 / (1 + np.exp(-logit))
    t = (rng.random(n) < p).astype(float)
    tau = truth(X)
    y = W[:, 0] + 0.5 * W[:, 1] ** 2 + np.sin(2 * W[:, 2]) + 0.5 * X[:, 0] + X[:, 2] + tau * t + rng.normal(size=n)
    df = pd.DataFrame(np.column_stack([X, W]), columns=X_COLS + W_COLS)
    df["t"], df["y"] = t, y
    return df, tau


def truth(X: np.ndarray) -> np.ndarray:
    return 2 + 1.5 * np.tanh(2 * X[:, 0]) + 0.75 * (X[:, 1] ** 2 - 1)


def grid() -> pd.DataFrame:
    g = pd.DataFrame(np.random.default_rng(12345).normal(size=(500, 4)), columns=X_COLS)
    for c in W_COLS:
        g[c] = 0.0
    return g


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


# ---------------------------------------------------------------- one method, in a child process
def _fit_dagcore(name: str, df: pd.DataFrame) -> tuple[object, object]:
    import dagcore
    from dagcore import CausalForest, DRLearner, LinearDML, TLearner

    e = dagcore.identify(dagcore.parse(GRAPH))
    if name == "dagcore CausalForest":
        est = CausalForest(effect_modifiers=X_COLS)
    elif name == "dagcore LinearDML":
        est = LinearDML(effect_modifiers=X_COLS)
    elif name == "dagcore DRLearner":
        est = DRLearner(effect_modifiers=X_COLS)
    else:  # T-learner with gradient boosting, every pre-treatment covariate (the graph's default modifiers)
        from sklearn.ensemble import GradientBoostingRegressor

        est = TLearner(outcome_model=GradientBoostingRegressor(random_state=0))
    est.fit(df, e)
    return est, e


def child(name: str, n: int) -> dict[str, object]:
    import warnings

    warnings.simplefilter("ignore")
    df, _ = simulate(n)
    g = grid()
    tg = truth(g[X_COLS].to_numpy())
    if name.startswith("EconML"):
        import econml.dml
        import econml.dr  # noqa: F401  (imported before the memory baseline)
    if name.startswith("CausalML"):
        import causalml.inference.meta  # noqa: F401
    if name.startswith("dagcore"):
        import sklearn.ensemble  # noqa: F401

        import dagcore.estimators.cate.forest  # noqa: F401
    rss0 = _rss_kb("VmRSS")
    start = time.perf_counter()
    lo = hi = None
    ate_se = float("nan")
    if name.startswith("dagcore"):
        est, _ = _fit_dagcore(name, df)
        fit_s = time.perf_counter() - start
        pred = est.effect(g)  # type: ignore[attr-defined]
        with contextlib.suppress(Exception):  # meta-learners give no pointwise interval
            lo, hi = est.effect_interval(g)  # type: ignore[attr-defined]
        ate, ate_se = est.estimate_.value, est.estimate_.se  # type: ignore[attr-defined]
    elif name.startswith("EconML"):
        from econml.dml import CausalForestDML, LinearDML
        from econml.dr import DRLearner

        Y, T, X, W = df.y.to_numpy(), df.t.to_numpy(), df[X_COLS].to_numpy(), df[W_COLS].to_numpy()
        cls = {"EconML CausalForestDML": CausalForestDML, "EconML LinearDML": LinearDML, "EconML DRLearner": DRLearner}[name]
        kw = {"discrete_treatment": True} if cls is not DRLearner else {}
        est = cls(random_state=0, **kw).fit(Y, T, X=X, W=W)
        fit_s = time.perf_counter() - start
        pred = np.ravel(est.effect(g[X_COLS].to_numpy()))
        lo, hi = (np.ravel(v) for v in est.effect_interval(g[X_COLS].to_numpy(), alpha=0.05))
        ate = float(est.ate(X))
        a_lo, a_hi = est.ate_interval(X, alpha=0.05)
        ate_se = float((np.ravel(a_hi)[0] - np.ravel(a_lo)[0]) / (2 * 1.959964))
    else:  # CausalML T-learner with gradient boosting, ATE with its SE
        from causalml.inference.meta import BaseTRegressor
        from sklearn.ensemble import GradientBoostingRegressor

        cols = X_COLS + W_COLS
        est = BaseTRegressor(learner=GradientBoostingRegressor(random_state=0))
        ate_, a_lo, a_hi = est.estimate_ate(df[cols].to_numpy(), df.t.to_numpy(), df.y.to_numpy())
        fit_s = time.perf_counter() - start
        pred = np.ravel(est.predict(g[cols].to_numpy()))
        ate = float(np.ravel(ate_)[0])
        ate_se = float((np.ravel(a_hi)[0] - np.ravel(a_lo)[0]) / (2 * 1.959964))
    peak_mb = max(0, _rss_kb("VmHWM") - rss0) / 1024
    out: dict[str, object] = {"method": name, "n": n, "fit_s": fit_s, "rmse": float(np.sqrt(np.mean((pred - tg) ** 2))),
                              "ate": ate, "ate_se": ate_se, "peak_mb": peak_mb}
    if lo is not None and hi is not None:
        out["coverage"] = float(np.mean((np.asarray(lo) <= tg) & (tg <= np.asarray(hi))))
        out["mean_width"] = float(np.mean(np.asarray(hi) - np.asarray(lo)))
    return out


TIMEOUT = 1200  # seconds per fit


def run_child(name: str, n: int) -> dict[str, object]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    try:
        res = subprocess.run([sys.executable, __file__, "--child", name, "--n", str(n)], capture_output=True, text=True, env=env,
                             check=False, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"method": name, "n": n, "error": f"not finished in {TIMEOUT} s"}
    if res.returncode != 0:
        return {"method": name, "n": n, "error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"}
    return json.loads(res.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the Qini normalisation against CausalML
def qini_crosscheck(n: int = 4000) -> dict[str, float]:
    from causalml.metrics import qini_score

    from dagcore import qini_curve

    df, tau = simulate(n, seed=3, randomized=True)
    score = tau + np.random.default_rng(0).normal(scale=0.5, size=n)  # a noisy but informative ranking
    q = qini_curve(score, df.t, df.y)
    frame = pd.DataFrame({"y": df.y, "w": df.t, "model": score})
    return {
        "dagcore_area": q.area, "causalml_qini_score_raw": float(qini_score(frame, outcome_col="y", treatment_col="w", normalize=False).iloc[0]),
        "dagcore_normalized_area": q.normalized_area,
        "causalml_qini_score_normalized": float(qini_score(frame, outcome_col="y", treatment_col="w", normalize=True).iloc[0]),
    }


METHODS = ("dagcore CausalForest", "EconML CausalForestDML", "dagcore LinearDML", "EconML LinearDML",
           "dagcore DRLearner", "EconML DRLearner", "dagcore TLearner (GBM)", "CausalML TLearner (GBM)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--t-learner-n", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--big", type=int, default=0, help="also run the two forests at this n (e.g. 100000)")
    ap.add_argument("--methods", help="comma-separated subset of the methods; their runs replace those in the saved results")
    ap.add_argument("--child")
    ap.add_argument("--qini", action="store_true", help="rerun only the Qini cross-check into the saved results")
    ap.add_argument("--table", action="store_true", help="print the table of the saved benchmarks/results/cate.json")
    args = ap.parse_args()
    if args.qini:
        saved = json.loads((HERE / "results" / "cate.json").read_text())
        saved["qini_crosscheck"] = qini_crosscheck()
        (HERE / "results" / "cate.json").write_text(json.dumps(saved, indent=1))
        args.table = True
    if args.table:
        saved = json.loads((HERE / "results" / "cate.json").read_text())
        report(saved["runs"], saved["qini_crosscheck"], 1 + max(int(r.get("round", 0)) for r in saved["runs"]))
        return
    if args.child:
        print(json.dumps(child(args.child, args.n)))
        return
    methods = tuple(m.strip() for m in args.methods.split(",")) if args.methods else METHODS
    runs: list[dict[str, object]] = []
    for r in range(args.rounds):
        order = methods if r % 2 == 0 else methods[::-1]
        for name in order:
            n = args.t_learner_n if "TLearner" in name else args.n
            res = run_child(name, n)
            res["round"] = r
            runs.append(res)
            print(json.dumps(res), file=sys.stderr, flush=True)
    if args.big:
        for name in [m for m in ("dagcore CausalForest", "EconML CausalForestDML") if m in methods]:
            res = run_child(name, args.big)
            res["round"] = 0
            runs.append(res)
            print(json.dumps(res), file=sys.stderr, flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    partial = bool(args.methods and (HERE / "results" / "cate.json").exists())
    # a subset of the methods keeps the saved Qini cross-check (rerun it with --qini; it needs causalml)
    qini = json.loads((HERE / "results" / "cate.json").read_text())["qini_crosscheck"] if partial else qini_crosscheck()
    if partial:  # keep the other methods' saved runs
        saved = json.loads((HERE / "results" / "cate.json").read_text())["runs"]
        fresh = {(r["method"], r["n"]) for r in runs}
        runs = [r for r in saved if (r["method"], r["n"]) not in fresh] + runs
    (HERE / "results" / "cate.json").write_text(json.dumps({"runs": runs, "qini_crosscheck": qini}, indent=1))
    report(runs, qini, args.rounds)


def report(runs: list[dict[str, object]], qini: dict[str, float], rounds: int) -> None:
    """The Markdown table (best fit time over the rounds per method) and the Qini cross-check."""
    best: dict[tuple[str, int], dict[str, object]] = {}
    for res in runs:
        key = (str(res["method"]), int(res["n"]))  # type: ignore[call-overload]
        if "error" in res:
            best.setdefault(key, res)
            continue
        if key not in best or "error" in best[key] or float(res["fit_s"]) < float(best[key]["fit_s"]):  # type: ignore[arg-type]
            best[key] = res
    print(f"| method | n | CATE RMSE (grid) | 95% coverage (grid) | mean width | fit time (s, best of {rounds}) | peak memory (MB) | ATE (SE) |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, n), res in best.items():
        if "error" in res:
            print(f"| {name} | {n} | error: {res['error']} | | | | | |")
            continue
        cov = f"{res['coverage']:.3f}" if "coverage" in res else "—"
        width = f"{res['mean_width']:.2f}" if "mean_width" in res else "—"
        print(f"| {name} | {n:,} | {res['rmse']:.3f} | {cov} | {width} | {res['fit_s']:.1f} | {res['peak_mb']:.0f} | "
              f"{res['ate']:.3f} ({res['ate_se']:.3f}) |")
    print()
    print("Qini cross-check:", json.dumps(qini))


if __name__ == "__main__":
    main()
