"""Every feature of the .dag language parses to the right graph."""

import pytest

from dagcore import CausalGraph
from dagcore.grammar import parse

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
