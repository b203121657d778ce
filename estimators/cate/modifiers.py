"""Effect modifiers and controls, kept apart as EconML keeps ``X`` and ``W`` apart.

* The **controls** are the estimand's adjustment set: the variables that make
  the treatment ignorable. The nuisance models (outcome, propensity) use them.
* The **effect modifiers** are the inputs of the CATE
  :math:`\\tau(v) = E[Y(1) - Y(0) \\mid V = v]`. By default they are the
  observed pre-treatment covariates of the graph: every observed node that is
  not the treatment, the outcome or a descendant of the treatment, and that
  is a column of the data. This default also holds for a randomized
  estimand, whose adjustment set is empty: the learners then still get the
  graph's covariates.

A modifier that is a descendant of the treatment (a mediator, or anything
caused by the treatment) is refused with the directed path that makes it one:
conditioning on it changes the question (``E[Y(1) - Y(0) | M]`` is not a
subgroup effect, and the ATE drops). Modifiers enter the nuisance models beside
the controls, so the union must stay a valid adjustment set; a user's modifier
that would open a biasing path (a pre-treatment collider) is refused with the
path, and a default modifier that would is left out with a note.

Without a graph (an :class:`~dagcore.Estimand` built by hand) nothing can be
checked: the default modifiers are the adjustment set and user modifiers are
taken as given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagcore.errors import EstimatorError

__all__ = ["ModifierChoice", "choose_modifiers"]


@dataclass(frozen=True)
class ModifierChoice:
    """The CATE's inputs and the controls of one fit.

    Attributes
    ----------
    modifiers : tuple of str
        Effect modifiers (the CATE's inputs), sorted.
    controls : tuple of str
        The adjustment set, sorted.
    notes : tuple of str
        What was left out of the default modifiers, and why.
    defaulted : bool
        True when the modifiers are the default (not given by the user).
    """

    modifiers: tuple[str, ...]
    controls: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    defaulted: bool = True

    @property
    def features(self) -> list[str]:
        """Columns of the nuisance models: the controls, then the modifiers not among them."""
        return list(dict.fromkeys([*self.controls, *self.modifiers]))


def _as_names(value: Any) -> list[str]:
    names = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(m, str) for m in names):
        raise EstimatorError(f"effect_modifiers must be column names, got {value!r}")
    return list(dict.fromkeys(names))


def _descendant_path(graph: Any, treatment: str, node: str) -> str | None:
    from dagcore._traverse import directed_path

    path = directed_path(graph.nx, [treatment], {node})
    return " -> ".join(path) if path else None


def _union_check(graph: Any, treatment: str, outcome: str, nodes: Iterable[str]) -> Any:
    from dagcore.identification.adjustment import is_adjustment_set

    return is_adjustment_set(graph, treatment, outcome, sorted(nodes))


def choose_modifiers(estimand: Any, columns: Sequence[str], effect_modifiers: Any = None) -> ModifierChoice:
    """The effect modifiers and controls for ``estimand`` on data with ``columns``.

    Parameters
    ----------
    estimand : Estimand
        Its ``adjustment_set`` gives the controls; its ``graph`` (when there
        is one) the default modifiers and the checks.
    columns : sequence of str
        The data's columns.
    effect_modifiers : str or sequence of str, optional
        The user's modifiers; default the graph's observed pre-treatment covariates.

    Returns
    -------
    ModifierChoice

    Raises
    ------
    EstimatorError
        A modifier that is the treatment or the outcome, a descendant of the
        treatment (the message shows the path), a latent node, a column that
        is not a node of the graph, or one that opens a biasing path.

    Examples
    --------
    >>> import dagcore
    >>> g = dagcore.parse("a -> t; a -> y; c -> t; t -> m -> y; t [exposure]; y [outcome]")
    >>> e = dagcore.identify(g)
    >>> c = choose_modifiers(e, ["a", "c", "m", "t", "y"])
    >>> c.modifiers, c.controls
    (('a', 'c'), ('a',))
    >>> choose_modifiers(e, ["a", "c", "m", "t", "y"], ["m"])
    Traceback (most recent call last):
    ...
    dagcore.errors.EstimatorError: effect modifier 'm' is a descendant of the treatment (t -> m): ...
    """
    t_name, y_name = estimand.treatment[0], estimand.outcome[0]
    controls = tuple(sorted(estimand.adjustment_set or ()))
    graph = getattr(estimand, "graph", None)
    if effect_modifiers is not None:
        mods = _as_names(effect_modifiers)
        bad = [m for m in mods if m in (t_name, y_name)]
        if bad:
            raise EstimatorError(f"effect_modifiers cannot include the treatment or the outcome ({bad[0]!r})")
        if graph is not None:
            _check_user_modifiers(graph, t_name, y_name, controls, mods)
        return ModifierChoice(tuple(sorted(mods)), controls, (), defaulted=False)
    if graph is None:
        return ModifierChoice(controls, controls, ())
    present = set(columns)
    descendants = graph.descendants(t_name, include_self=True)
    candidates = [n for n in graph.observed if n not in descendants and n != y_name]
    notes: list[str] = []
    absent = [n for n in candidates if n not in present and n not in controls]
    if absent:
        notes.append(f"pre-treatment covariates of the graph not in the data, so not effect modifiers: {', '.join(sorted(absent))}")
    candidates = [n for n in candidates if n in present or n in controls]
    kept, dropped = [], []
    for n in sorted(candidates):
        if n in controls or _union_check(graph, t_name, y_name, {*controls, n}):
            kept.append(n)
        else:
            dropped.append(n)
    if dropped:
        notes.append(
            f"left out of the default effect modifiers because adjusting for them would open a biasing path: {', '.join(dropped)}"
        )
    if kept and not _union_check(graph, t_name, y_name, {*controls, *kept}):
        notes.append(f"the covariates {', '.join(n for n in kept if n not in controls)} together open a biasing path; "
                     "the effect modifiers are the adjustment set only")
        kept = list(controls)
    return ModifierChoice(tuple(sorted(kept)), controls, tuple(notes))


def _check_user_modifiers(graph: Any, t_name: str, y_name: str, controls: tuple[str, ...], mods: list[str]) -> None:
    nodes = set(graph.nodes)
    for m in mods:
        if m not in nodes:
            raise EstimatorError(
                f"effect modifier {m!r} is not a node of the graph, so dagcore cannot check that it is pre-treatment; "
                "add it to the graph (with its arrows) or leave it out"
            )
        if m in graph.latent:
            raise EstimatorError(f"effect modifier {m!r} is latent (unobserved) in the graph")
        path = _descendant_path(graph, t_name, m)
        if path:
            raise EstimatorError(
                f"effect modifier {m!r} is a descendant of the treatment ({path}): conditioning on it changes the "
                "effect being estimated (a mediator's effect modification is not a subgroup effect); "
                "use pre-treatment covariates only"
            )
    check = _union_check(graph, t_name, y_name, {*controls, *mods})
    if not check:
        raise EstimatorError(
            f"the effect modifiers {sorted(mods)} enter the nuisance models beside the adjustment set "
            f"{sorted(controls)}, and together they are not a valid adjustment set: {check.reason}"
        )
