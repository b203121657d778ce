"""Back-door estimators on confounded data with 20 covariates, n = 10^4, 10^5, 10^6.

Data: 20 independent standard-normal covariates, a binary treatment from a
logistic model of the covariates, and a linear outcome with a known effect
(``TRUE_EFFECT``) plus the covariates. Every estimator in the registry that
serves a ``"backdoor"`` estimand (``methods_for``, so estimators added later are
included) is run through ``dagcore.estimate`` with its default settings.

Per estimator and size it prints: wall time (best of 1-3: one run when the
first takes more than 10 s), the ratio to a floor measured in the same run
(one ``numpy.linalg.lstsq`` of the outcome on an intercept, the treatment and
the covariates, on a prebuilt float64 matrix), peak memory (tracemalloc, a
separate run), peak memory as a multiple of the data's size
(``DataFrame.memory_usage(deep=True)``), and the estimate with its SE and its
error against the true effect.

An estimator whose class has ``bench_skip_above`` smaller than n is skipped at
that n; one that takes more than ``--timeout`` seconds (120 by default) at one
size is not run at bigger sizes. Targets: AIPW within 5x of the floor at 10^6
rows; peak memory at most 4x the data.

    python benchmarks/bench_estimators.py [--quick] [--sizes 10000,100000] [--peers]
    python benchmarks/bench_estimators.py --targets [--sizes 1000000] [--rounds 3]

``--targets`` measures only the issue-12 targets at the largest size, in one
run: the floor, AIPW, dml and DoubleML's PLR (when installed) timed
round-robin, best of ``--rounds`` (dml <= 0.5x DoubleML PLR, AIPW <= 3x the
floor), then the tracemalloc peak of the S-, T-, X-learners and
standardization against the data's size (<= 4x), with ``n_bootstrap`` 2 and 8
to show that bootstrap replicates are streamed (the peak does not grow with B).
``--cases`` picks the timed cases (``aipw-per-fold``: AIPW's default nuisances
fit fold by fold from scratch, the code path before the sorted folds),
``--no-memory`` skips the memory part, and ``--reference-tree DIR`` also times
AIPW from another source tree (``DIR/dagcore`` laid out as installed, e.g. an
export of main before a change) in a subprocess each round, so a before/after
comes from one interleaved run. Wall and CPU time (``time.process_time``) are
both reported: on a shared machine the CPU time is the steadier of the two.

    python benchmarks/bench_estimators.py --targets --sizes 1000000 --cases aipw,aipw-per-fold,dml --no-memory \
        --reference-tree /tmp/main-tree

``--peers`` also times EconML (LinearDML, LinearDRLearner), DoubleML (PLR,
IRM) and DoWhy (backdoor.linear_regression, propensity_score_weighting) on the
same data with the same linear/logistic nuisance models, when installed.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_memory, table  # noqa: E402

import dagcore  # noqa: E402
from dagcore import Estimand  # noqa: E402
from dagcore.estimators.registry import REGISTRY, methods_for  # noqa: E402

TRUE_EFFECT = 2.0
N_COVARIATES = 20
SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
SINGLE_RUN_ABOVE = 10.0  # seconds: one timed run instead of three
TRACE_FULL_BELOW = 60.0  # seconds: slower runs are not traced in full


def machine(blas_threads: int) -> str:
    """BLAS threads, cores and load: the machine may be shared, which the timings depend on."""
    import os

    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i['prefix']} {i['num_threads']}" for i in threadpool_info())
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"threads: {blas or 'unknown'} ({'limited with --blas-threads' if blas_threads > 0 else 'as found'}); {os.cpu_count()} cores; load average at start {load}"


def make_data(n: int, seed: int = 0) -> pd.DataFrame:
    """Confounded data: covariates x01..x20, treatment t (logistic), outcome y (linear, effect TRUE_EFFECT)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, N_COVARIATES))
    j = np.arange(N_COVARIATES)
    gamma = 0.15 * np.where(j % 2 == 0, 1.0, -1.0) * (1 + j % 3)  # propensity coefficients: overlap stays good
    beta = 0.5 + 0.1 * j  # outcome coefficients: every covariate confounds
    p = 1 / (1 + np.exp(-(X @ gamma)))
    t = (rng.random(n) < p).astype(float)
    y = TRUE_EFFECT * t + X @ beta + rng.standard_normal(n)
    df = pd.DataFrame(X, columns=[f"x{i + 1:02d}" for i in range(N_COVARIATES)])
    df["t"] = t
    df["y"] = y
    return df


def covariates(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("x")]


def timed(fn: Callable[[], Any], *, max_repeat: int = 3) -> tuple[float, int, Any]:
    """Best wall time of 1 to ``max_repeat`` calls (one when the first is slow), the number of calls, the last result."""
    best, runs, out = float("inf"), 0, None
    while runs < max_repeat:
        gc.collect()
        start = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - start
        best, runs = min(best, elapsed), runs + 1
        if elapsed > SINGLE_RUN_ABOVE:
            break
    return best, runs, out


def mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:,.1f} MiB"


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def floor_fit(df: pd.DataFrame) -> tuple[Callable[[], Any], float]:
    """The floor: one lstsq of y on [1, t, covariates] (matrix built outside the timing), and its treatment coefficient."""
    A = np.column_stack([np.ones(len(df)), df["t"].to_numpy(), df[covariates(df)].to_numpy()])
    y = df["y"].to_numpy()

    def fn() -> Any:
        return np.linalg.lstsq(A, y, rcond=None)

    return fn, float(fn()[0][1])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", help="comma-separated row counts (default 10000,100000,1000000)")
    ap.add_argument("--quick", action="store_true", help="10^4 and 10^5 rows only")
    ap.add_argument("--methods", help="comma-separated estimator names (default: every back-door estimator in the registry)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds; an estimator slower than this at one size is not run at bigger sizes")
    ap.add_argument("--peers", action="store_true", help="also time EconML, DoubleML and DoWhy when installed")
    ap.add_argument("--targets", action="store_true",
                    help="only the issue-12 targets at the largest size, interleaved in one run: dml / DoubleML PLR, AIPW / floor, memory / data")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of --targets (best of them)")
    ap.add_argument("--cases", default=",".join(TARGET_CASES),
                    help=f"timed cases of --targets, comma-separated from {', '.join(TARGET_CASES)} (default all; the floor is always timed); "
                         "aipw-per-fold is AIPW's default nuisances fit fold by fold from scratch (the path before the sorted folds, with today's logistic fit); "
                         "prep is the data preparation alone (prepare() and the design matrix), which every estimator pays")
    ap.add_argument("--reference-tree", metavar="DIR",
                    help="--targets also times AIPW from another source tree (DIR/dagcore laid out as installed, e.g. main before a change) "
                         "in a subprocess each round, interleaved with the others: a before/after in one run")
    ap.add_argument("--time-aipw-once", type=int, metavar="N", help=argparse.SUPPRESS)  # the subprocess of --reference-tree
    ap.add_argument("--no-memory", action="store_true", help="--targets without the memory part (the learners' tracemalloc peaks)")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS/OpenMP threads (default 1: on a loaded 2-core machine multi-threaded OpenBLAS spins and small fits get 100-1000x slower; 0 = leave as is)")
    args = ap.parse_args(argv)
    if args.blas_threads > 0:
        import scipy.linalg  # noqa: F401  (load every BLAS/OpenMP library first: threadpoolctl limits only loaded ones)
        import sklearn.linear_model  # noqa: F401
        import statsmodels.api  # noqa: F401
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)
    sizes = tuple(int(float(s)) for s in args.sizes.split(",")) if args.sizes else QUICK_SIZES if args.quick else SIZES
    if args.time_aipw_once:
        return time_aipw_once(args.time_aipw_once)
    if args.targets:
        print(f"{machine(args.blas_threads)}\n", flush=True)
        cases = [c.strip() for c in args.cases.split(",") if c.strip()]
        unknown = sorted(set(cases) - set(TARGET_CASES))
        if unknown:
            ap.error(f"unknown --cases {', '.join(unknown)}; choose from {', '.join(TARGET_CASES)}")
        return targets(max(sizes), args.rounds, cases=cases, memory=not args.no_memory, reference_tree=args.reference_tree,
                       blas_threads=args.blas_threads)

    probe = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset({"x01"}))
    methods = methods_for(probe)
    if args.methods:
        wanted = [m.strip() for m in args.methods.split(",") if m.strip()]
        unknown = sorted(set(wanted) - set(methods))
        if unknown:
            ap.error(f"not back-door estimators in the registry: {', '.join(unknown)}; choose from {', '.join(methods)}")
        methods = [m for m in methods if m in wanted]

    print(f"dagcore {getattr(dagcore, '__version__', '?')}, numpy {np.__version__}, pandas {pd.__version__}, Python {sys.version.split()[0]}")
    print(f"back-door estimators in the registry: {', '.join(methods)} (default settings); true effect {TRUE_EFFECT}; {N_COVARIATES} covariates")
    print(f"sizes: {', '.join(f'{n:,}' for n in sizes)}; timeout {args.timeout:.0f} s per run")
    print(f"{machine(args.blas_threads)}\n", flush=True)

    rows: list[list[Any]] = []
    summary: dict[tuple[str, int], dict[str, Any]] = {}
    timed_out: dict[str, str] = {}
    peer_rows: list[list[Any]] = []
    for n in sizes:
        df = make_data(n, seed=n)
        data_bytes = int(df.memory_usage(deep=True).sum())
        estimand = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset(covariates(df)))
        fl, fl_value = floor_fit(df)
        t_floor, _, _ = timed(fl)
        m_floor = peak_memory(fl)
        rows.append(["floor: np.linalg.lstsq", f"{n:,}", fmt_time(t_floor), "1.0x", mib(m_floor), f"{m_floor / data_bytes:.2f}x",
                     f"{fl_value:.4f}", "", f"{fl_value - TRUE_EFFECT:+.4f}", f"data {mib(data_bytes)}"])
        print(f"n = {n:,}: data {mib(data_bytes)}, floor {fmt_time(t_floor)}", flush=True)
        for name in methods:
            cls = REGISTRY[name]
            limit = getattr(cls, "bench_skip_above", None)
            if limit is not None and limit < n:
                rows.append([name, f"{n:,}", "skipped", "", "", "", "", "", "", f"bench_skip_above = {limit:,}"])
                continue
            if name in timed_out:
                rows.append([name, f"{n:,}", "not run", "", "", "", "", "", "", timed_out[name]])
                continue

            def run() -> Any:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return dagcore.estimate(estimand, df, method=name)

            try:
                t_run, runs, est = timed(run)
            except Exception as err:  # report, do not stop the benchmark
                rows.append([name, f"{n:,}", "error", "", "", "", "", "", "", f"{type(err).__name__}: {err}"[:120]])
                continue
            note = f"best of {runs}" if runs > 1 else "1 run"
            if t_run > args.timeout:
                timed_out[name] = f"took {fmt_time(t_run)} at n = {n:,} (> {args.timeout:.0f} s)"
                note += f"; > {args.timeout:.0f} s: not run at bigger sizes"
            # memory in a separate traced run (tracemalloc slows allocation-heavy code several-fold); for a slow
            # bootstrap estimator, trace it with 2 replicates: they run one after another, so the peak is one replicate's
            peak = None
            if t_run <= TRACE_FULL_BELOW:
                peak = peak_memory(run)
            elif "n_bootstrap" in cls().get_params():

                def run_b2() -> Any:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return dagcore.estimate(estimand, df, method=name, n_bootstrap=2)

                peak = peak_memory(run_b2)
                note += "; memory traced with n_bootstrap=2 (replicates run sequentially)"
            else:
                note += "; memory not traced (too slow)"
            mem, mult = ("not measured", "") if peak is None else (mib(peak), f"{peak / data_bytes:.2f}x")
            summary[(name, n)] = {"time": t_run, "ratio": t_run / t_floor, "peak": peak, "mult": None if peak is None else peak / data_bytes}
            rows.append([name, f"{n:,}", fmt_time(t_run), f"{t_run / t_floor:,.1f}x", mem, mult,
                         f"{est.value:.4f}", f"{est.se:.4f}", f"{est.value - TRUE_EFFECT:+.4f}", note])
            print(f"  {name}: {fmt_time(t_run)} ({note})", flush=True)
        if args.peers:
            peer_rows += peers(df, n, t_floor, data_bytes)

    print()
    print(table(["estimator", "n", "wall time", "/ floor", "peak memory", "/ data", "estimate", "SE", "error", "notes"], rows))
    print(
        "\nwall time: best of 1-3 runs (one when the first exceeds 10 s); floor: one numpy.linalg.lstsq of y on [1, t, x01..x20]\n"
        "(design matrix prebuilt), measured in the same run. Peak memory: tracemalloc peak during one separate call.\n"
        "numpy registers its array buffers with tracemalloc, so numpy/pandas/statsmodels/scikit-learn arrays are counted;\n"
        "memory malloc'ed directly by C/Fortran code (BLAS/LAPACK workspaces, liblinear, etc.) is not. The input DataFrame\n"
        "exists before tracing starts and is not counted. '/ data' = peak / DataFrame.memory_usage(deep=True).sum()."
    )
    if args.peers:
        print("\nPeers (same data; nuisance models: sklearn LinearRegression for the outcome, LogisticRegression(C=inf) for the treatment):\n")
        print(table(["library / method", "n", "wall time", "/ floor", "peak memory", "/ data", "estimate", "error", "notes"], peer_rows))
    print("\nTargets:")
    big = max(sizes)
    aipw = summary.get(("aipw", big))
    if aipw is None:
        print(f"  AIPW within 5x of the floor at {big:,} rows: not measured")
    else:
        verdict = "met" if aipw["ratio"] <= 5 else "MISSED"
        print(f"  AIPW within 5x of the floor at {big:,} rows{'' if big == 1_000_000 else ' (the target is stated at 1,000,000)'}: {aipw['ratio']:.1f}x -> {verdict}")
    over = [(k, v) for k, v in summary.items() if v["mult"] is not None and v["mult"] > 4]
    unmeasured = [k for k, v in summary.items() if v["mult"] is None]
    if over:
        print("  peak memory at most 4x the data: MISSED by " + ", ".join(f"{k[0]} at {k[1]:,} ({v['mult']:.1f}x)" for k, v in over))
    else:
        print("  peak memory at most 4x the data: met by every traced run")
    if unmeasured:
        print("  memory not traced: " + ", ".join(f"{k[0]} at {k[1]:,}" for k in unmeasured))
    for name, why in timed_out.items():
        print(f"  {name}: {why}; bigger sizes not run")
    return 0


# --------------------------------------------------------------------------- the issue-12 targets, interleaved


TARGET_CASES = ("aipw", "aipw-per-fold", "prep", "dml", "doubleml")


def time_aipw_once(n: int) -> int:
    """One timed AIPW fit (the data made first, untimed): prints the seconds, the estimate and the dagcore it ran."""
    df = make_data(n, seed=n)
    estimand = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset(covariates(df)))
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = dagcore.estimate(estimand, df, method="aipw").value
    import dagcore.estimators as installed_estimators

    print(f"{time.perf_counter() - start!r} {time.process_time() - cpu!r} {value!r} {Path(dagcore.__file__).parent} "
          f"{Path(installed_estimators.__file__).parent}")
    return 0


def reference_aipw(tree: str, n: int, blas_threads: int) -> Callable[[], tuple[float, float, float]]:
    """AIPW timed in a subprocess on the dagcore of ``tree``: returns (wall seconds, CPU seconds, estimate).

    ``grammar/`` and ``estimators/`` install as ``dagcore.grammar`` and ``dagcore.estimators`` (setuptools
    package-dir), so ``PYTHONPATH=tree`` alone would import the tree's ``dagcore`` with the *installed*
    estimators (the editable finder maps them). The subprocess gets a package laid out as installed:
    ``dagcore/`` with ``grammar`` and ``estimators`` linked inside, as ``make typecheck`` builds it; the
    paths it imported are checked.
    """
    import os
    import subprocess
    import tempfile

    root = Path(tree).resolve()
    layout = Path(tempfile.mkdtemp(prefix="dagcore-reference-"))
    package = layout / "dagcore"
    package.mkdir()
    for item in (root / "dagcore").iterdir():
        (package / item.name).symlink_to(item)
    (package / "grammar").symlink_to(root / "grammar")
    (package / "estimators").symlink_to(root / "estimators")

    def run() -> tuple[float, float, float]:
        env = {**os.environ, "PYTHONPATH": str(layout)}
        out = subprocess.run([sys.executable, __file__, "--time-aipw-once", str(n), "--blas-threads", str(blas_threads)],
                             env=env, capture_output=True, text=True, check=True).stdout.split()
        for where, expected in ((out[3], package), (out[4], package / "estimators")):
            if Path(where) != expected:
                raise RuntimeError(f"the reference run imported {where}, not {expected} from {tree}")
        return float(out[0]), float(out[1]), float(out[2])

    return run


def targets(n: int, rounds: int, *, cases: Sequence[str] = TARGET_CASES, memory: bool = True, reference_tree: str | None = None,
            blas_threads: int = 1) -> int:
    """dml <= 0.5x DoubleML's PLR, AIPW <= 3x the floor, S/T/X-learners and standardization <= 4x the data's memory.

    The timed cases run round-robin (floor, AIPW, dml, DoubleML PLR, then again),
    so a change in the machine's load hits them alike; each ratio uses the
    best of the ``rounds`` runs of both. Memory: tracemalloc peak of one call
    (the bootstrap estimators with ``n_bootstrap=2`` and ``n_bootstrap=8``:
    replicates are streamed, so the peak does not grow with B).
    """
    df = make_data(n, seed=n)
    data_bytes = int(df.memory_usage(deep=True).sum())
    estimand = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set=frozenset(covariates(df)))
    fl, _ = floor_fit(df)

    def ours(method: str, **options: Any) -> Callable[[], Any]:
        def fn() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return dagcore.estimate(estimand, df, method=method, **options).value
        return fn

    def aipw_per_fold() -> Any:
        from dagcore.estimators.backdoor.doubly_robust import AIPW

        est = AIPW()
        est._per_fold_reference = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return est.fit(df, estimand).estimate_.value

    def preparation() -> Any:
        from dagcore.estimators._data import design_matrix, prepare

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(design_matrix(prepare(df, "t", "y", covariates(df)).data, covariates(df))[0, 0])

    timed_cases: dict[str, Callable[[], Any]] = {"floor (lstsq)": fl}
    if "aipw" in cases:
        timed_cases["aipw"] = ours("aipw")
    if "aipw-per-fold" in cases:
        timed_cases["aipw, per-fold path (today's fits)"] = aipw_per_fold
    if "prep" in cases:  # what every back-door estimator pays before fitting: the checks of prepare() and the design matrix
        timed_cases["data preparation only (prepare + design matrix)"] = preparation
    if "dml" in cases:
        timed_cases["dml"] = ours("dml")
    if "doubleml" in cases and importlib.util.find_spec("doubleml") is not None:
        from sklearn.linear_model import LinearRegression, LogisticRegression

        def doubleml_plr() -> float:
            import doubleml as dml

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = dml.DoubleMLPLR(dml.DoubleMLData(df, y_col="y", d_cols="t", x_cols=covariates(df)),
                                    ml_l=LinearRegression(), ml_m=LogisticRegression(C=np.inf, max_iter=1000), n_folds=5)
                m.fit()
                return float(m.coef[0])

        timed_cases["DoubleML PLR"] = doubleml_plr
    print(f"n = {n:,}, {N_COVARIATES} covariates, data {mib(data_bytes)}; {rounds} interleaved rounds of {', '.join(timed_cases)}", flush=True)
    times: dict[str, list[float]] = {k: [] for k in timed_cases}
    cpu: dict[str, list[float]] = {k: [] for k in timed_cases}
    values: dict[str, Any] = {}
    reference = reference_aipw(reference_tree, n, blas_threads) if reference_tree else None
    if reference is not None:
        times["aipw, reference tree (before)"], cpu["aipw, reference tree (before)"] = [], []
    for r in range(rounds):
        for name, fn in timed_cases.items():
            gc.collect()
            start, cpu_start = time.perf_counter(), time.process_time()
            values[name] = fn()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - cpu_start)
        if reference is not None:  # timed inside the subprocess, around the estimate only
            seconds, cpu_seconds, values["aipw, reference tree (before)"] = reference()
            times["aipw, reference tree (before)"].append(seconds)
            cpu["aipw, reference tree (before)"].append(cpu_seconds)
        print(f"  round {r + 1}: " + ", ".join(f"{k} {fmt_time(v[-1])}" for k, v in times.items()), flush=True)
    best = {k: min(v) for k, v in times.items()}
    best_cpu = {k: min(v) for k, v in cpu.items()}
    rows = [[k, fmt_time(best[k]), ", ".join(fmt_time(x) for x in times[k]), f"{best[k] / best['floor (lstsq)']:.2f}x",
             fmt_time(best_cpu[k]), f"{best_cpu[k] / best_cpu['floor (lstsq)']:.2f}x",
             "" if k.startswith("floor") else repr(float(values[k]))] for k in times]
    print()
    print(table(["case", "best wall", "all rounds (wall)", "/ floor", "best CPU", "CPU / floor", "estimate"], rows))
    print("CPU: time.process_time of the process (one BLAS thread), less sensitive than wall time to other jobs on the cores")
    mem_rows = []
    peaks: dict[str, float] = {}
    for label, fn in [] if not memory else [("s_learner (B=2)", ours("s_learner", n_bootstrap=2)), ("s_learner (B=8)", ours("s_learner", n_bootstrap=8)),
                      ("t_learner (B=2)", ours("t_learner", n_bootstrap=2)), ("x_learner (B=2)", ours("x_learner", n_bootstrap=2)),
                      ("standardization (B=2)", ours("standardization", n_bootstrap=2)),
                      ("standardization (B=8)", ours("standardization", n_bootstrap=8)),
                      ("standardization (delta)", ours("standardization", inference="delta"))]:
        peak = peak_memory(fn)
        peaks[label] = peak / data_bytes
        mem_rows.append([label, mib(peak), f"{peak / data_bytes:.2f}x"])
        print(f"  memory {label}: {mib(peak)}", flush=True)
    if mem_rows:
        print()
        print(table(["estimator", "peak memory (tracemalloc)", "/ data"], mem_rows))
    print("\nTargets (issue 12, item 11):")
    if "dml" not in best:
        pass
    elif "DoubleML PLR" in best:
        r = best["dml"] / best["DoubleML PLR"]
        print(f"  dml <= 0.5x DoubleML PLR: {r:.2f}x -> {'met' if r <= 0.5 else 'MISSED'}")
    else:
        print("  dml <= 0.5x DoubleML PLR: DoubleML not installed, not measured")
    if "aipw" in best:
        r = best["aipw"] / best["floor (lstsq)"]
        print(f"  AIPW <= 3x the OLS floor: {r:.2f}x -> {'met' if r <= 3 else 'MISSED'}")
    import os

    print(f"  load average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for label in ("aipw, per-fold path (today's fits)", "aipw, reference tree (before)"):
        if label in best:
            print(f"  ({label}: {best[label] / best['floor (lstsq)']:.2f}x the floor)")
    for label, mult in peaks.items():
        print(f"  {label} <= 4x the data: {mult:.2f}x -> {'met' if mult <= 4 else 'MISSED'}")
    return 0


# --------------------------------------------------------------------------- peers


def peers(df: pd.DataFrame, n: int, t_floor: float, data_bytes: int) -> list[list[Any]]:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    covs = covariates(df)
    X = df[covs].to_numpy()
    t = df["t"].to_numpy()
    y = df["y"].to_numpy()

    def outcome_model() -> Any:
        return LinearRegression()

    def propensity_model() -> Any:
        return LogisticRegression(C=np.inf, max_iter=1000)

    # each peer imports its library when it runs; a library that is not installed gives a row that says so
    def econml_dml() -> float:
        from econml.dml import LinearDML

        m = LinearDML(model_y=outcome_model(), model_t=propensity_model(), discrete_treatment=True, cv=5, random_state=0)
        m.fit(y, t, X=None, W=X)
        return float(m.ate())

    def econml_dr() -> float:
        from econml.dr import LinearDRLearner

        m = LinearDRLearner(model_regression=outcome_model(), model_propensity=propensity_model(), cv=5, random_state=0)
        m.fit(y, t, X=None, W=X)
        return float(m.ate(T0=0, T1=1))

    def doubleml(model: str, outcome_learner: str) -> float:
        import doubleml as dml

        m = getattr(dml, model)(dml.DoubleMLData(df, y_col="y", d_cols="t", x_cols=covs),
                                **{outcome_learner: outcome_model(), "ml_m": propensity_model()}, n_folds=5)
        m.fit()
        return float(m.coef[0])

    def dowhy_run(method: str) -> float:
        from dowhy import CausalModel

        model = CausalModel(data=df, treatment="t", outcome="y", common_causes=covs)
        ident = model.identify_effect(proceed_when_unidentifiable=True)
        params = {"propensity_score_model": propensity_model(), "weighting_scheme": "ips_normalized_weight"} if "weighting" in method else None
        kwargs = {"method_params": params} if params else {}
        return float(model.estimate_effect(ident, method_name=method, target_units="ate", **kwargs).value)

    cases: list[tuple[str, str, str, Callable[[], float]]] = [
        ("EconML LinearDML", "econml", "5-fold", econml_dml),
        ("EconML LinearDRLearner", "econml", "5-fold", econml_dr),
        ("DoubleML PLR", "doubleml", "5-fold", lambda: doubleml("DoubleMLPLR", "ml_l")),
        ("DoubleML IRM", "doubleml", "5-fold", lambda: doubleml("DoubleMLIRM", "ml_g")),
        ("DoWhy backdoor.linear_regression", "dowhy", "", lambda: dowhy_run("backdoor.linear_regression")),
        ("DoWhy backdoor.propensity_score_weighting", "dowhy", "Hajek weights", lambda: dowhy_run("backdoor.propensity_score_weighting")),
    ]

    rows = []
    for label, lib, note, fn in cases:
        if importlib.util.find_spec(lib) is None:
            rows.append([label, f"{n:,}", "", "", "", "", "", "", f"not installed (pip install -e '.[peers]' or pip install {lib})"])
            continue

        def quiet(fn: Callable[[], float] = fn) -> float:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn()

        try:
            t_run, runs, value = timed(quiet)
            peak = peak_memory(quiet) if t_run <= 120 else None
        except Exception as err:
            rows.append([label, f"{n:,}", "error", "", "", "", "", "", f"{type(err).__name__}: {err}"[:120]])
            continue
        rows.append([label, f"{n:,}", fmt_time(t_run), f"{t_run / t_floor:,.1f}x", "not measured" if peak is None else mib(peak),
                     "" if peak is None else f"{peak / data_bytes:.2f}x", f"{value:.4f}", f"{value - TRUE_EFFECT:+.4f}",
                     "; ".join(x for x in (note, f"best of {runs}" if runs > 1 else "1 run") if x)])
        print(f"  peer {label}: {fmt_time(t_run)}", flush=True)
    return rows


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
