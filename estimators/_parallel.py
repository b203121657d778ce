"""The one way estimators run work in parallel: joblib, with the workers' warnings brought home.

Warnings raised in a joblib worker process never reach the caller's
``warnings.catch_warnings`` (so :meth:`CausalEstimator.fit` could not
re-issue a nuisance model's ``ConvergenceWarning`` with ``n_jobs > 1``).
:func:`parallel_map` records them in the worker and re-issues each one in the
calling process, so the result and the warnings do not depend on ``n_jobs``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["parallel_map"]


def _recording(func: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, list[tuple[type[Warning], str]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args)
    return result, [(w.category, str(w.message)) for w in caught]


def parallel_map(
    func: Callable[..., Any], calls: Iterable[tuple[Any, ...]], *, n_jobs: int | None, parallel: Any = None
) -> list[Any]:
    """``[func(*args) for args in calls]`` through joblib, re-issuing every warning the calls raised.

    Parameters
    ----------
    func : callable
        Run once per argument tuple (pickled to worker processes by joblib).
    calls : iterable of tuple
        The positional arguments of each call.
    n_jobs : int or None
        joblib's ``n_jobs`` (None: one process, or the active
        ``joblib.parallel_config`` backend, e.g. Dask).
    parallel : joblib.Parallel, optional
        An open ``Parallel`` to reuse across batches (its ``n_jobs`` wins).

    Examples
    --------
    >>> import warnings
    >>> def half(x):
    ...     if x < 0:
    ...         warnings.warn("negative input")
    ...     return x / 2
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     parallel_map(half, [(2,), (-4,)], n_jobs=2)
    [1.0, -2.0]
    >>> [str(x.message) for x in w]
    ['negative input']
    """
    from joblib import Parallel, delayed

    runner = parallel if parallel is not None else Parallel(n_jobs=n_jobs)
    results = []
    for result, caught in runner(delayed(_recording)(func, tuple(args)) for args in calls):
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
        results.append(result)
    return results
