"""Outcome regression and standardization (the parametric g-formula)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators._data import check_binary, check_formula, design_matrix, formula_variables, prepare
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped, OutcomeFormula
from dagcore.estimators.result import Estimate

__all__ = ["OutcomeRegression", "Standardization", "default_formula"]


def default_formula(outcome: str, terms: list[str], data: pd.DataFrame) -> str:
    """``outcome ~ t1 + t2 ...`` with non-numeric columns wrapped in ``C()``.

    Examples
    --------
    >>> default_formula("y", ["t", "z"], pd.DataFrame({"y": [1.0], "t": [1], "z": ["a"]}))
    'y ~ t + C(z)'
    """
    parts = [t if pd.api.types.is_numeric_dtype(data[t]) else f"C({t})" for t in terms]
    return f"{outcome} ~ " + (" + ".join(parts) if parts else "1")


def _check_formula(formula: str, data: pd.DataFrame, allowed: set[str], lhs: str, allow_extra: bool) -> None:
    check_formula(formula, data, lhs=lhs, allowed=allowed, never={lhs: "the outcome"}, allow_extra=allow_extra)


def _ols(formula: str, data: pd.DataFrame, cov_type: str) -> Any:
    import statsmodels.formula.api as smf

    try:
        model = smf.ols(formula, data)
        return model.fit(cov_type=cov_type) if cov_type != "nonrobust" else model.fit()
    except Exception as err:  # statsmodels/patsy raise many kinds
        raise DataError(f"could not fit {formula!r}: {err}") from None


class OutcomeRegression(OutcomeFormula):
    """Linear regression of the outcome on the treatment and the adjustment set; the effect is the treatment coefficient.

    Parameters
    ----------
    cov_type : str
        ``"HC1"`` (robust, default), ``"HC0"``..``"HC3"``, or ``"nonrobust"`` (classical OLS).
    formula, allow_extra_variables :
        The regression, see :class:`~dagcore.estimators.base.OutcomeFormula`;
        the effect is the coefficient of the treatment's main term.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    A continuous treatment; the effect is the slope of ``t``:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(0); z = rng.normal(size=500); t = z + rng.normal(size=500)
    >>> df = pd.DataFrame({"z": z, "t": t, "y": 2 * t + z + rng.normal(size=500)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> est = OutcomeRegression().fit(df, e).estimate_
    >>> round(est.value, 1), est.inference
    (2.0, 'OLS, HC1 robust standard errors')
    """

    name = "regression"
    strategies = ("backdoor", "randomized")

    cov_type: str = "HC1"

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t, y = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        extra = sorted(formula_variables(self.formula, data) - {t, y, *covs}) if self.formula else []
        prep = prepare(data, t, y, covs, extra=extra, dropna=self.dropna)
        formula = self.formula or default_formula(y, [t, *covs], prep.data)
        if self.formula:  # the default formula is built from the adjustment set
            _check_formula(formula, prep.data, {t, *covs}, y, self.allow_extra_variables)
        binary = set(np.unique(prep.data[t].to_numpy(dtype=float)).tolist()) <= {0.0, 1.0}
        notes = list(prep.notes)
        interactions: list[str] = []
        if self.formula is None and self.cov_type in _ARRAY_COV_TYPES:
            # the default linear model: numpy least squares and the sandwich, no formula machinery
            A = np.column_stack([np.ones(len(prep.data)), prep.data[t].to_numpy(dtype=float), design_matrix(prep.data, covs)])
            value, se, r2 = _ols_arrays(A, prep.data[y].to_numpy(dtype=float), self.cov_type)
        else:
            fit = _ols(formula, prep.data, self.cov_type)
            if t not in fit.params.index:
                raise EstimatorError(f"the formula {formula!r} has no main term for the treatment {t!r}")
            # statsmodels names an interaction term "t:z" (or "z:t", "t:C(g)[T.b]"): match the factor, not a substring
            interactions = [p for p in fit.params.index if ":" in p and t in p.split(":")]
            if interactions:
                notes.append(f"the formula interacts {t} with other terms; the {t} coefficient is the effect where they are 0 (use Standardization for the average effect)")
            value, se, r2 = float(fit.params[t]), float(fit.bse[t]), float(fit.rsquared)
        return self._result(
            estimand, value, se, len(prep.data),
            inference=f"OLS, {'classical' if self.cov_type == 'nonrobust' else self.cov_type + ' robust'} standard errors",
            target=_coefficient_target(binary, t, interactions),
            diagnostics={"formula": formula, "r_squared": r2},
            notes=notes,
        )


def _coefficient_target(binary: bool, treatment: str, interactions: list[str]) -> str:
    """What the treatment coefficient estimates: the ATE, unless the formula interacts the treatment."""
    if interactions:
        return f"CATE where the terms interacting with {treatment} ({', '.join(interactions)}) are 0"
    return "ATE" if binary else "ATE per unit of treatment"


_ARRAY_COV_TYPES = ("HC0", "HC1", "nonrobust")


def _ols_arrays(A: np.ndarray, y: np.ndarray, cov_type: str) -> tuple[float, float, float]:
    """Coefficient of column 1 of ``A``, its SE (classical, HC0 or HC1) and R², as statsmodels' OLS gives them."""
    n, p = A.shape
    beta, _, rank, _ = np.linalg.lstsq(A, y, rcond=None)
    if rank < p:
        raise DataError("the treatment and covariates are collinear (the design matrix is rank-deficient); drop redundant covariates")
    resid = y - A @ beta
    bread = np.linalg.inv(A.T @ A)
    if cov_type == "nonrobust":
        var = float(resid @ resid) / (n - p) * bread[1, 1]
    else:
        row = bread[1] @ A.T  # the treatment row of (A'A)^-1 A', length n
        var = float(np.sum((row * resid) ** 2))
        if cov_type == "HC1":
            var *= n / (n - p)
    centered = y - y.mean()
    r2 = 1.0 - float(resid @ resid) / float(centered @ centered)
    return float(beta[1]), float(np.sqrt(var)), r2


def _delta_se(X: np.ndarray, X1: np.ndarray, X0: np.ndarray, yv: np.ndarray) -> float:
    """SE of ``mean((X1 - X0) @ beta)`` with ``beta`` the OLS fit on the rows where ``yv`` is observed."""
    fit = np.isfinite(yv)
    Xf, yf = X[fit], yv[fit]
    beta = np.linalg.lstsq(Xf, yf, rcond=None)[0]
    contrast = (X1 - X0) @ beta
    d = (X1 - X0).mean(axis=0)
    bread = np.linalg.pinv(Xf.T @ Xf)
    score = Xf * (yf - Xf @ beta)[:, None]
    cov_beta = bread @ (score.T @ score) @ bread
    var_average = contrast.var(ddof=1) / len(contrast)
    return float(np.sqrt(var_average + d @ cov_beta @ d))


class Standardization(OutcomeFormula, Bootstrapped):
    """The parametric g-formula: fit an outcome model, predict everyone under treatment and under control, average.

    Parameters
    ----------
    population : {"observed", "all"}
        Average over the rows used to fit (default), or over every row with
        complete treatment and covariates, including rows whose outcome is
        missing (Hernán & Robins' choice for NHEFS).
    outcome_model : {"ols", "logit"}
        ``"logit"`` for a binary outcome; then ``effect_measure`` picks RD, RR or OR.
    effect_measure : {"RD", "RR", "OR"}
    inference : {"bootstrap", "delta"}
        ``"delta"`` (OLS outcome model, risk difference only): the
        influence-function / delta-method SE, the sum of the sampling variance
        of the average over the population and the HC0 sandwich variance of
        the regression coefficients projected on the average contrast; a Wald
        CI. Instant where the bootstrap refits the model B times.
    formula, allow_extra_variables :
        The outcome model, see :class:`~dagcore.estimators.base.OutcomeFormula`;
        treatment interactions are allowed (``"y ~ t * z"``).
    n_bootstrap, n_jobs, random_state :
        The bootstrap (``inference="bootstrap"``), see
        :class:`~dagcore.estimators.base.Bootstrapped`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`
    """

    name = "standardization"
    strategies = ("backdoor", "randomized")

    population: str = "observed"
    outcome_model: str = "ols"
    effect_measure: str = "RD"
    inference: str = "bootstrap"

    def _designs(self, pop: pd.DataFrame, formula: str, t: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The model matrix of ``pop`` and of ``pop`` with everyone treated / untreated (built once)."""
        import patsy

        rhs = formula.split("~", 1)[1]
        try:
            X = patsy.dmatrix(rhs, pop, NA_action="raise")
            X1, X0 = patsy.build_design_matrices([X.design_info], pop.assign(**{t: 1})), patsy.build_design_matrices([X.design_info], pop.assign(**{t: 0}))
        except Exception as err:
            raise DataError(f"could not build the model matrix of {formula!r}: {err}") from None
        return np.asarray(X), np.asarray(X1[0]), np.asarray(X0[0])

    def _point(self, X: np.ndarray, X1: np.ndarray, X0: np.ndarray, yv: np.ndarray, rows: np.ndarray) -> float:
        """The standardized contrast from the rows ``rows`` of the population (fit where the outcome is observed)."""
        fit_rows = rows[np.isfinite(yv[rows])]
        if self.outcome_model == "logit":
            import statsmodels.api as sm

            try:
                params = sm.GLM(yv[fit_rows], X[fit_rows], family=sm.families.Binomial()).fit().params
            except Exception as err:
                raise DataError(f"could not fit the logistic outcome model: {err}") from None
            p1 = float((1 / (1 + np.exp(-(X1[rows] @ params)))).mean())
            p0 = float((1 / (1 + np.exp(-(X0[rows] @ params)))).mean())
        else:
            beta = np.linalg.lstsq(X[fit_rows], yv[fit_rows], rcond=None)[0]
            p1 = float((X1[rows] @ beta).mean())
            p0 = float((X0[rows] @ beta).mean())
        if self.effect_measure == "RR":
            return float(np.log(p1 / p0))
        if self.effect_measure == "OR":
            return float(np.log(p1 / (1 - p1)) - np.log(p0 / (1 - p0)))
        return float(p1 - p0)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        if self.population not in ("observed", "all"):
            raise EstimatorError(f"population must be 'observed' or 'all', got {self.population!r}")
        if self.effect_measure not in ("RD", "RR", "OR") or self.outcome_model not in ("ols", "logit"):
            raise EstimatorError("outcome_model must be 'ols' or 'logit' and effect_measure 'RD', 'RR' or 'OR'")
        if self.effect_measure != "RD" and self.outcome_model != "logit":
            raise EstimatorError("risk and odds ratios need outcome_model='logit'")
        t, y = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        extra = sorted(formula_variables(self.formula, data) - {t, y, *covs}) if self.formula else []
        prep = prepare(data, t, y, covs, extra=extra, dropna=self.dropna or self.population == "all", keep_missing_outcome=self.population == "all")
        check_binary(prep.data, t, estimator="standardization")
        if self.outcome_model == "logit":
            check_binary(prep.data, y, role="outcome", estimator="a logistic outcome model")
        formula = self.formula or default_formula(y, [t, *covs], prep.data)
        if self.formula:  # the default formula is built from the adjustment set
            _check_formula(formula, prep.data, {t, *covs}, y, self.allow_extra_variables)
        if self.inference not in ("bootstrap", "delta"):
            raise EstimatorError(f"inference must be 'bootstrap' or 'delta', got {self.inference!r}")
        if self.inference == "delta" and (self.outcome_model != "ols" or self.effect_measure != "RD"):
            raise EstimatorError("inference='delta' is available for the OLS outcome model (risk difference); use the bootstrap otherwise")
        pop = prep.full if self.population == "all" and prep.full is not None else prep.data
        n_used, notes = len(prep.data), prep.notes
        if self.population == "all":
            n_used, notes = len(pop), _population_notes(len(data), len(pop), len(prep.data), y)
        X, X1, X0 = self._designs(pop, formula, t)
        yv = pop[y].to_numpy(dtype=float)
        value = self._point(X, X1, X0, yv, np.arange(len(pop)))
        if self.inference == "delta":
            se = _delta_se(X, X1, X0, yv)
            return self._result(
                estimand, value, se, n_used,
                inference="delta method: influence function of the average contrast plus the HC0 sandwich of the regression, Wald CI",
                diagnostics={"formula": formula, "population_rows": int(len(pop)), "model_rows": int(len(prep.data))}, notes=notes,
            )
        reps = bootstrap(lambda rows: self._point(X, X1, X0, yv, rows), len(pop), self.n_bootstrap, random_state=self.random_state, n_jobs=self.n_jobs)
        se, ci = bootstrap_interval(reps, self.level)
        target = {"RD": "ATE", "RR": "RR", "OR": "OR"}[self.effect_measure]
        if target != "ATE":
            value_out, ci = float(np.exp(value)), (float(np.exp(ci[0])), float(np.exp(ci[1])))
            se_note = " (SE on the log scale)"
        else:
            value_out, se_note = value, ""
        return self._result(
            estimand, value_out, se, n_used,
            inference=f"nonparametric bootstrap, B={self.n_bootstrap}, percentile CI{se_note}",
            target=target, ci=ci,
            diagnostics={"formula": formula, "population_rows": int(len(pop)), "model_rows": int(len(prep.data))},
            notes=notes,
        )


def _population_notes(rows: int, population: int, fitted: int, outcome: str) -> list[str]:
    """What ``population="all"`` did with the rows: averaged over, fit on, dropped (the estimate's ``n`` is the population).

    Examples
    --------
    >>> _population_notes(1629, 1629, 1566, "wt82_71")
    ['the outcome model is fit on the 1566 rows with wt82_71 observed; the average is over all 1629 rows with complete treatment and covariates (63 without wt82_71 included)']
    """
    notes = [
        f"the outcome model is fit on the {fitted} rows with {outcome} observed; the average is over all {population} rows "
        f"with complete treatment and covariates ({population - fitted} without {outcome} included)"
    ]
    if rows > population:
        notes.append(f"dropped {rows - population} rows with missing treatment or covariates")
    return notes
