"""DAGitty's legacy model format: a block of variables, a blank line, then an adjacency list.

Models saved by DAGitty before the dot-like syntax (and still read by its
``GraphParser.parseGuess``) look like this::

    x E @0.264,-0.027
    y O @0.537,-0.015
    z 1

    x y z
    z y

The first block has one line per variable: its name, its flags (``E`` exposure,
``O`` outcome, ``A`` adjusted, ``U`` latent; ``1`` or a number for none) and an
optional ``@x,y`` position. Each line of the second block names a variable and
then its children; a pair written in both directions is a bidirected edge.
Names may be percent-encoded (``Di%C3%A4t``). Unlike DAGitty, an unknown name in
the adjacency list is an error, not silently skipped.

This module only recognises and splits the text; the statements go through the
same builder as the dot-like syntax, so every check and error location is shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["is_legacy", "LegacyVariable", "LegacyEdge", "read_legacy"]

_FLAGS = re.compile(r"[0-9EOAU]+\Z")
_POS = re.compile(r"@(-?[\d.]+),(-?[\d.]+)\Z")
_BLANK = re.compile(r"\r?\n[ \t]*\r?\n")
_DOT_LIKE = re.compile(r"->|<-|--|[{}\[\]=;\"]")

ROLE_FLAGS = {"E": "exposure", "O": "outcome", "A": "adjusted", "U": "latent"}


@dataclass(frozen=True)
class LegacyVariable:
    name: str
    roles: tuple[str, ...]
    pos: tuple[float, float] | None
    line: int
    column: int


@dataclass(frozen=True)
class LegacyEdge:
    parent: str
    child: str
    line: int
    column: int


def _variable_line(line: str) -> tuple[str, str, str | None] | None:
    """Split a variable line as DAGitty does: name words, flags, optional @position; None if it is not one."""
    words = line.split()
    pos = words.pop() if len(words) >= 2 and "@" in line and _POS.match(words[-1]) else None
    if len(words) >= 2 and _FLAGS.match(words[-1]):
        flags = words.pop()
    elif len(words) == 1 and pos is None:
        flags = "1"
    else:
        return None
    return " ".join(words), flags, pos


def is_legacy(text: str) -> bool:
    """Whether ``text`` is a model in DAGitty's legacy format (variables, blank line, adjacency list).

    Examples
    --------
    >>> is_legacy("x\\ny\\n\\nz")  # isolated nodes in .dag syntax
    False
    """
    if _DOT_LIKE.search(text):
        return False
    stripped = text.strip()
    split = _BLANK.search(stripped)
    if split is None:
        return False
    head = [ln for ln in stripped[: split.start()].splitlines() if ln.strip()]
    if not head or not all(_variable_line(ln) is not None for ln in head):
        return False
    # Only names on every line (no flags, no edges) is just as well a .dag list of isolated nodes: keep that reading.
    tail = [ln for ln in stripped[split.end() :].splitlines() if ln.strip()]
    return any(len(ln.split()) >= 2 for ln in head + tail)


def read_legacy(text: str) -> tuple[list[LegacyVariable], list[LegacyEdge]]:
    """The variables and directed edges of a legacy-format model (bidirected pairs appear in both directions).

    Raises
    ------
    ValueError
        With (message, line, column) as arguments, for an adjacency line naming an unknown variable.

    Examples
    --------
    >>> variables, edges = read_legacy("x E @0.1,0.2\\ny O\\n\\nx y")
    >>> [(v.name, v.roles, v.pos) for v in variables]
    [('x', ('exposure',), (0.1, 0.2)), ('y', ('outcome',), None)]
    >>> [(e.parent, e.child) for e in edges]
    [('x', 'y')]
    """
    lines = text.splitlines()
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    variables: list[LegacyVariable] = []
    for number in range(start, end):
        raw = lines[number]
        name, flags, pos = _variable_line(raw)  # type: ignore[misc]
        roles = tuple(role for flag, role in ROLE_FLAGS.items() if flag in flags)
        xy = None
        if pos is not None:
            m = _POS.match(pos)
            assert m is not None
            xy = (float(m.group(1)), float(m.group(2)))
        variables.append(LegacyVariable(unquote(name), roles, xy, number + 1, len(raw) - len(raw.lstrip()) + 1))
    known = {v.name for v in variables}
    edges: list[LegacyEdge] = []
    for number in range(end, len(lines)):
        raw = lines[number]
        words = [(m.group(), m.start() + 1) for m in re.finditer(r"\S+", raw)]
        names: list[tuple[str, int]] = []
        i = 0
        while i < len(words):
            if names and _POS.match(words[i][0]):
                i += 1  # an edge position: DAGitty's layout hint for the last edge
                continue
            # Names with spaces: join words until they name a variable, as DAGitty does.
            j = i
            candidate = ""
            while j < len(words):
                candidate = (candidate + " " + words[j][0]).strip()
                j += 1
                if unquote(candidate) in known:
                    break
            else:
                raise ValueError(f"unknown variable {unquote(words[i][0])!r} in the adjacency list (declare it in the first block)", number + 1, words[i][1])
            names.append((unquote(candidate), words[i][1]))
            i = j
        for child, column in names[1:]:
            edges.append(LegacyEdge(names[0][0], child, number + 1, column))
    return variables, edges
