"""Propensity scores: a statsmodels formula (unpenalised logistic GLM) or any scikit-learn classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError
from dagcore.estimators.validation import design_matrix

__all__ = ["fit_propensity"]


def fit_propensity(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str],
    *,
    formula: str | None = None,
    model: Any = None,
) -> np.ndarray:
    """P(treatment = 1 | covariates) for every row.

    Default: an unpenalised logistic regression of the treatment on the
    covariates (no L2 penalty, which would move IPW estimates).

    Raises
    ------
    DataError
        Perfect separation, or a model that cannot be fit.
    """
    t = data[treatment].to_numpy(dtype=float)
    if not covariates and formula is None:
        return np.full(len(t), t.mean())
    if model is not None:
        from sklearn.base import clone

        X = design_matrix(data, covariates)
        fitted = clone(model).fit(X, t)
        ps = fitted.predict_proba(X)[:, 1]
    else:
        import statsmodels.api as sm
        import statsmodels.formula.api as smf
        from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

        if formula is None:
            from dagcore.estimators.regression import default_formula

            formula = default_formula(treatment, covariates, data)
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PerfectSeparationWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
                ps = smf.glm(formula, data, family=sm.families.Binomial()).fit().predict(data).to_numpy()
        except (PerfectSeparationError, PerfectSeparationWarning):
            raise DataError(
                f"perfect separation: the covariates predict {treatment!r} exactly, so there is no overlap "
                "between treated and untreated units; restrict the population or change the estimand"
            ) from None
        except Exception as err:
            raise DataError(f"could not fit the propensity model {formula!r}: {err}") from None
    if np.any(ps <= 0) or np.any(ps >= 1) or not np.isfinite(ps).all():
        raise DataError(f"propensity scores of exactly 0 or 1 for {treatment!r}: no overlap (positivity fails)")
    return ps
