"""Round trips: parse(dumps(g)) == g, DAGitty text, DOT, JSON and GML, on random graphs with awkward names."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore import CausalGraph
from dagcore.grammar import dumps, from_dot, from_gml, from_json, parse, to_dagitty, to_dot, to_gml, to_json

NAMES = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8),
    st.sampled_from(["body mass", 'say "hi"', "back\\slash", "dag", "x.y", "9lives", "é", "血压", "a-b", "{x}"]),
)


@st.composite
def graphs(draw: st.DrawFn) -> CausalGraph:
    names = draw(st.lists(NAMES, min_size=1, max_size=7, unique=True))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    order = names[:]
    rng.shuffle(order)
    edges = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :] if rng.random() < 0.4]
    bidirected = [(a, b) for i, a in enumerate(order) for b in order[i + 1 :] if rng.random() < 0.15]
    roles: dict[str, list[str]] = {"exposure": [], "outcome": [], "latent": [], "adjusted": [], "selected": []}
    for n in names:
        r = rng.random()
        if r < 0.15:
            roles["exposure"].append(n)
        elif r < 0.3:
            roles["outcome"].append(n)
        elif r < 0.4:
            roles["latent"].append(n)
        elif r < 0.5:
            roles["adjusted"].append(n)
        elif r < 0.55:
            roles["selected"].append(n)
    labels = {n: draw(st.text(max_size=6)) for n in names if rng.random() < 0.3}
    positions = {n: (draw(st.floats(-1e6, 1e6, allow_nan=False)), rng.uniform(-5, 5)) for n in names if rng.random() < 0.3}
    edge_attrs = {e: {"beta": str(round(rng.uniform(-2, 2), 3))} for e in edges if rng.random() < 0.3}
    name = draw(st.one_of(st.none(), NAMES))
    return CausalGraph(
        edges, nodes=names, bidirected=bidirected, labels=labels, positions=positions,
        edge_attributes=edge_attrs, name=name, **roles,
    )


@pytest.mark.slow
@settings(max_examples=150)
@given(graphs())
def test_parse_dumps_round_trip(g: CausalGraph) -> None:
    from dagcore.grammar.parser import _parse_with_lark

    text = dumps(g)
    assert parse(text) == g
    assert _parse_with_lark(text) == g  # the fast reader and the grammar agree
    assert dumps(parse(text)) == text  # canonical: a fixed point


@settings(max_examples=100)
@given(graphs())
def test_dagitty_round_trip_up_to_the_name(g: CausalGraph) -> None:
    h = parse(to_dagitty(g))
    assert h == g._rebuild(name=None)
    assert "#" not in to_dagitty(g).replace('"#', "").split('"')[0]


@settings(max_examples=100)
@given(graphs())
def test_json_round_trip(g: CausalGraph) -> None:
    assert from_json(to_json(g)) == g


@settings(max_examples=60)
@given(graphs())
def test_gml_round_trip(g: CausalGraph) -> None:
    h = from_gml(to_gml(g))
    assert h._rebuild(edge_attributes={}) == g._rebuild(edge_attributes={}, attributes={})


@settings(max_examples=100)
@given(graphs())
def test_dot_round_trip_topology_roles_labels(g: CausalGraph) -> None:
    h = from_dot(to_dot(g))
    assert h.edges == g.edges or (h.bidirected == g.bidirected and set(h.observed) == set(g.observed))
    assert set(h.observed) == set(g.observed) and h.bidirected == g.bidirected
    assert h.exposure == g.exposure and h.outcome == g.outcome and h.latent - set(h.bidirected_latents) == g.latent - set(g.bidirected_latents)
    assert dict(h.labels) == {k: v for k, v in g.labels.items() if v != k}


def test_gml_reads_dowhy_style_unobserved_nodes() -> None:
    text = 'graph [ directed 1 node [ id 0 label "U" observed "no" ] node [ id 1 label "X" ] node [ id 2 label "Y" ]' \
        " edge [ source 0 target 1 ] edge [ source 0 target 2 ] edge [ source 1 target 2 ] ]"
    g = from_gml(text)
    assert g.latent == {"U"} and g.edges == {("U", "X"), ("U", "Y"), ("X", "Y")}


@pytest.mark.parametrize(
    ("reader", "text", "fragment"),
    [
        (from_json, "{not json", "invalid JSON"),
        (from_json, "[]", "'nodes' list"),
        (from_json, '{"directed": false, "nodes": [], "links": []}', "undirected"),
        (from_gml, "graph [ node [ id 0 ", "invalid GML"),
        (from_gml, 'graph [ node [ id 0 label "a" ] node [ id 1 label "b" ] edge [ source 0 target 1 ] ]', "undirected"),
        (from_dot, "graph { a -- b }", "undirected"),
        (from_dot, "digraph { a -> }", "expected a node name"),
        (from_dot, "digraph { a -> b", "not closed"),
        (from_dot, "digraph { a -- b }", "undirected edge"),
    ],
)
def test_format_readers_reject_bad_input(reader, text: str, fragment: str) -> None:
    from dagcore import DagSyntaxError

    with pytest.raises(DagSyntaxError, match=fragment):
        reader(text)


def test_a_label_equal_to_its_node_name_survives_json_and_dot() -> None:
    """Found by test_json_round_trip in CI: a label written as the node's own name was dropped on reading."""
    g = CausalGraph([("a", "b")], labels={"a": "a", "b": "B"})
    assert from_json(to_json(g)) == g
    assert from_dot(to_dot(g)) == g
