"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["print_json", "split_names"]


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
