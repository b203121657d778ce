"""Front-door estimation: the linear two-stage (product of coefficients) estimator, bootstrap CI."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.estimators._data import prepare
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped
from dagcore.estimators.result import Estimate

__all__ = ["FrontdoorLinear"]


def _product(df: pd.DataFrame, t: str, y: str, ms: list[str]) -> float:
    n = len(df)
    x = df[t].to_numpy(dtype=float)
    M = df[ms].to_numpy(dtype=float)
    yv = df[y].to_numpy(dtype=float)
    A = np.column_stack([np.ones(n), x])
    a = np.linalg.lstsq(A, M, rcond=None)[0][1]  # effect of x on each mediator
    B = np.column_stack([np.ones(n), M, x])
    b = np.linalg.lstsq(B, yv, rcond=None)[0][1 : 1 + len(ms)]  # effect of each mediator on y, given x
    return float(a @ b)


class FrontdoorLinear(Bootstrapped):
    """Front-door effect in linear models: ``Σ_m (effect of X on m) × (effect of m on Y given X)``.

    Parameters
    ----------
    n_bootstrap, n_jobs, random_state :
        The nonparametric bootstrap behind the SE and the percentile CI, see
        :class:`~dagcore.estimators.base.Bootstrapped`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    ``u`` is unobserved; the effect of ``x`` passes only through ``m``:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(4); n = 4000; u = rng.normal(size=n)
    >>> x = u + rng.normal(size=n); m = 0.5 * x + rng.normal(size=n); y = 2 * m + 3 * u + rng.normal(size=n)
    >>> e = Estimand(treatment=("x",), outcome=("y",), strategy="frontdoor", mediators={"m"})
    >>> round(FrontdoorLinear(n_bootstrap=50).fit(pd.DataFrame({"x": x, "m": m, "y": y}), e).estimate_.value, 1)
    1.0
    """

    name = "frontdoor"
    strategies = ("frontdoor",)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t, y = estimand.treatment[0], estimand.outcome[0]
        ms = sorted(estimand.mediators or ())
        prep = prepare(data, t, y, [], extra=ms, dropna=self.dropna)
        df = prep.data
        value = _product(df, t, y, ms)
        reps = bootstrap(lambda rows: _product(df.iloc[rows], t, y, ms), len(df), self.n_bootstrap, random_state=self.random_state, n_jobs=self.n_jobs)

        se, ci = bootstrap_interval(reps, self.level)
        return self._result(
            estimand, value, se, len(df), inference=f"nonparametric bootstrap, B={self.n_bootstrap}, percentile CI",
            target="ATE (linear model)", ci=ci, diagnostics={"mediators": ms}, notes=prep.notes,
        )
