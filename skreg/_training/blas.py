"""BLAS threads in training: one policy for the loop, and SciPy's BLAS kept
single-threaded while NumPy's does the matmuls.

Threads per matrix product (:func:`training_threads`). A training step's
matrix products are small (a minibatch of rows times a layer), and splitting
a small product over threads costs more in synchronization than it saves: on
an idle 2-core machine W1 of ``benchmarks/bench_fit.py`` (digits, hidden
(256, 128), batch 64; largest product 64 x 256 x 128) took 0.49 s with two
BLAS threads and about 0.45 s with one. On a busy machine it is far worse: a
second thread has to wait for a core that another process holds, and with
one CPU-bound process beside it the same fit took 1.1-2.6 s with two threads
(0.45 s with one), up to 14x slower under heavier load. So the training loop
gives each product at most one thread per ``WORK_PER_THREAD`` multiply-adds
(float64; float32 products run twice as fast, so they need twice as many):
small networks train at their one-thread speed whatever the load, and large
ones still use every core. The policy only ever lowers the thread count, so
a limit set by the user (``threadpool_limits``, ``OPENBLAS_NUM_THREADS``) or
by a parallel CV / ensemble job is never raised, and the setting is restored
when the loop ends.

SciPy's BLAS (:func:`scipy_blas_single_thread`). NumPy and SciPy wheels
each bundle an OpenBLAS with its own thread pool. When code alternates
between the two (scipy's L-BFGS-B does vector work through SciPy's BLAS
between our NumPy matmuls), each pool's idle workers spin while the other
pool's run, and on a 2-core machine a fit became ~3x slower with 2 threads
than with 1 (scikit-learn's MLP with lbfgs shows the same). SciPy's share of
the work is vector operations that gain nothing from threads, so limiting
only its library to one thread removes the fight and leaves NumPy's matmuls
multithreaded.
"""

from __future__ import annotations

import os
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import PurePath

import numpy as np
from threadpoolctl import ThreadpoolController

#: Multiply-adds (m * n * k of one float64 product) that justify one thread.
WORK_PER_THREAD = 4_000_000

_blas = None  # the BLAS libraries' controller, built once (about 1 ms)


def _blas_controller():
    """threadpoolctl's controller of the loaded BLAS libraries (cached: they
    are loaded with NumPy and SciPy, before any fit; ``num_threads`` is read
    live from each library)."""
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def training_threads(n_rows_per_step: int, widths, dtype) -> int:
    """BLAS threads worth using for a training step's matrix products.

    Parameters
    ----------
    n_rows_per_step : int
        Rows in one step's products: the minibatch size (stochastic solvers)
        or the number of samples (full-batch solvers). For a batched engine,
        the rows of one model's product (one gemm call).
    widths : sequence of int
        Layer widths ``[n_features, hidden_1, ..., n_outputs]``.
    dtype : numpy dtype
        Dtype of the products.

    Returns
    -------
    int
        ``largest product's multiply-adds * itemsize / 8 / WORK_PER_THREAD``,
        rounded down, between 1 and the number of CPUs. Callers must never
        raise a lower current limit to it (:func:`limit_training_threads`
        takes the minimum).
    """
    widths = [int(w) for w in widths]
    largest = max((a * b for a, b in zip(widths[:-1], widths[1:])), default=0) * int(
        n_rows_per_step
    )
    work = largest * np.dtype(dtype).itemsize / 8
    return int(max(1, min(os.cpu_count() or 1, work // WORK_PER_THREAD)))


@contextmanager
def limit_training_threads(n_rows_per_step: int, widths, dtype):
    """Limit every BLAS library to ``min(current, training_threads(...))``
    threads inside the block; restore each library's setting after.

    Yields the number of threads chosen (before the minimum with each
    library's current setting).
    """
    threads = training_threads(n_rows_per_step, widths, dtype)
    blas = _blas_controller()
    with ExitStack() as stack:
        for lib in blas.lib_controllers:
            if lib.num_threads > threads:
                selected = blas.select(filepath=lib.filepath)
                stack.enter_context(selected.limit(limits=threads))
        yield threads


def network_widths(network) -> list[int]:
    """``[n_features, hidden_1, ..., n_outputs]`` of a network's dense layers."""
    return [network.dense[0].n_in, *(layer.n_out for layer in network.dense)]


def _bundled_by(filepath: str, package: str) -> bool:
    """Whether ``filepath`` lives in ``package``'s wheel (``scipy.libs``,
    ``scipy/.dylibs``, ...)."""
    return any(
        part == package or part.startswith(package + ".")
        for part in PurePath(filepath).parts
    )


def scipy_blas_single_thread():
    """Context manager limiting SciPy's bundled BLAS to one thread.

    A no-op when SciPy and NumPy share one BLAS (e.g. conda), because then
    limiting SciPy's would also limit NumPy's matmuls.
    """
    controller = _blas_controller()
    scipy_libs = [
        lib.filepath
        for lib in controller.lib_controllers
        if _bundled_by(lib.filepath, "scipy") and not _bundled_by(lib.filepath, "numpy")
    ]
    if not scipy_libs or len(scipy_libs) == len(controller.lib_controllers):
        return nullcontext()
    return controller.select(filepath=scipy_libs).limit(limits=1)
