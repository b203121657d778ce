"""The ID and IDC algorithms: identify P(y | do(x)) (and P(y | do(x), z)) in any semi-Markovian model.

Works on the latent projection of the graph (an ADMG over the observed
variables), so latent nodes are never treated as observed. The code follows
the pseudo-code of Shpitser & Pearl (2006), "Identification of joint
interventional distributions in recursive semi-Markovian causal models"
(AAAI; Fig. 3), line by line, and "Identification of conditional
interventional distributions" (UAI 2006) for IDC. When the effect is not
identifiable the algorithm stops at a hedge, which the error names.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagcore.errors import GraphError, HedgeError
from dagcore.graph import ADMG, CausalGraph, Nodes, as_names, exposure_and_outcome, takes_graph
from dagcore.identification.expressions import Expression, Fraction, P, Product, Sum, rename_bound, simplify

__all__ = ["identify_effect"]


def _ancestors(g: ADMG, nodes: Iterable[str]) -> frozenset[str]:
    return g.ancestors(nodes, include_self=True)


def _without_edges_into(g: ADMG, xs: frozenset[str]) -> ADMG:
    return ADMG(
        nodes=g.nodes,
        directed=frozenset(e for e in g.directed if e[1] not in xs),
        bidirected=frozenset(e for e in g.bidirected if e[0] not in xs and e[1] not in xs),
    )


def _is_joint(dist: Expression, v: frozenset[str]) -> bool:
    return isinstance(dist, P) and not dist.given and dist.variables == v


def _marginal(dist: Expression, v: frozenset[str], keep: frozenset[str]) -> Expression:
    drop = v - keep
    return simplify(Sum(drop, dist)) if drop else dist


def _conditional(dist: Expression, v: frozenset[str], target: str, given: frozenset[str]) -> Expression:
    """``P(target | given)`` computed from ``dist``, a distribution over ``v`` (context variables outside v stay free)."""
    if _is_joint(dist, v):
        return P({target}, given)
    inside = given & v
    num = _marginal(dist, v, inside | {target})
    den = _marginal(dist, v, inside)
    if isinstance(den, Product) and not den.factors:
        return num
    return simplify(Fraction(num, den))


def _id(y: frozenset[str], x: frozenset[str], dist: Expression, g: ADMG, order: tuple[str, ...]) -> Expression:
    v = frozenset(g.nodes)
    # line 1: no intervention left: marginalise
    if not x:
        return _marginal(dist, v, y)
    # line 2: restrict to the ancestors of y
    an_y = _ancestors(g, y)
    if v != an_y:
        return _id(y, x & an_y, _marginal(dist, v, an_y), g.subgraph(an_y), order)
    # line 3: intervene also on nodes that cannot reach y once x is fixed
    w = (v - x) - _ancestors(_without_edges_into(g, x), y)
    if w:
        return _id(y, x | w, dist, g, order)
    # line 4: factorise over the districts of G \ x
    rest = g.subgraph(v - x)
    districts = rest.districts()
    if len(districts) > 1:
        factors = [_id(s, v - s, dist, g, order) for s in districts]
        return simplify(Sum(v - (y | x), Product(factors)))
    (s,) = districts
    g_districts = g.districts()
    # line 5: fail at a hedge
    if len(g_districts) == 1 and g_districts[0] == v:
        raise HedgeError(_hedge_message(v, s, x, y), (v, s))
    pi = [n for n in order if n in v]
    # line 6: s is a district of G
    if s in g_districts:
        factors = [_conditional(dist, v, vi, frozenset(pi[: pi.index(vi)])) for vi in pi if vi in s]
        return simplify(Sum(s - y, Product(factors)))
    # line 7: s is inside a larger district s' of G
    s_big = next(d for d in g_districts if s < d)
    factors = []
    for vi in pi:
        if vi in s_big:
            before = frozenset(pi[: pi.index(vi)])
            factors.append(_conditional(dist, v, vi, before))
    new_dist = simplify(Product(factors))
    return _id(y, x & s_big, new_dist, g.subgraph(s_big), order)


def _hedge_message(f: frozenset[str], f_prime: frozenset[str], x: frozenset[str], y: frozenset[str]) -> str:
    fs = ", ".join(sorted(f))
    fps = ", ".join(sorted(f_prime))
    return (
        f"not identifiable: the hedge formed by the C-forests F = {{{fs}}} and F' = {{{fps}}}: "
        f"{{{fs}}} are all tied together by unobserved common causes (bidirected edges), and intervening on "
        f"{{{', '.join(sorted(x & f))}}} cannot separate the confounding from the effect on {{{', '.join(sorted(y))}}}"
    )


def _admg_dsep(g: ADMG, xs: frozenset[str], ys: frozenset[str], zs: frozenset[str]) -> bool:
    from dagcore.structure.dseparation import d_separated

    cg = CausalGraph(sorted(g.directed), nodes=g.nodes, bidirected=sorted(g.bidirected))
    return d_separated(cg, xs, ys, given=zs)


def _idc(y: frozenset[str], x: frozenset[str], z: frozenset[str], dist: Expression, g: ADMG, order: tuple[str, ...]) -> Expression:
    # IDC line 1: move a conditioning variable into the intervention when it is independent of y
    for zi in sorted(z):
        cut = ADMG(
            nodes=g.nodes,
            directed=frozenset(e for e in g.directed if e[1] not in x and e[0] != zi),
            bidirected=frozenset(e for e in g.bidirected if e[0] not in x and e[1] not in x),
        )
        if _admg_dsep(cut, y, frozenset({zi}), x | (z - {zi})):
            return _idc(y, x | {zi}, z - {zi}, dist, g, order)
    # IDC line 2: identify the joint, then condition
    joint = _id(y | z, x, dist, g, order)
    return simplify(Fraction(joint, simplify(Sum(y, joint))))


@takes_graph()
def identify_effect(
    g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, *, given: Nodes = ()
) -> Expression:
    """Identify ``P(outcome | do(exposure), given)`` as a formula over the observational distribution.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
        Latent nodes are projected out first (the ADMG of :meth:`CausalGraph.latent_projection`).
    exposure, outcome, given : str or iterable of str
        The sets X, Y and Z of ``P(y | do(x), z)``; X and Y default to the
        graph's roles, Z to none (a non-empty Z runs IDC).

    Returns
    -------
    Expression
        A simplified formula; ``.to_text()`` and ``.to_latex()`` render it.
        Its free variables are exactly the query's (X, Y and Z), so
        ``evaluate(expr, dist, {X: x, Y: y})`` works: a variable the formula
        would depend on only formally is averaged over its distribution.

    Raises
    ------
    HedgeError (a NotIdentifiableError)
        The effect is not identifiable; the message and ``.hedge`` name the hedge.
    GraphError
        Latent, overlapping or empty exposure/outcome sets.

    Examples
    --------
    >>> front = CausalGraph([("X", "M"), ("M", "Y")], bidirected=[("X", "Y")])
    >>> print(identify_effect(front, "X", "Y"))
    Σ_{M} P(M | X) [Σ_{X'} P(X') P(Y | M, X')]
    >>> napkin = CausalGraph([("W", "Z"), ("Z", "X"), ("X", "Y")], bidirected=[("W", "X"), ("W", "Y")])
    >>> print(identify_effect(napkin, "X", "Y"))
    Σ_{Z} P(Z) [[Σ_{W} P(W) P(X | W, Z) P(Y | W, X, Z)] / [Σ_{W} P(W) P(X | W, Z)]]
    >>> bow = CausalGraph([("X", "Y")], bidirected=[("X", "Y")])
    >>> identify_effect(bow, "X", "Y")
    Traceback (most recent call last):
    ...
    dagcore.errors.HedgeError: not identifiable: the hedge formed by the C-forests F = {X, Y} and F' = {Y}: ...

    References
    ----------
    Shpitser, I. & Pearl, J. (2006). Identification of joint interventional
    distributions in recursive semi-Markovian causal models. AAAI.
    """
    x, y = exposure_and_outcome(g, exposure, outcome, purpose="identification")
    z = g.check_nodes(as_names(given))
    if z & g.latent:
        raise GraphError(f"conditioning set {sorted(z & g.latent)[0]!r} is latent; only observed variables can be conditioned on")
    if x & z or y & z:
        raise GraphError("the conditioning set (given) must be disjoint from the exposure and the outcome")
    admg = g.latent_projection()
    order = admg.topological_order()
    base = P(frozenset(admg.nodes))
    result = simplify(_idc(y, x, z, base, admg, order) if z else _id(y, x, base, admg, order))
    return rename_bound(_average_free(result, x | y | z))


def _average_free(expr: Expression, query: frozenset[str]) -> Expression:
    """Average over variables the formula depends on only formally: ``Σ_v P(v) expr``.

    The ID algorithm can leave a variable ``v`` outside the query free (the
    napkin's formula mentions Z): the formula then takes the same value for
    every ``v`` of positive probability, so averaging it over ``P(v)`` changes
    nothing and leaves no free variable unexplained.
    """
    extra = expr.free_variables() - query
    if not extra:
        return expr
    return Sum(extra, Product([P(extra), expr]))
