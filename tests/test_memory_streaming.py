"""Long or large fits stay safe: memory bounded by the batch and the network,
chunked prediction, streaming with partial_fit over a memory-mapped file (and
dask-ml's Incremental when it is installed), and Ctrl-C during fit.

Memory is measured with tracemalloc, which sees NumPy's allocations. The data
are allocated before tracing starts, so the peaks are what fit / predict
allocate on top of their inputs.
"""

from __future__ import annotations

import gc
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skreg import MLPClassifier, MLPRegressor

ESTIMATORS = [MLPRegressor, MLPClassifier]
ids = [Est.__name__ for Est in ESTIMATORS]


def _data(Est, n, n_features=20, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features)
    w = rng.randn(n_features) / np.sqrt(n_features)
    signal = np.tanh(X @ w) + 0.1 * rng.randn(n)
    if Est is MLPClassifier:
        return X, (signal > 0).astype(int)
    return X, signal


def _traced_peak(fn) -> int:
    """Peak bytes allocated while ``fn()`` runs, above what was live before."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


# =============================================================================
# Memory
# =============================================================================
WIDTH = 256
SIZES = (20_000, 80_000)


def _fit_peak(Est, n):
    X, y = _data(Est, n)
    est = Est(hidden_layer_sizes=(WIDTH,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _traced_peak(lambda: est.fit(X, y))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=ids)
def test_fit_memory_is_bounded_by_batch_and_network_not_n_samples(Est):
    """One epoch of adam (batch 200) with a 256-unit hidden layer, at 20k and
    80k rows x 20 features. Activations of the whole data set would take
    n_samples x 256 x 8 bytes (41 MB and 164 MB); a minibatch loop needs the
    batch's activations, the parameters and O(n_samples) bookkeeping (a
    permutation, the encoded targets). No early stopping: its split copies X.
    """
    peaks = {n: _fit_peak(Est, n) for n in SIZES}
    small, large = SIZES
    full_activations = large * WIDTH * 8
    print(f"fit peak: {peaks[small] / 1e6:.2f} MB at {small} rows, "
          f"{peaks[large] / 1e6:.2f} MB at {large} rows")  # fmt: skip
    assert peaks[large] < 0.05 * full_activations
    # growth per extra row: far below one row of activations (WIDTH x 8 bytes)
    per_row = (peaks[large] - peaks[small]) / (large - small)
    assert per_row < 0.05 * WIDTH * 8


@pytest.mark.parametrize("Est", ESTIMATORS, ids=ids)
def test_predict_works_in_chunks(Est):
    peaks = {}
    for n in SIZES:
        X, y = _data(Est, n)
        est = Est(hidden_layer_sizes=(WIDTH,), max_iter=1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X[:2000], y[:2000])
        method = est.predict_proba if Est is MLPClassifier else est.predict
        peaks[n] = _traced_peak(lambda: method(X))  # noqa: B023
        np.testing.assert_allclose(method(X[:500]), method(X)[:500], rtol=1e-12)
    small, large = SIZES
    assert peaks[large] < 0.1 * large * WIDTH * 8
    assert peaks[large] - peaks[small] < 0.05 * (large - small) * WIDTH * 8


# =============================================================================
# Streaming: partial_fit over a memory-mapped file
# =============================================================================
N_STREAM, N_FEATURES, CHUNK, EPOCHS = 40_000, 20, 4_000, 4


def _memmapped(tmp_path, Est):
    """Training data written to disk and opened read-only as memmaps, plus a
    held-out test set in memory."""
    X, y = _data(Est, N_STREAM + 4_000, n_features=N_FEATURES, seed=1)
    X_test, y_test = X[N_STREAM:], y[N_STREAM:]
    paths = tmp_path / "X.dat", tmp_path / "y.dat"
    for path, A in zip(paths, (X[:N_STREAM], y[:N_STREAM])):
        mm = np.memmap(path, dtype=np.float64, mode="w+", shape=A.shape)
        mm[...] = A
        mm.flush()
        del mm
    X_mm = np.memmap(paths[0], dtype=np.float64, mode="r", shape=(N_STREAM, N_FEATURES))
    y_mm = np.memmap(paths[1], dtype=np.float64, mode="r", shape=(N_STREAM,))
    if Est is MLPClassifier:
        y_mm = y_mm.astype(int)  # labels: 40k ints, the size of one column
    return X_mm, y_mm, X_test, y_test


def _stream(est, X_mm, y_mm, epochs):
    classes = np.unique(y_mm) if isinstance(est, MLPClassifier) else None
    for _ in range(epochs):
        for start in range(0, X_mm.shape[0], CHUNK):
            stop = start + CHUNK
            kwargs = {"classes": classes} if classes is not None else {}
            est.partial_fit(X_mm[start:stop], y_mm[start:stop], **kwargs)
    return est


@pytest.mark.parametrize("Est", ESTIMATORS, ids=ids)
def test_partial_fit_over_memmap_chunks_matches_fit(tmp_path, Est):
    X_mm, y_mm, X_test, y_test = _memmapped(tmp_path, Est)
    params = {"hidden_layer_sizes": (32,), "learning_rate_init": 0.003}
    streamed = Est(random_state=0, **params)
    peak = _traced_peak(lambda: _stream(streamed, X_mm, y_mm, EPOCHS))
    # never more than a few chunks' worth in memory at once
    assert peak < 0.25 * X_mm.nbytes
    assert streamed.t_ == EPOCHS * N_STREAM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = Est(random_state=0, max_iter=EPOCHS, **params)
        full.fit(np.asarray(X_mm), np.asarray(y_mm))
    s_stream, s_full = streamed.score(X_test, y_test), full.score(X_test, y_test)
    assert s_full > 0.85
    assert abs(s_stream - s_full) < 0.02, (s_stream, s_full)


def test_dask_ml_incremental_over_a_dask_array(tmp_path):
    """dask-ml's Incremental feeds the blocks of a dask array (here over the
    memmap) to partial_fit. dask-ml's own scorers are not used: they fail
    with recent dask versions, independently of skreg."""
    pytest.importorskip("dask_ml")
    da = pytest.importorskip("dask.array")
    from dask_ml.wrappers import Incremental

    X_mm, y_mm, X_test, y_test = _memmapped(tmp_path, MLPRegressor)
    X_da = da.from_array(X_mm, chunks=(CHUNK, N_FEATURES))
    y_da = da.from_array(y_mm, chunks=CHUNK)
    params = {"hidden_layer_sizes": (32,), "learning_rate_init": 0.003}
    inc = Incremental(MLPRegressor(random_state=0, **params), shuffle_blocks=False)
    for _ in range(EPOCHS):
        inc.partial_fit(X_da, y_da)
    streamed = inc.estimator_
    assert streamed.t_ == EPOCHS * N_STREAM
    reference = _stream(MLPRegressor(random_state=0, **params), X_mm, y_mm, EPOCHS)
    # the same chunks in the same order: the same model
    np.testing.assert_allclose(streamed.predict(X_test), reference.predict(X_test))
    np.testing.assert_allclose(
        inc.predict(da.from_array(X_test, chunks=1000)).compute(),
        streamed.predict(X_test),
    )
    assert streamed.score(X_test, y_test) > 0.85


# =============================================================================
# Interruption (Ctrl-C)
# =============================================================================
N_INT, BATCH = 1_000, 100  # 10 batches per epoch


def _interrupt_at_batch(monkeypatch, k):
    """Raise KeyboardInterrupt when the k-th minibatch (counted over the whole
    fit, from 1) is about to start."""
    from skreg._training import stochastic

    original = stochastic.batch_bounds
    count = {"n": 0}

    def batch_bounds(*args, **kwargs):
        for bounds in original(*args, **kwargs):
            count["n"] += 1
            if count["n"] == k:
                raise KeyboardInterrupt
            yield bounds

    monkeypatch.setattr(stochastic, "batch_bounds", batch_bounds)


def _interrupt_at_epoch(monkeypatch, k):
    """Raise KeyboardInterrupt when the k-th epoch (from 1) is about to start."""
    from skreg._training import stochastic

    original = stochastic.StochasticRun.run_epoch
    count = {"n": 0}

    def run_epoch(self, *args, **kwargs):
        count["n"] += 1
        if count["n"] == k:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(stochastic.StochasticRun, "run_epoch", run_epoch)


def _weights(est):
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("Est", ESTIMATORS, ids=ids)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("where", ["epoch_start", "mid_epoch"])
def test_keyboard_interrupt_keeps_the_last_completed_epoch(
    Est, solver, where, monkeypatch
):
    """Ctrl-C in epoch 4 (at its start, or after 5 of its 10 batches): fit
    returns with a warning, n_iter_ == 3, and the model is the one of epoch 3
    (the same as a fit with max_iter=3), usable for predict."""
    X, y = _data(Est, N_INT, n_features=5)
    est = Est(
        hidden_layer_sizes=(8,),
        solver=solver,
        batch_size=BATCH,
        max_iter=20,
        tol=0.0,
        learning_rate_init=0.01,
        random_state=0,
    )
    if where == "epoch_start":
        _interrupt_at_epoch(monkeypatch, 4)
    else:
        _interrupt_at_batch(monkeypatch, 3 * (N_INT // BATCH) + 6)
    with pytest.warns(UserWarning, match="(?i)interrupted"):
        est.fit(X, y)
    monkeypatch.undo()
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 3
    pred = est.predict(X)
    assert pred.shape == (N_INT,)
    assert np.isfinite(est.predict(X).astype(float)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        at_epoch_3 = clone(est).set_params(max_iter=3).fit(X, y)
    for W, W_ref in zip(_weights(est), _weights(at_epoch_3), strict=True):
        np.testing.assert_array_equal(W, W_ref)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=ids)
def test_keyboard_interrupt_with_early_stopping_keeps_the_best_epoch(Est, monkeypatch):
    X, y = _data(Est, N_INT, n_features=5)
    est = Est(
        hidden_layer_sizes=(8,),
        batch_size=BATCH,
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=50,
        learning_rate_init=0.01,
        random_state=0,
    )
    _interrupt_at_batch(monkeypatch, 5 * (N_INT * 9 // 10 // BATCH) + 3)
    with pytest.warns(UserWarning, match="(?i)interrupted"):
        est.fit(X, y)
    monkeypatch.undo()
    assert est.n_iter_ == 5
    assert est.best_validation_score_ == max(est.validation_scores_)
    best = int(np.argmax(est.validation_scores_)) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        at_best = clone(est).set_params(max_iter=best).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), at_best.predict(X))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=ids)
def test_keyboard_interrupt_in_partial_fit_keeps_the_previous_model(Est, monkeypatch):
    """A partial_fit interrupted mid-way leaves the model of the previous
    call (its one epoch did not complete) and training can go on."""
    X, y = _data(Est, N_INT, n_features=5)
    est = Est(hidden_layer_sizes=(8,), batch_size=BATCH, random_state=0)
    kwargs = {"classes": np.unique(y)} if Est is MLPClassifier else {}
    est.partial_fit(X, y, **kwargs)
    before = [W.copy() for W in _weights(est)]
    _interrupt_at_batch(monkeypatch, 4)
    with pytest.warns(UserWarning, match="(?i)interrupted"):
        est.partial_fit(X, y)
    monkeypatch.undo()
    for W, W0 in zip(_weights(est), before, strict=True):
        np.testing.assert_array_equal(W, W0)
    est.partial_fit(X, y)
    assert np.isfinite(est.predict(X).astype(float)).all()
