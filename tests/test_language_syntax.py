"""Every feature of the .dag language parses to the right graph."""

import pytest

from dagcore import CausalGraph, GraphError
from dagcore.grammar import load, parse

DAGITTY_EXPORT = """dag {
bb="-4.2,-3.5,4.1,3.8"
A [pos="-2.200,-1.520"]
B [pos="1.400,-1.460"]
D [outcome,pos="1.400,1.621"]
E [exposure,pos="-2.200,1.597"]
Z [adjusted,pos="-0.300,-0.082"]
A -> E
A -> Z [pos="-0.791,-1.045"]
B -> D
B -> Z
E -> D
}
"""


def test_dagitty_export_with_bb_and_pos() -> None:
    g = parse(DAGITTY_EXPORT)
    assert g.edges == {("A", "E"), ("A", "Z"), ("B", "D"), ("B", "Z"), ("E", "D")}
    assert g.exposure == {"E"} and g.outcome == {"D"} and g.adjusted == {"Z"}
    assert g.positions["A"] == (-2.2, -1.52)
    assert g.attributes["bb"] == "-4.2,-3.5,4.1,3.8"
    assert g.edge_attributes[("A", "Z")] == {"pos": "-0.791,-1.045"}


@pytest.mark.parametrize(
    ("text", "edges"),
    [
        ("X -> Y", {("X", "Y")}),
        ("X <- Y", {("Y", "X")}),
        ("X <- Z -> Y", {("Z", "X"), ("Z", "Y")}),
        ("A -> B -> C", {("A", "B"), ("B", "C")}),
        ("{A B} -> {C D}", {("A", "C"), ("A", "D"), ("B", "C"), ("B", "D")}),
        ("{A, B} -> C", {("A", "C"), ("B", "C")}),
        ("A -> B; B -> C;", {("A", "B"), ("B", "C")}),
        ("A -> B B -> C", {("A", "B"), ("B", "C")}),
        ("dag { A -> B }", {("A", "B")}),
        ("digraph G { A -> B }", {("A", "B")}),
        ('"body mass" -> "blood pressure"', {("body mass", "blood pressure")}),
        ("âge -> 血压", {("âge", "血压")}),
        ("x1.a -> x_2", {("x1.a", "x_2")}),
        ('"say \\"hi\\"" -> b', {('say "hi"', "b")}),
        ("A -> B\nA -> B", {("A", "B")}),
    ],
)
def test_edges(text: str, edges: set) -> None:
    assert parse(text).edges == edges


@pytest.mark.parametrize(
    ("attr", "role"),
    [
        ("exposure", "exposure"), ("e", "exposure"), ("source", "exposure"),
        ("outcome", "outcome"), ("o", "outcome"), ("target", "outcome"),
        ("latent", "latent"), ("u", "latent"), ("unobserved", "latent"), ("l", "latent"),
        ("adjusted", "adjusted"), ("a", "adjusted"),
        ("selected", "selected"), ("s", "selected"),
    ],
)
def test_role_aliases(attr: str, role: str) -> None:
    g = parse(f"N [{attr}] N -> M")
    assert g.roles_of("N") == {role}


def test_comments_of_three_kinds() -> None:
    text = "# hash\nA -> B // line\n/* block\n spanning */ B -> C"
    assert parse(text).edges == {("A", "B"), ("B", "C")}


def test_bidirected_edge_is_explicit_latent() -> None:
    g = parse("X -> Y; X <-> Y")
    assert g.bidirected == {("X", "Y")}
    assert g.observed == ("X", "Y")


def test_labels_positions_and_edge_attributes() -> None:
    g = parse('X [label="Smoking", pos="0,1.5"]; X -> Y [beta=0.4]; X -> Z [beta=-1e-3]')
    assert g.labels == {"X": "Smoking"} and g.positions == {"X": (0.0, 1.5)}
    assert g.edge_attributes[("X", "Y")] == {"beta": "0.4"}
    assert g.edge_attributes[("X", "Z")] == {"beta": "-1e-3"}


def test_group_node_statement_sets_roles_for_all() -> None:
    g = parse("{U1 U2} [latent]; U1 -> X; U2 -> X")
    assert g.latent == {"U1", "U2"}


def test_isolated_nodes_and_name() -> None:
    g = parse("dag m { A B C -> D }")
    assert set(g.nodes) == {"A", "B", "C", "D"} and g.name == "m"


def test_same_graph_as_constructor() -> None:
    g = parse("dag { X [exposure] Y [outcome] Z -> {X Y} X -> Y }")
    assert g == CausalGraph([("Z", "X"), ("Z", "Y"), ("X", "Y")], exposure="X", outcome="Y")


def test_empty_text_is_an_empty_graph() -> None:
    assert len(parse("")) == 0 and len(parse("dag { }")) == 0 and len(parse("# nothing")) == 0


@pytest.mark.parametrize("path", sorted(__import__("pathlib").Path(__file__).parents[1].glob("examples/**/*.dag")))
def test_examples_parse_and_open_with_a_comment(path) -> None:
    from dagcore.grammar import load

    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("#"), f"{path.name} must open with a comment on what it shows"
    g = load(path)
    assert g.exposure and g.outcome


# --- DAGitty syntax beyond dagitty.net's exports (DAGitty's own parser and tests)


def test_attributes_inside_groups() -> None:
    g = parse("{x[e]} <- a -> m <- b -> {y[o]}")
    assert g.edges == {("a", "x"), ("a", "m"), ("b", "m"), ("b", "y")}
    assert (set(g.exposure), set(g.outcome)) == ({"x"}, {"y"})


def test_a_group_with_edges_inside_stands_for_every_node_in_it() -> None:
    g = parse("dag{a->{b->{c->{d->e}}}}")
    nodes = "abcde"
    assert g.edges == {(u, v) for i, u in enumerate(nodes) for v in nodes[i + 1 :]}
    g = parse("Z -> {{a[e]} -> { b -> {c[o]} }} c -> {s [selected]}")
    assert ("Z", "a") in g.edges and ("a", "c") in g.edges and ("c", "s") in g.edges
    assert set(g.selected) == {"s"}


def test_dot_style_graph_statement_and_empty_attribute_lists() -> None:
    g = parse('digraph G { graph [bb="0,0,100,100"] x [] y [] x -> y }')
    assert g.attributes["bb"] == "0,0,100,100" and g.name == "G" and g.edges == {("x", "y")}


def test_graph_and_node_are_names_except_before_an_attribute_list() -> None:
    assert parse("graph -> node").edges == {("graph", "node")}
    assert set(parse('"node" [exposure] node -> y').exposure) == {"node"}


def test_byte_order_mark(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.dag"
    path.write_bytes("\ufeffdag { a -> b }".encode())
    assert load(path).edges == {("a", "b")}


def test_dagittys_legacy_format() -> None:
    g = parse("x E @0.264,-0.027\ny O @0.537,-0.015\ny2 A @0.216,-0.015\nu U\n\nx y2 y\nu x y\n")
    assert g.edges == {("x", "y2"), ("x", "y"), ("u", "x"), ("u", "y")}
    assert (set(g.exposure), set(g.outcome), set(g.adjusted), set(g.latent)) == ({"x"}, {"y"}, {"y2"}, {"u"})
    assert g.positions["x"] == (0.264, -0.027)
    both_ways = parse("a 1\nb 1\n\na b\nb a")
    assert both_ways.bidirected == frozenset({("a", "b")}) and set(both_ways.observed) == {"a", "b"}


def test_legacy_format_names_an_unknown_variable() -> None:
    with pytest.raises(GraphError, match=r"m.dag:4:1: unknown variable 'q'"):
        parse("x E\ny O\n\nq y", filename="m.dag")


def test_isolated_nodes_separated_by_a_blank_line_stay_dag_syntax() -> None:
    assert set(parse("x\ny\n\nz").nodes) == {"x", "y", "z"}
