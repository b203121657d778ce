"""Health checks of an experiment: sample-ratio mismatch, pre-period balance, and peeking.

* **Sample-ratio mismatch (SRM)**: the χ² goodness-of-fit test of the arms'
  unit counts against the planned allocation (``scipy.stats.chisquare``). A
  mismatch means units were lost or gained unevenly (a redirect, a bot filter,
  a logging bug), so the arms are no longer comparable; it is flagged when
  ``p < alpha`` (0.01 by default; several platforms use 0.001).
* **Balance**: standardized mean differences of the pre-period covariates
  (:func:`dagcore.estimators.diagnostics.standardized_mean_differences`) and
  Welch t tests, Holm-adjusted over the covariates and arms.
* **Peeking**: a readout before the planned sample size. Stopping the first
  time a look is significant, and otherwise running to the plan, has a
  false-positive rate above α: the z statistics of successive looks at
  information fractions ``t_i`` are jointly normal with
  ``corr(Z_i, Z_j) = √(t_i / t_j)`` (Armitage, McPherson & Rowe 1969), and the
  rate is ``1 − P(|Z_i| ≤ z_α for every look)``, computed with SciPy's
  multivariate normal distribution.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from dagcore.errors import DataError, PeekingWarning, SampleRatioMismatchWarning

__all__ = [
    "BalanceCheck",
    "PeekingCheck",
    "SampleRatioCheck",
    "balance_check",
    "false_positive_rate",
    "peeking_check",
    "sample_ratio_check",
]


@dataclass(frozen=True)
class SampleRatioCheck:
    """The χ² test of the observed split against the planned allocation.

    Attributes
    ----------
    counts, expected : mapping of arm -> units
    allocation : mapping of arm -> planned share
    shortfall : mapping of arm -> expected minus observed units (positive: fewer than planned)
    statistic, p_value : float
    alpha : float
        The threshold below which the split is flagged.
    mismatch : bool
    """

    counts: Mapping[str, int]
    expected: Mapping[str, float]
    allocation: Mapping[str, float]
    shortfall: Mapping[str, float]
    statistic: float
    p_value: float
    alpha: float
    mismatch: bool

    def summary(self) -> str:
        """The verdict in one line (a mismatch in capitals, with the p-value and the shortfall)."""
        split = " vs ".join(f"{a} {n:,}" for a, n in self.counts.items())
        plan = "/".join(f"{s:.4g}" for s in (100 * v for v in self.allocation.values()))
        if not self.mismatch:
            return f"sample ratio OK: {split} units against a {plan} plan (chi-square p = {self.p_value:.3g})"
        worst = max(self.shortfall, key=lambda a: self.shortfall[a])
        short = self.shortfall[worst]
        return (
            f"SAMPLE RATIO MISMATCH: {split} units against a {plan} plan, chi-square p = {self.p_value:.2g} "
            f"(threshold {self.alpha:g}); arm {worst!r} is {short:,.0f} units ({short / self.expected[worst]:.2%}) short "
            "of its planned share. Units were lost or gained unevenly, so the arms may not be comparable: "
            "find the cause before trusting any result below"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "counts": dict(self.counts), "expected": dict(self.expected), "allocation": dict(self.allocation),
            "shortfall": dict(self.shortfall), "statistic": self.statistic, "p_value": self.p_value,
            "alpha": self.alpha, "mismatch": self.mismatch, "summary": self.summary(),
        }


def sample_ratio_check(
    counts: Mapping[Any, int] | Sequence[int], allocation: Mapping[Any, float] | Sequence[float] | None = None, *,
    alpha: float = 0.01, warn: bool = True,
) -> SampleRatioCheck:
    """χ² test of the units per arm against the planned allocation (equal by default).

    Parameters
    ----------
    counts : mapping of arm -> units, or a sequence (arms named "0", "1", ...)
    allocation : mapping or sequence of planned shares (or weights: they are normalized), optional
    alpha : float
        Flag the split when the p-value is below this.
    warn : bool
        Issue a :class:`~dagcore.SampleRatioMismatchWarning` on a mismatch.

    Examples
    --------
    A 50/50 plan that got 50,000 and 51,000 users:

    >>> srm = sample_ratio_check({"control": 50_000, "treatment": 51_000}, warn=False)
    >>> round(srm.p_value, 4), srm.mismatch, srm.shortfall["control"]
    (0.0017, True, 500.0)
    """
    named = {str(k): v for k, v in counts.items()} if isinstance(counts, Mapping) else {str(i): v for i, v in enumerate(counts)}
    if len(named) < 2:
        raise DataError(f"a sample-ratio check needs two or more arms, got {len(named)}")
    for arm, n in named.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise DataError(f"units of arm {arm!r} must be a whole number of at least 0, got {n!r}")
    if allocation is None:
        shares = {a: 1.0 for a in named}
    elif isinstance(allocation, Mapping):
        shares = {str(k): float(v) for k, v in allocation.items()}
        if set(shares) != set(named):
            raise DataError(f"the allocation names the arms {sorted(shares)}, the data has {sorted(named)}")
    else:
        values = [float(v) for v in allocation]
        if len(values) != len(named):
            raise DataError(f"the allocation has {len(values)} shares for {len(named)} arms")
        shares = dict(zip(named, values))
    if any(not math.isfinite(v) or v <= 0 for v in shares.values()):
        raise DataError(f"allocation shares must be positive, got {list(shares.values())}")
    total_share = sum(shares.values())
    shares = {a: shares[a] / total_share for a in named}
    total = sum(int(n) for n in named.values())
    if total == 0:
        raise DataError("no units in any arm")
    observed = np.array([named[a] for a in named], dtype=float)
    expected = np.array([shares[a] * total for a in named])
    chi2, p = stats.chisquare(observed, expected)
    out = SampleRatioCheck(
        counts={a: int(named[a]) for a in named}, expected=dict(zip(named, expected.tolist())), allocation=shares,
        shortfall={a: float(e - o) for a, e, o in zip(named, expected, observed)}, statistic=float(chi2),
        p_value=float(p), alpha=alpha, mismatch=bool(p < alpha),
    )
    if warn and out.mismatch:
        warnings.warn(out.summary(), SampleRatioMismatchWarning, stacklevel=2)
    return out


@dataclass(frozen=True)
class BalanceCheck:
    """Pre-period covariate balance of each treatment arm against control.

    ``rows`` holds one mapping per (arm, covariate): ``arm``, ``covariate``,
    ``smd`` (standardized mean difference), ``p_value`` (Welch t test),
    ``p_adjusted`` (Holm over all rows) and ``imbalanced`` (``p_adjusted < alpha``).
    """

    rows: tuple[Mapping[str, Any], ...]
    alpha: float

    @property
    def imbalanced(self) -> list[str]:
        """``arm: covariate`` of the rows flagged."""
        return [f"{r['arm']}: {r['covariate']}" for r in self.rows if r["imbalanced"]]

    def summary(self) -> str:
        """One line."""
        if not self.rows:
            return "balance: no pre-period covariates given"
        worst = max(self.rows, key=lambda r: abs(r["smd"]))
        flagged = self.imbalanced
        head = (f"balance: IMBALANCED on {', '.join(flagged)} (Holm-adjusted p < {self.alpha:g})" if flagged
                else f"balance OK on {len({r['covariate'] for r in self.rows})} covariate term(s)")
        return f"{head}; largest |SMD| {abs(worst['smd']):.3f} ({worst['covariate']}, arm {worst['arm']})"

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"rows": [dict(r) for r in self.rows], "alpha": self.alpha, "imbalanced": self.imbalanced, "summary": self.summary()}


def balance_check(frame: Any, arm: np.ndarray, control: str, covariates: Sequence[str], *, alpha: float = 0.01) -> BalanceCheck:
    """SMD and Welch t test of each (numeric, one-hot encoded) covariate, each arm against ``control``.

    ``frame`` holds the covariates (a DataFrame), ``arm`` the arm label (str) of each row.
    """
    from dagcore.estimators._data import design_frame
    from dagcore.estimators.diagnostics import standardized_mean_differences
    from dagcore.estimators.refutation.local import adjust_pvalues  # not multipletests: see comparisons.with_correction

    if not covariates:
        return BalanceCheck((), alpha)
    X = design_frame(frame, list(covariates))
    rows: list[dict[str, Any]] = []
    for a in [x for x in dict.fromkeys(arm.tolist()) if x != control]:
        keep = (arm == a) | (arm == control)
        t = (arm[keep] == a).astype(int)
        sub = X.loc[keep]
        smd = standardized_mean_differences(sub, t)
        for col in sub.columns:
            x1, x0 = sub[col].to_numpy()[t == 1], sub[col].to_numpy()[t == 0]
            p = float(stats.ttest_ind(x1, x0, equal_var=False).pvalue) if np.var(x1) + np.var(x0) > 0 else 1.0
            rows.append({"arm": a, "covariate": str(col), "smd": smd[str(col)], "p_value": 1.0 if math.isnan(p) else p})
    if rows:
        adjusted = adjust_pvalues([r["p_value"] for r in rows], "holm")
        for r, q in zip(rows, adjusted):
            r["p_adjusted"] = float(q)
            r["imbalanced"] = bool(q < alpha)
    return BalanceCheck(tuple(rows), alpha)


def false_positive_rate(looks: Sequence[float], *, alpha: float = 0.05, alternative: str = "two-sided") -> float:
    """False-positive rate of testing at level ``alpha`` at each look and stopping at the first significant one.

    ``looks`` are the information fractions of the analyses (e.g. ``[0.5, 1.0]``:
    halfway and at the planned end). The score ``S(t) = Z(t)√t`` is a Brownian
    motion, so the probability of never crossing ``±z_α√t_i`` is propagated
    look to look by numerical integration on a grid (Armitage, McPherson & Rowe
    1969; Jennison & Turnbull 2000, ch. 19): a Gaussian kernel between looks and
    Simpson's rule within the boundaries. Written here because SciPy's
    multivariate normal CDF takes seconds from five looks on (measured: 3 s for
    five, 38 s for ten) where this takes milliseconds; the tests check it
    against the multivariate normal CDF, a Monte Carlo and Armitage's table.

    Examples
    --------
    Two, five and ten equally spaced looks (Armitage, McPherson & Rowe 1969: 0.083, 0.142, 0.193):

    >>> [round(false_positive_rate([i / k for i in range(1, k + 1)]), 3) for k in (2, 5, 10)]
    [0.083, 0.142, 0.193]
    """
    t = np.sort(np.asarray(looks, dtype=float))
    if t.size == 0 or (t <= 0).any() or not np.isfinite(t).all():
        raise DataError(f"looks must be positive information fractions, got {list(looks)}")
    t = np.unique(t)
    two = alternative == "two-sided"
    z = float(stats.norm.ppf(1 - alpha / 2 if two else 1 - alpha))
    if t.size == 1:
        return float(alpha)
    steps = np.diff(t)
    # grid spacing: a tenth of the smallest step's SD, at most 2001 points per look
    span = 2 * z * math.sqrt(t[-1]) if two else (z + 8.0) * math.sqrt(t[-1])
    m = int(min(2001, max(401, math.ceil(span / (0.1 * math.sqrt(steps.min()))))))
    m += (m + 1) % 2  # odd, for Simpson's rule

    def grid(ti: float) -> tuple[np.ndarray, np.ndarray]:
        hi = z * math.sqrt(ti)
        lo = -hi if two else -8.0 * math.sqrt(t[-1])
        x = np.linspace(lo, hi, m)
        w = np.ones(m)
        w[1:-1:2], w[2:-1:2] = 4.0, 2.0
        return x, w * (x[1] - x[0]) / 3

    x, w = grid(float(t[0]))
    density = stats.norm.pdf(x, scale=math.sqrt(t[0]))
    for ti, dt in zip(t[1:], steps):
        x_new, w_new = grid(float(ti))
        kernel = stats.norm.pdf(x_new[:, None] - x[None, :], scale=math.sqrt(dt))
        density = kernel @ (density * w)
        x, w = x_new, w_new
    inside = float(density @ w)
    return float(min(1.0, max(alpha, 1 - inside)))


@dataclass(frozen=True)
class PeekingCheck:
    """A readout before the planned sample size, and the false-positive rate that stopping here implies."""

    n_observed: int
    n_planned: int
    fraction: float
    looks: int
    alpha: float
    false_positive_rate: float
    early: bool

    def summary(self) -> str:
        """One line."""
        if not self.early:
            return f"sample size: {self.n_observed:,} of the planned {self.n_planned:,} units ({self.fraction:.0%}): no early stop"
        checks = "this look" if self.looks == 1 else f"{self.looks} looks up to now"
        return (
            f"PEEKING: read out at {self.n_observed:,} of the planned {self.n_planned:,} units ({self.fraction:.0%}). "
            f"Stopping on a significant result here ({checks}, plus the planned final look) has a false-positive rate of "
            f"{self.false_positive_rate:.1%}, not {self.alpha:.0%}; run to the planned size, or use a sequential test"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        d = {k: getattr(self, k) for k in ("n_observed", "n_planned", "fraction", "looks", "alpha", "false_positive_rate", "early")}
        d["summary"] = self.summary()
        return d


def peeking_check(
    n_observed: int, n_planned: Any, *, alpha: float = 0.05, looks: int = 1, alternative: str = "two-sided", warn: bool = True,
) -> PeekingCheck:
    """Compare the units read out with the plan; before it, state the false-positive rate of stopping early.

    ``looks`` is how many times the result was checked up to now (equally spaced, this readout the last);
    the planned final analysis is added as one more look.

    Examples
    --------
    >>> c = peeking_check(15_000, 30_000, warn=False)
    >>> c.early, round(c.false_positive_rate, 3)
    (True, 0.083)
    """
    planned = int(n_planned.n_total) if hasattr(n_planned, "n_total") else n_planned
    if isinstance(planned, bool) or not isinstance(planned, (int, np.integer)) or planned < 1:
        raise DataError(f"the planned sample size must be a whole number of at least 1, got {n_planned!r}")
    if isinstance(looks, bool) or not isinstance(looks, (int, np.integer)) or looks < 1:
        raise DataError(f"looks must be a whole number of at least 1, got {looks!r}")
    fraction = n_observed / planned
    early = fraction < 1
    rate = alpha
    if early:
        times = [fraction * (i + 1) / looks for i in range(looks)] + [1.0]
        rate = false_positive_rate(times, alpha=alpha, alternative=alternative)
    out = PeekingCheck(int(n_observed), int(planned), float(fraction), int(looks), alpha, float(rate), bool(early))
    if warn and early:
        warnings.warn(out.summary(), PeekingWarning, stacklevel=2)
    return out

