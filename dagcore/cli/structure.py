"""CLI commands for graph structure: ``roles``, ``paths``, ``dsep``, ``implied``, ``render``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dagcore.cli import common
from dagcore.errors import GraphError

if TYPE_CHECKING:  # the parser is built without loading the graph model (networkx): dagcore --help stays fast
    from dagcore.graph import CausalGraph


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the structure commands."""
    p = common.add_command(subparsers, "roles", _roles, help="role of every variable and whether to adjust for it", description="Classify every observed variable (confounder, mediator, collider, ...) with a good/neutral/bad control verdict (Cinelli, Forney & Pearl 2022).")
    _add_ignore_adjusted(p)
    common.add_json_option(p)

    p = common.add_command(subparsers, "paths", _paths, help="paths between exposure and outcome, open or blocked", description="List every path between exposure and outcome, its kind, and whether the conditioning set blocks it.")
    common.add_given_option(p, "A,B", "conditioning set (default: the file's adjusted and selected nodes)")
    _add_ignore_adjusted(p)
    common.add_limit_option(p, "stop after N paths (default 1000; says when truncated)")
    common.add_json_option(p)

    p = common.add_command(subparsers, "dsep", _dsep, roles=False, help="are X and Y d-separated given Z?", description="Test d-separation; exit 0 either way, 1 on error.")
    p.add_argument("x", metavar="X", help="node(s), comma-separated")
    p.add_argument("y", metavar="Y", help="node(s), comma-separated")
    common.add_given_option(p, "Z", "conditioning set, comma-separated")
    common.add_json_option(p)

    p = common.add_command(subparsers, "implied", _implied, roles=False, help="conditional independencies the graph implies", description="List the testable conditional independencies among observed variables.")
    p.add_argument("--kind", choices=("missing_edge", "local"), default="missing_edge")
    _add_ignore_adjusted(p)
    common.add_json_option(p)

    p = common.add_command(subparsers, "render", _render, help="draw the graph (svg, png, pdf)", description="Draw the graph with roles coloured (needs Graphviz's dot).")
    common.add_output_option(p, "OUT", "OUT.svg, OUT.png or OUT.pdf (written atomically; its folder must exist)", required=True)
    p.add_argument("--highlight", choices=("adjustment", "paths"), help="outline the adjustment set identify chooses, or colour the shortest open non-causal path")
    p.add_argument("--engine", choices=("dot", "sfdp", "neato", "fdp"), help="Graphviz layout (default: dot up to 1,000 nodes, sfdp above)")


def _add_ignore_adjusted(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ignore-adjusted", action="store_true", help="as if no node were marked [adjusted] ([selected] nodes stay conditioned on)")


def _conditioning_line(g: CausalGraph, ignore: bool) -> list[str]:
    from dagcore.identification.conditioning import conditioning

    return [f"conditioning: {conditioning(g, ignore_adjusted=ignore).describe()}"] if (g.adjusted or g.selected) else []


def _roles(args: argparse.Namespace) -> int:
    from dagcore.structure.role_table import roles

    g = common.graph_from_args(args)
    table = roles(g, ignore_adjusted=args.ignore_adjusted)
    common.show(args, table.to_dict(), [*_conditioning_line(g, args.ignore_adjusted), str(table)])
    return 0


def _paths(args: argparse.Namespace) -> int:
    from dagcore.structure.path_search import paths

    g = common.graph_from_args(args)
    if len(g.exposure) != 1 or len(g.outcome) != 1:
        raise GraphError("paths needs exactly one exposure and one outcome (mark them in the file or use --exposure/--outcome)")
    (x,), (y,) = g.exposure, g.outcome
    it = paths(g, x, y, given=common.split_names(args.given) if args.given is not None else None, limit=args.limit, ignore_adjusted=args.ignore_adjusted)
    found = list(it)
    given = sorted(it.given)
    source = "--given" if args.given is not None else ("the adjusted nodes ignored" if args.ignore_adjusted and g.adjusted else "the file's adjusted and selected nodes")
    opened = [p for p in found if p.open and p.kind != "causal"]
    common.show(args, {"exposure": x, "outcome": y, "given": given, "given_from": source, "paths": [p.to_dict() for p in found], "truncated": it.truncated}, [
        f"paths from {x} to {y} given {common.braces(given)}" + (f" ({source}):" if (args.given is not None or g.adjusted or g.selected) else ":"),
        *(f"  {'OPEN   ' if p.open else 'blocked'}  {p.text()}  ({p.kind}; {p.reason})" for p in found),
        f"{len(found)} paths, {len(opened)} open non-causal",
        *([f"truncated: more than {args.limit} paths exist (raise --limit)"] if it.truncated else []),
    ])
    return 0


def _dsep(args: argparse.Namespace) -> int:
    from dagcore.marked import MarkedGraph
    from dagcore.structure.dseparation import d_separated
    from dagcore.structure.path_search import paths

    g = common.graph_from_args(args)
    xs, ys, zs = common.split_names(args.x), common.split_names(args.y), common.split_names(args.given)
    sep = d_separated(g, xs, ys, given=zs)
    witness = None
    dag = not isinstance(g, MarkedGraph)
    if not sep and dag and len(xs) == 1 and len(ys) == 1:  # a witness path is a DAG notion; a class answers yes/no
        witness = next((p for p in paths(g, xs[0], ys[0], given=zs, limit=100_000) if p.open), None)
    prefix = "d" if dag or g.kind == "pdag" else "m"  # m-separation in a MAG or PAG
    verb = f"{prefix}-separated" if sep else f"{prefix}-connected"
    common.show(args, {"x": list(xs), "y": list(ys), "given": list(zs), "d_separated": sep, "open_path": witness.text() if witness else None}, [
        f"{', '.join(xs)} and {', '.join(ys)} are {verb} given {common.braces(zs)}",
        *([f"open path: {witness.text()} ({witness.reason})"] if witness else []),
    ])
    return 0


def _implied(args: argparse.Namespace) -> int:
    from dagcore.structure.independencies import implied_independencies

    g = common.graph_from_args(args)
    statements = implied_independencies(g, kind=args.kind, ignore_adjusted=args.ignore_adjusted)
    text = [*_conditioning_line(g, args.ignore_adjusted), *(str(s) for s in statements)] if statements else ["the graph implies no conditional independence among observed variables"]
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
    render(g, args.output, highlight=args.highlight, adjustment_set=chosen, engine=args.engine)
    print(f"wrote {args.output}")
    return 0
