"""A fast reader for well-formed ``.dag`` text, equivalent to the lark grammar.

The grammar in ``dag.lark`` is the definition of the language. Lark's LALR
parser runs in pure Python and spends most of its time building the parse
tree; this module reads the same language with one regular-expression
tokenizer and a small recursive-descent reader that produces the same located
statements. Whenever the text is not well-formed (or uses anything unusual),
it gives up with :class:`Fallback` and the lark parser reads the text instead,
so every error message, line and column still comes from the grammar. The
test suite checks that both readers agree on generated and fuzzed texts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

__all__ = ["Fallback", "SimpleEdge", "read_statements"]


class Fallback(Exception):
    """The fast reader does not handle this text; use the lark parser."""


_TOKEN = re.compile(
    r"""
    (?:[ \t\r\n\f]+|\#[^\n]*|//[^\n]*|/\*(?:.|\n)*?\*/)*
    (?:
      (?P<arrow><->|<-@|<-|->|--@|--|@-@|@->|@--)
    | (?P<string>"(?:\\.|[^"\\\n])*")
    | (?P<number>[+-](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<word>[\w.]+)
    | (?P<punct>[{}\[\];,=])
    | (?P<end>\Z)
    )
    """,
    re.VERBOSE,
)
_KEY = re.compile(r"[^\W\d]\w*\Z")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_GRAPHTYPES = {"dag", "digraph", "pdag", "mag", "pag", "graph"}
_DOT_KINDS = {"graph", "node"}


class _Where:
    """Where a token starts; line and column are computed only when an error needs them."""

    __slots__ = ("_offset", "_newlines")

    def __init__(self, offset: int, newlines: list[int]) -> None:
        self._offset = offset
        self._newlines = newlines

    @property
    def line(self) -> int:
        return bisect_right(self._newlines, self._offset - 1) + 1

    @property
    def column(self) -> int:
        line = self.line - 1
        return self._offset - (self._newlines[line - 1] + 1 if line else 0) + 1


class SimpleEdge:
    """A statement ``a -> b`` of two plain names and one arrow, without attributes: most statements of a big file.

    Read without the per-token objects of a chain (names, token, lists); the
    builder makes a location only for a node or an edge it has not seen
    (``where``). At 10,000 nodes and 30,000 edges this halves the fast
    reader's and the builder's time (benchmarks/README.md, bench_parse).
    """

    __slots__ = ("a", "a_at", "arrow", "arrow_at", "b", "b_at", "_newlines")

    def __init__(self, a: str, a_at: int, arrow: str, arrow_at: int, b: str, b_at: int, newlines: list[int]) -> None:
        self.a, self.a_at, self.arrow, self.arrow_at, self.b, self.b_at = a, a_at, arrow, arrow_at, b, b_at
        self._newlines = newlines

    def where(self, offset: int) -> Any:
        """The location of the token starting at ``offset`` (one of ``a_at``, ``arrow_at``, ``b_at``): ``line`` and ``column``, computed when read."""
        return _Where(offset, self._newlines)


class _Tok(str):
    """A token's text that also answers ``line`` and ``column`` (what the statement builder reads)."""

    where: _Where

    @property
    def line(self) -> int:
        return self.where.line

    @property
    def column(self) -> int:
        return self.where.column


def read_statements(text: str, make: Any) -> list[Any]:
    """Tokenize and read ``text`` into the statement objects built by ``make`` (the parser's dataclasses).

    ``make`` provides ``Loc``, ``Name``, ``Chain``, ``GraphAttr``, ``Header``
    and ``unescape``. Raises :class:`Fallback` on anything it does not read.
    """
    kinds: list[str] = []
    values: list[str] = []
    starts: list[int] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            raise Fallback  # a character no token matches
        kind = m.lastgroup
        if kind == "end":
            break
        kinds.append(kind)  # type: ignore[arg-type]
        values.append(m.group(kind))  # type: ignore[arg-type]
        starts.append(m.start(kind))  # type: ignore[arg-type]
        pos = m.end()
    else:
        raise Fallback
    newlines = [m.start() for m in re.finditer("\n", text)]

    def loc(i: int) -> Any:
        return _Where(starts[i], newlines)

    n = len(kinds)
    i = 0

    def peek_is(k: int, kind: str, value: str | None = None) -> bool:
        return k < n and kinds[k] == kind and (value is None or values[k] == value)

    def name(k: int) -> Any:
        if kinds[k] == "word":
            if values[k][0] == ".":  # a word is [\w.]+, a name is the same but cannot start with "."
                raise Fallback
            return make.Name(values[k], loc(k))
        if kinds[k] == "string":
            return make.Name(make.unescape(values[k][1:-1]), loc(k))
        raise Fallback

    def value(k: int) -> str:
        kind, v = kinds[k], values[k]
        if kind == "string":
            return make.unescape(v[1:-1])
        if kind == "number" or (kind == "word" and _NUMBER.match(v)):
            return v
        if kind == "word" and _KEY.match(v):
            return v
        raise Fallback

    def attr(k: int, out: list[tuple[str, Any, Any]]) -> int:
        if k >= n or kinds[k] != "word" or not _KEY.match(values[k]):
            raise Fallback
        key, key_loc = values[k], loc(k)
        k += 1
        val = None
        if peek_is(k, "punct", "="):
            if k + 1 >= n:
                raise Fallback
            val = value(k + 1)
            k += 2
        out.append((key, val, key_loc))
        return k

    def attrs(k: int) -> tuple[list[tuple[str, Any, Any]], int]:
        # "[" (attr (","? attr)*)? ","? "]"  -- k is at "["
        out: list[tuple[str, Any, Any]] = []
        k += 1
        if peek_is(k, "punct", "]"):
            return out, k + 1
        if peek_is(k, "punct", ",") and peek_is(k + 1, "punct", "]"):
            return out, k + 2
        k = attr(k, out)
        while True:
            if peek_is(k, "punct", ","):
                k += 1
            if peek_is(k, "punct", "]"):
                return out, k + 1
            k = attr(k, out)

    def term(k: int) -> tuple[list[Any], int]:
        if kinds[k] == "punct" and values[k] == "{":
            members: list[Any] = []
            k += 1
            while True:
                if k >= n:
                    raise Fallback
                if kinds[k] == "punct" and values[k] == "}":
                    return members, k + 1
                members.append(name(k))
                k += 1
                if peek_is(k, "punct", ","):
                    k += 1
        return [name(k)], k + 1

    def body(k: int, closing: bool) -> tuple[list[Any], int]:
        stmts: list[Any] = []
        while k < n:
            kind, v = kinds[k], values[k]
            if kind == "punct" and v == "}":
                if closing:
                    return stmts, k
                raise Fallback
            if kind == "punct" and v == ";":
                k += 1
                continue
            if kind in ("word", "string") and peek_is(k + 1, "punct", "="):
                key = name(k)
                if k + 2 >= n:
                    raise Fallback
                stmts.append(make.GraphAttr(key, value(k + 2)))
                k += 3
            elif kind == "word" and v in _DOT_KINDS and peek_is(k + 1, "punct", "["):
                raise Fallback  # graph [...] / node [...]: the grammar reads these
            elif (
                kind == "word" and k + 2 < n and kinds[k + 1] == "arrow" and kinds[k + 2] == "word"
                and v[0] != "." and values[k + 2][0] != "."
                and (k + 3 == n or (kinds[k + 3] != "arrow" and not (kinds[k + 3] == "punct" and values[k + 3] == "[")))
            ):  # a -> b alone: the common statement, read without a chain's objects
                stmts.append(SimpleEdge(v, starts[k], values[k + 1], starts[k + 1], values[k + 2], starts[k + 2], newlines))
                k += 3
            elif kind in ("word", "string") or (kind == "punct" and v == "{"):
                start = k
                terms: list[list[Any]] = []
                arrows: list[_Tok] = []
                t, k = term(k)
                terms.append(t)
                while k < n and kinds[k] == "arrow":
                    a = _Tok(values[k])
                    a.where = loc(k)
                    arrows.append(a)
                    if k + 1 >= n:
                        raise Fallback
                    t, k = term(k + 1)
                    terms.append(t)
                found: list[tuple[str, Any, Any]] = []
                if peek_is(k, "punct", "["):
                    found, k = attrs(k)
                stmts.append(make.Chain(terms, arrows, found, loc(start)))
            else:
                raise Fallback
            if peek_is(k, "punct", ";"):
                k += 1
        if closing:
            raise Fallback
        return stmts, k

    items: list[Any] = []
    if n and kinds[0] == "word" and values[0] in _GRAPHTYPES:
        kind_tok = _Tok(values[0])
        kind_tok.where = loc(0)
        i = 1
        graph_name = None
        if i < n and kinds[i] in ("word", "string"):
            graph_name = name(i)
            i += 1
        if not peek_is(i, "punct", "{"):
            raise Fallback
        inner, i = body(i + 1, closing=True)
        i += 1  # the closing brace
        items.append(make.Header(kind_tok, graph_name, inner))
        rest, i = body(i, closing=False)
        if rest:
            raise Fallback  # statements after the graph: let the grammar report it
        items.append([])
    else:
        stmts, i = body(0, closing=False)
        items.append(stmts)
    return items
