"""The ``dagcore`` command line.

Each command family lives in its own module with a ``register(subparsers)``
function; heavy libraries are imported inside the command handlers so that
``dagcore --help`` and graph-only commands start fast.

Conventions shared by every command (tested in ``tests/test_cli_files.py``):

- ``FILE`` (and ``--data CSV``) may be ``-`` for standard input;
- output files are written atomically with the umask's mode
  (:mod:`dagcore.files`); a missing folder is an error naming the target,
  checked before any work is done;
- each distinct warning is printed once on standard error as
  ``warning: <message>``; ``-q``/``--quiet`` (before or after the command)
  silences warnings and progress;
- output piped into a program that stops reading (``| head``) ends the
  command quietly;
- an option has the Python API's name for the same thing (``--method``,
  ``--adjustment-set``, ``--n-simulations``, ...); an old or another
  library's spelling is a usage error naming the option to use
  (:func:`dagcore.cli.common.add_renamed_option`; tested in
  ``tests/test_cli_vocabulary.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator, Sequence

from dagcore.errors import DagcoreError

__all__ = ["main", "build_parser"]

#: Modules that register sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "dagcore.cli.language",
    "dagcore.cli.structure",
    "dagcore.cli.identification",
    "dagcore.cli.estimation",
    "dagcore.cli.analysis",
    "dagcore.cli.abtest",
)

#: Exit status after the reader of standard output went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141

_QUIET_HELP = "print no warnings and no progress on standard error"


def build_parser() -> argparse.ArgumentParser:
    """The top-level argument parser with every sub-command registered."""
    from dagcore import __version__
    from dagcore.cli.common import ArgumentParser

    parser = ArgumentParser(
        prog="dagcore",
        description="Graph-first causal reasoning: write a .dag, identify the effect, estimate it, refute it.",
        epilog="FILE may be - to read standard input. Warnings are printed once each as 'warning: ...' "
        "on standard error; -q silences them.",
    )
    parser.add_argument("--version", action="version", version=f"dagcore {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help=_QUIET_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    for sub in subparsers.choices.values():
        # also accepted after the command; SUPPRESS keeps a leading -q from being reset to False
        sub.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=_QUIET_HELP)
    return parser


class _Once:
    """Print each distinct message once as ``warning: <message>`` on standard error; nothing when ``quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.seen: set[str] = set()

    def __call__(self, text: str) -> None:
        text = text.strip()
        if self.quiet or text in self.seen:
            return
        self.seen.add(text)
        with contextlib.suppress(OSError, ValueError):  # stderr closed
            print(f"warning: {text}", file=sys.stderr)


class _LogHandler(logging.Handler):
    """Sends the ``dagcore`` logger's warnings and errors to :class:`_Once`."""

    def __init__(self, show: _Once) -> None:
        super().__init__(logging.WARNING)
        self.show = show

    def emit(self, record: logging.LogRecord) -> None:
        self.show(record.getMessage())


@contextlib.contextmanager
def _warnings_to_stderr(quiet: bool) -> Iterator[None]:
    """Show each distinct warning once as ``warning: <message>`` (none when ``quiet``), never Python's raw form.

    Covers :mod:`warnings` (the filters are left as they are: a filter that
    ignores a warning still does; only the way a warning is shown changes) and
    warnings logged on the ``dagcore`` logger.
    """
    show = _Once(quiet)

    def showwarning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                    file: object = None, line: str | None = None) -> None:
        show(str(message))

    handler = _LogHandler(show)
    logger = logging.getLogger("dagcore")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = showwarning
            yield
    finally:
        logger.removeHandler(handler)


def _silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # stdout is not a real file (e.g. under pytest)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 success, 1 a finding or error, 2 usage, 141 reader gone)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        with _warnings_to_stderr(args.quiet):
            status = int(args.handler(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # the reader (e.g. `| head`) stopped reading: stop quietly, as Unix tools do
        _silence_stdout()
        return EXIT_BROKEN_PIPE
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
