"""CLI commands for identification: ``identify``, ``adjust``, ``frontdoor``, ``ivs``, ``check-set``, ``id``, ``mediation``."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from typing import Any

from dagcore.cli.common import add_file_argument, add_role_options, load_graph, positive_int, print_json, split_names


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the identification commands."""
    p = subparsers.add_parser("identify", help="identify the effect: strategy, formula, assumptions", description="Identify the effect of the exposure on the outcome: randomized, back-door, front-door, ID formula or instrument; or say why it is not identifiable.")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--direct", action="store_true", help="the controlled direct effect instead of the total effect")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--latex", action="store_true", help="print the formula in LaTeX")
    p.set_defaults(handler=_identify)

    p = subparsers.add_parser("adjust", help="adjustment sets (minimal, all, minimum, optimal, canonical)", description="Find covariate adjustment sets (generalized adjustment criterion).")
    add_file_argument(p)
    add_role_options(p)
    kind = p.add_mutually_exclusive_group()
    for flag, text in (("--minimal", "one minimal set (default)"), ("--all", "every minimal set"), ("--minimum", "fewest variables"), ("--optimal", "the O-set (most efficient)"), ("--canonical", "the canonical set")):
        kind.add_argument(flag, action="store_const", const=flag[2:], dest="kind", help=text)
    p.add_argument("--limit", type=positive_int, default=1000, help="with --all, stop after N sets (N >= 1, default 1000; says when truncated)")
    p.add_argument("--direct", action="store_true", help="sets for the controlled direct effect")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_adjust, kind="minimal")

    p = subparsers.add_parser("frontdoor", help="front-door sets", description="Find sets satisfying the front-door criterion.")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_frontdoor)

    p = subparsers.add_parser("ivs", help="instrumental variables", description="List (conditional) instruments for the exposure -> outcome effect.")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_ivs)

    p = subparsers.add_parser("check-set", help="explain whether a proposed adjustment set is valid", description="Check a proposed adjustment set and explain why it is or is not valid (exit 0 valid, 1 not valid).")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--set", required=True, metavar="A,B", help="the proposed set (comma-separated; '' for the empty set)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_check_set)

    p = subparsers.add_parser("id", help="the ID algorithm's formula (or the hedge)", description="Run the ID/IDC algorithm on the latent projection.")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--given", metavar="Z", help="conditioning variables (IDC)")
    p.add_argument("--latex", action="store_true", help="print LaTeX")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_id)

    p = subparsers.add_parser("mediation", help="natural direct and indirect effects (identification)", description="Identify the natural direct and indirect effects through a mediator set (Pearl 2001's conditions), or name the condition that fails (exit 0 identified, 1 not).")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--mediators", metavar="M1,M2", help="the mediator set (default: every observed node on a directed path from exposure to outcome)")
    p.add_argument("--covariates", metavar="W1,W2", help="check this covariate set instead of searching for one ('' for the empty set)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--latex", action="store_true", help="print the formulas in LaTeX")
    p.set_defaults(handler=_mediation)


def _identify(args: argparse.Namespace) -> int:
    from dagcore.identification.strategy import identify

    est = identify(load_graph(args.file, args.exposure, args.outcome), effect="direct" if args.direct else "total")
    if args.json:
        print_json(est.to_dict())
    elif args.latex:
        print(est.latex or "% not identifiable")
    else:
        print(est.summary())
        if est.alternatives:
            print("  other valid adjustment sets: " + "; ".join("{" + ", ".join(sorted(a)) + "}" for a in est.alternatives))
    return 0


def _adjust(args: argparse.Namespace) -> int:
    from dagcore.identification import adjustment as adj
    from dagcore.identification.strategy import identify

    g = load_graph(args.file, args.exposure, args.outcome)
    x, y = g.exposure, g.outcome
    truncated = False
    if args.direct:
        est = identify(g, effect="direct")
        sets = [est.adjustment_set] if est.adjustment_set is not None else []
    elif args.kind == "all":
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
        found = finders[args.kind](g, x, y)
        sets = [] if found is None else [found]
    if args.json:
        print_json({"exposure": sorted(x), "outcome": sorted(y), "kind": "direct" if args.direct else args.kind, "sets": [sorted(s) for s in sets], "truncated": truncated})
        return 0
    if not sets:
        print(f"no valid adjustment set ({args.kind}) for the effect of {', '.join(sorted(x))} on {', '.join(sorted(y))}")
        return 0
    for s in sets:
        print("{" + ", ".join(sorted(s)) + "}")
    if truncated:
        print(f"truncated: more than {args.limit} sets exist (raise --limit)")
    return 0


def _frontdoor(args: argparse.Namespace) -> int:
    from dagcore.identification.frontdoor import frontdoor_sets

    g = load_graph(args.file, args.exposure, args.outcome)
    sets = list(frontdoor_sets(g))
    if args.json:
        print_json({"sets": [sorted(s) for s in sets]})
    elif not sets:
        print("no set satisfies the front-door criterion")
    else:
        for s in sets:
            print("{" + ", ".join(sorted(s)) + "}")
    return 0


def _ivs(args: argparse.Namespace) -> int:
    from dagcore.identification.instrumental import instruments

    g = load_graph(args.file, args.exposure, args.outcome)
    pairs = list(instruments(g))
    if args.json:
        print_json([{"instrument": z, "given": sorted(w)} for z, w in pairs])
    elif not pairs:
        print("no instrument found")
    else:
        for z, w in pairs:
            print(z + (f" given {{{', '.join(sorted(w))}}}" if w else ""))
    return 0


def _check_set(args: argparse.Namespace) -> int:
    from dagcore.identification.adjustment import is_adjustment_set

    g = load_graph(args.file, args.exposure, args.outcome)
    result = is_adjustment_set(g, g.exposure, g.outcome, split_names(args.set))
    if args.json:
        print_json(result.to_dict())
    else:
        print(("valid: " if result else "not valid: ") + result.reason)
    return 0 if result else 1


def _id(args: argparse.Namespace) -> int:
    from dagcore.errors import NotIdentifiableError
    from dagcore.identification.id_algorithm import identify_effect

    g = load_graph(args.file, args.exposure, args.outcome)
    try:
        expr = identify_effect(g, g.exposure, g.outcome, given=split_names(args.given))
    except NotIdentifiableError as err:
        if args.json:
            print_json({"identifiable": False, "reason": str(err)})
        else:
            print(err)
        return 0
    if args.json:
        print_json({"identifiable": True, "formula": expr.to_text(), "latex": expr.to_latex()})
    else:
        print(expr.to_latex() if args.latex else expr.to_text())
    return 0


def _mediation(args: argparse.Namespace) -> int:
    from dagcore.identification.mediation import identify_mediation

    g = load_graph(args.file, args.exposure, args.outcome)
    mediators = split_names(args.mediators) or None
    covariates = split_names(args.covariates) if args.covariates is not None else None
    nde, nie = (identify_mediation(g, mediators=mediators, covariates=covariates, effect=e) for e in ("nde", "nie"))
    if args.json:
        print_json({"nde": nde.to_dict(), "nie": nie.to_dict()})
    elif args.latex:
        print(f"NDE: {nde.latex}\nNIE: {nie.latex}" if nde.identified else f"% not identifiable: {nde.reason}")
    elif not nde.identified:
        print(f"natural effects of {nde.treatment[0]} on {nde.outcome[0]} through {{{', '.join(sorted(nde.mediators or ()))}}}: not identifiable")
        print(f"  reason: {nde.reason}")
    else:
        print(nde.summary())
        print(f"  NIE formula: {nie.formula}")
    return 0 if nde.identified else 1
