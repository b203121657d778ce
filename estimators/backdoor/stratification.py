"""Subclassification: propensity-score quantile strata or exact strata on discrete covariates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dagcore.errors import DataError, EstimatorError
from dagcore.estimators._data import design_frame
from dagcore.estimators.base import PropensityFormula
from dagcore.estimators.diagnostics import assess_overlap, standardized_mean_differences
from dagcore.estimators.result import Estimate

__all__ = ["Stratification"]


class Stratification(PropensityFormula):
    """Stratification (subclassification) on the propensity score or on discrete covariates.

    Units are grouped into strata; within each stratum the difference in mean
    outcomes between treated and untreated estimates the stratum effect, and
    the estimate is their weighted average (weights ``n_s / n`` for the ATE,
    ``n1_s / n1`` for the ATT, ``n0_s / n0`` for the ATC).

    Parameters
    ----------
    n_strata : int
        Number of propensity-score quantile strata (``on="propensity"``: the
        quantiles of everyone's scores for the ATE, of the treated's for the
        ATT and of the controls' for the ATC); when
        the score takes at most ``2 * n_strata`` distinct values, each value is
        its own stratum instead; 5
        removes about 90% of the bias from a covariate (Cochran 1968,
        Rosenbaum & Rubin 1984). Ties in the propensity can leave fewer strata.
    on : {"propensity", "covariates"}
        ``"covariates"`` makes one stratum per combination of the adjustment
        set's values (exact stratification); each covariate must have at most
        ``max_levels`` distinct values.
    max_levels : int
        Most distinct values a covariate may take when ``on="covariates"``.
    target : {"ATE", "ATT", "ATC"}
        The population whose average effect is estimated (it sets the strata's
        weights: all units, the treated or the untreated of each stratum).
    propensity_formula, propensity_model, allow_extra_variables :
        The score stratified on, see :class:`~dagcore.estimators.base.PropensityFormula`.
    level, dropna : see :class:`~dagcore.estimators.base.CausalEstimator`

    Notes
    -----
    SE: ``sqrt(Σ_s w_s² V_s)`` with Neyman's within-stratum variance
    ``V_s = s1²/n1 + s0²/n0``; it treats the strata and their weights as fixed
    (the estimation of the propensity score is ignored). An arm with a single
    unit in a stratum borrows that arm's pooled within-stratum variance.
    Strata holding only treated or only untreated units carry no contrast: they
    are dropped with a warning that counts their units, and the estimate is
    then for the remaining population. Coarse propensity strata leave some
    residual confounding inside each stratum; more strata need more data.

    Examples
    --------
    Exact strata on a three-valued confounder leave no imbalance inside each stratum:

    >>> import numpy as np, pandas as pd
    >>> from dagcore import Estimand
    >>> rng = np.random.default_rng(3); z = rng.integers(0, 3, size=3000)
    >>> t = (rng.random(3000) < 0.2 + 0.25 * z).astype(float)
    >>> df = pd.DataFrame({"z": z, "t": t, "y": 2.0 * t + z + rng.normal(size=3000)})
    >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    >>> est = Stratification(on="covariates").fit(df, e).estimate_
    >>> est.ci[0] < 2.0 < est.ci[1], est.diagnostics["smd_after"]["z"] == 0, len(est.diagnostics["strata"])
    (True, True, 3)
    """

    name = "stratification"
    strategies = ("backdoor", "randomized")

    n_strata: int = 5
    on: str = "propensity"
    max_levels: int = 20
    target: str = "ATE"

    def _check_params(self) -> None:
        if self.on not in ("propensity", "covariates"):
            raise EstimatorError(f"on must be 'propensity' or 'covariates', got {self.on!r}")
        if self.target not in ("ATE", "ATT", "ATC"):
            raise EstimatorError(f"target must be 'ATE', 'ATT' or 'ATC' for stratification, got {self.target!r}")
        if not isinstance(self.n_strata, (int, np.integer)) or isinstance(self.n_strata, bool) or self.n_strata < 1:
            raise EstimatorError(f"n_strata must be a positive integer, got {self.n_strata!r}")
        if not isinstance(self.max_levels, (int, np.integer)) or self.max_levels < 1:
            raise EstimatorError(f"max_levels must be a positive integer, got {self.max_levels!r}")

    def _strata(self, df: pd.DataFrame, t_name: str, covs: list[str], notes: list[str]) -> tuple[np.ndarray, list[str], dict[str, Any]]:
        """Stratum index of every row, a label per stratum, and extra diagnostics."""
        extra: dict[str, Any] = {}
        if self.on == "covariates":
            for col in covs:
                levels = df[col].nunique()
                if levels > self.max_levels:
                    raise DataError(
                        f"covariate {col!r} has {levels} distinct values, more than max_levels={self.max_levels}: "
                        "exact stratification needs discrete covariates; use on='propensity' or coarsen the column"
                    )
            if not covs:
                return np.zeros(len(df), dtype=int), ["all"], extra
            codes, uniques = pd.MultiIndex.from_frame(df[covs]).factorize(sort=True)
            labels = [", ".join(f"{c}={v}" for c, v in zip(covs, key)) for key in uniques]
            return np.asarray(codes, dtype=int), labels, extra
        ps = self._propensity_scores(df, t_name, covs)
        extra["propensity_overlap"] = assess_overlap(ps, df[t_name].to_numpy(dtype=float), target=self.target)
        if np.ptp(ps) == 0:
            return np.zeros(len(df), dtype=int), [f"propensity {ps[0]:.3g}"], extra
        values, inverse = np.unique(np.round(ps, 12), return_inverse=True)
        if values.size <= 2 * int(self.n_strata):
            # a score with few values (discrete covariates): one stratum per value balances exactly,
            # where quantile strata would pool units with different propensities
            notes.append(f"the propensity score takes {values.size} values: one stratum each")
            return np.asarray(inverse, dtype=int), [f"propensity {v:.3g}" for v in values], extra
        t = df[t_name].to_numpy(dtype=float)
        arm = {"ATT": t == 1, "ATC": t == 0}.get(self.target)
        if arm is None:
            codes, edges = pd.qcut(ps, int(self.n_strata), labels=False, retbins=True, duplicates="drop")
        else:
            # the ATT's (ATC's) strata are quantiles of the treated's (controls') scores: the population averaged
            # over is split evenly, and units far outside it (controls with a propensity near 0) share the outermost stratum
            # units of the other arm outside the range of the target arm's scores get strata of their own,
            # which hold no unit of the target population: dropped, they leave the ATT (ATC) unchanged
            inner = np.unique(np.quantile(ps[arm], np.linspace(0, 1, int(self.n_strata) + 1)))
            codes = np.searchsorted(inner, ps, side="left")  # 0: below the arm's lowest score, len(inner): above its highest
            codes = np.where(np.isin(ps, inner[:1]), 1, codes)
            codes = np.where(ps == inner[-1], len(inner) - 1, codes)
            used = np.unique(codes)
            codes = np.searchsorted(used, codes)
            group = "treated" if self.target == "ATT" else "untreated"
            labels_all = ([f"propensity below the lowest of the {group} ({inner[0]:.3g})"]
                          + [f"propensity [{inner[k]:.3g}, {inner[k + 1]:.3g}]" for k in range(len(inner) - 1)]
                          + [f"propensity above the highest of the {group} ({inner[-1]:.3g})"])
            notes.append(f"strata are quantiles of the propensity among the {group} (the {self.target} population)")
            return np.asarray(codes, dtype=int), [labels_all[k] for k in used], extra
        codes = np.asarray(codes, dtype=int)
        if len(edges) - 1 < self.n_strata:
            notes.append(f"ties in the propensity score left {len(edges) - 1} strata instead of {self.n_strata}")
        labels = [f"propensity [{edges[k]:.3g}, {edges[k + 1]:.3g}]" for k in range(len(edges) - 1)]
        return codes, labels, extra

    def _fit(self, data: pd.DataFrame, estimand: Any) -> Estimate:
        self._check_params()
        prep, t, y, covs = self._propensity_inputs(data, estimand, estimator="stratification", formula=self.on == "propensity")
        df, t_name = prep.data, estimand.treatment[0]
        notes = list(prep.notes)
        codes, labels, diagnostics = self._strata(df, t_name, covs, notes)

        n_s = len(labels)
        n1 = np.bincount(codes, weights=t, minlength=n_s)
        n0 = np.bincount(codes, weights=1 - t, minlength=n_s)
        empty = (n1 + n0) == 0
        one_arm = ((n1 == 0) | (n0 == 0)) & ~empty
        if one_arm.any():
            n_dropped = int((n1 + n0)[one_arm].sum())
            n_dropped_treated = int(n1[one_arm].sum())
            if one_arm.all():
                raise EstimatorError(
                    f"every stratum holds only treated or only untreated units ({n_dropped} units): "
                    "no within-stratum contrast is left (no overlap); use fewer strata or coarser covariates"
                )
            n_dropped_target = {"ATT": n_dropped_treated, "ATC": n_dropped - n_dropped_treated}.get(self.target, n_dropped)
            message = (f"dropped {int(one_arm.sum())} of {n_s} strata with only one treatment group "
                       f"({n_dropped} units, {n_dropped_treated} of them treated)")
            if n_dropped_target == 0:  # only units outside the target population: the target is unchanged
                notes.append(f"{message}: none of them in the {self.target} population, which is unchanged")
            else:
                self._warn(f"{message}: the estimate is for the remaining population")
        keep_s = ~one_arm & ~empty
        keep = keep_s[codes]

        # within-stratum means and variances (pooled arm variance for singleton arms)
        sums1 = np.bincount(codes, weights=t * y, minlength=n_s)
        sums0 = np.bincount(codes, weights=(1 - t) * y, minlength=n_s)
        with np.errstate(invalid="ignore", divide="ignore"):
            m1, m0 = sums1 / n1, sums0 / n0
        r1 = np.where((t == 1) & keep, y - m1[codes], 0.0)
        r0 = np.where((t == 0) & keep, y - m0[codes], 0.0)
        ss1 = np.bincount(codes, weights=r1**2, minlength=n_s)
        ss0 = np.bincount(codes, weights=r0**2, minlength=n_s)
        pooled = []
        for ss, n in ((ss1, n1), (ss0, n0)):
            dof = float((n[keep_s] - 1).sum())
            pooled.append(float(ss[keep_s].sum() / dof) if dof > 0 else float("nan"))
        with np.errstate(invalid="ignore", divide="ignore"):
            v1 = np.where(n1 > 1, ss1 / (n1 - 1), pooled[0])
            v0 = np.where(n0 > 1, ss0 / (n0 - 1), pooled[1])
        if (keep_s & ((n1 == 1) | (n0 == 1))).any():
            notes.append("some strata have a single unit in one arm; its variance is the arm's pooled within-stratum variance")

        diff = m1 - m0
        var = v1 / np.where(n1 > 0, n1, 1) + v0 / np.where(n0 > 0, n0, 1)
        size = {"ATT": n1, "ATC": n0}.get(self.target, n1 + n0)
        w = np.where(keep_s, size, 0.0)
        if w.sum() == 0:
            group = "untreated" if self.target == "ATC" else "treated"
            raise EstimatorError(f"no {group} units are left in strata with a contrast: the {self.target} cannot be estimated")
        w = w / w.sum()
        value = float(np.sum(w[keep_s] * diff[keep_s]))
        se = float(np.sqrt(np.sum(w[keep_s] ** 2 * var[keep_s])))

        # unit weights that reproduce the estimate, for the balance check
        with np.errstate(invalid="ignore", divide="ignore"):
            unit_w = np.where(t == 1, w[codes] / n1[codes], w[codes] / n0[codes])
        unit_w = np.where(keep, unit_w, 0.0)
        diagnostics["strata"] = [
            {
                "stratum": labels[s],
                "n_treated": int(n1[s]),
                "n_control": int(n0[s]),
                "difference": float(diff[s]) if keep_s[s] else None,
                "weight": round(float(w[s]), 6),
                "dropped": bool(one_arm[s]),
            }
            for s in range(n_s)
            if not empty[s]
        ]
        if covs:
            X = design_frame(df.loc[keep], covs)
            diagnostics["smd_before"] = standardized_mean_differences(X, t[keep])
            diagnostics["smd_after"] = standardized_mean_differences(X, t[keep], unit_w[keep])
        diagnostics["n_strata"] = int(keep_s.sum())
        what = "propensity-score quantile strata; propensity estimation ignored" if self.on == "propensity" else "exact covariate strata"
        return self._result(
            estimand, value, se, int(keep.sum()),
            target=self.target,
            inference=f"Neyman within-stratum variances combined with fixed stratum weights ({what})",
            diagnostics=diagnostics, notes=notes,
        )

    def strata_table(self) -> pd.DataFrame:
        """The per-stratum diagnostics of the last fit as a DataFrame (one row per stratum).

        Examples
        --------
        >>> import pandas as pd
        >>> from dagcore import Estimand
        >>> df = pd.DataFrame({"z": [0, 0, 0, 0, 1, 1, 1, 1], "t": [0, 1, 0, 1, 0, 1, 0, 1],
        ...                    "y": [0.0, 1.0, 0.5, 1.5, 2.0, 4.0, 2.5, 4.5]})
        >>> e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
        >>> Stratification(on="covariates").fit(df, e).strata_table()[["stratum", "n_treated", "difference"]]
          stratum  n_treated  difference
        0     z=0          2         1.0
        1     z=1          2         2.0
        """
        if not hasattr(self, "estimate_"):
            raise EstimatorError("Stratification is not fitted yet; call fit(data, estimand) first")
        return pd.DataFrame(self.estimate_.diagnostics["strata"])
