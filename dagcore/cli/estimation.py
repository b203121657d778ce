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
    p.add_argument("--method", metavar="NAME", help="an estimator's short name, e.g. regression, standardization, ipw, aipw, matching, stratification, dml, x_learner, 2sls, frontdoor, plugin, mediation (default: by strategy; a wrong name lists those that fit)")
    p.add_argument("--effect", choices=("total", "nde", "nie"), default="total", help="the total effect (default) or a natural direct/indirect effect through --mediators")
    p.add_argument("--mediators", metavar="M1,M2", help="with --effect nde/nie: the mediators (default: every node on a causal path)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="an estimator parameter, e.g. --param n_bootstrap=500 --param target=ATT (repeatable)")
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

    from dagcore.cli.common import split_names
    from dagcore.errors import DataError
    from dagcore.estimators.api import estimate
    from dagcore.identify import identify
    from dagcore.mediation import identify_mediation

    g = load_graph(args.file, args.exposure, args.outcome)
    if args.effect == "total":
        if args.mediators:
            raise DataError("--mediators needs --effect nde or --effect nie")
        estimand = identify(g)
    else:
        estimand = identify_mediation(g, mediators=split_names(args.mediators) or None, effect=args.effect)
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
    options.update(_params(args.param))
    est = estimate(estimand, data, method=args.method, **options)
    if args.json:
        print_json(est.to_dict())
    else:
        print(estimand.summary())
        print()
        print(est.summary())
    return 0


def _params(items: list[str]) -> dict[str, object]:
    """``KEY=VALUE`` pairs; values are Python literals when they parse as one, else strings.

    Examples
    --------
    >>> _params(["n_bootstrap=50", "target=ATT", "caliper=0.2", "treatment_values=(0, 2)"])
    {'n_bootstrap': 50, 'target': 'ATT', 'caliper': 0.2, 'treatment_values': (0, 2)}
    """
    import ast

    from dagcore.errors import EstimatorError

    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise EstimatorError(f"--param takes KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[key.strip()] = value.strip()
    return out


def _power(args: argparse.Namespace) -> int:
    from dagcore.estimators.power import power, sample_size

    if args.n:
        print(f"power = {power(args.effect_size, args.n, alpha=args.alpha):.3f} with {args.n} units per group")
    else:
        print(f"{sample_size(args.effect_size, power=args.power, alpha=args.alpha)} units per group for power {args.power}")
    return 0
