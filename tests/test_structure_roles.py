"""Roles and control verdicts on a catalog of textbook graphs (Cinelli, Forney & Pearl 2022)."""

from __future__ import annotations

import pytest

from dagcore import CausalGraph, GraphError, roles
from dagcore.grammar import parse

CATALOG = {
    "confounder": ("Z -> X; Z -> Y; X -> Y", {"Z": ("confounder", "good")}),
    "mediator": ("X -> M -> Y", {"M": ("mediator", "bad")}),
    "mediator descendant": ("X -> M -> Y; M -> D", {"M": ("mediator", "bad"), "D": ("descendant of exposure", "neutral")}),
    "m-bias": ("A -> X; A -> M; B -> M; B -> Y; X -> Y", {"M": ("collider", "bad"), "A": ("instrument-like", "neutral"), "B": ("precision variable", "neutral")}),
    "butterfly": ("A -> X; A -> M; B -> M; B -> Y; M -> X; M -> Y; X -> Y", {"M": ("confounder", "good")}),
    "instrument": ("Z -> X -> Y; X <-> Y", {"Z": ("instrument-like", "neutral")}),
    "precision": ("W -> Y; X -> Y", {"W": ("precision variable", "neutral")}),
    "post-treatment collider": ("X -> C; Y -> C; X -> Y", {"C": ("descendant of outcome", "bad")}),
    "post-treatment collider, not of outcome": ("X -> C; U -> C; U -> Y; X -> Y; U [latent]", {"C": ("descendant of exposure", "bad")}),
    "descendant of outcome": ("X -> Y -> D", {"D": ("descendant of outcome", "bad")}),
    "mediator with confounder": ("C -> X; C -> M; X -> M; M -> Y", {"C": ("confounder", "good"), "M": ("mediator", "bad")}),
    "latent confounder proxy": ("Z -> X; U -> Z; U -> Y; X -> Y; U [latent]", {"Z": ("confounder", "good")}),
}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_catalog(name: str) -> None:
    text, expected = CATALOG[name]
    table = roles(parse(text + "; X [exposure]; Y [outcome]"))
    for node, (role, verdict) in expected.items():
        row = table[node]
        assert (row.role, row.verdict) == (role, verdict), (node, row)
        assert row.reason


def test_model_numbers_are_cited() -> None:
    table = roles(parse("Z -> X; Z -> Y; X -> M -> Y; X [exposure]; Y [outcome]"))
    assert "Model 1" in table["Z"].reason
    assert "Model 11" in table["M"].reason


def test_a_mediator_is_never_a_good_control() -> None:
    table = roles(parse("C -> X; C -> M; X -> M; M -> Y; X [exposure]; Y [outcome]"))
    assert table["M"].verdict == "bad" and table["M"].mediator


def test_latent_nodes_get_no_row_and_to_frame() -> None:
    g = parse("Z -> X; U -> Z; U -> Y; X -> Y; U [latent]; X [exposure]; Y [outcome]")
    table = roles(g)
    assert [r.node for r in table] == ["Z"]
    frame = table.to_frame()
    assert list(frame.index) == ["Z"] and frame.loc["Z", "verdict"] == "good"
    assert table.to_dict()["roles"][0]["node"] == "Z"


def test_roles_need_exposure_and_outcome() -> None:
    with pytest.raises(GraphError, match="needs an exposure and an outcome"):
        roles(CausalGraph([("X", "Y")]))
    table = roles(CausalGraph([("Z", "X"), ("Z", "Y"), ("X", "Y")]), exposure="X", outcome="Y")
    assert table["Z"].confounder
