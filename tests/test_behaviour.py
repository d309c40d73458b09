"""Behaviour of the estimators: penalty strength independent of the batch
size, partial_fit, reproducibility, pickling, input handling, dtypes, sparse
input, output shapes, exact sparsity, divergence, early stopping, warnings
and warm starts."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

from skreg import MLPClassifier, MLPRegressor

ESTIMATORS = [MLPRegressor, MLPClassifier]
STOCHASTIC = ["adam", "sgd"]
SOLVERS = ["lbfgs", "sgd", "adam"]

# A small, quick network: see fast_params in conftest.py.
pytestmark = pytest.mark.fast(max_iter=30)

ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


# -- data ---------------------------------------------------------------------
@pytest.fixture
def data(make_regression_data, make_classification_data):
    """``data(Est, **kwargs)``: standardized regression or classification data."""

    def make(Est, **kwargs):
        if Est is MLPRegressor:
            return make_regression_data(**kwargs)
        return make_classification_data(**kwargs)

    return make


def _fit_quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def _assert_same_weights(a, b):
    for W_a, W_b in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_array_equal(W_a, W_b)
    for b_a, b_b in zip(a.intercepts_, b.intercepts_, strict=True):
        np.testing.assert_array_equal(b_a, b_b)


def _flat(est):
    return np.concatenate([W.ravel() for W in est.coefs_ + est.intercepts_])


# -- penalty strength does not depend on the batch size -----------------------
def _rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@ignore_convergence
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_same_alpha_same_solution_for_every_batch_size(Est, solver, data):
    X, y = data(Est)
    n = X.shape[0]
    alpha = 0.5 * n
    glm = {"hidden_layer_sizes": (), "random_state": 0}
    exact = {"solver": "lbfgs", "tol": 1e-10, "max_iter": 1000}
    ref = Est(alpha=alpha, **glm, **exact).fit(X, y).coefs_[0].ravel()
    unpenalized = Est(alpha=0.0, **glm, **exact).fit(X, y).coefs_[0].ravel()
    # The penalty matters: the solution is visibly shrunk.
    assert np.linalg.norm(ref) < 0.8 * np.linalg.norm(unpenalized)

    for batch_size in [n, n // 4, 10]:
        est = Est(
            alpha=alpha,
            solver=solver,
            batch_size=batch_size,
            learning_rate_init=0.005,
            max_iter=400,
            tol=0.0,
            n_iter_no_change=10**6,
            shuffle=False,
            **glm,
        ).fit(X, y)
        assert _rel(est.coefs_[0].ravel(), ref) < 1e-2, batch_size


@ignore_convergence
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_scikit_learn_mlp_penalty_depends_on_batch_size_ours_does_not(Est, data):
    """Informative: scikit-learn divides the penalty by the batch size, so its
    solution at the same alpha moves with batch_size; skreg's does not."""
    SkEst = SklearnMLPRegressor if Est is MLPRegressor else SklearnMLPClassifier
    X, y = data(Est)
    n = X.shape[0]
    params = {
        "hidden_layer_sizes": (),
        "alpha": 0.5 * n,
        "solver": "adam",
        "learning_rate_init": 0.005,
        "max_iter": 400,
        "tol": 0.0,
        "n_iter_no_change": 10**6,
        "shuffle": False,
        "random_state": 0,
    }

    def spread(E):
        full = E(batch_size=n, **params).fit(X, y).coefs_[0].ravel()
        small = E(batch_size=10, **params).fit(X, y).coefs_[0].ravel()
        return _rel(small, full)

    ours, theirs = spread(Est), spread(SkEst)
    assert ours < 1e-2
    assert theirs > 0.3
    assert theirs > 30 * ours


# -- partial_fit ---------------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_partial_fit_k_times_equals_fit_with_max_iter_k(
    Est, solver, weighted, data, fast_estimator
):
    X, y = data(Est, n_classes=3) if Est is MLPClassifier else data(Est)
    sw = None
    if weighted:
        sw = np.random.RandomState(0).uniform(0.5, 2.0, size=X.shape[0])
    k = 5
    params = {"solver": solver, "shuffle": False, "batch_size": 16, "max_iter": k}
    fitted = fast_estimator(Est, **params).fit(X, y, sample_weight=sw)

    incremental = fast_estimator(Est, **params)
    for i in range(k):
        if Est is MLPClassifier and i == 0:
            incremental.partial_fit(X, y, sample_weight=sw, classes=np.unique(y))
        else:
            incremental.partial_fit(X, y, sample_weight=sw)

    _assert_same_weights(incremental, fitted)
    assert incremental.t_ == fitted.t_ == k * X.shape[0]
    np.testing.assert_array_equal(incremental.loss_curve_, fitted.loss_curve_)


def test_partial_fit_unavailable_for_lbfgs_and_early_stopping(make_regression_data):
    X, y = make_regression_data()
    for est in [MLPRegressor(solver="lbfgs"), MLPClassifier(solver="lbfgs")]:
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError):
            est.partial_fit(X, y)
    # as scikit-learn's: the method exists and refuses when called
    with pytest.raises(ValueError, match="early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y)


# -- reproducibility ----------------------------------------------------------
REPRO_CASES = [
    *[(solver, "l2") for solver in SOLVERS],
    ("adam", "l1"),
    ("sgd", "l1"),
    ("adam", "elasticnet"),
]


@ignore_convergence
@pytest.mark.parametrize("solver, penalty", REPRO_CASES)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_fixed_random_state_reproduces_the_fit(
    Est, solver, penalty, data, fast_estimator
):
    X, y = data(Est)
    est = fast_estimator(Est, solver=solver, penalty=penalty, alpha=1.0, random_state=7)
    first = clone(est).fit(X, y)
    second = clone(est).fit(X, y)
    _assert_same_weights(first, second)
    again = clone(first).fit(X, y)  # clone of a fitted estimator
    _assert_same_weights(first, again)
    est.fit(X, y)
    est.fit(X, y)  # refit of the same object starts afresh
    _assert_same_weights(first, est)

    other = clone(est).set_params(random_state=8).fit(X, y)
    assert not np.array_equal(_flat(first), _flat(other))


# -- pickle -------------------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_pickle_round_trip(Est, solver, data, fast_estimator):
    X, y = data(Est, n_classes=3) if Est is MLPClassifier else data(Est)
    est = fast_estimator(Est, solver=solver).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    if Est is MLPClassifier:
        np.testing.assert_array_equal(restored.predict_proba(X), est.predict_proba(X))
    _assert_same_weights(restored, est)


@ignore_convergence
@pytest.mark.parametrize(
    "copy_fn",
    [lambda est: pickle.loads(pickle.dumps(est)), copy.deepcopy],
    ids=["pickle", "deepcopy"],
)
def test_partial_fit_continues_identically_after_pickle_or_deepcopy(
    copy_fn, make_regression_data, fast_estimator
):
    """partial_fit keeps optimizer state between calls; a pickled (or
    deep-copied) estimator must continue exactly like the original, as
    scikit-learn's MLP does."""
    X, y = make_regression_data()
    est = fast_estimator(MLPRegressor, shuffle=False, batch_size=10)
    est.partial_fit(X, y)
    restored = copy_fn(est)
    for _ in range(3):
        est.partial_fit(X, y)
        restored.partial_fit(X, y)
    _assert_same_weights(restored, est)
    assert restored.loss_ == est.loss_


# -- inputs are never modified ------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_inputs_are_not_modified(Est, solver, sparse_X, data, fast_estimator):
    X, y = data(Est)
    if sparse_X:
        X = X.copy()
        X[np.abs(X) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=X.shape[0])
    X_copy, y_copy, sw_copy = X.copy(), y.copy(), sw.copy()

    def check():
        if sparse_X:
            for attr in ("data", "indices", "indptr"):
                np.testing.assert_array_equal(getattr(X, attr), getattr(X_copy, attr))
        else:
            np.testing.assert_array_equal(X, X_copy)
        np.testing.assert_array_equal(y, y_copy)
        np.testing.assert_array_equal(sw, sw_copy)

    est = fast_estimator(Est, solver=solver, max_iter=5, early_stopping=False)
    est.fit(X, y, sample_weight=sw)
    check()
    est.predict(X)
    check()
    if Est is MLPClassifier:
        est.predict_proba(X)
        check()
    if solver != "lbfgs":
        est.partial_fit(X, y, sample_weight=sw)
        check()
        fast_estimator(Est, solver=solver, early_stopping=True, max_iter=5).fit(
            X, y, sample_weight=sw
        )
        check()


# -- dtypes -------------------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_dtype_is_preserved(Est, solver, dtype, data, fast_estimator):
    X, y = data(Est)
    X = X.astype(dtype)
    est = fast_estimator(Est, solver=solver, max_iter=5).fit(X, y)
    for W, b in zip(est.coefs_, est.intercepts_, strict=True):
        assert W.dtype == dtype
        assert b.dtype == dtype
    if Est is MLPRegressor:
        assert est.predict(X).dtype == dtype
    else:
        assert est.predict_proba(X).dtype == dtype
    assert np.isfinite(est.loss_)


# -- sparse input -------------------------------------------------------------
SPARSE_CASES = [("lbfgs", False), ("sgd", False), ("adam", False), ("adam", True)]


@ignore_convergence
@pytest.mark.parametrize("solver, shuffle", SPARSE_CASES)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_sparse_input_fits_like_dense(Est, solver, shuffle, data, fast_estimator):
    X, y = data(Est)
    X = X.copy()
    X[np.abs(X) < 0.5] = 0.0
    params = {
        "solver": solver,
        "shuffle": shuffle,
        "batch_size": 16,
        "max_iter": 20,
        "alpha": 0.1,
    }
    dense = fast_estimator(Est, **params).fit(X, y)
    for fmt in (sp.csr_matrix, sp.csc_matrix):
        sparse = fast_estimator(Est, **params).fit(fmt(X), y)
        np.testing.assert_allclose(_flat(sparse), _flat(dense), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(
            sparse.predict(fmt(X)), dense.predict(X), rtol=1e-6, atol=1e-9
        )


# -- output shapes ------------------------------------------------------------
@ignore_convergence
def test_multi_output_regression_shapes(make_regression_data, fast_estimator):
    X, _ = make_regression_data()
    rng = np.random.RandomState(0)
    Y = X[:, :3] @ rng.randn(3, 3) + 0.1 * rng.randn(X.shape[0], 3)
    est = fast_estimator(MLPRegressor).fit(X, Y)
    assert est.n_outputs_ == 3
    assert est.coefs_[-1].shape == (8, 3)
    assert est.intercepts_[-1].shape == (3,)
    assert est.predict(X).shape == (X.shape[0], 3)
    assert est.out_activation_ == "identity"
    # A single column is raveled, as in scikit-learn.
    single = fast_estimator(MLPRegressor).fit(X, Y[:, 0])
    assert single.predict(X).shape == (X.shape[0],)


@ignore_convergence
@pytest.mark.parametrize("solver", SOLVERS)
def test_multilabel_classification(solver, make_classification_data, fast_estimator):
    X, _ = make_classification_data()
    rng = np.random.RandomState(0)
    Y = (X[:, :3] + 0.3 * rng.randn(X.shape[0], 3) > 0).astype(int)
    est = fast_estimator(MLPClassifier, solver=solver, max_iter=100).fit(X, Y)
    pred = est.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    proba = est.predict_proba(X)
    assert proba.shape == Y.shape
    assert np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    assert est.out_activation_ == "logistic"
    assert est.score(X, Y) > 0.5  # subset accuracy of an easy problem


@ignore_convergence
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("solver", SOLVERS)
def test_classifier_probabilities(
    solver, n_classes, make_classification_data, fast_estimator
):
    X, y = make_classification_data(n_classes=n_classes)
    labels = np.array(["a", "b", "c"])[y]
    est = fast_estimator(MLPClassifier, solver=solver).fit(X, labels)
    np.testing.assert_array_equal(est.classes_, np.unique(labels))
    proba = est.predict_proba(X)
    assert proba.shape == (X.shape[0], n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    with np.errstate(divide="ignore"):  # a probability may underflow to 0
        log_proba = np.log(proba)
    np.testing.assert_allclose(est.predict_log_proba(X), log_proba, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    expected = "softmax" if n_classes > 2 else "logistic"
    assert est.out_activation_ == expected


@ignore_convergence
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_dataframe_input_sets_feature_names(Est, data, fast_estimator):
    pd = pytest.importorskip("pandas")
    X, y = data(Est)
    columns = [f"feature_{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    est = fast_estimator(Est).fit(df, y)
    np.testing.assert_array_equal(est.feature_names_in_, columns)
    assert est.n_features_in_ == X.shape[1]
    with pytest.warns(UserWarning, match="feature names"):
        from_array = est.predict(X)
    np.testing.assert_array_equal(est.predict(df), from_array)
    # A plain array has no feature names.
    assert not hasattr(fast_estimator(Est).fit(X, y), "feature_names_in_")


# -- exact sparsity -----------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_l1_gives_exact_zeros_l2_does_not(Est, solver, data, fast_estimator):
    X, y = data(Est, n_features=10)
    params = {"solver": solver, "alpha": 20.0, "max_iter": 100}
    l1 = fast_estimator(Est, penalty="l1", **params).fit(X, y)
    l2 = fast_estimator(Est, penalty="l2", **params).fit(X, y)
    W_l1 = np.concatenate([W.ravel() for W in l1.coefs_])
    W_l2 = np.concatenate([W.ravel() for W in l2.coefs_])
    assert np.mean(W_l1 == 0.0) > 0.3
    assert np.sum(W_l2 == 0.0) == 0
    # Biases are never penalized.
    assert np.all(np.concatenate(l1.intercepts_) != 0.0)


# -- non-finite loss ----------------------------------------------------------
# Settings found to overflow within a few epochs.
DIVERGING = [
    (MLPRegressor, "sgd", (10,), np.float64, 1e3),
    (MLPRegressor, "adam", (10,), np.float32, 1e6),
    (MLPClassifier, "sgd", (10, 10), np.float64, 1e6),
    (MLPClassifier, "adam", (20, 20, 20, 20), np.float32, 1e6),
]


@pytest.mark.parametrize("Est, solver, hidden, dtype, lr", DIVERGING)
def test_non_finite_loss_raises_naming_the_learning_rate(
    Est, solver, hidden, dtype, lr, data
):
    X, y = data(Est, n_samples=60, n_features=5)
    X = (X * 1e6).astype(dtype)  # unscaled inputs
    est = Est(
        hidden_layer_sizes=hidden,
        solver=solver,
        learning_rate_init=lr,
        max_iter=20,
        random_state=0,
    )
    with pytest.raises(ValueError, match=r"(?i)learning[ _]rate"):
        est.fit(X, y)


# -- early stopping -----------------------------------------------------------
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_early_stopping_attributes(Est, solver, data, fast_estimator):
    X, y = data(Est, n_samples=120)
    est = fast_estimator(
        Est,
        solver=solver,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=500,
        tol=1e-3,
    ).fit(X, y)
    assert est.n_iter_ < 500
    assert len(est.validation_scores_) == est.n_iter_
    assert len(est.loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_early_stopping_restores_the_best_epoch(Est, data):
    """Training is deterministic, so a fit stopped by max_iter at the best
    epoch ends with the weights early stopping must restore."""
    X, y = data(Est, n_samples=120)
    if Est is MLPRegressor:
        y = y + np.random.RandomState(0).randn(len(y))  # something to overfit
    params = {
        "hidden_layer_sizes": (30,),
        "early_stopping": True,
        "validation_fraction": 0.25,
        "n_iter_no_change": 3,
        "tol": 0.0,
        "learning_rate_init": 0.03,
        "max_iter": 500,
        "random_state": 0,
    }
    est = Est(**params).fit(X, y)
    best_epoch = int(np.argmax(est.validation_scores_)) + 1
    assert best_epoch < est.n_iter_ < 500  # trained past the best epoch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        at_best = Est(**{**params, "max_iter": best_epoch}).fit(X, y)
    assert at_best.best_validation_score_ == est.best_validation_score_
    _assert_same_weights(est, at_best)


@ignore_convergence
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_best_loss_without_early_stopping(Est, solver, data, fast_estimator):
    X, y = data(Est)
    est = fast_estimator(Est, solver=solver).fit(X, y)
    assert est.best_loss_ == min(est.loss_curve_)
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_ == est.loss_curve_[-1]
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None


# -- convergence warnings -----------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_convergence_warning_when_max_iter_is_reached(
    Est, solver, data, fast_estimator
):
    X, y = data(Est)
    est = fast_estimator(Est, solver=solver, max_iter=2, tol=0.0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.n_iter_ == 2


# -- warm start ---------------------------------------------------------------
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_warm_start_continues_from_previous_weights(Est, solver, data, fast_estimator):
    X, y = data(Est)
    params = {"solver": solver, "warm_start": True, "shuffle": False, "tol": 0.0}
    est = _fit_quietly(fast_estimator(Est, max_iter=40, **params), X, y)
    previous = [W.copy() for W in est.coefs_]
    curve = list(est.loss_curve_)

    _fit_quietly(est.set_params(max_iter=1), X, y)
    assert est.n_iter_ == 1
    assert est.loss_curve_[:-1] == curve
    assert len(est.loss_curve_) == len(curve) + 1
    # One more epoch from where the previous fit stopped: the loss goes on
    # from the previous curve instead of restarting at a fresh fit's value.
    fresh = _fit_quietly(fast_estimator(Est, max_iter=1, **params), X, y)
    assert est.loss_curve_[-1] < fresh.loss_curve_[0]
    assert abs(est.loss_curve_[-1] - curve[-1]) < 0.1 * abs(curve[0] - curve[-1])
    for W, W_prev in zip(est.coefs_, previous, strict=True):
        assert not np.array_equal(W, W_prev)
        np.testing.assert_allclose(W, W_prev, atol=0.1 * np.abs(W_prev).max())
