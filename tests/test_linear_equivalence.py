"""With no hidden layer, skreg's MLPs are GLMs and must match scikit-learn's
exact linear solvers (the linear special cases on the user guide's objective
page):

- penalty='l2', squared_error   ==  Ridge(alpha=alpha)
- penalty='l1', squared_error   ==  Lasso(alpha=alpha / n)
- penalty='elasticnet'          ==  ElasticNet(alpha=alpha / n, l1_ratio=l1_ratio)
- classifier, penalty='l2'      ==  LogisticRegression(C=1 / alpha)

Each equivalence checks the scaling of the objective
``J = (1/S) sum_i s_i l_i + (alpha / S) R(W)``: the loss summed over outputs,
the penalty divided by the total sample weight S, biases unpenalized.
"""

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_iris,
    load_wine,
    make_regression,
)
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPRegressor

ALPHAS = [0.1, 1.0, 10.0]

# Tight enough that the fit is the minimizer, not an early stop.
LBFGS = {
    "hidden_layer_sizes": (),
    "solver": "lbfgs",
    "tol": 1e-12,
    "max_iter": 10_000,
    "max_fun": 100_000,
    "random_state": 0,
}


# -- data ---------------------------------------------------------------------
def _standardized(X):
    return StandardScaler().fit_transform(X)


@pytest.fixture
def regression_dataset(load_diabetes_data):
    """``regression_dataset(name)``: raw make_regression data, or the diabetes
    data with standardized X; y unscaled."""

    def load(name):
        if name == "make_regression":
            return make_regression(
                n_samples=100, n_features=8, noise=5.0, bias=3.0, random_state=0
            )
        return load_diabetes_data(target=None)

    return load


def _classification_data(name):
    loader = {
        "breast_cancer": load_breast_cancer,
        "iris": load_iris,
        "wine": load_wine,
    }[name]
    X, y = loader(return_X_y=True)
    return _standardized(X), y


def _sample_weight(n, seed=0):
    return np.random.RandomState(seed).uniform(0.2, 3.0, size=n)


# -- comparison ---------------------------------------------------------------
def _assert_close(actual, desired, scale=None, rtol=1e-4, atol_factor=1e-5):
    """Relative agreement within ``rtol``; ``atol`` is small next to the
    largest coefficient (so that coefficients near 0 do not need rtol)."""
    actual = np.ravel(actual)
    desired = np.ravel(desired)
    if scale is None:
        scale = np.max(np.abs(desired))
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol_factor * scale)


def _lipschitz(X, sample_weight=None):
    """Largest eigenvalue of the Hessian of the (weighted mean) squared-error
    data term in (coef, intercept)."""
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else sample_weight
    Xa = np.c_[X, np.ones(n)]
    return np.linalg.eigvalsh((Xa * s[:, None]).T @ Xa / s.sum()).max()


# -- Ridge -------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["make_regression", "diabetes"])
@pytest.mark.parametrize("alpha", ALPHAS)
def test_l2_regressor_equals_ridge(dataset, alpha, regression_dataset):
    X, y = regression_dataset(dataset)
    ours = MLPRegressor(alpha=alpha, penalty="l2", **LBFGS).fit(X, y)
    ref = Ridge(alpha=alpha).fit(X, y)

    assert ours.coefs_[0].shape == (X.shape[1], 1)
    scale = np.abs(ref.coef_).max()
    _assert_close(ours.coefs_[0], ref.coef_)
    _assert_close(ours.intercepts_[0], ref.intercept_, scale=scale)


@pytest.mark.parametrize("dataset", ["make_regression", "diabetes"])
@pytest.mark.parametrize("alpha", ALPHAS)
def test_l2_regressor_equals_ridge_with_sample_weight(
    dataset, alpha, regression_dataset
):
    X, y = regression_dataset(dataset)
    sw = _sample_weight(X.shape[0])
    ours = MLPRegressor(alpha=alpha, penalty="l2", **LBFGS).fit(X, y, sample_weight=sw)
    ref = Ridge(alpha=alpha).fit(X, y, sample_weight=sw)

    scale = np.abs(ref.coef_).max()
    _assert_close(ours.coefs_[0], ref.coef_)
    _assert_close(ours.intercepts_[0], ref.intercept_, scale=scale)


def test_sample_weight_scales_the_objective_not_the_penalty(regression_dataset):
    """Integer weights equal repeated rows: S counts the repeats, so the
    penalty is divided by the same S in both fits."""
    X, y = regression_dataset("make_regression")
    sw = np.random.RandomState(1).randint(1, 4, size=X.shape[0])
    weighted = MLPRegressor(alpha=10.0, **LBFGS).fit(X, y, sample_weight=sw)
    repeated = MLPRegressor(alpha=10.0, **LBFGS).fit(
        np.repeat(X, sw, axis=0), np.repeat(y, sw)
    )
    ref = Ridge(alpha=10.0).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    _assert_close(weighted.coefs_[0], ref.coef_)
    _assert_close(repeated.coefs_[0], ref.coef_)


@pytest.mark.parametrize("dataset", ["make_regression", "diabetes"])
@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("n_outputs", [2, 3])
def test_l2_multi_output_regressor_equals_ridge(
    dataset, alpha, n_outputs, regression_dataset
):
    """The squared error is summed over outputs (not averaged): the same
    alpha as Ridge, whatever the number of outputs."""
    X, y = regression_dataset(dataset)
    rng = np.random.RandomState(0)
    Y = np.c_[
        y,
        3.0 * X[:, 0] + 10.0 * rng.randn(len(y)),
        -0.5 * y + X[:, 1],
    ][:, :n_outputs]
    ours = MLPRegressor(alpha=alpha, **LBFGS).fit(X, Y)
    ref = Ridge(alpha=alpha).fit(X, Y)

    assert ours.coefs_[0].shape == (X.shape[1], n_outputs)
    scale = np.abs(ref.coef_).max()
    _assert_close(ours.coefs_[0].T, ref.coef_)
    _assert_close(ours.intercepts_[0], ref.intercept_, scale=scale)
    np.testing.assert_allclose(
        ours.predict(X), ref.predict(X), rtol=0, atol=1e-4 * np.abs(Y).max()
    )


# -- LogisticRegression -------------------------------------------------------
def _logistic(alpha):
    return LogisticRegression(C=1.0 / alpha, tol=1e-12, max_iter=10_000)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_l2_binary_classifier_equals_logistic_regression(alpha):
    X, y = _classification_data("breast_cancer")
    ours = MLPClassifier(alpha=alpha, **LBFGS).fit(X, y)
    ref = _logistic(alpha).fit(X, y)

    assert ours.coefs_[0].shape == (X.shape[1], 1)
    scale = np.abs(ref.coef_).max()
    _assert_close(ours.coefs_[0], ref.coef_)
    _assert_close(ours.intercepts_[0], ref.intercept_, scale=scale)
    np.testing.assert_allclose(
        ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5
    )


@pytest.mark.parametrize("alpha", [1.0, 10.0])
def test_l2_binary_classifier_equals_logistic_regression_with_sample_weight(alpha):
    X, y = _classification_data("breast_cancer")
    sw = _sample_weight(X.shape[0], seed=3)
    ours = MLPClassifier(alpha=alpha, **LBFGS).fit(X, y, sample_weight=sw)
    ref = _logistic(alpha).fit(X, y, sample_weight=sw)

    scale = np.abs(ref.coef_).max()
    _assert_close(ours.coefs_[0], ref.coef_)
    _assert_close(ours.intercepts_[0], ref.intercept_, scale=scale)


@pytest.mark.parametrize("dataset", ["iris", "wine"])
@pytest.mark.parametrize("alpha", ALPHAS)
def test_l2_multiclass_classifier_equals_multinomial_logistic_regression(
    dataset, alpha
):
    X, y = _classification_data(dataset)
    ours = MLPClassifier(alpha=alpha, **LBFGS).fit(X, y)
    ref = _logistic(alpha).fit(X, y)
    n_classes = len(ref.classes_)

    assert ours.coefs_[0].shape == (X.shape[1], n_classes)
    # One weight vector per class, (n_classes, n_features) in scikit-learn.
    scale = np.abs(ref.coef_).max()
    _assert_close(ours.coefs_[0].T, ref.coef_)
    # Softmax intercepts are unpenalized and identified only up to a shift.
    ours_b = ours.intercepts_[0] - ours.intercepts_[0].mean()
    ref_b = ref.intercept_ - ref.intercept_.mean()
    _assert_close(ours_b, ref_b, scale=scale)
    np.testing.assert_allclose(
        ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5
    )


# -- Lasso / ElasticNet: full-batch proximal gradient ---------------------------
def _proximal_gradient(X, penalty, alpha, l1_ratio, sample_weight=None, epochs=2000):
    """sgd with one full batch, no momentum, a constant step 1/L: proximal
    gradient descent on J (L includes the smooth part of the penalty)."""
    S = X.shape[0] if sample_weight is None else sample_weight.sum()
    l2 = 0.0 if penalty == "l1" else alpha * (1.0 - l1_ratio) / S
    return MLPRegressor(
        hidden_layer_sizes=(),
        solver="sgd",
        penalty=penalty,
        alpha=alpha,
        l1_ratio=l1_ratio,
        batch_size=X.shape[0],
        momentum=0.0,
        shuffle=False,
        learning_rate="constant",
        learning_rate_init=1.0 / (_lipschitz(X, sample_weight) + l2),
        tol=0.0,
        n_iter_no_change=10**6,
        max_iter=epochs,
        random_state=0,
    )


@pytest.fixture
def sparse_regression_dataset(make_regression_data, load_diabetes_data):
    """``sparse_regression_dataset(name)``: standardized X, y unscaled."""

    def load(name):
        if name == "diabetes":
            return load_diabetes_data(target=None)
        return make_regression_data(
            60, 10, n_informative=4, noise=5.0, bias=3.0, random_state=1, target=None
        )

    return load


def _check_lasso_like(ours, ref):
    coef = ours.coefs_[0].ravel()
    n_zero = int(np.sum(ref.coef_ == 0.0))
    # The reference must be a sparse solution worth comparing with.
    assert 2 <= n_zero <= len(ref.coef_) - 2
    np.testing.assert_array_equal(coef == 0.0, ref.coef_ == 0.0)
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(coef, ref.coef_, rtol=1e-2, atol=1e-4 * scale)
    np.testing.assert_allclose(
        ours.intercepts_[0], [ref.intercept_], rtol=1e-2, atol=1e-4 * scale
    )


# (dataset, alpha / n): several exact zeros and several nonzeros.
LASSO_CASES = [("diabetes", 1.0), ("diabetes", 3.0), ("make_regression", 5.0)]


ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"  # tol=0: runs all epochs
)


@ignore_convergence
@pytest.mark.parametrize("dataset, lasso_alpha", LASSO_CASES)
def test_l1_proximal_sgd_equals_lasso(dataset, lasso_alpha, sparse_regression_dataset):
    X, y = sparse_regression_dataset(dataset)
    n = X.shape[0]
    ref = Lasso(alpha=lasso_alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    ours = _proximal_gradient(X, "l1", lasso_alpha * n, 1.0).fit(X, y)
    _check_lasso_like(ours, ref)


@ignore_convergence
def test_l1_proximal_sgd_equals_lasso_with_sample_weight(sparse_regression_dataset):
    """With weights, Lasso's data term is (1 / 2S) sum_i s_i r_i^2 (scikit-
    learn rescales the weights to sum to n), so alpha / S is its alpha."""
    X, y = sparse_regression_dataset("diabetes")
    sw = _sample_weight(X.shape[0], seed=2)
    S = sw.sum()
    lasso_alpha = 1.0
    ref = Lasso(alpha=lasso_alpha, tol=1e-12, max_iter=100_000).fit(
        X, y, sample_weight=sw
    )
    ours = _proximal_gradient(X, "l1", lasso_alpha * S, 1.0, sample_weight=sw)
    ours.fit(X, y, sample_weight=sw)
    _check_lasso_like(ours, ref)


# (dataset, alpha / n, l1_ratio)
ENET_CASES = [
    ("diabetes", 3.0, 0.7),
    ("make_regression", 6.0, 0.5),
    ("make_regression", 4.0, 0.7),
]


@ignore_convergence
@pytest.mark.parametrize("dataset, enet_alpha, l1_ratio", ENET_CASES)
def test_elasticnet_proximal_sgd_equals_elastic_net(
    dataset, enet_alpha, l1_ratio, sparse_regression_dataset
):
    X, y = sparse_regression_dataset(dataset)
    n = X.shape[0]
    ref = ElasticNet(
        alpha=enet_alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000
    ).fit(X, y)
    ours = _proximal_gradient(X, "elasticnet", enet_alpha * n, l1_ratio).fit(X, y)
    _check_lasso_like(ours, ref)
