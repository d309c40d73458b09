"""Many fits through joblib, with one BLAS thread per job when jobs overlap.

The CV paths and the ensemble members are independent fits. When more than
one runs at a time, each is limited to one BLAS thread (threadpoolctl), so
that ``n_jobs`` workers, each spinning up every core, do not oversubscribe
the machine. The limit is process-wide: with a thread-based backend it also
holds for the other threads while a fit runs, which is what such a backend
wants. Any joblib backend works, a Dask or Ray cluster included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext

from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits


def _run(function: Callable, one_thread: bool, args: tuple):
    with threadpool_limits(limits=1) if one_thread else nullcontext():
        return function(*args)


def map_fits(
    function: Callable,
    tasks: Iterable[tuple],
    *,
    n_jobs=None,
    verbose: int = 0,
    on_done: Callable | None = None,
) -> list:
    """``[function(*args) for args in tasks]``, run by joblib with ``n_jobs``
    workers (one BLAS thread inside each call when more than one runs).

    ``on_done(index, result)`` is called as each result arrives, in task order
    (progress bars).
    """
    one_thread = effective_n_jobs(n_jobs) != 1
    calls = (delayed(_run)(function, one_thread, args) for args in tasks)
    if on_done is None:
        return Parallel(n_jobs=n_jobs, verbose=verbose)(calls)
    results = []
    parallel = Parallel(n_jobs=n_jobs, verbose=verbose, return_as="generator")
    for index, result in enumerate(parallel(calls)):
        on_done(index, result)
        results.append(result)
    return results
