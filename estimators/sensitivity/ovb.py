"""Omitted-variable-bias sensitivity for linear regression (Cinelli & Hazlett 2020).

Partial R² of the treatment with the outcome, robustness values ``RV_q`` and
``RV_{q,α}``, bias-adjusted estimates and bounds for confounders ``k`` times as
strong as observed benchmark covariates (:func:`ovb_sensitivity` on a
statsmodels OLS fit, :func:`ols_sensitivity` on a DataFrame), and the contour
plot of the adjusted estimate over the two partial R² (:meth:`OVBSensitivity.contour_svg`).

References
----------
Cinelli, C. and Hazlett, C. (2020). Making sense of sensitivity: extending
omitted variable bias. JRSS B 82(1), 39-67.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
from scipy import stats

from dagcore.errors import DataError

__all__ = [
    "BenchmarkBound",
    "OVBSensitivity",
    "ovb_sensitivity",
    "ols_sensitivity",
    "robustness_value",
    "partial_r2",
    "bias_adjusted",
    "benchmark_bound",
    "contour_segments",
]


# --------------------------------------------------------------------------- Cinelli & Hazlett


def partial_r2(t: float | np.ndarray, dof: float) -> float | np.ndarray:
    """Partial R² of a regressor with the outcome from its t statistic: ``t² / (t² + dof)``.

    Examples
    --------
    >>> round(partial_r2(4.18445, 783), 5)
    0.02187
    """
    t = np.asarray(t, dtype=float)
    out = t**2 / (t**2 + dof)
    return float(out) if out.ndim == 0 else out


def robustness_value(t: float, dof: float, *, q: float = 1.0, alpha: float | None = None) -> float:
    """Robustness value ``RV_q`` (``alpha`` None) or ``RV_{q,α}`` (Cinelli & Hazlett 2020, §4.2).

    The partial R² a confounder would need with both treatment and outcome to
    reduce the estimate by ``100 q %`` (``RV_q``), or to make the reduced
    estimate not significant at level ``alpha`` (``RV_{q,α}``).

    Examples
    --------
    >>> round(robustness_value(4.18445, 783), 4)
    0.1388
    >>> round(robustness_value(4.18445, 783, alpha=0.05), 4)
    0.0763
    """
    if q <= 0:
        raise ValueError(f"q must be positive, got {q}")
    fq = q * abs(t) / math.sqrt(dof)
    if alpha is None:
        return 0.5 * (math.sqrt(fq**4 + 4 * fq**2) - fq**2)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    f_crit = abs(stats.t.ppf(alpha / 2, dof - 1)) / math.sqrt(dof - 1)
    fqa = fq - f_crit
    if fqa <= 0:
        return 0.0
    if fq > 1.0 / f_crit:  # the bound R²_{Y~Z|D,X} = 1 binds (the "extreme" case)
        return float((fq**2 - f_crit**2) / (1 + fq**2))
    return float(0.5 * (math.sqrt(fqa**4 + 4 * fqa**2) - fqa**2))


def bias_adjusted(
    estimate: float,
    se: float,
    dof: float,
    r2dz_x: float | np.ndarray,
    r2yz_dx: float | np.ndarray,
    *,
    reduce: bool = True,
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Bias-adjusted estimate and standard error for a confounder of given strength (§4.1).

    ``|bias| = se · √(dof · R²_{Y~Z|D,X} R²_{D~Z|X} / (1 − R²_{D~Z|X}))`` and
    ``se_adj = se · √((1 − R²_{Y~Z|D,X}) / (1 − R²_{D~Z|X}) · dof / (dof − 1))``.
    With ``reduce`` the bias moves the estimate toward zero.

    Examples
    --------
    >>> est, se = bias_adjusted(2.0, 0.5, 100, 0.1, 0.1)
    >>> round(est, 4), round(se, 4)
    (1.473, 0.5025)
    """
    r2d = np.asarray(r2dz_x, dtype=float)
    r2y = np.asarray(r2yz_dx, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        bias = se * np.sqrt(dof * r2y * r2d / (1.0 - r2d))
        adj_se = se * np.sqrt((1.0 - r2y) / (1.0 - r2d) * dof / (dof - 1.0))
    sign = np.sign(estimate) if estimate != 0 else 1.0
    adj = estimate - sign * bias if reduce else estimate + sign * bias
    if adj.ndim == 0:
        return float(adj), float(adj_se)
    return adj, adj_se


def benchmark_bound(r2dxj_x: float, r2yxj_dx: float, *, kd: float = 1.0, ky: float | None = None) -> tuple[float, float]:
    """Strength of a confounder ``kd`` / ``ky`` times as strong as a covariate Xj (§6.1).

    Parameters
    ----------
    r2dxj_x : float
        Partial R² of Xj with the treatment, given the other covariates.
    r2yxj_dx : float
        Partial R² of Xj with the outcome, given the treatment and the other covariates.
    kd, ky : float
        How many times as strong as Xj, with the treatment and the outcome (``ky`` defaults to ``kd``).

    Returns
    -------
    (R²_{D~Z|X}, R²_{Y~Z|D,X}) ; the second is capped at 1.

    Raises
    ------
    ValueError
        When no confounder ``kd`` times as strong as Xj can exist (the implied R² reaches 1).

    Examples
    --------
    >>> [round(v, 4) for v in benchmark_bound(0.1, 0.1, kd=1)]
    [0.1111, 0.1389]
    """
    ky = kd if ky is None else ky
    if kd < 0 or ky < 0:
        raise ValueError("kd and ky must be non-negative")
    if not (0 <= r2dxj_x < 1 and 0 <= r2yxj_dx < 1):
        raise ValueError("benchmark partial R² must be in [0, 1)")
    r2dz_x = kd * r2dxj_x / (1.0 - r2dxj_x)
    if r2dz_x >= 1.0 or kd * r2dxj_x >= 1.0:
        raise ValueError(f"a confounder {kd:g} times as strong as this covariate with the treatment cannot exist")
    r2zxj_xd = kd * r2dxj_x**2 / ((1.0 - kd * r2dxj_x) * (1.0 - r2dxj_x))
    if r2zxj_xd >= 1.0:
        raise ValueError(f"a confounder {kd:g} times as strong as this covariate cannot exist")
    r2yz_dx = ((math.sqrt(ky) + math.sqrt(r2zxj_xd)) / math.sqrt(1.0 - r2zxj_xd)) ** 2 * (r2yxj_dx / (1.0 - r2yxj_dx))
    return float(r2dz_x), float(min(r2yz_dx, 1.0))


@dataclass(frozen=True)
class BenchmarkBound:
    """A bias-adjusted estimate for a confounder ``k`` times as strong as an observed covariate."""

    covariate: str
    kd: float
    ky: float
    r2dxj_x: float
    r2yxj_dx: float
    r2dz_x: float
    r2yz_dx: float
    adjusted_estimate: float
    adjusted_se: float
    adjusted_ci: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["adjusted_ci"] = list(self.adjusted_ci)
        return d


@dataclass(frozen=True)
class OVBSensitivity:
    """Omitted-variable-bias sensitivity of a regression coefficient (Cinelli & Hazlett 2020).

    Attributes
    ----------
    treatment : str
    estimate, se, t, dof : float
        The treatment coefficient, its classical standard error, t statistic and residual degrees of freedom.
    r2yd_x : float
        Partial R² of the treatment with the outcome.
    rv_q, rv_qa : float
        Robustness values ``RV_q`` and ``RV_{q,α}``.
    q, alpha : float
    reduce : bool
        Whether confounding is assumed to move the estimate toward zero.
    bounds : tuple of BenchmarkBound
    """

    treatment: str
    estimate: float
    se: float
    t: float
    dof: float
    r2yd_x: float
    rv_q: float
    rv_qa: float
    q: float = 1.0
    alpha: float = 0.05
    reduce: bool = True
    bounds: tuple[BenchmarkBound, ...] = field(default=())

    def adjusted(self, r2dz_x: float | np.ndarray, r2yz_dx: float | np.ndarray) -> Any:
        """Bias-adjusted estimate for a confounder of the given partial R² (vectorised)."""
        return bias_adjusted(self.estimate, self.se, self.dof, r2dz_x, r2yz_dx, reduce=self.reduce)[0]

    def summary(self) -> str:
        """A few lines for a terminal or a report."""
        pct = lambda v: f"{100 * v:.3g}%"  # noqa: E731
        lines = [
            f"partial R² of {self.treatment} with the outcome: {pct(self.r2yd_x)} "
            f"(a confounder explaining all residual outcome variance would need this much of the treatment's)",
            f"robustness value RV_q (q = {self.q:g}): {pct(self.rv_q)}; "
            f"RV_q,α (α = {self.alpha:g}): {pct(self.rv_qa)}",
        ]
        for b in self.bounds:
            lines.append(
                f"confounder {b.kd:g}× {b.covariate}: R²_D {pct(b.r2dz_x)}, R²_Y {pct(b.r2yz_dx)}, "
                f"adjusted estimate {b.adjusted_estimate:.4g} (CI {b.adjusted_ci[0]:.4g} to {b.adjusted_ci[1]:.4g})"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "treatment": self.treatment,
            "estimate": self.estimate,
            "se": self.se,
            "t": self.t,
            "dof": self.dof,
            "partial_r2": self.r2yd_x,
            "rv_q": self.rv_q,
            "rv_qa": self.rv_qa,
            "q": self.q,
            "alpha": self.alpha,
            "reduce": self.reduce,
            "bounds": [b.to_dict() for b in self.bounds],
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def contour_svg(self, *, limit: float | None = None, resolution: int = 81, width: int = 460, height: int = 420) -> str:
        """Contour plot of the adjusted estimate over (R²_{D~Z|X}, R²_{Y~Z|D,X}) as SVG text.

        The zero contour (where the estimate is explained away) is drawn red
        and dashed; benchmark bounds are marked as red diamonds; the
        unadjusted estimate as a black triangle at the origin.
        """
        return _contour_svg(self, limit=limit, resolution=resolution, width=width, height=height)

    def _repr_svg_(self) -> str:
        return self.contour_svg()


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Coefficients, classical standard errors and residual dof."""
    n, p = X.shape
    coef, _, rank, _ = np.linalg.lstsq(X, y, rcond=None)
    if rank < p:
        raise DataError("the regression design is rank deficient (collinear covariates); drop redundant columns")
    resid = y - X @ coef
    dof = n - p
    if dof <= 1:
        raise DataError(f"too few rows ({n}) for {p} regression coefficients")
    sigma2 = resid @ resid / dof
    xtx_inv = np.linalg.inv(X.T @ X)
    return coef, np.sqrt(np.diag(xtx_inv) * sigma2), float(dof)


def ovb_sensitivity(
    results: Any,
    treatment: str,
    *,
    benchmarks: Iterable[str] = (),
    k: float | Sequence[float] = (1.0, 2.0, 3.0),
    q: float = 1.0,
    alpha: float = 0.05,
    reduce: bool = True,
) -> OVBSensitivity:
    """Cinelli & Hazlett sensitivity of a statsmodels OLS fit's treatment coefficient.

    Quantities are computed from the fit's design (``results.model.exog``,
    ``exog_names``) and outcome with classical standard errors, as in the
    paper, whatever covariance the fit itself used.

    Parameters
    ----------
    results : statsmodels RegressionResults
        An OLS fit of the outcome on the treatment and covariates (with an intercept).
    treatment : str
        The treatment's column name in the design.
    benchmarks : iterable of str
        Covariates to benchmark against (bounds for confounders ``k`` times as strong).
    k : float or sequence of float
        Multipliers for the benchmarks (``kd = ky = k``).
    q, alpha, reduce :
        See :func:`robustness_value` and :func:`bias_adjusted`.

    Examples
    --------
    >>> import numpy as np, statsmodels.api as sm
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=500); d = x + rng.normal(size=500); y = d + 2 * x + rng.normal(size=500)
    >>> X = sm.add_constant(np.column_stack([d, x]))
    >>> fit = sm.OLS(y, X).fit()
    >>> s = ovb_sensitivity(fit, "x1", benchmarks=["x2"], k=[1])
    >>> 0 < s.rv_qa < s.rv_q < 1
    True
    """
    model = getattr(results, "model", None)
    if model is None or not hasattr(model, "exog"):
        raise TypeError("ovb_sensitivity needs a fitted statsmodels regression (the result of sm.OLS(...).fit())")
    names = list(model.exog_names)
    X = np.asarray(model.exog, dtype=float)
    y = np.asarray(model.endog, dtype=float)
    return _ovb_from_arrays(y, X, names, treatment, benchmarks=benchmarks, k=k, q=q, alpha=alpha, reduce=reduce)


def _ovb_from_arrays(
    y: np.ndarray,
    X: np.ndarray,
    names: list[str],
    treatment: str,
    *,
    benchmarks: Iterable[str],
    k: float | Sequence[float],
    q: float,
    alpha: float,
    reduce: bool,
) -> OVBSensitivity:
    if treatment not in names:
        raise DataError(f"treatment {treatment!r} is not a regressor of the fit (regressors: {', '.join(names)})")
    ks = [float(k)] if isinstance(k, (int, float)) else [float(v) for v in k]
    j = names.index(treatment)
    coef, se, dof = _ols(y, X)
    est, se_d = float(coef[j]), float(se[j])
    t = est / se_d
    r2yd = float(partial_r2(t, dof))
    bounds: list[BenchmarkBound] = []
    bench = [benchmarks] if isinstance(benchmarks, str) else list(benchmarks)
    if bench:
        others = [i for i in range(X.shape[1]) if i != j]
        Xd = X[:, others]
        names_d = [names[i] for i in others]
        coef_d, se_dd, dof_d = _ols(X[:, j], Xd)
        tcrit = stats.t.ppf(1 - alpha / 2, dof - 1)
        for b in bench:
            if b not in names or b == treatment:
                raise DataError(f"benchmark {b!r} is not a covariate of the fit (covariates: {', '.join(names_d)})")
            r2dxj = float(partial_r2(coef_d[names_d.index(b)] / se_dd[names_d.index(b)], dof_d))
            ib = names.index(b)
            r2yxj = float(partial_r2(coef[ib] / se[ib], dof))
            for kk in ks:
                try:
                    r2dz, r2yz = benchmark_bound(r2dxj, r2yxj, kd=kk)
                except ValueError:
                    continue
                adj, adj_se = bias_adjusted(est, se_d, dof, r2dz, r2yz, reduce=reduce)
                bounds.append(
                    BenchmarkBound(
                        covariate=b,
                        kd=kk,
                        ky=kk,
                        r2dxj_x=r2dxj,
                        r2yxj_dx=r2yxj,
                        r2dz_x=r2dz,
                        r2yz_dx=r2yz,
                        adjusted_estimate=float(adj),
                        adjusted_se=float(adj_se),
                        adjusted_ci=(float(adj - tcrit * adj_se), float(adj + tcrit * adj_se)),
                    )
                )
    return OVBSensitivity(
        treatment=treatment,
        estimate=est,
        se=se_d,
        t=float(t),
        dof=dof,
        r2yd_x=r2yd,
        rv_q=robustness_value(t, dof, q=q),
        rv_qa=robustness_value(t, dof, q=q, alpha=alpha),
        q=q,
        alpha=alpha,
        reduce=reduce,
        bounds=tuple(bounds),
    )


def ols_sensitivity(
    data: Any,
    *,
    treatment: str,
    outcome: str,
    covariates: Iterable[str] = (),
    benchmarks: Iterable[str] | None = None,
    k: float | Sequence[float] = (1.0, 2.0, 3.0),
    q: float = 1.0,
    alpha: float = 0.05,
    reduce: bool = True,
) -> OVBSensitivity:
    """Fit ``outcome ~ 1 + treatment + covariates`` by OLS and run :func:`ovb_sensitivity`.

    Categorical (non-numeric) covariates are one-hot encoded (first level dropped);
    ``benchmarks`` defaults to every numeric covariate. Multipliers ``k`` for which no
    such confounder can exist (the implied partial R² reaches 1) are left out.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=400); d = 0.3 * x + rng.normal(size=400)
    >>> df = pd.DataFrame({"x": x, "d": d, "y": 0.5 * d + x + rng.normal(size=400)})
    >>> s = ols_sensitivity(df, treatment="d", outcome="y", covariates=["x"], k=[1, 2])
    >>> [round(b.kd) for b in s.bounds]
    [1, 2]
    """
    import pandas as pd

    covs = [covariates] if isinstance(covariates, str) else list(covariates)
    missing = [c for c in [treatment, outcome, *covs] if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {', '.join(map(repr, missing))} not in the data")
    frame = data[[outcome, treatment, *covs]]
    n_nan = int(frame.isna().any(axis=1).sum())
    if n_nan:
        raise DataError(f"{n_nan} row(s) have missing values in {outcome}, {treatment} or the covariates; drop or impute them")
    design = pd.get_dummies(frame[[treatment, *covs]], drop_first=True, dtype=float)
    try:
        X = design.to_numpy(dtype=float)
        y = frame[outcome].to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise DataError(f"non-numeric treatment or outcome column: {err}") from None
    names = ["const", *map(str, design.columns)]
    X = np.column_stack([np.ones(len(X)), X])
    if benchmarks is None:
        bench = [c for c in covs if c in names]
    else:
        bench = [benchmarks] if isinstance(benchmarks, str) else list(benchmarks)
    return _ovb_from_arrays(y, X, names, treatment, benchmarks=bench, k=k, q=q, alpha=alpha, reduce=reduce)


# --------------------------------------------------------------------------- contour plot


def contour_segments(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, level: float
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Line segments of the ``level`` contour of ``z[i, j]`` over ``(x[j], y[i])`` by marching squares.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.linspace(0, 1, 3)
    >>> z = g[None, :] + 0 * g[:, None]          # z = x
    >>> segs = contour_segments(g, g, z, 0.25)
    >>> sorted({round(p[0], 3) for s in segs for p in s})
    [0.25]
    """
    segs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    above = z > level
    ny, nx = z.shape
    for i in range(ny - 1):
        for j in range(nx - 1):
            corners = (above[i, j], above[i, j + 1], above[i + 1, j + 1], above[i + 1, j])
            if all(corners) or not any(corners):
                continue
            # corner coordinates and values, counter-clockwise from (i, j)
            pts = ((x[j], y[i]), (x[j + 1], y[i]), (x[j + 1], y[i + 1]), (x[j], y[i + 1]))
            vals = (z[i, j], z[i, j + 1], z[i + 1, j + 1], z[i + 1, j])
            crossings = []
            for e in range(4):
                a, b = e, (e + 1) % 4
                if corners[a] != corners[b]:
                    t = (level - vals[a]) / (vals[b] - vals[a])
                    crossings.append(
                        (float(pts[a][0] + t * (pts[b][0] - pts[a][0])), float(pts[a][1] + t * (pts[b][1] - pts[a][1])))
                    )
            # 2 crossings: one segment; 4 (saddle): pair them in order
            for s in range(0, len(crossings) - 1, 2):
                segs.append((crossings[s], crossings[s + 1]))
    return segs


def _nice_levels(lo: float, hi: float, n: int = 8) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    out = []
    v = start
    while v <= hi + 1e-12:
        out.append(round(v, 10))
        v += step
    return out


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _contour_svg(s: OVBSensitivity, *, limit: float | None, resolution: int, width: int, height: int) -> str:
    if limit is None:
        need = [0.4] + [max(b.r2dz_x, b.r2yz_dx) * 1.25 for b in s.bounds] + [s.rv_q * 1.5]
        limit = min(0.95, max(need))
    grid = np.linspace(0.0, limit, resolution)
    RD, RY = np.meshgrid(grid, grid)  # RD varies along columns (x), RY along rows (y)
    Z = np.asarray(s.adjusted(RD, RY), dtype=float)
    ml, mr, mt, mb = 62, 18, 34, 52
    pw, ph = width - ml - mr, height - mt - mb

    def px(v: float) -> float:
        return ml + v / limit * pw

    def py(v: float) -> float:
        return mt + ph - v / limit * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Sensitivity contour plot for {escape(s.treatment)}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f"<title>Bias-adjusted estimate of {escape(s.treatment)} by confounder strength</title>",
        f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fff" stroke="#333"/>',
    ]
    # ticks
    for tv in _nice_levels(0.0, limit, 5):
        out.append(f'<line x1="{px(tv):.1f}" y1="{mt + ph}" x2="{px(tv):.1f}" y2="{mt + ph + 4}" stroke="#333"/>')
        out.append(f'<text x="{px(tv):.1f}" y="{mt + ph + 16}" text-anchor="middle">{tv:g}</text>')
        out.append(f'<line x1="{ml - 4}" y1="{py(tv):.1f}" x2="{ml}" y2="{py(tv):.1f}" stroke="#333"/>')
        out.append(f'<text x="{ml - 7}" y="{py(tv) + 4:.1f}" text-anchor="end">{tv:g}</text>')
    out.append(
        f'<text x="{ml + pw / 2:.1f}" y="{height - 12}" text-anchor="middle">'
        "Partial R² of confounder(s) with the treatment</text>"
    )
    out.append(
        f'<text transform="translate(14 {mt + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
        "Partial R² of confounder(s) with the outcome</text>"
    )
    out.append(
        f'<text x="{ml + pw / 2:.1f}" y="20" text-anchor="middle" font-weight="bold">'
        f"Adjusted estimate of {escape(s.treatment)}</text>"
    )
    finite = Z[np.isfinite(Z)]
    # levels between "as far past zero as the estimate is from it" and the estimate: the region of interest
    lo = max(float(finite.min()), -abs(s.estimate)) if finite.size else 0.0
    hi = min(float(finite.max()), abs(s.estimate)) if finite.size else 0.0
    levels = _nice_levels(lo, hi, 8) if finite.size else []
    null_level = 0.0
    drawn: list[float] = [lv for lv in levels if abs(lv - null_level) > 1e-12]
    for lv, style in [(lv, "level") for lv in drawn] + [(null_level, "null")]:
        segs = contour_segments(grid, grid, Z, lv)
        if not segs:
            continue
        d = " ".join(f"M{px(a[0]):.1f} {py(a[1]):.1f}L{px(b[0]):.1f} {py(b[1]):.1f}" for a, b in segs)
        if style == "null":
            out.append(f'<path d="{d}" stroke="#c62828" stroke-width="2" stroke-dasharray="6 4" fill="none"/>')
        else:
            out.append(f'<path d="{d}" stroke="#555" stroke-width="1" fill="none"/>')
        # label at the segment nearest the middle of the plot's diagonal
        mid = min(segs, key=lambda sg: abs(sg[0][0] - sg[0][1]) + abs(sg[0][0] - limit * 0.55))
        colour = "#c62828" if style == "null" else "#333"
        out.append(
            f'<text x="{px(mid[0][0]) + 3:.1f}" y="{py(mid[0][1]) - 3:.1f}" fill="{colour}">{_fmt(lv)}</text>'
        )
    # unadjusted estimate
    x0, y0 = px(0.0), py(0.0)
    out.append(f'<path d="M{x0:.1f} {y0 - 7:.1f}L{x0 + 6:.1f} {y0 + 3:.1f}L{x0 - 6:.1f} {y0 + 3:.1f}Z" fill="#000"/>')
    out.append(f'<text x="{x0 + 8:.1f}" y="{y0 - 6:.1f}">Unadjusted ({_fmt(s.estimate)})</text>')
    for b in s.bounds:
        if b.r2dz_x > limit or b.r2yz_dx > limit:
            continue
        bx, by = px(b.r2dz_x), py(b.r2yz_dx)
        out.append(
            f'<path d="M{bx:.1f} {by - 5:.1f}L{bx + 5:.1f} {by:.1f}L{bx:.1f} {by + 5:.1f}L{bx - 5:.1f} {by:.1f}Z" '
            'fill="#c62828"/>'
        )
        out.append(
            f'<text x="{bx + 7:.1f}" y="{by + 4:.1f}" fill="#c62828">{b.kd:g}× {escape(b.covariate)} '
            f"({_fmt(b.adjusted_estimate)})</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
