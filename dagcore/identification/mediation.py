"""Identification of natural direct and indirect effects (Pearl 2001).

The natural direct effect (NDE) of ``X`` on ``Y`` compares ``Y`` under ``x1``
with ``Y`` under ``x1`` while the mediators ``M`` keep the value they would
take under ``x0``; the natural indirect effect (NIE) moves only the mediators.
Both are identified by the *mediation formula*

    NDE = Σ_w Σ_m [E(Y | x1, m, w) − E(Y | x0, m, w)] P(m | x0, w) P(w)
    NIE = Σ_w Σ_m E(Y | x1, m, w) [P(m | x1, w) − P(m | x0, w)] P(w)

when a set ``W`` of observed non-descendants of ``X`` satisfies Pearl's (2001)
graphical conditions (in the counterfactual form of VanderWeele 2015, §2.3):

1. ``W`` blocks every back-door path from ``X`` to ``Y`` that does not go
   through ``M`` (no unobserved exposure–outcome confounding):
   ``X ⊥ Y | W`` once the edges out of ``X`` and into ``M`` are removed;
2. ``W`` blocks every back-door path from ``X`` to ``M`` (no exposure–mediator
   confounding): ``X ⊥ M | W`` once the edges out of ``X`` are removed;
3. ``W ∪ {X}`` blocks every back-door path from ``M`` to ``Y`` (no
   mediator–outcome confounding): ``M ⊥ Y | W, X`` once the edges out of
   ``M`` are removed;
4. no mediator–outcome confounder is affected by the exposure (the
   "cross-world" condition): because ``W`` holds non-descendants of ``X`` only,
   a confounder ``L`` with ``X → L`` that is needed to block a path
   ``M ← L → Y`` makes condition 3 fail; it is reported as this condition, with
   ``L`` named (adding ``L`` to the mediators identifies the joint effects).

References: Pearl, J. (2001). Direct and indirect effects. UAI. VanderWeele,
T. J. (2015). *Explanation in Causal Inference*, ch. 2. Avin, Shpitser & Pearl
(2005) for the recanting witness behind condition 4.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from dagcore._traverse import directed_path, predecessors, reach, successors
from dagcore.errors import GraphError
from dagcore.estimand import Estimand
from dagcore.graph import CausalGraph, Nodes, as_names, exposure_and_outcome, takes_graph
from dagcore.identification.adjustment import proper_causal_nodes
from dagcore.structure.dseparation import d_separated

__all__ = ["MediationCheck", "check_mediation_set", "identify_mediation", "mediation_covariates"]


@dataclass(frozen=True)
class MediationCheck:
    """Result of :func:`check_mediation_set`: truthy when the conditions hold.

    ``failed`` lists the conditions that fail, each in words that name the
    variables; ``confounders_affected_by_exposure`` lists the nodes behind a
    failure of condition 4.
    """

    valid: bool
    covariates: frozenset[str]
    failed: tuple[str, ...] = ()
    confounders_affected_by_exposure: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return self.valid

    def __str__(self) -> str:
        if self.valid:
            return f"{{{', '.join(sorted(self.covariates))}}} satisfies the mediation conditions"
        return "; ".join(self.failed)


def _surgery(g: CausalGraph, *, out_of: frozenset[str] = frozenset(), into: frozenset[str] = frozenset()) -> CausalGraph:
    """``g`` without the edges out of ``out_of`` and into ``into``."""
    return g.without_edges((u, v) for u, v in g.edges if u in out_of or v in into)


def _query(
    g: CausalGraph, exposure: Nodes | None, outcome: Nodes | None, mediators: Nodes | None
) -> tuple[str, str, frozenset[str]]:
    xs, ys = exposure_and_outcome(g, exposure, outcome, purpose="mediation", single=True)
    (x,), (y,) = tuple(xs), tuple(ys)
    if mediators is None:
        ms = proper_causal_nodes(g, x, y) - {x, y} - g.latent
        if not ms:
            raise GraphError(f"{x} has no observed mediator on a directed path to {y}; name the mediators with mediators=...")
    else:
        ms = g.check_nodes(as_names(mediators))
        if not ms:
            raise GraphError("the mediator set is empty")
    bad = ms & {x, y}
    if bad:
        raise GraphError(f"{sorted(bad)[0]!r} is the exposure or the outcome and cannot be a mediator")
    latent = ms & g.latent
    if latent:
        raise GraphError(f"mediator {sorted(latent)[0]!r} is latent; mediators must be observed")
    not_affected = ms - g.descendants(x)
    if not_affected:
        raise GraphError(f"mediator {sorted(not_affected)[0]!r} is not a descendant of {x}: the exposure cannot act through it")
    return x, y, frozenset(ms)


def _conditions(g: CausalGraph, x: str, y: str, ms: frozenset[str], w: frozenset[str]) -> tuple[list[str], frozenset[str]]:
    failed: list[str] = []
    xs = frozenset({x})
    g1 = _surgery(g, out_of=xs, into=ms)
    if not d_separated(g1, x, y, given=w):
        failed.append(f"exposure-outcome confounding: a back-door path from {x} to {y} avoiding the mediators stays open given {_set(w)}")
    g2 = _surgery(g, out_of=xs)
    if not d_separated(g2, xs, ms, given=w):
        failed.append(f"exposure-mediator confounding: a back-door path from {x} to {_set(ms)} stays open given {_set(w)}")
    g3 = _surgery(g, out_of=ms)
    affected: frozenset[str] = frozenset()
    if not d_separated(g3, ms, y, given=w | xs):
        # Condition 4: is the open M-Y back-door path through a confounder that X affects?
        desc = (g.descendants(x) & set(g.observed)) - ms - {y}
        anc_m, anc_y = g.ancestors(ms), g3.ancestors(y)
        affected = frozenset(v for v in desc if v in anc_m and v in anc_y)
        if affected:
            failed.append(
                f"a mediator-outcome confounder is affected by the exposure: {_set(affected)} "
                f"(a descendant of {x}) is a common cause of {_set(ms)} and {y}; natural effects through {_set(ms)} alone are not identifiable "
                f"(add {_set(affected)} to the mediators to identify the joint natural effects)"
            )
        if not affected or not d_separated(g3, ms, y, given=w | xs | affected):
            failed.append(f"mediator-outcome confounding: a back-door path from {_set(ms)} to {y} stays open given {_set(w | xs)}")
    return failed, affected


def _set(s: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(s)) + "}"


@takes_graph()
def check_mediation_set(
    g: CausalGraph,
    covariates: Iterable[str],
    *,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    mediators: Nodes | None = None,
) -> MediationCheck:
    """Check whether ``covariates`` satisfy Pearl's conditions for the natural effects.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    covariates : iterable of str
        The proposed set ``W`` (observed non-descendants of the exposure).
    exposure, outcome : str, optional
        Default to the graph's roles (one of each).
    mediators : str or iterable of str, optional
        Default: every observed node on a directed path from exposure to outcome.

    Returns
    -------
    MediationCheck
        Truthy when valid; otherwise ``failed`` names each failed condition.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> g = parse("X [exposure] Y [outcome] C -> {X M Y} X -> M -> Y X -> Y")
    >>> bool(check_mediation_set(g, {"C"}))
    True
    >>> print(check_mediation_set(g, set()))  # doctest: +ELLIPSIS
    exposure-outcome confounding: a back-door path from X to Y avoiding the mediators stays open given {}; ...
    """
    x, y, ms = _query(g, exposure, outcome, mediators)
    w = g.check_nodes(as_names(list(covariates)))
    for v in sorted(w):
        if v in g.latent:
            return MediationCheck(False, w, (f"{v} is latent and cannot be adjusted for",))
        if v in (x, y) or v in ms:
            return MediationCheck(False, w, (f"{v} is the exposure, the outcome or a mediator, not a covariate",))
        if v in g.descendants(x):
            return MediationCheck(False, w, (f"{v} is a descendant of {x}: covariates of the mediation formula must not be affected by the exposure",))
    failed, affected = _conditions(g, x, y, ms, w)
    return MediationCheck(not failed, w, tuple(failed), affected)


@takes_graph()
def mediation_covariates(
    g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, mediators: Nodes | None = None
) -> MediationCheck:
    """Find an inclusion-minimal covariate set for the mediation formula, or say why none exists.

    The search starts from every observed non-descendant of the exposure that
    is an ancestor of the exposure, the mediators or the outcome, checks the
    conditions, and then drops variables one at a time while they still hold.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> g = parse("X [exposure] Y [outcome] C -> {X M Y} D -> X X -> M -> Y")
    >>> sorted(mediation_covariates(g).covariates)
    ['C']
    """
    x, y, ms = _query(g, exposure, outcome, mediators)
    candidates = (g.ancestors({x, y} | ms) & set(g.observed)) - g.descendants(x, include_self=True) - ms - {y}
    w = frozenset(candidates)
    failed, affected = _conditions(g, x, y, ms, w)
    if failed:
        return MediationCheck(False, w, tuple(failed), affected)
    for v in sorted(w):
        smaller = w - {v}
        if not _conditions(g, x, y, ms, smaller)[0]:
            w = smaller
    return MediationCheck(True, w)


@takes_graph()
def identify_mediation(
    g: CausalGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    mediators: Nodes | None = None,
    *,
    effect: str = "nde",
    covariates: Iterable[str] | None = None,
) -> Estimand:
    """Identify the natural direct (``"nde"``) or indirect (``"nie"``) effect through ``mediators``.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    exposure, outcome : str, optional
        Default to the graph's roles (one exposure, one outcome).
    mediators : str or iterable of str, optional
        Default: every observed node on a directed path from exposure to outcome.
    effect : {"nde", "nie"}
    covariates : iterable of str, optional
        Use this covariate set instead of searching for one (it is checked).

    Returns
    -------
    Estimand
        ``strategy="mediation"`` with the covariates in ``adjustment_set``,
        the mediators in ``mediators``, the mediation formula and the
        assumptions in words; or ``strategy="not_identifiable"`` with the
        failed condition as ``reason``. When no directed path from the
        exposure to the outcome avoids the mediators, the NDE is ``0`` and
        the NIE is the total effect (identified by :func:`dagcore.identify`).
        When the conditions fail for the mediators asked for, the first
        mediators the exposure reaches (or the last ones before the outcome),
        which define the same natural effects, are tried, and the first
        assumption says so.

    Examples
    --------
    >>> from dagcore.grammar import parse
    >>> e = identify_mediation(parse("X [exposure] Y [outcome] C -> {X M Y} X -> M -> Y X -> Y"))
    >>> e.strategy, sorted(e.adjustment_set), sorted(e.mediators)
    ('mediation', ['C'], ['M'])
    >>> print(e.formula)
    Σ_{C, M} [E(Y | X=x1, M, C) − E(Y | X=x0, M, C)] P(M | X=x0, C) P(C)
    >>> trap = parse("X [exposure] Y [outcome] X -> L -> {M Y} X -> M -> Y")
    >>> print(identify_mediation(trap, mediators="M").reason)  # doctest: +ELLIPSIS
    a mediator-outcome confounder is affected by the exposure: {L} ...
    """
    if effect not in ("nde", "nie"):
        raise GraphError(f"unknown natural effect {effect!r}; expected 'nde' or 'nie'")
    x, y, ms = _query(g, exposure, outcome, mediators)
    if directed_path(g.nx, [x], {y}, avoid=ms) is None:
        zero = _without_direct_path(g, x, y, ms, effect)
        if zero is not None:
            if covariates is not None and effect == "nde":
                unused = f"the covariates {_set(as_names(list(covariates)))} are not used: the graph alone makes the NDE zero"
                zero = dataclasses.replace(zero, assumptions=(*zero.assumptions, unused))
            return zero
    asked = ms
    check = MediationCheck(False, frozenset())
    for candidate in _equivalent_mediator_sets(g, x, y, ms):
        check = check_mediation_set(g, covariates, exposure=x, outcome=y, mediators=candidate) if covariates is not None else mediation_covariates(g, x, y, candidate)
        if check:
            ms = candidate
            break
        if candidate == asked:
            first_failure = check
    if not check:
        return Estimand(treatment=(x,), outcome=(y,), strategy="not_identifiable", effect=effect, mediators=asked, reason="; ".join(first_failure.failed), graph=g)
    same = () if ms == asked else (
        f"the natural effects through {_set(asked)} are those through {_set(ms)}: every directed path from {x} to {y} "
        f"through {_set(asked)} passes through {_set(ms)} (and every one through {_set(ms)} is through {_set(asked)})",
    )
    w = check.covariates
    m_txt, w_txt = ", ".join(sorted(ms)), ", ".join(sorted(w))
    cond = f", {w_txt}" if w else ""
    summed = ", ".join(sorted(w | ms))
    pw, pw_tex = (" P(" + w_txt + ")", " P(" + w_txt + ")") if w else ("", "")
    if effect == "nde":
        formula = f"Σ_{{{summed}}} [E({y} | {x}=x1, {m_txt}{cond}) − E({y} | {x}=x0, {m_txt}{cond})] P({m_txt} | {x}=x0{cond}){pw}"
        latex = (
            rf"\sum_{{{summed}}} \left[E({y} \mid {x}=x_1, {m_txt}{cond}) - E({y} \mid {x}=x_0, {m_txt}{cond})\right] "
            rf"P({m_txt} \mid {x}=x_0{cond}){pw_tex}"
        )
    else:
        formula = f"Σ_{{{summed}}} E({y} | {x}=x1, {m_txt}{cond}) [P({m_txt} | {x}=x1{cond}) − P({m_txt} | {x}=x0{cond})]{pw}"
        latex = (
            rf"\sum_{{{summed}}} E({y} \mid {x}=x_1, {m_txt}{cond}) \left[P({m_txt} \mid {x}=x_1{cond}) - P({m_txt} \mid {x}=x_0{cond})\right]{pw_tex}"
        )
    given = _set(w) if w else "nothing"
    assumptions = (
        "the graph is correct: every common cause of two variables in it is in it (or marked latent / as <->)",
        f"consistency and no interference: a unit's {y} depends only on its own {x} and {m_txt}",
        f"no unobserved common cause of {x} and {y} other than through {given}",
        f"no unobserved common cause of {x} and {{{m_txt}}} other than through {given}",
        f"no unobserved common cause of {{{m_txt}}} and {y} other than through {given} and {x}",
        f"no common cause of {{{m_txt}}} and {y} is itself affected by {x} (Pearl 2001's cross-world condition)",
        f"positivity: every value of {{{m_txt}}} has positive probability at both exposure levels within strata of {given}",
    )
    return Estimand(
        treatment=(x,), outcome=(y,), strategy="mediation", effect=effect, adjustment_set=w, mediators=ms,
        formula=formula, latex=latex, assumptions=(*same, *assumptions), graph=g,
    )


def _equivalent_mediator_sets(g: CausalGraph, x: str, y: str, ms: frozenset[str]) -> list[frozenset[str]]:
    """``ms``, then the mediators X reaches first and those that reach Y last: the same natural effects.

    Every directed path from X through ``ms`` meets a first mediator (and a last
    one), so fixing the first ones at their ``x0`` values fixes the rest, and
    fixing the last ones cuts every path through ``ms`` to Y: ``Y(x1, M(x0))``
    is the same counterfactual for all three sets.
    """
    first = frozenset(reach(successors(g.nx), [x], stop=ms) & ms)
    last = frozenset(reach(predecessors(g.nx), [y], stop=ms) & ms)
    out = [ms]
    for s in (first, last):
        if s and s not in out:
            out.append(s)
    return out


def _without_direct_path(g: CausalGraph, x: str, y: str, ms: frozenset[str], effect: str) -> Estimand | None:
    """Every directed path from X to Y passes through the mediators: the NDE is zero and the NIE the total effect."""
    why = f"every directed path from {x} to {y} passes through {_set(ms)}"
    if effect == "nde":
        return Estimand(
            treatment=(x,), outcome=(y,), strategy="mediation", effect="nde", mediators=ms, adjustment_set=frozenset(),
            formula="0", latex="0", graph=g,
            assumptions=(
                f"{why}: with {_set(ms)} held at any values {y} does not respond to {x}, so the natural direct effect is zero",
                "the graph is correct: every common cause of two variables in it is in it (or marked latent / as <->)",
            ),
        )
    if mediation_covariates(g, x, y, ms):
        return None  # the mediation formula itself applies
    from dagcore.identification.strategy import identify

    total = identify(g, x, y)
    if not total.identified:
        return None
    return dataclasses.replace(
        total, effect="nie", mediators=ms, assumptions=(f"{why}: the natural indirect effect is the total effect, identified as such", *total.assumptions),
    )
