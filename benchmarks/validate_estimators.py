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
* ``targets``: an effect that varies with a confounder (``1 + z1``) and a
  propensity that grows with it, so the ATE, ATT, ATC and ATO differ; every
  estimator that takes ``target=`` runs with each target it serves and is
  scored against that target's truth (computed by quadrature), labelled
  ``method[TARGET]``; ``dml`` and ``g_estimation`` (whose estimands are the
  overlap-weighted effect when the propensity model is right) against the ATO.
* ``iv-precision``: the IV model with a prognostic covariate independent of
  the instrument, 2SLS with and without it as a precision covariate.
* ``targets-no-overlap``: the same effect with 80% of the controls at a
  propensity below 0.01: the ATT estimators only.

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

The experiments section (``--experiments only`` runs it alone) checks the A/B
readout (``dagcore.analyze_experiment``) on simulated experiments: coverage of
the difference and lift intervals for rates, means (Welch), ratio metrics and
the regression adjustments (Lin, CUPED), the variance reduction against
``1 - rho^2``, Holm's and BH's family-wise error under the null, the
sample-ratio check's false alarms and the stated peeking false-positive rate.

    python benchmarks/validate_estimators.py [--reps 200] [--n 1000] [--methods aipw,ipw] [--jobs 2]
    python benchmarks/validate_estimators.py --experiments only [--experiment-reps 400]

The CATE estimators with flexible default nuisances (``causal_forest``,
``linear_dml``) are slow per replication and run on the ATE designs only when
named in ``--methods``. Their pointwise CATE intervals have their own section:

    python benchmarks/validate_estimators.py --cate [--reps 40] [--jobs 2]
    python benchmarks/validate_estimators.py --cate-learners [--reps 100] [--jobs 2]

(issue 13): coverage of the 95% CATE intervals at fixed grid points over
replications, for the causal forest on a step effect and on a constant effect
(no smoothing bias: the little-bags variance alone), and for LinearDML and the
DR-learner's linear final stage on a linear effect (linear nuisance models,
correctly specified up to the orthogonalisation, to keep it fast).
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


def _targets_propensity(z1: np.ndarray, z2: np.ndarray, overlap: bool) -> np.ndarray:
    return _logistic(-0.5 + 1.0 * z1 - 0.5 * z2) if overlap else _logistic(-7.5 + 3.3 * z1 + 0.5 * z2)


def _targets_data(n: int, rng: np.random.Generator, overlap: bool) -> pd.DataFrame:
    z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
    t = (rng.random(n) < _targets_propensity(z1, z2, overlap)).astype(float)
    y = z1 + z2 + (1 + z1) * t + rng.standard_normal(n)
    return pd.DataFrame({"z1": z1, "z2": z2, "t": t, "y": y})


def iv_precision(n: int, rng: np.random.Generator) -> pd.DataFrame:
    df = iv_linear(n, rng)
    w = rng.standard_normal(n)
    return df.assign(w=w, y=df.y + 2 * w)


def targets_design(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return _targets_data(n, rng, True)


def targets_no_overlap(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return _targets_data(n, rng, False)


def target_truths(overlap: bool) -> dict[str, float]:
    """E[h(e) (1 + z1)] / E[h(e)] for each target's tilting h, by quadrature over the two normal confounders."""
    g = np.linspace(-9, 9, 1201)
    z1, z2 = np.meshgrid(g, g, indexing="ij")
    phi = np.exp(-(z1**2 + z2**2) / 2)
    e = _targets_propensity(z1, z2, overlap)
    tau = 1 + z1
    return {k: float((phi * h * tau).sum() / (phi * h).sum()) for k, h in
            {"ATE": np.ones_like(e), "ATT": e, "ATC": 1 - e, "ATO": e * (1 - e)}.items()}


#: (label, method, options, target whose truth it is scored against) of the targets designs.
TARGET_VARIANTS: list[tuple[str, str, dict[str, Any], str]] = [
    *[(f"ipw[{t}]", "ipw", {"target": t}, t) for t in ("ATE", "ATT", "ATC", "ATO")],
    *[(f"aipw[{t}]", "aipw", {"target": t}, t) for t in ("ATE", "ATT", "ATC", "ATO")],
    *[(f"dr_learner[{t}]", "dr_learner", {"target": t}, t) for t in ("ATE", "ATT", "ATC", "ATO")],
    *[(f"regression[{t}]", "regression", {"target": t}, t) for t in ("ATE", "ATT", "ATC")],
    *[(f"standardization[{t}]", "standardization", {"target": t, "inference": "delta"}, t) for t in ("ATE", "ATT", "ATC")],
    *[(f"matching[{t}]", "matching", {"target": t}, t) for t in ("ATE", "ATT", "ATC")],
    *[(f"stratification[{t}]", "stratification", {"target": t}, t) for t in ("ATE", "ATT", "ATC")],
    ("g_estimation[ATO]", "g_estimation", {}, "ATO"),
    ("dml[WATE = ATO]", "dml", {}, "ATO"),
]


@dataclass(frozen=True)
class Design:
    name: str
    simulate: Callable[[int, np.random.Generator], pd.DataFrame]
    estimand: Estimand
    truth: float
    note: str
    variants: tuple[tuple[str, str, dict[str, Any], str], ...] = ()
    truths: tuple[tuple[str, float], ...] = ()
    n: int | None = None  # rows per replication, when the design needs more than --n


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
    Design("iv-precision", iv_precision, Estimand(treatment=("x",), outcome=("y",), strategy="iv", instruments=frozenset({"z"})),
           1.5, "the iv-linear model plus a prognostic w independent of z (y += 2 w): 2SLS with and without covariates=['w']",
           (("2sls", "2sls", {}, "effect"), ("2sls[covariates=w]", "2sls", {"covariates": ["w"]}, "effect")), (("effect", 1.5),)),
    Design("targets", targets_design,
           Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"z1", "z2"})),
           1.0, "effect 1 + z1, propensity rising with z1: ATE, ATT, ATC, ATO differ (truths by quadrature)",
           tuple(TARGET_VARIANTS), tuple(target_truths(True).items())),
    Design("targets-no-overlap", targets_no_overlap,
           Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"z1", "z2"})),
           1.0, "effect 1 + z1, 80% of the controls with a propensity below 0.01, about 2.4% treated: the ATT estimators, n = 8000",
           tuple(v for v in TARGET_VARIANTS if v[3] == "ATT"), tuple(target_truths(False).items()), 8000),
)


def methods_for_design(design: Design) -> list[str]:
    """Back-door designs: every back-door estimator; others: the strategy's own estimators, one name per class; the targets designs: their variants."""
    if design.variants:
        return [label for label, *_ in design.variants]
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
        variants = {label: (method, options) for label, method, options, _ in design.variants}
        for name in methods:
            method, options = variants.get(name, VARIANTS.get(name, (name, OPTIONS.get(name, {}))))
            try:
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


# --------------------------------------------------------------------------- experiments (issue 14)
#
# The A/B readout of dagcore.analyze_experiment on simulated experiments with a known effect:
# coverage of the difference and relative-lift intervals (rates: Newcombe and the log-adjusted risk
# ratio; means: Welch under unequal variances and a 1:2 split; ratio metrics: the delta method;
# Lin's regression adjustment and CUPED), the variance reduction of the adjustment against 1 - rho^2
# (the Monte Carlo variance of the adjusted estimates over that of the unadjusted ones), the
# family-wise error of Holm over 3 arms x 2 metrics under the null, the false-alarm rate of the
# sample-ratio check under a correct split, and the peeking false-positive rate against a simulation.

EXPERIMENT_RHO = 0.6  # corr(pre-period covariate, outcome) within an arm in the "ab-adjusted" design


def _ab_arms(n: int, rng: np.random.Generator, shares: tuple[float, ...] = (0.5, 0.5), names: tuple[str, ...] = ("control", "B")) -> np.ndarray:
    return rng.choice(np.array(names), size=n, p=np.array(shares))


def _ab_replication(design: str, rep: int, n: int) -> dict[str, Any]:
    """One simulated experiment of ``design``; returns what the summary needs (estimates, CIs, p-values)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(np.random.SeedSequence([20261201, list(EXPERIMENT_DESIGNS).index(design), rep]))
    out: dict[str, Any] = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design == "ab-proportion":  # 10% -> 12%: difference 0.02, lift 0.2
            arm = _ab_arms(n, rng)
            y = (rng.random(n) < np.where(arm == "B", 0.12, 0.10)).astype(int)
            c = dagcore.analyze_experiment(pd.DataFrame({"arm": arm, "y": y}), treatment="arm", outcome="y").comparison()
            out["difference"] = (c.difference, c.ci)
            out["lift"] = (c.lift, c.lift_ci)
        elif design == "ab-mean-welch":  # lognormal outcome, SD 2x larger in B, 1:2 split; difference 0.5
            arm = _ab_arms(n, rng, (1 / 3, 2 / 3))
            base = rng.lognormal(1.0, 0.8, n)
            y = np.where(arm == "B", 2 * base + 0.5 - np.exp(1.32) , base)  # E[2 base - e^1.32] = e^1.32 -> mean shift 0.5
            c = dagcore.analyze_experiment(pd.DataFrame({"arm": arm, "y": y}), treatment="arm", outcome="y",
                                           allocation=[1, 2]).comparison()
            out["difference"] = (c.difference, c.ci)
        elif design == "ab-ratio":  # revenue per visit 2*1.0 -> 2*1.1: difference 0.2
            arm = _ab_arms(n, rng)
            visits = rng.poisson(3.0, n) + 1.0
            revenue = visits * rng.gamma(2.0, np.where(arm == "B", 1.1, 1.0))
            c = dagcore.analyze_experiment(pd.DataFrame({"arm": arm, "revenue": revenue, "visits": visits}), treatment="arm",
                                           ratios=["revenue/visits"]).comparison()
            out["difference"] = (c.difference, c.ci)
            out["lift"] = (c.lift, c.lift_ci)
        elif design == "ab-adjusted":  # y = 0.3 t + x + e, corr(x, y) = rho within an arm: difference 0.3
            arm = _ab_arms(n, rng)
            x = rng.standard_normal(n)
            e = rng.standard_normal(n) * np.sqrt(1 / EXPERIMENT_RHO**2 - 1)
            df = pd.DataFrame({"arm": arm, "x": x, "y": 0.3 * (arm == "B") + x + e})
            plain = dagcore.analyze_experiment(df, treatment="arm", outcome="y", inference="neyman").comparison()
            lin = dagcore.analyze_experiment(df, treatment="arm", outcome="y", covariates=["x"]).comparison()
            cuped = dagcore.analyze_experiment(df, treatment="arm", outcome="y", covariates=["x"], adjustment="cuped").comparison()
            out["unadjusted"] = (plain.difference, plain.ci)
            out["lin"] = (lin.difference, lin.ci, lin.variance_reduction)
            out["cuped"] = (cuped.difference, cuped.ci, cuped.variance_reduction)
        elif design == "ab-null-3x2":  # no effect anywhere: Holm's and BH's false positives over 6 comparisons; SRM false alarms
            arm = _ab_arms(n, rng, (1 / 3, 1 / 3, 1 / 3), ("control", "B", "C"))
            df = pd.DataFrame({"arm": arm, "y": rng.standard_normal(n), "c": (rng.random(n) < 0.2).astype(int)})
            holm = dagcore.analyze_experiment(df, treatment="arm", outcome=["y", "c"])
            bh = dagcore.analyze_experiment(df, treatment="arm", outcome=["y", "c"], correction="bh")
            raw = [cmp.p_value for cmp in holm.comparisons]
            out["null"] = (any(p < 0.05 for p in raw), any(cmp.significant for cmp in holm.comparisons),
                           any(cmp.significant for cmp in bh.comparisons), holm.srm.mismatch)
        elif design == "ab-peeking":  # no effect; test at 40% and at 100% of n: reject at either look
            arm = _ab_arms(n, rng)
            df = pd.DataFrame({"arm": arm, "y": rng.standard_normal(n)})
            k = int(0.4 * n)
            early = dagcore.analyze_experiment(df.iloc[:k], treatment="arm", outcome="y", inference="neyman", planned_n=n)
            final = dagcore.analyze_experiment(df, treatment="arm", outcome="y", inference="neyman")
            out["peek"] = (early.comparison().p_value < 0.05 or final.comparison().p_value < 0.05, early.peeking.false_positive_rate)
    return out


EXPERIMENT_DESIGNS: dict[str, tuple[int, str]] = {
    "ab-proportion": (8000, "10% -> 12%, 50/50: difference 0.02, lift 0.2 (Newcombe; log-adjusted risk ratio)"),
    "ab-mean-welch": (900, "lognormal control, B with twice the SD, 1:2 split: difference 0.5 (Welch)"),
    "ab-ratio": (2000, "revenue per visit 2.0 -> 2.2, randomized by user: difference 0.2 (delta method)"),
    "ab-adjusted": (1000, f"y = 0.3 t + x + e, corr(x, y) = {EXPERIMENT_RHO} within arm: difference 0.3 (Lin, CUPED)"),
    "ab-null-3x2": (900, "no effect; 3 arms x 2 metrics (6 comparisons); correct 1/3 split"),
    "ab-peeking": (1000, "no effect; looks at 40% and 100% of the planned size"),
}
EXPERIMENT_TRUTH = {"ab-proportion": {"difference": 0.02, "lift": 0.2}, "ab-mean-welch": {"difference": 0.5},
                    "ab-ratio": {"difference": 0.2, "lift": 0.1}, "ab-adjusted": {"unadjusted": 0.3, "lin": 0.3, "cuped": 0.3}}


def _coverage_row(design: str, what: str, truth: float, results: list[tuple[Any, ...]]) -> tuple[list[Any], str | None]:
    value = np.array([r[0] for r in results])
    lo = np.array([r[1][0] for r in results])
    hi = np.array([r[1][1] for r in results])
    R = len(value)
    cover = float(np.mean((lo <= truth) & (truth <= hi)))
    mcse = float(np.sqrt(cover * (1 - cover) / R))
    flag = "" if LOW <= cover <= HIGH else ("LOW" if cover < LOW else "HIGH")
    row = [design, what, R, f"{value.mean() - truth:+.4f} ± {value.std(ddof=1) / np.sqrt(R):.4f}", f"{value.std(ddof=1):.4f}",
           f"{np.mean((hi - lo) / 2 / 1.959964):.4f}", f"{cover:.1%}", f"{mcse:.1%}", flag]
    return row, (f"{design}/{what}: coverage {cover:.1%} ± {mcse:.1%}" if flag else None)


def run_experiments(reps: int, jobs: int) -> None:
    """The experiments section: coverage table, variance reduction, error rates."""
    print(f"\nExperiments (dagcore.analyze_experiment): R = {reps} replications per design, joblib n_jobs = {jobs}", flush=True)
    start = time.perf_counter()
    rows: list[list[Any]] = []
    flagged: list[str] = []
    extra: list[str] = []
    for design, (n, note) in EXPERIMENT_DESIGNS.items():
        t0 = time.perf_counter()
        results = Parallel(n_jobs=jobs)(delayed(_ab_replication)(design, rep, n) for rep in range(reps))
        print(f"{design} (n = {n}; {note}) in {time.perf_counter() - t0:.0f} s", flush=True)
        for what, truth in EXPERIMENT_TRUTH.get(design, {}).items():
            row, flag = _coverage_row(design, what, truth, [r[what] for r in results])
            rows.append(row)
            if flag:
                flagged.append(flag)
        if design == "ab-adjusted":
            var = {k: np.var([r[k][0] for r in results], ddof=1) for k in ("unadjusted", "lin", "cuped")}
            for k in ("lin", "cuped"):
                ratio = var[k] / var["unadjusted"]
                # the Monte Carlo SE of a variance ratio of two correlated estimators: bootstrap over replications
                boot_rng = np.random.default_rng(0)
                a = np.array([r[k][0] for r in results])
                b = np.array([r["unadjusted"][0] for r in results])
                idx = boot_rng.integers(0, reps, (500, reps))
                boots = a[idx].var(axis=1, ddof=1) / b[idx].var(axis=1, ddof=1)
                achieved = np.mean([r[k][2] for r in results])
                extra.append(f"{design}/{k}: Monte Carlo variance of the estimates / unadjusted = {ratio:.3f} ± {boots.std(ddof=1):.3f} "
                             f"(1 - rho^2 = {1 - EXPERIMENT_RHO**2:.3f}); mean reported variance reduction {achieved:.3f} "
                             f"(rho^2 = {EXPERIMENT_RHO**2:.3f})")
        if design == "ab-null-3x2":
            a = np.array([r["null"] for r in results], dtype=float)
            se = np.sqrt(a.mean(0) * (1 - a.mean(0)) / reps)
            extra.append(f"{design}: family-wise false-positive rate over 6 comparisons: uncorrected {a[:, 0].mean():.1%} ± {se[0]:.1%}, "
                         f"Holm {a[:, 1].mean():.1%} ± {se[1]:.1%}, Benjamini-Hochberg {a[:, 2].mean():.1%} ± {se[2]:.1%} (nominal 5%); "
                         f"sample-ratio false alarms {a[:, 3].mean():.1%} ± {se[3]:.1%} (threshold 1%)")
        if design == "ab-peeking":
            hits = np.array([r["peek"][0] for r in results], dtype=float)
            stated = float(np.mean([r["peek"][1] for r in results]))
            extra.append(f"{design}: simulated false-positive rate of stopping at either look {hits.mean():.1%} ± "
                         f"{np.sqrt(hits.mean() * (1 - hits.mean()) / reps):.1%}; stated by the peeking check {stated:.1%}")
    print()
    print(table(["design", "quantity", "R", "bias ± MC SE", "SD of estimates", "mean SE (CI half-width / 1.96)", "95% CI coverage",
                 "coverage MC SE", "flag"], rows))
    print()
    for line in extra:
        print(line)
    print("Coverage outside 93-97%:" if flagged else "Coverage outside 93-97%: none")
    for f in flagged:
        print(f"  {f}")
    print(f"experiments total {time.perf_counter() - start:.0f} s")


#: CATE estimators with flexible default nuisances: on the ATE designs only when named in --methods.
SLOW_CATE = frozenset({"causal_forest", "linear_dml"})

CATE_GRID = np.array([-1.6, -1.2, -0.5, 0.5, 1.2, 1.6])


def _cate_replication(rep: int, n: int) -> dict[str, np.ndarray]:
    """One replication of the two CATE designs: hits of the 95% intervals at the grid points, per method."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(np.random.SeedSequence([20261201, rep]))
    x, w = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < _logistic(0.5 * w + 0.3 * x)).astype(float)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x"})
    grid = pd.DataFrame({"x": CATE_GRID})
    out: dict[str, np.ndarray] = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        step = np.where(CATE_GRID > 0, 3.0, 1.0)
        df = pd.DataFrame({"x": x, "w": w, "t": t, "y": np.where(x > 0, 3.0, 1.0) * t + w + 0.5 * x + rng.normal(size=n)})
        forest = {"effect_modifiers": ["x"], "outcome_model": LinearRegression(), "treatment_model": LogisticRegression(),
                  "n_folds": 2, "random_state": rep}  # otherwise the defaults (500 trees in bags of 4, 2 rows per leaf)
        lo, hi = dagcore.CausalForest(**forest).fit(df, e).effect_interval(grid)
        out["causal_forest (step effect)"] = (lo <= step) & (step <= hi)
        # a constant effect: no smoothing bias, so this checks the little-bags variance alone
        noise = np.random.default_rng(np.random.SeedSequence([20261201, rep, 1])).normal(size=n)  # own stream: the designs below keep theirs
        lo, hi = dagcore.CausalForest(**forest).fit(df.assign(y=2.0 * t + w + 0.5 * x + noise), e).effect_interval(grid)
        out["causal_forest (constant effect 2)"] = (lo <= 2.0) & (hi >= 2.0)
        line = 1 + 2 * CATE_GRID
        df = df.assign(y=(1 + 2 * x) * t + w + 0.5 * x + rng.normal(size=n))
        for name, est in (("linear_dml (linear effect)", dagcore.LinearDML(effect_modifiers=["x"], outcome_model=LinearRegression(),
                                                                            treatment_model=LogisticRegression(), random_state=rep)),
                          ("dr_learner, linear final stage (linear effect)", dagcore.DRLearner(effect_modifiers=["x"], random_state=rep))):
            lo, hi = est.fit(df, e).effect_interval(grid)
            out[name] = (lo <= line) & (line <= hi)
    return out


def cate_section(reps: int, jobs: int) -> int:
    """Coverage of the pointwise 95% CATE intervals at fixed grid points over ``reps`` replications (n = 2000)."""
    n = 2000
    start = time.perf_counter()
    results = Parallel(n_jobs=jobs)(delayed(_cate_replication)(rep, n) for rep in range(reps))
    print(f"CATE interval coverage: R = {reps} replications, n = {n} rows, grid x = {CATE_GRID.tolist()}, "
          f"binomial MC SE of a 95% coverage per point {np.sqrt(0.95 * 0.05 / reps):.1%}, {time.perf_counter() - start:.0f} s\n")
    rows = []
    for name in results[0]:
        hits = np.array([r[name] for r in results], dtype=float)
        per_point = hits.mean(axis=0)
        rows.append([name, reps, f"{hits.mean():.1%}", " / ".join(f"{p:.0%}" for p in per_point)])
    print(table(["method", "R", "coverage over the grid", "coverage per grid point"], rows))
    return 0


def _metalearner_replication(rep: int, n: int, n_interval_bootstrap: int) -> dict[str, np.ndarray]:
    """One replication: hits of the S-, T- and X-learner's 95% bootstrap CATE intervals at the grid points (linear effect)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(np.random.SeedSequence([20261202, rep]))
    x, w = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < _logistic(0.5 * w + 0.3 * x)).astype(float)
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"w", "x"})
    df = pd.DataFrame({"x": x, "w": w, "t": t, "y": (1 + 2 * x) * t + w + 0.5 * x + rng.normal(size=n)})
    grid = pd.DataFrame({"x": CATE_GRID})
    line = 1 + 2 * CATE_GRID
    out: dict[str, np.ndarray] = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, est in (("s_learner, formula y ~ t * (x + w)", dagcore.SLearner(formula="y ~ t * (x + w)")),
                          ("t_learner, linear models", dagcore.TLearner()),
                          ("x_learner, linear models", dagcore.XLearner())):
            est.set_params(effect_modifiers=["x"], n_interval_bootstrap=n_interval_bootstrap, random_state=rep)
            lo, hi = est.fit(df, e).effect_interval(grid)
            out[name] = (lo <= line) & (line <= hi)
    return out


def metalearner_section(reps: int, jobs: int, n_interval_bootstrap: int = 100) -> int:
    """Coverage of the S/T/X-learners' pointwise 95% bootstrap CATE intervals over ``reps`` replications (n = 2000)."""
    n = 2000
    start = time.perf_counter()
    results = Parallel(n_jobs=jobs)(delayed(_metalearner_replication)(rep, n, n_interval_bootstrap) for rep in range(reps))
    print(f"S/T/X-learner CATE interval coverage: R = {reps} replications, n = {n} rows, B = {n_interval_bootstrap} "
          f"bootstrap refits per interval, effect 1 + 2x, grid x = {CATE_GRID.tolist()}, "
          f"binomial MC SE of a 95% coverage per point {np.sqrt(0.95 * 0.05 / reps):.1%}, {time.perf_counter() - start:.0f} s\n")
    rows = []
    for name in results[0]:
        hits = np.array([r[name] for r in results], dtype=float)
        rows.append([name, reps, f"{hits.mean():.1%}", " / ".join(f"{p:.0%}" for p in hits.mean(axis=0))])
    print(table(["method", "R", "coverage over the grid", "coverage per grid point"], rows))
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="replications per design (default 200)")
    ap.add_argument("--n", type=int, default=1000, help="rows per replication (default 1000)")
    ap.add_argument("--methods", help="comma-separated estimator names (default: all, see the module docstring)")
    ap.add_argument("--designs", help="comma-separated design names (default: all)")
    ap.add_argument("--jobs", type=int, default=2, help="joblib workers over replications (default 2)")
    ap.add_argument("--reps-for", action="append", default=[], metavar="NAME=R",
                    help="fewer replications for one slow estimator, e.g. standardization=50 (its first R replications)")
    ap.add_argument("--experiments", choices=("with", "only", "skip"), default="with",
                    help="the A/B-readout section (dagcore.analyze_experiment): after the estimators (default), only it, or not")
    ap.add_argument("--experiment-reps", type=int, default=400, help="replications per experiment design (default 400)")
    ap.add_argument("--cate", action="store_true", help="only the CATE interval section (issue 13)")
    ap.add_argument("--cate-learners", action="store_true",
                    help="only the S/T/X-learners' bootstrap CATE interval coverage (issue 13; default R = 100)")
    args = ap.parse_args(argv)
    if args.cate_learners:
        return metalearner_section(args.reps if "--reps" in (argv or sys.argv) else 100, args.jobs)
    if args.cate:
        return cate_section(args.reps if "--reps" in (argv or sys.argv) else 40, args.jobs)
    if args.experiments == "only":
        run_experiments(args.experiment_reps, args.jobs)
        return 0
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
        methods = [m for m in methods_for_design(design) if (wanted is None and m not in SLOW_CATE) or (wanted is not None and m in wanted)]
        if not methods:
            continue
        start = time.perf_counter()
        reps = {m: min(args.reps, reps_for.get(m, args.reps)) for m in methods}
        n = design.n or args.n
        results = Parallel(n_jobs=args.jobs)(
            delayed(one_replication)(d_index, rep, n, [m for m in methods if rep < reps[m]]) for rep in range(max(reps.values()))
        )
        elapsed = time.perf_counter() - start
        truths = dict(design.truths)
        shown = ", ".join(f"{k} {v:.4f}" for k, v in truths.items()) if truths else str(design.truth)
        print(f"{design.name} (true effect {shown}; {design.note}): {', '.join(methods)} in {elapsed:.0f} s", flush=True)
        scored = {label: truths[target] for label, _, _, target in design.variants}
        for name in methods:
            s = summarize(scored.get(name, design.truth), results, name)
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
    if args.experiments == "with":
        run_experiments(args.experiment_reps, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
