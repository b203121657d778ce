"""CLI commands for graph structure: ``roles``, ``paths``, ``dsep``, ``implied``, ``render``."""

from __future__ import annotations

import argparse

from dagcore.cli.common import add_file_argument, add_role_options, load_graph, positive_int, print_json, split_names
from dagcore.errors import GraphError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register the structure commands."""
    p = subparsers.add_parser("roles", help="role of every variable and whether to adjust for it", description="Classify every observed variable (confounder, mediator, collider, ...) with a good/neutral/bad control verdict (Cinelli, Forney & Pearl 2022).")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_roles)

    p = subparsers.add_parser("paths", help="paths between exposure and outcome, open or blocked", description="List every path between exposure and outcome, its kind, and whether the conditioning set blocks it.")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("--given", metavar="A,B", help="conditioning set (default: the file's adjusted nodes)")
    p.add_argument("--limit", type=positive_int, default=1000, help="stop after N paths (default 1000; says when truncated)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_paths)

    p = subparsers.add_parser("dsep", help="are X and Y d-separated given Z?", description="Test d-separation; exit 0 either way, 1 on error.")
    add_file_argument(p)
    p.add_argument("x", metavar="X", help="node(s), comma-separated")
    p.add_argument("y", metavar="Y", help="node(s), comma-separated")
    p.add_argument("--given", metavar="Z", help="conditioning set, comma-separated")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_dsep)

    p = subparsers.add_parser("implied", help="conditional independencies the graph implies", description="List the testable conditional independencies among observed variables.")
    add_file_argument(p)
    p.add_argument("--kind", choices=("missing_edge", "local"), default="missing_edge")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_implied)

    p = subparsers.add_parser("render", help="draw the graph (svg, png, pdf)", description="Draw the graph with roles coloured (needs Graphviz's dot).")
    add_file_argument(p)
    add_role_options(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.svg, OUT.png or OUT.pdf (written atomically; its folder must exist)")
    p.add_argument("--highlight", choices=("adjustment", "paths"), help="outline adjusted nodes, or colour open back-door paths")
    p.set_defaults(handler=_render)


def _roles(args: argparse.Namespace) -> int:
    from dagcore.structure.role_table import roles

    table = roles(load_graph(args.file, args.exposure, args.outcome))
    if args.json:
        print_json(table.to_dict())
    else:
        print(table)
        if table.collider_search_truncated:
            print("note: the search for colliders stopped after 20,000 paths; some colliders may be missing")
    return 0


def _paths(args: argparse.Namespace) -> int:
    from dagcore.structure.path_search import paths

    g = load_graph(args.file, args.exposure, args.outcome)
    if len(g.exposure) != 1 or len(g.outcome) != 1:
        raise GraphError("paths needs exactly one exposure and one outcome (mark them in the file or use --exposure/--outcome)")
    given = split_names(args.given) if args.given is not None else sorted(g.adjusted)
    (x,), (y,) = g.exposure, g.outcome
    it = paths(g, x, y, given=given, limit=args.limit)
    found = list(it)
    if args.json:
        print_json({"exposure": x, "outcome": y, "given": list(given), "paths": [p.to_dict() for p in found], "truncated": it.truncated})
        return 0
    print(f"paths from {x} to {y} given {{{', '.join(given)}}}:")
    for p in found:
        print(f"  {'OPEN   ' if p.open else 'blocked'}  {p.text()}  ({p.kind}; {p.reason})")
    opened = [p for p in found if p.open and p.kind != "causal"]
    print(f"{len(found)} paths, {len(opened)} open non-causal")
    if it.truncated:
        print(f"truncated: more than {args.limit} paths exist (raise --limit)")
    return 0


def _dsep(args: argparse.Namespace) -> int:
    from dagcore.structure.dseparation import d_separated
    from dagcore.structure.path_search import paths

    g = load_graph(args.file)
    xs, ys, zs = split_names(args.x), split_names(args.y), split_names(args.given)
    sep = d_separated(g, xs, ys, given=zs)
    witness = None
    if not sep and len(xs) == 1 and len(ys) == 1:
        witness = next((p for p in paths(g, xs[0], ys[0], given=zs, limit=100_000) if p.open), None)
    if args.json:
        print_json({"x": list(xs), "y": list(ys), "given": list(zs), "d_separated": sep, "open_path": witness.text() if witness else None})
        return 0
    verb = "d-separated" if sep else "d-connected"
    print(f"{', '.join(xs)} and {', '.join(ys)} are {verb} given {{{', '.join(zs)}}}")
    if witness:
        print(f"open path: {witness.text()} ({witness.reason})")
    return 0


def _implied(args: argparse.Namespace) -> int:
    from dagcore.structure.independencies import implied_independencies

    statements = implied_independencies(load_graph(args.file), kind=args.kind)
    if args.json:
        print_json([s.to_dict() for s in statements])
    else:
        for s in statements:
            print(s)
        if not statements:
            print("the graph implies no conditional independence among observed variables")
    return 0


def _render(args: argparse.Namespace) -> int:
    from dagcore.cli.common import output_path
    from dagcore.rendering import render

    output_path(args.output)
    g = load_graph(args.file, args.exposure, args.outcome)
    render(g, args.output, highlight=args.highlight)
    print(f"wrote {args.output}")
    return 0
