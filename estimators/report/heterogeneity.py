"""The report's heterogeneity section: BLP/GATES text and the CATE figures, for the layout (``formats.py``) to place.

:func:`heterogeneity_section` takes a fitted estimate; when its estimator is a
CATE estimator with doubly robust scores (binary treatment) it returns a
:class:`HeterogeneitySection`: the :class:`~dagcore.estimators.cate.heterogeneity.Heterogeneity`
data, its text lines, and three matplotlib figures drawn through
:mod:`dagcore.estimators.report.figures` (the distribution of the
out-of-sample CATE, GATES bars with their intervals, the doubly robust gain
curve of the ranking against random targeting), as inline SVG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dagcore.estimators.report.figures import figure_svg, new_figure

__all__ = ["HeterogeneitySection", "heterogeneity_figures", "heterogeneity_section"]


@dataclass(frozen=True, eq=False)
class HeterogeneitySection:
    """What the report shows about effect heterogeneity.

    Attributes
    ----------
    heterogeneity : Heterogeneity
        BLP test, GATES, CATE quantiles and the gain curve.
    lines : tuple of str
        The section as text (terminal, Markdown).
    svgs : dict of str to str
        ``"distribution"``, ``"gates"``, ``"gain"``: inline SVG figures.
    """

    heterogeneity: Any
    lines: tuple[str, ...]
    svgs: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (without the figures)."""
        return {"heterogeneity": self.heterogeneity.to_dict(), "lines": list(self.lines)}


def heterogeneity_figures(h: Any) -> dict[str, Any]:
    """Three matplotlib figures of a :class:`~dagcore.estimators.cate.heterogeneity.Heterogeneity`.

    Examples
    --------
    >>> from dagcore.estimators.cate.heterogeneity import heterogeneity_tests
    >>> rng = np.random.default_rng(0); x = rng.normal(size=500)
    >>> sorted(heterogeneity_figures(heterogeneity_tests(x, x + rng.normal(size=500))))
    ['distribution', 'gain', 'gates']
    """
    figs: dict[str, Any] = {}
    fig = new_figure(width=5, height=3)
    ax = fig.add_subplot()
    ax.hist(np.asarray(h.cate), bins=40, color="#4c78a8")
    ax.axvline(h.blp.ate, color="black", linestyle="--", label=f"ATE {h.blp.ate:.3g}")
    ax.set_xlabel("out-of-sample CATE")
    ax.set_ylabel("rows")
    ax.legend(frameon=False)
    figs["distribution"] = fig

    fig = new_figure(width=5, height=3)
    ax = fig.add_subplot()
    groups = [g.group for g in h.gates]
    effects = np.array([g.effect for g in h.gates])
    err = np.array([[g.effect - g.lower for g in h.gates], [g.upper - g.effect for g in h.gates]])
    ax.bar(groups, effects, yerr=err, capsize=4, color="#72b7b2")
    ax.axhline(h.blp.ate, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(groups)
    ax.set_xlabel("CATE quantile group (lowest first)")
    ax.set_ylabel(f"group effect ({h.blp.level * 100:g}% CI)")
    figs["gates"] = fig

    fig = new_figure(width=5, height=3)
    ax = fig.add_subplot()
    c = h.curve
    ax.plot(c.fractions, c.values, label="ranking by the CATE")
    ax.plot(c.fractions, c.random_line(), linestyle="--", color="grey", label="random targeting")
    ax.set_xlabel("fraction treated (highest CATE first)")
    ax.set_ylabel("gain per unit (doubly robust)")
    ax.legend(frameon=False)
    figs["gain"] = fig
    return figs


def heterogeneity_section(estimate: Any, *, n_groups: int = 5, figures: bool = True) -> HeterogeneitySection | None:
    """The heterogeneity section of a CATE estimate, or None when the estimator gives no doubly robust scores.

    Examples
    --------
    >>> import pandas as pd
    >>> from dagcore import DRLearner, Estimand
    >>> rng = np.random.default_rng(0); n = 1000; x = rng.normal(size=n); t = rng.binomial(1, 0.5, n)
    >>> df = pd.DataFrame({"x": x, "t": t, "y": (1 + x) * t + rng.normal(size=n)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    >>> s = heterogeneity_section(DRLearner(effect_modifiers=["x"]).fit(df, e).estimate_)
    >>> s.lines[0].startswith("BLP test: heterogeneity detected"), sorted(s.svgs)
    (True, ['distribution', 'gain', 'gates'])
    """
    from dagcore.estimators.cate import CateEstimator

    est = getattr(estimate, "estimator", None)
    if not isinstance(est, CateEstimator) or getattr(est, "scores_", None) is None:
        return None
    h = est.heterogeneity(n_groups=n_groups)
    svgs = {name: figure_svg(fig) for name, fig in heterogeneity_figures(h).items()} if figures else {}
    return HeterogeneitySection(h, tuple(h.lines()), svgs)
