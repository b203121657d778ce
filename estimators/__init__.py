"""Estimation and refutation: from an :class:`~dagcore.Estimand` and a DataFrame to an estimate.

Installed as ``dagcore.estimators``. Imported lazily by :mod:`dagcore` and the
CLI so that graph-only work never pays for pandas, statsmodels or scikit-learn.
"""

from dagcore.estimators.estimate import Estimate

__all__ = ["Estimate"]
