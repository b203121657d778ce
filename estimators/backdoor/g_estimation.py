"""G-estimation of a linear structural nested mean model (Hernán & Robins, *What If*, chapter 14), in closed form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from dagcore.errors import DataError, EstimatorError, SeparationError
from dagcore.estimators._data import check_binary, check_propensity_formula, design_matrix, formula_design, prepare
from dagcore.estimators._nuisance import separation_message
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped, FormulaChecked
from dagcore.estimators.result import Estimate

__all__ = ["GEstimation"]

#: What psi of the linear SNMM without effect modifiers estimates.
SNMM_TARGET = "ATO (psi of the linear SNMM E[Y(a) - Y(0) | A = a, L] = psi a: overlap-weighted, the ATE if the effect does not vary with L)"


def _weighted_logit(X: np.ndarray, y: np.ndarray, w: np.ndarray, what: str) -> np.ndarray:
    """Coefficients of the logistic regression of ``y`` on ``X`` (intercept included) with prior weights ``w``: statsmodels' GLM."""
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.asarray(sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=w).fit().params, dtype=float)
    except (PerfectSeparationError, PerfectSeparationWarning):
        raise SeparationError(separation_message(what)) from None
    except (np.linalg.LinAlgError, ValueError) as err:
        raise DataError(f"could not fit the logistic model of {what}: {err}") from None


@dataclass
class _Fit:
    """One closed-form g-estimate and what its sandwich needs."""

    psi: float
    gamma: np.ndarray | None  # censoring model coefficients
    alpha: np.ndarray  # propensity model coefficients


class GEstimation(FormulaChecked, Bootstrapped):
    r"""G-estimation of the linear structural nested mean model, in closed form (Hernán & Robins 2020, ch. 14).

    The model is :math:`E[Y(a) - Y(0) \mid A = a, L] = \psi a` for a binary
    treatment ``A`` and the adjustment set ``L``. With the propensity
    :math:`\pi(L) = P(A = 1 \mid L)` from a logistic model, :math:`\psi` is the
    value that makes :math:`H(\psi) = Y - \psi A` uncorrelated with ``A`` given
    ``L``; for this linear model the estimating equation
    :math:`\sum_i W_i (A_i - \hat\pi_i)(Y_i - \psi A_i) = 0` has the closed form

    .. math:: \hat\psi = \frac{\sum_i W_i (A_i - \hat\pi_i) Y_i}{\sum_i W_i (A_i - \hat\pi_i) A_i},

    the book's Program 14.3. ``W`` are the inverse probability of censoring
    weights when ``censoring_weights=True`` (rows whose outcome is missing are
    censored; :math:`1 / P(C = 0 \mid A, L)` from a logistic model of being
    uncensored on the treatment and the propensity model's terms; the
    propensity model is then fit on the uncensored with those weights, as in
    the book), else 1.

    When the effect varies with ``L``, :math:`\hat\psi` estimates the overlap
    weighted average :math:`E[\pi(1 - \pi)\tau(L)] / E[\pi(1 - \pi)]` (the
    ATO of Li, Morgan & Zaslavsky 2018), which is how the estimate is labelled.

    Parameters
    ----------
    propensity_formula : str, optional
        The logistic propensity model, e.g. ``"qsmk ~ C(sex) + age + I(age**2)"``;
        by default the treatment on every adjustment variable, linearly.
        Checked against the adjustment set (:class:`~dagcore.estimators.base.FormulaChecked`).
    censoring_weights : bool
        Weight the uncensored by the inverse of their probability of being
        uncensored (rows with a missing outcome are the censored); False:
        a missing outcome is an error unless ``dropna``.
    inference : {"sandwich", "bootstrap"}
        ``"sandwich"``: the M-estimation sandwich of the stacked estimating
        equations (the censoring model, the propensity model and psi), so the
        estimation of the weights and of the propensity is accounted for; Wald
        CI. ``"bootstrap"``: the nonparametric bootstrap (refitting every model),
        percentile CI.
    allow_extra_variables : see :class:`~dagcore.estimators.base.FormulaChecked`
    n_bootstrap, n_jobs, random_state : the bootstrap, see :class:`~dagcore.estimators.base.Bootstrapped`
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    References
    ----------
    Hernán, M. A. and Robins, J. M. (2020). *Causal Inference: What If*,
    chapter 14. Boca Raton: Chapman & Hall/CRC.

    Robins, J. M., Mark, S. D. and Newey, W. K. (1992). Estimating exposure
    effects by modelling the expectation of exposure conditional on confounders.
    *Biometrics* 48(2), 479-495.

    Examples
    --------
    A constant effect of 2, confounded by ``z``:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(0); z = rng.normal(size=3000); a = rng.binomial(1, 1 / (1 + np.exp(-z)))
    >>> df = pd.DataFrame({"z": z, "a": a, "y": 2 * a + z + rng.normal(size=3000)})
    >>> e = Estimand(treatment=("a",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> est = GEstimation().fit(df, e).estimate_
    >>> bool(est.ci[0] < 2 < est.ci[1]), est.target.split()[0]
    (True, 'ATO')
    """

    name = "g_estimation"
    strategies = ("backdoor", "randomized")

    propensity_formula: str | None = None
    censoring_weights: bool = False
    inference: str = "sandwich"

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        if self.inference not in ("sandwich", "bootstrap"):
            raise EstimatorError(f"inference must be 'sandwich' or 'bootstrap', got {self.inference!r}")
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        extra = check_propensity_formula(self.propensity_formula, data, t_name, covs, outcome=y_name, allow_extra=self.allow_extra_variables)
        censored_rows = bool(self.censoring_weights)
        prep = prepare(data, t_name, y_name, covs, extra=extra, dropna=self.dropna or censored_rows, keep_missing_outcome=censored_rows)
        pop = prep.full if censored_rows and prep.full is not None else prep.data
        a = check_binary(pop, t_name, estimator="g-estimation")
        y = pop[y_name].to_numpy(dtype=float)
        r = np.isfinite(y).astype(float)  # 1: uncensored
        if self.propensity_formula:
            L = formula_design(self.propensity_formula, pop)[0]
        else:
            L = design_matrix(pop, covs)
        P = np.column_stack([np.ones(len(pop)), L])
        G = np.column_stack([np.ones(len(pop)), a, L]) if censored_rows else None
        n_censored = int(len(pop) - r.sum())
        if censored_rows and n_censored == 0:
            self._warn("censoring_weights=True but no outcome is missing: every weight is 1")
        fit = self._point(P, G, a, y, r, np.arange(len(pop)))
        notes = list(prep.notes)
        if censored_rows:
            notes = [n for n in notes if not n.startswith("dropped")]
            notes.append(f"{n_censored} rows with a missing {y_name} are censored, weighted for by 1 / P(uncensored | {t_name}, L)")
        diagnostics: dict[str, Any] = {"n_censored": n_censored, "propensity_terms": int(L.shape[1])}
        if self.inference == "sandwich":
            se = self._sandwich_se(P, G, a, y, r, fit)
            inference = "M-estimation sandwich of the stacked estimating equations (" + (
                "censoring model, " if censored_rows else "") + "propensity model, psi); Wald CI"
            ci = None
        else:
            reps = bootstrap(lambda rows: self._point(P, G, a, y, r, rows).psi, len(pop), self.n_bootstrap,
                             random_state=self.random_state, n_jobs=self.n_jobs)
            se, ci = bootstrap_interval(reps, self.level)
            inference = f"nonparametric bootstrap, B={self.n_bootstrap} (every model refit), percentile CI"
        return self._result(
            estimand, fit.psi, se, int(r.sum()), inference=inference, target=SNMM_TARGET, ci=ci,
            diagnostics=diagnostics, notes=notes,
        )

    def _point(self, P: np.ndarray, G: np.ndarray | None, a: np.ndarray, y: np.ndarray, r: np.ndarray, rows: np.ndarray) -> _Fit:
        """The closed-form psi on the rows ``rows`` (with repeats: a bootstrap resample)."""
        P, a, y, r = P[rows], a[rows], y[rows], r[rows]
        gamma = None
        w = r.copy()
        if G is not None:
            gamma = _weighted_logit(G[rows], r, np.ones(len(rows)), "being uncensored")
            w = r / expit(G[rows] @ gamma)
        obs = r == 1
        alpha = _weighted_logit(P[obs], a[obs], w[obs], "the treatment")
        pi = expit(P @ alpha)
        yz = np.where(obs, y, 0.0)
        denominator = float(np.sum(w * (a - pi) * a))
        if not abs(denominator) > 1e-12:
            raise EstimatorError("g-estimation: the treatment is predicted exactly by the propensity model (no residual variation)")
        return _Fit(float(np.sum(w * (a - pi) * yz) / denominator), gamma, alpha)

    def _sandwich_se(self, P: np.ndarray, G: np.ndarray | None, a: np.ndarray, y: np.ndarray, r: np.ndarray, fit: _Fit) -> float:
        """SE of psi from the stacked estimating equations U = (censoring score, propensity score, psi's equation).

        ``J^{-1} B J^{-T} / n`` with ``B`` the mean outer product of the
        per-row estimating functions and ``J`` the mean of their (analytic)
        derivatives.
        """
        n = len(a)
        yz = np.where(r == 1, y, 0.0)
        pi = expit(P @ fit.alpha)
        if G is not None and fit.gamma is not None:
            pc = expit(G @ fit.gamma)
            w = r / pc
        else:
            pc, w = np.ones(n), r
        h = yz - fit.psi * a
        u_ps = P * (w * (a - pi))[:, None]
        u_psi = (w * (a - pi) * h)[:, None]
        kp = P.shape[1]
        blocks = [u_ps, u_psi]
        if G is not None:
            kc = G.shape[1]
            u_c = G * (r - pc)[:, None]
            blocks.insert(0, u_c)
        U = np.column_stack(blocks)
        k = U.shape[1]
        J = np.zeros((k, k))
        o = 0
        if G is not None:
            J[:kc, :kc] = -(G * (pc * (1 - pc))[:, None]).T @ G / n
            # d w / d gamma = -w (1 - pc) G
            dw = -(w * (1 - pc))
            J[kc : kc + kp, :kc] = (P * (dw * (a - pi))[:, None]).T @ G / n
            J[-1, :kc] = (dw * (a - pi) * h) @ G / n
            o = kc
        J[o : o + kp, o : o + kp] = -(P * (w * pi * (1 - pi))[:, None]).T @ P / n
        J[-1, o : o + kp] = -(w * pi * (1 - pi) * h) @ P / n
        J[-1, -1] = -float(np.sum(w * (a - pi) * a)) / n
        B = U.T @ U / n
        try:
            Jinv = np.linalg.inv(J)
        except np.linalg.LinAlgError:
            raise EstimatorError("g-estimation: the sandwich's derivative matrix is singular (collinear propensity terms); use inference='bootstrap'") from None
        cov = Jinv @ B @ Jinv.T / n
        return float(np.sqrt(cov[-1, -1]))
