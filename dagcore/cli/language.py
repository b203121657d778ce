"""CLI commands for the ``.dag`` language: ``check``, ``fmt`` and ``convert``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dagcore.errors import DagcoreError

FORMATS = ("dagitty", "dag", "dot", "json", "gml")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register ``check``, ``fmt`` and ``convert``."""
    p = subparsers.add_parser("check", help="validate .dag files", description="Validate .dag files: exit 0 when all are valid, 1 otherwise, one line per problem.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=_check)

    p = subparsers.add_parser("fmt", help="print or rewrite .dag files in canonical form", description="Format .dag files in the canonical form (sorted, stable).")
    p.add_argument("files", nargs="+", metavar="FILE")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 and list the files that are not in canonical form")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place (atomically)")
    p.set_defaults(handler=_fmt)

    p = subparsers.add_parser("convert", help="convert a .dag file to another format", description="Convert a .dag file to DAGitty text, DOT, node-link JSON or GML.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", required=True, choices=FORMATS, help="output format")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT (atomically) instead of standard output")
    p.set_defaults(handler=_convert)


def _check(args: argparse.Namespace) -> int:
    from dagcore.grammar import load

    failed = 0
    for name in args.files:
        try:
            g = load(name)
        except DagcoreError as err:
            failed += 1
            print(str(err), file=sys.stderr)
        except OSError as err:
            failed += 1
            print(f"{name}: cannot read: {err.strerror}", file=sys.stderr)
        else:
            print(f"{name}: ok ({len(g.observed)} observed, {len(g.latent)} latent, {len(g.edges)} edges)")
    return 1 if failed else 0


def _fmt(args: argparse.Namespace) -> int:
    from dagcore.grammar import dumps, load
    from dagcore.grammar.formatter import atomic_write_text

    status = 0
    for name in args.files:
        text = dumps(load(name))
        if args.check:
            if Path(name).read_text(encoding="utf-8") != text:
                print(f"{name}: not in canonical form (run 'dagcore fmt --write {name}')")
                status = 1
        elif args.write:
            if Path(name).read_text(encoding="utf-8") != text:
                atomic_write_text(name, text)
                print(f"{name}: reformatted")
        else:
            sys.stdout.write(text)
    return status


def _convert(args: argparse.Namespace) -> int:
    from dagcore import grammar
    from dagcore.grammar.formatter import atomic_write_text

    g = grammar.load(args.file)
    writers = {
        "dagitty": grammar.to_dagitty,
        "dag": grammar.dumps,
        "dot": grammar.to_dot,
        "json": lambda graph: grammar.to_json(graph) + "\n",
        "gml": grammar.to_gml,
    }
    text = writers[args.to](g)
    if args.output:
        atomic_write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
