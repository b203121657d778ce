"""CLI commands for identification: ``identify``, ``adjust``, ``frontdoor``, ``ivs``, ``check-set``, ``id``, ``mediation``."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from typing import Any

from dagcore.cli import common


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the identification commands."""
    p = common.add_command(subparsers, "identify", _identify, help="identify the effect: strategy, formula, assumptions", description="Identify the effect of the exposure on the outcome: randomized, back-door, front-door, ID formula or instrument; or say why it is not identifiable.")
    common.add_effect_option(p, ("total", "direct"), "the total effect (default) or the controlled direct effect")
    common.add_json_option(p)
    common.add_latex_option(p, "print the formula in LaTeX")

    p = common.add_command(subparsers, "adjust", _adjust, help="adjustment sets (minimal, all, minimum, optimal, canonical)", description="Find covariate adjustment sets (generalized adjustment criterion).")
    kind = p.add_mutually_exclusive_group()
    for flag, text in (("--minimal", "one minimal set (default)"), ("--all", "every minimal set"), ("--minimum", "fewest variables"), ("--optimal", "the O-set (most efficient)"), ("--canonical", "the canonical set")):
        kind.add_argument(flag, action="store_const", const=flag[2:], dest="kind", help=text)
    common.add_limit_option(p, "with --all, stop after N sets (N >= 1, default 1000; says when truncated)")
    common.add_effect_option(p, ("total", "direct"), "sets for the total effect (default) or the controlled direct effect")
    common.add_json_option(p)

    common.add_json_option(common.add_command(subparsers, "frontdoor", _frontdoor, help="front-door sets", description="Find sets satisfying the front-door criterion."))
    common.add_json_option(common.add_command(subparsers, "ivs", _ivs, help="instrumental variables", description="List (conditional) instruments for the exposure -> outcome effect."))

    p = common.add_command(subparsers, "check-set", _check_set, help="explain whether a proposed adjustment set is valid", description="Check a proposed adjustment set and explain why it is or is not valid (exit 0 valid, 1 not valid).")
    p.add_argument("--adjustment-set", required=True, metavar="A,B", help="the proposed set (comma-separated; '' for the empty set)")
    common.add_renamed_option(p, "--adjustment-set", "--set", *common.foreign_options("adjustment_set"), note=" (the name is_adjustment_set uses)")
    common.add_json_option(p)

    p = common.add_command(subparsers, "id", _id, help="the ID algorithm's formula (or the hedge)", description="Run the ID/IDC algorithm on the latent projection.")
    common.add_given_option(p, "Z", "conditioning variables (IDC)")
    common.add_latex_option(p, "print LaTeX")
    common.add_json_option(p)

    p = common.add_command(subparsers, "mediation", _mediation, help="natural direct and indirect effects (identification)", description="Identify the natural direct and indirect effects through a mediator set (Pearl 2001's conditions), or name the condition that fails (exit 0 identified, 1 not).")
    common.add_mediators_option(p, "the mediator set (default: every observed node on a directed path from exposure to outcome)")
    p.add_argument("--covariates", metavar="W1,W2", help="check this covariate set instead of searching for one ('' for the empty set)")
    common.add_json_option(p)
    common.add_latex_option(p, "print the formulas in LaTeX")


def _identify(args: argparse.Namespace) -> int:
    from dagcore.identification.strategy import identify

    est = identify(common.graph_from_args(args), effect=args.effect)
    if args.latex and not args.json:
        print(est.latex or "% not identifiable")
        return 0
    others = "  other valid adjustment sets: " + "; ".join(common.braces(sorted(a)) for a in est.alternatives)
    common.show(args, est.to_dict(), [est.summary(), *([others] if est.alternatives else [])])
    return 0


def _adjust(args: argparse.Namespace) -> int:
    from dagcore.errors import GraphError
    from dagcore.identification import adjustment as adj
    from dagcore.identification.strategy import identify

    g = common.graph_from_args(args)
    x, y = g.exposure, g.outcome
    truncated = False
    if args.effect == "direct" and args.kind is not None:
        raise GraphError(f"--effect direct finds the one set the controlled direct effect uses; leave out --{args.kind}")
    kind = "direct" if args.effect == "direct" else args.kind or "minimal"
    if kind == "direct":
        est = identify(g, effect="direct")
        sets = [est.adjustment_set] if est.adjustment_set is not None else []
    elif kind == "all":
        sets = list(itertools.islice(adj.adjustment_sets(g, x, y), args.limit + 1))
        truncated = len(sets) > args.limit
        del sets[args.limit:]
    else:
        finders: dict[str, Callable[..., Any]] = {
            "minimal": adj.minimal_adjustment_set,
            "minimum": adj.minimum_adjustment_set,
            "optimal": adj.optimal_adjustment_set,
            "canonical": adj.canonical_adjustment_set,
        }
        found = finders[kind](g, x, y)
        sets = [] if found is None else [found]
    none = f"no valid adjustment set ({kind}) for the effect of {', '.join(sorted(x))} on {', '.join(sorted(y))}"
    if not sets and g.kind in ("pdag", "mag", "pag"):
        from dagcore.identification.generalized import amenability

        problem = amenability(g, x, y)  # type: ignore[arg-type]  # g.kind says it is a marked graph
        none += f": {problem}" if problem else ""
    common.show(args, {"exposure": sorted(x), "outcome": sorted(y), "kind": kind, "sets": [sorted(s) for s in sets], "truncated": truncated}, [
        *(common.braces(sorted(s)) for s in sets),
        *([f"truncated: more than {args.limit} sets exist (raise --limit)"] if truncated else []),
    ] or [none])
    return 0


def _frontdoor(args: argparse.Namespace) -> int:
    from dagcore.identification.frontdoor import frontdoor_sets

    sets = list(frontdoor_sets(common.graph_from_args(args)))
    common.show(args, {"sets": [sorted(s) for s in sets]}, [common.braces(sorted(s)) for s in sets] or ["no set satisfies the front-door criterion"])
    return 0


def _ivs(args: argparse.Namespace) -> int:
    from dagcore.identification.instrumental import instruments

    pairs = list(instruments(common.graph_from_args(args)))
    text = [z + (f" given {common.braces(sorted(w))}" if w else "") for z, w in pairs] or ["no instrument found"]
    common.show(args, [{"instrument": z, "given": sorted(w)} for z, w in pairs], text)
    return 0


def _check_set(args: argparse.Namespace) -> int:
    from dagcore.identification.adjustment import is_adjustment_set

    g = common.graph_from_args(args)
    result = is_adjustment_set(g, g.exposure, g.outcome, common.split_names(args.adjustment_set))
    common.show(args, result.to_dict(), ("valid: " if result else "not valid: ") + result.reason)
    return 0 if result else 1


def _id(args: argparse.Namespace) -> int:
    from dagcore.errors import NotIdentifiableError
    from dagcore.identification.id_algorithm import identify_effect

    g = common.graph_from_args(args)
    try:
        expr = identify_effect(g, g.exposure, g.outcome, given=common.split_names(args.given))
    except NotIdentifiableError as err:
        common.show(args, {"identifiable": False, "reason": str(err)}, str(err))
        return 0
    common.show(args, {"identifiable": True, "formula": expr.to_text(), "latex": expr.to_latex()}, expr.to_latex() if args.latex else expr.to_text())
    return 0


def _mediation(args: argparse.Namespace) -> int:
    from dagcore.identification.mediation import identify_mediation

    g = common.graph_from_args(args)
    mediators = common.split_names(args.mediators) or None
    covariates = common.split_names(args.covariates) if args.covariates is not None else None
    nde, nie = (identify_mediation(g, mediators=mediators, covariates=covariates, effect=e) for e in ("nde", "nie"))
    text: str | list[str]
    if args.latex:
        text = f"NDE: {nde.latex}\nNIE: {nie.latex}" if nde.identified else f"% not identifiable: {nde.reason}"
    elif not nde.identified:
        through = common.braces(sorted(nde.mediators or ()))
        text = [f"natural effects of {nde.treatment[0]} on {nde.outcome[0]} through {through}: not identifiable", f"  reason: {nde.reason}"]
    else:
        text = [nde.summary(), f"  NIE formula: {nie.formula}"]
    common.show(args, {"nde": nde.to_dict(), "nie": nie.to_dict()}, text)
    return 0 if nde.identified else 1
