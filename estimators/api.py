"""``dagcore.estimate``: estimate an identified effect from a DataFrame."""

from __future__ import annotations

from typing import Any

from dagcore.estimators.estimate import Estimate
from dagcore.estimators.registry import resolve

__all__ = ["estimate"]


def estimate(estimand: Any, data: Any, method: Any = None, **options: Any) -> Estimate:
    """Estimate the effect named by ``estimand`` from ``data``.

    Parameters
    ----------
    estimand : Estimand
        From :func:`dagcore.identify`.
    data : pandas.DataFrame
        One column per graph variable used.
    method : str, estimator class or instance, optional
        A short name (``"regression"``, ``"standardization"``, ``"ipw"``,
        ``"aipw"``, ``"stratification"``, ``"matching"``, ``"dml"``, ``"s_learner"``/``"t_learner"``/``"x_learner"``/``"dr_learner"``, ``"difference_in_means"``, ``"2sls"``/``"wald"``,
        ``"frontdoor"``, ``"plugin"``, ``"mediation"``; see
        :func:`~dagcore.estimators.registry.methods_for`), a class, or a
        configured instance; by default the registry's choice for the
        estimand's strategy.
    **options
        Parameters of the estimator (e.g. ``formula=...``, ``n_folds=...``).

    Returns
    -------
    Estimate

    Raises
    ------
    EstimatorError
        The method cannot serve the estimand (the message lists those that can),
        or the effect is not identifiable.
    DataError
        Missing columns (with a did-you-mean), missing values, wrong types.

    Examples
    --------
    >>> import numpy as np, pandas as pd, dagcore
    >>> g = dagcore.parse("z -> x; z -> y; x -> y; x [exposure]; y [outcome]")
    >>> rng = np.random.default_rng(0); z = rng.normal(size=400); x = z + rng.normal(size=400)
    >>> df = pd.DataFrame({"z": z, "x": x, "y": 3 * x - z + rng.normal(size=400)})
    >>> round(estimate(dagcore.identify(g), df).value, 1)
    3.0
    >>> estimate(dagcore.identify(g), df, method="2sls")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagcore.errors.EstimatorError: 2sls cannot serve a 'backdoor' estimand; methods that can: aipw, ..., standardization, ...
    """
    est = resolve(method, estimand, dict(options))
    return est.fit(data, estimand).estimate_
