"""Omitted-variable-bias sensitivity for linear regression (Cinelli & Hazlett 2020).

Partial R² of the treatment with the outcome, robustness values ``RV_q`` and
``RV_{q,α}``, bias-adjusted estimates and bounds for confounders ``k`` times as
strong as observed benchmark covariates (:func:`ovb_sensitivity` on a
statsmodels OLS fit, :func:`ols_sensitivity` on a DataFrame), and the contour
grid of the adjusted estimate over the two partial R² (:meth:`OVBSensitivity.contour_grid`), which the
report draws as a sensemakr-style contour plot with matplotlib
(:func:`dagcore.estimators.report.plots.sensitivity_contour`).

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
    model : str
        The regression whose treatment coefficient this is (``"y ~ d + x"``), so a report can say which model
        the robustness value is about.
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
    model: str = ""

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
            "model": self.model,
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    def contour_limit(self) -> float:
        """The largest partial R² a contour plot shows: room for every benchmark bound and 1.5 × ``RV_q`` (0.4 at least, 0.95 at most)."""
        need = [0.4] + [max(b.r2dz_x, b.r2yz_dx) * 1.25 for b in self.bounds] + [self.rv_q * 1.5]
        return min(0.95, max(need))

    def contour_grid(self, *, limit: float | None = None, resolution: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The adjusted estimate on a grid of confounder strengths, for a contour plot.

        Returns ``(r2d, r2y, adjusted)``: the partial R² with the treatment
        (varying along columns), with the outcome (along rows), and the
        bias-adjusted estimate at each point (:meth:`adjusted`). The report
        draws it with :func:`dagcore.estimators.report.plots.sensitivity_contour`.

        Examples
        --------
        >>> s = OVBSensitivity("d", 2.0, 0.5, 4.0, 100, 0.14, 0.3, 0.2)
        >>> r2d, r2y, z = s.contour_grid(limit=0.5, resolution=3)
        >>> bool(z[0, 0] == 2.0), bool(z[2, 2] < 2.0)
        (True, True)
        """
        limit = self.contour_limit() if limit is None else float(limit)
        grid = np.linspace(0.0, limit, resolution)
        r2d, r2y = np.meshgrid(grid, grid)
        return r2d, r2y, np.asarray(self.adjusted(r2d, r2y), dtype=float)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{b.kd:g}× {escape(b.covariate)}</td><td>{100 * b.r2dz_x:.3g}%</td><td>{100 * b.r2yz_dx:.3g}%</td>"
            f"<td>{b.adjusted_estimate:.4g}</td><td>{b.adjusted_ci[0]:.4g} to {b.adjusted_ci[1]:.4g}</td></tr>"
            for b in self.bounds
        )
        table = (
            "<table><thead><tr><th>confounder as strong as</th><th>partial R² with treatment</th>"
            "<th>partial R² with outcome</th><th>adjusted estimate</th><th>CI</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>" if rows else ""
        )
        return (
            f"<div><p><b>Omitted-variable-bias sensitivity of {escape(self.treatment)}</b> (Cinelli &amp; Hazlett 2020): "
            f"estimate {self.estimate:.4g} (SE {self.se:.4g}); robustness value RV<sub>q={self.q:g}</sub> "
            f"{100 * self.rv_q:.3g}%, RV<sub>q,α={self.alpha:g}</sub> {100 * self.rv_qa:.3g}%: a confounder explaining "
            f"{100 * self.rv_q:.3g}% of the residual variance of both the treatment and the outcome would explain the "
            f"estimate away.</p>{table}</div>"
        )


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
    written = getattr(model, "formula", None) or f"{model.endog_names} ~ {' + '.join(n for n in names if n != 'const')}"
    return _ovb_from_arrays(y, X, names, treatment, benchmarks=benchmarks, k=k, q=q, alpha=alpha, reduce=reduce,
                            model=str(written))


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
    model: str,
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
        model=model,
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
    written = f"{outcome} ~ {' + '.join([treatment, *covs])}"
    return _ovb_from_arrays(y, X, names, treatment, benchmarks=bench, k=k, q=q, alpha=alpha, reduce=reduce,
                            model=written)
