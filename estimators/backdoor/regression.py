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
from dagcore.estimators.targets import TARGET_POPULATIONS, check_target, treatment_kind

__all__ = ["OutcomeRegression", "Standardization", "default_formula", "interacted_formula"]


def default_formula(outcome: str, terms: list[str], data: pd.DataFrame) -> str:
    """``outcome ~ t1 + t2 ...`` with non-numeric columns wrapped in ``C()``.

    Examples
    --------
    >>> default_formula("y", ["t", "z"], pd.DataFrame({"y": [1.0], "t": [1], "z": ["a"]}))
    'y ~ t + C(z)'
    """
    parts = [t if pd.api.types.is_numeric_dtype(data[t]) else f"C({t})" for t in terms]
    return f"{outcome} ~ " + (" + ".join(parts) if parts else "1")


def interacted_formula(outcome: str, treatment: str, covariates: list[str], data: pd.DataFrame) -> str:
    """``outcome ~ treatment * (z1 + z2 ...)``: a linear outcome model per treatment arm (the g-formula's default).

    Examples
    --------
    >>> interacted_formula("y", "t", ["z", "g"], pd.DataFrame({"y": [1.0], "t": [1], "z": [0.5], "g": ["a"]}))
    'y ~ t * (z + C(g))'
    """
    if not covariates:
        return default_formula(outcome, [treatment], data)
    rhs = default_formula(outcome, list(covariates), data).split("~", 1)[1].strip()
    return f"{outcome} ~ {treatment} * ({rhs})"


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

    On a binary (0/1) treatment the default model interacts the treatment
    with every adjustment variable, centred at its mean in the target
    population, so the treatment coefficient is the g-formula estimate of
    the target (the ATE by default: the average of the two arms' linear
    predictions, Lin 2013), not the variance-weighted average that a model
    without interactions estimates when the effect varies.

    Parameters
    ----------
    cov_type : str
        ``"HC1"`` (robust, default), ``"HC0"``..``"HC3"``, or ``"nonrobust"`` (classical OLS).
    target : {"ATE", "ATT", "ATC"}
        The population of the default interacted model on a binary treatment
        (the covariates are centred at its means). With a ``formula`` the
        coefficient is reported for what it is: the ATE of a model with no
        treatment interaction is labelled ``WATE`` (a variance-weighted average
        of the conditional effects, the ATE only when the effect is constant);
        use :class:`Standardization` for a target under a formula.
    treatment_interactions : bool
        The default model's treatment × covariate interactions on a binary
        treatment (True); False fits the additive ``y ~ t + covariates``,
        whose coefficient is labelled ``WATE``.
    treatment_type : {"auto", "continuous"}
        ``"auto"``: binary (0/1) or continuous, and a numeric treatment with 3
        to 10 values (multi-valued) is refused rather than silently treated as
        continuous; ``"continuous"`` estimates a linear effect per unit anyway.
    formula, allow_extra_variables :
        The regression, see :class:`~dagcore.estimators.base.OutcomeFormula`;
        the effect is the coefficient of the treatment's main term.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Notes
    -----
    SE of the interacted model: the robust (``cov_type``) variance of the
    treatment coefficient plus ``d' S d / n_target``, with ``d`` the
    interaction coefficients and ``S`` the covariance of the covariates in the
    target population (the sampling variance of the means they are centred
    at), as :class:`Standardization`'s delta method.

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

    A binary treatment whose effect is ``1 + z``: the interacted default
    model gives the ATE (1) or the ATT:

    >>> b = (rng.random(500) < 1 / (1 + np.exp(-z))).astype(float)
    >>> dfb = pd.DataFrame({"z": z, "t": b, "y": (1 + z) * b + z + rng.normal(size=500)})
    >>> ate = OutcomeRegression().fit(dfb, e).estimate_
    >>> ate.target, bool(ate.ci[0] < 1 < ate.ci[1])
    ('ATE', True)
    >>> OutcomeRegression(target="ATT").fit(dfb, e).estimate_.target
    'ATT'
    """

    name = "regression"
    strategies = ("backdoor", "randomized")

    cov_type: str = "HC1"
    target: str = "ATE"
    treatment_interactions: bool = True
    treatment_type: str = "auto"

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t, y = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        if self.treatment_type not in ("auto", "continuous"):
            raise EstimatorError(f"treatment_type must be 'auto' or 'continuous', got {self.treatment_type!r}")
        target = check_target(self.target, ("ATE", "ATT", "ATC"), "regression")
        extra = sorted(formula_variables(self.formula, data) - {t, y, *covs}) if self.formula else []
        prep = prepare(data, t, y, covs, extra=extra, dropna=self.dropna)
        formula = self.formula or default_formula(y, [t, *covs], prep.data)
        if self.formula:  # the default formula is built from the adjustment set
            _check_formula(formula, prep.data, {t, *covs}, y, self.allow_extra_variables)
        kind = treatment_kind(prep.data[t].to_numpy(dtype=float), t, estimator="regression",
                              declared_continuous=self.treatment_type == "continuous")
        binary = kind == "binary"
        interacted = binary and self.formula is None and bool(self.treatment_interactions)
        if target != "ATE" and not interacted:
            raise EstimatorError(
                f"regression: target={target!r} needs the default (interacted) model on a binary treatment; "
                "with a formula use Standardization(formula=..., target=...)"
            )
        notes = list(prep.notes)
        interactions: list[str] = []
        diagnostics: dict[str, Any] = {}
        if interacted and covs:
            tv = prep.data[t].to_numpy(dtype=float)
            X = design_matrix(prep.data, covs)
            value, se, r2 = _interacted_effect(X, tv, prep.data[y].to_numpy(dtype=float), target, self.cov_type)
            formula = f"{y} ~ {t} * (" + " + ".join(f"({c} - mean)" for c in covs) + f"), covariates centred in the {target} population"
            diagnostics["interacted"] = True
            label = target
        elif self.formula is None and self.cov_type in _ARRAY_COV_TYPES:
            # the default linear model: numpy least squares and the sandwich, no formula machinery
            A = np.column_stack([np.ones(len(prep.data)), prep.data[t].to_numpy(dtype=float), design_matrix(prep.data, covs)])
            value, se, r2 = _ols_arrays(A, prep.data[y].to_numpy(dtype=float), self.cov_type)
            label = _coefficient_target(binary, t, [], covariates=bool(covs))
        else:
            fit = _ols(formula, prep.data, self.cov_type)
            if t not in fit.params.index:
                raise EstimatorError(f"the formula {formula!r} has no main term for the treatment {t!r}")
            # statsmodels names an interaction term "t:z" (or "z:t", "t:C(g)[T.b]"): match the factor, not a substring
            interactions = [p for p in fit.params.index if ":" in p and t in p.split(":")]
            if interactions:
                notes.append(f"the formula interacts {t} with other terms; the {t} coefficient is the effect where they are 0 (use Standardization for the average effect)")
            value, se, r2 = float(fit.params[t]), float(fit.bse[t]), float(fit.rsquared)
            label = _coefficient_target(binary, t, interactions, covariates=bool(fit.params.size > 2))
        if kind != "binary":
            notes.append(f"{t} is treated as continuous: the effect is the slope of a linear model, per unit of {t}")
        diagnostics.update({"formula": formula, "r_squared": r2})
        return self._result(
            estimand, value, se, len(prep.data),
            inference=f"OLS, {'classical' if self.cov_type == 'nonrobust' else self.cov_type + ' robust'} standard errors"
            + (", plus the sampling variance of the covariate means" if diagnostics.get("interacted") else ""),
            target=label,
            diagnostics=diagnostics,
            notes=notes,
        )


def _coefficient_target(binary: bool, treatment: str, interactions: list[str], *, covariates: bool = False) -> str:
    """What the treatment coefficient estimates.

    With interactions, the effect where the interacting terms are 0; on a
    binary treatment without them, the ATE only when the effect is constant:
    otherwise the average of the conditional effects weighted by the
    conditional variance of the treatment (Angrist 1998), labelled WATE.
    """
    if interactions:
        return f"CATE where the terms interacting with {treatment} ({', '.join(interactions)}) are 0"
    if not binary:
        return "ATE per unit of treatment"
    if not covariates:
        return "ATE"
    return "WATE (a variance-weighted average of the conditional effects; the ATE only if the effect is constant: the model has no treatment interaction)"


def _interacted_effect(X: np.ndarray, t: np.ndarray, y: np.ndarray, target: str, cov_type: str) -> tuple[float, float, float]:
    """The g-formula effect of a binary treatment from ``y ~ t * (X - mean_target(X))``, its SE and R².

    The treatment coefficient of the interacted model with the covariates
    centred at their means over the target population (everyone, the
    treated, the controls) is the mean over that population of the two arms'
    predictions' difference. Its variance is the regression's (``cov_type``)
    plus ``d' S d / n_target``, the sampling variance of the centring means.
    """
    rows = {"ATE": np.ones(len(t), dtype=bool), "ATT": t == 1, "ATC": t == 0}[target]
    centre = X[rows].mean(axis=0)
    Xc = X - centre
    A = np.column_stack([np.ones(len(t)), t, Xc, Xc * t[:, None]])
    try:
        beta, cov, r2 = _ols_cov(A, y, cov_type)
    except DataError:
        raise DataError(
            "the covariates are collinear within a treatment arm (a category seen in one arm only, say), so the "
            "model with treatment interactions cannot be fit; coarsen the covariate, or pass treatment_interactions=False "
            "for the additive model (its coefficient is a variance-weighted average, labelled WATE)"
        ) from None
    k = X.shape[1]
    d = beta[2 + k :]
    S = np.atleast_2d(np.cov(X[rows], rowvar=False)) if rows.sum() > 1 else np.zeros((k, k))
    var = float(cov[1, 1] + d @ S @ d / rows.sum())
    return float(beta[1]), float(np.sqrt(var)), r2


def _ols_cov(A: np.ndarray, y: np.ndarray, cov_type: str) -> tuple[np.ndarray, np.ndarray, float]:
    """OLS coefficients, their covariance (classical, HC0..HC3, as statsmodels computes them) and R²."""
    n, p = A.shape
    beta, _, rank, _ = np.linalg.lstsq(A, y, rcond=None)
    if rank < p:
        raise DataError("the treatment and covariates are collinear (the design matrix is rank-deficient); drop redundant covariates")
    resid = y - A @ beta
    bread = np.linalg.inv(A.T @ A)
    if cov_type == "nonrobust":
        cov = float(resid @ resid) / (n - p) * bread
    else:
        if cov_type not in ("HC0", "HC1", "HC2", "HC3"):
            raise EstimatorError(f"cov_type must be 'nonrobust' or one of 'HC0'..'HC3', got {cov_type!r}")
        u = resid
        if cov_type in ("HC2", "HC3"):
            leverage = np.einsum("ij,jk,ik->i", A, bread, A)
            u = resid / (np.sqrt(1 - leverage) if cov_type == "HC2" else (1 - leverage))
        score = A * u[:, None]
        cov = bread @ (score.T @ score) @ bread
        if cov_type == "HC1":
            cov *= n / (n - p)
    centered = y - y.mean()
    r2 = 1.0 - float(resid @ resid) / float(centered @ centered)
    return beta, cov, r2


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


_CHUNK = 1 << 14  # rows per block of a Gram matrix: a cache-sized buffer instead of an n x p copy


class _ArmOLS:
    """Least squares of the outcome on ``[1, X]`` in each treatment arm, and the average contrast over the target's rows.

    The default g-formula (``y ~ t * (covariates)``) is one linear model per
    arm, so the standardized contrast is ``mean_target([1, x]) @ (b1 - b0)``.
    Fits on a bootstrap resample weight each row by its count, with the Gram
    matrices accumulated in blocks of rows: a replicate never copies the data
    (why this is not the formula path, whose three model matrices of the
    interactions take about 6x the data's memory at 10^6 rows; measured in
    benchmarks/README.md).
    """

    def __init__(self, X: np.ndarray, t: np.ndarray, y: np.ndarray, target: str) -> None:
        self.X, self.t = X, t
        self.observed = np.isfinite(y)
        self.y = np.where(self.observed, y, 0.0)
        self.in_target = {"ATE": np.ones(len(t), dtype=bool), "ATT": t == 1, "ATC": t == 0}[target]

    def _gram(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``A' W A`` and ``A' W y`` with ``A = [1, X]``, block by block."""
        X, y = self.X, self.y
        k = X.shape[1]
        gram = np.empty((k + 1, k + 1))
        gram[0, 0] = w.sum()
        gram[0, 1:] = gram[1:, 0] = w @ X
        xwx = np.zeros((k, k))
        for lo in range(0, len(w), _CHUNK):
            rows = X[lo : lo + _CHUNK]
            xwx += (rows * w[lo : lo + _CHUNK, None]).T @ rows
        gram[1:, 1:] = xwx
        wy = w * y
        return gram, np.concatenate([[wy.sum()], X.T @ wy])

    def coefficients(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each arm's coefficients with row weights ``counts`` (only rows with an observed outcome fit)."""
        out = []
        for arm in (1.0, 0.0):
            w = counts * (self.t == arm) * self.observed
            gram, moment = self._gram(w)
            try:
                if np.linalg.cond(gram) > 1e10:
                    raise np.linalg.LinAlgError
                out.append(np.linalg.solve(gram, moment))
            except np.linalg.LinAlgError:
                raise DataError("the covariates are collinear within a treatment arm (the arm's design matrix is rank-deficient); drop redundant covariates") from None
        return out[0], out[1]

    def contrast(self, rows: np.ndarray | None) -> float:
        """The average of ``[1, x] @ (b1 - b0)`` over the target's rows of the sample ``rows`` (all rows when None)."""
        counts = np.ones(len(self.t)) if rows is None else np.bincount(rows, minlength=len(self.t)).astype(float)
        b1, b0 = self.coefficients(counts)
        wt = counts * self.in_target
        if wt.sum() == 0:
            raise EstimatorError("no unit of the target population in the sample")
        d = b1 - b0
        return float((d[0] * wt.sum() + wt @ (self.X @ d[1:])) / wt.sum())

    def delta_se(self) -> float:
        """The delta-method SE: the variance of the average over the target plus ``d' (V1 + V0) d`` (HC0 per arm)."""
        b1, b0 = self.coefficients(np.ones(len(self.t)))
        d = b1 - b0
        rows = self.in_target
        contrast = d[0] + self.X[rows] @ d[1:]
        mean_a = np.concatenate([[1.0], self.X[rows].mean(axis=0)])
        var = contrast.var(ddof=1) / rows.sum()
        for arm, b in ((1.0, b1), (0.0, b0)):
            fit = (self.t == arm) & self.observed
            A = np.column_stack([np.ones(int(fit.sum())), self.X[fit]])
            bread = np.linalg.pinv(A.T @ A)
            score = A * (self.y[fit] - A @ b)[:, None]
            var += float(mean_a @ bread @ (score.T @ score) @ bread @ mean_a)
        return float(np.sqrt(var))


def _delta_se(X: np.ndarray, X1: np.ndarray, X0: np.ndarray, yv: np.ndarray, in_target: np.ndarray) -> float:
    """SE of ``mean((X1 - X0) @ beta)`` over the target's rows, ``beta`` the OLS fit on the rows where ``yv`` is observed."""
    fit = np.isfinite(yv)
    Xf, yf = X[fit], yv[fit]
    beta = np.linalg.lstsq(Xf, yf, rcond=None)[0]
    D = X1[in_target] - X0[in_target]
    contrast = D @ beta
    d = D.mean(axis=0)
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
    target : {"ATE", "ATT", "ATC"}
        Average the predicted contrast over the whole population, the treated
        or the controls.
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
        treatment interactions are allowed (``"y ~ t * z"``). The default
        interacts the treatment with every adjustment variable
        (``"y ~ t * (z1 + z2)"``: a linear model per arm). A formula without a
        treatment interaction assumes a constant effect; its estimate is then
        labelled ``WATE`` (the variance-weighted average of the conditional
        effects it estimates when the effect varies).
    n_bootstrap, n_jobs, random_state :
        The bootstrap (``inference="bootstrap"``), see
        :class:`~dagcore.estimators.base.Bootstrapped`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    The effect is ``1 + z`` and the treated have larger ``z``, so the ATT exceeds the ATE (1):

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(5); z = rng.normal(size=2000); t = rng.binomial(1, 1 / (1 + np.exp(-z)))
    >>> df = pd.DataFrame({"z": z, "t": t, "y": (1 + z) * t + z + rng.normal(size=2000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> ate = Standardization(inference="delta").fit(df, e).estimate_
    >>> att = Standardization(inference="delta", target="ATT").fit(df, e).estimate_
    >>> ate.target, bool(ate.ci[0] < 1 < ate.ci[1]), att.target, bool(att.ci[0] < 1 + z[t == 1].mean() < att.ci[1])
    ('ATE', True, 'ATT', True)
    """

    name = "standardization"
    strategies = ("backdoor", "randomized")

    target: str = "ATE"
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

    def _point(self, X: np.ndarray, X1: np.ndarray, X0: np.ndarray, yv: np.ndarray, rows: np.ndarray, in_target: np.ndarray) -> float:
        """The standardized contrast from the rows ``rows`` of the population (fit where the outcome is observed, averaged over the target's rows)."""
        fit_rows = rows[np.isfinite(yv[rows])]
        fit_beta_rows = fit_rows
        rows = rows[in_target[rows]]
        if rows.size == 0:
            raise EstimatorError(f"no unit of the {self.target} population in the sample")
        if self.outcome_model == "logit":
            import statsmodels.api as sm

            try:
                params = sm.GLM(yv[fit_beta_rows], X[fit_beta_rows], family=sm.families.Binomial()).fit().params
            except Exception as err:
                raise DataError(f"could not fit the logistic outcome model: {err}") from None
            p1 = float((1 / (1 + np.exp(-(X1[rows] @ params)))).mean())
            p0 = float((1 / (1 + np.exp(-(X0[rows] @ params)))).mean())
        else:
            beta = np.linalg.lstsq(X[fit_beta_rows], yv[fit_beta_rows], rcond=None)[0]
            p1 = float((X1[rows] @ beta).mean())
            p0 = float((X0[rows] @ beta).mean())
        if self.effect_measure == "RR":
            return float(np.log(p1 / p0))
        if self.effect_measure == "OR":
            return float(np.log(p1 / (1 - p1)) - np.log(p0 / (1 - p0)))
        return float(p1 - p0)

    def _arm_models(
        self, estimand: Any, prep: Any, pop: pd.DataFrame, covs: list[str], formula: str, target: str, n_used: int, notes: list[str]
    ) -> Estimate:
        """The default model (one linear model per arm) by arm-wise Gram matrices: no model matrix of the interactions, no copy per replicate."""
        t, y = estimand.treatment[0], estimand.outcome[0]
        models = _ArmOLS(design_matrix(pop, covs), pop[t].to_numpy(dtype=float), pop[y].to_numpy(dtype=float), target)
        value = models.contrast(None)
        diagnostics = {"formula": formula, "population_rows": int(len(pop)), "model_rows": int(len(prep.data)),
                       "target_rows": int(models.in_target.sum())}
        if self.inference == "delta":
            return self._result(
                estimand, value, models.delta_se(), n_used,
                inference="delta method: influence function of the average contrast plus the HC0 sandwich of the regression, Wald CI",
                target=target, diagnostics=diagnostics, notes=notes,
            )
        reps = bootstrap(models.contrast, len(pop), self.n_bootstrap, random_state=self.random_state, n_jobs=self.n_jobs)
        se, ci = bootstrap_interval(reps, self.level)
        return self._result(
            estimand, value, se, n_used,
            inference=f"nonparametric bootstrap, B={self.n_bootstrap}, percentile CI",
            target=target, ci=ci, diagnostics=diagnostics, notes=notes,
        )

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        if self.population not in ("observed", "all"):
            raise EstimatorError(f"population must be 'observed' or 'all', got {self.population!r}")
        if self.effect_measure not in ("RD", "RR", "OR") or self.outcome_model not in ("ols", "logit"):
            raise EstimatorError("outcome_model must be 'ols' or 'logit' and effect_measure 'RD', 'RR' or 'OR'")
        if self.effect_measure != "RD" and self.outcome_model != "logit":
            raise EstimatorError("risk and odds ratios need outcome_model='logit'")
        target = check_target(self.target, ("ATE", "ATT", "ATC"), "standardization")
        t, y = estimand.treatment[0], estimand.outcome[0]
        covs = sorted(estimand.adjustment_set or ())
        extra = sorted(formula_variables(self.formula, data) - {t, y, *covs}) if self.formula else []
        prep = prepare(data, t, y, covs, extra=extra, dropna=self.dropna or self.population == "all", keep_missing_outcome=self.population == "all")
        check_binary(prep.data, t, estimator="standardization")
        if self.outcome_model == "logit":
            check_binary(prep.data, y, role="outcome", estimator="a logistic outcome model")
        formula = self.formula or interacted_formula(y, t, covs, prep.data)
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
        if self.formula is None and self.outcome_model == "ols" and self.effect_measure == "RD":
            return self._arm_models(estimand, prep, pop, covs, formula, target, n_used, notes)
        X, X1, X0 = self._designs(pop, formula, t)
        yv = pop[y].to_numpy(dtype=float)
        tv = pop[t].to_numpy(dtype=float)
        in_target = {"ATE": np.ones(len(pop), dtype=bool), "ATT": tv == 1, "ATC": tv == 0}[target]
        constant_effect = bool(np.all(np.ptp(X1 - X0, axis=0) == 0))
        label = target
        if constant_effect and X.shape[1] > 2:  # the model's effect is one number: a variance-weighted average when it varies
            label = _coefficient_target(True, t, [], covariates=True)
        value = self._point(X, X1, X0, yv, np.arange(len(pop)), in_target)
        diagnostics = {"formula": formula, "population_rows": int(len(pop)), "target_rows": int(in_target.sum())}
        if self.inference == "delta":
            se = _delta_se(X, X1, X0, yv, in_target)
            return self._result(
                estimand, value, se, n_used,
                inference="delta method: influence function of the average contrast plus the HC0 sandwich of the regression, Wald CI",
                target=label, diagnostics={**diagnostics, "model_rows": int(len(prep.data))}, notes=notes,
            )
        reps = bootstrap(lambda rows: self._point(X, X1, X0, yv, rows, in_target), len(pop), self.n_bootstrap,
                         random_state=self.random_state, n_jobs=self.n_jobs)
        se, ci = bootstrap_interval(reps, self.level)
        measure = {"RD": label, "RR": "RR", "OR": "OR"}[self.effect_measure]
        if measure in ("RR", "OR") and target != "ATE":
            measure = f"{measure} in {TARGET_POPULATIONS[target]}"
        if self.effect_measure != "RD":
            value_out, ci = float(np.exp(value)), (float(np.exp(ci[0])), float(np.exp(ci[1])))
            se_note = " (SE on the log scale)"
        else:
            value_out, se_note = value, ""
        return self._result(
            estimand, value_out, se, n_used,
            inference=f"nonparametric bootstrap, B={self.n_bootstrap}, percentile CI{se_note}",
            target=measure, ci=ci,
            diagnostics={**diagnostics, "model_rows": int(len(prep.data))},
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
