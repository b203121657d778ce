"""CLI commands: identification (filled in by its issue)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register this module's sub-commands (none yet)."""
