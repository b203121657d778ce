"""Small local stand-ins for pieces other layers deliver (used only while those are missing from main).

``install(monkeypatch)`` adds ``identify``, ``estimate`` and ``implied_independencies`` to ``dagcore`` only
when the real ones are not exported, so the tests run against the real implementations once they land.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

import dagcore
from dagcore import CausalGraph, Estimand
from dagcore.estimators.estimate import Estimate


class OLS(BaseEstimator):
    """Linear adjustment estimator (treatment coefficient, HC1 SE) following the estimator contract."""

    def fit(self, data: pd.DataFrame, estimand: Estimand) -> OLS:
        t, y = estimand.treatment[0], estimand.outcome[0]
        adj = sorted(estimand.adjustment_set or ())
        Z = np.column_stack([data[t], np.ones(len(data)), data[adj]]).astype(float)
        yv = data[y].to_numpy(float)
        coef = np.linalg.lstsq(Z, yv, rcond=None)[0]
        r = yv - Z @ coef
        inv = np.linalg.inv(Z.T @ Z)
        se = float(np.sqrt((inv @ (Z * r[:, None] ** 2).T @ Z @ inv)[0, 0] * len(yv) / (len(yv) - Z.shape[1])))
        v = float(coef[0])
        self.estimate_ = Estimate(value=v, se=se, ci=(v - 1.96 * se, v + 1.96 * se), method="ols", n=len(yv),
                                  estimand=estimand, estimator=self)
        return self


class IPW(BaseEstimator):
    """Inverse-probability-weighting estimator (Hájek); not linear, so refuters take the generic path."""

    def __init__(self, C: float = 1e4) -> None:
        self.C = C

    def fit(self, data: pd.DataFrame, estimand: Estimand) -> IPW:
        t, y = estimand.treatment[0], estimand.outcome[0]
        adj = sorted(estimand.adjustment_set or ())
        d = data[t].to_numpy(float)
        yv = data[y].to_numpy(float)
        X = data[adj].to_numpy(float) if adj else np.zeros((len(d), 1))
        ps = LogisticRegression(C=self.C).fit(X, d).predict_proba(X)[:, 1]
        w1, w0 = d / ps, (1 - d) / (1 - ps)
        m1, m0 = (w1 * yv).sum() / w1.sum(), (w0 * yv).sum() / w0.sum()
        inf = w1 * (yv - m1) / w1.mean() - w0 * (yv - m0) / w0.mean()
        se = float(inf.std(ddof=1) / np.sqrt(len(d)))
        v = float(m1 - m0)
        self.estimate_ = Estimate(value=v, se=se, ci=(v - 1.96 * se, v + 1.96 * se), method="ipw", n=len(d),
                                  estimand=estimand, estimator=self,
                                  diagnostics={"overlap": {"min_ps": float(ps.min()), "max_ps": float(ps.max())}})
        return self


def local_markov(g: CausalGraph) -> list[tuple[str, str, tuple[str, ...]]]:
    """Local Markov statements (v ⊥ non-descendant non-parent | parents), each unordered pair once."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    seen: set[frozenset[str]] = set()
    for v in g.observed:
        pa = g.parents(v)
        if pa & g.latent:
            continue
        for w in g.observed:
            if w == v or w in pa or w in g.descendants(v) or frozenset((v, w)) in seen:
                continue
            seen.add(frozenset((v, w)))
            out.append((v, w, tuple(sorted(pa))))
    return out


def _identify(g: CausalGraph) -> Estimand:
    t, y = next(iter(g.exposure)), next(iter(g.outcome))
    pa = g.parents(t)
    if pa & g.latent:
        return Estimand(treatment=t, outcome=y, strategy="not_identifiable", reason="stand-in: latent parent", graph=g)
    return Estimand(treatment=t, outcome=y, strategy="backdoor", adjustment_set=pa, graph=g,
                    formula="Σ_z E[Y | X, z] P(z)", assumptions=(f"no unobserved common cause of {t} and {y}",))


def _estimate(estimand: Estimand, data: pd.DataFrame, method: str = "regression") -> Estimate:
    table = {"regression": OLS, "ipw": IPW}
    if method not in table:
        raise dagcore.EstimatorError(f"stand-in has no estimator {method!r}")
    return table[method]().fit(data, estimand).estimate_


def install(monkeypatch) -> None:  # noqa: ANN001
    for name, fn in (("identify", _identify), ("estimate", _estimate), ("implied_independencies", local_markov)):
        if name not in dagcore._EXPORTS:
            monkeypatch.setattr(dagcore, name, fn, raising=False)
