"""Why no adjustment set exists: the node and the path, for adjusted nodes, selection, and plain confounding.

:func:`no_adjustment_reason` is the explanation behind every ``None`` (or
empty listing) of the set searches in :mod:`dagcore.identification.adjustment`,
given the graph's ``[adjusted]`` and ``[selected]`` nodes
(:mod:`dagcore.identification.conditioning`).
"""

from __future__ import annotations

from collections.abc import Iterable

from dagcore._traverse import directed_path
from dagcore.graph import CausalGraph, Nodes, exposure_and_outcome, takes_graph
from dagcore.identification.adjustment import _open_noncausal_path, _search_space, forbidden_nodes, proper_causal_nodes
from dagcore.identification.conditioning import causal_path_through, conditioning, reason_for_selection
from dagcore.structure.dseparation import d_separated

__all__ = ["no_adjustment_reason"]


def _names(s: Iterable[str]) -> str:
    return ", ".join(sorted(s))


def _forbidden_reason(g: CausalGraph, x: frozenset[str], y: frozenset[str], node: str, cn: frozenset[str], what: str) -> str:
    """Why ``node`` (in ``forb(X, Y)``) can be in no adjustment set: the causal path it is on or descends from."""
    if node in cn and node not in y:
        return f"{node} ({what}) is on the causal path {causal_path_through(g, x, y, node)}; no valid adjustment set contains it (conditioning on it blocks part of the effect)"
    down = directed_path(g.nx, sorted(y), {node})
    if down is not None:
        return (
            f"{node} ({what}) is a descendant of the outcome {down[0]} ({' -> '.join(down)}); "
            "no valid adjustment set contains it (conditioning on it biases the effect)"
        )
    via = directed_path(g.nx, sorted(cn), {node}) or [node]
    return (
        f"{node} ({what}) is a descendant of {via[0]} ({' -> '.join(via)}), which is on the causal path "
        f"{causal_path_through(g, x, y, via[0])}; no valid adjustment set contains it"
    )


def _forced_reason(g: CausalGraph, x: frozenset[str], y: frozenset[str], forced: frozenset[str], exclude: frozenset[str]) -> str | None:
    """A node that must be in every set (adjusted or included) but cannot be in any, with the reason."""
    def what(v: str) -> str:
        return "marked adjusted" if v in g.adjusted else "required by include="

    for v in sorted(forced & (x | y)):
        role = "exposure" if v in x else "outcome"
        return f"{v} ({what(v)}) is the {role}; an {role} cannot be in its own adjustment set"
    for v in sorted(forced & g.latent):
        return f"{v} ({what(v)}) is latent: an unobserved variable cannot be conditioned on"
    for v in sorted(forced & exclude):
        return f"{v} ({what(v)}) is also excluded (exclude=): no set can both contain and leave it out"
    forb = forbidden_nodes(g, x, y)
    cn = proper_causal_nodes(g, x, y)
    for v in sorted(forced & forb):
        return _forbidden_reason(g, x, y, v, cn, what(v))
    return None


@takes_graph()
def no_adjustment_reason(
    g: CausalGraph,
    exposure: Nodes | None = None,
    outcome: Nodes | None = None,
    *,
    include: Nodes = (),
    exclude: Nodes = (),
    ignore_adjusted: bool = False,
) -> str | None:
    """Why no valid adjustment set exists (containing the adjusted nodes, under the selection), or None when one does.

    The reason names the node: an adjusted node on a causal path ("s2 is on
    the causal path x -> s2 -> y"), descending from the outcome or from a
    mediator, or opening a non-causal path that no observed covariate can
    block; a selection the effect cannot be recovered from; or, with nothing
    forced, the non-causal path that stays open.

    Examples
    --------
    >>> g = CausalGraph([("X", "M"), ("M", "Y")], adjusted="M")
    >>> print(no_adjustment_reason(g, "X", "Y"))
    M (marked adjusted) is on the causal path X -> M -> Y; no valid adjustment set contains it (conditioning on it blocks part of the effect)
    >>> no_adjustment_reason(g, "X", "Y", ignore_adjusted=True) is None
    True
    >>> g = CausalGraph([("X", "C"), ("U", "C"), ("U", "Y"), ("X", "Y")], latent="U", adjusted="C")
    >>> print(no_adjustment_reason(g, "X", "Y"))
    conditioning on C (marked adjusted) opens the non-causal path X -> C <- U -> Y (C is a collider on it), and no observed covariate can block it; no valid adjustment set contains C
    """
    x, y = exposure_and_outcome(g, exposure, outcome, purpose="adjustment")
    cond = conditioning(g, ignore_adjusted=ignore_adjusted)
    reason = reason_for_selection(g, x, y, cond.selected)
    if reason is not None:
        return reason
    exc = g.check_nodes(exclude)
    for v in sorted(exc & cond.selected):
        return f"{v} is marked selected and also excluded (exclude=): the data are conditioned on {v} = 1 whatever the set"
    forced = g.check_nodes(include) | cond.adjusted
    reason = _forced_reason(g, x, y, forced, exc)
    if reason is not None:
        return reason

    def largest(required: frozenset[str]) -> tuple[frozenset[str], CausalGraph] | None:
        """The largest candidate ``An(X ∪ Y ∪ required) ∩ allowed ∪ required`` (it separates iff any candidate does)."""
        space = _search_space(g, x, y, required, exc)
        assert space is not None
        _x, _y, inc, pbd, allowed = space
        z = (g.ancestors(x | y | inc) & allowed) | inc
        return (z, pbd) if not d_separated(pbd, x, y, given=z) else None

    blocked = largest(forced | cond.selected)
    if blocked is None:
        return None
    z, pbd = blocked
    path = _open_noncausal_path(pbd, g, x, y, z)
    shown = path or "a non-causal path"
    bare = largest(cond.selected)
    if bare is not None or not forced:
        even = f" even without {{{_names(forced)}}}" if forced else ""
        return f"no valid adjustment set exists{even}: the non-causal path {shown} stays open whatever observed covariates are adjusted for"
    # Some collider on the open path is an ancestor of a forced node but not of X, Y or the selection.
    base = g.ancestors(x | y | cond.selected, include_self=True)
    for culprit in sorted(forced - base):
        collider = None if path is None else _opened_collider(g, path, culprit, base)
        if collider is not None:
            where = f"{culprit} is a collider on it" if collider == culprit else f"{culprit} descends from the collider {collider} on it"
            return (
                f"conditioning on {culprit} ({'marked adjusted' if culprit in g.adjusted else 'required by include='}) opens the "
                f"non-causal path {path} ({where}), and no observed covariate can block it; no valid adjustment set contains {culprit}"
            )
    return (
        f"conditioning on {{{_names(forced)}}} opens the non-causal path {shown}, and no observed covariate can block it; "
        f"no valid adjustment set contains {{{_names(forced)}}}"
    )


def _opened_collider(g: CausalGraph, path: str, culprit: str, base: frozenset[str]) -> str | None:
    """A collider on the path (as text) that ``culprit`` descends from (or is) and ``base`` does not contain."""
    tokens = path.split()
    for i in range(2, len(tokens) - 2, 2):
        left, node, right = tokens[i - 1], tokens[i], tokens[i + 1]
        if left in ("->", "<->") and right in ("<-", "<->") and node not in base and node in g.nodes and culprit in g.descendants(node, include_self=True):
            return node
    return None
