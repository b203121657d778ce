"""CLI commands for estimation: ``estimate`` and ``power``."""

from __future__ import annotations

import argparse

from dagcore.cli.common import add_role_options, load_graph, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``estimate`` and ``power``."""
    p = subparsers.add_parser("estimate", help="identify and estimate the effect from a CSV", description="Identify the effect from the graph, then estimate it from the data with a standard error and confidence interval.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--data", required=True, metavar="CSV", help="the data, one column per graph variable")
    add_role_options(p)
    p.add_argument("--method", metavar="NAME", help="regression, standardization, ipw, aipw, stratification, matching, difference_in_means, 2sls, wald, frontdoor (default: by strategy)")
    p.add_argument("--formula", metavar="F", help="outcome-model formula (regression, standardization), e.g. 'y ~ t + age + I(age**2)'")
    p.add_argument("--propensity-formula", metavar="F", help="propensity-model formula (ipw)")
    p.add_argument("--dropna", action="store_true", help="drop rows with missing values (reported) instead of failing")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_estimate)

    p = subparsers.add_parser("power", help="plan an A/B test: power or sample size", description="Power of a two-sample comparison, or the sample size per group for a target power.")
    p.add_argument("--effect-size", type=float, required=True, help="standardized effect (Cohen's d)")
    p.add_argument("--n", type=int, help="units per group (prints the power); omit to print the sample size")
    p.add_argument("--power", type=float, default=0.8, help="target power (default 0.8)")
    p.add_argument("--alpha", type=float, default=0.05)
    p.set_defaults(handler=_power)


def _estimate(args: argparse.Namespace) -> int:
    import pandas as pd

    from dagcore.errors import DataError
    from dagcore.estimators.api import estimate
    from dagcore.identify import identify

    g = load_graph(args.file, args.exposure, args.outcome)
    estimand = identify(g)
    if not estimand.identified:
        print(estimand.summary())
        return 1
    try:
        data = pd.read_csv(args.data)
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {args.data}: {err}") from None
    options: dict[str, object] = {"dropna": args.dropna, "level": args.level}
    if args.formula:
        options["formula"] = args.formula
    if args.propensity_formula:
        options["propensity_formula"] = args.propensity_formula
    est = estimate(estimand, data, method=args.method, **options)
    if args.json:
        print_json(est.to_dict())
    else:
        print(estimand.summary())
        print()
        print(est.summary())
    return 0


def _power(args: argparse.Namespace) -> int:
    from dagcore.estimators.power import power, sample_size

    if args.n:
        print(f"power = {power(args.effect_size, args.n, alpha=args.alpha):.3f} with {args.n} units per group")
    else:
        print(f"{sample_size(args.effect_size, power=args.power, alpha=args.alpha)} units per group for power {args.power}")
    return 0
