"""Property-based tests (hypothesis) over random shapes, dtypes, sparsity,
target types and parameter combinations.

For every valid drawn problem: ``fit`` does not crash and emits no
RuntimeWarning, predictions are finite and well-formed, the inputs are not
modified, ``clone`` + refit with the same seed is bit-identical, and a pickle
round trip predicts identically. ``partial_fit`` sequences get the same
checks.

Hypothesis settings (``SETTINGS`` below): ``max_examples=60`` per fit test
and 30 per partial_fit test (about 15 s in all on 2 cores);
``deadline=None`` (fit times vary with the machine's load, and a slow example
is not a failure); ``derandomize=True`` (the examples are a fixed function of
the test source, so CI runs the same examples every time and a failure
reproduces); ``database=None`` (no example database written into the
repository).
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from skreg import MLPClassifier, MLPRegressor  # noqa: E402

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PENALTIES = ["l2", "l1", "elasticnet", "group_lasso", None]
HIDDEN = [(), (3,), (5, 3)]


# -- strategies ------------------------------------------------------------------
@st.composite
def parameters(draw, Est, n_samples):
    solver = draw(st.sampled_from(["adam", "sgd", "lbfgs"]))
    hidden = draw(st.sampled_from(HIDDEN))
    params = {
        "hidden_layer_sizes": hidden,
        "solver": solver,
        "activation": draw(st.sampled_from(["relu", "tanh", "logistic", "identity"])),
        "penalty": draw(st.sampled_from(PENALTIES)),
        "alpha": draw(st.sampled_from([0.0, 1e-4, 0.1, 10.0])),
        "l1_ratio": draw(st.sampled_from([0.0, 0.5, 1.0])),
        "batch_norm": draw(st.booleans()),
        "max_iter": draw(st.integers(2, 8)),
        "learning_rate_init": draw(st.sampled_from([1e-3, 1e-2])),
        "random_state": draw(st.integers(0, 2**16)),
    }
    if Est is MLPRegressor:
        params["loss"] = draw(st.sampled_from(["squared_error", "poisson"]))
    if solver != "lbfgs":
        n_hidden = len(hidden)
        dropout = draw(
            st.one_of(
                st.sampled_from([0.0, 0.3]),
                st.lists(
                    st.sampled_from([0.0, 0.2, 0.5]),
                    min_size=n_hidden,
                    max_size=n_hidden,
                ),
            )
        )
        params.update(
            dropout=dropout,
            input_noise=draw(st.sampled_from([0.0, 0.1])),
            batch_size=draw(st.sampled_from(["auto", 2, 7])),
            early_stopping=draw(st.booleans()) and n_samples >= 20,
            momentum=draw(st.sampled_from([0.0, 0.9])),
            learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
        )
    return params


@st.composite
def problems(draw, Est):
    """``(X, y, sample_weight, params)``: a valid random problem for ``Est``."""
    n = draw(st.integers(8, 60))
    n_features = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    sparse = draw(st.booleans())
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    X = rng.randn(n, n_features) * scale
    if draw(st.booleans()):
        X[:, 0] = 1.0  # a constant column
    if sparse:
        X[rng.rand(n, n_features) < 0.6] = 0.0
        X = sp.csr_matrix(X.astype(dtype))
    else:
        X = X.astype(dtype)
    params = draw(parameters(Est, n))
    signal = rng.randn(n)
    if Est is MLPRegressor:
        if params["loss"] == "poisson":
            y = rng.poisson(np.exp(0.5 * signal)).astype(float)
        else:
            n_outputs = draw(st.integers(1, 3))
            y = rng.randn(n, n_outputs) if n_outputs > 1 else signal
    else:
        target = draw(
            st.sampled_from(["binary", "multiclass", "strings", "multilabel"])
        )
        if target == "multilabel":
            y = (rng.rand(n, 3) < 0.5).astype(int)
            y[:2] = [[0, 0, 0], [1, 1, 1]]  # both values in every column
        else:
            n_classes = 2 if target == "binary" else draw(st.integers(3, 4))
            y = rng.permutation(np.arange(n) % n_classes)
            if target == "strings":
                y = np.array(["cat", "dog", "emu", "fox"])[y]
    sample_weight = None
    if draw(st.booleans()):
        sample_weight = rng.uniform(0.1, 3.0, size=n)
        if draw(st.booleans()):
            sample_weight[0] = 0.0  # a zero weight is allowed
    return X, y, sample_weight, params


# -- helpers ------------------------------------------------------------------------
def _copy(A):
    return None if A is None else A.copy()


def _assert_unchanged(A, A_before):
    if A is None:
        return
    if sp.issparse(A):
        assert A.dtype == A_before.dtype
        for attr in ("data", "indices", "indptr"):
            np.testing.assert_array_equal(getattr(A, attr), getattr(A_before, attr))
    else:
        assert A.dtype == A_before.dtype
        np.testing.assert_array_equal(A, A_before)


def _fit(est, X, y, sample_weight, method="fit", **kwargs):
    """Fit; only ConvergenceWarning and UserWarning (fallbacks) are expected."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(est, method)(X, y, sample_weight=sample_weight, **kwargs)
    unexpected = [
        w
        for w in caught
        if not issubclass(w.category, (ConvergenceWarning, UserWarning))
        or issubclass(w.category, RuntimeWarning)
    ]
    assert not unexpected, [f"{w.category.__name__}: {w.message}" for w in unexpected]
    return est


def _outputs(est, X):
    out = {"predict": est.predict(X)}
    if hasattr(est, "predict_proba"):
        out["predict_proba"] = est.predict_proba(X)
    return out


def _assert_valid_outputs(est, X, y):
    out = _outputs(est, X)
    n = X.shape[0]
    assert out["predict"].shape == np.shape(y)
    if isinstance(est, MLPRegressor):
        assert np.isfinite(out["predict"]).all()
        assert out["predict"].dtype == X.dtype
    else:
        proba = out["predict_proba"]
        assert np.isfinite(proba).all()
        assert ((proba >= 0) & (proba <= 1)).all()
        if np.ndim(y) == 1:
            assert proba.shape == (n, len(est.classes_))
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-4)
            assert set(np.unique(out["predict"])) <= set(est.classes_)
    return out


def _assert_same_outputs(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _assert_same_weights(a, b):
    for W_a, W_b in zip(
        a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(W_a, W_b)


# -- properties -------------------------------------------------------------------
@pytest.mark.parametrize("Est", [MLPRegressor, MLPClassifier], ids=lambda c: c.__name__)
@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_fit_on_valid_input(Est, data):
    X, y, sample_weight, params = data.draw(problems(Est), label="problem")
    X_before, y_before, sw_before = _copy(X), _copy(y), _copy(sample_weight)

    est = _fit(Est(**params), X, y, sample_weight)
    out = _assert_valid_outputs(est, X, y)

    # inputs not modified
    _assert_unchanged(X, X_before)
    _assert_unchanged(y, y_before)
    _assert_unchanged(sample_weight, sw_before)

    # clone + refit with the same seed: bit-identical
    again = _fit(clone(est), X, y, sample_weight)
    _assert_same_weights(est, again)
    _assert_same_outputs(out, _outputs(again, X))

    # pickle round trip: identical predictions
    restored = pickle.loads(pickle.dumps(est))
    _assert_same_outputs(out, _outputs(restored, X))


@pytest.mark.parametrize("Est", [MLPRegressor, MLPClassifier], ids=lambda c: c.__name__)
@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_partial_fit_sequences_on_valid_input(Est, data):
    """Several partial_fit calls on chunks: no crash, finite outputs,
    reproducible, and a pickled model continues exactly like the original."""
    X, y, sample_weight, params = data.draw(problems(Est), label="problem")
    n_chunks = data.draw(st.integers(1, 3), label="n_chunks")
    params = {**params, "early_stopping": False}
    if params["solver"] == "lbfgs":
        params["solver"] = "adam"
    chunks = np.array_split(np.arange(X.shape[0]), n_chunks)
    kwargs = {}
    if Est is MLPClassifier:  # multilabel: one "class" per label column
        kwargs["classes"] = np.unique(y) if np.ndim(y) == 1 else np.arange(3)

    def run(est, parts):
        for rows in parts:
            if params.get("batch_norm") and len(rows) < 2:
                continue  # batch norm refuses a single sample (tested elsewhere)
            sw = None if sample_weight is None else sample_weight[rows]
            if sw is not None and not sw.sum() > 0:
                continue
            _fit(est, X[rows], y[rows], sw, "partial_fit", **kwargs)
        return est

    X_before, y_before = _copy(X), _copy(y)
    est = run(Est(**params), chunks)
    if not hasattr(est, "coefs_"):
        return
    out = _assert_valid_outputs(est, X, y)
    _assert_unchanged(X, X_before)
    _assert_unchanged(y, y_before)
    again = run(Est(**params), chunks)
    _assert_same_outputs(out, _outputs(again, X))
    # continue the original and a pickled copy identically
    restored = pickle.loads(pickle.dumps(est))
    _assert_same_outputs(
        _outputs(run(est, chunks), X), _outputs(run(restored, chunks), X)
    )
