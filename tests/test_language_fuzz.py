"""Fuzzing the parser: arbitrary text and mutated example files raise nothing but DagcoreError subclasses."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore import DagcoreError
from dagcore.grammar import from_dot, from_gml, from_json, parse

EXAMPLES = sorted(Path(__file__).parents[1].glob("examples/**/*.dag"))
DAG_ALPHABET = st.sampled_from(list("ab XYZ{}[]<>-@=;,\"'#/*\n\\.0123456789eou") + ["->", "<-", "<->", "dag", "exposure", "pos=", "\"1,2\"", "graph", "node", "\ufeff", " E", " @0.1,-2", "\n\n", "{a [e]}"])


def _parse_or_dagcore_error(text: str) -> None:
    with contextlib.suppress(DagcoreError):
        parse(text)


@settings(max_examples=400)
@given(st.lists(DAG_ALPHABET, max_size=40).map("".join))
def test_dag_like_text(text: str) -> None:
    _parse_or_dagcore_error(text)


@pytest.mark.slow
@settings(max_examples=200)
@given(st.text(max_size=60))
def test_any_unicode_text(text: str) -> None:
    _parse_or_dagcore_error(text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_mutations_of_examples(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    rng = random.Random(path.name)
    pool = "{}[]<>-=;,\"#/*\n ab"
    for _ in range(150):
        chars = list(source)
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            i = rng.randrange(len(chars) + 1)
            if op < 0.4 and chars:
                del chars[min(i, len(chars) - 1)]
            elif op < 0.8:
                chars.insert(i, rng.choice(pool))
            elif len(chars) > 1:
                j = rng.randrange(len(chars))
                i = min(i, len(chars) - 1)
                chars[i], chars[j] = chars[j], chars[i]
        _parse_or_dagcore_error("".join(chars))


def test_deep_nesting_does_not_recurse_out() -> None:
    _parse_or_dagcore_error("{" * 5000 + "A" + "}" * 5000)
    _parse_or_dagcore_error("{A -> " * 3000 + "B" + "}" * 3000)
    assert sorted(parse("{" * 90 + "A -> B" + "}" * 90).edges) == [("A", "B")]
    _parse_or_dagcore_error("A" + " -> A" * 3000)


@settings(max_examples=150)
@given(st.text(alphabet=st.sampled_from(list('digraph{}[]->;="ab ,:\n')), max_size=50))
def test_dot_reader(text: str) -> None:
    with contextlib.suppress(DagcoreError):
        from_dot(text)


@settings(max_examples=100)
@given(st.text(max_size=60))
def test_json_and_gml_readers(text: str) -> None:
    for reader in (from_json, from_gml):
        with contextlib.suppress(DagcoreError):
            reader(text)


def _outcome(fn, text: str):  # noqa: ANN001, ANN202
    try:
        return ("ok", fn(text))
    except DagcoreError as err:
        return (type(err).__name__, str(err))


@pytest.mark.slow
@settings(max_examples=600)
@given(st.lists(DAG_ALPHABET, max_size=40).map("".join))
def test_fast_reader_agrees_with_the_grammar_on_generated_text(text: str) -> None:
    from dagcore.grammar.parser import _parse_with_lark

    assert _outcome(parse, text) == _outcome(_parse_with_lark, text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fast_reader_agrees_with_the_grammar_on_mutated_examples(path: Path) -> None:
    from dagcore.grammar.parser import _parse_with_lark

    source = path.read_text(encoding="utf-8")
    rng = random.Random("agree" + path.name)
    assert _outcome(parse, source) == _outcome(_parse_with_lark, source)
    for _ in range(150):
        chars = list(source)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(chars))
            if rng.random() < 0.5:
                del chars[i]
            else:
                chars.insert(i, rng.choice("{}[]<>-=;,\"#/*\n .1e"))
        text = "".join(chars)
        assert _outcome(parse, text) == _outcome(_parse_with_lark, text), text


CLASS_ALPHABET = st.sampled_from(
    ["pdag", "mag", "pag", "graph", "digraph", "dag", " ", "\n", "{", "}", "[", "]", ";", "a", "b", "c", "x", "G", "1"]
    + ["->", "<-", "<->", "--", "@-@", "@->", "<-@", "@--", "--@", "-", "@", "<", ">", "exposure", "latent", "=", ","]
)


@settings(max_examples=300)
@given(st.lists(CLASS_ALPHABET, max_size=30).map("".join))
def test_fast_reader_agrees_with_the_grammar_on_graph_class_text(text: str) -> None:
    from dagcore.grammar.parser import _parse_with_lark

    assert _outcome(parse, text) == _outcome(_parse_with_lark, text)


@pytest.mark.parametrize("model", ["pdag { a -- b -> c  b -- d }", "mag { a <-> b -> c  x -- y }", "pag { a @-@ b @-> c <-@ d  e @-- f }",
                                   "graph G { a -- b -- c }", "digraph { a -> b  a -- b }", "pdag{a--b}", "pag{a@->b}"])
def test_the_fast_reader_reads_graph_classes(model: str) -> None:
    from dagcore.grammar import fastpath
    from dagcore.grammar.parser import _FAST, _parse_with_lark

    fastpath.read_statements(model, _FAST)  # no Fallback: the fast reader handles the text itself
    assert parse(model) == _parse_with_lark(model)
