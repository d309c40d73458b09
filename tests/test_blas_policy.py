"""The BLAS thread policy of the training loops: chosen from the work per
matrix product, only ever lowering the current limit, restored afterwards."""

import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from skreg import MLPClassifier, MLPRegressor
from skreg._training import blas
from skreg._training.blas import (
    WORK_PER_THREAD,
    limit_training_threads,
    training_threads,
)

CPUS = os.cpu_count() or 1


def _blas_threads() -> dict[str, int]:
    return {
        d["filepath"]: d["num_threads"]
        for d in threadpool_info()
        if d["user_api"] == "blas"
    }


# -- the choice ------------------------------------------------------------------
def test_small_products_get_one_thread():
    # W1 of bench_fit: batch 64, digits, hidden (256, 128), 10 classes
    assert training_threads(64, [64, 256, 128, 10], np.float64) == 1
    # W4: batch 32, breast cancer, hidden (64,)
    assert training_threads(32, [30, 64, 1], np.float64) == 1


def test_threads_grow_with_the_largest_product():
    widths = [100, 256, 256, 1]  # largest product: rows x 256 x 256
    rows = -(-WORK_PER_THREAD // (256 * 256))  # just enough for one thread
    assert training_threads(rows - 1, widths, np.float64) == 1
    assert training_threads(rows, widths, np.float64) == 1
    assert training_threads(2 * rows, widths, np.float64) == min(2, CPUS)
    assert training_threads(1000 * rows, widths, np.float64) == CPUS


def test_float32_needs_twice_the_work_per_thread():
    widths = [100, 256, 256, 1]
    rows = -(-2 * WORK_PER_THREAD // (256 * 256))
    assert training_threads(rows, widths, np.float64) == min(2, CPUS)
    assert training_threads(rows, widths, np.float32) == 1


# -- the limit -------------------------------------------------------------------
def test_the_limit_lowers_and_restores():
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with limit_training_threads(8, [4, 8, 1], np.float64) as chosen:
            inside = _blas_threads()
        assert _blas_threads() == before
    assert chosen == 1
    assert set(inside.values()) == {1}


@pytest.mark.parametrize("user_limit", [1, 2])
def test_the_limit_never_raises_a_lower_setting(user_limit):
    """A large problem would be given every CPU, but the user's (or a CV
    job's) lower limit stays."""
    with threadpool_limits(limits=user_limit, user_api="blas"):
        before = _blas_threads()
        with limit_training_threads(10**6, [512, 512, 512], np.float64):
            inside = _blas_threads()
    assert inside == before


# -- applied by every solver -------------------------------------------------------
def _spy_threads(monkeypatch, module, name):
    """Record the BLAS threads each time ``module.name`` is called."""
    seen = []
    original = getattr(module, name)

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return seen


def _data(n, d):
    X = np.random.default_rng(0).normal(size=(n, d))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "solver, penalty", [("adam", "l2"), ("sgd", "l1"), ("lbfgs", "l2"), ("lbfgs", "l1")]
)
def test_every_solver_trains_a_small_network_on_one_thread(
    monkeypatch, solver, penalty
):
    from skreg._core.network import Network

    seen = _spy_threads(monkeypatch, Network, "loss_and_gradient")
    X, y = _data(60, 4)
    est = MLPClassifier(
        hidden_layer_sizes=(8,), solver=solver, penalty=penalty, max_iter=3
    )
    with threadpool_limits(limits=2, user_api="blas"):
        outside = _blas_threads()
        with pytest.warns(Warning):  # max_iter=3 does not converge
            est.fit(X, y)
        after = _blas_threads()
    assert seen and all(set(s.values()) == {1} for s in seen)
    assert after == outside


def test_a_large_full_batch_fit_keeps_the_threads(monkeypatch):
    """L-BFGS on every row at once: products large enough for every CPU, so
    NumPy's BLAS keeps its setting (SciPy's own stays at one thread)."""
    from skreg._core.network import Network

    seen = _spy_threads(monkeypatch, Network, "loss_and_gradient")
    X, y = _data(4000, 64)
    X = X.astype(np.float32)
    est = MLPRegressor(hidden_layer_sizes=(64,), solver="lbfgs", max_iter=1)
    assert training_threads(4000, [64, 64, 1], np.float32) == CPUS
    with threadpool_limits(limits=2, user_api="blas"):
        outside = _blas_threads()
        with pytest.warns(Warning):
            est.fit(X, y)
    numpy_libs = [p for p in outside if blas._bundled_by(p, "numpy")]
    assert seen
    for path in numpy_libs:
        assert all(s[path] == min(outside[path], CPUS) for s in seen)
