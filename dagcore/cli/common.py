"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from dagcore.vocabulary import FOREIGN_NAMES

if TYPE_CHECKING:
    from pathlib import Path

    from dagcore.graph import CausalGraph

__all__ = [
    "STDIN",
    "FILE_HELP",
    "JSON_HELP",
    "check_stdin_once",
    "print_json",
    "show",
    "braces",
    "split_names",
    "load_graph",
    "graph_from_args",
    "read_csv",
    "ArgumentParser",
    "add_command",
    "add_file_argument",
    "add_data_option",
    "add_role_options",
    "add_given_option",
    "add_mediators_option",
    "add_json_option",
    "add_latex_option",
    "add_limit_option",
    "add_output_option",
    "add_method_option",
    "add_estimator_options",
    "add_random_state_option",
    "add_effect_option",
    "add_renamed_option",
    "foreign_options",
    "whole_number",
    "positive_int",
    "nonnegative_int",
    "output_path",
]

#: The file name that stands for standard input.
STDIN = "-"

#: ``help=`` text of a ``FILE`` argument.
FILE_HELP = "the .dag file, or - for standard input"

#: ``help=`` text of ``--json`` where the command has nothing to add.
JSON_HELP = "print JSON"


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on standard output."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def show(args: argparse.Namespace, payload: Any, text: str | Iterable[str]) -> None:
    """Print ``payload`` as JSON when the command line has ``--json``, else ``text`` (a line, or lines).

    Examples
    --------
    >>> show(argparse.Namespace(json=False), {"sets": []}, ["{A}", "{B}"])
    {A}
    {B}
    >>> show(argparse.Namespace(json=True), {"sets": [["A"]]}, "ignored")
    {
      "sets": [
        [
          "A"
        ]
      ]
    }
    """
    if args.json:
        print_json(payload)
    elif isinstance(text, str):
        print(text)
    else:
        for line in text:
            print(line)


def braces(names: Iterable[str]) -> str:
    """A set of node names as the CLI prints it, in braces, in the order given.

    Examples
    --------
    >>> braces(sorted({"M", "A"})), braces(())
    ('{A, M}', '{}')
    """
    return "{" + ", ".join(names) + "}"


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


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    handler: Callable[[argparse.Namespace], int],
    *,
    help: str,
    description: str,
    data: str | None = None,
    roles: bool = True,
) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` that reads a graph ``FILE``, with the options most commands share.

    Parameters
    ----------
    subparsers
        The top-level parser's sub-parsers.
    name, handler, help, description
        The command's name, the function that runs it, and its help texts.
    data
        The ``help=`` of a required ``--data CSV`` option, or ``None`` for a command without data.
    roles
        Add ``--exposure`` and ``--outcome`` (:func:`add_role_options`).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="dagcore")
    >>> sub = parser.add_subparsers()
    >>> p = add_command(sub, "frontdoor", lambda args: 0, help="front-door sets", description="Find front-door sets.")
    >>> add_json_option(p)
    >>> args = parser.parse_args(["frontdoor", "g.dag", "--exposure", "X", "--json"])
    >>> args.file, args.exposure, args.outcome, args.json
    ('g.dag', 'X', None, True)
    """
    parser = subparsers.add_parser(name, help=help, description=description)
    add_file_argument(parser)
    if data is not None:
        add_data_option(parser, data)
    if roles:
        add_role_options(parser)
    parser.set_defaults(handler=handler)
    return parser


def add_file_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``FILE`` (a ``.dag`` file, or ``-`` for standard input)."""
    parser.add_argument("file", metavar="FILE", help=FILE_HELP)


def add_data_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add the required ``--data CSV`` (``help`` should say that ``-`` reads standard input)."""
    parser.add_argument("--data", required=True, metavar="CSV", help=help)


def add_role_options(parser: argparse.ArgumentParser, *, several: bool = True) -> None:
    """Add ``--exposure`` and ``--outcome`` that override the file's roles (comma-separated unless ``several=False``).

    Also adds hidden options that answer other libraries' names for the roles
    (``--treatment``, ...) with a did-you-mean (:func:`add_renamed_option`).
    """
    if several:
        parser.add_argument("--exposure", metavar="X[,X2]", help="exposure(s), overriding the file's roles")
        parser.add_argument("--outcome", metavar="Y[,Y2]", help="outcome(s), overriding the file's roles")
    else:
        parser.add_argument("--exposure", metavar="X", help="the exposure (overrides the graph's)")
        parser.add_argument("--outcome", metavar="Y", help="the outcome (overrides the graph's)")
    for role in ("exposure", "outcome"):
        add_renamed_option(parser, f"--{role}", *foreign_options(role))


def add_given_option(parser: argparse.ArgumentParser, metavar: str, help: str) -> None:
    """Add ``--given``, a conditioning set (the API's ``given=``); other libraries' names for it get a did-you-mean."""
    parser.add_argument("--given", metavar=metavar, help=help)
    add_renamed_option(parser, "--given", *foreign_options("given"))


def add_mediators_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--mediators M1,M2`` (the API's ``mediators=``); ``--mediator`` gets a did-you-mean."""
    parser.add_argument("--mediators", metavar="M1,M2", help=help)
    add_renamed_option(parser, "--mediators", *foreign_options("mediators"))


def add_json_option(parser: argparse.ArgumentParser, help: str = JSON_HELP) -> None:
    """Add ``--json`` (print the result as JSON; see :func:`show`)."""
    parser.add_argument("--json", action="store_true", help=help)


def add_latex_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--latex`` (print the formula(s) in LaTeX)."""
    parser.add_argument("--latex", action="store_true", help=help)


def add_limit_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--limit N`` (a whole number of at least 1, default 1000)."""
    parser.add_argument("--limit", type=positive_int, default=1000, help=help)


def add_output_option(parser: argparse.ArgumentParser, metavar: str, help: str, *, required: bool = False) -> None:
    """Add ``-o``/``--output`` (check it with :func:`output_path` before doing any work)."""
    parser.add_argument("-o", "--output", required=required, metavar=metavar, help=help)


def add_method_option(parser: argparse.ArgumentParser, help: str, **kwargs: Any) -> None:
    """Add ``--method NAME``, the estimator (the API's ``estimate(..., method=)``); ``--estimator`` gets a did-you-mean."""
    parser.add_argument("--method", help=help, **kwargs)
    add_renamed_option(parser, "--method", "--estimator", *foreign_options("method"), note=" (the estimator, as in estimate(..., method=))")


def add_estimator_options(
    parser: argparse.ArgumentParser,
    param_help: str = "an estimator parameter, e.g. --param n_bootstrap=500 --param target=ATT (repeatable)",
) -> None:
    """Add ``--dropna`` and the repeatable ``--param KEY=VALUE`` of the commands that fit an estimator."""
    parser.add_argument("--dropna", action="store_true", help="drop rows with missing values (reported) instead of failing")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help=param_help)


def add_random_state_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--random-state`` (the API's ``random_state=``: a whole number of at least 0, default 0); ``--seed`` gets a did-you-mean."""
    parser.add_argument("--random-state", type=nonnegative_int, default=0, metavar="SEED", help=help)
    add_renamed_option(parser, "--random-state", "--seed", note=" (the name the Python API uses)")


def add_effect_option(parser: argparse.ArgumentParser, choices: tuple[str, ...], help: str) -> None:
    """Add ``--effect`` (the API's ``effect=``, default ``total``); the old ``--direct`` gets a did-you-mean."""
    parser.add_argument("--effect", choices=choices, default="total", help=help)
    if "direct" in choices:
        add_renamed_option(parser, "--effect", "--direct", note=" (--effect direct, as in identify(..., effect='direct'))")


def foreign_options(name: str) -> list[str]:
    """Other libraries' names for dagcore's ``name`` (:data:`dagcore.vocabulary.FOREIGN_NAMES`), spelled as options.

    Examples
    --------
    >>> foreign_options("given")[:2]
    ['--conditioning-set', '--conditioned']
    """
    return [f"--{n.replace('_', '-')}" for n, ours in FOREIGN_NAMES.items() if ours == name and len(n) > 1]


class ArgumentParser(argparse.ArgumentParser):
    """The CLI's parser: an abbreviation (``--expo``) matches only the options ``--help`` shows.

    The hidden did-you-mean options of :func:`add_renamed_option` answer
    their full spelling only, so ``--exposur`` stays ``--exposure`` and is not
    made ambiguous by the hidden ``--exposures``.
    """

    def _get_option_tuples(self, option_string: str) -> list[Any]:
        return [t for t in super()._get_option_tuples(option_string) if not isinstance(t[0], _Renamed)]


class _Renamed(argparse.Action):
    """A hidden option that stops the command with a usage error naming the option to use instead."""

    def __init__(self, option_strings: list[str], dest: str, *, new: str, note: str = "", **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs="?", default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)
        self.new = new
        self.note = note

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.error(f"unrecognized option {option_string}; did you mean {self.new}?{self.note}")


def add_renamed_option(parser: argparse.ArgumentParser, new: str, *old: str, note: str = "") -> None:
    """Answer each of the ``old`` spellings of option ``new`` with a usage error (exit 2) that names ``new``.

    dagcore has one name per concept; an old or another library's spelling is
    neither accepted silently nor met with a bare "unrecognized arguments".
    The ``old`` options are hidden from ``--help``. Names the parser already
    has are skipped.

    Examples
    --------
    >>> import contextlib, io
    >>> parser = argparse.ArgumentParser(prog="dagcore check-set")
    >>> _ = parser.add_argument("--adjustment-set")
    >>> add_renamed_option(parser, "--adjustment-set", "--set", note=" (as in is_adjustment_set)")
    >>> with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.suppress(SystemExit):
    ...     parser.parse_args(["--set", "A"])
    >>> err.getvalue().splitlines()[-1]
    'dagcore check-set: error: unrecognized option --set; did you mean --adjustment-set? (as in is_adjustment_set)'
    """
    taken = set(parser._option_string_actions)
    fresh = [o for o in old if o not in taken]
    if fresh:
        parser.add_argument(*fresh, action=_Renamed, new=new, note=note)


def whole_number(least: int) -> Callable[[str], int]:
    """An ``argparse`` type accepting a whole number of at least ``least``, with a clear message otherwise.

    The CLI uses :data:`positive_int` (``--limit``, ``--n-simulations``, ``power --n-per-group``)
    and :data:`nonnegative_int` (``--random-state``).

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


#: ``--limit``, ``--n-simulations``, ``power --n-per-group``: at least 1.
positive_int = whole_number(1)
#: ``--random-state``: at least 0.
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


def graph_from_args(args: argparse.Namespace) -> CausalGraph:
    """The graph of ``args.file`` with the roles ``--exposure``/``--outcome`` give (when the command has them)."""
    return load_graph(args.file, getattr(args, "exposure", None), getattr(args, "outcome", None))


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
