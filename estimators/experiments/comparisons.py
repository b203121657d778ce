"""One treatment arm against control on one metric: difference, relative lift, SE, CI and p-value.

* **means**: Welch's t (statsmodels ``CompareMeans``, Satterthwaite degrees of
  freedom) or Neyman's normal interval; both use the unpooled SE
  ``√(s_t²/n_t + s_c²/n_c)``.
* **proportions** (a 0/1 outcome): Newcombe's hybrid score interval for the
  difference and the log-adjusted interval for the risk ratio (statsmodels
  ``confint_proportions_2indep``), the pooled two-proportion z test.
* **ratio metrics** ``Σy/Σx`` per arm (revenue per visit, randomized by user):
  the delta-method variance ``(s_y² − 2R s_xy + R² s_x²)/(n x̄²)`` (Deng,
  Knoblich & Lu 2018), normal interval.
* **regression adjustment** on pre-treatment covariates: Lin's (2013)
  interacted regression ``Y ~ T + (X − X̄) + T:(X − X̄)`` with HC2 standard
  errors, or CUPED (Deng et al. 2013): ``Y − θ(X − X̄)`` with ``θ`` the pooled
  least-squares slope, then the unadjusted comparison of the adjusted outcome.
  The variance reduction achieved is ``1 − SE²_adjusted / SE²_unadjusted``.

The relative lift ``value_t / value_c − 1`` has a delta-method interval (the
arms are independent; for Lin's regression the coefficients' HC2 covariance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from scipy import stats

from dagcore.estimators.result import jsonable

__all__ = ["Comparison", "adjusted", "mean_difference", "proportion_difference", "ratio_difference", "with_correction"]


@dataclass(frozen=True)
class Comparison:
    """One treatment arm against the control on one metric.

    Attributes
    ----------
    metric, kind : str
        The metric's name and ``"mean"``, ``"proportion"`` or ``"ratio"``.
    arm, control : str
        The two arms compared.
    n_treatment, n_control : int
    value_treatment, value_control : float
        The arms' means, rates or ratios (covariate-adjusted when ``adjusted_for``).
    difference, se, ci, p_value : float
        The difference treatment − control, its SE, CI at ``level``, and two-sided p-value.
    lift, lift_ci : float
        The relative lift ``value_treatment / value_control − 1`` and its CI.
    inference : str
        How the SE, CI and p-value were obtained.
    adjusted_for : tuple of str
        The pre-treatment covariates of a regression adjustment (empty: none).
    se_unadjusted, variance_reduction : float or None
        With an adjustment: the unadjusted SE and ``1 − se² / se_unadjusted²``.
    p_adjusted : float
        The p-value after the multiplicity correction over every comparison of the readout.
    significant : bool
        ``p_adjusted < 1 − level``.
    """

    metric: str
    kind: str
    arm: str
    control: str
    n_treatment: int
    n_control: int
    value_treatment: float
    value_control: float
    difference: float
    se: float
    ci: tuple[float, float]
    p_value: float
    lift: float
    lift_ci: tuple[float, float]
    inference: str
    level: float
    adjusted_for: tuple[str, ...] = ()
    se_unadjusted: float | None = None
    variance_reduction: float | None = None
    p_adjusted: float = math.nan
    significant: bool = False

    def summary(self) -> str:
        """One line: the values, the difference and lift with their intervals, the p-values."""
        pct = f"{self.level:.0%}"
        fmt = (lambda v: f"{v:.2%}") if self.kind == "proportion" else (lambda v: f"{v:.4g}")
        diff = (f"{self.difference * 100:+.3g} points" if self.kind == "proportion" else f"{self.difference:+.4g}")
        lo, hi = self.ci
        ci = (f"{lo * 100:+.3g} to {hi * 100:+.3g}" if self.kind == "proportion" else f"{lo:+.4g} to {hi:+.4g}")
        adj = f", adjusted for {', '.join(self.adjusted_for)}" if self.adjusted_for else ""
        sig = "significant" if self.significant else "not significant"
        return (
            f"{self.metric}, {self.arm} vs {self.control}: {fmt(self.value_treatment)} vs {fmt(self.value_control)}; "
            f"difference {diff} ({pct} CI {ci}), lift {_pct(self.lift)} ({pct} CI {_pct(self.lift_ci[0])} to "
            f"{_pct(self.lift_ci[1])}); p {_p(self.p_value)}, adjusted p {_p(self.p_adjusted)} ({sig}){adj}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return jsonable({f.name: getattr(self, f.name) for f in fields(self)})


def _pct(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:+.2%}"


def _p(v: float) -> str:
    return "–" if not math.isfinite(v) else ("< 0.001" if v < 0.001 else f"= {v:.3f}")


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _lift(m1: float, m0: float, v1: float, v0: float, c10: float, level: float) -> tuple[float, tuple[float, float]]:
    """``m1/m0 − 1`` and its delta-method CI, from the variances ``v1``, ``v0`` and covariance ``c10`` of the two values."""
    if m0 == 0 or not math.isfinite(m0):
        return math.nan, (math.nan, math.nan)
    lift = m1 / m0 - 1
    g1, g0 = 1 / m0, -m1 / m0**2
    var = g1 * g1 * v1 + g0 * g0 * v0 + 2 * g1 * g0 * c10
    half = _z(level) * math.sqrt(max(var, 0.0))
    return lift, (lift - half, lift + half)


def _base(metric: str, kind: str, arm: str, control: str, n1: int, n0: int) -> dict[str, Any]:
    return {"metric": metric, "kind": kind, "arm": arm, "control": control, "n_treatment": n1, "n_control": n0}


def mean_difference(y1: np.ndarray, y0: np.ndarray, *, metric: str, arm: str, control: str, level: float,
                    inference: str = "welch") -> Comparison:
    """Difference in means with Welch's t (``inference="welch"``) or Neyman's normal (``"neyman"``) interval.

    Examples
    --------
    >>> c = mean_difference(np.array([3.0, 5.0, 4.0]), np.array([1.0, 2.0, 3.0]), metric="y", arm="1", control="0", level=0.95)
    >>> c.difference, round(c.se, 4), round(c.lift, 2)
    (2.0, 0.8165, 1.0)
    """
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    cm = CompareMeans(DescrStatsW(y1), DescrStatsW(y0))
    diff = float(y1.mean() - y0.mean())
    v1, v0 = float(y1.var(ddof=1) / y1.size), float(y0.var(ddof=1) / y0.size)
    se = math.sqrt(v1 + v0)
    if inference == "welch":
        _, p, df = cm.ttest_ind(usevar="unequal")
        ci = cm.tconfint_diff(alpha=1 - level, usevar="unequal")
        how = f"Welch t test, unpooled SE, Satterthwaite df {df:.1f}"
    else:
        _, p = cm.ztest_ind(usevar="unequal")
        ci = cm.zconfint_diff(alpha=1 - level, usevar="unequal")
        how = "Neyman (unpooled) SE, normal interval"
    lift, lift_ci = _lift(float(y1.mean()), float(y0.mean()), v1, v0, 0.0, level)
    return Comparison(
        **_base(metric, "mean", arm, control, y1.size, y0.size), value_treatment=float(y1.mean()), value_control=float(y0.mean()),
        difference=diff, se=se, ci=(float(ci[0]), float(ci[1])), p_value=float(p), lift=lift, lift_ci=lift_ci,
        inference=how + "; lift by the delta method", level=level,
    )


def proportion_difference(y1: np.ndarray, y0: np.ndarray, *, metric: str, arm: str, control: str, level: float) -> Comparison:
    """Difference of two rates: Newcombe's interval, pooled z test, log-adjusted interval of the risk ratio for the lift.

    Examples
    --------
    >>> c = proportion_difference(np.r_[np.ones(60), np.zeros(440)], np.r_[np.ones(50), np.zeros(450)], metric="c",
    ...                           arm="B", control="A", level=0.95)
    >>> round(c.difference, 3), [round(v, 4) for v in c.ci]
    (0.02, [-0.019, 0.0591])
    """
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    c1, n1, c0, n0 = float(y1.sum()), y1.size, float(y0.sum()), y0.size
    p1, p0 = c1 / n1, c0 / n0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    lo, hi = confint_proportions_2indep(c1, n1, c0, n0, method="newcomb", compare="diff", alpha=1 - level)
    if c0 > 0 and c1 > 0:
        rlo, rhi = confint_proportions_2indep(c1, n1, c0, n0, method="log-adjusted", compare="ratio", alpha=1 - level)
        lift_ci = (float(rlo) - 1, float(rhi) - 1)
    else:
        lift_ci = (math.nan, math.nan)
    p = float(proportions_ztest([c1, c0], [n1, n0])[1]) if 0 < c1 + c0 < n1 + n0 else 1.0
    return Comparison(
        **_base(metric, "proportion", arm, control, n1, n0), value_treatment=p1, value_control=p0, difference=p1 - p0, se=se,
        ci=(float(lo), float(hi)), p_value=p, lift=(p1 / p0 - 1) if p0 > 0 else math.nan, lift_ci=lift_ci,
        inference="Newcombe hybrid score interval, pooled two-proportion z test, SE unpooled (Wald); "
        "lift interval: log-adjusted risk ratio", level=level,
    )


def _ratio_var(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    r = float(num.sum() / den.sum())
    cov = np.cov(num, den, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (num.size * den.mean() ** 2)
    return r, float(var)


def ratio_difference(num1: np.ndarray, den1: np.ndarray, num0: np.ndarray, den0: np.ndarray, *, metric: str, arm: str,
                     control: str, level: float) -> Comparison:
    """Difference of two ratio metrics ``Σnum/Σden`` with delta-method SEs (normal interval).

    Examples
    --------
    >>> c = ratio_difference(np.array([2.0, 4.0, 6.0]), np.array([1.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.0]),
    ...                      np.array([1.0, 1.0, 2.0]), metric="rev/visit", arm="1", control="0", level=0.95)
    >>> round(c.value_treatment, 3), round(c.value_control, 3)
    (2.4, 1.5)
    """
    r1, v1 = _ratio_var(num1, den1)
    r0, v0 = _ratio_var(num0, den0)
    se = math.sqrt(v1 + v0)
    diff = r1 - r0
    half = _z(level) * se
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else math.nan
    lift, lift_ci = _lift(r1, r0, v1, v0, 0.0, level)
    return Comparison(
        **_base(metric, "ratio", arm, control, num1.size, num0.size), value_treatment=r1, value_control=r0, difference=diff,
        se=se, ci=(diff - half, diff + half), p_value=p, lift=lift, lift_ci=lift_ci,
        inference="delta-method SE of each arm's ratio (Deng, Knoblich & Lu 2018), normal interval and test", level=level,
    )


def adjusted(y: np.ndarray, t: np.ndarray, X: np.ndarray, names: tuple[str, ...], *, metric: str, kind: str, arm: str,
             control: str, level: float, adjustment: str = "lin") -> Comparison:
    """The difference in means adjusted for pre-treatment covariates ``X``: Lin's interacted OLS (HC2) or CUPED.

    ``t`` is 1 in the treatment arm and 0 in control. The comparison records
    the unadjusted (Neyman) SE and the variance reduction achieved.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000); t = np.arange(2000) % 2
    >>> y = 1.0 * t + 2 * x + rng.normal(size=2000)
    >>> c = adjusted(y, t, x[:, None], ("x",), metric="y", kind="mean", arm="1", control="0", level=0.95)
    >>> round(c.difference, 1), c.variance_reduction > 0.75
    (1.0, True)
    """
    from statsmodels.regression.linear_model import (
        OLS,  # not statsmodels.api: it imports the plotting and time-series modules
    )

    y1, y0 = y[t == 1], y[t == 0]
    se_raw = math.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size)
    Xc = X - X.mean(axis=0)
    z = _z(level)
    if adjustment == "lin":
        design = np.column_stack([np.ones_like(y), t, Xc, Xc * t[:, None]])
        fit = OLS(y, design).fit(cov_type="HC2")
        cov = np.asarray(fit.cov_params())
        a, b = float(fit.params[0]), float(fit.params[1])
        se = math.sqrt(cov[1, 1])
        # value_t = a + b, value_c = a: the lift b / a by the delta method on (a, b)
        lift, lift_ci = _lift(a + b, a, cov[0, 0] + cov[1, 1] + 2 * cov[0, 1], cov[0, 0], cov[0, 0] + cov[0, 1], level)
        m1, m0, diff = a + b, a, b
        how = "Lin (2013) interacted regression Y ~ T + (X - mean) + T:(X - mean), HC2 SE, normal interval"
    else:
        theta = np.linalg.lstsq(np.column_stack([np.ones_like(y), Xc]), y, rcond=None)[0][1:]
        ycv = y - Xc @ theta
        c1, c0 = ycv[t == 1], ycv[t == 0]
        v1, v0 = c1.var(ddof=1) / c1.size, c0.var(ddof=1) / c0.size
        se = math.sqrt(v1 + v0)
        m1, m0 = float(c1.mean()), float(c0.mean())
        diff = m1 - m0
        lift, lift_ci = _lift(m1, m0, v1, v0, 0.0, level)
        how = "CUPED (Deng et al. 2013): Y - theta (X - mean), theta the pooled OLS slope; Neyman SE, normal interval"
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else math.nan
    return Comparison(
        **_base(metric, kind, arm, control, int(y1.size), int(y0.size)), value_treatment=float(m1), value_control=float(m0),
        difference=float(diff), se=se, ci=(diff - z * se, diff + z * se), p_value=p, lift=lift, lift_ci=lift_ci,
        inference=how + "; lift by the delta method", level=level, adjusted_for=names, se_unadjusted=se_raw,
        variance_reduction=1 - (se / se_raw) ** 2 if se_raw > 0 else None,
    )


def with_correction(comparisons: list[Comparison], correction: str, level: float) -> list[Comparison]:
    """Adjust the p-values over all ``comparisons``: Holm, Benjamini–Hochberg, Bonferroni, or not.

    Holm and BH are :func:`dagcore.estimators.refutation.local.adjust_pvalues`
    (the local tests' correction), not statsmodels' ``multipletests``, whose Holm
    branch runs ``gc.collect()`` on every call: measured at 0.34 s per call in a
    process holding a few large frames, most of a readout's time. The tests check
    the adjusted p-values against ``multipletests``.
    """
    from dagcore.estimators.refutation.local import adjust_pvalues

    if not comparisons:
        return []
    raw = np.array([c.p_value for c in comparisons], dtype=float)
    finite = np.isfinite(raw)
    adjusted_p = raw.copy()
    if correction != "none" and finite.any():
        p = raw[finite]
        adjusted_p[finite] = np.minimum(1.0, p * p.size) if correction == "bonferroni" else adjust_pvalues(p, correction)
    return [replace(c, p_adjusted=float(q), significant=bool(math.isfinite(q) and q < 1 - level))
            for c, q in zip(comparisons, adjusted_p)]
