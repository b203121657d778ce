"""The structural role of every observed variable for one exposure-outcome question, with a control verdict.

Definitions (X the exposure, Y the outcome, G the graph):

- **confounder**: a non-descendant of X on an open back-door path from X to Y
  (a path ``X <- ... -> Y`` with no collider): a common cause of X and Y, or a
  node between such a cause and X or Y (adjusting for it blocks that path);
- **mediator**: on a directed path from X to Y (a descendant of X and an ancestor of Y);
- **collider**: a collider on some path between X and Y (both path edges point into it);
- **descendant of exposure**: post-treatment, but not a mediator;
- **descendant of outcome**: affected by the outcome;
- **instrument-like**: causes X, and affects Y only through X;
- **precision variable**: causes Y, is not an ancestor of X and not affected by X;
- **neither**: none of the above.

The good / neutral / bad control verdicts follow Cinelli, Forney & Pearl
(2022), "A Crash Course in Good and Bad Controls", Sociological Methods &
Research; the model numbers cited are theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dagcore._traverse import predecessors, reach
from dagcore.graph import CausalGraph, Nodes, exposure_and_outcome, takes_graph

__all__ = ["Role", "RoleTable", "roles"]

_COLLIDER_PATH_LIMIT = 20_000


@dataclass(frozen=True)
class Role:
    """The role of one observed variable and whether to adjust for it."""

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

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class RoleTable:
    """One :class:`Role` per observed variable other than the exposure and outcome."""

    exposure: tuple[str, ...]
    outcome: tuple[str, ...]
    rows: tuple[Role, ...]
    collider_search_truncated: bool = False

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
            "roles": [r.to_dict() for r in self.rows],
            "collider_search_truncated": self.collider_search_truncated,
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
        return "\n".join(lines)


def _ancestors_avoiding(g: CausalGraph, targets: frozenset[str], avoid: frozenset[str]) -> set[str]:
    """Ancestors of ``targets`` through directed paths whose nodes avoid ``avoid`` (targets excluded)."""
    return reach(predecessors(g.nx), targets, avoid=avoid) - targets


def _scan_paths(g: CausalGraph, xs: frozenset[str], ys: frozenset[str], given: frozenset[str] = frozenset()) -> tuple[set[str], set[str], bool]:
    """Colliders on some exposure-outcome path, and nodes on some back-door path open given ``given`` (the adjusted/selected nodes).

    A conditioned node counts as on an open back-door path when the path is open given the other conditioned nodes.
    """
    from dagcore.structure.path_search import _status, paths

    colliders: set[str] = set()
    on_open_backdoor: set[str] = set()
    truncated = False
    others = {a: (given - {a}, g.ancestors(given - {a}, include_self=True)) for a in given}
    for x in sorted(xs):
        for y in sorted(ys):
            it = paths(g, x, y, given=given, limit=_COLLIDER_PATH_LIMIT)
            for p in it:
                inner = range(1, len(p.nodes) - 1)
                here = {p.nodes[i] for i in inner if p.forward[i - 1] and not p.forward[i]}
                colliders |= here
                if p.kind == "back-door" and p.open:
                    on_open_backdoor.update(p.nodes[i] for i in inner)
                elif p.kind == "back-door":
                    for a in given.intersection(p.nodes[1:-1]) - here:
                        if _status(g, list(p.nodes), list(p.forward), *others[a])[0]:
                            on_open_backdoor.add(a)
            truncated |= it.truncated
    return colliders, on_open_backdoor, truncated


@takes_graph()
def roles(g: CausalGraph, exposure: Nodes | None = None, outcome: Nodes | None = None, *, ignore_adjusted: bool = False) -> RoleTable:
    """Classify every observed variable for the effect of ``exposure`` on ``outcome``.

    Parameters
    ----------
    g : CausalGraph or networkx.DiGraph
    exposure, outcome : str or iterable of str, optional
        Default to the graph's roles.
    ignore_adjusted : bool
        Whether back-door paths are judged open as if the ``[adjusted]`` nodes
        were not conditioned on (by default they are, with the ``[selected]`` ones).

    Returns
    -------
    RoleTable
        One row per observed variable other than the exposure and outcome,
        with its role, a good / neutral / bad control verdict, and the reason.

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

    References
    ----------
    Cinelli, C., Forney, A. & Pearl, J. (2022). A Crash Course in Good and Bad
    Controls. Sociological Methods & Research.
    """
    xs, ys = exposure_and_outcome(g, exposure, outcome, purpose="the role table")
    desc_x = g.descendants(xs)
    desc_y = g.descendants(ys)
    anc_x = g.ancestors(xs)
    anc_y_avoiding_x = _ancestors_avoiding(g, ys, xs)
    anc_y = g.ancestors(ys)
    given = (frozenset() if ignore_adjusted else frozenset(g.adjusted)) | frozenset(g.selected)
    colliders, on_open_backdoor, truncated = _scan_paths(g, xs, ys, given)
    latent = g.latent
    rows = []
    for v in g.observed:
        if v in xs or v in ys:
            continue
        confounder = v in on_open_backdoor and v not in desc_x
        mediator = v in desc_x and v in anc_y
        collider = v in colliders
        post_x = v in desc_x
        post_y = v in desc_y
        instrument = v in anc_x and not confounder and v not in anc_y_avoiding_x and not post_x
        precision = v in anc_y_avoiding_x and v not in anc_x and not post_x and not confounder
        role, verdict, reason = _classify(g, v, xs, ys, latent, confounder, mediator, collider, post_x, post_y, instrument, precision, anc_x, anc_y_avoiding_x)
        rows.append(Role(v, role, confounder, mediator, collider, post_x and not mediator, post_y, instrument, precision, verdict, reason))
    return RoleTable(tuple(sorted(xs)), tuple(sorted(ys)), tuple(rows), truncated)


def _classify(
    g: CausalGraph,
    v: str,
    xs: frozenset[str],
    ys: frozenset[str],
    latent: frozenset[str],
    confounder: bool,
    mediator: bool,
    collider: bool,
    post_x: bool,
    post_y: bool,
    instrument: bool,
    precision: bool,
    anc_x: frozenset[str],
    anc_y: set[str],
) -> tuple[str, str, str]:
    x = ", ".join(sorted(xs))
    y = ", ".join(sorted(ys))
    parents = g.parents(v)
    children = g.children(v)
    if mediator:
        model = "Model 11" if (children & ys and parents & xs) else "Model 12"
        return "mediator", "bad", f"on a causal path {x} -> ... -> {y}: adjusting blocks part of the effect (overcontrol; {model})"
    if post_y:
        return "descendant of outcome", "bad", f"affected by {y}: adjusting induces selection bias (Model 16/17)"
    if post_x:
        if collider:
            return "descendant of exposure", "bad", f"affected by {x} and a collider: adjusting opens a non-causal path (Model 14)"
        return "descendant of exposure", "neutral", f"affected by {x} but not on a causal path: no bias, but it can cost precision (Model 13)"
    if confounder:
        if collider:
            return "confounder", "good", f"common cause of {x} and {y} that is also a collider: adjust for it together with a variable that blocks the path it opens (butterfly bias, Model 7 variant)"
        if parents & latent or any(p in latent for p in children):
            model = "Models 2-3"
        elif children & xs and children & ys:
            model = "Model 1"
        else:
            model = "Models 1-3"
        return "confounder", "good", f"common cause of {x} and {y} on a back-door path: adjusting blocks it ({model})"
    if collider:
        return "collider", "bad", f"collider on a path between {x} and {y}: adjusting opens it (M-bias, Model 7)"
    if instrument:
        return "instrument-like", "neutral", f"causes {x} and affects {y} only through {x}: no bias reduction; it can amplify bias from unobserved confounding and costs precision (Models 9-10)"
    if precision:
        return "precision variable", "neutral", f"causes {y} only: neutral for bias, improves precision (Model 8)"
    return "neither", "neutral", f"not connected to the {x} -> {y} question in a way that matters for bias"
