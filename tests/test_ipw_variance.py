"""IPW's M-estimation SE (issue 12, item 5) against its definition: the stacked sandwich A⁻¹ B A⁻ᵀ / n by numerical derivatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from dagcore import Estimand, estimate
from dagcore.estimators._nuisance import LogisticMLE
from dagcore.estimators.backdoor.weighting import ipw_m_estimation_se
from dagcore.estimators.diagnostics import target_weights


def _stacked_se(y: np.ndarray, t: np.ndarray, X: np.ndarray, target: str, keep: np.ndarray) -> tuple[float, float]:
    """Solve the stacked estimating equations and return (mu1 - mu0, its sandwich SE), with A by central differences."""
    n, k = X.shape
    Xt = np.column_stack([np.ones(n), X])
    model = LogisticMLE().fit(X, t)
    beta = np.r_[model.intercept_, model.coef_[0]]

    def psi(theta: np.ndarray) -> np.ndarray:
        b, mu1, mu0 = theta[: k + 1], theta[k + 1], theta[k + 2]
        e = expit(Xt @ b)
        w = target_weights(e, t, target)
        return np.column_stack([
            Xt * (t - e)[:, None],
            np.where(keep & (t == 1), w * (y - mu1), 0.0),
            np.where(keep & (t == 0), w * (y - mu0), 0.0),
        ])

    w = target_weights(expit(Xt @ beta), t, target)
    m1, m0 = keep & (t == 1), keep & (t == 0)
    theta = np.r_[beta, w[m1] @ y[m1] / w[m1].sum(), w[m0] @ y[m0] / w[m0].sum()]
    assert np.abs(psi(theta).mean(axis=0)).max() < 1e-8  # it is the solution
    A = np.empty((k + 3, k + 3))
    for j in range(k + 3):
        h = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        A[:, j] = (psi(up).mean(axis=0) - psi(down).mean(axis=0)) / (2 * h)
    P = psi(theta)
    B = P.T @ P / n
    Ainv = np.linalg.inv(A)
    V = Ainv @ B @ Ainv.T / n
    c = np.zeros(k + 3)
    c[k + 1], c[k + 2] = 1.0, -1.0
    return float(theta[k + 1] - theta[k + 2]), float(np.sqrt(c @ V @ c))


@pytest.mark.parametrize("target", ["ATE", "ATT", "ATC", "ATO"])
@pytest.mark.parametrize("trimmed", [False, True])
def test_the_sandwich_is_the_stacked_m_estimator(target: str, trimmed: bool) -> None:
    rng = np.random.default_rng(7)
    n = 1500
    X = rng.normal(size=(n, 2))
    e = expit(0.8 * X[:, 0] - 0.5 * X[:, 1])
    t = (rng.random(n) < e).astype(float)
    y = t * (1 + 0.5 * X[:, 0]) + X @ [1.0, -0.5] + rng.normal(size=n)
    ps = LogisticMLE().fit(X, t).predict_proba(X)[:, 1]
    keep = (ps > 0.1) & (ps < 0.9) if trimmed else np.ones(n, dtype=bool)
    w = target_weights(ps, t, target) * np.where(t == 1, 0.4, 0.6)  # a constant per arm (stabilisation) changes nothing
    value, se = ipw_m_estimation_se(y, t, ps, X, np.where(keep, w, 0.0), target=target, keep=keep)
    ref_value, ref_se = _stacked_se(y, t, X, target, keep)
    assert value == pytest.approx(ref_value, rel=1e-9)
    assert se == pytest.approx(ref_se, rel=1e-5)


def test_ipw_uses_it_by_default_and_keeps_the_old_se_as_an_option() -> None:
    rng = np.random.default_rng(8)
    z = rng.normal(size=2000)
    t = (rng.random(2000) < expit(z)).astype(float)
    df = pd.DataFrame({"z": z, "t": t, "y": t + 2 * z + rng.normal(size=2000)})
    e = Estimand(treatment=("t",), outcome=("y",), strategy="backdoor", adjustment_set={"z"})
    new = estimate(e, df, method="ipw")
    old = estimate(e, df, method="ipw", variance="weights_known")
    assert new.value == old.value and new.se < old.se
    assert "Lunceford & Davidian" in new.inference and "weights treated as known" in old.inference
    assert new.se == pytest.approx(_stacked_se(df.y.to_numpy(), t, z[:, None], "ATE", np.ones(2000, dtype=bool))[1], rel=1e-5)
    stab = estimate(e, df, method="ipw", stabilized=True, trim=0.05)
    assert np.isfinite(stab.se) and "Lunceford" in stab.inference
    from sklearn.linear_model import LogisticRegression

    user = estimate(e, df, method="ipw", propensity_model=LogisticRegression())
    assert "weights treated as known" in user.inference and "no score equations" in user.inference
    from dagcore.errors import EstimatorError

    with pytest.raises(EstimatorError, match="variance must be 'm_estimation' or 'weights_known', got 'bootstrap'"):
        estimate(e, df, method="ipw", variance="bootstrap")
