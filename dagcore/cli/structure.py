"""CLI commands for graph structure: ``roles``, ``paths``, ``dsep``, ``implied``, ``render``."""

from __future__ import annotations

import argparse

from dagcore.cli import common
from dagcore.errors import GraphError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the structure commands."""
    p = common.add_command(subparsers, "roles", _roles, help="role of every variable and whether to adjust for it", description="Classify every observed variable (confounder, mediator, collider, ...) with a good/neutral/bad control verdict (Cinelli, Forney & Pearl 2022).")
    common.add_json_option(p)

    p = common.add_command(subparsers, "paths", _paths, help="paths between exposure and outcome, open or blocked", description="List every path between exposure and outcome, its kind, and whether the conditioning set blocks it.")
    common.add_given_option(p, "A,B", "conditioning set (default: the file's adjusted nodes)")
    common.add_limit_option(p, "stop after N paths (default 1000; says when truncated)")
    common.add_json_option(p)

    p = common.add_command(subparsers, "dsep", _dsep, roles=False, help="are X and Y d-separated given Z?", description="Test d-separation; exit 0 either way, 1 on error.")
    p.add_argument("x", metavar="X", help="node(s), comma-separated")
    p.add_argument("y", metavar="Y", help="node(s), comma-separated")
    common.add_given_option(p, "Z", "conditioning set, comma-separated")
    common.add_json_option(p)

    p = common.add_command(subparsers, "implied", _implied, roles=False, help="conditional independencies the graph implies", description="List the testable conditional independencies among observed variables.")
    p.add_argument("--kind", choices=("missing_edge", "local"), default="missing_edge")
    common.add_json_option(p)

    p = common.add_command(subparsers, "render", _render, help="draw the graph (svg, png, pdf)", description="Draw the graph with roles coloured (needs Graphviz's dot).")
    common.add_output_option(p, "OUT", "OUT.svg, OUT.png or OUT.pdf (written atomically; its folder must exist)", required=True)
    p.add_argument("--highlight", choices=("adjustment", "paths"), help="outline the adjustment set identify chooses, or colour open back-door paths")


def _roles(args: argparse.Namespace) -> int:
    from dagcore.structure.role_table import roles

    table = roles(common.graph_from_args(args))
    note = "note: the search for colliders stopped after 20,000 paths; some colliders may be missing"
    common.show(args, table.to_dict(), [str(table), *([note] if table.collider_search_truncated else [])])
    return 0


def _paths(args: argparse.Namespace) -> int:
    from dagcore.structure.path_search import paths

    g = common.graph_from_args(args)
    if len(g.exposure) != 1 or len(g.outcome) != 1:
        raise GraphError("paths needs exactly one exposure and one outcome (mark them in the file or use --exposure/--outcome)")
    given = common.split_names(args.given) if args.given is not None else sorted(g.adjusted)
    (x,), (y,) = g.exposure, g.outcome
    it = paths(g, x, y, given=given, limit=args.limit)
    found = list(it)
    opened = [p for p in found if p.open and p.kind != "causal"]
    common.show(args, {"exposure": x, "outcome": y, "given": list(given), "paths": [p.to_dict() for p in found], "truncated": it.truncated}, [
        f"paths from {x} to {y} given {common.braces(given)}:",
        *(f"  {'OPEN   ' if p.open else 'blocked'}  {p.text()}  ({p.kind}; {p.reason})" for p in found),
        f"{len(found)} paths, {len(opened)} open non-causal",
        *([f"truncated: more than {args.limit} paths exist (raise --limit)"] if it.truncated else []),
    ])
    return 0


def _dsep(args: argparse.Namespace) -> int:
    from dagcore.structure.dseparation import d_separated
    from dagcore.structure.path_search import paths

    g = common.graph_from_args(args)
    xs, ys, zs = common.split_names(args.x), common.split_names(args.y), common.split_names(args.given)
    sep = d_separated(g, xs, ys, given=zs)
    witness = None
    if not sep and len(xs) == 1 and len(ys) == 1:
        witness = next((p for p in paths(g, xs[0], ys[0], given=zs, limit=100_000) if p.open), None)
    verb = "d-separated" if sep else "d-connected"
    common.show(args, {"x": list(xs), "y": list(ys), "given": list(zs), "d_separated": sep, "open_path": witness.text() if witness else None}, [
        f"{', '.join(xs)} and {', '.join(ys)} are {verb} given {common.braces(zs)}",
        *([f"open path: {witness.text()} ({witness.reason})"] if witness else []),
    ])
    return 0


def _implied(args: argparse.Namespace) -> int:
    from dagcore.structure.independencies import implied_independencies

    statements = implied_independencies(common.graph_from_args(args), kind=args.kind)
    text = [str(s) for s in statements] or ["the graph implies no conditional independence among observed variables"]
    common.show(args, [s.to_dict() for s in statements], text)
    return 0


def _render(args: argparse.Namespace) -> int:
    from dagcore.rendering import render

    common.output_path(args.output)
    g = common.graph_from_args(args)
    chosen = None
    if args.highlight == "adjustment":
        from dagcore.errors import NotIdentifiableError
        from dagcore.identification import identify

        estimand = identify(g)
        if estimand.adjustment_set is None:
            raise NotIdentifiableError(
                f"--highlight adjustment: identify found no adjustment set ({estimand.strategy}: "
                f"{estimand.reason or 'the effect is not identified by covariate adjustment'})"
            )
        chosen = sorted(estimand.adjustment_set)
    render(g, args.output, highlight=args.highlight, adjustment_set=chosen)
    print(f"wrote {args.output}")
    return 0
