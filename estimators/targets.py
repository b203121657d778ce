"""Which population an effect is averaged over: the target estimands ATE, ATT, ATC and ATO, one implementation.

A target is a tilting function ``h(e)`` of the propensity score ``e(x)``:
the estimand is the ``h``-weighted average of the conditional effects,
``E[h(e(X)) tau(X)] / E[h(e(X))]`` (Li, Morgan & Zaslavsky 2018):

======  ==============  ====================================================
target  ``h(e)``        population
======  ==============  ====================================================
ATE     1               everyone
ATT     e               the treated
ATC     1 - e           the untreated (controls)
ATO     e (1 - e)       the overlap population (most weight where both arms are common)
======  ==============  ====================================================

* :func:`balancing_weights` are the IPW weights of each target (the odds
  weights ``e / (1 - e)`` of the controls for the ATT);
* :func:`doubly_robust` is the augmented (AIPW) estimate of each target with
  its efficient influence function, which AIPW and the DR-learner share;
* :func:`clip_propensity` is the one clipping rule of the doubly robust
  estimators: the score is clipped only at the ends whose inverse enters the
  target's weights;
* :func:`treatment_kind` says whether a numeric treatment is binary,
  continuous, or multi-valued (refused where an estimator would silently treat
  it as continuous).

References
----------
Li, F., Morgan, K. L. and Zaslavsky, A. M. (2018). Balancing covariates via
propensity score weighting. *JASA* 113(521), 390-400.

Hahn, J. (1998). On the role of the propensity score in efficient
semiparametric estimation of average treatment effects. *Econometrica* 66(2), 315-331.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dagcore.errors import DataError, EstimatorError

__all__ = [
    "DEFAULT_CLIP",
    "DoublyRobust",
    "MULTIVALUED_MAX_LEVELS",
    "TARGET_POPULATIONS",
    "balancing_weights",
    "check_target",
    "clip_propensity",
    "clip_rule",
    "doubly_robust",
    "tilting",
    "treatment_kind",
]

#: The population each target averages over, in words.
TARGET_POPULATIONS: dict[str, str] = {
    "ATE": "everyone",
    "ATT": "the treated",
    "ATC": "the untreated",
    "ATO": "the overlap population (weights e(1 - e), Li, Morgan & Zaslavsky 2018)",
}

#: Default clipping of the propensity in AIPW and the DR-learner (DoubleML's IRM default, 0.01).
DEFAULT_CLIP = 0.01

#: A numeric treatment with 3 to this many distinct values is multi-valued, not continuous.
MULTIVALUED_MAX_LEVELS = 10


def check_target(target: object, allowed: tuple[str, ...], estimator: str) -> str:
    """``target`` when ``estimator`` serves it, else an :class:`~dagcore.EstimatorError` listing those it serves.

    Examples
    --------
    >>> check_target("ATT", ("ATE", "ATT"), "ipw")
    'ATT'
    >>> check_target("att", ("ATE", "ATT"), "ipw")
    Traceback (most recent call last):
    ...
    dagcore.errors.EstimatorError: ipw: target must be one of 'ATE', 'ATT', got 'att'
    """
    if not isinstance(target, str) or target not in allowed:
        raise EstimatorError(f"{estimator}: target must be one of {', '.join(map(repr, allowed))}, got {target!r}")
    return target


def tilting(e: np.ndarray, target: str) -> tuple[np.ndarray, np.ndarray]:
    """The tilting function ``h(e)`` of ``target`` and its derivative ``h'(e)``.

    Examples
    --------
    >>> h, dh = tilting(np.array([0.2, 0.5]), "ATO")
    >>> h.round(2).tolist(), dh.round(2).tolist()
    ([0.16, 0.25], [0.6, 0.0])
    """
    one = np.ones_like(e)
    if target == "ATE":
        return one, 0 * one
    if target == "ATT":
        return e, one
    if target == "ATC":
        return 1 - e, -one
    if target == "ATO":
        return e * (1 - e), 1 - 2 * e
    raise EstimatorError(f"unknown target {target!r}; one of {', '.join(TARGET_POPULATIONS)}")


def balancing_weights(t: np.ndarray, e: np.ndarray, target: str) -> np.ndarray:
    """IPW weights ``h(e) / e`` for the treated and ``h(e) / (1 - e)`` for the controls.

    ATE: ``1 / e`` and ``1 / (1 - e)``; ATT: 1 and the odds ``e / (1 - e)``;
    ATC: ``(1 - e) / e`` and 1; ATO: ``1 - e`` and ``e``.

    Examples
    --------
    >>> balancing_weights(np.array([1.0, 0.0]), np.array([0.5, 0.2]), "ATT").tolist()
    [1.0, 0.25]
    """
    h, _ = tilting(e, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t == 1, h / e, h / (1 - e))


def clip_rule(target: str, clip: float) -> str:
    """The clipping rule of ``target`` in words.

    Examples
    --------
    >>> clip_rule("ATT", 0.01)
    'propensity clipped above at 0.99 (the ATT divides by 1 - e only)'
    """
    if not clip:
        return "propensity not clipped"
    if target == "ATE":
        return f"propensity clipped to [{clip:g}, {1 - clip:g}]"
    if target == "ATT":
        return f"propensity clipped above at {1 - clip:g} (the ATT divides by 1 - e only)"
    if target == "ATC":
        return f"propensity clipped below at {clip:g} (the ATC divides by e only)"
    return "propensity not clipped (the overlap weights never divide by e or 1 - e)"


def clip_propensity(e: np.ndarray, target: str, clip: float) -> tuple[np.ndarray, int]:
    """``e`` clipped at the ends whose inverse enters ``target``'s weights (:func:`clip_rule`), and how many scores moved.

    Raises
    ------
    EstimatorError
        ``clip`` is not in [0, 0.5).

    Examples
    --------
    >>> e, moved = clip_propensity(np.array([0.001, 0.5, 0.999]), "ATT", 0.01)
    >>> e.tolist(), moved
    ([0.001, 0.5, 0.99], 1)
    """
    if isinstance(clip, bool) or not isinstance(clip, (int, float, np.floating)) or not 0 <= clip < 0.5:
        raise EstimatorError(f"trim (the propensity clipping) must be a number in [0, 0.5), got {clip!r}")
    if not clip or target == "ATO":
        return e, 0
    lo = clip if target in ("ATE", "ATC") else 0.0
    hi = 1 - clip if target in ("ATE", "ATT") else 1.0
    out = np.clip(e, lo, hi)
    return out, int(np.count_nonzero(out != e))


@dataclass(frozen=True)
class DoublyRobust:
    """An augmented (doubly robust) estimate of a target and its influence function.

    Attributes
    ----------
    value, se : float
    influence : numpy array
        The estimated efficient influence function of each unit (mean 0); ``se = sd / sqrt(n)``.
    pseudo_outcomes : numpy array
        ``mu1 - mu0`` plus the inverse-weighted residuals (the AIPW scores), whose
        conditional mean is the CATE (the DR-learner regresses them on the effect modifiers).
    """

    value: float
    se: float
    influence: np.ndarray
    pseudo_outcomes: np.ndarray


def doubly_robust(t: np.ndarray, y: np.ndarray, e: np.ndarray, mu1: np.ndarray, mu0: np.ndarray, target: str) -> DoublyRobust:
    r"""The augmented estimate of ``target`` from the propensity ``e`` and the arm outcome models ``mu1``, ``mu0``.

    With ``h`` the target's tilting function (:func:`tilting`), the estimate solves
    the efficient (Neyman-orthogonal) score

    .. math:: \sum_i \big[(h_i + h'_i (T_i - e_i))(\mu_1 - \mu_0 - \psi)
              + h_i \{T_i (Y_i - \mu_1) / e_i - (1 - T_i)(Y_i - \mu_0)/(1 - e_i)\}\big] = 0,

    which for the ATE is the AIPW estimator, for the ATT Hahn's (1998)
    ``Σ [T (Y - μ0) - (1 - T) e / (1 - e) (Y - μ0)] / Σ T`` (no outcome
    model of the treated is needed), for the ATC its mirror, and for the ATO
    the augmented overlap-weighting estimator with the term of the estimated
    weights ``h'(e)(T - e)`` (so its SE accounts for them). The SE is
    ``sd(influence) / sqrt(n)``.

    Examples
    --------
    >>> t = np.array([1.0, 0.0, 1.0, 0.0]); y = np.array([3.0, 1.0, 2.0, 0.0]); e = np.full(4, 0.5)
    >>> doubly_robust(t, y, e, np.full(4, 2.5), np.full(4, 0.5), "ATE").value
    2.0
    """
    h, dh = tilting(e, target)
    residual = t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
    if target == "ATT":  # h/e = 1 and h/(1-e) = the odds: no division by e, so a tiny e is harmless
        residual_h = t * (y - mu1) - (1 - t) * (y - mu0) * e / (1 - e)
    elif target == "ATC":
        residual_h = t * (y - mu1) * (1 - e) / e - (1 - t) * (y - mu0)
    elif target == "ATO":
        residual_h = t * (y - mu1) * (1 - e) - (1 - t) * (y - mu0) * e
    else:
        residual_h = residual
    tau = mu1 - mu0
    a = h + dh * (t - e)
    total = float(a.sum())
    if not total > 0:
        raise EstimatorError(f"the {target} has no weight: no unit belongs to {TARGET_POPULATIONS[target]}")
    value = float((a * tau + residual_h).sum() / total)
    influence = (a * (tau - value) + residual_h) / (total / len(t))
    se = float(influence.std(ddof=1) / np.sqrt(len(t)))
    return DoublyRobust(value, se, influence, tau + residual)


def treatment_kind(values: np.ndarray, column: str, *, estimator: str, declared_continuous: bool = False) -> str:
    """``"binary"`` for a 0/1 treatment, ``"continuous"`` for one with many values; a multi-valued one is refused.

    A numeric treatment with 3 to :data:`MULTIVALUED_MAX_LEVELS` distinct
    values (a dose 0/1/2, a three-arm trial) is neither: a linear per-unit
    effect would be a modelling choice the user did not make, so it is a
    :class:`~dagcore.DataError` unless ``declared_continuous`` says the caller
    asked for a continuous treatment.

    Examples
    --------
    >>> treatment_kind(np.array([0.0, 1.0, 1.0]), "t", estimator="regression")
    'binary'
    >>> treatment_kind(np.array([0.0, 1.0, 2.0]), "t", estimator="regression")
    Traceback (most recent call last):
    ...
    dagcore.errors.DataError: regression: the treatment 't' takes 3 values [0, 1, 2], a multi-valued treatment; ...
    """
    unique = np.unique(values)
    if set(unique.tolist()) <= {0.0, 1.0}:
        return "binary"
    if unique.size <= MULTIVALUED_MAX_LEVELS and not declared_continuous:
        shown = [int(v) if float(v).is_integer() else float(v) for v in unique]
        raise DataError(
            f"{estimator}: the treatment {column!r} takes {unique.size} values {shown}, a multi-valued treatment; "
            "estimate the contrast of two levels (recode it as 0/1 on the rows of those two levels), "
            "or pass treatment_type='continuous' to estimate a linear effect per unit of the treatment"
        )
    return "continuous"
