"""``identify``: from a graph and a question to an :class:`~dagcore.Estimand`.

Strategies are tried in this order (the order of :data:`dagcore.STRATEGIES`),
and the first that applies is used:

1. **randomized**: no open back-door path (the empty set is an adjustment set):
   a plain contrast ``P(y | x)``;
2. **backdoor** (covariate adjustment): the O-set when it exists (smallest
   asymptotic variance), else a minimal adjustment set; up to five other
   minimal sets are listed as alternatives on graphs of at most 2,000 nodes
   (:func:`dagcore.adjustment_sets` lists them all, lazily, on any graph);
3. **frontdoor**: a set satisfying the front-door criterion;
4. **id**: the general ID algorithm on the latent projection (a nonparametric
   formula, so it is preferred to an instrument);
5. **iv**: an instrument (possibly conditional) when the effect is not
   nonparametrically identifiable. Such an estimand is *not* identified
   (``identified`` is False, the hedge stays in ``reason``); it is identified
   only under linearity/homogeneity (or as a local average effect under
   monotonicity), which ``identified_under`` and the first assumption say;
6. otherwise **not identifiable**, with the hedge as the reason.

``mediation`` (natural effects) comes from
:func:`dagcore.identify_mediation`, not from this function. With
``given=``, the conditional effect ``P(y | do(x), z)`` is identified by the
IDC algorithm; with ``effect="direct"``, the controlled direct effect by
back-door adjustment for the joint intervention, else by the ID algorithm.

``[adjusted]`` nodes are conditioned on: the answer is an adjustment set
containing them, or not identifiable with the reason naming the node and the
path (front-door, ID and instruments are not tried, since they would drop
that conditioning); ``ignore_adjusted=True`` answers as if they were not
marked. ``[selected]`` nodes restrict the data to ``S = 1``: only the
generalized adjustment criterion under selection is used first (Correa &
Bareinboim 2017): the formula is the adjustment formula computed on the
selected sample, and the assumptions state the selection. When no set
qualifies, the strategies above are tried with every variable d-connected to
S treated as unobserved (a formula on variables independent of S has the
same value in the selected sample); otherwise the reason says why.
See :mod:`dagcore.identification.conditioning`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable

from dagcore.errors import GraphError, NotIdentifiableError
from dagcore.estimand import Estimand
from dagcore.graph import CausalGraph, Nodes, as_names, exposure_and_outcome, takes_graph
from dagcore.identification.adjustment import adjustment_sets, minimal_adjustment_set, optimal_adjustment_set
from dagcore.identification.expressions import (
    Expression,
    _latex_name,
    backdoor_formula,
    frontdoor_formula,
    rename_bound,
    simplify,
)

__all__ = ["identify"]

_MAX_ALTERNATIVES = 5
#: Alternatives are listed only up to this many nodes: each minimal set costs
#: linear passes over the moral graph, which on large dense graphs takes seconds.
_ALTERNATIVES_UP_TO_NODES = 2_000


def _names(s: Iterable[str]) -> str:
    return ", ".join(sorted(s))


def _roles(g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    xs, ys = exposure_and_outcome(g, exposure, outcome, purpose="identify")
    return tuple(sorted(xs)), tuple(sorted(ys))


def _estimand(g: CausalGraph, x: tuple[str, ...], y: tuple[str, ...], strategy: str, expr: Expression | None, **kw: object) -> Estimand:
    if expr is not None:
        expr = rename_bound(simplify(expr))
    return Estimand(
        treatment=x,
        outcome=y,
        strategy=strategy,
        formula=expr.to_text() if expr is not None else "",
        latex=expr.to_latex() if expr is not None else "",
        expression=expr,
        graph=g,
        **kw,  # type: ignore[arg-type]
    )


def _common_assumptions(g: CausalGraph, x: tuple[str, ...], y: tuple[str, ...]) -> list[str]:
    return [
        "the graph is correct: every common cause of two variables in it is in it (or marked latent / as <->)",
        f"consistency and no interference: a unit's {_names(y)} depends only on its own {_names(x)}",
    ]


@takes_graph()
def identify(
    g: CausalGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    effect: str = "total",
    ignore_adjusted: bool = False,
    given: Nodes = (),
) -> Estimand:
    """Identify the causal effect of ``exposure`` on ``outcome`` from the graph alone.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    exposure, outcome : str or iterable of str, optional
        Default to the graph's roles.
    effect : {"total", "direct"}
        ``"direct"`` identifies the controlled direct effect by adjusting for
        the joint intervention on the exposure and the outcome's parents that
        the exposure affects.
    ignore_adjusted : bool
        Answer as if no node were marked ``[adjusted]`` (the assumptions say
        which of the two answers it is). Selection is never ignored.
        ``"direct"`` identifies the controlled direct effect: the exposure and
        every other parent of the outcome that the exposure affects (the
        mediators held fixed) are intervened on together, and that joint
        effect is identified by back-door adjustment, else by the ID algorithm.
    given : str or iterable of str
        Observed variables to condition on: the conditional effect
        ``P(y | do(x), given)``, identified by the IDC algorithm (Shpitser &
        Pearl 2006); the estimand's ``given`` names them.

    Returns
    -------
    Estimand
        Its ``strategy`` is one of randomized, backdoor, frontdoor, iv, id or
        not_identifiable (then ``reason`` names the hedge); ``formula``,
        ``latex`` and ``assumptions`` say the rest in words.

    Raises
    ------
    GraphError
        Missing, latent or overlapping exposure and outcome.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> e = identify(parse("X [exposure] Y [outcome] Z -> {X Y} X -> Y"))
    >>> e.strategy, sorted(e.adjustment_set), e.formula
    ('backdoor', ['Z'], 'Σ_{Z} P(Y | X, Z) P(Z)')
    >>> identify(parse("X [exposure] Y [outcome] X -> Y; X <-> Y")).strategy
    'not_identifiable'
    >>> e = identify(parse("X [exposure] Y [outcome] Z -> X -> Y; X <-> Y"))
    >>> e.strategy, e.identified, e.estimable
    ('iv', False, True)
    >>> print(e.headline())
    Effect of X on Y (total effect): not identifiable without parametric assumptions; identified under linearity/homogeneity (or LATE under monotonicity) by instrument Z
    >>> print(identify(parse("X [exposure] Y [outcome] Z -> X -> Y; Z -> Y"), given="Z").formula)
    P(Y | X, Z)
    """
    if effect not in ("total", "direct"):
        raise GraphError(f"unknown effect {effect!r}; identify supports 'total' and 'direct' (see identify_mediation for natural effects)")
    x, y = _roles(g, exposure, outcome)
    xs, ys = frozenset(x), frozenset(y)
    base = _common_assumptions(g, x, y)
    g, marks = _conditioning_marks(g, ignore_adjusted)
    base = [*base, *marks]
    conditioned = g.check_nodes(as_names(given))
    if conditioned:
        return _conditional(g, x, y, conditioned, effect, base)
    if effect == "direct":
        return _with_selection(g, xs, ys, _direct(g, x, y, base))
    if g.adjusted or g.selected:
        return _conditioned(g, x, y, base)

    # 1. randomized / no confounding
    from dagcore.identification.adjustment import is_adjustment_set

    if is_adjustment_set(g, xs, ys, ()):
        return _estimand(
            g, x, y, "randomized", backdoor_formula(xs, ys, ()),
            adjustment_set=frozenset(),
            assumptions=(
                f"no open back-door path between {_names(x)} and {_names(y)}: no unobserved or unadjusted common cause",
                *base,
                f"positivity: every level of {_names(x)} has a positive probability",
            ),
        )
    # 2. back-door adjustment
    z = optimal_adjustment_set(g, xs, ys)
    chosen = "O-set (most efficient valid set for regression estimators)"
    if z is None:
        z = minimal_adjustment_set(g, xs, ys)
        chosen = "a minimal adjustment set"
    if z is not None:
        alternatives = (
            tuple(s for s in itertools.islice(adjustment_sets(g, xs, ys), _MAX_ALTERNATIVES + 1) if s != z)[:_MAX_ALTERNATIVES]
            if len(g.nodes) <= _ALTERNATIVES_UP_TO_NODES
            else ()
        )
        return _estimand(
            g, x, y, "backdoor", backdoor_formula(xs, ys, z),
            adjustment_set=z,
            alternatives=alternatives,
            assumptions=(
                f"no unobserved common cause of {_names(x)} and {_names(y)} other than through {{{_names(z)}}} (conditional exchangeability)",
                f"{{{_names(z)}}} is measured without error and is not affected by {_names(x)}",
                *base,
                f"positivity: every stratum of {{{_names(z)}}} has units at every level of {_names(x)}",
                f"adjustment set chosen: {chosen}",
            ),
        )
    # 3. front-door
    from dagcore.identification.frontdoor import find_frontdoor_set

    m = find_frontdoor_set(g, xs, ys)
    if m is not None:
        return _estimand(
            g, x, y, "frontdoor", frontdoor_formula(xs, ys, m),
            mediators=m,
            assumptions=(
                f"{{{_names(m)}}} intercepts every directed path from {_names(x)} to {_names(y)}",
                f"no unobserved common cause of {_names(x)} and {{{_names(m)}}}",
                f"every back-door path from {{{_names(m)}}} to {_names(y)} is blocked by {_names(x)}",
                *base,
                f"positivity: P({_names(m)} | {_names(x)}) > 0 wherever needed",
            ),
        )
    # 4. the ID algorithm (nonparametric; preferred to an instrument, which needs extra assumptions)
    from dagcore.identification.id_algorithm import identify_effect

    try:
        expr = identify_effect(g, xs, ys)
    except NotIdentifiableError as err:
        hedge = str(err)
    else:
        return _estimand(
            g, x, y, "id", expr,
            assumptions=(
                *base,
                "positivity: every probability in the formula's denominators is positive",
            ),
        )
    # 5. instrumental variable (identifies the effect only under linearity or monotonicity)
    if len(x) == 1 and len(y) == 1:
        iv = _instrument(g, x[0], y[0], hedge, base)
        if iv is not None:
            return iv
    return Estimand(
        treatment=x, outcome=y, strategy="not_identifiable", graph=g, reason=hedge,
        assumptions=tuple(base),
    )


def _instrument(g: CausalGraph, x: str, y: str, hedge: str, base: list[str]) -> Estimand | None:
    """The IV estimand: not identified nonparametrically (``reason`` keeps the hedge), parametric assumption first."""
    from dagcore.identification.instrumental import instruments

    found = next(instruments(g, x, y), None)
    if found is None:
        return None
    z, w = found
    cond = f" given {{{_names(w)}}}" if w else ""
    bar, bar_tex = (f" | {_names(w)}", " \\mid " + ", ".join(_latex_name(v) for v in sorted(w))) if w else ("", "")
    return Estimand(
        treatment=(x,), outcome=(y,), strategy="iv", instruments=frozenset({z}), adjustment_set=w, graph=g,
        formula=f"Cov({z}, {y}{bar}) / Cov({z}, {x}{bar})",
        latex=(
            f"\\frac{{\\mathrm{{Cov}}({_latex_name(z)}, {_latex_name(y)}{bar_tex})}}"
            f"{{\\mathrm{{Cov}}({_latex_name(z)}, {_latex_name(x)}{bar_tex})}}"
        ),
        reason=hedge,
        assumptions=(
            "parametric: the effect is linear and the same for every unit (homogeneity); without it the ratio is a "
            f"local average effect among units whose {x} responds to {z}, under monotonicity",
            f"relevance: {z} is associated with {x}{cond}",
            f"exclusion: {z} affects {y} only through {x}{cond}",
            f"independence: no unobserved common cause of {z} and {y}{cond}",
            *base,
        ),
    )


def _conditional(g: CausalGraph, x: tuple[str, ...], y: tuple[str, ...], given: frozenset[str], effect: str, base: list[str]) -> Estimand:
    """``P(y | do(x), given)`` by the IDC algorithm, or the reason it is not identifiable."""
    from dagcore.identification.id_algorithm import identify_effect

    if effect != "total":
        raise GraphError("given= identifies conditional total effects; leave out effect='direct' or given=")
    try:
        expr = identify_effect(g, x, y, given=given)
    except NotIdentifiableError as err:
        return Estimand(treatment=x, outcome=y, strategy="not_identifiable", graph=g, given=given, reason=str(err), assumptions=tuple(base))
    return _estimand(
        g, x, y, "id", expr, given=given,
        assumptions=(
            f"the effect is conditional on {{{_names(given)}}} (IDC: Shpitser & Pearl 2006)",
            *base,
            "positivity: every probability in the formula's denominators is positive",
        ),
    )


def _direct(g: CausalGraph, x: tuple[str, ...], y: tuple[str, ...], base: list[str]) -> Estimand:
    """The controlled direct effect: intervene on X and on every other parent of Y that X affects, then identify.

    Back-door adjustment for the joint intervention first; else the ID
    algorithm on ``P(y | do(x, m))`` (Shpitser & Pearl 2006), which answers
    e.g. the front-door graph and the napkin; else the hedge.
    """
    xs, ys = frozenset(x), frozenset(y)
    mediators = frozenset(p for yi in ys for p in g.parents(yi) if p in g.descendants(xs) and p not in xs)
    if mediators & g.latent:
        return Estimand(
            treatment=x, outcome=y, strategy="not_identifiable", effect="direct", graph=g,
            reason=f"the controlled direct effect needs every mediator that is a parent of {_names(y)} observed; {sorted(mediators & g.latent)[0]} is latent",
        )
    joint = xs | mediators
    held = f"controlled direct effect: {{{_names(mediators)}}} held fixed by intervention" if mediators else (
        f"controlled direct effect: no parent of {_names(y)} other than {_names(x)} is affected by {_names(x)}, so it equals the total effect"
    )
    zero = [] if any(xi in g.parents(yi) for xi in xs for yi in ys) else [
        f"{_names(x)} is not a parent of {_names(y)}: with {{{_names(mediators)}}} held fixed the direct effect is zero (the formula does not depend on {_names(x)})"
    ]
    z = minimal_adjustment_set(g, joint, ys)
    if z is not None:
        return _estimand(
            g, x, y, "backdoor", backdoor_formula(joint, ys, z), effect="direct", adjustment_set=z, mediators=mediators,
            assumptions=(
                held, *zero,
                f"no unobserved common cause of {{{_names(joint)}}} and {_names(y)} other than through {{{_names(z)}}}",
                *base,
            ),
        )
    from dagcore.identification.id_algorithm import identify_effect

    try:
        expr = identify_effect(g, joint, ys)
    except NotIdentifiableError as err:
        return Estimand(
            treatment=x, outcome=y, strategy="not_identifiable", effect="direct", graph=g, mediators=mediators,
            reason=f"the joint intervention on {{{_names(joint)}}} (exposure and mediators) is {err}",
        )
    return _estimand(
        g, x, y, "id", expr, effect="direct", mediators=mediators,
        assumptions=(
            held, *zero,
            *base,
            "positivity: every probability in the formula's denominators is positive",
        ),
    )


# ---------------------------------------------------------------------------------------------- adjusted / selected
def _conditioning_marks(g: CausalGraph, ignore_adjusted: bool) -> tuple[CausalGraph, list[str]]:
    """The graph to answer on (without the adjusted marks when ignored) and the assumption lines saying which."""
    from dagcore.identification.conditioning import conditioning

    cond = conditioning(g, ignore_adjusted=ignore_adjusted)
    lines = []
    if cond.adjusted:
        lines.append(f"conditioned on the adjusted nodes {{{_names(cond.adjusted)}}}: the adjustment set contains them (ignore_adjusted=True answers without)")
    if cond.ignored:
        lines.append(f"answered as if nothing were adjusted for: the [adjusted] marks on {{{_names(cond.ignored)}}} are ignored")
        g = g.with_roles(adjusted=frozenset(g.adjusted) - cond.ignored)
    return g, lines


def _selection_lines(g: CausalGraph, x: Iterable[str], y: Iterable[str], z: Iterable[str]) -> list[str]:
    s = _names(g.selected)
    return [
        f"selection: the data hold only units with {s} = 1; the formula is computed on that selected sample "
        f"(generalized adjustment under selection, Correa & Bareinboim 2017)",
        f"the selection {s} is independent of {_names(y)} given {_names(x)} under intervention on {_names(x)}, "
        f"and {{{_names(z)}}} together with {s} blocks every non-causal path (read off the graph: it must show every cause of selection)",
    ]


def _selected_text(xs: frozenset[str], ys: frozenset[str], z: frozenset[str], s: frozenset[str]) -> tuple[str, str]:
    """The adjustment formula on the selected sample, as text and LaTeX."""
    cond = ", ".join(f"{v} = 1" for v in sorted(s))
    lat = ", ".join(f"{v} = 1" for v in sorted(s))
    given = ", ".join(sorted(xs | z))
    if not z:
        return f"P({_names(ys)} | {given}, {cond})", f"P({_names(ys)} \\mid {given}, {lat})"
    return (
        f"Σ_{{{_names(z)}}} P({_names(ys)} | {given}, {cond}) P({_names(z)} | {cond})",
        f"\\sum_{{{_names(z)}}} P({_names(ys)} \\mid {given}, {lat}) P({_names(z)} \\mid {lat})",
    )


def _with_selection(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], est: Estimand) -> Estimand:
    """``est`` with the selection stated (formula on the selected sample, assumptions), when the graph has selected nodes."""
    if not g.selected:
        return est
    if not est.identified:
        return dataclasses.replace(est, assumptions=(*est.assumptions, f"selection: the data hold only units with {_names(g.selected)} = 1"))
    joint = xs | (est.mediators or frozenset())
    formula, latex = _selected_text(joint, ys, est.adjustment_set or frozenset(), frozenset(g.selected))
    return dataclasses.replace(
        est, formula=formula, latex=latex,
        assumptions=(*_selection_lines(g, joint, ys, est.adjustment_set or ()), *est.assumptions),
    )


def _conditioned(g: CausalGraph, x: tuple[str, ...], y: tuple[str, ...], base: list[str]) -> Estimand:
    """identify() when nodes are marked adjusted or selected: adjustment containing them, valid under the selection, or the reason."""
    from dagcore.identification.adjustment_reasons import no_adjustment_reason

    xs, ys = frozenset(x), frozenset(y)
    z = optimal_adjustment_set(g, xs, ys)
    chosen = "the O-set together with the adjusted nodes (valid; optimality among sets containing them is not established)"
    if z is None:
        z = minimal_adjustment_set(g, xs, ys)
        chosen = "a minimal adjustment set containing the adjusted nodes"
    if z is None:
        reason = no_adjustment_reason(g, xs, ys) or "no valid adjustment set"
        if g.adjusted:
            reason += " (identify(..., ignore_adjusted=True) answers as if nothing were adjusted for)"
        else:
            other = _unselected_strategy(g, x, y)
            if isinstance(other, Estimand):
                return other
            reason += f"; nor by another formula: {other}"
        extra = [f"selection: the data hold only units with {_names(g.selected)} = 1"] if g.selected else []
        return Estimand(treatment=x, outcome=y, strategy="not_identifiable", graph=g, reason=reason, assumptions=(*base, *extra))
    if not g.adjusted:
        chosen = "O-set (valid under the selection; its optimality there is not established)" if chosen.startswith("the O-set") else "a minimal adjustment set"
    alternatives = (
        tuple(s for s in itertools.islice(adjustment_sets(g, xs, ys), _MAX_ALTERNATIVES + 1) if s != z)[:_MAX_ALTERNATIVES]
        if len(g.nodes) <= _ALTERNATIVES_UP_TO_NODES
        else ()
    )
    strategy = "backdoor" if z else "randomized"
    est = _estimand(
        g, x, y, strategy, backdoor_formula(xs, ys, z),
        adjustment_set=z,
        alternatives=alternatives,
        assumptions=(
            f"no unobserved common cause of {_names(x)} and {_names(y)} other than through {{{_names(z)}}} (conditional exchangeability)",
            *base,
            f"positivity: every stratum of {{{_names(z)}}} has units at every level of {_names(x)}",
            f"adjustment set chosen: {chosen}",
        ),
    )
    return _with_selection(g, xs, ys, est)


def _unselected_strategy(g: CausalGraph, x: tuple[str, ...], y: tuple[str, ...]) -> Estimand | str:
    """Front-door, ID or instrument under selection, using only variables the selection is d-separated from.

    Every node d-connected to S (no conditioning) is treated as latent and the
    question is identified without the selection: the formula then reads only
    variables V' with ``S ⊥ V'``, so ``P(v' | S = 1) = P(v')`` and the formula
    computed on the selected sample is the population's (Bareinboim, Tian &
    Pearl 2014: a distribution is s-recoverable when the selection is
    independent of it). Otherwise the reason, in words.
    """
    from dagcore.structure.dseparation import reachable

    s = frozenset(g.selected)
    tied = reachable(g, s) - s
    if tied & (frozenset(x) | frozenset(y)):
        v = sorted(tied & (frozenset(x) | frozenset(y)))[0]
        return f"{v} is d-connected to the selection {_names(s)}, so its distribution in the selected sample is not the population's"
    est = identify(g.with_roles(selected=(), latent=frozenset(g.latent) | tied | s), x, y)
    if not est.estimable:
        return (
            f"treating the {len(tied)} variables d-connected to the selection as unobserved, the effect is not identifiable"
            + (f" ({est.reason})" if est.reason else "")
        )
    line = (
        f"selection: the data hold only units with {_names(s)} = 1; the formula uses only variables d-separated from "
        f"{_names(s)} (the {len(tied)} variables connected to it are treated as unobserved), so their distribution in the "
        f"selected sample is the population's and the formula is computed on the selected sample (Bareinboim, Tian & Pearl 2014)"
    )
    return dataclasses.replace(est, graph=g, assumptions=(line, *est.assumptions))
