"""Planning an A/B test: sample size, power and minimum detectable effect (MDE), and the test's duration.

One normal-approximation engine serves every metric. A test of the
difference ``δ`` between a treatment arm with ``ratio × n`` units and a
control arm with ``n`` units has, per control unit, the variance ``w0``
under the null hypothesis and ``w1`` under the alternative, and

* sample size (control arm): ``n = ((z_α √w0 + z_β √w1) / δ)²``, rounded up;
* power: ``Φ((|δ|√n − z_α √w0) / √w1)`` (two-sided: plus the far tail
  ``Φ((−|δ|√n − z_α √w0) / √w1)``);

with ``z_α = Φ⁻¹(1 − α'/2)`` two-sided (``Φ⁻¹(1 − α')`` one-sided),
``z_β = Φ⁻¹(power)`` and ``α'`` the per-comparison level (α divided by the
number of treatment arms under Bonferroni or Holm). The metrics differ in
``w0`` and ``w1``:

* **proportion, pooled** (default; Fleiss, Levin & Paik 2003, eq. 4.14):
  ``w0 = p̄(1 − p̄)(1 + 1/ratio)`` with ``p̄`` the allocation-weighted mean
  rate, ``w1 = p_c(1 − p_c) + p_t(1 − p_t)/ratio``; **unpooled**: ``w0 = w1``;
  **arcsine** (Cohen's h): ``δ = 2 asin √p_t − 2 asin √p_c``, ``w0 = w1 = 1 + 1/ratio``;
* **mean**: ``w0 = w1 = σ²(1 + 1/ratio)`` (a z test: the t test needs at
  most a unit or two more per arm at these sizes);
* **ratio metric** (e.g. revenue per visit, randomized by user): the same as a
  mean with the delta-method variance of ``Σy/Σx`` per unit,
  ``σ² = (s_y² − 2R s_xy + R² s_x²)/x̄²`` from pilot data (Deng, Knoblich & Lu 2018).

A pre-period covariate with correlation ρ (CUPED, Deng et al. 2013) multiplies
``w0`` and ``w1`` by ``1 − ρ²``.

The closed forms are written here rather than calling statsmodels'
``solve_power`` (a root finder) because they give the MDE of the pooled
proportion test, which statsmodels does not; the tests check every branch
against :mod:`statsmodels.stats.power` and
:func:`statsmodels.stats.proportion.power_proportions_2indep`. The old
standardized-effect (Cohen's d) reading is still there when asked for by name
(``effect_size=``), through statsmodels' ``TTestIndPower`` (a t test).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

from dagcore.errors import AmbiguousEffectError, DesignError

__all__ = ["Design", "mde", "power", "sample_size"]

ALTERNATIVES = ("two-sided", "larger", "smaller")
CORRECTIONS = ("holm", "bonferroni", "none")
PROPORTION_METHODS = ("pooled", "unpooled", "arcsine")


@dataclass(frozen=True)
class Design:
    """A planned A/B test: what was solved for, the numbers, and the formula used.

    Attributes
    ----------
    solved_for : str
        ``"sample_size"``, ``"power"`` or ``"mde"``.
    metric : str
        ``"proportion"``, ``"mean"``, ``"ratio"`` or ``"standardized"`` (Cohen's d).
    baseline : float or None
        Control rate or mean (``None`` for a standardized effect).
    mde : float
        The minimum detectable effect as an absolute difference (Cohen's d when standardized).
    relative_mde : float or None
        ``mde / baseline``.
    sd : float or None
        Standard deviation per unit of the metric (before CUPED); for a proportion ``√(p(1−p))``.
    n_control, n_treatment : int
        Units in the control arm and in each treatment arm.
    n_total : int
        Units over all arms.
    power : float
        Power of each treatment-vs-control comparison.
    alpha, alpha_per_comparison : float
        The family-wise level and the level of each comparison after the correction.
    alternative : str
        ``"two-sided"``, ``"larger"`` or ``"smaller"``.
    arms : int
        Number of arms, the control included.
    correction : str
        ``"holm"``, ``"bonferroni"`` or ``"none"`` (over the ``arms − 1`` comparisons with control).
    ratio : float
        Units in each treatment arm per control unit.
    cuped_rho : float
        Correlation of the metric with its pre-period covariate (0: no CUPED).
    method : str
        ``"pooled"``, ``"unpooled"``, ``"arcsine"`` (proportions), ``"normal"`` (means, ratios), ``"t-test"`` (Cohen's d).
    formula : str
        The formula used, in words.
    traffic_per_day : float or None
        Eligible units per day over all arms.
    days : int or None
        Days to reach ``n_total`` (whole weeks when ``whole_weeks``).
    whole_weeks : bool
        Whether ``days`` was rounded up to whole weeks.
    notes : tuple of str
        What the reader should know (how a number was read, what was assumed).
    """

    solved_for: str
    metric: str
    baseline: float | None
    mde: float
    relative_mde: float | None
    sd: float | None
    n_control: int
    n_treatment: int
    n_total: int
    power: float
    alpha: float
    alpha_per_comparison: float
    alternative: str
    arms: int
    correction: str
    ratio: float
    cuped_rho: float
    method: str
    formula: str
    traffic_per_day: float | None = None
    days: int | None = None
    whole_weeks: bool = False
    notes: tuple[str, ...] = ()

    @property
    def allocation(self) -> tuple[float, ...]:
        """Planned share of units per arm, control first (what the sample-ratio check compares against)."""
        weights = [1.0] + [self.ratio] * (self.arms - 1)
        return tuple(w / sum(weights) for w in weights)

    def summary(self) -> str:
        """A few lines for a terminal: the answer first, then the assumptions."""
        if self.metric == "standardized":
            effect = f"standardized effect (Cohen's d) {self.mde:.4g}"
        else:
            rel = f" ({self.relative_mde:+.2%} relative)" if self.relative_mde is not None else ""
            base = f"baseline {_num(self.baseline)}" + ("" if self.sd is None or self.metric == "proportion" else f", SD {_num(self.sd)}")
            effect = f"{self.metric} metric, {base}, MDE {self.mde:+.4g} absolute{rel}"
        per_arm = (f"{self.n_control:,} per arm" if self.n_treatment == self.n_control
                   else f"{self.n_control:,} control, {self.n_treatment:,} per treatment arm")
        head = {
            "sample_size": f"{per_arm} ({self.n_total:,} in total over {self.arms} arms) for power {self.power:.0%}",
            "power": f"power {self.power:.1%} with {per_arm} ({self.n_total:,} in total)",
            "mde": f"minimum detectable effect {self.mde:+.4g}"
                   + (f" ({self.relative_mde:+.2%} relative)" if self.relative_mde is not None else "")
                   + f" with {per_arm} at power {self.power:.0%}",
        }[self.solved_for]
        lines = [head]
        if self.days is not None:
            weeks = f" ({self.days // 7} whole weeks)" if self.whole_weeks else ""
            lines.append(f"  duration: {self.days} days{weeks} at {self.traffic_per_day:,.0f} units per day")
        level = f"alpha {self.alpha:g} {self.alternative}"
        if self.alpha_per_comparison != self.alpha:
            level += f", {self.alpha_per_comparison:.4g} per comparison ({self.correction}, {self.arms - 1} comparisons)"
        lines.append(f"  {effect}; {level}")
        lines.append(f"  formula: {self.formula}")
        if self.cuped_rho:
            lines.append(f"  CUPED: variance x (1 - {self.cuped_rho:g}^2) = x {1 - self.cuped_rho ** 2:.4g}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (with the planned ``allocation``)."""
        out = asdict(self)
        out["notes"] = list(self.notes)
        out["allocation"] = list(self.allocation)
        return out

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.4g}"


# --------------------------------------------------------------------------- checks


def _ambiguous(function: str, args: tuple[Any, ...], n_name: str | None) -> AmbiguousEffectError:
    shown = ", ".join(repr(a) for a in args)
    first = args[0]
    rest = f", {n_name}={args[1]!r}" if n_name and len(args) > 1 else ""
    return AmbiguousEffectError(
        f"{function}({shown}): a bare number is ambiguous: {first!r} could be a baseline rate "
        f"({function}(baseline={first!r}, mde=...{rest}), an absolute change by default, relative=True for a relative one) "
        f"or a standardized effect, Cohen's d ({function}(effect_size={first!r}{rest})); name it"
    )


def _positive(name: str, value: Any, *, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(float(value)):
        raise DesignError(f"{name} must be a number, got {value!r}")
    if value <= 0:
        raise DesignError(f"{name} must be positive, got {value!r}")
    if integer and float(value) != int(value):
        raise DesignError(f"{name} must be a whole number, got {value!r}")
    return float(value)


def _probability(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(float(value)):
        raise DesignError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if not 0 < v < 1:
        raise DesignError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")
    return v


def _choice(name: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise DesignError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


@dataclass(frozen=True)
class _Metric:
    """What the engine needs: the metric's kind, baseline, per-unit SD and the pooled/unpooled/arcsine method."""

    kind: str
    baseline: float | None
    sd: float | None
    method: str
    notes: tuple[str, ...] = ()


def _metric(
    baseline: float | None, sd: float | None, pilot: Any, numerator: str | None, denominator: str | None, method: str | None,
) -> _Metric:
    """Read the metric from the arguments."""
    if pilot is not None:
        import pandas as pd

        if baseline is not None or sd is not None:
            raise DesignError("give either pilot= or baseline=/sd=, not both (the pilot gives the baseline and the SD)")
        if numerator is not None or denominator is not None:
            if not (numerator and denominator) or not isinstance(pilot, pd.DataFrame):
                raise DesignError("a ratio metric needs pilot= a DataFrame and both numerator= and denominator= columns")
            y, x = _pilot_column(pilot, numerator), _pilot_column(pilot, denominator)
            if x.mean() <= 0:
                raise DesignError(f"the denominator {denominator!r} has a mean of {x.mean():.4g}; a ratio metric needs a positive one")
            r = float(y.sum() / x.sum())
            cov = np.cov(y, x, ddof=1)
            var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / x.mean() ** 2
            return _Metric("ratio", r, float(math.sqrt(var)), "normal", (
                f"ratio metric {numerator}/{denominator} from {len(y)} pilot units: baseline {r:.4g}, "
                f"delta-method SD per unit {math.sqrt(var):.4g}",))
        if isinstance(pilot, pd.DataFrame):
            raise DesignError("pilot= a DataFrame needs numerator= and denominator= (a ratio metric); "
                              "for a mean or a rate pass the column itself, pilot=df['revenue']")
        y = _pilot_column(pilot, None)
        if set(np.unique(y)) <= {0.0, 1.0}:
            p = float(y.mean())
            if not 0 < p < 1:
                raise DesignError(f"the pilot rate is {p:g}: a rate metric needs both 0s and 1s in the pilot")
            return _Metric("proportion", p, math.sqrt(p * (1 - p)), method or "pooled",
                           (f"0/1 pilot of {len(y)} units read as a rate: baseline {p:.4g}",))
        return _Metric("mean", float(y.mean()), float(y.std(ddof=1)), "normal",
                       (f"pilot of {len(y)} units: mean {y.mean():.4g}, SD {y.std(ddof=1):.4g}",))
    if numerator is not None or denominator is not None:
        raise DesignError("numerator=/denominator= (a ratio metric) need pilot= data to estimate the delta-method variance")
    if baseline is None:
        raise DesignError("give baseline= (a rate in (0, 1), or a mean with sd=), or pilot= data, or effect_size= (Cohen's d)")
    b = float(baseline) if isinstance(baseline, (int, float, np.integer, np.floating)) and not isinstance(baseline, bool) else None
    if b is None or not math.isfinite(b):
        raise DesignError(f"baseline must be a number, got {baseline!r}")
    if sd is not None:
        if method is not None:
            raise DesignError(f"method={method!r} is for proportions; a mean metric (sd= given) uses the normal approximation")
        return _Metric("mean", b, _positive("sd", sd), "normal")
    if not 0 < b < 1:
        raise DesignError(
            f"baseline {baseline!r} is not a rate in (0, 1); for a mean metric also give its standard deviation, sd=..."
        )
    return _Metric("proportion", b, math.sqrt(b * (1 - b)), _choice("method", method or "pooled", PROPORTION_METHODS))


def _pilot_column(pilot: Any, column: str | None) -> np.ndarray:
    import pandas as pd

    from dagcore.errors import DataError

    if column is not None:
        if column not in pilot.columns:
            raise DataError(f"pilot column {column!r} is not in the data")
        series = pilot[column]
    else:
        series = pilot if isinstance(pilot, pd.Series) else pd.Series(np.asarray(pilot))
    name = column or getattr(series, "name", None) or "pilot"
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise DataError(f"pilot column {name!r} must be numeric, got {series.dtype}")
    values = series.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise DataError(f"pilot column {name!r} has {int(np.isnan(values).sum())} missing values; drop them first")
    if values.size < 2:
        raise DataError(f"pilot column {name!r} needs at least 2 values")
    return values


# --------------------------------------------------------------------------- the engine


def _variances(m: _Metric, delta: float, ratio: float, factor: float) -> tuple[float, float, float]:
    """``(δ on the test's scale, w0, w1)`` for a difference ``delta`` (absolute) of metric ``m``."""
    if m.kind == "proportion":
        pc = float(m.baseline)  # type: ignore[arg-type]
        pt = pc + delta
        if not 0 < pt < 1:
            raise DesignError(f"baseline {pc:g} with an effect of {delta:+g} gives a treatment rate of {pt:g}, outside (0, 1)")
        if m.method == "arcsine":
            h = 2 * math.asin(math.sqrt(pt)) - 2 * math.asin(math.sqrt(pc))
            return h, factor * (1 + 1 / ratio), factor * (1 + 1 / ratio)
        w1 = pc * (1 - pc) + pt * (1 - pt) / ratio
        if m.method == "unpooled":
            return delta, factor * w1, factor * w1
        pbar = (pc + ratio * pt) / (1 + ratio)
        return delta, factor * pbar * (1 - pbar) * (1 + 1 / ratio), factor * w1
    w = float(m.sd) ** 2 * (1 + 1 / ratio)  # type: ignore[arg-type]
    return delta, factor * w, factor * w


def _z_alpha(alpha: float, alternative: str) -> float:
    return float(stats.norm.ppf(1 - alpha / 2 if alternative == "two-sided" else 1 - alpha))


def _power_at(delta: float, w0: float, w1: float, n: float, alpha: float, alternative: str) -> float:
    za = _z_alpha(alpha, alternative)
    s0, s1 = math.sqrt(w0 / n), math.sqrt(w1 / n)
    if alternative == "two-sided":
        return float(stats.norm.cdf((abs(delta) - za * s0) / s1) + stats.norm.cdf((-abs(delta) - za * s0) / s1))
    signed = delta if alternative == "larger" else -delta
    return float(stats.norm.cdf((signed - za * s0) / s1))


def _n_for(delta: float, w0: float, w1: float, alpha: float, power: float, alternative: str) -> float:
    za, zb = _z_alpha(alpha, alternative), float(stats.norm.ppf(power))
    return ((za * math.sqrt(w0) + zb * math.sqrt(w1)) / abs(delta)) ** 2


def _comparisons_alpha(alpha: float, arms: int, correction: str) -> float:
    m = arms - 1
    return alpha if correction == "none" or m == 1 else alpha / m


def _common(alpha: Any, power: Any, alternative: str, arms: Any, correction: str, ratio: Any, cuped_rho: Any) -> tuple[float, float | None, int, float, float]:
    a = _probability("alpha", alpha)
    pw = None if power is None else _probability("power", power)
    _choice("alternative", alternative, ALTERNATIVES)
    _choice("correction", correction, CORRECTIONS)
    k = int(_positive("arms", arms, integer=True))
    if k < 2:
        raise DesignError(f"arms counts the control too: an A/B test has arms=2 or more, got {arms!r}")
    r = _positive("ratio", ratio)
    rho = 0.0 if cuped_rho is None else float(cuped_rho)
    if not -1 < rho < 1 or not math.isfinite(rho):
        raise DesignError(f"cuped_rho must be a correlation strictly between -1 and 1, got {cuped_rho!r}")
    if pw is not None and pw <= _comparisons_alpha(a, k, correction) / (2 if alternative == "two-sided" else 1):
        raise DesignError(f"power {pw:g} is not above the false-positive rate: ask for a power above alpha")
    return a, pw, k, r, rho


def _formula(m: _Metric, alternative: str) -> str:
    z = "z_(1-a/2)" if alternative == "two-sided" else "z_(1-a)"
    if m.kind == "proportion" and m.method == "pooled":
        return (f"n = ({z}*sqrt(pbar(1-pbar)(1+1/r)) + z_power*sqrt(pc(1-pc) + pt(1-pt)/r))^2 / delta^2 "
                "(normal approximation, pooled variance under the null; Fleiss et al. 2003)")
    if m.kind == "proportion" and m.method == "unpooled":
        return f"n = ({z} + z_power)^2 (pc(1-pc) + pt(1-pt)/r) / delta^2 (normal approximation, unpooled variance)"
    if m.kind == "proportion":
        return f"n = ({z} + z_power)^2 (1+1/r) / h^2, h = 2 asin(sqrt(pt)) - 2 asin(sqrt(pc)) (arcsine, Cohen's h)"
    what = "delta-method variance of the ratio" if m.kind == "ratio" else "sigma = the metric's SD"
    return f"n = ({z} + z_power)^2 sigma^2 (1+1/r) / delta^2 (normal approximation; {what})"


def _mde_for(m: _Metric, n: float, alpha: float, power: float, alternative: str, ratio: float, factor: float) -> float:
    """The smallest absolute effect (positive, negative for ``alternative='smaller'``) with the given power."""
    sign = -1.0 if alternative == "smaller" else 1.0
    if m.kind != "proportion":
        _, w0, w1 = _variances(m, 1.0, ratio, factor)
        za, zb = _z_alpha(alpha, alternative), float(stats.norm.ppf(power))
        return sign * (za * math.sqrt(w0) + zb * math.sqrt(w1)) / math.sqrt(n)
    pc = float(m.baseline)  # type: ignore[arg-type]
    top = (1 - pc) if sign > 0 else pc
    def gap(d: float) -> float:
        delta, w0, w1 = _variances(m, sign * d, ratio, factor)
        return _power_at(delta, w0, w1, n, alpha, alternative) - power
    hi = top * (1 - 1e-9)
    if gap(hi) < 0:
        raise DesignError(f"no effect on a rate of {pc:g} reaches power {power:g} with {n:,.0f} control units: "
                          "even the largest change possible falls short; add units")
    return sign * float(optimize.brentq(gap, 1e-12, hi, xtol=1e-12))


def _duration(n_total: int, traffic_per_day: Any, whole_weeks: bool) -> tuple[float | None, int | None]:
    if traffic_per_day is None:
        if whole_weeks:
            raise DesignError("whole_weeks=True needs traffic_per_day= (the eligible units per day over all arms)")
        return None, None
    t = _positive("traffic_per_day", traffic_per_day)
    days = math.ceil(n_total / t)
    if whole_weeks:
        days = 7 * math.ceil(days / 7)
    return t, days


def _resolve_mde(m: _Metric, mde: Any, relative: bool) -> float:
    if mde is None:
        raise DesignError("give mde= (the smallest effect worth detecting; absolute, or relative=True for a share of the baseline)")
    if isinstance(mde, bool) or not isinstance(mde, (int, float, np.integer, np.floating)) or not math.isfinite(float(mde)) or mde == 0:
        raise DesignError(f"mde must be a non-zero number, got {mde!r}")
    if relative:
        if not m.baseline:
            raise DesignError("relative=True needs a non-zero baseline")
        return float(mde) * float(m.baseline)
    return float(mde)


def _design(solved_for: str, m: _Metric, delta: float, n_control: float, pw: float, alpha: float, alpha_c: float,
            alternative: str, k: int, correction: str, r: float, rho: float, traffic: Any, whole_weeks: bool,
            notes: list[str]) -> Design:
    nc = int(math.ceil(n_control - 1e-9)) if solved_for == "sample_size" else int(n_control)
    nt = int(math.ceil(r * n_control - 1e-9)) if solved_for == "sample_size" else int(r * n_control)
    n_total = nc + (k - 1) * nt
    t, days = _duration(n_total, traffic, whole_weeks)
    if correction == "holm" and k > 2:
        notes.append(f"Holm is planned at its first step, alpha/{k - 1}; its power per comparison is at least the stated one")
    if m.kind == "proportion" and m.baseline and abs(delta) >= m.baseline / 2:
        notes.append(f"mde {delta:+g} was read as an absolute change ({m.baseline:g} -> {m.baseline + delta:g}, "
                     f"{delta / m.baseline:+.0%}); pass relative=True for a relative one")
    return Design(
        solved_for=solved_for, metric=m.kind, baseline=m.baseline, mde=delta,
        relative_mde=(delta / m.baseline) if m.baseline else None, sd=m.sd, n_control=nc, n_treatment=nt,
        n_total=n_total, power=pw, alpha=alpha, alpha_per_comparison=alpha_c, alternative=alternative, arms=k,
        correction=correction, ratio=r, cuped_rho=rho, method=m.method, formula=_formula(m, alternative),
        traffic_per_day=t, days=days, whole_weeks=whole_weeks, notes=(*m.notes, *notes),
    )


def _check_direction(delta: float, alternative: str) -> None:
    if (alternative == "larger" and delta < 0) or (alternative == "smaller" and delta > 0):
        raise DesignError(f"mde {delta:+g} points the other way from alternative={alternative!r}")


def _units(n_per_arm: Any, n_total: Any, traffic_per_day: Any, days: Any, k: int, r: float) -> tuple[float, list[str]]:
    """Control-arm units from exactly one of ``n_per_arm``, ``n_total`` or ``traffic_per_day`` × ``days``."""
    given = [name for name, v in (("n_per_arm", n_per_arm), ("n_total", n_total), ("days", days)) if v is not None]
    if len(given) != 1:
        raise DesignError("give the units as exactly one of n_per_arm= (control arm), n_total= (all arms) or "
                          f"days= with traffic_per_day=; got {', '.join(given) or 'none'}")
    if n_per_arm is not None:
        return _positive("n_per_arm", n_per_arm), []
    if n_total is not None:
        return _positive("n_total", n_total) / (1 + (k - 1) * r), []
    if traffic_per_day is None:
        raise DesignError("days= needs traffic_per_day= (the eligible units per day over all arms)")
    total = _positive("traffic_per_day", traffic_per_day) * _positive("days", days)
    return total / (1 + (k - 1) * r), [f"{days:g} days at {traffic_per_day:,.0f} units per day: {total:,.0f} units in total"]


# --------------------------------------------------------------------------- public functions


def sample_size(
    *args: Any,
    baseline: float | None = None,
    mde: float | None = None,
    relative: bool = False,
    sd: float | None = None,
    pilot: Any = None,
    numerator: str | None = None,
    denominator: str | None = None,
    effect_size: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    ratio: float = 1.0,
    arms: int = 2,
    correction: str = "holm",
    cuped_rho: float | None = None,
    method: str | None = None,
    traffic_per_day: float | None = None,
    whole_weeks: bool = False,
) -> Design:
    """Units per arm needed to detect ``mde`` with the given power, and how many days that takes.

    Every argument is a keyword: a bare number is refused, since ``0.1`` could
    be a baseline rate or a standardized effect (:class:`~dagcore.AmbiguousEffectError`).

    Parameters
    ----------
    baseline : float
        The control arm's rate (in (0, 1)) for a proportion, or its mean (with ``sd``).
    mde : float
        The minimum detectable effect: an absolute change (``0.01`` is one
        percentage point), or a share of the baseline with ``relative=True``.
    sd : float, optional
        The metric's standard deviation per unit: makes it a mean metric.
    pilot : Series or DataFrame, optional
        Pilot data instead of ``baseline``/``sd``: a column (its mean and SD; a
        0/1 column is a rate), or a DataFrame with ``numerator=`` and
        ``denominator=`` columns for a ratio metric (delta-method variance).
    effect_size : float, optional
        A standardized effect (Cohen's d) instead of a metric: the t test of
        statsmodels' ``TTestIndPower`` (no CUPED, one comparison).
    alpha, power : float
        Family-wise false-positive rate and the power of each comparison.
    alternative : {"two-sided", "larger", "smaller"}
    ratio : float
        Units in each treatment arm per control unit (2.0: a 1:2 split).
    arms : int
        Arms including the control; ``arms - 1`` comparisons with control share ``alpha``.
    correction : {"holm", "bonferroni", "none"}
        How the comparisons share ``alpha`` (Holm and Bonferroni plan at ``alpha / (arms - 1)``).
    cuped_rho : float, optional
        Correlation of the metric with a pre-period covariate: the variance is
        multiplied by ``1 - cuped_rho**2`` (CUPED).
    method : {"pooled", "unpooled", "arcsine"}, optional
        Proportions only; default pooled.
    traffic_per_day : float, optional
        Eligible units per day over all arms: gives ``days``.
    whole_weeks : bool
        Round ``days`` up to whole weeks (weekday effects).

    Returns
    -------
    Design

    Raises
    ------
    AmbiguousEffectError
        A positional number.
    DesignError
        A rate outside (0, 1), a negative or zero traffic, power not above alpha, ...

    Examples
    --------
    Baseline conversion 10%, detect +1 point, two-sided 5%, power 80%:

    >>> d = sample_size(baseline=0.10, mde=0.01)
    >>> d.n_control, d.n_total
    (14751, 29502)
    >>> sample_size(baseline=0.10, mde=0.10, relative=True, traffic_per_day=2000, whole_weeks=True).days
    21
    >>> sample_size(effect_size=0.5).n_control
    64
    >>> sample_size(0.1)
    Traceback (most recent call last):
    ...
    dagcore.errors.AmbiguousEffectError: sample_size(0.1): a bare number is ambiguous: 0.1 could be a baseline rate ...
    """
    if args:
        raise _ambiguous("sample_size", args, None)
    a, pw, k, r, rho = _common(alpha, power, alternative, arms, correction, ratio, cuped_rho)
    assert pw is not None
    if effect_size is not None:
        return _standardized("sample_size", effect_size, None, a, pw, alternative, k, correction, r, rho,
                             traffic_per_day, whole_weeks, (baseline, mde, sd, pilot))
    m = _metric(baseline, sd, pilot, numerator, denominator, method)
    delta = _resolve_mde(m, mde, relative)
    _check_direction(delta, alternative)
    alpha_c = _comparisons_alpha(a, k, correction)
    d, w0, w1 = _variances(m, delta, r, 1 - rho**2)
    n = _n_for(d, w0, w1, alpha_c, pw, alternative)
    return _design("sample_size", m, delta, n, pw, a, alpha_c, alternative, k, correction, r, rho, traffic_per_day, whole_weeks, [])


def power(
    *args: Any,
    baseline: float | None = None,
    mde: float | None = None,
    n_per_arm: float | None = None,
    n_total: float | None = None,
    days: float | None = None,
    relative: bool = False,
    sd: float | None = None,
    pilot: Any = None,
    numerator: str | None = None,
    denominator: str | None = None,
    effect_size: float | None = None,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    ratio: float = 1.0,
    arms: int = 2,
    correction: str = "holm",
    cuped_rho: float | None = None,
    method: str | None = None,
    traffic_per_day: float | None = None,
) -> Design:
    """Power of each treatment-vs-control comparison with the given units (the answer is ``.power``).

    The units are one of ``n_per_arm`` (the control arm; each treatment arm
    has ``ratio`` times as many), ``n_total`` (all arms), or ``days`` with
    ``traffic_per_day``. The other arguments are those of :func:`sample_size`.

    Examples
    --------
    >>> round(power(baseline=0.10, mde=0.01, n_per_arm=14751).power, 3)
    0.8
    >>> round(power(baseline=0.10, mde=0.01, traffic_per_day=2000, days=14).power, 3)
    0.779
    >>> round(power(effect_size=0.5, n_per_arm=64).power, 2)
    0.8
    >>> power(0.10, 1000)
    Traceback (most recent call last):
    ...
    dagcore.errors.AmbiguousEffectError: power(0.1, 1000): a bare number is ambiguous: 0.1 could be a baseline rate ...
    """
    if args:
        raise _ambiguous("power", args, "n_per_arm")
    a, _, k, r, rho = _common(alpha, None, alternative, arms, correction, ratio, cuped_rho)
    n, notes = _units(n_per_arm, n_total, traffic_per_day, days, k, r)
    if effect_size is not None:
        return _standardized("power", effect_size, n, a, None, alternative, k, correction, r, rho,
                             traffic_per_day, False, (baseline, mde, sd, pilot))
    m = _metric(baseline, sd, pilot, numerator, denominator, method)
    delta = _resolve_mde(m, mde, relative)
    alpha_c = _comparisons_alpha(a, k, correction)
    d, w0, w1 = _variances(m, delta, r, 1 - rho**2)
    pw = _power_at(d, w0, w1, n, alpha_c, alternative)
    return _design("power", m, delta, n, pw, a, alpha_c, alternative, k, correction, r, rho, traffic_per_day, False, notes)


def mde(
    *args: Any,
    baseline: float | None = None,
    n_per_arm: float | None = None,
    n_total: float | None = None,
    days: float | None = None,
    sd: float | None = None,
    pilot: Any = None,
    numerator: str | None = None,
    denominator: str | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    ratio: float = 1.0,
    arms: int = 2,
    correction: str = "holm",
    cuped_rho: float | None = None,
    method: str | None = None,
    traffic_per_day: float | None = None,
) -> Design:
    """The minimum detectable effect (``.mde`` absolute, ``.relative_mde``) with the given units and power.

    The effect is an increase (a decrease for ``alternative="smaller"``); for a
    two-sided test of a rate, the increase (a decrease of the same size is
    detected with at least this power when the baseline is below 0.5).

    Examples
    --------
    >>> d = mde(baseline=0.10, n_per_arm=14751)
    >>> round(d.mde, 4), round(d.relative_mde, 3)
    (0.01, 0.1)
    >>> round(mde(baseline=20.0, sd=40.0, n_total=20000, cuped_rho=0.5).mde, 3)
    1.372
    """
    if args:
        raise _ambiguous("mde", args, "n_per_arm")
    a, pw, k, r, rho = _common(alpha, power, alternative, arms, correction, ratio, cuped_rho)
    assert pw is not None
    n, notes = _units(n_per_arm, n_total, traffic_per_day, days, k, r)
    m = _metric(baseline, sd, pilot, numerator, denominator, method)
    alpha_c = _comparisons_alpha(a, k, correction)
    delta = _mde_for(m, n, alpha_c, pw, alternative, r, 1 - rho**2)
    return _design("mde", m, delta, n, pw, a, alpha_c, alternative, k, correction, r, rho, traffic_per_day, False, notes)


def _standardized(
    solved_for: str, effect_size: Any, n: float | None, alpha: float, pw: float | None, alternative: str, k: int,
    correction: str, r: float, rho: float, traffic: Any, whole_weeks: bool, metric_args: tuple[Any, ...],
) -> Design:
    """Cohen's d through statsmodels' ``TTestIndPower`` (the old ``power(d, n)`` / ``sample_size(d)``)."""
    from statsmodels.stats.power import TTestIndPower

    if any(v is not None for v in metric_args):
        raise DesignError("effect_size= (a standardized effect, Cohen's d) replaces baseline=/mde=/sd=/pilot=; give one or the other")
    if rho:
        raise DesignError("cuped_rho= needs a metric (baseline= and mde=): a standardized effect has no variance to reduce")
    d = _positive("effect_size (standardized, Cohen's d)", effect_size)
    alpha_c = _comparisons_alpha(alpha, k, correction)
    sm_alt = {"two-sided": "two-sided", "larger": "larger", "smaller": "smaller"}[alternative]
    signed = -d if alternative == "smaller" else d
    engine = TTestIndPower()
    if n is None:
        assert pw is not None
        n = float(engine.solve_power(effect_size=signed, power=pw, alpha=alpha_c, ratio=r, alternative=sm_alt))
    else:
        if n < 2:
            raise DesignError(f"n_per_arm must be at least 2 for a t test, got {n:g}")
        pw = float(engine.power(effect_size=signed, nobs1=n, alpha=alpha_c, ratio=r, alternative=sm_alt))
    m = _Metric("standardized", None, None, "t-test")
    out = _design(solved_for, m, d, n, float(pw), alpha, alpha_c, alternative, k, correction, r, 0.0, traffic, whole_weeks, [])
    formula = "two-sample t test for a standardized difference d = delta / sigma (statsmodels TTestIndPower)"
    return Design(**{**asdict(out), "formula": formula, "relative_mde": None, "notes": out.notes})
