"""SciPy's bundled BLAS is single-threaded during L-BFGS, NumPy's is not."""

import ast
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize  # noqa: F401  (loads SciPy's BLAS)
from threadpoolctl import threadpool_info, threadpool_limits

from skreg import MLPRegressor
from skreg._training import lbfgs as lbfgs_module
from skreg._training.blas import _bundled_by, scipy_blas_single_thread


def _threads_by_path():
    return {
        d["filepath"]: d["num_threads"]
        for d in threadpool_info()
        if d["user_api"] == "blas"
    }


def test_bundled_by_reads_wheel_directories():
    assert _bundled_by("/site-packages/scipy.libs/libscipy_openblas-x.so", "scipy")
    assert _bundled_by("/site-packages/scipy/.dylibs/libopenblas.dylib", "scipy")
    assert not _bundled_by("/site-packages/numpy.libs/libscipy_openblas64_.so", "scipy")
    assert not _bundled_by("/usr/lib/libopenblas.so", "scipy")


def test_only_scipys_own_blas_is_limited_and_restored():
    with threadpool_limits(limits=2, user_api="blas"):
        before = _threads_by_path()
        with scipy_blas_single_thread():
            inside = _threads_by_path()
        assert _threads_by_path() == before
    for path, n in inside.items():
        if (
            len(before) > 1
            and _bundled_by(path, "scipy")
            and not _bundled_by(path, "numpy")
        ):
            assert n == 1
        else:
            assert n == before[path]


def test_lbfgs_runs_inside_the_limit(monkeypatch):
    seen = []
    minimize = scipy.optimize.minimize

    def spy(*args, **kwargs):
        seen.append(_threads_by_path())
        return minimize(*args, **kwargs)

    monkeypatch.setattr(lbfgs_module.scipy.optimize, "minimize", spy)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    with threadpool_limits(limits=2, user_api="blas"):
        outside = _threads_by_path()
        MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5).fit(X, y)
    assert len(seen) == 1
    for path, n in seen[0].items():
        limited = (
            len(outside) > 1
            and _bundled_by(path, "scipy")
            and not _bundled_by(path, "numpy")
        )
        # SciPy's own pool runs single-threaded; NumPy's follows the training
        # thread policy (blas.training_threads), which never raises a limit.
        assert n == 1 if limited else n <= outside[path]


# Modules that run inside the training loops (stochastic and FISTA). A SciPy
# BLAS/LAPACK call there uses SciPy's own OpenBLAS pool, which fights NumPy's
# when both are multithreaded (measured: W2 epochs 4.5x slower with 2 threads
# than with 1, before axpy moved to NumPy).
HOT_LOOP_MODULES = [
    "skreg/_core/activations.py",
    "skreg/_core/layers.py",
    "skreg/_core/losses.py",
    "skreg/_core/network.py",
    "skreg/_core/penalties.py",
    "skreg/_core/regularization_layers.py",
    "skreg/_training/batches.py",
    "skreg/_training/fista.py",
    "skreg/_training/full_batch.py",
    "skreg/_training/optimizers.py",
    "skreg/_training/stochastic.py",
]


def _imported_modules(path):
    tree = ast.parse(Path(path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("module", HOT_LOOP_MODULES)
def test_training_loop_never_imports_scipy_blas(module):
    root = Path(__file__).resolve().parent.parent
    assert (root / module).exists()
    imported = list(_imported_modules(root / module))
    offending = [name for name in imported if name.startswith("scipy.linalg")]
    offending += [name for name in imported if name in ("scipy", "scipy.linalg")]
    assert offending == [], f"{module} imports {offending}"
