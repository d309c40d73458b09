"""``standardize_target``: the regressor fits ``(y - mean) / std`` and predicts
in ``y``'s units; the CV estimator's grid and choice follow the scaled targets."""

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_regression
from sklearn.linear_model import Lasso, Ridge
from sklearn.preprocessing import StandardScaler

from skreg import MLPRegressor, MLPRegressorCV
from skreg._mlp.batching import fit_many

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def data():
    X, y = make_regression(120, 5, noise=3.0, random_state=0)
    return X, 40.0 * y + 900.0


def _weights_equal(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.coefs_, b.coefs_))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_equals_transformed_target_regressor(data, fast_params, solver):
    X, y = data
    own = MLPRegressor(solver=solver, standardize_target=True, **fast_params)
    wrapped = TransformedTargetRegressor(
        MLPRegressor(solver=solver, **fast_params), transformer=StandardScaler()
    )
    own.fit(X, y)
    wrapped.fit(X, y)
    np.testing.assert_allclose(own.predict(X), wrapped.predict(X), rtol=1e-6)
    np.testing.assert_allclose(own.target_mean_, [y.mean()])
    np.testing.assert_allclose(own.target_scale_, [y.std()])


def test_off_by_default(data, fast_params):
    X, y = data
    plain = MLPRegressor(**fast_params).fit(X, y)
    assert not hasattr(plain, "target_scale_")
    off = MLPRegressor(standardize_target=False, **fast_params).fit(X, y)
    assert _weights_equal(plain, off)


def test_ridge_equivalence_holds(data):
    # Ridge is linear in y: the standardized fit maps back to Ridge(alpha) on y.
    X, y = data
    reg = MLPRegressor(
        hidden_layer_sizes=(),
        solver="lbfgs",
        alpha=5.0,
        standardize_target=True,
        tol=1e-12,
        max_iter=5000,
    ).fit(X, y)
    ridge = Ridge(alpha=5.0).fit(X, y)
    np.testing.assert_allclose(
        reg.predict(X), ridge.predict(X), rtol=1e-6, atol=1e-7 * np.ptp(y)
    )


def test_lasso_alpha_is_on_the_standardized_scale(data):
    # J is the objective of the standardized targets: Lasso(alpha * std / n).
    X, y = data
    n, alpha = X.shape[0], 5.0
    reg = MLPRegressor(
        hidden_layer_sizes=(),
        solver="lbfgs",
        penalty="l1",
        alpha=alpha,
        standardize_target=True,
        tol=1e-12,
        max_iter=20000,
    ).fit(X, y)
    lasso = Lasso(alpha=alpha * y.std() / n, tol=1e-12, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(reg.predict(X), lasso.predict(X), rtol=1e-5)
    np.testing.assert_array_equal(reg.coefs_[0].ravel() == 0, lasso.coef_ == 0)


def test_weighted_statistics(data, fast_params):
    X, y = data
    sw = np.random.default_rng(0).uniform(0.1, 2.0, size=len(y))
    reg = MLPRegressor(standardize_target=True, **fast_params).fit(X, y, sw)
    mean = np.average(y, weights=sw)
    np.testing.assert_allclose(reg.target_mean_, [mean])
    np.testing.assert_allclose(
        reg.target_scale_, [np.sqrt(np.average((y - mean) ** 2, weights=sw))]
    )


def test_multioutput_and_constant_column(fast_params):
    X, y = make_regression(80, 4, n_targets=2, random_state=1)
    Y = np.column_stack([y[:, 0] * 1e3, np.full(len(y), 7.0)])
    reg = MLPRegressor(standardize_target=True, **fast_params).fit(X, Y)
    np.testing.assert_allclose(reg.target_scale_, [Y[:, 0].std(), 1.0])
    assert reg.predict(X).shape == (80, 2)


def test_poisson_divides_by_the_mean(fast_params):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = rng.poisson(50 * np.exp(0.3 * X[:, 0]))
    reg = MLPRegressor(loss="poisson", standardize_target=True, **fast_params)
    reg.fit(X, y)
    np.testing.assert_allclose(reg.target_mean_, [0.0])
    np.testing.assert_allclose(reg.target_scale_, [y.mean()])
    assert (reg.predict(X) > 0).all()
    scaled = MLPRegressor(loss="poisson", **fast_params).fit(X, y / y.mean())
    np.testing.assert_allclose(reg.predict(X), y.mean() * scaled.predict(X), rtol=1e-6)


def test_input_not_modified(data, fast_params):
    X, y = data
    y_copy = y.copy()
    MLPRegressor(standardize_target=True, **fast_params).fit(X, y)
    np.testing.assert_array_equal(y, y_copy)


def test_partial_fit_and_warm_start_keep_the_first_scaling(data, fast_params):
    X, y = data
    params = {**fast_params, "standardize_target": True}
    inc = MLPRegressor(**params).partial_fit(X[:60], y[:60])
    first = inc.target_mean_.copy()
    inc.partial_fit(X[60:], y[60:])
    np.testing.assert_array_equal(inc.target_mean_, first)
    warm = MLPRegressor(warm_start=True, **params).fit(X, y)
    mean = warm.target_mean_.copy()
    warm.fit(X, y + 100.0)
    np.testing.assert_array_equal(warm.target_mean_, mean)
    warm.set_params(standardize_target=False)
    with pytest.raises(ValueError, match="standardize_target differs"):
        warm.fit(X, y)


def test_mc_dropout_std_in_target_units(data, fast_params):
    X, y = data
    params = {**fast_params, "dropout": 0.2, "mc_samples": 10}
    own = MLPRegressor(standardize_target=True, **params).fit(X, y)
    scale = own.target_scale_[0]
    mean, std = own.predict(X, return_std=True)
    net_mean, net_std = own._mc_dropout_moments(X)
    np.testing.assert_allclose(std, scale * net_std.ravel(), rtol=1e-6)
    np.testing.assert_allclose(mean, scale * net_mean.ravel() + own.target_mean_[0])


def test_batched_fits_equal_single_fits(data, fast_params):
    # Each model scales its own rows: the engine trains each on its own
    # targets and the result is bit for bit the single fit.
    X, y = data
    rows = [np.arange(0, 90), np.arange(30, 120), np.arange(0, 90)]
    params = {**fast_params, "standardize_target": True}
    ests = [MLPRegressor(alpha=a, **params) for a in (1e-3, 1.0, 10.0)]
    fit_many(ests, X, y, None, rows)
    for est, r in zip(ests, rows):
        alone = MLPRegressor(alpha=est.alpha, **params).fit(X[r], y[r])
        assert _weights_equal(est, alone)
        np.testing.assert_array_equal(est.target_scale_, alone.target_scale_)


def test_cv_is_invariant_to_the_scale_of_y(data, fast_params):
    X, y = data
    params = {**fast_params, "standardize_target": True, "alphas": 4, "cv": 3}
    a = MLPRegressorCV(**params).fit(X, y)
    b = MLPRegressorCV(**params).fit(X, 1000.0 * y - 5.0)
    np.testing.assert_allclose(a.alphas_, b.alphas_, rtol=1e-10)
    assert a.alpha_ == pytest.approx(b.alpha_, rel=1e-10)
    np.testing.assert_allclose(1000.0 * a.predict(X) - 5.0, b.predict(X), rtol=1e-4)
    assert a.estimator_.standardize_target
