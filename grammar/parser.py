"""Parse ``.dag`` text into a :class:`~dagcore.CausalGraph`.

The text is parsed to a tree by the LALR grammar in ``dag.lark`` (loaded once),
then an external lark ``Transformer`` turns the tree into statements that carry
their line and column, so semantic errors (cycles, unknown attributes,
contradictory roles) point at the offending text. Every failure is a
:class:`~dagcore.DagcoreError`: no lark exception escapes.
"""

from __future__ import annotations

import contextlib
import gc
import os
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dagcore.errors import CycleError, DagcoreError, DagSyntaxError, GraphError
from dagcore.grammar.fastpath import Fallback, SimpleEdge, read_statements
from dagcore.grammar.legacy import is_legacy, read_legacy
from dagcore.graph import CausalGraph
from dagcore.marked import GRAPH_CLASSES, MarkedEdge, MarkedGraph

__all__ = ["parse", "load", "ROLE_ALIASES", "GRAPH_ATTRIBUTES"]

#: Node attribute words that set a role, with DAGitty's aliases.
ROLE_ALIASES: dict[str, str] = {
    "exposure": "exposure",
    "e": "exposure",
    "source": "exposure",
    "outcome": "outcome",
    "o": "outcome",
    "target": "outcome",
    "latent": "latent",
    "l": "latent",
    "u": "latent",
    "unobserved": "latent",
    "adjusted": "adjusted",
    "a": "adjusted",
    "selected": "selected",
    "s": "selected",
}
#: Node attributes that take a value.
VALUED_NODE_ATTRIBUTES: tuple[str, ...] = ("label", "pos")
#: Graph attributes accepted at statement level (DAGitty's bounding box).
GRAPH_ATTRIBUTES: tuple[str, ...] = ("bb",)

_UNSUPPORTED_EDGES = {"--", "@-@", "@->", "<-@", "@--", "--@"}
#: The largest .dag text read (characters); above it parse() refuses with DagSyntaxError (docs/language.md).
MAX_TEXT = 50_000_000
#: How deeply ``{ }`` groups may nest (DAGitty's own models nest at most 4 levels).
MAX_GROUP_DEPTH = 100


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("dagcore.grammar").joinpath("dag.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@dataclass(frozen=True, slots=True)
class _Loc:
    line: int | None
    column: int | None


@dataclass(slots=True)
class _Name:
    text: str
    loc: _Loc


@dataclass(slots=True)
class _Chain:
    terms: list[Any]  # each a list of names (a single name or a group of plain names) or a _Group
    arrows: list[Token]
    attrs: list[tuple[str, Any, _Loc]]
    loc: _Loc


@dataclass(slots=True)
class _Group:
    """A ``{ ... }`` block: its statements, and as an edge end every node written inside it."""

    statements: list[Any]
    loc: _Loc


@dataclass
class _DotAttrs:
    """A DOT-style attribute statement: ``graph [bb="..."]`` or ``node [...]``."""

    kind: str
    attrs: list[tuple[str, Any, _Loc]]
    loc: _Loc


@dataclass
class _GraphAttr:
    key: _Name
    value: str


@dataclass
class _Header:
    kind: Token
    name: _Name | None
    body: list[Any]


@dataclass(slots=True)
class _NodeInfo:
    loc: _Loc
    roles: set[str] = field(default_factory=set)
    label: tuple[str, _Loc] | None = None
    pos: tuple[tuple[float, float], _Loc] | None = None


class _FAST:
    """What the fast reader builds statements with."""

    Loc = _Loc
    Name = _Name
    Chain = _Chain
    GraphAttr = _GraphAttr
    Header = _Header
    unescape = staticmethod(lambda text: unescape(text))


def _loc_of(meta: Any) -> _Loc:
    return _Loc(getattr(meta, "line", None), getattr(meta, "column", None))


def _tok_loc(tok: Any) -> Any:
    where = getattr(tok, "where", None)  # the fast reader's tokens locate themselves lazily
    return where if where is not None else _Loc(tok.line, tok.column)


def unescape(text: str) -> str:
    """Decode a double-quoted string body (without the quotes).

    Examples
    --------
    >>> unescape(r'say \\"hi\\"\\nnow')
    'say "hi"\\nnow'
    """
    out: list[str] = []
    i = 0
    simple = {"n": "\n", "t": "\t", "r": "\r"}
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(simple.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _ToStatements(Transformer_NonRecursive):
    """Turn the parse tree into located statements (one method per rule)."""

    def bare_name(self, children: list[Token]) -> _Name:
        (tok,) = children
        return _Name(str(tok), _tok_loc(tok))

    def quoted_name(self, children: list[Token]) -> _Name:
        (tok,) = children
        return _Name(unescape(str(tok)[1:-1]), _tok_loc(tok))

    def single(self, children: list[_Name]) -> list[_Name]:
        return [children[0]]

    @v_args(meta=True)
    def group(self, meta: Any, children: list[Any]) -> _Group:
        return _Group([c for c in children if c is not None], _loc_of(meta))

    def string_value(self, children: list[Token]) -> str:
        return unescape(str(children[0])[1:-1])

    def number_value(self, children: list[Token]) -> str:
        return str(children[0])

    def word_value(self, children: list[Token]) -> str:
        return str(children[0])

    def attr(self, children: list[Any]) -> tuple[str, Any, _Loc]:
        key = children[0]
        value = children[1] if len(children) > 1 else None
        return (str(key), value, _tok_loc(key))

    def attrs(self, children: list[Any]) -> list[tuple[str, Any, _Loc]]:
        return [c for c in children if isinstance(c, tuple)]

    @v_args(meta=True)
    def chain(self, meta: Any, children: list[Any]) -> _Chain:
        terms: list[Any] = []
        arrows: list[Token] = []
        attrs: list[tuple[str, Any, _Loc]] = []
        for child in children:
            if isinstance(child, Token) and child.type == "ARROW":
                arrows.append(child)
            elif isinstance(child, list) and child and isinstance(child[0], tuple):
                attrs = child
            elif isinstance(child, (list, _Group)):
                terms.append(child)
        return _Chain(terms, arrows, attrs, _loc_of(meta))

    def graph_attr(self, children: list[Any]) -> _GraphAttr:
        return _GraphAttr(children[0], children[1])

    def dot_attrs(self, children: list[Any]) -> _DotAttrs:
        kind, attrs = children[0], children[1] if len(children) > 1 else []
        return _DotAttrs(str(kind), attrs, _tok_loc(kind))

    def empty(self, children: list[Any]) -> None:
        return None

    def body(self, children: list[Any]) -> list[Any]:
        return [c for c in children if c is not None]

    def header_graph(self, children: list[Any]) -> _Header:
        kind = children[0]
        name = children[1] if len(children) > 2 else None
        return _Header(kind, name, children[-1])

    def start(self, children: list[Any]) -> list[Any]:
        return children


class _Builder:
    """Collect nodes, edges and attributes from statements, checking them with locations."""

    def __init__(self, filename: str | None, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines
        self.nodes: dict[str, _NodeInfo] = {}
        self.edges: dict[tuple[str, str], _Loc] = {}
        self.edge_attrs: dict[tuple[str, str], dict[str, str]] = {}
        self.bidirected: dict[frozenset[str], tuple[str, str]] = {}
        self.graph_attrs: dict[str, str] = {}
        self.name: str | None = None
        self.depth = 0  # nesting of the group being read
        self.kind = "dag"  # the header word (bare statements are a dag)
        self.marked_mode = False  # a pdag/mag/pag/graph, or a digraph with '--' or '@' marks
        self.kind_loc = _Loc(1, 1)
        self.marked: list[tuple[str, str, str, _Loc]] = []  # every edge as written, for the marked-graph classes

    # -- errors
    def syntax(self, message: str, loc: _Loc, hint: str | None = None) -> DagSyntaxError:
        return DagSyntaxError(
            message,
            filename=self.filename,
            line=loc.line,
            column=loc.column,
            source_line=self._line(loc.line),
            hint=hint,
        )

    def graph(self, message: str, loc: _Loc) -> GraphError:
        return GraphError(message, filename=self.filename, line=loc.line, column=loc.column)

    def _line(self, line: int | None) -> str | None:
        if line is None or not 1 <= line <= len(self.lines):
            return None
        return self.lines[line - 1]

    # -- statements
    def node(self, name: _Name) -> _NodeInfo:
        info = self.nodes.get(name.text)
        if info is None:
            info = self.nodes[name.text] = _NodeInfo(name.loc)
        return info

    def run(self, items: list[Any]) -> None:
        header: _Header | None = None
        statements: list[Any] = []
        for item in items:
            if isinstance(item, _Header):
                header = item
            else:
                statements.extend(item)
        if header is not None:
            kind = str(header.kind)
            self.kind = kind
            self.kind_loc = _tok_loc(header.kind)
            self.name = header.name.text if header.name else None
            if statements:
                first = statements[0]
                loc = first.loc if isinstance(first, _Chain) else first.key.loc
                raise self.syntax("statement after the closing '}' of the graph", loc, "put every statement inside the braces")
            statements = header.body
        for stmt in statements:
            if stmt.__class__ is SimpleEdge:
                self.simple_edge(stmt)
            else:
                self.statement(stmt)

    def statement(self, stmt: Any) -> list[_Name]:
        """Apply one statement; return the nodes it mentions (what a group containing it stands for)."""
        if isinstance(stmt, _GraphAttr):
            self.graph_attribute(stmt)
            return []
        if isinstance(stmt, _DotAttrs):
            self.dot_attributes(stmt)
            return []
        return self.chain(stmt)

    def term(self, term: Any) -> list[_Name]:
        """The nodes an edge end stands for: a name, or every node written inside a group."""
        if not isinstance(term, _Group):
            return term  # type: ignore[no-any-return]
        if self.depth >= MAX_GROUP_DEPTH:
            raise self.syntax(f"groups nested more than {MAX_GROUP_DEPTH} levels deep", term.loc, "flatten the model: a group stands for every node written inside it")
        self.depth += 1
        names: dict[str, _Name] = {}
        for stmt in term.statements:
            for name in self.statement(stmt):
                names.setdefault(name.text, name)
        self.depth -= 1
        return list(names.values())

    def legacy(self, text: str) -> None:
        """Read DAGitty's legacy format (see :mod:`dagcore.grammar.legacy`) through the same checks."""
        try:
            variables, edges = read_legacy(text)
        except ValueError as err:
            message, line, column = err.args
            raise self.graph(message, _Loc(line, column)) from None
        for var in variables:
            loc = _Loc(var.line, var.column)
            info = self.node(_Name(var.name, loc))
            info.roles.update(var.roles)
            if var.pos is not None:
                info.pos = (var.pos, loc)
        directed = {(e.parent, e.child): e for e in edges}
        for e in edges:
            a, b = _Name(e.parent, _Loc(e.line, e.column)), _Name(e.child, _Loc(e.line, e.column))
            if (e.child, e.parent) in directed:  # written in both directions: DAGitty reads a bidirected edge
                self.edge(a.text, b.text, "<->", a.loc, [])
            else:
                self.edge(a.text, b.text, "->", a.loc, [])

    def marked_attributes(self, attrs: list[tuple[str, Any, _Loc]]) -> None:
        for key, _value, key_loc in attrs:
            if key != "pos":
                raise self.graph(f"attribute {key!r} on an edge of a {self.kind} is not supported (only 'pos' is accepted and ignored)", key_loc)

    def dot_attributes(self, stmt: _DotAttrs) -> None:
        if stmt.kind == "graph":
            for key, value, loc in stmt.attrs:
                if value is None:
                    raise self.graph(f"graph attribute {key!r} needs a value, e.g. {key}=\"...\"", loc)
                self.graph_attribute(_GraphAttr(_Name(key, loc), str(value)))
        elif stmt.attrs:
            key, _value, loc = stmt.attrs[0]
            raise self.graph(
                f"DOT default attributes ({stmt.kind} [{key} ...]) are not part of a causal model; "
                f"write attributes on each {stmt.kind}, or quote a node named {stmt.kind!r} (\"{stmt.kind}\" [...])",
                loc,
            )

    def graph_attribute(self, stmt: _GraphAttr) -> None:
        key = stmt.key.text
        if key not in GRAPH_ATTRIBUTES:
            close = get_close_matches(key, GRAPH_ATTRIBUTES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; graph attributes are: {', '.join(GRAPH_ATTRIBUTES)}"
            raise self.graph(f"unknown graph attribute {key!r}{hint}", stmt.key.loc)
        self.graph_attrs[key] = stmt.value

    def chain(self, stmt: _Chain) -> list[_Name]:
        terms = [self.term(t) for t in stmt.terms]
        for term in terms:
            for name in term:
                self.node(name)
        if not stmt.arrows:
            for name in terms[0]:
                self.node_attributes(name, stmt.attrs)
            return terms[0]
        for arrow, left, right in zip(stmt.arrows, terms, terms[1:]):
            kind, loc = str(arrow), _tok_loc(arrow)
            self.arrow(kind, loc)
            for a in left:
                for b in right:
                    self.connect(a.text, b.text, kind, loc, stmt.attrs)
        return [name for term in terms for name in term]

    def simple_edge(self, stmt: SimpleEdge) -> None:
        """A statement ``a -> b`` (:class:`~dagcore.grammar.fastpath.SimpleEdge`): what :meth:`chain` does with it."""
        nodes = self.nodes
        if stmt.a not in nodes:
            nodes[stmt.a] = _NodeInfo(stmt.where(stmt.a_at))
        if stmt.b not in nodes:
            nodes[stmt.b] = _NodeInfo(stmt.where(stmt.b_at))
        loc = stmt.where(stmt.arrow_at)
        self.arrow(stmt.arrow, loc)
        self.connect(stmt.a, stmt.b, stmt.arrow, loc, [])

    def arrow(self, kind: str, loc: Any) -> None:
        """An arrow of a chain: refused in a dag when it is a mark only the graph classes have; in a class, or a digraph with marks, the marked mode."""
        if kind in _UNSUPPORTED_EDGES and self.kind == "dag":
            header = "pag" if "@" in kind else "pdag (unknown orientation), mag (selection) or graph (undirected)"
            raise self.syntax(
                f"edge mark '{kind}' does not belong in a dag, which has '->', '<-' and '<->'; write the graph as {header} {{ ... }}",
                loc,
            )
        if not self.marked_mode and self.kind in GRAPH_CLASSES and (self.kind != "digraph" or kind in _UNSUPPORTED_EDGES):
            self.marked_mode = True

    def connect(self, a: str, b: str, kind: str, loc: Any, attrs: list[tuple[str, Any, _Loc]]) -> None:
        """One edge ``a kind b`` of a chain, at the arrow's ``loc``."""
        if a == b:
            raise self.graph(f"self loop {a} {kind} {a}: a variable cannot cause itself", loc)
        if self.kind in GRAPH_CLASSES:
            self.marked.append((a, kind, b, loc))
        if not self.marked_mode:
            self.edge(a, b, kind, loc, attrs)
        else:
            self.marked_attributes(attrs)

    def edge(self, a: str, b: str, kind: str, loc: _Loc, attrs: list[tuple[str, Any, _Loc]]) -> None:
        if a == b:
            raise self.graph(f"self loop {a} {kind} {a}: a variable cannot cause itself", loc)
        if kind == "<->":
            pair = tuple(sorted((a, b)))
            for key, _value, key_loc in attrs:
                if key != "pos":
                    raise self.graph(f"attribute {key!r} on a bidirected edge is not supported (only 'pos' is accepted and ignored)", key_loc)
            self.bidirected.setdefault(frozenset(pair), pair)  # type: ignore[arg-type]
            return
        u, v = (a, b) if kind == "->" else (b, a)
        if (u, v) not in self.edges:
            self.edges[(u, v)] = loc
        if attrs:
            target = self.edge_attrs.setdefault((u, v), {})
            for key, value, key_loc in attrs:
                text = "" if value is None else str(value)
                if key in target and target[key] != text:
                    raise self.graph(f"edge {u} -> {v} has two values for {key!r}: {target[key]!r} and {text!r}", key_loc)
                target[key] = text

    def node_attributes(self, name: _Name, attrs: list[tuple[str, Any, _Loc]]) -> None:
        info = self.node(name)
        for key, value, loc in attrs:
            if key in ROLE_ALIASES:
                if value is not None:
                    raise self.graph(f"role {key!r} takes no value (write [{key}], not [{key}={value}])", loc)
                info.roles.add(ROLE_ALIASES[key])
            elif key == "label":
                if value is None:
                    raise self.graph("attribute 'label' needs a value, e.g. label=\"Body mass index\"", loc)
                if info.label is not None and info.label[0] != value:
                    raise self.graph(f"node {name.text!r} has two labels: {info.label[0]!r} and {value!r}", loc)
                info.label = (str(value), loc)
            elif key == "pos":
                parsed = self.position(value, loc)
                if info.pos is not None and info.pos[0] != parsed:
                    raise self.graph(f"node {name.text!r} has two positions: {info.pos[0]} and {parsed}", loc)
                info.pos = (parsed, loc)
            else:
                words = (*ROLE_ALIASES, *VALUED_NODE_ATTRIBUTES)
                close = get_close_matches(key, words, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else "; node attributes are roles (exposure, outcome, latent, adjusted, selected), label and pos"
                raise self.graph(f"unknown node attribute {key!r}{hint}", loc)

    def position(self, value: Any, loc: _Loc) -> tuple[float, float]:
        if value is None:
            raise self.graph('attribute \'pos\' needs a value, e.g. pos="0.5,-1"', loc)
        parts = str(value).split(",")
        try:
            x, y = (float(p) for p in parts)
        except ValueError:
            raise self.graph(f"pos must be two numbers \"x,y\", got {value!r}", loc) from None
        return (x, y)

    # -- the model
    def build_marked(self, roles: dict[str, list[str]]) -> MarkedGraph:
        """The graph of a pdag/mag/pag/graph header (or a digraph with marks): its class validates it."""
        if self.kind == "digraph" and any("@" in tok for _, tok, _, _ in self.marked):
            bad = next(e for e in self.marked if "@" in e[1])
            raise self.syntax(f"edge mark '{bad[1]}' belongs in a pag {{ ... }}, not a digraph", bad[3])
        cls = GRAPH_CLASSES[self.kind]
        for a, tok, b, loc in self.marked:
            if MarkedEdge.of(a, tok, b).token not in cls.TOKENS:
                allowed = ", ".join(sorted(cls.TOKENS))
                raise self.graph(f"edge {a} {tok} {b} does not belong in a {self.kind} (its edges are {allowed})", loc)
        try:
            return cls(
                [(a, tok, b) for a, tok, b, _ in self.marked],
                nodes=list(self.nodes),
                labels={n: i.label[0] for n, i in self.nodes.items() if i.label},
                positions={n: i.pos[0] for n, i in self.nodes.items() if i.pos},
                name=self.name,
                attributes=self.graph_attrs,
                **roles,  # type: ignore[arg-type]
            )
        except CycleError as err:
            raise self.cycle(err.cycle) from None
        except GraphError as err:
            if err.line is not None or isinstance(err, CycleError):
                raise
            raise self.graph(f"{err.message} ({self.kind} graph)", self.kind_loc) from None

    def build(self) -> Any:
        roles: dict[str, list[str]] = {r: [] for r in ("exposure", "outcome", "latent", "adjusted", "selected")}
        for name, info in self.nodes.items():
            for role in info.roles:
                roles[role].append(name)
            if "exposure" in info.roles and "outcome" in info.roles:
                raise self.graph(f"node {name!r} is both exposure and outcome; a node can have only one of these roles", info.loc)
            for role in ("exposure", "outcome"):
                if role in info.roles and "latent" in info.roles:
                    raise self.graph(f"{role} {name!r} is latent; an {role} must be observed", info.loc)
        if self.marked_mode or self.kind in ("pdag", "mag", "pag", "graph"):
            return self.build_marked(roles)
        try:
            return CausalGraph(
                list(self.edges),
                nodes=list(self.nodes),
                bidirected=list(self.bidirected.values()),
                labels={n: i.label[0] for n, i in self.nodes.items() if i.label},
                positions={n: i.pos[0] for n, i in self.nodes.items() if i.pos},
                edge_attributes=self.edge_attrs,
                name=self.name,
                attributes=self.graph_attrs,
                **roles,  # type: ignore[arg-type]
            )
        except CycleError as err:
            raise self.cycle(err.cycle) from None

    def cycle(self, cycle: list[str]) -> CycleError:
        """The cycle error located at the edge of the cycle written last in the text."""
        edges = list(zip(cycle, cycle[1:]))
        written = self.edges
        if self.marked_mode:
            written = {}
            for a, tok, b, loc in self.marked:
                if tok in ("->", "<-"):
                    written.setdefault((a, b) if tok == "->" else (b, a), loc)
        order = {e: i for i, e in enumerate(written)}
        closing = max(edges, key=lambda e: order.get(e, -1))
        loc = written.get(closing, _Loc(None, None))
        # Show the cycle so that it ends with the edge that closed it.
        i = edges.index(closing)
        rotated = [e[0] for e in edges[i + 1 :] + edges[: i + 1]]
        rotated.append(rotated[0])
        err = CycleError(rotated, filename=self.filename, line=loc.line, column=loc.column)
        return err


def _syntax_error(err: UnexpectedInput, text: str, filename: str | None) -> DagSyntaxError:
    lines = text.splitlines()
    line = getattr(err, "line", None)
    column = getattr(err, "column", None)
    if not isinstance(line, int) or line < 1:
        line = max(len(lines), 1)
        column = len(lines[-1]) + 1 if lines else 1
    source = lines[line - 1] if 0 < line <= len(lines) else None
    pos = getattr(err, "pos_in_stream", None)
    message, hint = "invalid syntax", None
    if isinstance(err, UnexpectedCharacters):
        ch = text[pos] if pos is not None and pos < len(text) else ""
        before = text[pos - 1] if pos else ""
        message = f"unexpected character {ch!r}"
        if ch == ">" and before == "=" or ch == "=" and pos is not None and text[pos : pos + 2] == "=>":
            hint = "write an edge as '->', not '=>'"
        elif ch in "→⟶➔":
            hint = "write an edge as '->' (ASCII), not '→'"
        elif ch in "←⟵":
            hint = "write an edge as '<-' (ASCII), not '←'"
        elif ch in "↔⟷":
            hint = "write a bidirected edge as '<->' (ASCII), not '↔'"
        elif ch == "'":
            hint = "names and values are quoted with double quotes \"...\", not single quotes"
        elif ch == "~":
            hint = "this is not an R formula: write each edge, e.g. 'x -> y' and 'z -> y' for y ~ x + z"
        elif ch == "+":
            hint = "list several causes as a group, e.g. '{x z} -> y', not with '+'"
        elif ch == '"':
            hint = "a double-quoted string is not closed on this line"
        elif ch == "-":
            hint = "an edge is '->', '<-' or '<->'"
    elif isinstance(err, UnexpectedToken):
        tok = err.token
        expected = set(err.expected)
        value = str(tok)
        if tok.type == "$END":
            message = "unexpected end of text"
            if "RBRACE" in expected:
                hint = "a '{' is not closed: add the missing '}'"
            elif "NAME" in expected or "STRING" in expected:
                hint = "an edge needs a node name on both sides; something is missing after the last arrow"
        else:
            message = f"unexpected {value!r}"
            if tok.type == "ARROW":
                hint = "an edge needs a node name on both sides"
            elif tok.type == "RBRACE" and text[: tok.start_pos].rstrip().endswith(("->", "<-", "--", "@")):
                hint = "an edge needs a node name on both sides; something is missing after the last arrow"
            elif tok.type == "RBRACE":
                hint = "this '}' closes nothing: braces are unbalanced"
            elif tok.type in ("LSQB",) and "ARROW" not in expected:
                hint = "attributes [..] follow a node or an edge"
            elif tok.type == "EQUAL":
                hint = "'=' appears only inside attributes, e.g. X [label=\"x\"], or in a graph attribute bb=\"...\""
            elif tok.type == "RSQB":
                hint = "an attribute list is malformed"
            elif tok.type == "GRAPHTYPE":
                hint = "the graph header ('dag { ... }') must come first"
        if tok.type != "$END":
            line, column = tok.line, tok.column
            source = lines[line - 1] if 0 < line <= len(lines) else None
    elif isinstance(err, UnexpectedEOF):
        message = "unexpected end of text"
        hint = "a '{' or '[' is not closed"
    return DagSyntaxError(message, filename=filename, line=line, column=column, source_line=source, hint=hint)


def parse(text: str, *, filename: str | None = None) -> CausalGraph:
    """Parse ``.dag`` text into a :class:`~dagcore.CausalGraph`.

    Parameters
    ----------
    text : str
        The model, e.g. ``"dag { X [exposure] Y [outcome] Z -> {X Y} X -> Y }"``.
    filename : str, optional
        Shown at the start of error messages.

    Returns
    -------
    CausalGraph

    Raises
    ------
    DagSyntaxError
        Malformed text (also a :class:`SyntaxError`), with line, column and a hint.
    GraphError
        Well-formed text that is not a valid DAG: a cycle (:class:`CycleError`,
        located at the edge that closed it), a self loop, contradictory roles or
        attributes, an unknown attribute.

    Examples
    --------
    >>> g = parse("dag { X [exposure] Y [outcome] Z -> {X Y} X -> Y }")
    >>> sorted(g.edges)
    [('X', 'Y'), ('Z', 'X'), ('Z', 'Y')]
    >>> sorted(g.exposure), sorted(g.outcome)
    (['X'], ['Y'])
    >>> parse("A <-> B").bidirected
    frozenset({('A', 'B')})
    >>> parse("A -> B\\nB -> A", filename="m.dag")
    Traceback (most recent call last):
    ...
    dagcore.errors.CycleError: m.dag:2:3: the graph has a directed cycle A -> B -> A; ...
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes the .dag text as a str, got {type(text).__name__}; use load(path) for a file")
    if len(text) > MAX_TEXT:
        raise DagSyntaxError(
            f"the text has {len(text):,} characters; dagcore reads models of at most {MAX_TEXT:,} "
            "(about 2.5 million edges; a 3-million-edge model took 7.4 GB and 6 minutes to read here)",
            filename=filename,
        )
    # Parsing allocates many small objects and no cycles: pausing the cyclic garbage collector
    # avoids repeated full-heap scans on large files (the objects are freed by reference counting).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(text, filename, fast=True)
    finally:
        if collecting:
            gc.enable()


def _build(text: str, filename: str | None, *, fast: bool) -> CausalGraph:
    """Read ``text`` (dot-like syntax, with the fast reader first when ``fast``; or DAGitty's legacy format)."""
    if text.startswith("\ufeff"):  # a UTF-8 byte-order mark, as some Windows editors write
        text = text[1:]
    builder = _Builder(filename, text.splitlines())
    if is_legacy(text):
        builder.legacy(text)
        return builder.build()
    items: list[Any] | None = None
    if fast:
        with contextlib.suppress(Fallback):
            items = read_statements(text, _FAST)
    builder.run(items if items is not None else _read_with_lark(text, filename))
    return builder.build()


def _read_with_lark(text: str, filename: str | None) -> list[Any]:
    """Parse with the lark grammar (the definition of the language) into located statements."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _syntax_error(err, text, filename) from None
    except (LarkError, RecursionError) as err:  # pragma: no cover - defensive
        raise DagSyntaxError(f"could not parse: {err}", filename=filename) from None
    try:
        return _ToStatements().transform(tree)
    except LarkError as err:  # pragma: no cover - defensive: visit errors wrap ours
        original = getattr(err, "orig_exc", None)
        if isinstance(original, DagcoreError):
            raise original from None
        raise DagSyntaxError(f"could not read the model: {err}", filename=filename) from None


def _parse_with_lark(text: str, *, filename: str | None = None) -> CausalGraph:
    """:func:`parse` without the fast reader (for tests of their agreement)."""
    return _build(text, filename, fast=False)


def load(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> CausalGraph:
    """Read and parse a ``.dag`` file.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    DagSyntaxError, GraphError
        As :func:`parse`, with the file name in the message.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.dag"
    >>> _ = p.write_text("Z -> X; Z -> Y; X -> Y")
    >>> len(load(p).edges)
    3
    """
    p = Path(path)
    try:
        text = p.read_text(encoding=encoding)
    except UnicodeDecodeError as err:
        raise DagSyntaxError(f"file is not valid {encoding} text ({err.reason} at byte {err.start})", filename=str(p)) from None
    return parse(text, filename=str(p))
