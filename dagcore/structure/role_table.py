"""The structural role of every observed variable for one exposure-outcome question, with a control verdict.

Definitions (X the exposure, Y the outcome, G the graph; a *free* directed
path has no node of X or Y inside it):

- **confounder**: a common cause of X and Y (free directed paths to both), or
  a node on an open back-door path from X to Y (``X <- ... -> Y``, no
  collider), which adjusting for it blocks; with ``[adjusted]`` or
  ``[selected]`` nodes, also a non-collider on a back-door path that they
  open, where two Bayes-ball walks show one (sound: such a path exists for
  every node reported; a node whose only such paths the walks' trails miss
  is not reported);
- **mediator**: on a proper causal path from X to Y;
- **collider**: adjusting for it, together with the reference set below,
  opens a non-causal path that was blocked (it is a collider on that path, or
  descends from one);
- **descendant of exposure**: post-treatment, but not a mediator;
- **descendant of outcome**: affected by the outcome;
- **instrument-like**: causes X, and affects Y only through X;
- **precision variable**: causes Y, is not an ancestor of X and not affected by X;
- **neither**: none of the above.

The verdict is relative to a *reference set* S: the minimal adjustment set
that contains the adjusted and selected nodes (the minimal d-separator of X
and Y in the proper back-door graph among the allowed nodes, as
:func:`dagcore.minimal_adjustment_set` finds it), or, when there is none,
the adjusted and selected nodes alone (``RoleTable.adjustment_set`` is then
None). The recoverability conditions of a selection that do not involve the
set are :func:`dagcore.identify`'s to check. A node is
a **bad** control when adding it to S breaks the adjustment criterion: it is
forbidden (a mediator, or a descendant of a node on a causal path), or S with
it no longer d-separates X and Y in the proper back-door graph. With S a
valid set that second case is exact and linear: S ∪ {v} fails exactly when v
is d-connected given S to both X and Y (weak transitivity and composition of
d-separation), so two breadth-first Bayes-ball walks, one from X and one from
Y, decide it for every node at once, and their trails, joined at v and
loop-erased, name the path that opens. Without a valid set a node is called
bad only with such a path in hand (a path blocked given S and open once v is
added). Members of S are **good**, as are confounders that are not bad;
everything else is **neutral**. The model numbers in the reasons are those of
Cinelli, Forney & Pearl (2022), "A Crash Course in Good and Bad Controls",
Sociological Methods & Research.

Everything is computed by a constant number of linear-time searches
(:mod:`dagcore._traverse`), plus one trail per node that adjusting for would
open a path (its length); no path is enumerated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from dagcore._traverse import (
    State,
    active_walk,
    loop_erased,
    minimal_separator,
    predecessors,
    proper_causal_nodes,
    reach,
    successors,
    trail,
)
from dagcore.graph import CausalGraph, Nodes, exposure_and_outcome, takes_graph
from dagcore.structure.path_search import Path

__all__ = ["Role", "RoleTable", "roles"]


@dataclass(frozen=True)
class Role:
    """The role of one observed variable and whether to adjust for it.

    ``opens`` is the non-causal path that adjusting for the node (with the
    table's reference set) opens, as text, when there is one.
    """

    node: str
    role: str
    confounder: bool
    mediator: bool
    collider: bool
    descendant_of_exposure: bool
    descendant_of_outcome: bool
    instrument_like: bool
    precision: bool
    verdict: str
    reason: str
    opens: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class RoleTable:
    """One :class:`Role` per observed variable other than the exposure and outcome.

    ``adjustment_set`` is the reference set the verdicts are relative to (the
    minimal adjustment set, containing the adjusted nodes), or None when no
    adjustment set exists (the verdicts are then relative to conditioning on
    ``conditioned``, the adjusted and selected nodes, or on nothing).
    """

    exposure: tuple[str, ...]
    outcome: tuple[str, ...]
    rows: tuple[Role, ...]
    adjustment_set: frozenset[str] | None = None
    conditioned: frozenset[str] = frozenset()

    def __iter__(self) -> Iterator[Role]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, node: str) -> Role:
        for r in self.rows:
            if r.node == node:
                return r
        raise KeyError(node)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "exposure": list(self.exposure),
            "outcome": list(self.outcome),
            "adjustment_set": None if self.adjustment_set is None else sorted(self.adjustment_set),
            "conditioned": sorted(self.conditioned),
            "roles": [r.to_dict() for r in self.rows],
        }

    def to_frame(self):  # type: ignore[no-untyped-def]
        """The table as a pandas DataFrame indexed by node (imports pandas)."""
        import pandas as pd

        return pd.DataFrame([r.to_dict() for r in self.rows]).set_index("node") if self.rows else pd.DataFrame()

    def __str__(self) -> str:
        width = max([len(r.node) for r in self.rows] + [4])
        lines = [f"{'node':<{width}}  {'role':<22}  {'verdict':<8}  reason"]
        for r in self.rows:
            lines.append(f"{r.node:<{width}}  {r.role:<22}  {r.verdict:<8}  {r.reason}")
        s, c = self.adjustment_set, self.conditioned
        if s is not None:
            lines.append(f"verdicts relative to the minimal adjustment set {_braces(s)}")
        elif c:
            lines.append(f"no adjustment set contains the adjusted and selected nodes {_braces(c)}: verdicts are relative to conditioning on them")
        else:
            lines.append("no adjustment set exists: verdicts are relative to adjusting for nothing")
        return "\n".join(lines)


def _braces(nodes: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(nodes)) + "}"


def _confounders(g: CausalGraph, xs: frozenset[str], ys: frozenset[str]) -> set[str]:
    """Common causes of X and Y, and the nodes on an open (collider-free) back-door path from X to Y.

    With ``A`` the nodes with a free directed path to X and ``B`` those with one
    to Y: the common causes are ``A ∩ B``; a node of ``A \\ B`` is on an open
    back-door path exactly when a free directed path reaches it from a root in
    ``A ∩ B`` or from an outcome that is an ancestor of X; a node of ``B \\ A``
    exactly when one reaches it from a root in ``A ∩ B``. (Where the branches
    of such a path cross, the crossing node is a root in ``A ∩ B`` nearer the
    node, so a simple path exists; the branch below the node cannot meet the
    other one, or the node would be in ``A ∩ B``.)
    """
    pred, succ = predecessors(g.nx), successors(g.nx)
    ends = xs | ys
    a = reach(pred, xs, avoid=ends) - xs
    b = reach(pred, ys, avoid=ends) - ys
    common = a & b
    outcome_roots = {y for y in ys if any(c in a or c in xs for c in succ[y])}
    left = (a - b) & reach(succ, common | outcome_roots, avoid=ends)
    right = (b - a) & reach(succ, common, avoid=ends)
    return common | left | right


def _opened_by(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], given: frozenset[str]) -> set[str]:
    """Nodes outside ``given`` shown to be non-colliders on a back-door path from X to Y that is open given ``given``.

    Two breadth-first Bayes-ball walks given ``given`` in G without the edges
    out of X (so every trail from X starts into X), from X and from Y; a node
    reached by both with at most one arrowhead at it is joined (trail from X,
    trail back to Y; the node must occur once), loop-erased, and kept when it
    is still on the path, where it keeps its two edges.
    That path is open (loop erasure keeps a trail active), so every node
    reported is on one; a node whose only such paths these two walks' trails
    miss is not reported.
    """
    under = g.without_edges((a, b) for a in xs for b in successors(g.nx)[a]).nx
    ends = xs | ys
    from_x, _ = active_walk(under, xs, given, blocked=ends)
    from_y, _ = active_walk(under, ys, given, blocked=ends)
    out: set[str] = set()
    for v in g.observed_set - ends - given:
        pair = next(((a, b) for a, b in (((v, True), (v, True)), ((v, True), (v, False)), ((v, False), (v, True))) if a in from_x and b in from_y), None)
        if pair is None:
            continue
        nodes_x, fwd_x = trail(from_x, pair[0])
        nodes_y, fwd_y = trail(from_y, pair[1])
        joined = nodes_x + nodes_y[-2::-1]
        if joined.count(v) != 1:  # v must keep both of its edges: a non-collider, so the trail is active at it
            continue
        nodes, _forward = loop_erased(joined, fwd_x + [not f for f in reversed(fwd_y)])
        if v in nodes:
            out.add(v)
    return out


def _opened_paths(
    g: CausalGraph, pbd: CausalGraph, xs: frozenset[str], ys: frozenset[str], ref: frozenset[str], candidates: frozenset[str]
) -> dict[str, str]:
    """For each candidate whose adjustment (with ``ref``) opens a non-causal path blocked given ``ref``: that path, as text.

    Two breadth-first Bayes-ball walks in the proper back-door graph, from X
    and from Y given ``ref``; a node entered through an arrowhead by both is
    joined: trail from X, trail back to Y, loop-erased. The joined trail must
    not pass the node before (then it is active given ``ref`` plus the node;
    when a trail does, the two walks are redone with the node kept out of the
    interior, which never happens when ``ref`` is a valid adjustment set), and
    the path is kept when it has a collider outside An(ref) (so it was
    blocked given ``ref``; always true when ``ref`` is valid).
    """
    ends = xs | ys
    anc_ref = reach(predecessors(pbd.nx), ref)  # as in G: ref has no descendant of a causal-path node
    from_x, _ = active_walk(pbd.nx, xs, ref, blocked=ends, anc_z=anc_ref)
    from_y, _ = active_walk(pbd.nx, ys, ref, blocked=ends, anc_z=anc_ref)
    latent = frozenset(g.latent)
    out: dict[str, str] = {}
    for v in candidates:
        arrow: State = (v, False)
        if v in anc_ref or arrow not in from_x or arrow not in from_y:
            continue
        nodes_x, fwd_x = trail(from_x, arrow)
        nodes_y, fwd_y = trail(from_y, arrow)
        if v in nodes_x[:-1] or v in nodes_y[:-1]:
            # only without a valid reference set: walk again with v kept out of the interior
            again_x, _ = active_walk(pbd.nx, xs, ref, blocked=ends | {v}, anc_z=anc_ref)
            again_y, _ = active_walk(pbd.nx, ys, ref, blocked=ends | {v}, anc_z=anc_ref)
            if arrow not in again_x or arrow not in again_y:
                continue
            nodes_x, fwd_x = trail(again_x, arrow)
            nodes_y, fwd_y = trail(again_y, arrow)
        nodes = nodes_x + nodes_y[-2::-1]
        forward = fwd_x + [not f for f in reversed(fwd_y)]
        nodes, forward = loop_erased(nodes, forward)
        if any(forward[i - 1] and not forward[i] and nodes[i] not in anc_ref for i in range(1, len(nodes) - 1)):
            out[v] = Path(tuple(nodes), tuple(forward), "non-causal", True, "", latent).text()
    return out


@takes_graph()
def roles(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, *, ignore_adjusted: bool = False) -> RoleTable:
    """Classify every observed variable for the effect of ``exposure`` on ``outcome``.

    Near-linear time in the size of the graph (see the module notes).

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    exposure, outcome : str or iterable of str, optional
        Default to the graph's roles.
    ignore_adjusted : bool
        Answer as if no node were marked ``[adjusted]``. By default the
        adjusted and the ``[selected]`` nodes are conditioned on: the
        reference set contains them, and a node on a back-door path they open
        is a confounder too.

    Returns
    -------
    RoleTable
        One row per observed variable other than the exposure and outcome,
        with its role, a good / neutral / bad control verdict relative to the
        table's ``adjustment_set`` (bad exactly when adding the variable to
        that set makes it invalid), and the reason.

    Raises
    ------
    GraphError
        No exposure or outcome given or set in the graph.

    Examples
    --------
    >>> g = CausalGraph([("C", "X"), ("C", "Y"), ("X", "M"), ("M", "Y")], exposure="X", outcome="Y")
    >>> for r in roles(g):
    ...     print(r.node, r.role, r.verdict)
    C confounder good
    M mediator bad

    The napkin graph: Z blocks ``X <- Z <- W <-> Y`` but adjusting for it opens
    ``X <-> W <-> Y`` (no adjustment set exists):

    >>> napkin = CausalGraph([("W", "Z"), ("Z", "X"), ("X", "Y")], bidirected=[("W", "X"), ("W", "Y")])
    >>> z = roles(napkin, "X", "Y")["Z"]
    >>> z.role, z.verdict, z.opens
    ('confounder', 'bad', 'X <-> W <-> Y')

    References
    ----------
    Cinelli, C., Forney, A. & Pearl, J. (2022). A Crash Course in Good and Bad
    Controls. Sociological Methods & Research.
    """
    xs, ys = exposure_and_outcome(g, exposure, outcome, purpose="the role table")
    succ, pred = successors(g.nx), predecessors(g.nx)
    desc_x = reach(succ, xs)
    desc_y = reach(succ, ys)
    anc_x = reach(pred, xs)
    anc_y_avoiding_x = reach(pred, ys, avoid=xs) - ys
    cn = proper_causal_nodes(g.nx, xs, ys)
    forbidden = frozenset(reach(succ, cn)) | xs
    pbd = g.without_edges((a, b) for a in xs for b in succ[a] if b in cn)
    latent = g.latent
    allowed = g.observed_set - forbidden - xs - ys
    given = (frozenset() if ignore_adjusted else g.adjusted) | g.selected
    reference = minimal_separator(pbd.nx, xs, ys, given, allowed | given, latent) if given <= allowed else None
    ref = reference if reference is not None else given  # what the walks condition on
    shown = None if reference is None else reference - g.selected  # a selected node is conditioned on, never adjusted for
    confounders = _confounders(g, xs, ys) | (_opened_by(g, xs, ys, given) if given else set())
    opened = _opened_paths(g, pbd, xs, ys, ref, allowed - ref)
    words = _words(g, xs, ys, shown)
    rows = []
    for v in g.observed:
        if v in xs or v in ys:
            continue
        post_x = v in desc_x
        confounder = v in confounders and not post_x
        facts = _Facts(
            marked=v in given,
            selected=v in g.selected,
            mediator=v in cn,
            forbidden=v in forbidden,
            post_x=post_x,
            post_y=v in desc_y,
            confounder=confounder,
            in_set=shown is not None and v in shown,
            opens=opened.get(v),
            instrument=v in anc_x and not confounder and v not in anc_y_avoiding_x and not post_x,
            precision=v in anc_y_avoiding_x and v not in anc_x and not post_x and not confounder,
        )
        role, verdict, reason = _classify(v, facts, words)
        rows.append(Role(
            v, role, confounder, facts.mediator, facts.opens is not None, post_x and not facts.mediator, facts.post_y,
            facts.instrument, facts.precision, verdict, reason, facts.opens,
        ))
    return RoleTable(tuple(sorted(xs)), tuple(sorted(ys)), tuple(rows), shown, given)


class _Facts(NamedTuple):
    marked: bool
    selected: bool
    mediator: bool
    forbidden: bool
    post_x: bool
    post_y: bool
    confounder: bool
    in_set: bool
    opens: str | None
    instrument: bool
    precision: bool


@dataclass(frozen=True)
class _Words:
    """The phrases every row shares, built once."""

    x: str
    y: str
    set_name: str
    with_set: str
    no_set: str
    models: dict[str, str]


def _words(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], reference: frozenset[str] | None) -> _Words:
    if reference is None:
        name = ""
    elif len(reference) <= 10:
        name = _braces(reference)
    else:
        name = f"of {len(reference)} nodes (RoleTable.adjustment_set)"
    return _Words(
        x=", ".join(sorted(xs)),
        y=", ".join(sorted(ys)),
        set_name=name,
        with_set=f" together with the minimal adjustment set {name}" if reference else "",
        no_set="; no adjustment set exists" if reference is None else "",
        models=_confounder_models(g, xs, ys),
    )


def _classify(v: str, f: _Facts, w: _Words) -> tuple[str, str, str]:
    """(role, verdict, reason) of ``v`` from its facts, in the order of precedence of the module notes."""
    x, y = w.x, w.y
    opens = f"adjusting for it{w.with_set} opens the non-causal path {f.opens}"
    if f.marked:
        what = "marked selected (the data hold one value of it)" if f.selected else "marked adjusted (already conditioned on)"
        role = ("mediator" if f.mediator else "descendant of outcome" if f.post_y else "descendant of exposure" if f.post_x
                else "confounder" if f.confounder else "instrument-like" if f.instrument else "precision variable" if f.precision else "neither")
        if f.forbidden:
            return role, "bad", f"{what}, but on or below a causal path {x} -> ... -> {y}: no adjustment set can contain it"
        where = f"in the minimal adjustment set {w.set_name}, whose other members block any path it opens" if f.in_set else (
            "conditioned on" + (w.no_set.replace("; no", ", and no") if w.no_set else ""))
        return role, "good" if f.confounder else "neutral", f"{what}: {where}"
    if f.mediator:
        return "mediator", "bad", f"on a causal path {x} -> ... -> {y}: adjusting blocks part of the effect (overcontrol; Model 11)"
    if f.post_y:
        if f.forbidden:
            return "descendant of outcome", "bad", f"affected by {y}: adjusting induces selection bias (Models 16-17)"
        if f.opens:
            return "descendant of outcome", "bad", f"affected by {y}: {opens}"
        return "descendant of outcome", "neutral", f"affected by {y}, which {x} does not cause: adjusting opens no non-causal path"
    if f.post_x:
        if f.forbidden:
            return "descendant of exposure", "bad", f"descends from a node on a causal path {x} -> ... -> {y}: adjusting for it partly adjusts for the mediator (overcontrol; Model 12)"
        if f.opens:
            return "descendant of exposure", "bad", f"affected by {x} and a collider: {opens} (Model 14)"
        return "descendant of exposure", "neutral", f"affected by {x} but not on a causal path: no bias, but it can cost precision (Model 13)"
    if f.confounder:
        if f.opens:
            return "confounder", "bad", f"on a back-door path from {x} to {y}, which adjusting for it blocks, but {opens}{w.no_set}"
        cite = w.models.get(v, "Models 1-3")
        if f.in_set:
            return "confounder", "good", f"common cause of {x} and {y} or on a back-door path between them: in the minimal adjustment set {w.set_name} ({cite})"
        return "confounder", "good", f"common cause of {x} and {y} or on a back-door path between them: adjusting blocks a back-door path{w.no_set} ({cite})"
    if f.opens:
        return "collider", "bad", f"{opens} (M-bias, Model 7)"
    if f.in_set:
        role = "instrument-like" if f.instrument else "precision variable" if f.precision else "neither"
        return role, "good", f"in the minimal adjustment set {w.set_name}: it blocks a non-causal path that the set's other members open"
    if f.instrument:
        return "instrument-like", "neutral", f"causes {x} and affects {y} only through {x}: no bias reduction; it can amplify bias from unobserved confounding and costs precision (Models 9-10)"
    if f.precision:
        return "precision variable", "neutral", f"causes {y} only: neutral for bias, improves precision (Model 8)"
    return "neither", "neutral", f"not connected to the {x} -> {y} question in a way that matters for bias"


def _confounder_models(g: CausalGraph, xs: frozenset[str], ys: frozenset[str]) -> dict[str, str]:
    """The Cinelli et al. model numbers a confounder's reason cites, for the nodes that are not "Models 1-3"."""
    succ, pred = successors(g.nx), predecessors(g.nx)
    out = {v: "Model 1" for v in set().union(*(pred[x] for x in xs)) & set().union(*(pred[y] for y in ys))}
    for u in g.latent:  # a neighbour of a latent node: Models 2-3 (the confounding runs through unobserved causes)
        out.update(dict.fromkeys(succ[u], "Models 2-3"))
        out.update(dict.fromkeys(pred[u], "Models 2-3"))
    return out
