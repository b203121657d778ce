"""CLI commands for estimation: ``estimate``, ``cate`` and ``power``."""

from __future__ import annotations

import argparse
from typing import Any

from dagcore.cli import common

#: The CATE estimators ``dagcore cate --method`` accepts.
CATE_METHODS = ("causal_forest", "linear_dml", "dr_learner", "s_learner", "t_learner", "x_learner")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``estimate``, ``cate`` and ``power``."""
    p = common.add_command(subparsers, "estimate", _estimate, data="the data, one column per graph variable (- for standard input)", help="identify and estimate the effect from a CSV", description="Identify the effect from the graph, then estimate it from the data with a standard error and confidence interval.")
    common.add_method_option(p, metavar="NAME", help="an estimator's short name, e.g. regression, standardization, ipw, aipw, matching, stratification, dml, x_learner, 2sls, frontdoor, plugin, mediation (default: by strategy; a wrong name lists those that fit)")
    common.add_effect_option(p, ("total", "nde", "nie"), "the total effect (default) or a natural direct/indirect effect through --mediators")
    common.add_mediators_option(p, "with --effect nde/nie: the mediators (default: every node on a causal path)")
    p.add_argument("--formula", metavar="F", help="outcome-model formula (regression, standardization), e.g. 'y ~ t + age + I(age**2)'")
    p.add_argument("--propensity-formula", metavar="F", help="propensity-model formula (ipw)")
    common.add_estimator_options(p)
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    common.add_json_option(p)

    p = common.add_command(subparsers, "cate", _cate, data="training data, one column per graph variable (- for standard input)", help="heterogeneous effects: CATE per row with intervals, BLP/GATES tests, Qini on held-out rows, whom to treat", description="Fit a CATE estimator (causal forest, LinearDML, DR-, S-, T- or X-learner) with the graph's pre-treatment covariates as effect modifiers, test the heterogeneity (BLP, GATES), evaluate the ranking on held-out rows (Qini and uplift areas), and choose whom to treat under a budget.")
    common.add_method_option(p, default="dr_learner", choices=CATE_METHODS, help="the CATE estimator (default dr_learner)")
    p.add_argument("--modifiers", metavar="A,B", help="effect modifiers, the CATE's inputs (default: the graph's observed pre-treatment covariates); a descendant of the treatment is refused")
    p.add_argument("--formula", metavar="F", help="outcome-model formula of the meta-learners (s/t/x/dr_learner), e.g. 'y ~ t + age + I(age**2) + C(race)'")
    p.add_argument("--propensity-formula", metavar="F", help="propensity-model formula of the meta-learners, e.g. 't ~ age + I(age**2)'")
    p.add_argument("--holdout", type=float, default=0.3, help="fraction of rows held out to evaluate the ranking (default 0.3)")
    p.add_argument("--score", metavar="CSV", help="rows to score and target (default: the training data; - for standard input)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--budget", type=float, help="how many rows to treat (or total cost with --cost)")
    budget.add_argument("--top-fraction", type=float, help="treat this fraction of the rows with the largest effects")
    p.add_argument("--cost", metavar="COLUMN", help="a column of the scored rows with the cost of treating each row")
    p.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    common.add_output_option(p, "OUT.csv", "write the scored rows with cate, cate_lower, cate_upper (when the method gives intervals) and treat columns (atomically; its folder must exist)")
    common.add_estimator_options(p, param_help="a parameter of the estimator (repeatable)")
    common.add_json_option(p)
    common.add_random_state_option(p, "random seed of the holdout split")

    p = subparsers.add_parser("power", help="plan an A/B test: power or sample size", description="Power of a two-sample comparison, or the sample size per group for a target power.")
    p.add_argument("--effect-size", type=float, required=True, help="standardized effect (Cohen's d)")
    p.add_argument("--n-per-group", type=common.positive_int, metavar="N", help="units per group (prints the power); omit to print the sample size")
    common.add_renamed_option(p, "--n-per-group", "--n", note=" (the name power() uses)")
    p.add_argument("--power", type=float, default=0.8, help="target power (default 0.8)")
    p.add_argument("--alpha", type=float, default=0.05)
    p.set_defaults(handler=_power)


def _estimate(args: argparse.Namespace) -> int:
    from dagcore.errors import DataError
    from dagcore.estimators.registry import estimate
    from dagcore.identification.mediation import identify_mediation
    from dagcore.identification.strategy import identify

    common.check_stdin_once(args.file, args.data)
    g = common.graph_from_args(args)
    if args.effect == "total":
        if args.mediators:
            raise DataError("--mediators needs --effect nde or --effect nie")
        estimand = identify(g)
    else:
        estimand = identify_mediation(g, mediators=common.split_names(args.mediators) or None, effect=args.effect)
    if not estimand.estimable:
        print(estimand.summary())
        return 1
    data = common.read_csv(args.data)
    options: dict[str, object] = {"dropna": args.dropna, "level": args.level}
    if args.formula:
        options["formula"] = args.formula
    if args.propensity_formula:
        options["propensity_formula"] = args.propensity_formula
    options.update(_params(args.param))
    est = estimate(estimand, data, method=args.method, **options)
    common.show(args, est.to_dict(), [estimand.summary(), "", est.summary()])
    return 0


def _cate(args: argparse.Namespace) -> int:
    import numpy as np

    from dagcore.errors import DataError, EstimatorError
    from dagcore.estimators.cate.uplift import qini_curve, targeting, uplift_curve
    from dagcore.estimators.registry import resolve
    from dagcore.files import atomic_write_text
    from dagcore.identification.strategy import identify

    common.check_stdin_once(args.file, args.data, args.score)
    common.output_path(args.output)
    estimand = identify(common.graph_from_args(args))
    if estimand.strategy not in ("backdoor", "randomized"):
        raise EstimatorError(f"CATE learners need covariate adjustment; this effect is identified by {estimand.strategy!r}")
    if not 0 <= args.holdout < 1:
        raise DataError(f"--holdout must be in [0, 1), got {args.holdout}")
    data = common.read_csv(args.data)
    options: dict[str, Any] = {"dropna": args.dropna, "level": args.level, **_params(args.param)}
    if args.modifiers:
        options["effect_modifiers"] = list(common.split_names(args.modifiers))
    for name in ("formula", "propensity_formula"):
        if getattr(args, name):
            options[name] = getattr(args, name)
    if args.dropna:
        used = [c for c in [*estimand.treatment, *estimand.outcome, *sorted(estimand.adjustment_set or ()),
                            *options.get("effect_modifiers", ())] if c in data.columns]
        data = data.dropna(subset=used)
    rng = np.random.default_rng(args.random_state)
    order = rng.permutation(len(data))
    n_hold = int(round(args.holdout * len(data)))
    train, hold = data.iloc[order[n_hold:]], data.iloc[order[:n_hold]]
    learner = resolve(args.method, estimand, options)
    est = learner.fit(train, estimand).estimate_
    t, y = estimand.treatment[0], estimand.outcome[0]
    result: dict[str, Any] = {"estimate": est.to_dict(), "effect_modifiers": list(learner.effect_modifiers_),
                              "controls": list(learner.controls_), "train_rows": len(train), "holdout_rows": len(hold)}
    lines = [est.summary(), f"effect modifiers: {', '.join(learner.effect_modifiers_) or 'none'}; controls: {', '.join(learner.controls_) or 'none'}"]
    table = getattr(learner, "coefficients_", None)
    if table is not None:
        result["coefficients"] = table.to_dict()
        lines += ["linear CATE coefficients:", *("  " + row for row in table.to_frame().round(4).to_string().splitlines())]
    if getattr(learner, "scores_", None) is not None:
        het = learner.heterogeneity(level=args.level)
        result["heterogeneity"] = het.to_dict()
        lines += het.lines()
    if n_hold:
        cate_hold = learner.effect(hold)
        q = qini_curve(cate_hold, hold[t], hold[y])
        result["holdout"] = {
            "qini_area": q.area,
            "qini_normalized_area": q.normalized_area,
            "uplift_area": uplift_curve(cate_hold, hold[t], hold[y]).area,
            "random_ranking_area": 0.0,
            "valid": estimand.strategy == "randomized",
        }
    scored = common.read_csv(args.score) if args.score else data
    cate = learner.effect(scored)
    try:
        lower, upper = learner.effect_interval(scored, level=args.level)
    except EstimatorError:
        lower = upper = None
    cost = None
    if args.cost:
        if args.cost not in scored.columns:
            raise DataError(f"cost column {args.cost!r} is not in the scored rows")
        cost = scored[args.cost]
    plan = targeting(cate, budget=args.budget, cost=cost, top_fraction=args.top_fraction) if (args.budget or args.top_fraction or cost is not None) else None
    result["cate"] = {"mean": float(np.mean(cate)), "quantiles": {q: float(np.quantile(cate, q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9)},
                      "rows": len(cate), "intervals": lower is not None}
    if plan is not None:
        result["targeting"] = {"treat": plan.n, "expected_effect": plan.effect, "cost": plan.cost, "net_gain": plan.gain}
    if args.output:
        out = scored.copy()
        out["cate"] = cate
        if lower is not None and upper is not None:
            out["cate_lower"], out["cate_upper"] = lower, upper
        if plan is not None:
            treat = np.zeros(len(out), dtype=bool)
            treat[plan.rows] = True
            out["treat"] = treat
        atomic_write_text(args.output, out.to_csv(index=False))
        result["output"] = args.output
    qs, h = result["cate"]["quantiles"], result.get("holdout")
    hold_note = "" if estimand.strategy == "randomized" else " (raw Qini on observational rows: confounded; the BLP/GATES above are not)"
    common.show(args, result, [
        *lines,
        f"CATE over {len(cate)} scored rows: mean {np.mean(cate):.4g}; 10%/50%/90%: {qs[0.1]:.4g} / {qs[0.5]:.4g} / {qs[0.9]:.4g}"
        + ("" if lower is not None else " (this method gives no pointwise intervals)"),
        *([f"ranking on {n_hold} held-out rows: Qini area {h['qini_area']:.4g} (normalized {h['qini_normalized_area']:.4g}), "
           f"uplift area {h['uplift_area']:.4g} (random ranking: 0){hold_note}"] if h else []),
        *([f"treat {plan.n} rows: expected effect {plan.effect:.4g}, cost {plan.cost:.4g}, net gain {plan.gain:.4g}"] if plan else []),
        *([f"wrote {args.output}"] if args.output else []),
    ])
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
    from dagcore.estimators.experiments.design import power, sample_size

    if args.n_per_group:
        achieved = power(effect_size=args.effect_size, n_per_arm=args.n_per_group, alpha=args.alpha).power
        print(f"power = {achieved:.3f} with {args.n_per_group} units per group")
    else:
        n = sample_size(effect_size=args.effect_size, power=args.power, alpha=args.alpha).n_control
        print(f"{n} units per group for power {args.power}")
    return 0
