"""Propensity scores by treatment arm, for the report's overlap figure and its overlap rows.

The scores come from the propensity model of the first estimate that uses one
(IPW, AIPW, ...), refitted here with that estimator's own settings (formula or
classifier) on the rows the analysis used, so the picture shows what the
weights were built from. When no estimate uses a propensity model but the
treatment is binary and there are covariates, the default logistic model is
used and the figure says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dagcore.errors import DagcoreError

__all__ = ["PropensityOverlap", "EXTREME", "WEAK", "propensity_overlap"]

#: A propensity within this distance of 0 or 1 is counted as extreme (the threshold of
#: :func:`dagcore.estimators.diagnostics.overlap_summary`).
EXTREME = 0.01

#: The inner band of the overlap rules: many units with a propensity outside ``[WEAK, 1 - WEAK]`` make overlap weak.
WEAK = 0.05


@dataclass(frozen=True)
class PropensityOverlap:
    """Propensity scores of the treated and the untreated, and the thresholds they are judged by.

    Attributes
    ----------
    treatment : str
    source : str
        Which model gave the scores, in words.
    treated, control : numpy.ndarray
        The scores of each arm.
    thresholds : tuple of (float, str)
        Vertical lines for the figure: a value and what it is (lines of one kind share the text).

    Examples
    --------
    >>> o = PropensityOverlap("x", "logistic", np.array([0.4, 0.995]), np.array([0.2, 0.3]), ((0.01, "extreme"),))
    >>> o.to_dict()["treated"]["n_above_0.99"], o.to_dict()["control"]["n"]
    (1, 2)
    """

    treatment: str
    source: str
    treated: np.ndarray = field(repr=False)
    control: np.ndarray = field(repr=False)
    thresholds: tuple[tuple[float, str], ...] = ()

    def _arm(self, ps: np.ndarray) -> dict[str, Any]:
        q = np.quantile(ps, [0.0, 0.05, 0.5, 0.95, 1.0]) if ps.size else [float("nan")] * 5
        return {
            "n": int(ps.size), "min": float(q[0]), "p05": float(q[1]), "median": float(q[2]), "p95": float(q[3]),
            "max": float(q[4]), f"n_below_{EXTREME:g}": int((ps < EXTREME).sum()),
            f"n_above_{1 - EXTREME:g}": int((ps > 1 - EXTREME).sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: the source, the thresholds and a summary of each arm (not every score)."""
        return {
            "treatment": self.treatment, "source": self.source,
            "thresholds": [{"value": v, "meaning": m} for v, m in self.thresholds],
            "treated": self._arm(self.treated), "control": self._arm(self.control),
        }


def _is_binary(values: np.ndarray) -> bool:
    return bool(values.size) and set(np.unique(values).tolist()) <= {0.0, 1.0}


def propensity_overlap(estimates: Any, estimand: Any, data: Any) -> tuple[PropensityOverlap | None, str | None]:
    """The propensity scores by arm for the first estimate with a propensity model (see the module docstring).

    Parameters
    ----------
    estimates : sequence of Estimate
    estimand : Estimand
    data : pandas.DataFrame
        The rows the analysis used.

    Returns
    -------
    (PropensityOverlap or None, str or None)
        The scores, or None with the reason (a non-binary treatment, no covariates, a model that failed).

    Examples
    --------
    >>> import pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(0); z = rng.normal(size=300)
    >>> df = pd.DataFrame({"z": z, "x": (z + rng.normal(size=300) > 0).astype(float)})
    >>> e = Estimand(treatment=("x",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> o, note = propensity_overlap([], e, df)
    >>> o.source, o.treated.size + o.control.size
    ('default logistic model of x on z (no estimate used a propensity model)', 300)
    """
    from dagcore.estimators._nuisance import fit_propensity

    if estimand is None or not getattr(estimand, "identified", False) or estimand.strategy not in ("backdoor", "randomized"):
        return None, None
    t = estimand.treatment[0]
    covs = sorted(estimand.adjustment_set or ())
    tv = data[t].to_numpy(dtype=float)
    if not _is_binary(tv):
        return None, "overlap figure skipped: the treatment is not binary"
    model = formula = None
    source = f"default logistic model of {t} on {', '.join(covs)} (no estimate used a propensity model)"
    extreme = f"extreme propensity (< {EXTREME:g} or > {1 - EXTREME:g}: weights above {1 / EXTREME:g})"
    weak = f"outside [{WEAK:g}, {1 - WEAK:g}] (weak overlap when many units are)"
    thresholds: list[tuple[float, str]] = [(EXTREME, extreme), (1 - EXTREME, extreme), (WEAK, weak), (1 - WEAK, weak)]
    for est in estimates:
        fitted = getattr(est, "estimator", None)
        if fitted is None or not hasattr(fitted, "propensity_model"):
            continue
        model = fitted.propensity_model
        formula = getattr(fitted, "propensity_formula", None)
        what = f"formula {formula}" if formula else ("default logistic model" if model is None else type(model).__name__)
        source = f"propensity model of the {est.method} estimate ({what})"
        trim = getattr(fitted, "trim", None)
        if trim:
            label = f"{'trimmed' if est.method == 'ipw' else 'clipped'} by {est.method} (trim={trim:g})"
            thresholds += [(float(trim), label), (1 - float(trim), label)]
        break
    if not covs and formula is None:
        return None, "overlap figure skipped: no covariates (every unit has the same propensity)"
    try:
        ps = fit_propensity(data, t, covs, formula=formula, model=model)
    except (DagcoreError, ValueError, np.linalg.LinAlgError) as err:
        return None, f"overlap figure skipped: the propensity model could not be fitted ({err})"
    return PropensityOverlap(t, source, ps[tv == 1], ps[tv == 0], tuple(thresholds)), None
