"""The :class:`Estimand`: what is estimated, by which identification strategy.

An estimand is the hand-off between identification (graph only) and
estimation (graph plus data). It names the query, the strategy, the variables
the strategy uses, the identifying formula, and every assumption in plain
language. It is an immutable value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Estimand", "STRATEGIES", "EFFECTS"]

#: Identification strategies: the first six in the order :func:`dagcore.identify` tries them
#: (the ID formula before an instrument, which needs parametric assumptions); ``mediation``
#: comes from :func:`dagcore.identify_mediation`.
STRATEGIES: tuple[str, ...] = (
    "randomized",
    "backdoor",
    "frontdoor",
    "id",
    "iv",
    "not_identifiable",
    "mediation",
)

#: Effect types an estimand can target.
EFFECTS: tuple[str, ...] = ("total", "direct", "nde", "nie")

_STRATEGY_WORDS = {
    "randomized": "a plain contrast (no open back-door path)",
    "backdoor": "covariate adjustment",
    "frontdoor": "the front-door criterion",
    "iv": "an instrumental variable",
    "id": "the general identification (ID) formula",
    "mediation": "mediation formula",
    "not_identifiable": "nothing: the effect is not identifiable",
}


#: What identifies an instrumental-variable estimand (never nonparametric identification).
_PARAMETRIC = "linearity/homogeneity (or LATE under monotonicity)"

_EFFECT_WORDS = {
    "total": "total effect",
    "direct": "controlled direct effect",
    "nde": "natural direct effect, NDE",
    "nie": "natural indirect effect, NIE",
}


def _fs(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)


@dataclass(frozen=True)
class Estimand:
    """An identified (or not identifiable) causal query.

    Parameters
    ----------
    treatment, outcome : tuple of str
        The exposure(s) and outcome(s).
    strategy : str
        One of :data:`STRATEGIES`.
    effect : str
        One of :data:`EFFECTS` (``"total"`` by default).
    adjustment_set : frozenset of str, optional
        Covariates to adjust for (``backdoor``; also the covariates of a
        conditional instrument or of the mediation formula).
    mediators : frozenset of str, optional
        The front-door set or the mediators of a mediation estimand.
    instruments : frozenset of str, optional
        Instrument(s) for ``iv``.
    formula : str
        The identifying formula as text, e.g. ``Σ_z P(y | x, z) P(z)``.
    latex : str
        The same formula in LaTeX.
    expression : object, optional
        The formula as an expression tree (``id`` strategy); evaluated by
        the plug-in estimator on discrete data.
    assumptions : tuple of str
        Every assumption in plain language.
    reason : str, optional
        Why the effect is not (nonparametrically) identifiable, e.g. the hedge;
        an ``iv`` estimand keeps it too, since it is identified only under
        :attr:`identified_under`.
    graph : CausalGraph, optional
        The graph the estimand was identified from.
    alternatives : tuple of frozenset, optional
        Other valid adjustment sets already found (a few; the full list is
        available lazily from :func:`dagcore.adjustment_sets`).
    given : frozenset of str, optional
        The conditioning set of a conditional effect ``P(y | do(x), given)``
        (from ``identify(..., given=...)``, the IDC algorithm).

    Examples
    --------
    >>> e = Estimand(treatment=("X",), outcome=("Y",), strategy="backdoor",
    ...              adjustment_set=frozenset({"Z"}), formula="Σ_Z P(Y | X, Z) P(Z)")
    >>> e.identified, e.estimable, e.parametric
    (True, True, False)
    >>> print(e.summary().splitlines()[0])
    Effect of X on Y (total effect), identified by covariate adjustment
    """

    treatment: tuple[str, ...]
    outcome: tuple[str, ...]
    strategy: str
    effect: str = "total"
    adjustment_set: frozenset[str] | None = None
    mediators: frozenset[str] | None = None
    instruments: frozenset[str] | None = None
    formula: str = ""
    latex: str = ""
    expression: Any = field(default=None, compare=False)
    assumptions: tuple[str, ...] = ()
    reason: str | None = None
    graph: Any = field(default=None, compare=False, repr=False)
    alternatives: tuple[frozenset[str], ...] = field(default=(), compare=False, repr=False)
    given: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.treatment, str):
            object.__setattr__(self, "treatment", (self.treatment,))
        if isinstance(self.outcome, str):
            object.__setattr__(self, "outcome", (self.outcome,))
        object.__setattr__(self, "treatment", tuple(self.treatment))
        object.__setattr__(self, "outcome", tuple(self.outcome))
        for name in ("adjustment_set", "mediators", "instruments", "given"):
            object.__setattr__(self, name, _fs(getattr(self, name)))
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; expected one of {', '.join(STRATEGIES)}")
        if self.effect not in EFFECTS:
            raise ValueError(f"unknown effect {self.effect!r}; expected one of {', '.join(EFFECTS)}")

    @property
    def identified(self) -> bool:
        """Whether the effect is *nonparametrically* identified from the graph.

        False for ``not_identifiable`` and for ``iv``: an instrument identifies
        the effect only under parametric assumptions (see :attr:`identified_under`).
        """
        return self.strategy not in ("not_identifiable", "iv")

    @property
    def identified_under(self) -> str | None:
        """The parametric assumption that identifies an ``iv`` estimand; None for the others.

        Examples
        --------
        >>> Estimand(treatment="X", outcome="Y", strategy="iv", instruments={"Z"}).identified_under
        'linearity/homogeneity (or LATE under monotonicity)'
        """
        return _PARAMETRIC if self.strategy == "iv" else None

    @property
    def parametric(self) -> bool:
        """Whether the estimand holds only under parametric assumptions (an instrument)."""
        return self.identified_under is not None

    @property
    def estimable(self) -> bool:
        """Whether there is something to estimate: identified, or identified under :attr:`identified_under`."""
        return self.strategy != "not_identifiable"

    def __bool__(self) -> bool:
        return self.estimable

    def headline(self) -> str:
        """The first line of :meth:`summary`: the query and how (or whether) it is identified.

        Examples
        --------
        >>> print(Estimand(treatment="X", outcome="Y", strategy="iv", instruments={"Z"}).headline())
        Effect of X on Y (total effect): not identifiable without parametric assumptions; identified under linearity/homogeneity (or LATE under monotonicity) by instrument Z
        """
        cond = f" given {{{', '.join(sorted(self.given))}}}" if self.given else ""
        what = f"Effect of {', '.join(self.treatment)} on {', '.join(self.outcome)}{cond} ({_EFFECT_WORDS[self.effect]})"
        if self.identified:
            return f"{what}, identified by {_STRATEGY_WORDS[self.strategy]}"
        if self.parametric:
            by = ", ".join(sorted(self.instruments or ()))
            given = f" given {{{', '.join(sorted(self.adjustment_set))}}}" if self.adjustment_set else ""
            return (
                f"{what}: not identifiable without parametric assumptions; identified under {self.identified_under} "
                f"by instrument {by}{given}"
            )
        return f"{what}: not identifiable"

    def summary(self) -> str:
        """A human summary: what, by which strategy, with which variables, the formula and assumptions."""
        lines = [self.headline()]
        if not self.identified and self.reason:
            lines.append(f"  {'why not nonparametrically' if self.parametric else 'reason'}: {self.reason}")
        for label, value in (
            ("adjustment set", self.adjustment_set),
            ("mediators", self.mediators),
            ("instruments", self.instruments),
        ):
            if value is not None:
                lines.append(f"  {label}: {{{', '.join(sorted(value))}}}")
        if self.formula:
            lines.append(f"  formula: {self.formula}")
        if self.assumptions:
            lines.append("  assumptions:")
            lines.extend(f"    - {a}" for a in self.assumptions)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (sets become sorted lists)."""

        def lst(v: frozenset[str] | None) -> list[str] | None:
            return None if v is None else sorted(v)

        return {
            "treatment": list(self.treatment),
            "outcome": list(self.outcome),
            "effect": self.effect,
            "strategy": self.strategy,
            "identified": self.identified,
            "estimable": self.estimable,
            "identified_under": self.identified_under,
            "adjustment_set": lst(self.adjustment_set),
            "mediators": lst(self.mediators),
            "instruments": lst(self.instruments),
            "formula": self.formula,
            "latex": self.latex,
            "assumptions": list(self.assumptions),
            "reason": self.reason,
            "alternatives": [sorted(a) for a in self.alternatives],
            "given": lst(self.given),
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def to_latex(self) -> str:
        """The identifying formula in LaTeX (empty when not identifiable)."""
        return self.latex

    def _repr_latex_(self) -> str | None:
        return f"${self.latex}$" if self.latex else None

    def _repr_html_(self) -> str:
        from html import escape

        return "<pre>" + escape(self.summary()) + "</pre>"
