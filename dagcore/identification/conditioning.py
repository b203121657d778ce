"""What every adjustment question conditions on: ``[adjusted]`` nodes, and ``[selected]`` nodes (selection bias).

**Adjusted** nodes (DAGitty's meaning) are already conditioned on, by design
or by the way the data were collected. Every adjustment set must contain
them; when none can, :func:`dagcore.no_adjustment_reason` names the node and
the causal path it blocks or the non-causal path it opens. ``ignore_adjusted=True``
(on every entry point) answers as if they were not marked.

**Selected** nodes S: the data hold only units with ``S = 1``. A set Z is
accepted only when the *generalized adjustment criterion* of Correa &
Bareinboim (2017) holds, so that

    P(y | do(x)) = Σ_z P(y | x, z, S = 1) P(z | S = 1),

which is the ordinary adjustment formula computed on the selected sample:

(a) Z contains no node of ``forb(X, Y)`` (as without selection);
(b) Z ∪ S blocks every non-causal path from X to Y (d-separation in the
    proper back-door graph given Z ∪ S);
(c) ``(Y ⊥ S | X)`` in the graph without the edges into X: the selection
    does not change the outcome's distribution under the intervention;
(d) every exposure that is an ancestor of S is d-separated from Y in the
    graph without the edges out of X (no back-door path that the selection
    could tilt through the covariates' distribution).

(c) and (d) do not involve Z: when one fails, no set recovers the effect from
the selected sample by adjustment (without external, unselected data), and the
reason says which (e.g. "S is a descendant of the outcome Y"). A selected
node is never part of a returned set: it is constant (1) in the data, and
already conditioned on by the selection. Selection is
never ignored (``ignore_adjusted`` leaves it in place): it is a fact about the
data. To ask the question without it, drop the mark
(``g.with_roles(selected=())``).

References
----------
Correa, J. D. & Bareinboim, E. (2017). Causal effect identification by
adjustment under confounding and selection biases. AAAI.
Correa, J. D., Tian, J. & Bareinboim, E. (2018). Generalized adjustment under
confounding and selection biases. AAAI.
Bareinboim, E., Tian, J. & Pearl, J. (2014). Recovering from selection bias in
causal and statistical inference. AAAI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dagcore._traverse import active_trail, directed_path, predecessors, reach, successors
from dagcore.graph import CausalGraph, Nodes, exposure_and_outcome, takes_graph
from dagcore.structure.dseparation import d_separated
from dagcore.structure.path_search import Path

__all__ = ["Conditioning", "conditioning", "selection_reason"]


def _names(s: Iterable[str]) -> str:
    return ", ".join(sorted(s))


@dataclass(frozen=True)
class Conditioning:
    """What an adjustment question conditions on besides the set being searched for.

    Attributes
    ----------
    adjusted : frozenset of str
        ``[adjusted]`` nodes every set must contain (empty when ignored).
    selected : frozenset of str
        ``[selected]`` nodes: the data hold only units with ``S = 1``.
    ignored : frozenset of str
        ``[adjusted]`` nodes left out on request (``ignore_adjusted=True``).

    Examples
    --------
    >>> g = CausalGraph([("A", "X"), ("X", "Y"), ("S", "X")], adjusted="A", selected="S")
    >>> print(conditioning(g).describe())
    conditioned on the adjusted nodes {A} (every set contains them); data selected on S = 1
    >>> print(conditioning(g, ignore_adjusted=True).describe())
    as if nothing were adjusted for (the marks on {A} are ignored); data selected on S = 1
    """

    adjusted: frozenset[str] = frozenset()
    selected: frozenset[str] = frozenset()
    ignored: frozenset[str] = frozenset()

    def describe(self) -> str:
        """One line saying which of the two answers this is (conditioned on the adjusted nodes, or ignoring them)."""
        if self.adjusted:
            parts = [f"conditioned on the adjusted nodes {{{_names(self.adjusted)}}} (every set contains them)"]
        elif self.ignored:
            parts = [f"as if nothing were adjusted for (the marks on {{{_names(self.ignored)}}} are ignored)"]
        else:
            parts = ["no node is marked adjusted"]
        if self.selected:
            parts.append(f"data selected on {' = 1, '.join(sorted(self.selected))} = 1")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        return {
            "adjusted": sorted(self.adjusted),
            "selected": sorted(self.selected),
            "ignored_adjusted": sorted(self.ignored),
            "mode": "ignoring adjusted" if self.ignored else "conditioned on adjusted",
            "text": self.describe(),
        }


def conditioning(g: CausalGraph, *, ignore_adjusted: bool = False) -> Conditioning:
    """The graph's :class:`Conditioning`: its adjusted nodes (unless ignored) and its selected nodes."""
    adjusted = frozenset(g.adjusted) - frozenset(g.selected)
    if ignore_adjusted:
        return Conditioning(frozenset(), frozenset(g.selected), adjusted)
    return Conditioning(adjusted, frozenset(g.selected), frozenset())


# ---------------------------------------------------------------------------------------------- reasons
def proper_causal(g: CausalGraph, x: frozenset[str], y: frozenset[str]) -> frozenset[str]:
    """``cn(X, Y)`` as :func:`dagcore.proper_causal_nodes` defines it, without its argument checks (this module sits below it)."""
    return frozenset((reach(successors(g.nx), x) - x) & reach(predecessors(g.nx), y, stop=x))


def causal_path_through(g: CausalGraph, x: frozenset[str], y: frozenset[str], node: str) -> str:
    """A directed path ``X -> ... -> node -> ... -> Y`` (node on a proper causal path), as text."""
    head = directed_path(g.nx, x, {node}, avoid=x) or [node]
    tail = directed_path(g.nx, [node], y, avoid=x) or [node]
    return " -> ".join(head + tail[1:])


def trail_text(g: CausalGraph, trail: tuple[list[str], list[bool]]) -> str:
    """A trail of :func:`dagcore._traverse.active_trail` as text (``A <-> B`` for bidirected latents)."""
    nodes, forward = trail
    return Path(tuple(nodes), tuple(forward), "", True, "", frozenset(g.latent)).text()


def reason_for_selection(g: CausalGraph, x: frozenset[str], y: frozenset[str], s: frozenset[str]) -> str | None:
    """Why no set recovers the effect from the sample selected on ``s``, or None (conditions (c) and (d))."""
    if not s:
        return None
    for v in sorted(s & (x | y)):
        role = "exposure" if v in x else "outcome"
        return f"{v} is the {role} and is marked selected: the data hold only {v} = 1, so its effect is not recoverable from the selected sample"
    for v in sorted(s & g.latent):
        return f"{v} is marked both selected and latent: the selection indicator is known for every unit (S = 1), so mark it observed"
    tail = "the effect is not recoverable from the selected sample by adjustment"
    no_into_x = g.without_edges((p, v) for v in x for p in g.parents(v))
    if not d_separated(no_into_x, y, s, given=x):
        for v in sorted(s):
            down = directed_path(g.nx, sorted(y), {v}, avoid=x)
            if down is not None:
                return f"{v} is a descendant of the outcome {down[0]} ({' -> '.join(down)}); {tail}"
        cn = proper_causal(g, x, y)
        for v in sorted(s):
            via = directed_path(g.nx, sorted(cn), {v}, avoid=x)
            if via is not None:
                return (
                    f"{v} is a descendant of {via[0]} ({' -> '.join(via)}), which is on the causal path "
                    f"{causal_path_through(g, x, y, via[0])}; {tail}"
                )
        trail = active_trail(no_into_x.nx, y, s, x, blocked=x)
        path = f" by the path {trail_text(g, trail)}" if trail is not None else ""
        return (
            f"the selection {_names(s)} is connected to the outcome {_names(y)}{path} even after intervening on "
            f"{_names(x)} (it is open given {_names(x)} without the edges into {_names(x)}), so the selected sample's "
            f"outcome under intervention differs from the population's; {tail}"
        )
    no_out_of_x = g.without_edges((v, c) for v in x for c in g.children(v))
    anc_s = g.ancestors(s)
    for v in sorted(x & anc_s):
        if not d_separated(no_out_of_x, {v}, y):
            cause = directed_path(g.nx, [v], s) or [v]
            trail = active_trail(no_out_of_x.nx, {v}, y, (), blocked=x)
            path = f" {trail_text(g, trail)}" if trail is not None else ""
            return (
                f"the exposure {v} affects the selection ({' -> '.join(cause)}) and shares the open back-door path{path} "
                f"with {_names(y)}: the covariates' distribution in the selected sample is tilted by {v}; {tail}"
            )
    return None


@takes_graph()
def selection_reason(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None) -> str | None:
    """Why the effect is not recoverable by adjustment from the sample selected on ``g.selected``, or None when it may be.

    Checks conditions (c) and (d) of the generalized adjustment criterion
    (Correa & Bareinboim 2017), which do not depend on the adjustment set.

    Examples
    --------
    >>> g = CausalGraph([("X", "Y"), ("Y", "S")], selected="S")
    >>> print(selection_reason(g, "X", "Y"))
    S is a descendant of the outcome Y (Y -> S); the effect is not recoverable from the selected sample by adjustment
    >>> selection_reason(CausalGraph([("S", "X"), ("X", "Y")], selected="S"), "X", "Y") is None
    True
    """
    x, y = exposure_and_outcome(g, exposure, outcome, purpose="adjustment")
    return reason_for_selection(g, x, y, frozenset(g.selected))


def forced_nodes(
    g: CausalGraph, x: frozenset[str], y: frozenset[str], include: Nodes, ignore_adjusted: bool
) -> tuple[frozenset[str], frozenset[str]] | None:
    """``(include ∪ adjusted, selected)`` for the set searches, or None when the selection makes adjustment impossible."""
    cond = conditioning(g, ignore_adjusted=ignore_adjusted)
    if reason_for_selection(g, x, y, cond.selected) is not None:
        return None
    return g.check_nodes(include) | cond.adjusted, cond.selected
