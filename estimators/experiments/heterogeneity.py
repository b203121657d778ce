"""The readout's heterogeneity section (``cate=``): who gains more, from the experiment's own covariates.

The hook calls dagcore's CATE meta-learners (:mod:`dagcore.estimators.cate`,
through the estimator registry): the arm is the treatment, the first column
metric the outcome, and the experiment's pre-treatment covariates both the
adjustment set and the effect modifiers. Randomization makes the adjustment
unnecessary for bias; the learner uses the covariates to model the outcome.

Reported: the learner's ATE (with its interval), the spread of the per-unit
CATE (quantiles), and, for the DR-learner, the best linear projection of the
CATE on the modifiers: the least-squares regression of the doubly robust
pseudo-outcomes on the centered modifiers with HC2 standard errors
(Semenova & Chernozhukov 2021), whose slopes test whether the effect varies
with each modifier. Per-unit CATEs are noisy; the slopes carry the inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dagcore.estimators.result import Estimate, jsonable

__all__ = ["Heterogeneity", "heterogeneity"]


@dataclass(frozen=True)
class Heterogeneity:
    """The CATE of one treatment arm against control on one metric.

    Attributes
    ----------
    arm, control, metric, method : str
    modifiers : tuple of str
    estimate : Estimate
        The learner's ATE.
    quantiles : mapping of str -> float
        5%, 25%, 50%, 75% and 95% quantiles of the per-unit CATE.
    slopes : tuple of mappings
        With the DR-learner: ``term``, ``slope``, ``se``, ``p_value`` of the
        best linear projection of the CATE on each (centered, one-hot) modifier.
    """

    arm: str
    control: str
    metric: str
    method: str
    modifiers: tuple[str, ...]
    estimate: Estimate
    quantiles: dict[str, float]
    slopes: tuple[dict[str, float | str], ...] = ()

    def summary(self) -> str:
        """A few lines."""
        e = self.estimate
        q = self.quantiles
        lines = [
            f"heterogeneity of {self.metric}, {self.arm} vs {self.control} ({self.method}, modifiers {', '.join(self.modifiers)}):",
            f"  ATE {e.value:.4g} ({e.level:.0%} CI {e.ci[0]:.4g} to {e.ci[1]:.4g}); per-unit CATE 5%/50%/95%: "
            f"{q['q05']:.4g} / {q['q50']:.4g} / {q['q95']:.4g}",
        ]
        for s in self.slopes:
            lines.append(f"  effect changes by {float(s['slope']):+.4g} per unit of {s['term']} (SE {float(s['se']):.4g}, "
                         f"p = {float(s['p_value']):.3g})")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return jsonable({"arm": self.arm, "control": self.control, "metric": self.metric, "method": self.method,
                         "modifiers": list(self.modifiers), "estimate": self.estimate, "quantiles": self.quantiles,
                         "slopes": list(self.slopes)})


def heterogeneity(frame: pd.DataFrame, arm: np.ndarray, treated: str, control: str, outcome: str,
                  modifiers: Sequence[str], *, method: str = "dr_learner", level: float = 0.95,
                  random_state: int = 0) -> Heterogeneity:
    """Fit the CATE meta-learner ``method`` of ``treated`` vs ``control`` on ``outcome`` with ``modifiers``.

    Examples
    --------
    >>> rng = np.random.default_rng(0); n = 4000
    >>> x = rng.normal(size=n); arm = np.where(np.arange(n) % 2, "B", "A")
    >>> df = pd.DataFrame({"x": x, "y": (arm == "B") * (1 + x) + x + rng.normal(size=n)})
    >>> h = heterogeneity(df, arm, "B", "A", "y", ["x"])
    >>> round(float(h.slopes[0]["slope"]), 1)
    1.0
    """
    from statsmodels.regression.linear_model import OLS

    from dagcore.estimand import Estimand
    from dagcore.estimators._data import design_frame
    from dagcore.estimators.registry import resolve

    keep = (arm == treated) | (arm == control)
    t_name = "__arm__"
    while t_name in frame.columns:
        t_name += "_"
    rows = frame.loc[keep, [outcome, *modifiers]].assign(**{t_name: (arm[keep] == treated).astype(int)})
    estimand = Estimand(treatment=(t_name,), outcome=(outcome,), strategy="randomized", adjustment_set=frozenset(modifiers))
    options: dict[str, Any] = {"level": level, "effect_modifiers": list(modifiers)}
    if method in ("dr_learner", "x_learner", "t_learner", "s_learner"):
        options["random_state"] = random_state
    learner = resolve(method, estimand, options)
    learner.fit(rows, estimand)
    cate = learner.effect(rows)
    qs = np.quantile(cate, [0.05, 0.25, 0.5, 0.75, 0.95])
    quantiles = {f"q{int(p * 100):02d}": float(v) for p, v in zip((0.05, 0.25, 0.5, 0.75, 0.95), qs)}
    slopes: list[dict[str, float | str]] = []
    phi = getattr(learner, "pseudo_outcomes_", None)
    if phi is not None:
        V = design_frame(rows, list(modifiers))
        Vc = V - V.mean()
        design = np.column_stack([np.ones(len(Vc)), Vc.to_numpy(dtype=float)])
        fit = OLS(np.asarray(phi, dtype=float), design).fit(cov_type="HC2")
        for j, term in enumerate(V.columns, start=1):
            slopes.append({"term": str(term), "slope": float(fit.params[j]), "se": float(fit.bse[j]), "p_value": float(fit.pvalues[j])})
    est = learner.estimate_
    return Heterogeneity(arm=treated, control=control, metric=outcome, method=method, modifiers=tuple(modifiers),
                         estimate=est, quantiles=quantiles, slopes=tuple(slopes))
