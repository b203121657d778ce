"""The one nonparametric bootstrap of the estimators and its percentile interval.

Every estimator that bootstraps calls :func:`bootstrap` with a statistic of
row indices; the replicate streams come from
``numpy.random.SeedSequence(random_state).spawn(B)``, so replicate ``b`` is
the same whether the replicates run in one process or in parallel (joblib,
``n_jobs``) and whatever ``B`` is beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dagcore.errors import EstimatorError
from dagcore.estimators._parallel import parallel_map

__all__ = ["bootstrap", "bootstrap_interval", "resample_rows", "spawn_generators", "subsample_rows"]

RandomState = int | np.random.SeedSequence | np.random.Generator | None


def spawn_generators(random_state: RandomState, n: int) -> list[np.random.Generator]:
    """``n`` independent generators spawned from one seed (``SeedSequence.spawn``).

    ``random_state`` is an int, ``None`` (fresh entropy), a ``SeedSequence``
    or a ``Generator`` (one draw of it seeds the sequence).

    Examples
    --------
    >>> a, b = spawn_generators(0, 2)
    >>> float(a.random()) != float(b.random())
    True
    >>> float(spawn_generators(0, 2)[1].random()) == float(spawn_generators(0, 5)[1].random())
    True
    """
    if isinstance(random_state, np.random.Generator):
        seq = np.random.SeedSequence(int(random_state.integers(2**63)))
    elif isinstance(random_state, np.random.SeedSequence):
        seq = random_state
    else:
        seq = np.random.SeedSequence(random_state)
    return [np.random.default_rng(s) for s in seq.spawn(n)]


def resample_rows(rng: np.random.Generator, n: int, groups: list[np.ndarray] | None = None) -> np.ndarray:
    """Row indices of one bootstrap resample of ``n`` rows (within each index array of ``groups`` when given).

    Examples
    --------
    >>> resample_rows(np.random.default_rng(0), 5).shape
    (5,)
    """
    if groups is None:
        return rng.integers(0, n, n)
    return np.concatenate([g[rng.integers(0, g.size, g.size)] for g in groups])


def subsample_rows(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Sorted row indices of a random subset of ``size`` of ``n`` rows, drawn without replacement.

    Examples
    --------
    >>> subsample_rows(np.random.default_rng(0), 10, 4).size
    4
    """
    return np.sort(rng.choice(n, size=size, replace=False))


def bootstrap(
    statistic: Callable[[np.ndarray], Any],
    n: int,
    n_bootstrap: int,
    *,
    random_state: RandomState = 0,
    n_jobs: int | None = None,
    strata: np.ndarray | None = None,
) -> np.ndarray:
    """Replicates of ``statistic(rows)`` on ``n_bootstrap`` resamples of the row indices ``0 .. n-1``.

    Parameters
    ----------
    statistic : callable
        Takes an index array (rows drawn with replacement, ``n`` of them) and
        returns a number or a fixed-length sequence of numbers.
    n : int
        Number of rows.
    n_bootstrap : int
        Replicates (0 gives an empty array).
    random_state : int, SeedSequence, Generator or None
        Seeds replicate ``b`` with the ``b``-th ``SeedSequence`` spawn.
    n_jobs : int, optional
        Replicates run in parallel through joblib (``None``: joblib's default, which a
        ``joblib.parallel_config`` / ``parallel_backend`` context sets; one process otherwise).
    strata : array of length ``n``, optional
        Resample within each stratum (e.g. treatment arm), keeping its size;
        the rows come stratum by stratum in sorted label order.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_bootstrap,)`` for a scalar statistic, ``(n_bootstrap, k)`` for ``k`` values.

    Raises
    ------
    EstimatorError
        ``n_bootstrap`` is not a non-negative integer.

    Examples
    --------
    >>> x = np.arange(10.0)
    >>> reps = bootstrap(lambda rows: x[rows].mean(), len(x), 200, random_state=1)
    >>> reps.shape, bool(abs(reps.mean() - 4.5) < 0.3)
    ((200,), True)
    >>> arm = np.array([0] * 7 + [1] * 3)
    >>> set(bootstrap(lambda rows: arm[rows].sum(), 10, 20, strata=arm).tolist())
    {3.0}
    """
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise EstimatorError(f"n_bootstrap must be a non-negative integer, got {n_bootstrap!r}")
    if n_bootstrap == 0:
        return np.empty(0)
    groups = None if strata is None else [np.flatnonzero(strata == s) for s in np.unique(strata)]

    def one(rng: np.random.Generator) -> Any:
        return statistic(resample_rows(rng, n, groups))

    rngs = spawn_generators(random_state, int(n_bootstrap))
    return np.array(parallel_map(one, ((r,) for r in rngs), n_jobs=n_jobs), dtype=float)


def bootstrap_interval(replicates: np.ndarray, level: float) -> tuple[float, tuple[float, float]]:
    """SE (standard deviation) and percentile interval of bootstrap replicates; NaN with fewer than two.

    Examples
    --------
    >>> se, (lo, hi) = bootstrap_interval(np.arange(101.0), 0.9)
    >>> round(se, 2), round(lo, 6), round(hi, 6)
    (29.3, 5.0, 95.0)
    """
    reps = np.asarray(replicates, dtype=float)
    if reps.size < 2:
        return float("nan"), (float("nan"), float("nan"))
    alpha = 1 - level
    return float(reps.std(ddof=1)), (float(np.quantile(reps, alpha / 2)), float(np.quantile(reps, 1 - alpha / 2)))
