"""Plain networkx graphs in: every public graph function gives a DiGraph the same answer as the CausalGraph.

The list of functions is built from the exports of ``dagcore.structure`` and
``dagcore.identification`` (plus ``dagcore.render``), so a new export is
covered automatically: a test fails until it has a sample call below (or is
named as not taking a graph).
"""

from __future__ import annotations

import ast
import inspect
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import dagcore
import dagcore.identification
import dagcore.structure
from dagcore import CausalGraph, CycleError, GraphError
from dagcore.graph import as_causal_graph

EDGES = [("Z", "X"), ("C", "X"), ("C", "Y"), ("X", "M"), ("M", "Y"), ("M", "D"), ("U", "X"), ("U", "Y")]

#: Arguments after the graph, for each exported graph function.
SAMPLE_CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "d_connected": (("Z", "Y"), {"given": {"X"}}),
    "d_separated": (("C", "M"), {"given": {"X"}}),
    "implied_independencies": ((), {}),
    "minimal_d_separator": (("C", "M"), {}),
    "paths": (("X", "Y"), {"given": {"C"}}),
    "reachable": (("Z",), {"given": {"X"}}),
    "roles": ((), {}),
    "adjustment_sets": ((), {}),
    "canonical_adjustment_set": ((), {}),
    "forbidden_nodes": ((), {}),
    "is_adjustment_set": (("X", "Y", {"C"}), {}),
    "is_backdoor_set": (("X", "Y", {"C"}), {}),
    "minimal_adjustment_set": ((), {}),
    "minimum_adjustment_set": ((), {}),
    "optimal_adjustment_set": ((), {}),
    "proper_causal_nodes": ((), {}),
    "find_frontdoor_set": ((), {}),
    "frontdoor_sets": ((), {}),
    "is_frontdoor_set": (("X", "Y", {"M"}), {}),
    "identify": ((), {}),
    "identify_effect": ((), {}),
    "identify_mediation": ((), {"mediators": "M"}),
    "check_mediation_set": (({"C"},), {"mediators": {"M"}}),
    "mediation_covariates": ((), {"mediators": {"M"}}),
    "instruments": ((), {}),
    "is_instrument": (("Z",), {}),
    "render": ((), {"format": "svg"}),
    "no_adjustment_reason": ((), {}),
    "selection_reason": ((), {}),
}

#: Exported functions that do not take a graph (formulas and their evaluation).
NOT_GRAPH_FUNCTIONS = {"backdoor_formula", "evaluate", "frontdoor_formula", "rename_bound", "simplify"}


def _exported_functions() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for module in (dagcore.structure, dagcore.identification):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                out[name] = obj
    out["render"] = dagcore.render
    return out


FUNCTIONS = _exported_functions()
GRAPH_FUNCTIONS = sorted(n for n in FUNCTIONS if n not in NOT_GRAPH_FUNCTIONS)


def test_every_export_is_classified() -> None:
    assert set(GRAPH_FUNCTIONS) == set(SAMPLE_CALLS), "give each new exported graph function a sample call in SAMPLE_CALLS"
    assert set(FUNCTIONS) >= NOT_GRAPH_FUNCTIONS
    for name in NOT_GRAPH_FUNCTIONS:
        first = next(iter(inspect.signature(FUNCTIONS[name]).parameters.values()))
        assert "CausalGraph" not in str(first.annotation), f"{name} takes a graph: give it a sample call"


def _outcome(func: Any, g: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        result = func(g, *args, **kwargs)
    except dagcore.DagcoreError as err:
        return ("raised", type(err), str(err))
    if isinstance(result, (Iterator, types.GeneratorType)):
        return list(result)
    return result


def _causal(latent: bool) -> CausalGraph:
    return CausalGraph(EDGES, exposure="X", outcome="Y", latent="U" if latent else None)


def _digraph(latent: bool) -> nx.DiGraph:
    g = nx.DiGraph(EDGES)
    if latent:
        g.nodes["U"]["latent"] = True
    return g


@pytest.mark.parametrize("latent", [True, False], ids=["U latent", "U observed"])
@pytest.mark.parametrize("name", GRAPH_FUNCTIONS)
def test_digraph_gives_the_causal_graph_answer(name: str, latent: bool) -> None:
    func = FUNCTIONS[name]
    args, kwargs = SAMPLE_CALLS[name]
    expected = _outcome(func, _causal(latent), args, kwargs)
    # a plain DiGraph has no roles: pass exposure= and outcome= wherever the function takes them
    bound = inspect.signature(func).bind_partial(None, *args).arguments
    roles = {k: v for k, v in {"exposure": "X", "outcome": "Y"}.items() if k in inspect.signature(func).parameters and k not in bound}
    assert _outcome(func, _digraph(latent), args, {**kwargs, **roles}) == expected
    if latent:  # latent= as a keyword instead of a node attribute
        assert _outcome(func, _digraph(False), args, {**kwargs, **roles, "latent": "U"}) == expected


def test_the_sample_calls_exercise_the_functions() -> None:
    # not a test of vacuous answers: the latent graph is identified by the front door, the other by adjustment
    assert dagcore.identify(_digraph(True), exposure="X", outcome="Y").strategy == "frontdoor"
    assert dagcore.identify(_digraph(False), exposure="X", outcome="Y").strategy == "backdoor"
    assert dagcore.minimal_adjustment_set(_digraph(False), "X", "Y") == frozenset({"C", "U"})


@pytest.mark.parametrize("name", GRAPH_FUNCTIONS)
def test_a_cyclic_digraph_raises_cycle_error(name: str) -> None:
    args, kwargs = SAMPLE_CALLS[name]
    cyclic = nx.DiGraph(EDGES + [("Y", "C")])
    with pytest.raises(CycleError, match="directed cycle") as err:
        FUNCTIONS[name](cyclic, *args, **kwargs)
    assert err.value.cycle[0] == err.value.cycle[-1]


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ("X -> Y", "dagcore.parse"),
        (nx.Graph([("X", "Y")]), "directed edges"),
        (nx.MultiDiGraph([("X", "Y")]), "directed edges"),
        (None, "got NoneType"),
    ],
)
def test_other_inputs_are_named_errors(graph: Any, message: str) -> None:
    with pytest.raises(GraphError, match=message):
        dagcore.d_separated(graph, "X", "Y")


def test_as_causal_graph() -> None:
    g = _causal(True)
    assert as_causal_graph(g) is g
    assert as_causal_graph(_digraph(True), exposure="X", outcome="Y") == g
    assert as_causal_graph(g, latent=()) == _causal(False)
    with pytest.raises(GraphError, match="self loop"):
        as_causal_graph(nx.DiGraph([("X", "X")]))
    with pytest.raises(GraphError, match="unknown role 'exposur'"):
        as_causal_graph(g, exposur="X")


def test_role_keywords_show_in_signatures() -> None:
    assert "latent" in inspect.signature(dagcore.d_separated).parameters
    assert {"exposure", "outcome", "latent", "adjusted", "selected"} <= set(inspect.signature(dagcore.render).parameters)
    # a function's own exposure/outcome are not duplicated
    params = list(inspect.signature(dagcore.identify).parameters)
    assert params.count("exposure") == 1 and "latent" in params


def test_render_draws_roles_given_as_keywords() -> None:
    svg = dagcore.render(nx.DiGraph([("C", "X"), ("C", "Y"), ("X", "Y")]), exposure="X", outcome="Y", format="svg")
    assert "exposure" in svg and "confounder" in svg


PACKAGE = Path(dagcore.__file__).parent
PRIVATE_ADJACENCY = {"_pred", "_succ", "_adj", "_node"}


def _package_sources() -> list[Path]:
    roots = [PACKAGE, PACKAGE.parent / "grammar", PACKAGE.parent / "estimators"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.py"))


def test_only_traverse_reads_networkx_adjacency() -> None:
    offenders = []
    for path in _package_sources():
        if path.name == "_traverse.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ADJACENCY:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} .{node.attr}")
    assert len(_package_sources()) > 20 and not offenders, offenders


def test_a_networkx_node_name_that_is_not_a_string_is_a_named_error() -> None:
    """networkx nodes 1, 2 become '1', '2': asking about the int 1 says so instead of a bare TypeError."""
    import dagcore
    from dagcore.errors import NodeNameError

    g = nx.DiGraph([(1, 2), (3, 2)])
    with pytest.raises(NodeNameError, match="pass '1' for node 1"):
        dagcore.d_separated(g, 1, 3)
    assert dagcore.d_separated(g, "1", "3")


def test_the_writers_take_a_networkx_graph() -> None:
    import dagcore

    g = nx.DiGraph([("a", "b")])
    assert dagcore.parse(dagcore.dumps(g)) == dagcore.parse("a -> b")
    assert dagcore.from_json(dagcore.to_json(g)) == dagcore.parse("a -> b")
