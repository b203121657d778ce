"""Randomized experiments: difference in means with the Neyman standard error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.estimators._data import check_binary, prepare
from dagcore.estimators.base import CausalEstimator
from dagcore.estimators.result import Estimate

__all__ = ["DifferenceInMeans"]


class DifferenceInMeans(CausalEstimator):
    """``mean(Y | T=1) - mean(Y | T=0)`` with Neyman's conservative SE ``sqrt(s1²/n1 + s0²/n0)``.

    Valid when there is no open back-door path (a randomized experiment, or
    the graph says so).

    Parameters
    ----------
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    Four units of a randomized experiment:

    >>> import pandas as pd
    >>> from dagcore import Estimand
    >>> df = pd.DataFrame({"t": [0, 0, 1, 1], "y": [1.0, 2.0, 3.0, 5.0]})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="randomized")
    >>> DifferenceInMeans().fit(df, e).estimate_.value
    2.5
    """

    name = "difference_in_means"
    strategies = ("randomized",)

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        t_name, y_name = estimand.treatment[0], estimand.outcome[0]
        prep = prepare(data, t_name, y_name, [], dropna=self.dropna)
        t = check_binary(prep.data, t_name, estimator="difference in means")
        y = prep.data[y_name].to_numpy(dtype=float)
        y1, y0 = y[t == 1], y[t == 0]
        value = float(y1.mean() - y0.mean())
        se = float(np.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size)) if min(y1.size, y0.size) > 1 else float("nan")
        return self._result(
            estimand, value, se, len(y), inference="Neyman (unpooled variance) standard error",
            diagnostics={"n_treated": int(y1.size), "n_control": int(y0.size)}, notes=prep.notes,
        )
