"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from dagcore.graph import CausalGraph

__all__ = [
    "STDIN",
    "FILE_HELP",
    "check_stdin_once",
    "print_json",
    "split_names",
    "load_graph",
    "read_csv",
    "add_file_argument",
    "add_role_options",
    "whole_number",
    "positive_int",
    "nonnegative_int",
    "output_path",
]

#: The file name that stands for standard input.
STDIN = "-"

#: ``help=`` text of a ``FILE`` argument.
FILE_HELP = "the .dag file, or - for standard input"


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on standard output."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def split_names(text: str | None) -> tuple[str, ...]:
    """Split a comma-separated CLI list (``A,B``) into names; empty parts are dropped.

    Examples
    --------
    >>> split_names("A, B,,C")
    ('A', 'B', 'C')
    >>> split_names(None)
    ()
    """
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())


def add_file_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``FILE`` (a ``.dag`` file, or ``-`` for standard input)."""
    parser.add_argument("file", metavar="FILE", help=FILE_HELP)


def add_role_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--exposure`` and ``--outcome`` (comma-separated) that override the file's roles."""
    parser.add_argument("--exposure", metavar="X[,X2]", help="exposure(s), overriding the file's roles")
    parser.add_argument("--outcome", metavar="Y[,Y2]", help="outcome(s), overriding the file's roles")


def whole_number(least: int) -> Callable[[str], int]:
    """An ``argparse`` type accepting a whole number of at least ``least``, with a clear message otherwise.

    The CLI uses :data:`positive_int` (``--limit``, ``--simulations``, ``power --n``)
    and :data:`nonnegative_int` (``--seed``).

    Examples
    --------
    >>> positive_int("10"), nonnegative_int("0")
    (10, 0)
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number of at least 1, got '0'
    >>> nonnegative_int("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number of at least 0, got '-1'
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {least}, got {text!r}")
        return value

    parse.__name__ = f"whole number >= {least}"
    return parse


#: ``--limit``, ``--simulations``, ``power --n``: at least 1.
positive_int = whole_number(1)
#: ``--seed``: at least 0.
nonnegative_int = whole_number(0)


def read_csv(path: str) -> Any:
    """Read a CSV (``-`` for standard input) into a DataFrame; a bad file is a :class:`DataError` naming it."""
    import pandas as pd

    from dagcore.errors import DataError

    name = "standard input" if path == STDIN else repr(path)
    try:
        return pd.read_csv(sys.stdin if path == STDIN else path)
    except FileNotFoundError:
        raise DataError(f"data file {name} does not exist") from None
    except (OSError, ValueError, UnicodeDecodeError) as err:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise DataError(f"cannot read {name} as CSV: {err}") from None


def output_path(path: str | None, option: str = "-o") -> Path | None:
    """Check an output option before the command does any work (see :func:`dagcore.files.check_output_path`).

    Raises
    ------
    OutputPathError
        The folder does not exist, the target is a folder, or ``path`` is ``-``
        (this option writes a file; standard output carries the summary).
    """
    from dagcore.errors import OutputPathError
    from dagcore.files import check_output_path

    if path is None:
        return None
    if path == STDIN:
        raise OutputPathError(f"{option} needs a file name; '-' (standard output) is not supported here")
    return check_output_path(path)


def check_stdin_once(*paths: str | None) -> None:
    """Refuse a command line that reads standard input (``-``) more than once.

    Raises
    ------
    DataError
        Two inputs are ``-``.
    """
    from dagcore.errors import DataError

    if sum(p == STDIN for p in paths) > 1:
        raise DataError("standard input (-) can be read only once; give a file name for the other input")


def load_graph(path: str, exposure: str | None = None, outcome: str | None = None) -> CausalGraph:
    """Load a ``.dag`` file (``-`` for standard input); ``exposure``/``outcome`` (comma-separated names) replace the file's roles.

    Raises
    ------
    NodeNotFoundError
        An ``exposure`` or ``outcome`` that is not a node of the graph.
    """
    from dagcore.grammar import load, parse

    graph = parse(sys.stdin.read(), filename="<stdin>") if path == STDIN else load(path)
    roles: dict[str, tuple[str, ...]] = {}
    if exposure:
        roles["exposure"] = split_names(exposure)
    if outcome:
        roles["outcome"] = split_names(outcome)
    if roles:
        # a node moving from outcome to exposure (or back) must leave its old role
        if "exposure" in roles and "outcome" not in roles:
            roles["outcome"] = tuple(n for n in graph.outcome if n not in roles["exposure"])
        if "outcome" in roles and "exposure" not in roles:
            roles["exposure"] = tuple(n for n in graph.exposure if n not in roles["outcome"])
        graph = graph.with_roles(**roles)
    return graph
