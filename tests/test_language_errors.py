"""A corpus of malformed .dag inputs: each gives its error class, line, column and message."""

import pytest

from dagcore import CycleError, DagcoreError, DagSyntaxError, GraphError
from dagcore.grammar import load, parse

CORPUS = [
        ('A => B', DagSyntaxError, 1, 4, "'->', not '=>'"),
        ('A → B', DagSyntaxError, 1, 3, "not '→'"),
        ('A ← B', DagSyntaxError, 1, 3, "not '←'"),
        ('A ↔ B', DagSyntaxError, 1, 3, "not '↔'"),
        ("'A' -> B", DagSyntaxError, 1, 1, 'single quotes'),
        ("A [label='x']", DagSyntaxError, 1, 10, 'single quotes'),
        ('y ~ x + z', DagSyntaxError, 1, 3, 'R formula'),
        ('x + z -> y', DagSyntaxError, 1, 3, 'as a group'),
        ('{A -> } -> C', DagSyntaxError, 1, 7, 'name on both sides'),
        ('dag { node [shape=box] A -> B }', GraphError, 1, 13, 'DOT default attributes'),
        ('dag { node [color=red] A -> B }', GraphError, 1, 13, 'not part of a causal model'),
        ('digraph G { graph [bb] }', GraphError, 1, 20, "graph attribute 'bb' needs a value"),
        ('digraph G { graph [size="3"] }', GraphError, 1, 20, "unknown graph attribute 'size'"),
        ('{x [exposur]} -> y', GraphError, 1, 5, "did you mean 'exposure'"),
        ('a -> {b -> c}; c -> a', CycleError, 1, 18, 'directed cycle'),
        ('dag { A -> B', DagSyntaxError, 1, 12, 'not closed'),
        ('dag {\n  A -> B\n', DagSyntaxError, 2, 8, 'not closed'),
        ('A -> B }', DagSyntaxError, 1, 8, 'closes nothing'),
        ('dag { A -> B } }', DagSyntaxError, 1, 16, 'closes nothing'),
        ('-> B', DagSyntaxError, 1, 1, 'name on both sides'),
        ('A ->', DagSyntaxError, 1, 3, 'missing after the last arrow'),
        ('A -> -> B', DagSyntaxError, 1, 6, 'name on both sides'),
        ('A -> B\nC ->\n', DagSyntaxError, 2, 3, 'missing after the last arrow'),
        ('"unclosed -> B', DagSyntaxError, 1, 1, 'not closed'),
        ('A [exposure', DagSyntaxError, 1, 4, 'unexpected end'),
        ('A [=1]', DagSyntaxError, 1, 4, "unexpected '='"),
        ('A - B', DagSyntaxError, 1, 3, "'->', '<-' or '<->'"),
        ('A -- B', DagSyntaxError, 1, 3, 'write the graph as pdag'),
        ('A @-> B', DagSyntaxError, 1, 3, 'write the graph as pag'),
        ('pdag { A <-> B }', GraphError, 1, 10, 'does not belong in a pdag'),
        ('mag { A @-> B }', GraphError, 1, 9, 'does not belong in a mag'),
        ('graph { A -> B }', GraphError, 1, 11, 'does not belong in a graph'),
        ('digraph { A @-> B }', DagSyntaxError, 1, 13, 'belongs in a pag'),
        ('mag { a -> b -> c  a <-> c }', GraphError, 1, 1, 'not ancestral'),
        ('pdag {\n a -> b -- c <- d }', GraphError, 1, 1, 'stands for no DAG'),
        ('dag { A -> B } C -> D', DagSyntaxError, 1, 16, 'after the closing'),
        ('A [exposure] [outcome]', DagSyntaxError, 1, 14, "unexpected '['"),
        ('A -> B\nB -> C\nC -> A', CycleError, 3, 3, 'A -> B -> C -> A'),
        ('A -> B\nB -> A', CycleError, 2, 3, 'A -> B -> A'),
        ('X -> Y <- X <- Y', CycleError, 1, 13, 'directed cycle'),
        ('A -> A', GraphError, 1, 3, 'self loop'),
        ('A <-> A', GraphError, 1, 3, 'self loop'),
        ('A [exposur]', GraphError, 1, 4, "did you mean 'exposure'"),
        ('A [lable="x"]', GraphError, 1, 4, "did you mean 'label'"),
        ('A [colour=red]', GraphError, 1, 4, "unknown node attribute 'colour'"),
        ('A [exposure, outcome]', GraphError, 1, 1, 'both exposure and outcome'),
        ('A [exposure] A [outcome]', GraphError, 1, 1, 'both exposure and outcome'),
        ('A [latent, exposure]', GraphError, 1, 1, 'an exposure must be observed'),
        ('Y [u, outcome]', GraphError, 1, 1, 'an outcome must be observed'),
        ('A [label="x"] A [label="y"]', GraphError, 1, 18, 'two labels'),
        ('A [pos="1,2"] A [pos="3,4"]', GraphError, 1, 18, 'two positions'),
        ('A [pos="1"]', GraphError, 1, 4, 'two numbers'),
        ('A [pos="a,b"]', GraphError, 1, 4, 'two numbers'),
        ('A [label]', GraphError, 1, 4, 'needs a value'),
        ('A [exposure=1]', GraphError, 1, 4, 'takes no value'),
        ('bx="1"', GraphError, 1, 1, "unknown graph attribute 'bx'"),
        ('A -> B [beta=1]; A -> B [beta=2]', GraphError, 1, 26, "two values for 'beta'"),
        ('A <-> B [beta=1]', GraphError, 1, 10, 'bidirected edge is not supported'),
        ('A -> B [beta=1', DagSyntaxError, 1, 14, 'unexpected end'),
        ('A [exposure] {', DagSyntaxError, 1, 14, 'not closed'),
]


@pytest.mark.parametrize(("text", "error", "line", "column", "fragment"), CORPUS)
def test_malformed_input(text: str, error: type, line: int, column: int, fragment: str) -> None:
    with pytest.raises(error) as info:
        parse(text, filename="m.dag")
    err = info.value
    assert type(err) is error
    assert (err.line, err.column) == (line, column)
    assert fragment in str(err)
    assert str(err).startswith(f"m.dag:{line}:{column}: ")


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40


def test_syntax_error_is_a_python_syntax_error_with_caret_data() -> None:
    with pytest.raises(SyntaxError) as info:
        parse("A -> B\nC => D", filename="model.dag")
    err = info.value
    assert isinstance(err, DagcoreError)
    assert (err.filename, err.lineno, err.offset, err.text) == ("model.dag", 2, 4, "C => D")


def test_cycle_error_names_the_cycle_and_the_closing_edge() -> None:
    with pytest.raises(CycleError) as info:
        parse("A -> B\nB -> C\n\nC -> A\n", filename="m.dag")
    assert info.value.cycle == ["A", "B", "C", "A"]
    assert info.value.line == 4


def test_graph_errors_are_value_errors() -> None:
    assert issubclass(GraphError, ValueError) and issubclass(DagSyntaxError, SyntaxError)


def test_load_reports_the_file_name(tmp_path) -> None:
    p = tmp_path / "bad.dag"
    p.write_text("A -> B\nB -> A\n", encoding="utf-8")
    with pytest.raises(CycleError, match=r"bad.dag:2:3: "):
        load(p)


def test_load_rejects_non_utf8(tmp_path) -> None:
    p = tmp_path / "latin.dag"
    p.write_bytes(b"\xe9 -> b")
    with pytest.raises(DagSyntaxError, match="not valid utf-8"):
        load(p)


def test_parse_rejects_non_text() -> None:
    with pytest.raises(TypeError, match="use load"):
        parse(b"A -> B")  # type: ignore[arg-type]
