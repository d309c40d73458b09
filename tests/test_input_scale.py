"""``input_scale``: fixed input multipliers, the weighted (adaptive) lasso,
and the CV estimators' adaptive second search."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_friedman1, make_regression
from sklearn.linear_model import Lasso

from skreg import MLPClassifier, MLPRegressor, MLPRegressorCV
from skreg._mlp.batching import fit_many

NET = dict(
    hidden_layer_sizes=(8,),
    penalty="group_lasso",
    alpha=2.0,
    skip_connection=True,
    learning_rate_init=0.01,
    max_iter=40,
    random_state=0,
)
SCALE = np.array([1.0, 2.0, 0.5, 0.0, 1.0, 3.0])


@pytest.fixture
def data():
    X, y = make_regression(n_samples=120, n_features=6, noise=5.0, random_state=0)
    return (X - X.mean(0)) / X.std(0), y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_network_sees_the_scaled_inputs(data):
    """Fitting with input_scale is fitting on X * input_scale: the same
    weights bit for bit (the unused input's row is 0 in both), the same
    predictions; X is not modified."""
    X, y = data
    X_before = X.copy()
    scaled = MLPRegressor(input_scale=SCALE, **NET).fit(X, y)
    plain = MLPRegressor(**NET).fit(X * SCALE, y)
    np.testing.assert_array_equal(X, X_before)
    for a, b in zip(
        scaled.coefs_ + [scaled.skip_coef_], plain.coefs_ + [plain.skip_coef_]
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(scaled.predict(X), plain.predict(X * SCALE))
    rows = np.sqrt((scaled.coefs_[0] ** 2).sum(1) + (scaled.skip_coef_**2).sum(1))
    np.testing.assert_allclose(scaled.feature_importances_, rows * SCALE)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("penalty", ["l2", "l1", "group_lasso"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_an_input_scaled_by_zero_is_unused(data, penalty, solver):
    """Its first-layer and skip rows are exactly 0 from the start (even with
    L2, which never zeroes a weight), so its importance is 0."""
    X, y = data
    params = {**NET, "penalty": penalty, "solver": solver}
    model = MLPRegressor(input_scale=SCALE, **params).fit(X, y)
    assert np.all(model.coefs_[0][3] == 0.0) and np.all(model.skip_coef_[3] == 0.0)
    assert model.feature_importances_[3] == 0.0
    assert np.all(np.delete(model.feature_importances_, 3) > 0)
    X_changed = X.copy()
    X_changed[:, 3] = 1e3  # an unused input cannot move the prediction
    np.testing.assert_array_equal(model.predict(X), model.predict(X_changed))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_weighted_lasso_matches_lasso_on_scaled_inputs(data):
    """No hidden layer, L1: input_scale s is the Lasso with penalty weights
    1 / s_j, i.e. scikit-learn's Lasso on X * s (exact solver)."""
    X, y = data
    s = np.array([1.0, 0.5, 2.0, 1.0, 0.25, 1.5])
    alpha = 30.0
    ours = MLPRegressor(
        hidden_layer_sizes=(),
        penalty="l1",
        alpha=alpha,
        input_scale=s,
        solver="lbfgs",
        tol=1e-12,
        max_iter=20_000,
    ).fit(X, y)
    ref = Lasso(alpha=alpha / len(y), tol=1e-12, max_iter=100_000).fit(X * s, y)
    np.testing.assert_allclose(ours.coefs_[0].ravel(), ref.coef_, atol=1e-6)
    # on the original inputs the coefficients are s * coef, the weighted lasso's
    np.testing.assert_allclose(
        ours.feature_importances_, np.abs(ref.coef_ * s), atol=1e-6
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_input_and_classifier(data):
    X, y = data
    labels = (y > np.median(y)).astype(int)
    dense = MLPClassifier(input_scale=SCALE, **NET).fit(X, labels)
    sparse = MLPClassifier(input_scale=SCALE, **NET).fit(sp.csr_matrix(X), labels)
    np.testing.assert_allclose(dense.coefs_[0], sparse.coefs_[0], rtol=1e-10)
    np.testing.assert_allclose(
        dense.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X)), rtol=1e-10
    )
    assert dense.feature_importances_[3] == 0.0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_batched_fits_equal_single_fits(data):
    X, y = data
    rows = [np.arange(0, 90), np.arange(30, 120)]
    single = [MLPRegressor(input_scale=SCALE, **NET).fit(X[r], y[r]) for r in rows]
    batch = [MLPRegressor(input_scale=SCALE, **NET) for _ in rows]
    fit_many(batch, X, y, None, rows)
    for a, b in zip(single, batch):
        for Wa, Wb in zip(a.coefs_, b.coefs_):
            np.testing.assert_array_equal(Wa, Wb)


@pytest.mark.parametrize(
    "scale, match",
    [
        (np.ones(5), "one value per input feature"),
        (np.array([1, 1, -1, 1, 1, 1.0]), "non-negative"),
        (np.array([1, 1, np.nan, 1, 1, 1.0]), "finite"),
    ],
)
def test_bad_input_scale(data, scale, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        MLPRegressor(input_scale=scale, **NET).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_cv_adaptive_second_search():
    """adaptive=True: the first search runs without relaxation; the second
    search's input_scale is its refit's importances over their largest; the
    inputs it dropped stay unused; the returned model is the second search's."""
    X, y = make_friedman1(n_samples=200, n_features=30, noise=1.0, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    params = dict(hidden_layer_sizes=(16,), alphas=5, cv=3, max_iter=60, random_state=0)
    first = MLPRegressorCV(adaptive=False, relax=None, **params).fit(X, y)
    assert first.input_scale_ is None
    adaptive = MLPRegressorCV(adaptive=True, **params).fit(X, y)
    importances = first.estimator_.feature_importances_
    np.testing.assert_allclose(adaptive.input_scale_, importances / importances.max())
    for member in [adaptive.estimator_, *adaptive.estimators_]:
        np.testing.assert_array_equal(member.input_scale, adaptive.input_scale_)
    dropped = importances == 0
    assert dropped.any()
    assert np.all(adaptive.feature_importances_[dropped] == 0)
    # the second search ran on the kept columns; its models take every input
    assert adaptive.coefs_[0].shape[0] == X.shape[1]
    assert np.all(adaptive.coefs_[0][dropped] == 0)
    assert np.all(adaptive.skip_coef_[dropped] == 0)
    assert adaptive.support_path_.shape[-1] == X.shape[1]
    assert not adaptive.support_path_[..., dropped].any()
    assert np.all((0 <= adaptive.sparsity_path_) & (adaptive.sparsity_path_ <= 1))
    narrow = adaptive.estimator_
    assert narrow.n_features_in_ == X.shape[1]
    X_changed = X.copy()
    X_changed[:, dropped] = 1e3
    np.testing.assert_array_equal(adaptive.predict(X), adaptive.predict(X_changed))
    again = MLPRegressorCV(
        input_scale=adaptive.input_scale_, adaptive=False, **params
    ).fit(X, y)
    np.testing.assert_array_equal(again.cv_scores_, adaptive.cv_scores_)
    np.testing.assert_array_equal(again.predict(X), adaptive.predict(X))


def test_cv_adaptive_without_a_second_search_repeats_the_first_relaxed():
    """Where the first (unrelaxed) search keeps no input, or the penalty is
    never sparse, the result is the single relaxed search of adaptive=False."""
    X, y = make_friedman1(n_samples=120, n_features=8, noise=1.0, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    params = dict(hidden_layer_sizes=(8,), cv=3, max_iter=30, random_state=0)
    for extra in (
        {"alphas": [1e3, 1e4]},  # every point drops every input
        {"penalty": "elasticnet", "l1_ratio": 0.0, "alphas": 3},
    ):
        single = MLPRegressorCV(adaptive=False, **extra, **params).fit(X, y)
        adaptive = MLPRegressorCV(adaptive=True, **extra, **params).fit(X, y)
        assert adaptive.relax_ in (0.0, 1.0)
        assert adaptive.input_scale_ is None
        np.testing.assert_array_equal(adaptive.cv_scores_, single.cv_scores_)
        np.testing.assert_array_equal(adaptive.predict(X), single.predict(X))
