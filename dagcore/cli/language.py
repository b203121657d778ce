"""CLI commands for the ``.dag`` language: ``check``, ``fmt`` and ``convert``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dagcore.cli.common import STDIN, add_file_argument, check_stdin_once, output_path
from dagcore.errors import DagcoreError

FORMATS = ("dagitty", "dag", "dot", "json", "gml")
#: Conversions between graph classes, written as .dag text.
CLASSES = ("cpdag", "mag")

_FILES_HELP = ".dag files; - reads standard input"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``check``, ``fmt`` and ``convert``."""
    p = subparsers.add_parser("check", help="validate .dag files", description="Validate .dag files: exit 0 when all are valid, 1 otherwise, one line per problem.")
    p.add_argument("files", nargs="+", metavar="FILE", help=_FILES_HELP)
    p.set_defaults(handler=_check)

    p = subparsers.add_parser("fmt", help="print or rewrite .dag files in canonical form", description="Format .dag files in the canonical form (sorted, stable).")
    p.add_argument("files", nargs="+", metavar="FILE", help=_FILES_HELP + " (not with --write)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 and list the files that are not in canonical form")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place (atomically, keeping each file's mode)")
    p.set_defaults(handler=_fmt)

    p = subparsers.add_parser(
        "convert",
        help="convert a .dag file to another format or graph class",
        description="Convert a .dag file to DAGitty text, DOT, node-link JSON or GML; or to another graph class: "
        "cpdag (the essential graph of a DAG, or a PDAG closed under Meek's rules), mag (the latent projection of a DAG).",
    )
    add_file_argument(p)
    p.add_argument("--to", required=True, choices=FORMATS + CLASSES, help="output format, or graph class (written as .dag text)")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT (atomically) instead of standard output; - is standard output")
    p.set_defaults(handler=_convert)

    p = subparsers.add_parser(
        "equivalent",
        help="list the DAGs a CPDAG/PDAG stands for (or a DAG's Markov equivalence class)",
        description="List the DAGs of a PDAG's class (its consistent extensions), or the Markov equivalence class of a DAG, one .dag text each.",
    )
    add_file_argument(p)
    p.add_argument("--limit", type=int, default=100, metavar="N", help="list at most N DAGs (default 100)")
    p.add_argument("--json", action="store_true", help="print JSON: the DAGs' edge lists")
    p.set_defaults(handler=_equivalent)


def _read(name: str) -> tuple[str, str]:
    """The text of ``name`` (standard input for ``-``) and the name to show in messages."""
    if name == STDIN:
        return sys.stdin.read(), "<stdin>"
    return Path(name).read_text(encoding="utf-8"), name


def _check(args: argparse.Namespace) -> int:
    from dagcore.cli.common import load_graph

    check_stdin_once(*args.files)
    failed = 0
    for name in args.files:
        shown = "<stdin>" if name == STDIN else name
        try:
            g = load_graph(name)
        except DagcoreError as err:
            failed += 1
            print(str(err), file=sys.stderr)
        except OSError as err:
            failed += 1
            print(f"{shown}: cannot read: {err.strerror}", file=sys.stderr)
        else:
            print(f"{shown}: ok ({len(g.observed)} observed, {len(g.latent)} latent, {len(g.edges)} edges)")
    return 1 if failed else 0


def _fmt(args: argparse.Namespace) -> int:
    from dagcore.files import atomic_write_text
    from dagcore.grammar import dumps, load, parse

    check_stdin_once(*args.files)
    if args.write and STDIN in args.files:
        raise DagcoreError("fmt --write cannot rewrite standard input (-); leave out --write to print the canonical form")
    status = 0
    for name in args.files:
        if name == STDIN:
            original, shown = _read(name)
            text = dumps(parse(original, filename=shown))
        else:
            shown = name
            text = dumps(load(name))  # load reports undecodable files as a DagSyntaxError
            original = _read(name)[0] if (args.check or args.write) else ""
        if args.check:
            if original != text:
                print(f"{shown}: not in canonical form (run 'dagcore fmt --write {name}')" if name != STDIN else f"{shown}: not in canonical form")
                status = 1
        elif args.write:
            if original != text:
                atomic_write_text(name, text)
                print(f"{name}: reformatted")
        else:
            sys.stdout.write(text)
    return status


def _convert(args: argparse.Namespace) -> int:
    from dagcore import grammar
    from dagcore.cli.common import load_graph
    from dagcore.files import atomic_write_text

    to_stdout = args.output in (None, STDIN)
    if not to_stdout:
        output_path(args.output)
    g: Any = load_graph(args.file)
    if args.to in CLASSES:
        g = _to_class(g, args.to)
        args.to = "dag"
    writers = {
        "dagitty": grammar.to_dagitty,
        "dag": grammar.dumps,
        "dot": grammar.to_dot,
        "json": lambda graph: grammar.to_json(graph) + "\n",
        "gml": grammar.to_gml,
    }
    text = writers[args.to](g)
    if to_stdout:
        sys.stdout.write(text)
    else:
        atomic_write_text(args.output, text)
    return 0


def _to_class(g: object, target: str) -> object:
    from dagcore.equivalence import cpdag, orient, to_mag
    from dagcore.errors import GraphError
    from dagcore.graph import CausalGraph
    from dagcore.marked import MAG, PDAG

    if target == "cpdag":
        if isinstance(g, CausalGraph):
            return cpdag(g)
        if isinstance(g, PDAG):
            return orient(g)
    elif target == "mag":
        if isinstance(g, CausalGraph):
            return to_mag(g)
        if isinstance(g, MAG):
            return g
    kind = getattr(g, "kind", "dag")
    raise GraphError(f"convert --to {target} takes a dag{' or a pdag' if target == 'cpdag' else ''}, not a {kind}")


def _equivalent(args: argparse.Namespace) -> int:
    import itertools
    import json

    from dagcore.cli.common import load_graph
    from dagcore.equivalence import cpdag, equivalent_dags
    from dagcore.errors import GraphError
    from dagcore.grammar import dumps
    from dagcore.graph import CausalGraph
    from dagcore.marked import PDAG

    if args.limit < 1:
        raise GraphError(f"--limit must be a positive number of DAGs, got {args.limit}")
    g: Any = load_graph(args.file)
    if isinstance(g, CausalGraph):
        if g.latent:
            raise GraphError("the DAG has latent nodes: its class over the observed nodes is a PAG, not a set of DAGs; convert --to mag")
        g = cpdag(g)
    if not isinstance(g, PDAG):
        raise GraphError(f"equivalent lists the DAGs of a dag or pdag, not of a {getattr(g, 'kind', type(g).__name__)}")
    dags = list(itertools.islice(equivalent_dags(g), args.limit + 1))
    truncated = len(dags) > args.limit
    del dags[args.limit:]
    if args.json:
        print(json.dumps({"dags": [sorted(map(list, d.edges)) for d in dags], "truncated": truncated}))
    else:
        for d in dags:
            sys.stdout.write(dumps(d))
        print(f"# {len(dags)} DAG{'s' if len(dags) != 1 else ''}" + (" (more exist: raise --limit)" if truncated else ""))
    return 0
