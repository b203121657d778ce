"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from dagcore.graph import CausalGraph

__all__ = ["print_json", "split_names", "load_graph", "add_role_options"]


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


def add_role_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--exposure`` and ``--outcome`` (comma-separated) that override the file's roles."""
    parser.add_argument("--exposure", metavar="X[,X2]", help="exposure(s), overriding the file's roles")
    parser.add_argument("--outcome", metavar="Y[,Y2]", help="outcome(s), overriding the file's roles")


def load_graph(path: str, exposure: str | None = None, outcome: str | None = None) -> CausalGraph:
    """Load a ``.dag`` file; ``exposure``/``outcome`` (comma-separated names) replace the file's roles.

    Raises
    ------
    NodeNotFoundError
        An ``exposure`` or ``outcome`` that is not a node of the graph.
    """
    from dagcore.grammar import load

    graph = load(path)
    roles = {}
    if exposure:
        roles["exposure"] = split_names(exposure)
    if outcome:
        roles["outcome"] = split_names(outcome)
    if roles:
        # a node moving from outcome to exposure (or back) must leave its old role
        if "exposure" in roles and "outcome" not in roles:
            roles["outcome"] = [n for n in graph.outcome if n not in roles["exposure"]]
        if "outcome" in roles and "exposure" not in roles:
            roles["exposure"] = [n for n in graph.exposure if n not in roles["outcome"]]
        graph = graph.with_roles(**roles)
    return graph
