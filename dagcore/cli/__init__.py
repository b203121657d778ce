"""The ``dagcore`` command line.

Each command family lives in its own module with a ``register(subparsers)``
function; heavy libraries are imported inside the command handlers so that
``dagcore --help`` and graph-only commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dagcore.errors import DagcoreError

__all__ = ["main", "build_parser"]

#: Modules that register sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "dagcore.cli.language",
    "dagcore.cli.structure",
    "dagcore.cli.identification",
    "dagcore.cli.estimation",
    "dagcore.cli.analysis",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level argument parser with every sub-command registered."""
    from dagcore import __version__

    parser = argparse.ArgumentParser(
        prog="dagcore",
        description="Graph-first causal reasoning: write a .dag, identify the effect, estimate it, refute it.",
    )
    parser.add_argument("--version", action="version", version=f"dagcore {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 success, 1 a finding or error, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except DagcoreError as err:
        print(f"dagcore {args.command}: error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"dagcore {args.command}: error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
