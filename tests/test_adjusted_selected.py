"""[adjusted] nodes are conditioned on in every question: brute force, DAGitty's answers, named reasons, the CLI.

The brute force reads the adjustment criterion literally (Shpitser, VanderWeele
& Robins 2010: no node on or below a proper causal path, every non-causal path
blocked, by enumerating paths) over every subset of covariates, keeps the valid
sets that contain the adjusted nodes, and checks every entry point against
that family: a set is returned iff it is valid and contains them, the listing
is exactly the family's inclusion-minimal members, and "no set" comes with a
reason exactly when the family is empty.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from brute import simple_paths
from hypothesis import given, settings
from hypothesis import strategies as st

from dagcore import (
    CausalGraph,
    adjustment_sets,
    canonical_adjustment_set,
    d_separated,
    identify,
    implied_independencies,
    minimal_adjustment_set,
    minimum_adjustment_set,
    no_adjustment_reason,
    optimal_adjustment_set,
    paths,
    roles,
)
from dagcore.cli import main
from dagcore.grammar import parse
from dagcore.testing import dags, queries

MODELS = Path(__file__).resolve().parents[2] / "shared" / "dagitty-models" / "models.json"


def literally_valid(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], z: frozenset[str]) -> bool:
    """The generalized adjustment criterion read literally, by enumerating every path."""
    if z & g.latent or z & (xs | ys):
        return False
    on_causal: set[str] = set()
    noncausal: list[list[str]] = []
    for x in xs:
        for y in ys:
            for p in simple_paths(g, x, y):
                if set(p[1:]) & xs:
                    continue
                if all(g.has_edge(p[i], p[i + 1]) for i in range(len(p) - 1)):
                    on_causal.update(p[1:])
                else:
                    noncausal.append(p)
    forbidden: set[str] = set()
    for w in on_causal:
        forbidden |= g.descendants(w, include_self=True)
    if z & forbidden:
        return False
    for p in noncausal:
        blocked = False
        for i in range(1, len(p) - 1):
            a, v, b = p[i - 1], p[i], p[i + 1]
            if g.has_edge(a, v) and g.has_edge(b, v):
                blocked |= v not in z and not (g.descendants(v) & z)
            else:
                blocked |= v in z
        if not blocked:
            return False
    return True


@st.composite
def adjusted_queries(draw: st.DrawFn, max_nodes: int = 7) -> CausalGraph:
    """A random query graph with one or two observed non-exposure, non-outcome nodes marked adjusted."""
    g = draw(queries(max_nodes=max_nodes, latent_fraction=0.3, bidirected=True, max_exposures=2).filter(
        lambda g: any(v not in g.exposure | g.outcome for v in g.observed)))
    pool = sorted(v for v in g.observed if v not in g.exposure | g.outcome)
    return g.with_roles(adjusted=draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)))


def _check(g: CausalGraph) -> None:
    xs, ys, a = g.exposure, g.outcome, frozenset(g.adjusted)
    rest = [v for v in g.observed if v not in xs | ys | a]
    family = {a | frozenset(c) for k in range(len(rest) + 1) for c in itertools.combinations(rest, k) if literally_valid(g, xs, ys, a | frozenset(c))}
    minimal = {z for z in family if not any(t < z for t in family)}
    listed = list(adjustment_sets(g))
    assert len(listed) == len(set(listed)) and set(listed) == minimal
    m = minimal_adjustment_set(g)
    assert (m is None) == (not family) and (m is None or m in minimal)
    mm = minimum_adjustment_set(g)
    assert (mm is None) == (not family) and (mm is None or (mm in family and len(mm) == min(map(len, family))))
    c = canonical_adjustment_set(g)
    assert (c is None) == (not family) and (c is None or c in family)
    o = optimal_adjustment_set(g)
    assert o is None or o in family
    reason = no_adjustment_reason(g)
    assert (reason is None) == bool(family), reason
    e = identify(g)
    if family:
        assert e.adjustment_set in family and e.strategy == "backdoor"
        assert any("conditioned on the adjusted nodes" in s for s in e.assumptions)
    else:
        assert e.strategy == "not_identifiable" and e.reason.startswith(reason)
    # ignore_adjusted answers exactly as the graph without the marks
    bare = g.with_roles(adjusted=())
    assert set(adjustment_sets(g, ignore_adjusted=True)) == set(adjustment_sets(bare))
    assert minimal_adjustment_set(g, ignore_adjusted=True) == minimal_adjustment_set(bare)
    assert minimum_adjustment_set(g, ignore_adjusted=True) == minimum_adjustment_set(bare)
    assert canonical_adjustment_set(g, ignore_adjusted=True) == canonical_adjustment_set(bare)
    assert optimal_adjustment_set(g, ignore_adjusted=True) == optimal_adjustment_set(bare)
    assert no_adjustment_reason(g, ignore_adjusted=True) == no_adjustment_reason(bare)
    ignored = identify(g, ignore_adjusted=True)
    assert ignored.strategy == identify(bare).strategy and ignored.adjustment_set == identify(bare).adjustment_set
    assert any("the [adjusted] marks on" in s for s in ignored.assumptions)


@settings(max_examples=25, deadline=None)
@given(adjusted_queries(max_nodes=6))
def test_sets_with_adjusted_nodes_against_the_literal_criterion(g: CausalGraph) -> None:
    _check(g)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(adjusted_queries(max_nodes=8))
def test_sets_with_adjusted_nodes_against_the_literal_criterion_many_graphs(g: CausalGraph) -> None:
    _check(g)


def _dagitty_models() -> list[dict]:
    models = json.loads(MODELS.read_text())
    out = []
    for d in models:
        if d["type"] == "dag" and d["msas"] is not None:
            g = parse(d["text"])
            if g.adjusted or g.selected:
                out.append(d)
    return out


def test_dagitty_models_with_adjusted_or_selected_nodes_agree() -> None:
    """Every DAGitty model with [adjusted] or [selected] nodes (23 in the corpus) gets DAGitty's minimal sets."""
    models = _dagitty_models()
    assert len(models) == 23
    for d in models:
        g = parse(d["text"])
        ours = sorted(sorted(s) for s in adjustment_sets(g))
        assert ours == sorted(sorted(s) for s in d["msas"]), d["src"]
        if not d["msas"]:
            assert no_adjustment_reason(g)


def test_the_adjusted_mediator_is_named_with_its_causal_path() -> None:
    thoemmes = next(d for d in _dagitty_models() if d["src"] == "gui:Thoemmes, 2013")
    g = parse(thoemmes["text"])
    assert no_adjustment_reason(g) == (
        "s2 (marked adjusted) is on the causal path x -> s1 -> s2 -> s3 -> y; no valid adjustment set contains it "
        "(conditioning on it blocks part of the effect)"
    )
    assert minimal_adjustment_set(g) is None and list(adjustment_sets(g)) == []
    e = identify(g)
    assert e.strategy == "not_identifiable" and "s2 (marked adjusted) is on the causal path" in e.reason
    assert minimal_adjustment_set(g, ignore_adjusted=True) is not None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("X -> Y -> D; D [adjusted]", "D (marked adjusted) is a descendant of the outcome Y (Y -> D); no valid adjustment set contains it"),
        ("X -> M -> Y; M -> D; D [adjusted]", "D (marked adjusted) is a descendant of M (M -> D), which is on the causal path X -> M -> Y"),
        ("X -> C <- U -> Y; X -> Y; U [latent]; C [adjusted]",
         "conditioning on C (marked adjusted) opens the non-causal path X -> C <- U -> Y (C is a collider on it)"),
        ("X -> C <- U -> Y; C -> D; X -> Y; U [latent]; D [adjusted]",
         "conditioning on D (marked adjusted) opens the non-causal path X -> C <- U -> Y (D descends from the collider C on it)"),
        ("X -> Y; U -> X; U -> Y; U [latent, adjusted]", "U (marked adjusted) is latent: an unobserved variable cannot be conditioned on"),
        ("X -> Y; X <-> Y; A -> X; A [adjusted]", "no valid adjustment set exists even without {A}: the non-causal path X <-> Y stays open"),
    ],
)
def test_reasons_name_the_node_and_the_path(text: str, reason: str) -> None:
    g = parse(text + "; X [exposure]; Y [outcome]")
    assert reason in no_adjustment_reason(g)
    assert reason in identify(g).reason


def test_include_and_exclude_combine_with_adjusted_nodes() -> None:
    g = parse("A -> X; A -> M; B -> M; B -> Y; X -> Y; C -> X; X [exposure]; Y [outcome]; M [adjusted]")
    assert sorted(sorted(s) for s in adjustment_sets(g)) == [["A", "M"], ["B", "M"]]
    assert sorted(sorted(s) for s in adjustment_sets(g, include="C")) == [["A", "C", "M"], ["B", "C", "M"]]
    assert minimal_adjustment_set(g, exclude="A") == {"B", "M"}
    assert minimal_adjustment_set(g, exclude="M") is None
    assert "M (marked adjusted) is also excluded" in no_adjustment_reason(g, exclude="M")
    assert minimum_adjustment_set(g, cost={"A": 5, "B": 1}) == {"B", "M"}
    assert canonical_adjustment_set(g) == {"A", "B", "C", "M"}


def test_paths_roles_and_independencies_condition_on_adjusted_nodes() -> None:
    g = parse("A -> X; A -> M; B -> M; B -> Y; X -> Y; X [exposure]; Y [outcome]; M [adjusted]")
    it = paths(g, "X", "Y")
    assert it.given == {"M"} and any(p.open and p.kind == "back-door" for p in it)
    assert not any(p.open and p.kind == "back-door" for p in paths(g, "X", "Y", ignore_adjusted=True))
    assert not any(p.open and p.kind == "back-door" for p in paths(g, "X", "Y", given=()))
    table = roles(g)
    assert table["A"].confounder and table["B"].confounder  # on the back-door path M opens
    assert not roles(g, ignore_adjusted=True)["A"].confounder
    c = parse("C -> X; C -> Y; X -> Y; X [exposure]; Y [outcome]; C [adjusted]")
    assert roles(c)["C"].confounder  # an adjusted confounder is still one: the path is open without it
    statements = implied_independencies(g)
    assert all("M" in s.given for s in statements) and "A ⊥ B | M" not in [str(s) for s in statements]
    assert "A ⊥ B" in [str(s) for s in implied_independencies(g, ignore_adjusted=True)]


@st.composite
def conditioned_dags(draw: st.DrawFn) -> CausalGraph:
    g = draw(dags(max_nodes=6, latent_fraction=0.2, bidirected=True).filter(lambda g: len(g.observed) >= 3))
    marked = draw(st.lists(st.sampled_from(sorted(g.observed)), min_size=1, max_size=2, unique=True))
    k = draw(st.integers(0, len(marked)))
    return g.with_roles(adjusted=marked[:k], selected=marked[k:])


@settings(max_examples=40, deadline=None)
@given(conditioned_dags())
def test_implied_independencies_given_conditioned_nodes_against_brute_force(g: CausalGraph) -> None:
    """Each statement is a d-separation given its set plus the conditioned nodes; a non-adjacent pair is left out only
    when no observed set containing the conditioned nodes separates it."""
    cond = frozenset(g.adjusted) | frozenset(g.selected)
    statements = implied_independencies(g)
    listed = {frozenset((s.x, s.y)) for s in statements}
    for s in statements:
        assert frozenset(s.given) >= frozenset(g.adjusted) and set(s.selected) == set(g.selected)
        assert d_separated(g, s.x, s.y, given=frozenset(s.given) | cond)
    projection = g.latent_projection()
    adjacent = {frozenset(e) for e in projection.directed} | {frozenset(e) for e in projection.bidirected}
    observed = sorted(frozenset(g.observed) - cond)
    for a, b in itertools.combinations(observed, 2):
        if frozenset((a, b)) in adjacent or frozenset((a, b)) in listed:
            continue
        others = [v for v in observed if v not in (a, b)]
        assert not any(d_separated(g, a, b, given=cond | frozenset(c)) for k in range(len(others) + 1) for c in itertools.combinations(others, k))
    for s in implied_independencies(g, kind="local") if not g.latent else []:
        assert d_separated(g, s.x, s.y, given=frozenset(s.given) | cond)


def _write(tmp_path: Path, text: str) -> str:
    f = tmp_path / "g.dag"
    f.write_text(text)
    return str(f)


def test_cli_adjust_says_which_answer_it_gives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "dag { x [exposure] y [outcome] s2 [adjusted] x -> s1 -> s2 -> y c -> x c -> y }")
    assert main(["adjust", path]) == 0
    out = capsys.readouterr().out
    assert "conditioning: conditioned on the adjusted nodes {s2}" in out and "s2 (marked adjusted) is on the causal path x -> s1 -> s2 -> y" in out
    assert main(["adjust", path, "--ignore-adjusted"]) == 0
    out = capsys.readouterr().out
    assert "as if nothing were adjusted for" in out and "{c}" in out
    assert main(["adjust", path, "--all", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sets"] == [] and data["conditioning"]["mode"] == "conditioned on adjusted" and "s2" in data["reason"]
    assert main(["adjust", path, "--all", "--json", "--ignore-adjusted"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sets"] == [["c"]] and data["conditioning"]["mode"] == "ignoring adjusted" and data["conditioning"]["ignored_adjusted"] == ["s2"]
    assert main(["identify", path, "--ignore-adjusted", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["adjustment_set"] == ["c"]
    assert main(["paths", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["given"] == ["s2"] and data["given_from"] == "the file's adjusted and selected nodes"
    assert main(["paths", path, "--ignore-adjusted"]) == 0
    assert "given {} (the adjusted nodes ignored)" in capsys.readouterr().out
    assert main(["check-set", path, "--adjustment-set", "c"]) == 0
    assert "note: the set leaves out the nodes marked adjusted {s2}" in capsys.readouterr().out


def test_cli_selection_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "dag { X [exposure] Y [outcome] S [selected] Z -> X Z -> Y X -> Y Y -> S }")
    assert main(["adjust", path]) == 0
    out = capsys.readouterr().out
    assert "data selected on S = 1" in out
    assert "S is a descendant of the outcome Y (Y -> S); the effect is not recoverable from the selected sample by adjustment" in out
    assert main(["identify", path]) == 0
    assert "not identifiable" in capsys.readouterr().out
