"""Inverse probability weighting (Hájek)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import EstimatorError
from dagcore.estimators._data import design_frame
from dagcore.estimators._nuisance import propensity_fit
from dagcore.estimators.base import PropensityFormula
from dagcore.estimators.diagnostics import assess_overlap, effective_sample_size, standardized_mean_differences
from dagcore.estimators.result import Estimate
from dagcore.estimators.targets import balancing_weights, check_target

__all__ = ["IPW", "ipw_m_estimation_se", "weighted_regression_sandwich"]


def weighted_regression_sandwich(y: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Coefficient of ``t`` in the weighted regression ``y ~ 1 + t`` and its HC0 sandwich SE.

    This is the GEE-robust standard error that Hernán & Robins report for IP
    weighting (it ignores the estimation of the weights, so it is conservative).
    """
    X = np.column_stack([np.ones_like(t), t])
    XtW = X.T * w
    bread = np.linalg.inv(XtW @ X)
    beta = bread @ (XtW @ y)
    resid = y - X @ beta
    meat = (X * (w * resid)[:, None]).T @ (X * (w * resid)[:, None])
    cov = bread @ meat @ bread
    return float(beta[1]), float(np.sqrt(cov[1, 1]))


#: d w / d eta for each target's weights of the treated and of the untreated, as functions of the
#: propensity e (eta is the logistic model's linear predictor, d e / d eta = e (1 - e)).
_WEIGHT_DERIVATIVES = {
    "ATE": (lambda e: -(1 - e) / e, lambda e: e / (1 - e)),  # 1/e, 1/(1-e)
    "ATT": (lambda e: np.zeros_like(e), lambda e: e / (1 - e)),  # 1, e/(1-e)
    "ATC": (lambda e: -(1 - e) / e, lambda e: np.zeros_like(e)),  # (1-e)/e, 1
    "ATO": (lambda e: -e * (1 - e), lambda e: e * (1 - e)),  # 1-e, e
}


def ipw_m_estimation_se(
    y: np.ndarray, t: np.ndarray, ps: np.ndarray, design: np.ndarray, w: np.ndarray, *, target: str = "ATE", keep: np.ndarray | None = None
) -> tuple[float, float]:
    """The Hájek IPW contrast and its M-estimation (sandwich) SE, accounting for the estimated logistic propensity.

    The estimating equations are stacked (Lunceford & Davidian 2004, section
    3.2): the logistic score ``(t - e) x̃`` of the propensity model, with
    ``x̃ = [1, design]``, and the weighted means of each arm
    ``t w1 (y - μ1)`` and ``(1 - t) w0 (y - μ0)``. The influence function of
    ``μ1 - μ0`` is that of the two means plus the correction
    ``(A1 - A0)' I⁻¹ (t - e) x̃`` for the estimated coefficients, where ``I``
    is the logistic model's information and ``A`` the derivative of each
    arm's equation in the coefficients. Estimating the propensity makes the
    ATE's SE smaller than treating the weights as known.

    Parameters
    ----------
    y, t, ps : arrays
        Outcome, 0/1 treatment and fitted propensity of every unit (the units the propensity model was fit on).
    design : array
        The propensity model's covariates (no intercept column), fit by maximum likelihood.
    w : array
        The weight of each unit (any constant per arm, e.g. stabilisation, cancels in the Hájek means).
    target : str
        ``ATE``, ``ATT``, ``ATC`` or ``ATO``: how the weights depend on the propensity.
    keep : bool array, optional
        The units kept in the means (trimming); the propensity's score uses every unit.

    Returns
    -------
    (float, float)
        The contrast and its SE.

    References
    ----------
    Lunceford, J. K. and Davidian, M. (2004). Stratification and weighting via the propensity score in
    estimation of causal treatment effects: a comparative study. *Statistics in Medicine* 23(19), 2937-2960.

    Examples
    --------
    >>> rng = np.random.default_rng(0); n = 4000; z = rng.normal(size=n)
    >>> e = 1 / (1 + np.exp(-z)); t = (rng.random(n) < e).astype(float); y = t + 2 * z + rng.normal(size=n)
    >>> from dagcore.estimators._nuisance import LogisticMLE
    >>> ps = LogisticMLE().fit(z[:, None], t).predict_proba(z[:, None])[:, 1]
    >>> w = np.where(t == 1, 1 / ps, 1 / (1 - ps))
    >>> value, se = ipw_m_estimation_se(y, t, ps, z[:, None], w)
    >>> known = weighted_regression_sandwich(y, t, w)[1]
    >>> round(value, 1), bool(se < known)
    (1.0, True)
    """
    n = len(t)
    keep = np.ones(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    code = target.split(" ", 1)[0]
    d1, d0 = _WEIGHT_DERIVATIVES.get(code, _WEIGHT_DERIVATIVES["ATE"])
    treated, control = (t == 1) & keep, (t == 0) & keep
    w1, w0 = np.where(treated, w, 0.0), np.where(control, w, 0.0)
    mu1, mu0 = w1 @ y / w1.sum(), w0 @ y / w0.sum()
    # scale of each arm's weights: d w / d eta = w * (d log w / d eta); the table is for the unscaled weights
    base1 = np.where(treated, _unscaled(code, ps, 1), 1.0)
    base0 = np.where(control, _unscaled(code, ps, 0), 1.0)
    c1 = np.divide(w1, base1, out=np.zeros(n), where=treated)
    c0 = np.divide(w0, base0, out=np.zeros(n), where=control)
    psi1 = w1 * (y - mu1)
    psi0 = w0 * (y - mu0)
    X = np.column_stack([np.ones(n), design])
    a1 = X.T @ np.where(treated, c1 * d1(ps) * (y - mu1), 0.0) / n
    a0 = X.T @ np.where(control, c0 * d0(ps) * (y - mu0), 0.0) / n
    info = (X * (ps * (1 - ps))[:, None]).T @ X / n
    score = X * (t - ps)[:, None]
    correction = score @ np.linalg.lstsq(info, a1 / (w1.sum() / n) - a0 / (w0.sum() / n), rcond=None)[0]
    influence = psi1 / (w1.sum() / n) - psi0 / (w0.sum() / n) + correction
    return float(mu1 - mu0), float(np.sqrt(np.sum(influence**2)) / n)


def _unscaled(code: str, ps: np.ndarray, arm: int) -> np.ndarray:
    """The target's weight of an arm as a function of the propensity (the table's ``w``), before any per-arm constant."""
    if code == "ATT":
        return np.ones_like(ps) if arm == 1 else ps / (1 - ps)
    if code == "ATC":
        return (1 - ps) / ps if arm == 1 else np.ones_like(ps)
    if code == "ATO":
        return 1 - ps if arm == 1 else ps
    return 1 / ps if arm == 1 else 1 / (1 - ps)


class IPW(PropensityFormula):
    """Inverse probability weighting with Hájek (normalised) weights.

    Parameters
    ----------
    target : {"ATE", "ATT", "ATC", "ATO"}
        The population averaged over (:mod:`dagcore.estimators.targets`):
        weights ``1 / e`` and ``1 / (1 - e)`` for the ATE; for the ATT the
        treated weigh 1 and the controls their odds ``e / (1 - e)``; for the
        ATC the treated weigh ``(1 - e) / e`` and the controls 1; for the ATO
        (overlap weights, Li, Morgan & Zaslavsky 2018) ``1 - e`` and ``e``.
    stabilized : bool
        Stabilised weights ``P(T = t) / P(T = t | Z)`` (same point estimate: the weights are normalised within each arm).
    trim : float, optional
        Drop units with propensity outside ``[trim, 1 - trim]`` (the estimand then changes: reported).
    variance : {"m_estimation", "weights_known"}
        ``"m_estimation"`` (default): the sandwich of the stacked estimating
        equations, which accounts for the estimated propensity
        (:func:`ipw_m_estimation_se`, Lunceford & Davidian 2004);
        ``"weights_known"``: the HC0 sandwich of the weighted regression of
        the outcome on the treatment, the GEE robust SE of Hernán & Robins
        (2020, ch. 12), which treats the weights as known and is conservative
        for the ATE.
    propensity_formula, propensity_model, allow_extra_variables :
        The propensity model, see :class:`~dagcore.estimators.base.PropensityFormula`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Notes
    -----
    The M-estimation SE needs the propensity's score equations, so it applies
    to the default logistic model and to ``propensity_formula``; with a
    user's ``propensity_model`` the SE treats the weights as known, and
    ``inference`` says so. Monte Carlo coverage of both is in
    ``benchmarks/README.md``.

    Examples
    --------
    A binary treatment confounded by ``z``, with a constant effect of 1.5:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(1); z = rng.normal(size=2000)
    >>> t = (rng.random(2000) < 1 / (1 + np.exp(-z))).astype(float)
    >>> df = pd.DataFrame({"z": z, "t": t, "y": 1.5 * t + z + rng.normal(size=2000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> round(IPW().fit(df, e).estimate_.value, 1)
    1.5
    """

    name = "ipw"
    strategies = ("backdoor", "randomized")

    target: str = "ATE"
    stabilized: bool = False
    trim: float | None = None
    variance: str = "m_estimation"

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        target = check_target(self.target, ("ATE", "ATT", "ATC", "ATO"), "ipw")
        if self.variance not in ("m_estimation", "weights_known"):
            raise EstimatorError(f"variance must be 'm_estimation' or 'weights_known', got {self.variance!r}")
        prep, t, y, covs = self._propensity_inputs(data, estimand, estimator="IPW")
        df = prep.data
        X = design_frame(df, covs) if covs else pd.DataFrame(index=df.index)
        fit = propensity_fit(df, estimand.treatment[0], covs, formula=self.propensity_formula, model=self.propensity_model,
                             design=X.to_numpy(dtype=float))
        ps = fit.scores
        t_all, y_all, ps_all = t, y, ps  # the M-estimation SE stacks the propensity's score over every unit
        overlap = assess_overlap(ps, t)
        notes = list(prep.notes)
        keep = np.ones(len(t), dtype=bool)
        if self.trim is not None:
            if not 0 < self.trim < 0.5:
                raise EstimatorError(f"trim must be between 0 and 0.5, got {self.trim}")
            keep = (ps >= self.trim) & (ps <= 1 - self.trim)
            notes.append(f"trimmed {int((~keep).sum())} units with propensity outside [{self.trim}, {1 - self.trim}]: the estimate is for the remaining population")
        t, y, ps = t[keep], y[keep], ps[keep]
        if t.min() == t.max():
            raise EstimatorError("after trimming only one treatment group is left")
        w = balancing_weights(t, ps, target)
        if self.stabilized:
            p1 = t.mean()
            w = w * np.where(t == 1, p1, 1 - p1)
        value, se = weighted_regression_sandwich(y, t, w)
        inference = "sandwich (HC0) SE of the weighted regression = GEE robust SE (weights treated as known)"
        if self.variance == "m_estimation" and fit.design is not None:
            w_all = np.zeros(len(keep))
            w_all[keep] = w
            se = ipw_m_estimation_se(y_all, t_all, ps_all, fit.design, w_all, target=target, keep=keep)[1]
            inference = "M-estimation sandwich SE, accounting for the estimated propensity (Lunceford & Davidian 2004)"
        elif self.variance == "m_estimation":
            inference += "; the user's propensity_model has no score equations to stack"
        X = X.loc[keep]
        diagnostics = {
            "propensity_overlap": overlap,
            "smd_before": standardized_mean_differences(X, t) if covs else {},
            "smd_after": standardized_mean_differences(X, t, w) if covs else {},
            "effective_sample_size": {"treated": effective_sample_size(w[t == 1]), "control": effective_sample_size(w[t == 0])},
            "max_weight": float(w.max()),
        }
        return self._result(
            estimand, value, se, int(keep.sum()),
            inference=inference,
            target=target,
            diagnostics=diagnostics, notes=notes,
        )
