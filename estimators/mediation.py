"""Natural direct and indirect effects from a ``mediation`` estimand.

Two estimators of the mediation formula (see :mod:`dagcore.identification.mediation`):

* ``"linear"``: the product-of-coefficients method (Baron & Kenny 1986;
  VanderWeele 2015, §2.4): ``M_j ~ X + W`` gives ``a_j``, ``Y ~ X + M + W``
  gives the direct coefficient ``θ`` and ``b_j``; NDE = ``θ``,
  NIE = ``Σ_j a_j b_j``. Valid for linear models without an exposure-mediator
  interaction; with ``interaction=True`` (one mediator) the outcome model gets
  ``X × M`` and NDE = ``θ + θ_xm · E[M | x0, W]`` averaged over ``W``,
  NIE = ``(θ_m + θ_xm) a`` (VanderWeele 2015, §2.5).
* ``"discrete"``: the g-formula on empirical frequencies, for discrete
  mediators and covariates (any numeric outcome): exactly the mediation
  formula with every probability and conditional mean replaced by its sample
  version.

Uncertainty: nonparametric bootstrap (resampling rows), percentile interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError, PositivityWarning
from dagcore.estimators._data import check_binary, design_matrix, prepare
from dagcore.estimators._resample import bootstrap, bootstrap_interval
from dagcore.estimators.base import Bootstrapped
from dagcore.estimators.result import Estimate

__all__ = ["Mediation", "mediation_linear", "mediation_discrete"]


def mediation_linear(df: pd.DataFrame, t: str, y: str, ms: list[str], ws: list[str], *, interaction: bool = False) -> tuple[float, float]:
    """(NDE, NIE) by the product of coefficients (per unit change of the exposure, from 0 to 1).

    Examples
    --------
    >>> rng = np.random.default_rng(0); n = 5000; x = rng.normal(size=n)
    >>> m = 0.5 * x + rng.normal(size=n); y = 1.0 * x + 2.0 * m + rng.normal(size=n)
    >>> [round(v, 1) for v in mediation_linear(pd.DataFrame({"x": x, "m": m, "y": y}), "x", "y", ["m"], [])]
    [1.0, 1.0]
    """
    return _linear_arrays(
        df[t].to_numpy(dtype=float), df[ms].to_numpy(dtype=float), design_matrix(df, ws), df[y].to_numpy(dtype=float), interaction=interaction
    )


def _linear_arrays(x: np.ndarray, M: np.ndarray, W: np.ndarray, yv: np.ndarray, *, interaction: bool) -> tuple[float, float]:
    n = len(x)
    A = np.column_stack([np.ones(n), x, W])
    coef_m = np.linalg.lstsq(A, M, rcond=None)[0]  # (1 + 1 + |W|) x |M|
    a = coef_m[1]
    if not interaction:
        B = np.column_stack([np.ones(n), x, M, W])
        coef_y = np.linalg.lstsq(B, yv, rcond=None)[0]
        theta, b = coef_y[1], coef_y[2 : 2 + M.shape[1]]
        return float(theta), float(a @ b)
    if M.shape[1] != 1:
        raise EstimatorError("interaction=True supports one mediator")
    B = np.column_stack([np.ones(n), x, M[:, 0], x * M[:, 0], W])
    coef_y = np.linalg.lstsq(B, yv, rcond=None)[0]
    theta, theta_m, theta_xm = coef_y[1], coef_y[2], coef_y[3]
    m_at_x0 = np.column_stack([np.ones(n), np.zeros(n), W]) @ coef_m[:, 0]  # E[M | x = 0, W]
    nde = theta + theta_xm * float(m_at_x0.mean())
    nie = (theta_m + theta_xm) * a[0]
    return float(nde), float(nie)


def mediation_discrete(df: pd.DataFrame, t: str, y: str, ms: list[str], ws: list[str], x0: Any = 0, x1: Any = 1) -> tuple[float, float, int]:
    """(NDE, NIE, number of empty cells) from the mediation formula on empirical frequencies.

    Examples
    --------
    >>> rng = np.random.default_rng(1); n = 20000; c = rng.integers(0, 2, n)
    >>> x = (rng.random(n) < 0.3 + 0.4 * c).astype(int); m = (rng.random(n) < 0.2 + 0.5 * x).astype(int)
    >>> y = 1.0 * x + 2.0 * m + c + rng.normal(size=n)
    >>> [round(v, 1) for v in mediation_discrete(pd.DataFrame({"x": x, "m": m, "c": c, "y": y}), "x", "y", ["m"], ["c"])[:2]]
    [1.0, 1.0]
    """
    keys = ms + ws
    n = len(df)
    mean_y = df.groupby([t, *keys], observed=True)[y].mean()
    if ws:
        p_w = df.groupby(ws, observed=True).size() / n
        count_xw = df.groupby([t, *ws], observed=True).size()
    count_xmw = df.groupby([t, *keys], observed=True).size()
    nde = nie = 0.0
    empty = 0
    cells = df[keys].drop_duplicates().itertuples(index=False, name=None)
    for cell in cells:
        wv = cell[len(ms):]
        pw = float(p_w.get(wv if len(ws) > 1 else wv[0], 0.0)) if ws else 1.0
        n0 = float(count_xw.get((x0, *wv), 0)) if ws else float((df[t] == x0).sum())
        n1 = float(count_xw.get((x1, *wv), 0)) if ws else float((df[t] == x1).sum())
        c0 = float(count_xmw.get((x0, *cell), 0))
        c1 = float(count_xmw.get((x1, *cell), 0))
        if n0 == 0 or n1 == 0:
            empty += 1
            continue
        pm0, pm1 = c0 / n0, c1 / n1
        e1 = mean_y.get((x1, *cell))
        e0 = mean_y.get((x0, *cell))
        if e1 is None or (e0 is None and pm0 > 0):
            empty += 1
            continue
        if pm0 > 0:
            nde += (e1 - e0) * pm0 * pw
        nie += e1 * (pm1 - pm0) * pw
    return float(nde), float(nie), empty


class Mediation(Bootstrapped):
    """Natural direct or indirect effect (the estimand's ``effect``), with the other in the diagnostics.

    Parameters
    ----------
    method : {"auto", "linear", "discrete"}
        ``"auto"`` uses ``"discrete"`` when every mediator and covariate has at
        most ``max_levels`` values and the treatment is binary, else ``"linear"``.
    interaction : bool
        Linear method only: include the exposure × mediator interaction.
    max_levels : int
        The most distinct values a mediator or covariate may have for the
        discrete method (and for ``"auto"`` to choose it).
    n_bootstrap, n_jobs, random_state :
        The bootstrap behind the SE and the percentile CI of both effects, see
        :class:`~dagcore.estimators.base.Bootstrapped`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Examples
    --------
    The indirect effect through ``m`` (0.5 × 2) and, beside it, the direct one:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import identify_mediation
    >>> from dagcore.grammar import parse
    >>> e = identify_mediation(parse("x [exposure] y [outcome] c -> {x m y} x -> m -> y x -> y"), effect="nie")
    >>> rng = np.random.default_rng(2); n = 20000; c = rng.normal(size=n); x = c + rng.normal(size=n)
    >>> m = 0.5 * x + c + rng.normal(size=n); y = x + 2 * m + c + rng.normal(size=n)
    >>> est = Mediation(n_bootstrap=50).fit(pd.DataFrame({"x": x, "m": m, "y": y, "c": c}), e).estimate_
    >>> est.target, round(est.value, 1), round(est.diagnostics["nde"], 1)
    ('NIE', 1.0, 1.0)
    """

    name = "mediation"
    strategies = ("mediation",)

    method: str = "auto"
    interaction: bool = False
    max_levels: int = 10

    def _check_estimand(self, estimand: Any) -> None:
        super()._check_estimand(estimand)
        if estimand.effect not in ("nde", "nie"):
            raise EstimatorError(f"the mediation estimator estimates natural effects ('nde' or 'nie'), not {estimand.effect!r}")
        if estimand.formula == "0":
            raise EstimatorError(f"the graph implies this {estimand.effect.upper()} is zero ({estimand.assumptions[0]}); there is nothing to estimate")

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        if self.method not in ("auto", "linear", "discrete"):
            raise EstimatorError(f"unknown mediation method {self.method!r}; expected 'auto', 'linear' or 'discrete'")
        t, y = estimand.treatment[0], estimand.outcome[0]
        ms, ws = sorted(estimand.mediators or ()), sorted(estimand.adjustment_set or ())
        prep = prepare(data, t, y, ws, extra=ms, dropna=self.dropna)
        df = prep.data
        for m in ms:
            if not pd.api.types.is_numeric_dtype(df[m]) and not pd.api.types.is_bool_dtype(df[m]):
                raise DataError(f"mediator {m!r} must be numeric, got {df[m].dtype}")
        method = self.method
        if method == "auto":
            discrete = all(df[v].nunique() <= self.max_levels for v in ms + ws) and set(np.unique(df[t])) <= {0, 1}
            method = "discrete" if discrete else "linear"
        if method == "discrete":
            check_binary(df, t, estimator="the discrete mediation formula")
            for v in ms + ws:
                if df[v].nunique() > self.max_levels:
                    raise DataError(f"the discrete mediation formula needs discrete variables; {v!r} has {df[v].nunique()} values (max_levels={self.max_levels}); use method='linear'")

        if method == "linear":
            arrays = (df[t].to_numpy(dtype=float), df[ms].to_numpy(dtype=float), design_matrix(df, ws), df[y].to_numpy(dtype=float))
            if self.interaction and len(ms) != 1:
                raise EstimatorError("interaction=True supports one mediator")

        def effects(rows: np.ndarray | None) -> tuple[float, float, int]:
            if method == "linear":
                x_, M_, W_, y_ = arrays if rows is None else (a[rows] for a in arrays)
                return (*_linear_arrays(x_, M_, W_, y_, interaction=self.interaction), 0)
            return mediation_discrete(df if rows is None else df.iloc[rows], t, y, ms, ws)

        nde, nie, empty = effects(None)
        if empty:
            self._warn(f"positivity: {empty} mediator/covariate cells lack data at one exposure level and were left out", PositivityWarning)
        value = nde if estimand.effect == "nde" else nie
        se, ci, inference = float("nan"), (float("nan"), float("nan")), "none (n_bootstrap=0)"
        boot: dict[str, Any] = {}
        if self.n_bootstrap:
            reps = bootstrap(lambda rows: effects(rows)[:2], len(df), self.n_bootstrap, random_state=self.random_state, n_jobs=self.n_jobs)
            col = reps[:, 0] if estimand.effect == "nde" else reps[:, 1]
            se, ci = bootstrap_interval(col, self.level)
            other = reps[:, 1] if estimand.effect == "nde" else reps[:, 0]
            boot = {"other_ci": list(bootstrap_interval(other, self.level)[1])}
            inference = f"nonparametric bootstrap, B={self.n_bootstrap}, percentile CI"
        total = nde + nie
        diagnostics = {
            "method": method,
            "nde": nde,
            "nie": nie,
            "total_effect": total,
            "proportion_mediated": nie / total if total else float("nan"),
            "mediators": ms,
            "covariates": ws,
            **boot,
        }
        notes = list(prep.notes)
        if method == "linear":
            notes.append("linear models" + (" with the exposure × mediator interaction" if self.interaction else " without exposure × mediator interaction") + "; effects per unit of the exposure")
        return self._result(estimand, value, se, len(df), inference=inference, target=estimand.effect.upper(), ci=ci, diagnostics=diagnostics, notes=notes)
