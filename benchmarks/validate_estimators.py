"""Monte Carlo validation of the estimators: bias, RMSE, SE calibration and 95% CI coverage on simulated SCMs.

Designs (each with a known effect):

* ``backdoor-linear``: 5 normal confounders, logistic binary treatment, linear outcome.
* ``backdoor-nonlinear``: 3 normal confounders, logistic binary treatment, an outcome
  that is nonlinear in the confounders and whose effect varies with one of them
  (the ATE is still known). The default linear outcome models are misspecified
  here; the propensity model is not, so IPW and AIPW stay consistent while
  regression and standardization are expected to be biased.
* ``iv-linear``: a continuous treatment confounded by an unobserved U, one instrument.
* ``frontdoor-linear``: X -> M -> Y with U -> X and U -> Y unobserved.
* ``randomized``: a coin-flip treatment.
* ``backdoor-discrete``: discrete confounders and outcome (the plug-in and
  exact-strata estimators apply), effect varying with a confounder.
* ``napkin-discrete``: the napkin graph, identified only by the ID formula
  (the plug-in estimator).
* ``mediation-nde`` / ``mediation-nie``: natural direct and indirect effects
  in a linear model with a confounder of exposure, mediator and outcome.

Every estimator in the registry that serves a back-door estimand runs on the
two back-door designs; on the other designs run the registry's estimators for
that strategy that do not also serve back-door (``2sls`` on IV, ``frontdoor``,
``difference_in_means``; an alias of a class already run, like ``wald``, is
skipped). All with default settings, through ``dagcore.estimate``.

Per design and estimator: bias (with its Monte Carlo SE), RMSE, SD of the
estimates, mean reported SE, mean SE / SD, and coverage of the reported 95% CI
with its binomial Monte Carlo SE; coverage outside 93-97% is flagged.
Replications run in parallel with joblib (``--jobs``, default 2); seeds are
fixed per design and replication, so results do not depend on ``--jobs``.

    python benchmarks/validate_estimators.py [--reps 200] [--n 1000] [--methods aipw,ipw] [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from _common import table  # noqa: E402

import dagcore  # noqa: E402
from dagcore import Estimand  # noqa: E402
from dagcore.estimators.registry import REGISTRY, methods_for  # noqa: E402

LOW, HIGH = 0.93, 0.97

#: Settings that differ from the defaults, so that every estimator targets the designs' ATE
#: (matching estimates the ATT by default).
OPTIONS: dict[str, dict[str, Any]] = {"matching": {"target": "ATE"}}

#: Extra rows: an estimator with non-default settings, run wherever its base estimator runs
#: (IPW's previous SE, which treats the weights as known, beside the default M-estimation SE).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {"ipw[weights_known]": ("ipw", {"variance": "weights_known"})}


def _logistic(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


def backdoor_linear(n: int, rng: np.random.Generator) -> pd.DataFrame:
    Z = rng.standard_normal((n, 5))
    t = (rng.random(n) < _logistic(Z @ np.array([0.5, -0.4, 0.3, 0.2, -0.3]))).astype(float)
    y = 1.0 * t + Z @ np.array([1.0, 0.8, -0.6, 0.5, 0.4]) + rng.standard_normal(n)
    df = pd.DataFrame(Z, columns=[f"z{i + 1}" for i in range(5)])
    return df.assign(t=t, y=y)


def backdoor_nonlinear(n: int, rng: np.random.Generator) -> pd.DataFrame:
    Z = rng.standard_normal((n, 3))
    z1, z2, z3 = Z.T
    t = (rng.random(n) < _logistic(0.6 * z1 - 0.5 * z2 + 0.3 * z3)).astype(float)
    # effect 1 + 0.5 z1 (ATE = 1 since E[z1] = 0); outcome nonlinear in the confounders
    y = t * (1.0 + 0.5 * z1) + z1**2 + np.exp(0.5 * z2) + np.sin(2 * z3) + rng.standard_normal(n)
    return pd.DataFrame({"z1": z1, "z2": z2, "z3": z3, "t": t, "y": y})


def iv_linear(n: int, rng: np.random.Generator) -> pd.DataFrame:
    u, z = rng.standard_normal(n), rng.standard_normal(n)
    x = 0.8 * z + u + rng.standard_normal(n)
    y = 1.5 * x + 2.0 * u + rng.standard_normal(n)
    return pd.DataFrame({"z": z, "x": x, "y": y})


def frontdoor_linear(n: int, rng: np.random.Generator) -> pd.DataFrame:
    u = rng.standard_normal(n)
    x = u + rng.standard_normal(n)
    m = 0.5 * x + rng.standard_normal(n)
    y = 2.0 * m + 3.0 * u + rng.standard_normal(n)
    return pd.DataFrame({"x": x, "m": m, "y": y})


def randomized(n: int, rng: np.random.Generator) -> pd.DataFrame:
    z = rng.standard_normal(n)
    t = (rng.random(n) < 0.5).astype(float)
    y = 1.0 * t + z + rng.standard_normal(n)
    return pd.DataFrame({"z": z, "t": t, "y": y})


def backdoor_discrete(n: int, rng: np.random.Generator) -> pd.DataFrame:
    z1 = (rng.random(n) < 0.4).astype(int)
    z2 = rng.integers(0, 3, n)
    t = (rng.random(n) < 0.2 + 0.3 * z1 + 0.15 * z2).astype(int)
    # effect 1 + z1 (ATE = 1.4 since P(z1 = 1) = 0.4); outcome discrete so the plug-in estimator applies
    y = t * (1 + z1) + z1 + z2 + rng.integers(0, 3, n)
    return pd.DataFrame({"z1": z1, "z2": z2, "t": t, "y": y})


def napkin_discrete(n: int, rng: np.random.Generator) -> pd.DataFrame:
    u1, u2 = (rng.random(n) < 0.5).astype(int), (rng.random(n) < 0.5).astype(int)
    w = (rng.random(n) < 0.2 + 0.3 * u1 + 0.4 * u2).astype(int)
    z = (rng.random(n) < 0.2 + 0.6 * w).astype(int)
    x = (rng.random(n) < 0.1 + 0.5 * z + 0.3 * u1).astype(int)
    # P(y = 1 | x, u2) = 0.2 + 0.3 x + 0.4 u2: the ATE is 0.3; the naive contrast is confounded through u2 -> w -> z -> x
    y = (rng.random(n) < 0.2 + 0.3 * x + 0.4 * u2).astype(int)
    return pd.DataFrame({"w": w, "z": z, "x": x, "y": y})


def mediation_linear(n: int, rng: np.random.Generator) -> pd.DataFrame:
    c = rng.standard_normal(n)
    x = (rng.random(n) < _logistic(c)).astype(float)
    m = 0.8 * x + 0.5 * c + rng.standard_normal(n)
    y = 1.0 * x + 1.5 * m + c + rng.standard_normal(n)  # NDE 1.0, NIE 0.8 * 1.5 = 1.2
    return pd.DataFrame({"c": c, "x": x, "m": m, "y": y})


def _napkin_estimand() -> Estimand:
    from dagcore.grammar import parse

    return dagcore.identify(parse("x [exposure] y [outcome] w -> z -> x -> y; w <-> x; w <-> y"))


def _mediation_estimand(effect: str) -> Estimand:
    from dagcore.grammar import parse

    return dagcore.identify_mediation(parse("x [exposure] y [outcome] c -> {x m y} x -> m -> y x -> y"), effect=effect)


@dataclass(frozen=True)
class Design:
    name: str
    simulate: Callable[[int, np.random.Generator], pd.DataFrame]
    estimand: Estimand
    truth: float
    note: str


DESIGNS = (
    Design("backdoor-linear", backdoor_linear,
           Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"z1", "z2", "z3", "z4", "z5"})),
           1.0, "linear outcome, logistic treatment: every model correctly specified"),
    Design("backdoor-nonlinear", backdoor_nonlinear,
           Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"z1", "z2", "z3"})),
           1.0, "outcome z1^2 + exp(z2/2) + sin(2 z3), effect 1 + 0.5 z1: linear outcome models misspecified, propensity correct"),
    Design("iv-linear", iv_linear, Estimand(treatment=("x",), outcome=("y",), strategy="iv", instruments=frozenset({"z"})),
           1.5, "continuous x, unobserved confounder, first-stage coefficient 0.8 (F about 300 at n = 1000)"),
    Design("frontdoor-linear", frontdoor_linear, Estimand(treatment=("x",), outcome=("y",), strategy="frontdoor", mediators=frozenset({"m"})),
           1.0, "x -> m -> y, 0.5 x 2.0, unobserved u -> x, u -> y"),
    Design("randomized", randomized, Estimand(treatment=("t",), outcome=("y",), strategy="randomized"),
           1.0, "coin-flip treatment, prognostic z not adjusted for"),
    Design("backdoor-discrete", backdoor_discrete,
           Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"z1", "z2"})),
           1.4, "binary z1, three-level z2, discrete outcome, effect 1 + z1"),
    Design("napkin-discrete", napkin_discrete, _napkin_estimand(), 0.3,
           "the napkin graph (w <-> x, w <-> y): only the ID formula identifies it; binary variables"),
    Design("mediation-nde", mediation_linear, _mediation_estimand("nde"), 1.0, "c -> {x, m, y}, x -> m -> y: natural direct effect"),
    Design("mediation-nie", mediation_linear, _mediation_estimand("nie"), 1.2, "the same model: natural indirect effect 0.8 x 1.5"),
)


def methods_for_design(design: Design) -> list[str]:
    """Back-door designs: every back-door estimator; others: the strategy's own estimators, one name per class."""
    backdoor = set(methods_for(Estimand(treatment=("t",), outcome=("y",), strategy="backdoor")))
    if design.estimand.strategy == "backdoor":  # the plug-in estimator needs discrete data
        names = sorted(m for m in backdoor if m != "plugin" or "discrete" in design.name)
        return names + [v for v, (base, _) in VARIANTS.items() if base in names]
    names, seen = [], set()
    for name in methods_for(design.estimand):
        cls = REGISTRY[name]
        if (name in backdoor and design.estimand.strategy != "id") or cls in seen:
            continue
        seen.add(cls)
        names.append(name)
    return names


def one_replication(design_index: int, rep: int, n: int, methods: list[str]) -> dict[str, tuple[float, float, float, float] | str]:
    """Simulate one data set (seed fixed by design and replication) and run each method on it."""
    from threadpoolctl import threadpool_limits

    design = DESIGNS[design_index]
    rng = np.random.default_rng(np.random.SeedSequence([20240607, design_index, rep]))
    df = design.simulate(n, rng)
    out: dict[str, tuple[float, float, float, float] | str] = {}
    import scipy.linalg  # noqa: F401  (load every BLAS/OpenMP library first: threadpoolctl limits only loaded ones)
    import sklearn.linear_model  # noqa: F401
    import statsmodels.api  # noqa: F401

    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in methods:
            try:
                method, options = VARIANTS.get(name, (name, OPTIONS.get(name, {})))
                est = dagcore.estimate(design.estimand, df, method=method, **options)
                out[name] = (est.value, est.se, est.ci[0], est.ci[1])
            except Exception as err:  # counted and reported, not fatal
                out[name] = f"{type(err).__name__}: {err}"
    return out


def summarize(truth: float, results: list[dict[str, Any]], name: str) -> dict[str, Any]:
    ok = [r[name] for r in results if isinstance(r.get(name), tuple)]
    errors = [r[name] for r in results if isinstance(r.get(name), str)]
    if not ok:
        return {"R": 0, "errors": errors}
    a = np.array(ok, dtype=float)
    value, se, lo, hi = a.T
    R = len(a)
    sd = float(value.std(ddof=1)) if R > 1 else float("nan")
    cover = float(np.mean((lo <= truth) & (truth <= hi)))
    return {
        "R": R, "errors": errors, "mean": float(value.mean()), "bias": float(value.mean() - truth),
        "bias_mcse": sd / np.sqrt(R), "rmse": float(np.sqrt(np.mean((value - truth) ** 2))), "sd": sd,
        "mean_se": float(np.nanmean(se)), "coverage": cover, "cov_mcse": float(np.sqrt(cover * (1 - cover) / R)),
        "cov_mcse_nominal": float(np.sqrt(0.95 * 0.05 / R)),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="replications per design (default 200)")
    ap.add_argument("--n", type=int, default=1000, help="rows per replication (default 1000)")
    ap.add_argument("--methods", help="comma-separated estimator names (default: all, see the module docstring)")
    ap.add_argument("--designs", help="comma-separated design names (default: all)")
    ap.add_argument("--jobs", type=int, default=2, help="joblib workers over replications (default 2)")
    ap.add_argument("--reps-for", action="append", default=[], metavar="NAME=R",
                    help="fewer replications for one slow estimator, e.g. standardization=50 (its first R replications)")
    args = ap.parse_args(argv)
    reps_for = {k.strip(): int(v) for k, v in (item.split("=", 1) for item in args.reps_for)}
    wanted = {m.strip() for m in args.methods.split(",")} if args.methods else None
    if wanted:
        unknown = sorted(wanted - set(REGISTRY) - {m for d in DESIGNS for m in methods_for_design(d)})
        if unknown:
            ap.error(f"unknown methods: {', '.join(unknown)}")
    designs = [d for d in DESIGNS if not args.designs or d.name in {s.strip() for s in args.designs.split(",")}]

    print(f"Monte Carlo validation: R = {args.reps} replications, n = {args.n} rows, joblib n_jobs = {args.jobs}, BLAS 1 thread per worker")
    print(f"dagcore {getattr(dagcore, '__version__', '?')}, numpy {np.__version__}, pandas {pd.__version__}; every estimator with its default settings except " + ", ".join(f"{k} {v}" for k, v in OPTIONS.items()))
    if reps_for:
        print("fewer replications for: " + ", ".join(f"{k} R = {v}" for k, v in reps_for.items()) + " (the first R replications of each design)")
    print(f"coverage flagged outside {LOW:.0%}-{HIGH:.0%}; binomial Monte Carlo SE of a 95% coverage at R = {args.reps}: "
          f"{np.sqrt(0.95 * 0.05 / args.reps):.1%}\n", flush=True)

    rows: list[list[Any]] = []
    flagged: list[str] = []
    failures: list[str] = []
    start_all = time.perf_counter()
    for d_index, design in enumerate(DESIGNS):
        if design not in designs:
            continue
        methods = [m for m in methods_for_design(design) if wanted is None or m in wanted]
        if not methods:
            continue
        start = time.perf_counter()
        reps = {m: min(args.reps, reps_for.get(m, args.reps)) for m in methods}
        results = Parallel(n_jobs=args.jobs)(
            delayed(one_replication)(d_index, rep, args.n, [m for m in methods if rep < reps[m]]) for rep in range(max(reps.values()))
        )
        elapsed = time.perf_counter() - start
        print(f"{design.name} (true effect {design.truth}; {design.note}): {', '.join(methods)} in {elapsed:.0f} s", flush=True)
        for name in methods:
            s = summarize(design.truth, results, name)
            if s["errors"]:
                failures.append(f"{design.name}/{name}: {len(s['errors'])} of {reps[name]} replications failed, e.g. {s['errors'][0][:150]}")
            if s["R"] == 0:
                rows.append([design.name, name, 0, "", "", "", "", "", "", "", "all failed"])
                continue
            flag = ""
            if not LOW <= s["coverage"] <= HIGH:
                z = (s["coverage"] - 0.95) / s["cov_mcse_nominal"]  # distance from 95% in binomial SEs at this R
                flag = f"{'LOW' if s['coverage'] < LOW else 'HIGH'} ({z:+.1f} MC SE from 95%)"
                flagged.append(f"{design.name}/{name}: coverage {s['coverage']:.1%} ± {s['cov_mcse']:.1%}, {z:+.1f} MC SE from 95%")
            rows.append([
                design.name, name, s["R"], f"{s['bias']:+.4f} ± {s['bias_mcse']:.4f}", f"{s['rmse']:.4f}", f"{s['sd']:.4f}",
                f"{s['mean_se']:.4f}", f"{s['mean_se'] / s['sd']:.2f}", f"{s['coverage']:.1%}", f"{s['cov_mcse']:.1%}", flag,
            ])
    print()
    print(table(["design", "estimator", "R", "bias ± MC SE", "RMSE", "SD of estimates", "mean SE", "mean SE / SD", "95% CI coverage", "coverage MC SE", "flag"], rows))
    print(f"\ntotal {time.perf_counter() - start_all:.0f} s. 'bias ± MC SE': mean estimate minus the truth, with SD / sqrt(R);"
          " 'coverage MC SE': sqrt(c (1 - c) / R).")
    print("Coverage outside 93-97%:" if flagged else "Coverage outside 93-97%: none")
    for f in flagged:
        print(f"  {f}")
    if failures:
        print("Failed replications:")
        for f in failures:
            print(f"  {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
