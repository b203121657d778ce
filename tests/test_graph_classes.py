"""PDAG/CPDAG, MAG and PAG graphs, checked against their definitions by brute force on small random graphs."""

from __future__ import annotations

import itertools
import random
import shutil

import networkx as nx
import pytest

import dagcore
from dagcore import CausalGraph, GraphClassError, GraphError
from dagcore.equivalence import (
    consistent_extension,
    cpdag,
    equivalent_dags,
    m_separated,
    mag_of_pag,
    orient,
    to_mag,
    v_structures,
)
from dagcore.grammar import dumps, parse, to_dagitty
from dagcore.marked import ARROW, CIRCLE, MAG, PAG, PDAG, TOKEN_MARKS, MixedGraph, UndirectedGraph


def _random_dag(rng: random.Random, n: int, p: float) -> CausalGraph:
    names = [f"v{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    return CausalGraph(edges, nodes=names)


def _skeleton_has(g: CausalGraph):  # noqa: ANN202
    sk = nx.Graph(list(g.edges))
    return lambda a, b: sk.has_edge(a, b)


def _markov_equivalent_dags(dag: CausalGraph) -> set[frozenset[tuple[str, str]]]:
    """Every DAG with the skeleton and v-structures of ``dag``: by trying all orientations."""
    edges = sorted(dag.edges)
    adjacent = _skeleton_has(dag)
    target = v_structures(dag.edges, adjacent)
    out = set()
    for flips in itertools.product((False, True), repeat=len(edges)):
        oriented = [(v, u) if f else (u, v) for (u, v), f in zip(edges, flips)]
        if nx.is_directed_acyclic_graph(nx.DiGraph(oriented)) and v_structures(oriented, adjacent) == target:
            out.add(frozenset(oriented))
    return out


def _extensions(g: PDAG) -> list[CausalGraph]:
    """Every consistent extension of a PDAG, by trying all orientations of its undirected edges."""
    directed = sorted(g.directed)
    undirected = sorted(g.undirected)
    target = v_structures(directed, g.adjacent)
    out = []
    for flips in itertools.product((False, True), repeat=len(undirected)):
        oriented = directed + [(b, a) if f else (a, b) for (a, b), f in zip(undirected, flips)]
        if nx.is_directed_acyclic_graph(nx.DiGraph(oriented)) and v_structures(oriented, g.adjacent) == target:
            out.append(CausalGraph(oriented, nodes=g.nodes))
    return out


SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
def test_cpdag_and_equivalent_dags_are_the_markov_equivalence_class(seed: int) -> None:
    rng = random.Random(seed)
    dag = _random_dag(rng, rng.randint(3, 6), 0.5)
    essential = cpdag(dag)
    klass = _markov_equivalent_dags(dag)
    assert {frozenset(d.edges) for d in equivalent_dags(essential)} == klass
    # a directed edge of the CPDAG is directed the same way in every member, an undirected one is not
    for u, v in dag.edges:
        same = all((u, v) in d for d in klass)
        assert ((u, v) in essential.directed) == same
    assert cpdag(consistent_extension(essential)) == essential


def _random_pdag(rng: random.Random) -> tuple[PDAG, CausalGraph]:
    """A DAG with some edges left undirected (never an edge of a v-structure) and some background knowledge."""
    dag = _random_dag(rng, rng.randint(3, 6), 0.55)
    adjacent = _skeleton_has(dag)
    in_v = {(a, b) for a, b, _ in v_structures(dag.edges, adjacent)} | {(c, b) for _, b, c in v_structures(dag.edges, adjacent)}
    edges = [(u, "->", v) if (u, v) in in_v or rng.random() < 0.3 else (u, "--", v) for u, v in sorted(dag.edges)]
    return PDAG(edges, nodes=dag.nodes), dag


@pytest.mark.parametrize("seed", SEEDS)
def test_meek_closure_directs_exactly_what_every_extension_agrees_on(seed: int) -> None:
    g, truth = _random_pdag(random.Random(1000 + seed))
    members = _extensions(g)
    assert members and frozenset(truth.edges) in {frozenset(d.edges) for d in members}
    closed = orient(g)
    for a, b in g.undirected:
        forward = all((a, b) in d.edges for d in members)
        backward = all((b, a) in d.edges for d in members)
        assert ((a, b) in closed.directed) == forward
        assert ((b, a) in closed.directed) == backward
    assert {frozenset(d.edges) for d in equivalent_dags(g)} == {frozenset(d.edges) for d in members}


@pytest.mark.parametrize("seed", SEEDS)
def test_pdag_adjustment_is_adjustment_in_every_dag_of_the_class(seed: int) -> None:
    rng = random.Random(5000 + seed)
    g, _ = _random_pdag(rng)
    x, y = rng.sample(list(g.nodes), 2)
    members = _extensions(g)
    others = [n for n in g.nodes if n not in (x, y)]
    valid: list[frozenset[str]] = []
    for k in range(len(others) + 1):
        for z in map(frozenset, itertools.combinations(others, k)):
            truth = all(dagcore.is_adjustment_set(d, x, y, z) for d in members)
            assert bool(dagcore.is_adjustment_set(g, x, y, z)) == truth, (dumps(g), x, y, sorted(z))
            if truth:
                valid.append(z)
    minimal = {z for z in valid if not any(w < z for w in valid)}
    assert set(dagcore.adjustment_sets(g, x, y)) == minimal
    found = dagcore.minimal_adjustment_set(g, x, y)
    assert (found is None) == (not valid) and (found is None or found in minimal)
    canonical = dagcore.canonical_adjustment_set(g, x, y)
    assert (canonical is None) == (not valid)


def _random_dag_with_latents(rng: random.Random) -> CausalGraph:
    dag = _random_dag(rng, rng.randint(4, 7), 0.45)
    latent = rng.sample(list(dag.nodes), rng.randint(0, 2))
    return dag.with_roles(latent=latent)


@pytest.mark.parametrize("seed", SEEDS)
def test_latent_projection_preserves_every_m_separation(seed: int) -> None:
    dag = _random_dag_with_latents(random.Random(9000 + seed))
    mag = to_mag(dag)  # validates: ancestral and maximal
    observed = list(mag.nodes)
    for a, b in itertools.combinations(observed, 2):
        rest = [n for n in observed if n not in (a, b)]
        for k in range(len(rest) + 1):
            for z in itertools.combinations(rest, k):
                assert m_separated(mag, [a], [b], z) == dagcore.d_separated(dag, {a}, {b}, given=set(z)), (a, b, z)


@pytest.mark.parametrize("seed", SEEDS)
def test_mag_adjustment_sets_are_adjustment_sets_of_the_dag(seed: int) -> None:
    rng = random.Random(13000 + seed)
    dag = _random_dag_with_latents(rng)
    mag = to_mag(dag)
    if len(mag.nodes) < 2:
        return
    x, y = rng.sample(list(mag.nodes), 2)
    others = [n for n in mag.nodes if n not in (x, y)]
    for k in range(len(others) + 1):
        for z in itertools.combinations(others, k):
            if dagcore.is_adjustment_set(mag, x, y, z):
                assert dagcore.is_adjustment_set(dag, x, y, z), (dumps(mag), x, y, z)
    for z in dagcore.adjustment_sets(mag, x, y):
        assert dagcore.is_adjustment_set(mag, x, y, z)


def test_mag_validation_names_the_broken_rule() -> None:
    with pytest.raises(GraphError, match="not ancestral: a <-> c, but a is an ancestor of c"):
        MAG([("a", "->", "b"), ("b", "->", "c"), ("a", "<->", "c")])
    with pytest.raises(GraphError, match="not ancestral: a -- b, but b has an arrowhead"):
        MAG([("a", "--", "b"), ("c", "->", "b")])
    with pytest.raises(GraphError, match="not maximal: x and y"):  # x <-> b <-> c <-> y is an inducing path
        MAG([("x", "<->", "b"), ("b", "<->", "c"), ("c", "<->", "y"), ("b", "->", "y"), ("c", "->", "x")])
    with pytest.raises(GraphError, match="does not belong in a mag"):
        parse("mag { a @-> b }")


def test_pdag_validation_names_the_broken_rule() -> None:
    with pytest.raises(GraphError, match="stands for no DAG"):
        parse("pdag { a -> b -- c <- d }")
    with pytest.raises(dagcore.CycleError, match="a -> b -> c -> a"):
        parse("pdag { a -> b -> c -> a  a -- d }")
    with pytest.raises(GraphError, match="does not belong in a pdag"):
        parse("pdag { a <-> b }")
    with pytest.raises(dagcore.DagSyntaxError, match="write the graph as pdag"):
        parse("dag { a -- b }")


@pytest.mark.parametrize(
    "text",
    [
        "pdag { x [exposure] y [outcome] a -- b  x -> a  b -> y }",
        'mag G { x [exposure,pos="1,2"] y [outcome] x -> y  x <-> z  w -- v }',
        "pag { a @-> b  c @-@ b  b -> d  a @-- e }",
        "graph { a -- b  b -- c }",
        "digraph { a -> b  a -- b  b <-> c }",
    ],
)
def test_every_class_round_trips_through_the_canonical_text_and_dagitty(text: str) -> None:
    g = parse(text)
    assert type(g) in (PDAG, MAG, PAG, UndirectedGraph, MixedGraph)
    assert parse(dumps(g)) == g
    again = parse(to_dagitty(g))
    assert set(again.edges) == set(g.edges) and again.kind == g.kind


def test_questions_a_class_cannot_answer_are_refused_with_the_class() -> None:
    g = parse("pag { x [exposure] y [outcome] x @-> y }")
    with pytest.raises(GraphClassError, match=r"optimal_adjustment_set\(\) is defined on DAGs, not on a pag graph"):
        dagcore.optimal_adjustment_set(g)
    m = parse("digraph { x [exposure] y [outcome] x -> y  x -- y }")
    with pytest.raises(GraphClassError, match="not on a digraph graph"):
        dagcore.adjustment_sets(m)


def test_amenability_is_a_named_reason() -> None:
    g = parse("pdag { x [exposure] y [outcome] x -- y }")
    check = dagcore.is_adjustment_set(g, None, None, ())
    assert not check and "not amenable: x -- y" in check.reason
    assert list(dagcore.adjustment_sets(g)) == []
    invisible = parse("mag { x [exposure] y [outcome] x -> y }")  # nothing rules out x <-> y
    assert "not visible" in dagcore.is_adjustment_set(invisible, None, None, ()).reason
    visible = parse("mag { i -> x  x [exposure] y [outcome] x -> y }")
    assert dagcore.is_adjustment_set(visible, None, None, ())


@pytest.mark.parametrize("seed", range(30))
def test_implied_independencies_of_each_class_hold_in_every_member(seed: int) -> None:
    rng = random.Random(17000 + seed)
    dag = _random_dag_with_latents(rng)
    mag = to_mag(dag)
    statements = dagcore.implied_independencies(mag)
    assert {frozenset((s.x, s.y)) for s in statements} == {
        frozenset(p) for p in itertools.combinations(mag.nodes, 2) if not mag.adjacent(*p)
    }
    for s in statements:
        assert dagcore.d_separated(dag, {s.x}, {s.y}, given=set(s.given))
        assert not any(m_separated(mag, [s.x], [s.y], set(s.given) - {v}) for v in s.given)  # minimal
    plain = _random_dag(rng, rng.randint(3, 6), 0.5)
    essential = cpdag(plain)
    for s in dagcore.implied_independencies(essential):
        assert all(dagcore.d_separated(d, {s.x}, {s.y}, given=set(s.given)) for d in equivalent_dags(essential))


def test_cli_convert_and_equivalent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    path = tmp_path / "m.dag"
    path.write_text("dag { a -> b  b -> c  x [exposure] y [outcome] a -> x  x -> y }")
    run = [sys.executable, "-m", "dagcore"]
    out = subprocess.run([*run, "convert", str(path), "--to", "cpdag"], capture_output=True, text=True, check=True).stdout
    assert parse(out) == cpdag(dagcore.load(path))
    listed = subprocess.run([*run, "equivalent", str(path), "--json"], capture_output=True, text=True, check=True).stdout
    import json

    assert len(json.loads(listed)["dags"]) == len(list(equivalent_dags(cpdag(dagcore.load(path)))))
    bad = subprocess.run([*run, "equivalent", str(path), "--limit", "0"], capture_output=True, text=True)
    assert bad.returncode != 0 and "--limit must be a positive" in bad.stderr
    pag = tmp_path / "p.dag"
    pag.write_text("pag { x [exposure] y [outcome] x @-> y }")
    refused = subprocess.run([*run, "adjust", "--optimal", str(pag)], capture_output=True, text=True)
    assert refused.returncode != 0 and "not on a pag" in refused.stderr


def test_render_draws_both_marks_of_every_edge() -> None:
    from dagcore.rendering import to_graphviz

    source = to_graphviz(parse("pag { x [exposure] y [outcome] x @-> y  a @-@ x  x <-> w  w -- v }")).source
    assert 'x -> y [arrowhead=normal arrowtail=odot dir=both]' in source
    assert 'a -> x [arrowhead=odot arrowtail=odot dir=both]' in source
    assert 'w -> x [arrowhead=normal arrowtail=normal dir=both]' in source
    assert 'v -> w [arrowhead=none arrowtail=none dir=both]' in source
    if shutil.which("dot"):
        assert dagcore.render(parse("pdag { a -- b  b -> c }")).lstrip().startswith("<?xml")


def _m_separations(g: MAG) -> frozenset[tuple[str, str, frozenset[str]]]:
    """Every m-separation statement ``a _||_ b | Z`` of a MAG, by asking each one."""
    out = set()
    for a, b in itertools.combinations(sorted(g.nodes), 2):
        rest = [n for n in g.nodes if n not in (a, b)]
        for k in range(len(rest) + 1):
            for z in itertools.combinations(rest, k):
                if m_separated(g, [a], [b], z):
                    out.add((a, b, frozenset(z)))
    return frozenset(out)


def _unshielded_colliders(g: MAG) -> frozenset[tuple[str, str, str]]:
    return frozenset(
        (min(a, c), b, max(a, c))
        for b in g.nodes
        for a, c in itertools.combinations(sorted(g.neighbours(b)), 2)
        if not g.adjacent(a, c) and g.mark(b, a) == ARROW and g.mark(b, c) == ARROW
    )


def _markov_equivalent_mags(mag: MAG) -> list[MAG]:
    """Every MAG on the skeleton of ``mag`` with the same m-separations: all 3^E orientations, validated, compared."""
    pairs = sorted(tuple(sorted((e.u, e.v))) for e in mag.edges)
    target = _m_separations(mag)
    colliders = _unshielded_colliders(mag)
    out = []
    for tokens in itertools.product(("->", "<-", "<->"), repeat=len(pairs)):
        try:
            candidate = MAG([(a, t, b) for (a, b), t in zip(pairs, tokens)], nodes=mag.nodes)
        except GraphError:  # not ancestral or not maximal
            continue
        # Same unshielded colliders is necessary for equivalence: a cheap filter before the definition itself.
        if _unshielded_colliders(candidate) == colliders and _m_separations(candidate) == target:
            out.append(candidate)
    return out


def _pag_by_definition(mag: MAG, members: list[MAG], x: str, y: str) -> PAG:
    """The PAG of ``mag``'s class: a mark where every member agrees on it, a circle where they differ."""
    edges = []
    for e in mag.edges:
        at_u = {m.mark(e.u, e.v) for m in members}
        at_v = {m.mark(e.v, e.u) for m in members}
        marks = (at_u.pop() if len(at_u) == 1 else CIRCLE, at_v.pop() if len(at_v) == 1 else CIRCLE)
        edges.append((e.u, next(t for t, m in TOKEN_MARKS.items() if m == marks), e.v))
    return PAG(edges, nodes=mag.nodes, exposure=x, outcome=y)


@pytest.mark.parametrize("seed", [*range(12), *(pytest.param(s, marks=pytest.mark.slow) for s in range(12, 60))])
def test_pag_adjustment_is_adjustment_in_every_mag_of_the_class(seed: int) -> None:
    """Perković et al. (2018), Thm 5 by brute force: Z is an adjustment set in the PAG iff in every MAG of its class."""
    rng = random.Random(21000 + seed)
    while True:
        dag = _random_dag_with_latents(rng)
        mag = to_mag(dag)
        if 3 <= len(mag.nodes) <= 5 and 2 <= len(mag.edges) <= 7:
            break
    members = _markov_equivalent_mags(mag)
    assert mag in members
    x, y = rng.sample(list(mag.nodes), 2)
    pag = _pag_by_definition(mag, members, x, y)
    assert mag_of_pag(pag).edges and _m_separations(mag_of_pag(pag)) == _m_separations(mag)  # Zhang (2008), Thm 2
    others = [n for n in mag.nodes if n not in (x, y)]
    for k in range(len(others) + 1):
        for z in itertools.combinations(others, k):
            expected = all(dagcore.is_adjustment_set(m, x, y, z) for m in members)
            assert bool(dagcore.is_adjustment_set(pag, x, y, z)) == expected, (dumps(pag), x, y, z)
    valid = {frozenset(z) for k in range(len(others) + 1) for z in itertools.combinations(others, k)
             if all(dagcore.is_adjustment_set(m, x, y, z) for m in members)}
    minimal = {z for z in valid if not any(w < z for w in valid)}
    assert set(dagcore.adjustment_sets(pag, x, y)) == minimal
    for s in dagcore.implied_independencies(pag):
        assert all(m_separated(m, [s.x], [s.y], s.given) for m in members), s
    statements = _m_separations(mag)  # the same in every member
    for a, b in itertools.combinations(sorted(pag.nodes), 2):
        rest = [n for n in pag.nodes if n not in (a, b)]
        for z in itertools.chain.from_iterable(itertools.combinations(rest, k) for k in range(len(rest) + 1)):
            assert dagcore.d_separated(pag, a, b, given=z) == ((a, b, frozenset(z)) in statements)


def test_every_class_implementation_takes_the_keywords_of_its_public_function() -> None:
    """``f(pdag, option=...)`` must not be a TypeError where ``f(dag, option=...)`` works (one signature per name)."""
    import inspect

    from dagcore.graph import _FOR_CLASS

    for public, table in _FOR_CLASS.items():
        wanted = {n for n, p in inspect.signature(inspect.unwrap(public)).parameters.items() if p.kind is p.KEYWORD_ONLY}
        for cls, impl in table.items():
            params = inspect.signature(impl).parameters
            if any(p.kind is p.VAR_KEYWORD for p in params.values()):
                continue
            assert wanted <= set(params), (public.__name__, cls.__name__, sorted(wanted - set(params)))


def test_implied_independencies_of_a_class_with_adjusted_nodes() -> None:
    pag = parse("pag { a @-> b  c @-> b  b -> d  a [adjusted] }")
    with pytest.raises(GraphClassError, match=r"\[adjusted\] nodes \(a\).*ignore_adjusted=True"):
        dagcore.implied_independencies(pag)
    assert {(s.x, s.y) for s in dagcore.implied_independencies(pag, ignore_adjusted=True)} == {("a", "c"), ("a", "d"), ("c", "d")}
    pdag = parse("pdag { a -- b  b -- c  b [adjusted] }")  # conditioned on b, as in each DAG of the class
    assert dagcore.implied_independencies(pdag) == dagcore.implied_independencies(consistent_extension(pdag))
    assert dagcore.implied_independencies(pdag, ignore_adjusted=True) == dagcore.implied_independencies(
        consistent_extension(pdag), ignore_adjusted=True
    )


@pytest.mark.parametrize("seed", range(30))
def test_d_separated_on_a_class_is_separation_in_every_member(seed: int) -> None:
    rng = random.Random(23000 + seed)
    dag = _random_dag_with_latents(rng)
    mag = to_mag(dag)
    essential = cpdag(_random_dag(rng, rng.randint(3, 6), 0.5))
    members = list(equivalent_dags(essential))
    for g, truth in ((mag, lambda a, b, z: dagcore.d_separated(dag, {a}, {b}, given=set(z))),
                     (essential, lambda a, b, z: all(dagcore.d_separated(d, {a}, {b}, given=set(z)) for d in members))):
        a, b = rng.sample(list(g.nodes), 2)
        rest = [n for n in g.nodes if n not in (a, b)]
        for k in range(len(rest) + 1):
            for z in itertools.combinations(rest, k):
                assert dagcore.d_separated(g, a, b, given=z) == truth(a, b, z), (dumps(g), a, b, z)
                assert dagcore.d_connected(g, a, b, given=z) != truth(a, b, z)
    with pytest.raises(GraphError, match="must be disjoint"):
        dagcore.d_separated(mag, list(mag.nodes)[0], list(mag.nodes)[0])
    with pytest.raises(dagcore.NodeNotFoundError):
        dagcore.d_separated(essential, "nope", list(essential.nodes)[0])


def test_cli_dsep_on_classes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dagcore.cli import main

    path = tmp_path / "p.dag"
    path.write_text("pag { z @-> x  x -> y  z @-> y  w @-@ z }")
    assert main(["dsep", str(path), "w", "x", "--given", "z", "-q"]) == 0
    assert main(["dsep", str(path), "w", "x", "--json"]) == 0


@pytest.mark.parametrize("seed", range(40))
def test_maximum_cardinality_order_gives_every_node_a_clique_of_earlier_neighbours(seed: int) -> None:
    """The property mag_of_pag relies on (a perfect elimination ordering, reversed), on random chordal graphs."""
    from dagcore.equivalence import _maximum_cardinality_order

    rng = random.Random(31000 + seed)
    base = nx.gnp_random_graph(rng.randint(2, 12), rng.random(), seed=seed)
    chordal = nx.relabel_nodes(nx.complete_to_chordal_graph(base)[0], lambda i: f"v{i}")
    order = _maximum_cardinality_order(chordal)
    assert sorted(order.values()) == list(range(len(chordal)))
    for v in chordal:
        earlier = [u for u in chordal[v] if order[u] < order[v]]
        assert all(chordal.has_edge(a, b) for a, b in itertools.combinations(earlier, 2)), (v, earlier)
