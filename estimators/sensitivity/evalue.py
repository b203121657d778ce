"""The E-value (VanderWeele & Ding 2017): how strong an unmeasured confounder would have to be to explain an association away.

References
----------
VanderWeele, T. J. and Ding, P. (2017). Sensitivity analysis in observational
research: introducing the E-value. Annals of Internal Medicine 167(4), 268-274.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

__all__ = ["EValue", "e_value", "e_value_continuous"]


# --------------------------------------------------------------------------- E-value


def _e(rr: float) -> float:
    """E-value of a risk ratio ≥ 1."""
    return rr + math.sqrt(rr * (rr - 1.0))


@dataclass(frozen=True)
class EValue:
    """The E-value of an estimate and of its confidence limit closest to the null.

    Attributes
    ----------
    measure : str
        ``"RR"``, ``"OR"``, ``"HR"`` or ``"difference"`` (a mean difference on a continuous outcome).
    estimate : float
        The estimate on its own scale.
    ci : (float, float) or None
        Its confidence interval on its own scale.
    rr, rr_ci :
        The (approximate) risk ratio and its interval the E-values are computed from.
    point : float
        E-value of the estimate.
    limit : float or None
        E-value of the confidence limit closest to the null (1 when the interval covers the null).
    conversion : str
        How the estimate was converted to a risk ratio, in words.
    """

    measure: str
    estimate: float
    ci: tuple[float, float] | None
    rr: float
    rr_ci: tuple[float, float] | None
    point: float
    limit: float | None
    null: float = 1.0
    conversion: str = ""

    def summary(self) -> str:
        """One or two lines for a terminal or a report."""
        text = f"E-value {self.point:.3g} for the estimate"
        if self.limit is not None:
            text += f", {self.limit:.3g} for the confidence limit closest to the null"
        text += (
            f": an unmeasured confounder associated with both treatment and outcome by a risk ratio of "
            f"{self.point:.3g} each, above the measured covariates, could explain the estimate away"
        )
        if self.conversion:
            text += f" ({self.conversion})"
        return text

    def _repr_html_(self) -> str:
        """Jupyter: the summary sentence, with the E-values in bold."""
        from html import escape

        return f"<p class='dagcore-evalue'><b>E-value {self.point:.3g}</b>: {escape(self.summary())}.</p>"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "measure": self.measure,
            "estimate": self.estimate,
            "ci": None if self.ci is None else list(self.ci),
            "rr": self.rr,
            "rr_ci": None if self.rr_ci is None else list(self.rr_ci),
            "e_value": self.point,
            "e_value_ci": self.limit,
            "null": self.null,
            "conversion": self.conversion,
        }


def _to_rr(value: float, measure: str, rare: bool) -> float:
    if measure == "RR" or (measure in ("OR", "HR") and rare):
        return value
    if measure == "OR":  # common outcome (> 15%): square-root transformation
        return math.sqrt(value)
    # HR, common outcome
    return (1.0 - 0.5 ** math.sqrt(value)) / (1.0 - 0.5 ** math.sqrt(1.0 / value))


def _e_values(rr: float, lo: float | None, hi: float | None, null: float) -> tuple[float, float | None]:
    rr_n = rr / null
    point = _e(rr_n if rr_n >= 1 else 1.0 / rr_n)
    limit: float | None = None
    if lo is not None and hi is not None:
        lo_n, hi_n = lo / null, hi / null
        if lo_n <= 1.0 <= hi_n:
            limit = 1.0
        elif rr_n > 1:
            limit = _e(lo_n)
        else:
            limit = _e(1.0 / hi_n)
    return point, limit


def e_value(
    estimate: float,
    lower: float | None = None,
    upper: float | None = None,
    *,
    measure: str = "RR",
    rare: bool = True,
    null: float = 1.0,
) -> EValue:
    """E-value of a ratio estimate (VanderWeele & Ding 2017).

    Parameters
    ----------
    estimate : float
        Risk ratio, odds ratio or hazard ratio (> 0).
    lower, upper : float, optional
        Its confidence limits; the E-value of the limit closest to the null is reported.
    measure : {"RR", "OR", "HR"}
        The scale of ``estimate``.
    rare : bool
        Whether the outcome is rare (< 15%) at the end of follow-up. For a rare
        outcome OR and HR approximate the RR; for a common one the paper's
        conversions are used (``RR ≈ √OR``; ``RR ≈ (1 − 0.5^√HR)/(1 − 0.5^√(1/HR))``).
    null : float
        The value to shift the estimate to (1: explain the effect away).

    Returns
    -------
    EValue

    Raises
    ------
    ValueError
        For a non-positive ratio, an unknown measure, or limits that do not bracket the estimate.

    Examples
    --------
    The paper's example: RR 3.9 with 95% CI 1.8 to 8.7.

    >>> ev = e_value(3.9, 1.8, 8.7)
    >>> round(ev.point, 2), round(ev.limit, 2)
    (7.26, 3.0)
    >>> round(e_value(0.5, measure="OR", rare=False).point, 3)
    2.18
    """
    measure = measure.upper()
    if measure not in ("RR", "OR", "HR"):
        raise ValueError(f"unknown measure {measure!r}; expected RR, OR or HR (use e_value_continuous for a difference)")
    values = [v for v in (estimate, lower, upper, null) if v is not None]
    if any(not (v > 0 and math.isfinite(v)) for v in values):
        raise ValueError(f"ratio estimates and limits must be positive and finite, got {values}")
    if (lower is None) != (upper is None):
        raise ValueError("give both confidence limits or neither")
    if lower is not None and upper is not None and not (lower <= estimate <= upper):
        raise ValueError(f"confidence limits ({lower}, {upper}) do not bracket the estimate {estimate}")
    rr = _to_rr(estimate, measure, rare)
    lo = None if lower is None else _to_rr(lower, measure, rare)
    hi = None if upper is None else _to_rr(upper, measure, rare)
    point, limit = _e_values(rr, lo, hi, null)
    if measure == "RR":
        conversion = ""
    elif rare:
        conversion = f"{measure} taken as a risk ratio (rare outcome)"
    elif measure == "OR":
        conversion = "odds ratio converted with RR ≈ √OR (common outcome)"
    else:
        conversion = "hazard ratio converted with RR ≈ (1 − 0.5^√HR)/(1 − 0.5^√(1/HR)) (common outcome)"
    return EValue(
        measure=measure,
        estimate=float(estimate),
        ci=None if lower is None else (float(lower), float(upper)),  # type: ignore[arg-type]
        rr=float(rr),
        rr_ci=None if lo is None else (float(lo), float(hi)),  # type: ignore[arg-type]
        point=float(point),
        limit=None if limit is None else float(limit),
        null=float(null),
        conversion=conversion,
    )


def e_value_continuous(difference: float, se: float | None, sd: float, *, level: float = 0.95) -> EValue:
    """E-value of a mean difference on a continuous outcome.

    Uses the standardized difference ``d = difference / sd`` and the
    approximation ``RR ≈ exp(0.91 d)``, with interval
    ``exp(0.91 d ± 0.91 z s_d)`` (``z s_d · 0.91 = 1.78 s_d`` at 95%),
    ``s_d = se / sd`` (VanderWeele & Ding 2017, eAppendix).

    Parameters
    ----------
    difference : float
        The effect estimate (e.g. an ATE on the outcome's scale).
    se : float or None
        Its standard error (None: no interval).
    sd : float
        Standard deviation of the outcome.
    level : float
        Confidence level of the interval.

    Examples
    --------
    >>> ev = e_value_continuous(0.5, 0.1, 1.0)
    >>> round(ev.rr, 3), round(ev.point, 3), round(ev.limit, 3)
    (1.576, 2.529, 1.967)
    """
    if not (sd > 0 and math.isfinite(sd)):
        raise ValueError(f"the outcome's standard deviation must be positive, got {sd}")
    d = difference / sd
    rr = math.exp(0.91 * d)
    lo = hi = None
    if se is not None:
        if not (se >= 0 and math.isfinite(se)):
            raise ValueError(f"the standard error must be non-negative and finite, got {se}")
        z = stats.norm.ppf(0.5 + level / 2)
        s_d = se / sd
        lo, hi = math.exp(0.91 * d - 0.91 * z * s_d), math.exp(0.91 * d + 0.91 * z * s_d)
    point, limit = _e_values(rr, lo, hi, 1.0)
    ci = None
    if se is not None:
        z = stats.norm.ppf(0.5 + level / 2)
        ci = (difference - z * se, difference + z * se)
    return EValue(
        measure="difference",
        estimate=float(difference),
        ci=ci,
        rr=rr,
        rr_ci=None if lo is None else (lo, hi),  # type: ignore[arg-type]
        point=point,
        limit=limit,
        conversion=f"mean difference converted with RR ≈ exp(0.91·d), d = {d:.3g} standard deviations",
    )


