"""CLI commands for experiments: ``abtest design`` (sample size, power, MDE, duration) and ``abtest analyze`` (readout).

``abtest analyze`` exits with status 1 when the sample-ratio check fails (the
readout is still printed and written), so a pipeline can stop on it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dagcore.cli import common
from dagcore.errors import DataError

__all__ = ["register"]


def _rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``abtest`` with its sub-commands ``design`` and ``analyze``."""
    top = subparsers.add_parser(
        "abtest", help="A/B tests: plan (sample size, power, MDE, days) and read out (lift, SRM, CUPED)",
        description="Design an A/B test (abtest design) or read one out (abtest analyze).",
    )
    sub = top.add_subparsers(dest="abtest_command", metavar="SUBCOMMAND")
    top.set_defaults(handler=lambda args: _usage(top))

    d = sub.add_parser(
        "design", help="sample size, power or minimum detectable effect, and days of traffic",
        description=(
            "Plan an A/B test. With --mde: the sample size per arm (or the power, with --n-per-arm, --n-total or --days). "
            "Without --mde and with units: the minimum detectable effect. The metric is a rate (--baseline in (0, 1)), a "
            "mean (--baseline with --sd), pilot data (--pilot CSV --column C, or --metric ratio:NUM/DEN for a ratio "
            "metric), or a standardized effect (--effect-size, Cohen's d)."
        ),
    )
    d.add_argument("--baseline", type=_rate, metavar="B", help="control rate in (0, 1), or control mean with --sd")
    d.add_argument("--mde", type=_rate, metavar="M", help="minimum detectable effect, absolute (0.01 = one point) unless --relative")
    d.add_argument("--relative", action="store_true", help="--mde is a share of the baseline (0.1 = +10%%)")
    d.add_argument("--sd", type=_rate, help="standard deviation per unit of a mean metric")
    d.add_argument("--pilot", metavar="CSV", help="pilot data for the baseline and SD (- for standard input)")
    d.add_argument("--column", metavar="C", help="with --pilot: the metric's column")
    d.add_argument("--metric", metavar="ratio:NUM/DEN", help="with --pilot: a ratio metric (delta-method variance)")
    d.add_argument("--effect-size", type=_rate, metavar="D", help="a standardized effect (Cohen's d) instead of a metric")
    d.add_argument("--alpha", type=_rate, default=0.05, help="family-wise false-positive rate (default 0.05)")
    d.add_argument("--power", type=_rate, default=0.8, help="target power of each comparison (default 0.8)")
    d.add_argument("--alternative", choices=("two-sided", "larger", "smaller"), default="two-sided", help="default two-sided")
    d.add_argument("--ratio", type=_rate, default=1.0, help="units per treatment arm per control unit (default 1)")
    d.add_argument("--arms", type=common.whole_number(2), default=2, help="arms including control (default 2)")
    d.add_argument("--correction", choices=("holm", "bonferroni", "none"), default="holm", help="over the arms - 1 comparisons (default holm)")
    d.add_argument("--cuped-rho", type=_rate, metavar="R", help="correlation with a pre-period covariate: variance x (1 - R^2)")
    d.add_argument("--method", choices=("pooled", "unpooled", "arcsine"), help="test of a rate (default pooled)")
    d.add_argument("--traffic-per-day", type=_rate, metavar="N", help="eligible units per day over all arms: prints the days")
    d.add_argument("--whole-weeks", action="store_true", help="round the days up to whole weeks")
    d.add_argument("--n-per-arm", type=common.positive_int, metavar="N", help="control-arm units: solve for power (or the MDE without --mde)")
    d.add_argument("--n-total", type=common.positive_int, metavar="N", help="units over all arms: solve for power (or the MDE)")
    d.add_argument("--days", type=common.positive_int, help="days of --traffic-per-day: solve for power (or the MDE)")
    common.add_json_option(d)
    d.set_defaults(handler=_design)

    a = sub.add_parser(
        "analyze", help="read out an experiment: lift with intervals, sample-ratio and balance checks, CUPED",
        description=(
            "Read out an A/B test from a CSV with one row per unit: the sample-ratio check first, then every treatment "
            "arm against control on every metric with intervals, relative lift and corrected p-values. Exit status 1 "
            "when the sample ratio does not match the plan. -o writes the report (.html or .json)."
        ),
    )
    a.add_argument("data", metavar="CSV", help="the experiment's data (- for standard input)")
    a.add_argument("--treatment", metavar="T", help="the column of arm labels (default: the --graph's exposure)")
    a.add_argument("--outcome", metavar="Y[,Y2]", help="metric columns, comma-separated (a 0/1 column is a rate)")
    a.add_argument("--metric", action="append", default=[], metavar="ratio:NUM/DEN", help="a ratio metric sum(NUM)/sum(DEN) per arm (repeatable)")
    a.add_argument("--covariates", metavar="X1,X2", help="pre-treatment covariates: regression adjustment (CUPED/Lin) and balance")
    a.add_argument("--control", metavar="LABEL", help="the control arm (default 0 or 'control')")
    a.add_argument("--graph", metavar="FILE", help="a .dag in which the exposure is randomized: roles and pre-treatment covariates")
    a.add_argument("--adjustment", choices=("lin", "cuped"), default="lin", help="regression adjustment (default lin)")
    a.add_argument("--inference", choices=("welch", "neyman"), default="welch", help="interval of an unadjusted mean (default welch)")
    a.add_argument("--level", type=_rate, default=0.95, help="confidence level (default 0.95)")
    a.add_argument("--correction", choices=("holm", "bh", "bonferroni", "none"), default="holm", help="over every (metric, arm) comparison")
    a.add_argument("--allocation", metavar="S1,S2", help="planned shares, control first (default equal)")
    a.add_argument("--planned-n", type=common.positive_int, metavar="N", help="planned units over all arms (flags an early readout)")
    a.add_argument("--looks", type=common.positive_int, default=1, help="times the result was checked so far (default 1)")
    a.add_argument("--srm-alpha", type=_rate, default=0.01, help="flag the split below this p-value (default 0.01)")
    a.add_argument("--cate", nargs="?", const="dr_learner", metavar="LEARNER",
                   help="add the heterogeneity section (CATE meta-learner, default dr_learner) with the covariates as modifiers")
    a.add_argument("--dropna", action="store_true", help="drop rows with missing values (reported) instead of failing")
    common.add_random_state_option(a, "seed of the CATE learner's cross-fitting (default 0)")
    common.add_output_option(a, "REPORT", "write the readout here (.html or .json; atomically, its folder must exist)")
    common.add_json_option(a, "print JSON instead of the summary")
    a.set_defaults(handler=_analyze)
    for p in (d, a):  # -q also after the sub-command, as after every command
        p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print no warnings and no progress on standard error")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _ratio_spec(text: str, option: str = "--metric") -> tuple[str, str]:
    """``ratio:NUM/DEN`` -> ``(NUM, DEN)``.

    Examples
    --------
    >>> _ratio_spec("ratio:revenue/visits")
    ('revenue', 'visits')
    """
    kind, sep, rest = text.partition(":")
    num, slash, den = rest.partition("/")
    if kind != "ratio" or not sep or not slash or not num.strip() or not den.strip():
        raise DataError(f"{option} takes ratio:NUMERATOR/DENOMINATOR (e.g. ratio:revenue/visits), got {text!r}")
    return num.strip(), den.strip()


def _design(args: argparse.Namespace) -> int:
    from dagcore.estimators.experiments.design import mde, power, sample_size

    metric: dict[str, Any] = {}
    if args.pilot:
        pilot = common.read_csv(args.pilot)
        if args.metric:
            metric["numerator"], metric["denominator"] = _ratio_spec(args.metric)
            metric["pilot"] = pilot
        elif args.column:
            if args.column not in pilot.columns:
                raise DataError(f"--column {args.column!r} is not a column of the pilot data ({', '.join(map(str, pilot.columns))})")
            metric["pilot"] = pilot[args.column]
        else:
            raise DataError("--pilot needs --column C (a mean or a 0/1 rate) or --metric ratio:NUM/DEN")
    elif args.metric or args.column:
        raise DataError("--metric and --column describe pilot data: give --pilot CSV")
    else:
        metric = {"baseline": args.baseline, "sd": args.sd}
    common_opts: dict[str, Any] = {
        "alpha": args.alpha, "alternative": args.alternative, "ratio": args.ratio, "arms": args.arms,
        "correction": args.correction, "cuped_rho": args.cuped_rho, "traffic_per_day": args.traffic_per_day,
    }
    if args.method:
        common_opts["method"] = args.method
    units = {k: v for k, v in (("n_per_arm", args.n_per_arm), ("n_total", args.n_total), ("days", args.days)) if v is not None}
    if args.effect_size is not None:
        if args.baseline is not None or args.mde is not None or args.pilot:
            raise DataError("--effect-size (Cohen's d) replaces --baseline/--mde/--pilot; give one or the other")
        metric = {"effect_size": args.effect_size}
    elif args.mde is not None:
        metric = {**metric, "mde": args.mde, "relative": args.relative}
    elif args.relative:
        raise DataError("--relative qualifies --mde: give --mde")
    if args.whole_weeks and units:
        raise DataError("--whole-weeks rounds the days of a sample size; with --n-per-arm/--n-total/--days there is nothing to round")
    if units and "mde" not in metric and "effect_size" not in metric:
        result = mde(**metric, **units, power=args.power, **common_opts)
    elif units:
        result = power(**metric, **units, **common_opts)
    else:
        result = sample_size(**metric, power=args.power, whole_weeks=args.whole_weeks, **common_opts)
    common.show(args, result.to_dict(), result.summary())
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from dagcore.estimators.experiments.readout import analyze_experiment
    from dagcore.files import atomic_write_text

    output = common.output_path(args.output)
    if output is not None and output.suffix.lower() not in (".html", ".htm", ".json"):
        raise DataError(f"report {args.output!r}: use a .html or .json file name")
    common.check_stdin_once(args.data, args.graph)
    data = common.read_csv(args.data)
    allocation = None
    if args.allocation:
        try:
            allocation = [float(s) for s in common.split_names(args.allocation)]
        except ValueError:
            raise DataError(f"--allocation takes comma-separated shares, control first (e.g. 0.5,0.5), got {args.allocation!r}") from None
    graph = common.load_graph(args.graph) if args.graph else None
    ratios = {f"{n}/{d}": (n, d) for n, d in (_ratio_spec(m) for m in args.metric)}
    readout = analyze_experiment(
        data, treatment=args.treatment, outcome=list(common.split_names(args.outcome)) or None, ratios=ratios or None,
        control=args.control, covariates=list(common.split_names(args.covariates)) if args.covariates else None, graph=graph,
        adjustment=args.adjustment, inference=args.inference, level=args.level, correction=args.correction,
        allocation=allocation, planned_n=args.planned_n, looks=args.looks, srm_alpha=args.srm_alpha,
        cate=args.cate or False, dropna=args.dropna, random_state=args.random_state,
    )
    if output is not None:
        if output.suffix.lower() == ".json":
            atomic_write_text(args.output, readout.to_json(indent=2))
        else:
            from dagcore.estimators.report.experiment import experiment_html

            atomic_write_text(args.output, experiment_html(readout))
    common.show(args, readout.to_dict(), readout.summary())
    if output is not None:
        print(f"report written to {args.output}", file=sys.stderr)
    return 1 if readout.srm.mismatch else 0
