"""The linear skip connection: inputs -> outputs beside the hidden layers.

Its weights follow the first layer's in the flat parameter vector and share
its input groups: with ``'group_lasso'`` input ``j``'s first-layer row and skip
row are one group, zeroed together. Without a hidden layer the output layer
is the linear map and no skip is added.
"""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import Ridge

from skreg import MLPClassifier, MLPRegressor
from skreg._core import build_network
from skreg._core.penalties import make_penalty


def _numeric_gradient(fun, x, eps=1e-6):
    grad = np.empty(x.size)
    flat = x.reshape(-1)
    for i in range(x.size):
        old = flat[i]
        flat[i] = old + eps
        up = fun()
        flat[i] = old - eps
        down = fun()
        flat[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def _away_from_zero(w, margin=0.05):
    return np.where(w >= 0, w + margin, w - margin)


@pytest.mark.parametrize("penalty", ["l2", "l1", "group_lasso"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "loss, n_out", [("squared_error", 2), ("log_loss", 3), ("binary_log_loss", 1)]
)
def test_objective_gradient_with_skip(penalty, sparse, loss, n_out):
    rng = np.random.default_rng(0)
    net = build_network(5, (4,), n_out, "tanh", loss, skip_connection=True)
    net.initialize(rng, "tanh")
    assert net.skip is not None and net.skip.W.shape == (5, n_out)
    assert np.all(net.skip.W == 0)  # starts as the plain MLP
    pen_size = 5 * 4 + 5 * n_out + 4 * n_out
    assert net.n_penalized == pen_size
    # the skip weights follow the first layer's in theta
    assert np.shares_memory(net.skip.W, net.theta[20 : 20 + 5 * n_out])
    net.theta[:pen_size] = _away_from_zero(rng.normal(size=pen_size))
    X = rng.normal(size=(6, 5))
    if sparse:
        X = sp.csr_matrix(X * (rng.uniform(size=X.shape) < 0.6))
    if loss == "squared_error":
        y = rng.normal(size=(6, n_out))
    else:
        y = np.eye(max(n_out, 2))[rng.integers(0, max(n_out, 2), 6)][:, -n_out:]
    pen = make_penalty(penalty, 0.3, **net.input_groups)

    def objective():
        raw, _ = net.forward(X, training=True)
        return 0.2 * net.loss.value(y, raw, None) + pen.value(net.theta[:pen_size])

    net.loss_and_gradient(X, y, None, 0.2)
    analytic = net.grad.copy()
    analytic[:pen_size] += pen.grad(net.theta[:pen_size])
    numeric = _numeric_gradient(objective, net.theta)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_group_lasso_groups_first_layer_and_skip_rows():
    rng = np.random.default_rng(1)
    n_in, units, width = 4, 3, 2
    pen = make_penalty(
        "group_lasso", 1.0, first_layer_shape=(n_in, units), skip_width=width
    )
    first = rng.normal(size=(n_in, units))
    skip = rng.normal(size=(n_in, width))
    rest = rng.normal(size=7)
    w = np.concatenate([first.ravel(), skip.ravel(), rest])
    norms = np.sqrt((first**2).sum(1) + (skip**2).sum(1))
    assert pen.value(w) == pytest.approx(norms.sum() + 0.5 * rest @ rest)
    # The prox zeroes whole joint rows (both blocks) whose norm is below the
    # threshold and shrinks the others by the same factor in both blocks.
    t = float(np.sort(norms)[1]) + 1e-9
    out = pen.prox(w.copy(), t)
    new_first = out[: n_in * units].reshape(n_in, units)
    new_skip = out[n_in * units : n_in * (units + width)].reshape(n_in, width)
    dropped = norms <= t
    assert dropped.sum() == 2
    assert np.all(new_first[dropped] == 0.0) and np.all(new_skip[dropped] == 0.0)
    factor = 1 - t / norms[~dropped]
    np.testing.assert_allclose(new_first[~dropped], first[~dropped] * factor[:, None])
    np.testing.assert_allclose(new_skip[~dropped], skip[~dropped] * factor[:, None])
    np.testing.assert_array_equal(out[n_in * (units + width) :], rest)  # L2 part


def test_without_hidden_layer_the_skip_adds_nothing():
    X, y = make_regression(n_samples=80, n_features=6, noise=1.0, random_state=0)
    params = dict(
        hidden_layer_sizes=(),
        solver="lbfgs",
        alpha=3.0,
        max_iter=5000,
        tol=1e-10,
        random_state=0,
    )
    with_skip = MLPRegressor(skip_connection=True, **params).fit(X, y)
    plain = MLPRegressor(**params).fit(X, y)
    assert not hasattr(with_skip, "skip_coef_")
    np.testing.assert_array_equal(with_skip.coefs_[0], plain.coefs_[0])
    # and the linear special case still holds
    ridge = Ridge(alpha=3.0).fit(X, y)
    np.testing.assert_allclose(with_skip.coefs_[0].ravel(), ridge.coef_, rtol=1e-5)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_group_lasso_with_skip_drops_inputs_from_both_blocks(solver):
    X, y = make_regression(
        n_samples=200, n_features=20, n_informative=4, noise=1.0, random_state=0
    )
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    reg = MLPRegressor(
        hidden_layer_sizes=(16,),
        skip_connection=True,
        penalty="group_lasso",
        alpha=20.0,
        solver=solver,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert reg.skip_coef_.shape == (20, 1)
    joint = np.hstack([reg.coefs_[0], reg.skip_coef_])
    unused = np.all(joint == 0.0, axis=1)
    assert 0 < unused.sum() < 20
    np.testing.assert_array_equal(reg.feature_importances_ == 0, unused)
    assert reg.n_features_selected_ == 20 - unused.sum()
    expected = np.sqrt((joint**2).sum(axis=1))
    np.testing.assert_allclose(reg.feature_importances_, expected)


def test_skip_connection_learns_a_linear_truth_with_p_greater_than_n():
    X, y = make_regression(
        n_samples=100, n_features=150, n_informative=10, noise=1.0, random_state=0
    )
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    X_train, X_test, y_train, y_test = X[:70], X[70:], y[:70], y[70:]
    params = dict(
        hidden_layer_sizes=(32,),
        penalty="group_lasso",
        alpha=5.0,
        learning_rate_init=0.01,
        max_iter=500,
        random_state=0,
    )
    skip = MLPRegressor(skip_connection=True, **params).fit(X_train, y_train)
    plain = MLPRegressor(**params).fit(X_train, y_train)
    assert skip.score(X_test, y_test) > plain.score(X_test, y_test)
    assert skip.score(X_test, y_test) > 0.8


def test_classifier_pickles_and_refuses_switching_on_warm_start():
    X, y = make_classification(
        n_samples=120, n_features=8, n_classes=3, n_informative=4, random_state=0
    )
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        skip_connection=True,
        max_iter=50,
        random_state=0,
        warm_start=True,
    )
    with pytest.warns(Warning):
        clf.fit(X, y)
    assert clf.skip_coef_.shape == (8, 3)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    clf.set_params(skip_connection=False)
    with pytest.raises(ValueError, match="skip_connection differs"):
        clf.fit(X, y)
