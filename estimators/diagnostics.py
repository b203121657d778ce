"""Diagnostics shared by the estimators: covariate balance, propensity overlap, effective sample size."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from dagcore.errors import PositivityWarning
from dagcore.estimators.result import Overlap

__all__ = [
    "OVERLAP_RULES",
    "assess_overlap",
    "effective_sample_size",
    "separated_overlap",
    "standardized_mean_differences",
    "target_weights",
]


def standardized_mean_differences(X: pd.DataFrame, t: np.ndarray, weights: np.ndarray | None = None) -> dict[str, float]:
    """Standardized mean difference of each covariate between treated and untreated (pooled SD of the raw data).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    >>> standardized_mean_differences(X, np.array([0, 0, 1, 1]))
    {'a': 2.8284}
    """
    if X.shape[1] == 0:
        return {}
    A = X.to_numpy(dtype=float)
    w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype=float)
    treated = t == 1
    m1 = (w[treated] @ A[treated]) / w[treated].sum()
    m0 = (w[~treated] @ A[~treated]) / w[~treated].sum()
    sd = np.sqrt((A[treated].var(axis=0, ddof=1) + A[~treated].var(axis=0, ddof=1)) / 2)
    smd = np.divide(m1 - m0, sd, out=np.zeros_like(sd), where=sd > 0)
    return {str(col): round(float(v), 4) for col, v in zip(X.columns, smd)}


#: The overlap verdict's rule, per target, in words (thresholds included); :func:`assess_overlap` applies it.
OVERLAP_RULES: dict[str, str] = {
    "ATE": (
        "none if the propensity ranges of the two arms do not intersect, or at least half of all units have a "
        "propensity outside [0.01, 0.99] (their inverse-probability weights exceed 100: the ATE there rests on "
        "extrapolation); else weak if more than 10% of units are outside [0.05, 0.95], more than 1% are outside "
        "[0.01, 0.99], an arm's effective sample size is below 25% of its units, or one unit carries more than 10% "
        "of its arm's weight; else good"
    ),
    "ATT": (
        "none if the propensity ranges of the two arms do not intersect, or at least half of the treated have a "
        "propensity above 0.99 (they have no comparable controls); else weak if more than 10% of the treated are "
        "above 0.95, more than 1% above 0.99, the controls' effective sample size under odds weights e/(1-e) is "
        "below 25% of the smaller arm, or one unit carries more than 10% of its arm's weight; else good"
    ),
    "ATC": (
        "none if the propensity ranges of the two arms do not intersect, or at least half of the controls have a "
        "propensity below 0.01 (they have no comparable treated units); else weak if more than 10% of the controls "
        "are below 0.05, more than 1% below 0.01, the treated's effective sample size under weights (1-e)/e is "
        "below 25% of the smaller arm, or one unit carries more than 10% of its arm's weight; else good"
    ),
    "ATO": (
        "none if the propensity ranges of the two arms do not intersect; else good (overlap weights e(1-e) are "
        "bounded, so the overlap population is always estimable; it is not the ATE population)"
    ),
}


def _target_code(target: str) -> str:
    code = str(target).split(" ", 1)[0]
    return code if code in OVERLAP_RULES else "ATE"


def target_weights(ps: np.ndarray, t: np.ndarray, target: str = "ATE") -> np.ndarray:
    """The balancing weight of each unit for ``target``: ATE ``1/e``, ``1/(1-e)``; ATT 1, ``e/(1-e)``; ATC ``(1-e)/e``, 1; ATO ``1-e``, ``e``.

    Examples
    --------
    >>> target_weights(np.array([0.5, 0.2]), np.array([1, 0]), "ATT").tolist()
    [1.0, 0.25]
    """
    code = _target_code(target)
    treated = t == 1
    with np.errstate(divide="ignore"):
        if code == "ATT":
            return np.where(treated, 1.0, ps / (1 - ps))
        if code == "ATC":
            return np.where(treated, (1 - ps) / ps, 1.0)
        if code == "ATO":
            return np.where(treated, 1 - ps, ps)
        return np.where(treated, 1 / ps, 1 / (1 - ps))


def assess_overlap(
    ps: np.ndarray, t: np.ndarray, *, target: str = "ATE", weights: np.ndarray | None = None, warn: bool = True
) -> Overlap:
    """Measure the propensity overlap of the two arms and give its verdict by :data:`OVERLAP_RULES`.

    The one place overlap is judged: every estimator that fits a propensity
    model calls it and stores the result on :attr:`~dagcore.Estimate.overlap`
    (``CausalEstimator._result`` picks it up from ``diagnostics["propensity_overlap"]``).

    Parameters
    ----------
    ps : array
        Fitted propensity scores ``P(T = 1 | covariates)``.
    t : array
        The 0/1 treatment.
    target : str
        ``ATE`` (default), ``ATT``, ``ATC`` or ``ATO`` (a qualifier after a space is ignored): which tail of
        the propensity distribution matters, and which weights the effective sample sizes use.
    weights : array, optional
        The weights the estimator really uses (default :func:`target_weights`).
    warn : bool
        Issue a :class:`~dagcore.errors.PositivityWarning` when the verdict is not ``good``.

    Returns
    -------
    Overlap

    Examples
    --------
    >>> t = np.repeat([1, 0], [300, 700])
    >>> assess_overlap(np.full(1000, 0.3), t).verdict
    'good'
    >>> ps = np.r_[np.full(500, 0.6), np.full(500, 0.004)]  # 500 controls far out: the ATE has no support there
    >>> o = assess_overlap(ps, t, warn=False); o.verdict, o.reasons[0]
    ('none', '50% of units have a propensity outside [0.01, 0.99]')
    >>> assess_overlap(ps, t, target="ATT", warn=False).verdict  # the ATT needs controls like the treated only
    'good'
    """
    ps = np.asarray(ps, dtype=float)
    t = np.asarray(t)
    code = _target_code(target)
    treated = t == 1
    n1, n0 = int(treated.sum()), int((~treated).sum())
    w = target_weights(ps, t, code) if weights is None else np.asarray(weights, dtype=float)
    # each arm's scores and weights, split once (each is read several times below)
    ps1, ps0, w1, w0 = ps[treated], ps[~treated], w[treated], w[~treated]

    def rng_of(sel: np.ndarray) -> tuple[float, float]:
        return (float(sel.min()), float(sel.max())) if sel.size else (float("nan"), float("nan"))

    def outside(lo: float, sel: np.ndarray = ps) -> float:
        return float(np.mean((sel < lo) | (sel > 1 - lo))) if sel.size else float("nan")

    def usable(ww: np.ndarray) -> bool:
        return bool(ww.size and np.isfinite(ww).all() and ww.sum() > 0)

    def ess(ww: np.ndarray) -> float:
        return effective_sample_size(ww) if usable(ww) else 0.0

    def top_share(ww: np.ndarray) -> float:
        return float(ww.max() / ww.sum()) if usable(ww) else 1.0

    t_rng, c_rng = rng_of(ps1), rng_of(ps0)
    ess1, ess0 = ess(w1), ess(w0)
    top = max(top_share(w1), top_share(w0))
    disjoint = not (max(t_rng[0], c_rng[0]) <= min(t_rng[1], c_rng[1]))
    # the tail that matters for the target, as (share beyond 0.05, share beyond 0.01, who, where)
    if code == "ATT":
        tail05, tail01 = float(np.mean(ps1 > 0.95)), float(np.mean(ps1 > 0.99))
        who, where05, where01, ess_rel = "of the treated", "above 0.95", "above 0.99", [("control", ess0, min(n0, n1))]
    elif code == "ATC":
        tail05, tail01 = float(np.mean(ps0 < 0.05)), float(np.mean(ps0 < 0.01))
        who, where05, where01, ess_rel = "of the controls", "below 0.05", "below 0.01", [("treated", ess1, min(n0, n1))]
    else:
        tail05, tail01 = outside(0.05), outside(0.01)
        who, where05, where01 = "of units", "outside [0.05, 0.95]", "outside [0.01, 0.99]"
        ess_rel = [("treated", ess1, n1), ("control", ess0, n0)]
    none_reasons: list[str] = []
    weak_reasons: list[str] = []
    if disjoint:
        none_reasons.append(
            f"the propensity ranges do not intersect (treated {t_rng[0]:.3g} to {t_rng[1]:.3g}, "
            f"control {c_rng[0]:.3g} to {c_rng[1]:.3g})"
        )
    if code != "ATO":
        if tail01 >= 0.5:
            none_reasons.append(f"{100 * tail01:.0f}% {who} have a propensity {where01}")
        if tail05 > 0.10:
            weak_reasons.append(f"{100 * tail05:.3g}% {who} have a propensity {where05}")
        if 0.01 < tail01 < 0.5:
            weak_reasons.append(f"{100 * tail01:.3g}% {who} have a propensity {where01}")
        for arm, e, n in ess_rel:
            if n and e < 0.25 * n:
                weak_reasons.append(f"the {arm} arm's effective sample size is {e:.4g}, under 25% of {n} units")
        if top > 0.10 and min(n1, n0) >= 20:
            weak_reasons.append(f"one unit carries {100 * top:.3g}% of its arm's weight")
    verdict = "none" if none_reasons else "weak" if weak_reasons else "good"
    finite_w = w[np.isfinite(w)]
    result = Overlap(
        verdict=verdict,
        rule=OVERLAP_RULES[code],
        reasons=tuple(none_reasons + weak_reasons),
        target=code,
        n_treated=n1,
        n_control=n0,
        treated_range=t_rng,
        control_range=c_rng,
        share_outside_05=outside(0.05),
        share_outside_01=outside(0.01),
        share_outside_05_by_arm={"treated": outside(0.05, ps1), "control": outside(0.05, ps0)},
        share_outside_01_by_arm={"treated": outside(0.01, ps1), "control": outside(0.01, ps0)},
        ess_treated=ess1,
        ess_control=ess0,
        max_weight=float(finite_w.max()) if finite_w.size else float("nan"),
        max_weight_share=top,
    )
    if warn and verdict != "good":
        warnings.warn(
            f"{'no' if verdict == 'none' else verdict} overlap of the propensity scores ({'; '.join(result.reasons)}): weighting estimates are "
            "unstable and outcome models extrapolate there; consider trimming or a different target (ATT, ATO)",
            PositivityWarning,
            stacklevel=2,
        )
    return result


def separated_overlap(message: str, t: np.ndarray, *, target: str = "ATE") -> Overlap:
    """The ``none`` verdict when the propensity model cannot be fit because the covariates separate the arms.

    Examples
    --------
    >>> separated_overlap("x separates the arms", np.array([0, 1, 1])).describe()
    'overlap none: x separates the arms'
    """
    t = np.asarray(t)
    return Overlap(
        verdict="none", rule=OVERLAP_RULES[_target_code(target)], reasons=(message,), target=_target_code(target),
        n_treated=int((t == 1).sum()), n_control=int((t != 1).sum()), separation=message,
    )


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``.

    Examples
    --------
    >>> effective_sample_size(np.array([1.0, 1.0, 2.0]))
    2.6667
    """
    return round(float(weights.sum() ** 2 / (weights**2).sum()), 4)
