"""The value a refuter returns: :class:`Refutation`, with a ``pass`` / ``warn`` / ``fail`` verdict."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Refutation", "VERDICTS"]

#: The verdicts a refuter can give, from best to worst.
VERDICTS = ("pass", "warn", "fail")


@dataclass(frozen=True)
class Refutation:
    """The result of one refuter.

    Attributes
    ----------
    method : str
        The refuter's name (a key of :data:`dagcore.estimators.refutation.REFUTERS`).
    title : str
        What was done, in words.
    estimate, se : float
        The original estimate and its standard error.
    new_effect : float
        The summary of the re-estimated effects (their mean, or the median for
        the simulated confounder).
    values : tuple of float
        Every re-estimated effect.
    interval : (float, float) or None
        2.5% and 97.5% percentiles of ``values``.
    p_value : float or None
        Where one exists (placebo permutation p-value of the original estimate,
        bootstrap p-value of the effect, p-value after adjusting for the
        simulated confounder).
    verdict : str
        ``"pass"``, ``"warn"`` or ``"fail"``.
    rule : str
        The rule behind the verdict, with the numbers, in words.
    detects : str
        What the refuter can detect.
    details : mapping
        Refuter-specific numbers.
    n_simulations, seconds, fast_path :
        How it was run.

    Examples
    --------
    >>> r = Refutation(method="placebo_treatment", title="Placebo treatment", estimate=1.0, se=0.1,
    ...                new_effect=0.01, values=(0.0, 0.02), interval=(0.0, 0.02), p_value=0.01,
    ...                verdict="pass", rule="placebo effects cover 0")
    >>> r.passed, str(r)
    (True, '[PASS] placebo_treatment: placebo effects cover 0')
    """

    method: str
    title: str
    estimate: float
    se: float
    new_effect: float
    values: tuple[float, ...]
    interval: tuple[float, float] | None
    p_value: float | None
    verdict: str
    rule: str
    detects: str = ""
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)
    n_simulations: int = 0
    seconds: float = 0.0
    fast_path: bool = False

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        object.__setattr__(self, "values", tuple(float(v) for v in self.values))
        object.__setattr__(self, "fast_path", bool(self.fast_path))

    @property
    def passed(self) -> bool:
        """Whether the verdict is ``pass``."""
        return self.verdict == "pass"

    def summary(self) -> str:
        """One line for a terminal: verdict, method, rule."""
        return f"[{self.verdict.upper()}] {self.method}: {self.rule}"

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: every field (non-finite numbers as None), the replicate values last."""
        from dagcore.estimators.result import jsonable

        names = [f.name for f in fields(self) if f.name != "values"] + ["values"]
        return {name: jsonable(getattr(self, name)) for name in names}

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def _repr_html_(self) -> str:
        """Jupyter: the verdict (coloured), what was done, the rule with its numbers, and what it can detect."""
        from html import escape

        colour = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}[self.verdict]
        p = "" if self.p_value is None else f"; p-value {self.p_value:.3g}"
        return (
            f"<div class='dagcore-refutation'><b style='color:{colour}'>{self.verdict.upper()}</b> "
            f"<b>{escape(self.method)}</b>: {escape(self.title)}<br>{escape(self.rule)}"
            f"<br><small>estimate {self.estimate:.4g}, re-estimates {self.new_effect:.4g}{p}; "
            f"{self.n_simulations} simulations; can detect: {escape(self.detects)}</small></div>"
        )
