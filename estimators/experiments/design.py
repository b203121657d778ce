"""Planning an A/B test: power and sample size for a difference in means (statsmodels' power module)."""

from __future__ import annotations

from dagcore.errors import EstimatorError

__all__ = ["power", "sample_size"]


def _check(effect_size: float, alpha: float) -> None:
    if effect_size <= 0:
        raise EstimatorError(f"effect_size (standardized, Cohen's d) must be positive, got {effect_size}")
    if not 0 < alpha < 1:
        raise EstimatorError(f"alpha must be between 0 and 1, got {alpha}")


def power(effect_size: float, n_per_group: int, *, alpha: float = 0.05, ratio: float = 1.0) -> float:
    """Power of a two-sided two-sample t-test for a standardized effect ``effect_size`` (Cohen's d).

    Examples
    --------
    >>> round(power(0.5, 64), 2)
    0.8
    """
    from statsmodels.stats.power import TTestIndPower

    _check(effect_size, alpha)
    if n_per_group < 2:
        raise EstimatorError("n_per_group must be at least 2")
    return float(TTestIndPower().power(effect_size=effect_size, nobs1=n_per_group, alpha=alpha, ratio=ratio))


def sample_size(effect_size: float, *, power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0) -> int:
    """Units per group (treated) needed to detect ``effect_size`` (Cohen's d) with the given power.

    Examples
    --------
    >>> sample_size(0.5)
    64
    """
    import math

    from statsmodels.stats.power import TTestIndPower

    _check(effect_size, alpha)
    if not 0 < power < 1:
        raise EstimatorError(f"power must be between 0 and 1, got {power}")
    return int(math.ceil(TTestIndPower().solve_power(effect_size=effect_size, power=power, alpha=alpha, ratio=ratio)))
