"""CausalGraph: construction, validation, immutability, value semantics, latent projection."""

import pickle

import networkx as nx
import pytest

from dagcore import ADMG, CausalGraph, CycleError, GraphError, NodeNotFoundError


def confounded() -> CausalGraph:
    return CausalGraph([("Z", "X"), ("Z", "Y"), ("X", "Y")], exposure="X", outcome="Y")


def test_roles_and_views() -> None:
    g = confounded()
    assert g.exposure == {"X"} and g.outcome == {"Y"}
    assert g.parents("Y") == {"X", "Z"}
    assert g.children("Z") == {"X", "Y"}
    assert g.ancestors("Y") == {"X", "Z"}
    assert g.descendants("Z") == {"X", "Y"}
    assert g.descendants(["X"], include_self=True) == {"X", "Y"}
    assert g.observed == ("Z", "X", "Y")
    assert g.roles_of("X") == {"exposure"}


def test_single_string_is_one_name_not_characters() -> None:
    g = CausalGraph([("ab", "cd")], exposure="ab")
    assert g.exposure == {"ab"}


def test_bidirected_becomes_explicit_latent() -> None:
    g = CausalGraph([("X", "Y")], bidirected=[("Y", "X")])
    (u,) = g.latent
    assert g.bidirected == {("X", "Y")}
    assert g.bidirected_latents[u] == ("X", "Y")
    assert (u, "X") in g.edges and (u, "Y") in g.edges
    assert g.observed == ("X", "Y")


def test_bidirected_latent_name_avoids_collisions() -> None:
    g = CausalGraph([("U[X,Y]", "X")], bidirected=[("X", "Y")])
    assert "U[X,Y]" in g.observed
    assert len(g.latent) == 1 and "U[X,Y]" not in g.latent


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"edges": [("A", "B"), ("B", "C"), ("C", "A")]}, CycleError, "->"),
        ({"edges": [("A", "A")]}, GraphError, "self loop"),
        ({"edges": [("A", "B")], "exposure": "A", "outcome": "A"}, GraphError, "both exposure and outcome"),
        ({"edges": [("A", "B")], "exposure": "A", "latent": "A"}, GraphError, "exposure 'A' is latent"),
        ({"edges": [("A", "B")], "exposure": "C"}, NodeNotFoundError, "unknown exposure node 'C'"),
        ({"edges": [("Age", "B")], "outcome": "age"}, NodeNotFoundError, "did you mean 'Age'"),
        ({"edges": [("A", "B", "C")]}, GraphError, "pair of node names"),
    ],
)
def test_invalid_graphs(kwargs: dict, error: type, fragment: str) -> None:
    edges = kwargs.pop("edges")
    with pytest.raises(error, match=fragment):
        CausalGraph(edges, **kwargs)


def test_cycle_error_lists_the_cycle() -> None:
    with pytest.raises(CycleError) as info:
        CausalGraph([("A", "B"), ("B", "C"), ("C", "A")])
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"A", "B", "C"} and len(cycle) == 4


def test_immutable_and_hashable() -> None:
    g = confounded()
    with pytest.raises(AttributeError):
        g._edges = frozenset()  # type: ignore[misc]
    assert g == confounded() and hash(g) == hash(confounded())
    assert g != g.with_roles(outcome=())
    assert {g, confounded()} == {g}


def test_with_roles_returns_new_graph() -> None:
    g = confounded()
    h = g.with_roles(adjusted="Z")
    assert h.adjusted == {"Z"} and g.adjusted == frozenset()
    with pytest.raises(GraphError, match="did you mean 'exposure'"):
        g.with_roles(exposre="X")


def test_networkx_round_trip_keeps_everything() -> None:
    g = CausalGraph(
        [("A", "B")],
        bidirected=[("A", "B")],
        exposure="A",
        outcome="B",
        labels={"A": "Alpha"},
        positions={"A": (0.0, 1.5)},
        edge_attributes={("A", "B"): {"beta": "0.4"}},
        name="m",
    )
    h = CausalGraph.from_networkx(g.to_networkx())
    assert h == g
    assert pickle.loads(pickle.dumps(g)) == g


def test_from_networkx_rejects_undirected() -> None:
    with pytest.raises(GraphError, match="DiGraph"):
        CausalGraph.from_networkx(nx.Graph([("a", "b")]))  # type: ignore[arg-type]


def test_latent_projection_of_front_door() -> None:
    g = CausalGraph([("U", "X"), ("U", "Y"), ("X", "M"), ("M", "Y")], latent="U")
    p = g.latent_projection()
    assert p == ADMG(nodes=("X", "Y", "M"), directed=frozenset({("X", "M"), ("M", "Y")}), bidirected=frozenset({("X", "Y")}))
    assert p.districts() == [frozenset({"M"}), frozenset({"X", "Y"})]


def test_latent_projection_through_latent_chain() -> None:
    # A -> L1 -> B and L2 -> L1: A -> B directed; L2 reaches B only.
    g = CausalGraph([("A", "L1"), ("L1", "B"), ("L2", "L1"), ("L2", "C")], latent=["L1", "L2"])
    p = g.latent_projection()
    assert p.directed == {("A", "B")}
    assert p.bidirected == {("B", "C")}
