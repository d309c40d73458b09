"""Finite-difference gradient checks of the pure-NumPy core (float64, no estimator).

Every analytic gradient is compared with a central difference

    numeric_j = (J(theta + eps e_j) - J(theta - eps e_j)) / (2 eps)

elementwise, with the tolerance ``|analytic - numeric| <= 1e-7 + 1e-5 |numeric|``.
Covered: each activation layer, each loss (w.r.t. the raw output, with and without
sample weights, with a scale), the dense layer (w.r.t. W, b and X, dense and CSR
inputs), each penalty (value vs gradient, proximal operator), and the whole network
objective ``J(theta) = scale * sum_i s_i l_i + penalty.value(theta[:n_penalized])``
over the grid activation x loss x n_outputs x penalty x sample weights x depth.

Where a function is non-differentiable (relu at 0, |w| at 0) the inputs are kept
well away from the kink, so the central difference never straddles it.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from skreg._core import Activation, Dense, build_network, make_loss
from skreg._core.penalties import make_penalty

EPS = 1e-6
ATOL = 1e-7
RTOL = 1e-5
MAX_CHECKED = 200  # largest number of coordinates checked per array

ACTIVATION_NAMES = ["identity", "logistic", "tanh", "relu"]
LOSS_NAMES = ["squared_error", "poisson", "binary_log_loss", "log_loss"]
PENALTY_NAMES = [None, "l2", "l1", "elasticnet"]
N_OUTPUTS = [1, 2, 3]
RELU_MARGIN = 1e-3  # minimum |pre-activation| for relu
L1_MARGIN = 0.05  # minimum |w| of a penalized weight when an L1 term is present

# Largest errors seen by ``assert_grad_close`` in this process (for reporting).
MAX_ERRORS = {"abs": 0.0, "ratio": 0.0, "n_checked": 0}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def numeric_gradient(fun, x, eps=EPS, indices=None):
    """Central differences of ``fun()`` w.r.t. the entries of ``x`` (in place).

    ``fun`` takes no argument and reads ``x``; ``x`` is perturbed in place and
    restored exactly. Returns ``(flat_indices, numeric_values)``.
    """
    flat = x.reshape(-1)
    assert np.shares_memory(flat, x), "x must be perturbable through a flat view"
    if indices is None:
        indices = np.arange(flat.size)
    numeric = np.empty(len(indices))
    for k, j in enumerate(indices):
        orig = flat[j]
        flat[j] = orig + eps
        f_plus = fun()
        flat[j] = orig - eps
        f_minus = fun()
        flat[j] = orig
        numeric[k] = (f_plus - f_minus) / (2.0 * eps)
    return np.asarray(indices), numeric


def checked_indices(size, rng, max_checked=MAX_CHECKED):
    """All indices, or a random subset of ``max_checked`` of them."""
    if size <= max_checked:
        return np.arange(size)
    return np.sort(rng.choice(size, size=max_checked, replace=False))


def assert_grad_close(analytic, numeric, what="", record=True):
    """Elementwise ``|analytic - numeric| <= ATOL + RTOL * |numeric|``.

    Records the largest absolute error and the largest error relative to the
    allowed tolerance in ``MAX_ERRORS`` (unless ``record`` is false).
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    assert analytic.shape == numeric.shape
    assert np.all(np.isfinite(analytic)), f"{what}: non-finite analytic gradient"
    assert np.all(np.isfinite(numeric)), f"{what}: non-finite numeric gradient"
    err = np.abs(analytic - numeric)
    allowed = ATOL + RTOL * np.abs(numeric)
    ratio = err / allowed
    if record and err.size:
        MAX_ERRORS["abs"] = max(MAX_ERRORS["abs"], float(err.max()))
        MAX_ERRORS["ratio"] = max(MAX_ERRORS["ratio"], float(ratio.max()))
        MAX_ERRORS["n_checked"] += err.size
    bad = np.flatnonzero(ratio > 1.0)
    if bad.size:
        j = bad[np.argmax(ratio.ravel()[bad])]
        raise AssertionError(
            f"{what}: {bad.size}/{err.size} entries off; worst index {j}: "
            f"analytic={analytic.ravel()[j]!r} numeric={numeric.ravel()[j]!r} "
            f"|diff|={err.ravel()[j]:.3e} (allowed {allowed.ravel()[j]:.3e})"
        )


def check_array_gradient(fun, x, analytic, rng, what=""):
    """Finite-difference check of ``analytic`` (shape of ``x``) for ``fun``."""
    analytic = np.asarray(analytic).reshape(-1)
    idx = checked_indices(x.size, rng)
    idx, numeric = numeric_gradient(fun, x, indices=idx)
    assert_grad_close(analytic[idx], numeric, what)


def make_targets(loss_name, n_samples, n_outputs, rng):
    """Valid targets: real values, counts, 0/1 labels or one-hot rows."""
    if loss_name == "squared_error":
        return rng.normal(size=(n_samples, n_outputs))
    if loss_name == "poisson":
        return rng.poisson(1.5, size=(n_samples, n_outputs)).astype(np.float64)
    if loss_name == "binary_log_loss":
        return rng.integers(0, 2, size=(n_samples, n_outputs)).astype(np.float64)
    if loss_name == "log_loss":
        y = np.zeros((n_samples, n_outputs))
        y[np.arange(n_samples), rng.integers(0, n_outputs, size=n_samples)] = 1.0
        return y
    raise ValueError(loss_name)


def away_from_zero(w, margin):
    """``sign(w) * (|w| + margin)`` (with sign(0) taken as +1)."""
    return np.where(w >= 0, w + margin, w - margin)


def draw_relu_safe(draw, margin=RELU_MARGIN, max_tries=200):
    """Call ``draw(rng)`` with fresh seeds until its values avoid ``(-margin, margin)``.

    ``draw`` returns ``(result, pre_activations)``.
    """
    for seed in range(max_tries):
        result, pre = draw(np.random.default_rng(1000 + seed))
        if all(np.min(np.abs(z)) > margin for z in pre):
            return result
    raise RuntimeError("could not draw inputs away from the relu kink")


# ---------------------------------------------------------------------------
# the checker itself
# ---------------------------------------------------------------------------
def test_checker_detects_a_wrong_gradient():
    # The check must be able to fail: a gradient off by 1e-4 relative is caught.
    rng = np.random.default_rng(0)
    x = rng.normal(size=5)
    good = 3 * x**2
    idx, numeric = numeric_gradient(lambda: float(np.sum(x**3)), x)
    assert_grad_close(good, numeric, "x**3")
    with pytest.raises(AssertionError, match="entries off"):
        assert_grad_close(good * (1 + 1e-4), numeric, "x**3 (wrong)", record=False)


# ---------------------------------------------------------------------------
# 1. layers and losses alone
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_layer_gradient(name):
    rng = np.random.default_rng(1)
    layer = Activation(name)
    shape = (7, 5)

    def draw(r):
        Z = r.normal(scale=1.5, size=shape)
        return Z, [Z]

    Z = draw_relu_safe(draw) if name == "relu" else draw(rng)[0]
    G = rng.normal(size=shape)  # J(Z) = sum(G * f(Z))

    def fun():
        out, _ = layer.forward(Z.copy(), True, None)  # in place: pass a copy
        return float(np.sum(G * out))

    out, cache = layer.forward(Z.copy(), True, None)
    dZ, grads = layer.backward(G.copy(), cache)
    assert grads == ()
    check_array_gradient(fun, Z, dZ.copy(), rng, f"activation {name}")


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_forward_values(name):
    Z = np.array([[-2.0, -0.5, 0.3, 1.7]])
    expected = {
        "identity": Z,
        "logistic": 1.0 / (1.0 + np.exp(-Z)),
        "tanh": np.tanh(Z),
        "relu": np.maximum(Z, 0.0),
    }[name]
    out, _ = Activation(name).forward(Z.copy(), False, None)
    np.testing.assert_allclose(out, expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("n_outputs", N_OUTPUTS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scale", [1.0, 0.37])
@pytest.mark.parametrize("raw_scale", [0.7, 6.0])
def test_loss_gradient(loss_name, n_outputs, weighted, scale, raw_scale):
    if loss_name == "poisson" and raw_scale > 1:
        raw_scale = 2.0  # exp link: keep mu moderate so values stay O(100)
    rng = np.random.default_rng(2)
    n = 9
    loss = make_loss(loss_name)
    y = make_targets(loss_name, n, n_outputs, rng)
    raw = rng.normal(scale=raw_scale, size=(n, n_outputs))
    sw = rng.uniform(0.2, 3.0, size=n) if weighted else None

    def fun():
        return scale * loss.value(y, raw, sw)

    raw_before = raw.copy()
    out = np.empty_like(raw)
    value, grad = loss.value_and_gradient(y, raw, sw, scale, out)
    assert grad is out or np.shares_memory(grad, out)
    np.testing.assert_array_equal(raw, raw_before)
    assert value == pytest.approx(loss.value(y, raw, sw), rel=1e-12, abs=1e-12)
    check_array_gradient(fun, raw, grad.copy(), rng, f"loss {loss_name}")


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("n_outputs", N_OUTPUTS)
def test_loss_value_matches_definition(loss_name, n_outputs):
    # The value the gradients are checked against is the documented one.
    rng = np.random.default_rng(3)
    n = 6
    y = make_targets(loss_name, n, n_outputs, rng)
    z = rng.normal(size=(n, n_outputs))
    sw = rng.uniform(0.5, 2.0, size=n)
    if loss_name == "squared_error":
        per = 0.5 * ((y - z) ** 2).sum(1)
    elif loss_name == "poisson":
        mu = np.exp(z)
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y / mu, 1.0)), 0.0)
        per = (ylogy - y + mu).sum(1)
    elif loss_name == "binary_log_loss":
        p = 1.0 / (1.0 + np.exp(-z))
        per = -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(1)
    else:
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        per = -(y * np.log(p)).sum(1)
    loss = make_loss(loss_name)
    assert loss.value(y, z, sw) == pytest.approx(float(sw @ per), rel=1e-12)
    assert loss.value(y, z) == pytest.approx(float(per.sum()), rel=1e-12)


def test_log_loss_single_output_is_degenerate():
    # Softmax over one column: p = 1, loss identically 0, gradient identically 0.
    rng = np.random.default_rng(4)
    loss = make_loss("log_loss")
    y = np.ones((5, 1))
    raw = rng.normal(scale=3.0, size=(5, 1))
    value, grad = loss.value_and_gradient(y, raw, None, 1.0, np.empty_like(raw))
    assert value == 0.0
    np.testing.assert_array_equal(grad, 0.0)


def _dense_layer(n_in, n_out, rng):
    layer = Dense(n_in, n_out, np.float64)
    layer.W[...] = rng.normal(size=(n_in, n_out))
    layer.b[...] = rng.normal(size=n_out)
    return layer


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_out", [1, 3])
def test_dense_layer_gradient(sparse, n_out):
    rng = np.random.default_rng(5)
    n, n_in = 8, 6
    layer = _dense_layer(n_in, n_out, rng)
    Xd = rng.normal(size=(n, n_in)) * (rng.uniform(size=(n, n_in)) < 0.4)
    X = sp.csr_matrix(Xd) if sparse else Xd
    if sparse:
        assert X.nnz < n * n_in
    G = rng.normal(size=(n, n_out))  # J = sum(G * (X W + b))

    def fun():
        out, _ = layer.forward(X, True, None)
        return float(np.sum(G * out))

    out, cache = layer.forward(X, True, None)
    np.testing.assert_allclose(out, Xd @ layer.W + layer.b, rtol=1e-13, atol=1e-13)
    dX, (dW, db) = layer.backward(G.copy(), cache, need_dx=True)
    dX, dW, db = dX.copy(), dW.copy(), db.copy()
    assert dW is not None and dW.shape == layer.W.shape and db.shape == layer.b.shape
    check_array_gradient(fun, layer.W, dW, rng, "dense dW")
    check_array_gradient(fun, layer.b, db, rng, "dense db")
    if sparse:
        # Perturb the stored entries of the CSR matrix.
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        _, numeric = numeric_gradient(fun, X.data)
        assert_grad_close(dX[rows, X.indices], numeric, "dense dX (CSR entries)")
        # The rest of dX is the same linear map, also at the zero entries.
        np.testing.assert_allclose(dX, G @ layer.W.T, rtol=1e-13, atol=1e-13)
    else:
        check_array_gradient(fun, X, dX, rng, "dense dX")
    # need_dx=False still fills the parameter gradients.
    layer.forward(X, True, None)
    dX2, (dW2, db2) = layer.backward(G.copy(), cache, need_dx=False)
    assert dX2 is None
    np.testing.assert_allclose(dW2, dW, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(db2, db, rtol=1e-13, atol=1e-13)


# ---------------------------------------------------------------------------
# 2. the whole network objective
# ---------------------------------------------------------------------------
def _hidden_pre_activations(net, X):
    """Pre-activations of every hidden dense layer (inference mode)."""
    A = X.toarray() if sp.issparse(X) else X
    pre = []
    for layer in net.dense[:-1]:
        Z = A @ layer.W + layer.b
        pre.append(Z)
        A = Activation(net.layers[1].name).forward(Z.copy(), False, None)
    return pre


def _setup_network(
    activation, loss_name, n_outputs, hidden, penalty_name, weighted, sparse=False
):
    n_samples, n_features = 7, 5
    net = build_network(
        n_features, hidden, n_outputs, activation, loss_name, np.float64
    )
    net.initialize(np.random.default_rng(0), activation)
    # Larger-than-Glorot weights make the nonlinearities matter (but not for the
    # exp link of poisson, whose values would explode); keep every penalized
    # weight away from 0 so that |w| is differentiable at theta.
    gain, x_scale = (1.0, 0.5) if loss_name == "poisson" else (2.0, 1.0)
    w = net.theta[: net.n_penalized]
    w[...] = away_from_zero(gain * w, L1_MARGIN)
    net.theta[net.n_penalized :] *= gain

    def draw(rng):
        X = x_scale * rng.normal(size=(n_samples, n_features))
        if sparse:
            X = sp.csr_matrix(X * (rng.uniform(size=X.shape) < 0.5))
        return X, _hidden_pre_activations(net, X)

    if activation == "relu" and hidden:
        X = draw_relu_safe(draw)
    else:
        X = draw(np.random.default_rng(1000))[0]
    rng = np.random.default_rng(7)
    y = make_targets(loss_name, n_samples, n_outputs, rng)
    sw = rng.uniform(0.2, 3.0, size=n_samples) if weighted else None
    S = n_samples if sw is None else float(sw.sum())
    penalty = make_penalty(penalty_name, strength=0.3, l1_ratio=0.4)
    return net, X, y, sw, 1.0 / S, penalty


def check_network(net, X, y, sw, scale, penalty, what):
    n_pen = net.n_penalized
    # Biases are not penalized: the penalized block is exactly the dense weights.
    assert n_pen == sum(layer.W.size for layer in net.dense)
    for layer in net.dense:
        assert np.shares_memory(layer.W, net.theta[:n_pen])
        assert not np.shares_memory(layer.b, net.theta[:n_pen])

    def objective():
        raw, _ = net.forward(X, training=True, rng=None)
        return scale * net.loss.value(y, raw, sw) + penalty.value(net.theta[:n_pen])

    value = net.loss_and_gradient(X, y, sw, scale)
    assert value == pytest.approx(net.loss.value(y, net.forward(X)[0], sw), rel=1e-12)
    analytic = net.grad.copy()
    analytic[:n_pen] += penalty.grad(net.theta[:n_pen])
    rng = np.random.default_rng(11)
    check_array_gradient(objective, net.theta, analytic, rng, what)


@pytest.mark.parametrize("hidden", [(4, 3), ()], ids=["h4-3", "h0"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("penalty_name", PENALTY_NAMES)
@pytest.mark.parametrize("n_outputs", N_OUTPUTS)
@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_network_objective_gradient(
    activation, loss_name, n_outputs, penalty_name, weighted, hidden
):
    net, X, y, sw, scale, penalty = _setup_network(
        activation, loss_name, n_outputs, hidden, penalty_name, weighted
    )
    what = f"{activation}/{loss_name}/{n_outputs}/{penalty_name}/{weighted}/{hidden}"
    check_network(net, X, y, sw, scale, penalty, what)


@pytest.mark.parametrize("hidden", [(4, 3), ()], ids=["h4-3", "h0"])
@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_network_objective_gradient_sparse_input(activation, loss_name, hidden):
    net, X, y, sw, scale, penalty = _setup_network(
        activation, loss_name, 2, hidden, "elasticnet", True, sparse=True
    )
    assert sp.issparse(X)
    check_network(net, X, y, sw, scale, penalty, f"CSR {activation}/{loss_name}")
    # Same gradient as for the dense copy of X.
    grad_sparse = net.grad.copy()
    net.loss_and_gradient(X.toarray(), y, sw, scale)
    np.testing.assert_allclose(net.grad, grad_sparse, rtol=1e-12, atol=1e-14)


def test_network_large_subset_of_theta():
    # A network with more than MAX_CHECKED parameters: check a random subset.
    net = build_network(12, (16, 8), 3, "tanh", "log_loss", np.float64)
    net.initialize(np.random.default_rng(0), "tanh")
    net.theta[: net.n_penalized] = away_from_zero(net.theta[: net.n_penalized], 0.05)
    assert net.theta.size > MAX_CHECKED
    rng = np.random.default_rng(3)
    X = rng.normal(size=(10, 12))
    y = make_targets("log_loss", 10, 3, rng)
    penalty = make_penalty("l1", 0.2)
    check_network(net, X, y, None, 0.1, penalty, "large tanh/log_loss/l1")


# ---------------------------------------------------------------------------
# 3. penalties alone
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", PENALTY_NAMES)
@pytest.mark.parametrize("strength", [0.3, 2.5])
def test_penalty_value_and_gradient(name, strength):
    rng = np.random.default_rng(8)
    w = away_from_zero(rng.normal(size=30), L1_MARGIN)
    p = make_penalty(name, strength, l1_ratio=0.35)
    l1 = {None: 0.0, "l2": 0.0, "l1": 1.0, "elasticnet": 0.35}[name]
    s = 0.0 if name is None else strength
    expected = s * (l1 * np.abs(w).sum() + (1 - l1) * 0.5 * np.dot(w, w))
    assert p.value(w) == pytest.approx(expected, rel=1e-13, abs=1e-15)
    grad = p.grad(w)
    check_array_gradient(lambda: p.value(w), w, grad, rng, f"penalty {name}")
    # add_smooth_grad adds only the differentiable (L2) part, in place.
    g = np.ones_like(w)
    out = p.add_smooth_grad(w, g)
    assert out is g
    np.testing.assert_allclose(g - 1.0, s * (1 - l1) * w, rtol=1e-13, atol=1e-15)
    # Works on a 2-D weight matrix as well (the gradient has its shape).
    W = w.reshape(5, 6)
    assert p.value(W) == pytest.approx(p.value(w), rel=1e-14)
    np.testing.assert_array_equal(p.grad(W), grad.reshape(5, 6))


def test_penalty_subgradient_at_zero():
    p = make_penalty("l1", 1.0)
    np.testing.assert_array_equal(p.grad(np.zeros(3)), 0.0)


def _soft_threshold_reference(w, t):
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


@pytest.mark.parametrize("strength", [0.4, 1.7])
def test_l1_prox_is_soft_thresholding(strength):
    rng = np.random.default_rng(9)
    w = rng.normal(size=200)
    w[:5] = [0.0, 0.1, -0.1, 0.25, -0.25]
    step = 0.5
    t = step * strength
    p = make_penalty("l1", strength)
    u = w.copy()
    out = p.prox(u, step)
    assert out is u  # in place
    np.testing.assert_allclose(u, _soft_threshold_reference(w, t), rtol=0, atol=1e-15)
    small = np.abs(w) <= t
    assert small.any() and (~small).any()
    assert np.all(u[small] == 0.0)  # exact zeros, not 1e-17
    # Survivors keep their sign and are shrunk by exactly t.
    np.testing.assert_allclose(np.abs(u[~small]), np.abs(w[~small]) - t, atol=1e-15)
    assert np.all(np.sign(u[~small]) == np.sign(w[~small]))
    # Prox optimality: u minimizes 1/2 (u - w)^2 + t |u| coordinatewise.
    for delta in (1e-4, -1e-4):
        obj = 0.5 * (u - w) ** 2 + t * np.abs(u)
        obj_d = 0.5 * (u + delta - w) ** 2 + t * np.abs(u + delta)
        assert np.all(obj <= obj_d + 1e-15)


def test_l1_prox_with_per_coordinate_step():
    rng = np.random.default_rng(10)
    W = rng.normal(size=(6, 4))
    step = rng.uniform(0.0, 1.5, size=W.shape)  # e.g. Adam's per-coordinate step
    p = make_penalty("l1", 0.8)
    u = W.copy()
    p.prox(u, step)
    expected = _soft_threshold_reference(W, step * 0.8)
    np.testing.assert_allclose(u, expected, rtol=0, atol=1e-15)
    zero = np.abs(W) <= step * 0.8
    assert zero.any() and (~zero).any()
    assert np.all(u[zero] == 0.0)


@pytest.mark.parametrize("l1_ratio", [0.2, 0.5, 0.9])
def test_elasticnet_prox_thresholds_by_l1_part(l1_ratio):
    rng = np.random.default_rng(12)
    w = rng.normal(size=100)
    step, strength = 0.3, 2.0
    p = make_penalty("elasticnet", strength, l1_ratio=l1_ratio)
    u = w.copy()
    p.prox(u, step)
    t = step * strength * l1_ratio
    np.testing.assert_allclose(u, _soft_threshold_reference(w, t), rtol=0, atol=1e-15)
    assert np.all(u[np.abs(w) <= t] == 0.0)
    # Array step, too.
    steps = rng.uniform(0, 1, size=100)
    u = w.copy()
    p.prox(u, steps)
    ref = _soft_threshold_reference(w, steps * strength * l1_ratio)
    np.testing.assert_allclose(u, ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", [None, "l2"])
def test_smooth_prox_is_identity(name):
    rng = np.random.default_rng(13)
    w = rng.normal(size=(5, 3))
    w[0, 0] = 0.0
    p = make_penalty(name, 1.3)
    u = w.copy()
    assert p.prox(u, 0.7) is u
    np.testing.assert_array_equal(u, w)
    p.prox(u, rng.uniform(size=w.shape))
    np.testing.assert_array_equal(u, w)


def test_zero_strength_is_no_penalty():
    w = np.array([-1.0, 0.5])
    for name in PENALTY_NAMES:
        p = make_penalty(name, 0.0)
        assert p.value(w) == 0.0
        np.testing.assert_array_equal(p.grad(w), 0.0)
        u = w.copy()
        p.prox(u, 10.0)
        np.testing.assert_array_equal(u, w)


def test_network_prox_leaves_biases_alone():
    # The prox acts on the penalized block only; biases are never shrunk.
    net = build_network(4, (3,), 2, "relu", "squared_error", np.float64)
    net.initialize(np.random.default_rng(0), "relu")
    biases = [b.copy() for b in net.intercepts]
    p = make_penalty("l1", 1.0)
    w, _ = net.params
    p.prox(w, 100.0)
    assert np.all(net.theta[: net.n_penalized] == 0.0)
    for W in net.coefs:
        assert np.all(W == 0.0)
    for b, b0 in zip(net.intercepts, biases):
        np.testing.assert_array_equal(b, b0)


# ---------------------------------------------------------------------------
# 4. regularization layers: batch norm, dropout, input noise
# ---------------------------------------------------------------------------
# Batch norm in training mode is checked through the batch statistics (every
# output depends on every input of its column); dropout with a fixed keep-mask;
# Gaussian noise with a fixed draw. Whole networks draw their dropout masks and
# noise from a fresh ``default_rng(MASK_SEED)`` at every evaluation, so the
# objective is a deterministic function of theta.
MASK_SEED = 12345
REG_CONFIGS = {
    "dropout": {"dropout": 0.5},
    "batch_norm": {"batch_norm": True},
    "dropout+batch_norm": {"dropout": [0.3, 0.5], "batch_norm": True},
    "dropout+batch_norm+noise": {
        "dropout": 0.4,
        "batch_norm": True,
        "input_noise": 0.3,
    },
}


def _batch_norm_layer(n_units, affine, rng):
    from skreg._core import BatchNorm

    layer = BatchNorm(n_units, momentum=0.1, eps=1e-5, dtype=np.float64)
    if affine == "random":
        layer.gamma[...] = rng.uniform(0.5, 2.0, size=n_units) * rng.choice(
            [-1.0, 1.0], size=n_units
        )
        layer.beta[...] = rng.normal(size=n_units)
    else:  # the initial state: gamma = 1, beta = 0
        np.testing.assert_array_equal(layer.gamma, 1.0)
        np.testing.assert_array_equal(layer.beta, 0.0)
    return layer


@pytest.mark.parametrize("affine", ["identity", "random"])
@pytest.mark.parametrize("n_samples", [2, 3, 11])
@pytest.mark.parametrize("x_scale", [0.3, 4.0])
def test_batch_norm_training_gradient(affine, n_samples, x_scale):
    rng = np.random.default_rng(20)
    n_units = 4
    layer = _batch_norm_layer(n_units, affine, rng)
    X = x_scale * rng.normal(size=(n_samples, n_units)) + rng.normal(size=n_units)
    G = rng.normal(size=(n_samples, n_units))  # J = sum(G * BN(X))

    def fun():
        out, _ = layer.forward(X.copy(), True, None)  # overwrites its input
        return float(np.sum(G * out))

    X_before = X.copy()
    X_in = X.copy()
    out, cache = layer.forward(X_in, True, None)
    out = out.copy()
    # Documented forward: batch mean, biased batch variance, eps, gamma, beta.
    mean, var = X.mean(axis=0), X.var(axis=0)
    x_hat = (X - mean) / np.sqrt(var + layer.eps)
    np.testing.assert_allclose(out, x_hat * layer.gamma + layer.beta, rtol=1e-12)
    # In place: the input buffer now holds the centered input.
    np.testing.assert_allclose(X_in, X - mean, rtol=1e-12, atol=1e-14)
    dX, (dgamma, dbeta) = layer.backward(G.copy(), cache)
    dX, dgamma, dbeta = dX.copy(), dgamma.copy(), dbeta.copy()
    np.testing.assert_array_equal(X, X_before)
    check_array_gradient(fun, X, dX, rng, f"batch norm dX ({affine})")
    check_array_gradient(fun, layer.gamma, dgamma, rng, f"batch norm dgamma ({affine})")
    check_array_gradient(fun, layer.beta, dbeta, rng, f"batch norm dbeta ({affine})")
    # Through the batch statistics: each column of dX sums to 0 (the mean is
    # subtracted), which a per-sample (eval-mode) derivative would not.
    np.testing.assert_allclose(dX.sum(axis=0), 0.0, atol=1e-10)
    naive = G * layer.gamma / np.sqrt(var + layer.eps)
    assert np.abs(dX - naive).max() > 1e-3


def test_batch_norm_gradient_of_a_nonlinear_objective():
    # J = sum(G * tanh(BN(X))): the upstream gradient varies with the output.
    rng = np.random.default_rng(21)
    layer = _batch_norm_layer(3, "random", rng)
    X = rng.normal(size=(6, 3))
    G = rng.normal(size=(6, 3))

    def fun():
        out, _ = layer.forward(X.copy(), True, None)
        return float(np.sum(G * np.tanh(out)))

    out, cache = layer.forward(X.copy(), True, None)
    dout = G * (1.0 - np.tanh(out) ** 2)
    dX, (dgamma, dbeta) = layer.backward(dout, cache)
    check_array_gradient(fun, X, dX.copy(), rng, "batch norm tanh dX")
    check_array_gradient(fun, layer.gamma, dgamma.copy(), rng, "batch norm tanh dg")
    check_array_gradient(fun, layer.beta, dbeta.copy(), rng, "batch norm tanh db")


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_gradient_with_fixed_mask(p):
    from skreg._core import Dropout

    rng = np.random.default_rng(22)
    n, d = 9, 6
    layer = Dropout(p, d, np.float64)
    X = rng.normal(size=(n, d))
    G = rng.normal(size=(n, d))
    out, scaled = layer.forward(X, True, np.random.default_rng(3))
    out, scaled = out.copy(), scaled.copy()
    mask = scaled != 0
    assert mask.any() and not mask.all()
    # The cache is the keep mask scaled by 1 / (1 - p).
    np.testing.assert_allclose(scaled[mask], 1.0 / (1.0 - p), rtol=1e-15)
    out2, scaled2 = layer.forward_with_mask(X, mask)
    np.testing.assert_array_equal(scaled2, scaled)
    np.testing.assert_array_equal(out2, out)
    # Same values up to rounding (x * (1/(1-p)) vs x / (1-p)).
    np.testing.assert_allclose(out, X * mask / (1.0 - p), rtol=1e-15)
    scaled = scaled2.copy()

    def fun():
        out, _ = layer.forward_with_mask(X, mask)
        return float(np.sum(G * out))

    dX, grads = layer.backward(G.copy(), scaled)
    assert grads == ()
    check_array_gradient(fun, X, dX.copy(), rng, f"dropout p={p}")
    # Dropped units pass no gradient at all.
    assert np.all(dX[~mask] == 0.0)
    # Eval mode: the identity, no cache, and the backward is the identity too.
    out_eval, cache = layer.forward(X, False, None)
    assert out_eval is X and cache is None
    dout = G.copy()
    np.testing.assert_array_equal(layer.backward(dout, None)[0], G)


@pytest.mark.parametrize("sigma", [0.1, 2.0])
def test_gaussian_noise_gradient(sigma):
    from skreg._core import GaussianNoise

    rng = np.random.default_rng(23)
    n, d = 7, 4
    layer = GaussianNoise(sigma, d, np.float64)
    X = rng.normal(size=(n, d))
    G = rng.normal(size=(n, d))

    def fun():
        # A fresh generator with a fixed seed: the same noise at every call.
        out, _ = layer.forward(X, True, np.random.default_rng(5))
        return float(np.sum(G * np.tanh(out)))

    out, cache = layer.forward(X, True, np.random.default_rng(5))
    noise = out - X
    assert np.std(noise) > 0.2 * sigma
    dout = G * (1.0 - np.tanh(out) ** 2)
    dX, grads = layer.backward(dout.copy(), cache)
    assert grads == ()
    np.testing.assert_array_equal(dX, dout)  # additive noise: identity backward
    check_array_gradient(fun, X, dX, rng, f"gaussian noise sigma={sigma}")
    out_eval, _ = layer.forward(X, False, None)
    assert out_eval is X


def _training_pre_activations(net, X, seed):
    """Inputs of every activation layer in a training pass with ``seed``."""
    rng = np.random.default_rng(seed)
    pre = []
    out = X
    for layer in net.layers:
        if isinstance(layer, Activation):
            pre.append(out.copy())
        out, _ = layer.forward(out, True, rng)
    return pre


def _dropout_masks(net, X, seed):
    from skreg._core import Dropout

    _, caches = net.forward(X, training=True, rng=np.random.default_rng(seed))
    return [
        cache.copy()
        for layer, cache in zip(net.layers, caches)
        if isinstance(layer, Dropout)
    ]


def _setup_regularized_network(activation, loss_name, penalty_name, config, weighted):
    from skreg._core import BatchNorm

    n_samples, n_features, hidden, n_outputs = 8, 5, (6, 4), 3
    if loss_name == "binary_log_loss":
        n_outputs = 2  # multilabel
    net = build_network(
        n_features,
        hidden,
        n_outputs,
        activation,
        loss_name,
        np.float64,
        **REG_CONFIGS[config],
    )
    net.initialize(np.random.default_rng(0), activation)
    gain, x_scale = (1.0, 0.5) if loss_name == "poisson" else (2.0, 1.0)
    w = net.theta[: net.n_penalized]
    w[...] = away_from_zero(gain * w, L1_MARGIN)
    net.theta[net.n_penalized :] *= gain
    # Non-trivial gamma / beta (unpenalized parameters of the flat buffer).
    prng = np.random.default_rng(1)
    for layer in net.layers:
        if isinstance(layer, BatchNorm):
            assert not np.shares_memory(layer.gamma, net.theta[: net.n_penalized])
            assert np.shares_memory(layer.gamma, net.theta)
            layer.gamma[...] = prng.uniform(0.5, 1.5, size=layer.n_units)
            layer.beta[...] = 0.3 * prng.normal(size=layer.n_units)
    if loss_name == "poisson":
        net.dense[-1].W[...] *= 0.5

    def draw(rng):
        X = x_scale * rng.normal(size=(n_samples, n_features))
        return X, _training_pre_activations(net, X, MASK_SEED)

    if activation == "relu":
        X = draw_relu_safe(draw)
    else:
        X = draw(np.random.default_rng(1000))[0]
    rng = np.random.default_rng(7)
    y = make_targets(loss_name, n_samples, n_outputs, rng)
    sw = rng.uniform(0.2, 3.0, size=n_samples) if weighted else None
    S = n_samples if sw is None else float(sw.sum())
    penalty = make_penalty(penalty_name, strength=0.3, l1_ratio=0.4)
    return net, X, y, sw, 1.0 / S, penalty


def check_regularized_network(net, X, y, sw, scale, penalty, what):
    n_pen = net.n_penalized
    assert n_pen == sum(layer.W.size for layer in net.dense)

    def objective():
        rng = np.random.default_rng(MASK_SEED)  # same masks / noise every time
        raw, _ = net.forward(X, training=True, rng=rng)
        return scale * net.loss.value(y, raw, sw) + penalty.value(net.theta[:n_pen])

    raw, _ = net.forward(X, training=True, rng=np.random.default_rng(MASK_SEED))
    expected = net.loss.value(y, raw.copy(), sw)
    value = net.loss_and_gradient(X, y, sw, scale, np.random.default_rng(MASK_SEED))
    assert value == pytest.approx(expected, rel=1e-12)
    analytic = net.grad.copy()
    analytic[:n_pen] += penalty.grad(net.theta[:n_pen])
    check_array_gradient(
        objective, net.theta, analytic, np.random.default_rng(11), what
    )
    return analytic


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("penalty_name", PENALTY_NAMES)
@pytest.mark.parametrize("loss_name", LOSS_NAMES)
@pytest.mark.parametrize("config", list(REG_CONFIGS))
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_regularized_network_objective_gradient(
    activation, config, loss_name, penalty_name, weighted
):
    net, X, y, sw, scale, penalty = _setup_regularized_network(
        activation, loss_name, penalty_name, config, weighted
    )
    if "dropout" in config:
        # The masks really drop units (else this would be a plain network).
        masks = _dropout_masks(net, X, MASK_SEED)
        assert len(masks) == 2
        assert all(m.any() and not m.all() for m in masks)
    what = f"{activation}/{config}/{loss_name}/{penalty_name}/{weighted}"
    check_regularized_network(net, X, y, sw, scale, penalty, what)


def test_regularized_network_gradient_depends_on_the_mask():
    # Different masks give different gradients; the same seed the same one.
    net, X, y, sw, scale, _ = _setup_regularized_network(
        "tanh", "squared_error", None, "dropout+batch_norm", False
    )
    grads = []
    for seed in (MASK_SEED, MASK_SEED, MASK_SEED + 1):
        net.loss_and_gradient(X, y, sw, scale, np.random.default_rng(seed))
        grads.append(net.grad.copy())
    np.testing.assert_array_equal(grads[0], grads[1])
    assert np.abs(grads[0] - grads[2]).max() > 1e-3
