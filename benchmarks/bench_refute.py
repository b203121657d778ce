"""Refutation speed on NHEFS: the five refuters with 100 simulations each.

Prints, per estimator: the estimate's own fit time (the floor, measured in the
same run), the wall time of placebo treatment, random common cause, data
subset, bootstrap and dummy outcome at 100 simulations each, their total and
the ratio total / fit. Target: total ≤ 3 s with a regression or IPW estimator.

    python benchmarks/bench_refute.py [--simulations 100] [--repeat 3] [--peers]

``--peers`` also times DoWhy's matching refuters on the same data (skipped when
dowhy is not installed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

FIVE = ("placebo_treatment", "random_common_cause", "data_subset", "bootstrap", "dummy_outcome")
ROOT = Path(__file__).resolve().parents[1]


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--simulations", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    ap.add_argument("--methods", default="regression,ipw", help="estimators to refute (registry names)")
    ap.add_argument("--peers", action="store_true", help="also time DoWhy's refuters")
    args = ap.parse_args(argv)

    import dagcore
    from dagcore.estimators.refutation.refuters import REFUTERS
    from dagcore.grammar import load

    csv = ROOT / "examples" / "nhefs" / "nhefs.csv"
    missing = [n for n in ("identify", "estimate") if n not in dagcore.__all__]
    if missing or not csv.exists():
        print(f"skipped: needs {', '.join(missing + ([] if csv.exists() else [str(csv)]))}")
        return 0
    graph = load(ROOT / "examples" / "nhefs" / "nhefs.dag")
    data = pd.read_csv(csv)
    used = sorted(graph.observed)
    n_missing = int(data[used].isna().any(axis=1).sum())
    data = data.dropna(subset=used).reset_index(drop=True)  # complete cases, as dagcore.analyze does
    if n_missing:
        print(f"{n_missing} rows with missing values dropped")
    estimand = dagcore.identify(graph)
    print(f"NHEFS: {len(data)} rows; {estimand.strategy}, adjustment set {sorted(estimand.adjustment_set or ())}")
    print(f"{args.simulations} simulations per refuter, best of {args.repeat}\n")
    header = f"{'estimator':<12}{'fit (ms)':>10}" + "".join(f"{m[:14]:>16}" for m in FIVE) + f"{'total (s)':>11}{'ratio':>9}"
    print(header)
    print("-" * len(header))
    status = 0
    for method in args.methods.split(","):
        fit_s, est = _best(lambda m=method: dagcore.estimate(estimand, data, method=m), args.repeat)
        times = []
        fast = []
        for name in FIVE:
            s, r = _best(
                lambda n=name, e=est: REFUTERS[n](e, data, n_simulations=args.simulations, random_state=0), args.repeat
            )
            times.append(s)
            fast.append(r.fast_path)
        total = sum(times)
        cells = "".join(f"{t * 1000:>13.0f}ms{'*' if f else ' '}" for t, f in zip(times, fast))
        print(f"{method:<12}{fit_s * 1000:>10.1f}{cells}{total:>11.2f}{total / fit_s:>9.0f}")
        if total > 3.0:
            status = 1
    print("\n* vectorised fast path (checked against the estimator on one replicate); otherwise refitted per replicate")
    print("ratio = total refutation time / one fit of the estimate")
    if args.peers:
        _peers(graph, data, estimand, args)
    return status


def _peers(graph, data, estimand, args) -> None:  # noqa: ANN001
    try:
        import dowhy  # noqa: F401
        from dowhy import CausalModel
    except ImportError:
        print("\n--peers: dowhy is not installed (pip install -e '.[peers]'); skipped")
        return
    t, y = estimand.treatment[0], estimand.outcome[0]
    adj = sorted(estimand.adjustment_set or ())
    model = CausalModel(data=data, treatment=t, outcome=y, common_causes=adj)
    ident = model.identify_effect(proceed_when_unidentifiable=True)
    est = model.estimate_effect(ident, method_name="backdoor.linear_regression")
    names = {
        "placebo_treatment": dict(method_name="placebo_treatment_refuter", placebo_type="permute"),
        "random_common_cause": dict(method_name="random_common_cause"),
        "data_subset": dict(method_name="data_subset_refuter", subset_fraction=0.8),
        "bootstrap": dict(method_name="bootstrap_refuter"),
        "dummy_outcome": dict(method_name="dummy_outcome_refuter"),
    }
    print("\nDoWhy (backdoor.linear_regression), same simulations:")
    total = 0.0
    for name, kw in names.items():
        s = time.perf_counter()
        model.refute_estimate(ident, est, num_simulations=args.simulations, **kw)
        s = time.perf_counter() - s
        total += s
        print(f"  {name:<22}{s:8.2f} s")
    print(f"  {'total':<22}{total:8.2f} s")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
