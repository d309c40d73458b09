"""Relaxed refits: keep the inputs a sparse fit selected, weaken the penalty.

With no hidden layer the relaxed refit is a convex problem on the selected
columns, so it must match scikit-learn's exact solvers there: ``relax=0`` is
ordinary least squares on the selected inputs, ``relax=g`` the Lasso with
``alpha * g / n`` on them.
"""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.linear_model import Lasso, LinearRegression

from skreg import MLPClassifierCV, MLPRegressor, MLPRegressorCV

LINEAR = dict(hidden_layer_sizes=(), solver="lbfgs", tol=1e-12, max_iter=20_000)
# Looser for the searches: they test the bookkeeping, not the solver.
SEARCH = dict(hidden_layer_sizes=(), solver="lbfgs", tol=1e-6, max_iter=2_000)


@pytest.fixture
def sparse_linear():
    X, y = make_regression(
        n_samples=120, n_features=15, n_informative=4, noise=5.0, random_state=0
    )
    return (X - X.mean(0)) / X.std(0), y


@pytest.mark.parametrize("relax", [0.0, 0.25])
def test_linear_relaxed_refit_is_the_lasso_on_the_selected_inputs(sparse_linear, relax):
    X, y = sparse_linear
    n, alpha = X.shape[0], 600.0
    base = MLPRegressor(penalty="l1", alpha=alpha, random_state=0, **LINEAR).fit(X, y)
    selected = base.coefs_[0].ravel() != 0
    assert 0 < selected.sum() < X.shape[1]
    relaxed = MLPRegressor(
        penalty="l1", alpha=alpha, relax=relax, random_state=0, **LINEAR
    ).fit(X, y)
    coef = relaxed.coefs_[0].ravel()
    assert np.all(coef[~selected] == 0.0)  # the unselected inputs stay out
    if relax == 0.0:
        reference = LinearRegression().fit(X[:, selected], y)
    else:
        reference = Lasso(alpha=alpha * relax / n, tol=1e-12, max_iter=100_000)
        reference.fit(X[:, selected], y)
    np.testing.assert_allclose(coef[selected], reference.coef_, rtol=1e-5, atol=1e-6)
    assert relaxed.n_iter_ > base.n_iter_  # both fits are counted


def test_relax_one_is_no_refit(sparse_linear):
    X, y = sparse_linear
    params = dict(hidden_layer_sizes=(8,), penalty="l1", alpha=50.0, max_iter=30)
    a = MLPRegressor(random_state=0, **params).fit(X, y)
    b = MLPRegressor(relax=1.0, random_state=0, **params).fit(X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(Wa, Wb)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_network_relaxed_refit_keeps_unused_inputs_at_zero(sparse_linear, solver):
    X, y = sparse_linear
    y = (y - y.mean()) / y.std()
    params = dict(
        hidden_layer_sizes=(16,),
        penalty="group_lasso",
        alpha=15.0,
        solver=solver,
        learning_rate_init=0.01 if solver == "adam" else 0.05,
        max_iter=200,
        skip_connection=True,
        random_state=0,
    )
    base = MLPRegressor(**params).fit(X, y)
    relaxed = MLPRegressor(relax=0.1, **params).fit(X, y)
    unused = base.feature_importances_ == 0
    assert unused.any()
    assert np.all(relaxed.coefs_[0][unused] == 0.0)
    assert np.all(relaxed.skip_coef_[unused] == 0.0)
    # the weaker penalty shrinks the kept inputs' weights less
    kept = ~unused
    assert np.all(relaxed.feature_importances_[kept] > 0)
    assert relaxed.score(X, y) >= base.score(X, y) - 1e-3


def test_cv_searches_alpha_and_relax_together(sparse_linear):
    X, y = sparse_linear
    cv = MLPRegressorCV(
        penalty="l1",
        relax=[0.0, 0.5, 1.0],
        alphas=4,
        cv=3,
        random_state=0,
        adaptive=False,  # the refit is the plain relaxed fit (one search)
        **SEARCH,
    ).fit(X, y)
    assert cv.cv_scores_.shape == (3, 4, 3)
    assert cv.mean_cv_scores_.shape == (3, 4)
    assert cv.relax_ in (0.0, 0.5, 1.0)
    r = [0.0, 0.5, 1.0].index(cv.relax_)
    k = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    assert cv.best_score_ == cv.mean_cv_scores_[r, k] == cv.mean_cv_scores_.max()
    assert cv.estimator_.relax == cv.relax_
    # the refit is the plain estimator's relaxed fit at (alpha_, relax_)
    plain = MLPRegressor(
        penalty="l1",
        alpha=cv.alpha_,
        relax=cv.relax_,
        random_state=0,
        standardize_target=True,  # MLPRegressorCV's default
        **SEARCH,
    ).fit(X, y)
    np.testing.assert_allclose(cv.coefs_[0], plain.coefs_[0], rtol=1e-6, atol=1e-8)


def test_cv_relax_axis_with_several_l1_ratios_and_single_value(sparse_linear):
    X, y = sparse_linear
    y_class = (y > np.median(y)).astype(int)
    params = dict(alphas=3, cv=3, random_state=0, **SEARCH)
    cv = MLPClassifierCV(
        penalty="elasticnet", l1_ratio=[0.5, 1.0], relax=[0.0, 1.0], **params
    ).fit(X, y_class)
    assert cv.cv_scores_.shape == (2, 2, 3, 3)
    single = MLPRegressorCV(penalty="l1", relax=0.5, **params).fit(X, y)
    assert single.cv_scores_.shape == (3, 3) and single.relax_ == 0.5
    with pytest.raises(ValueError, match="relax values must be in"):
        MLPRegressorCV(penalty="l1", relax=[0.5, 2.0], **params).fit(X, y)


NETWORK_SEARCH = dict(
    hidden_layer_sizes=(8,),
    learning_rate_init=0.01,
    max_iter=60,
    alphas=4,
    cv=3,
    random_state=0,
)


def test_cv_points_with_the_same_inputs_share_the_unpenalized_refit(sparse_linear):
    """relax=0 minimizes the unpenalized loss over the selected inputs: along
    a warm path, the points that select the same inputs (with L2: all of
    them) share the refit of the first one, so their scores are equal."""
    X, y = sparse_linear
    cv = MLPRegressorCV(
        penalty="l2", skip_connection=False, relax=[0.0, 0.5], **NETWORK_SEARCH
    ).fit(X, y)
    unpenalized, half = cv.cv_scores_  # (alpha, fold) each
    np.testing.assert_array_equal(unpenalized, np.tile(unpenalized[:1], (4, 1)))
    assert np.all(cv.n_iter_path_[0] == cv.n_iter_path_[0][:1])
    # L2 drops no input, so no point has a relax=0.5 refit (the next test)
    assert np.isnan(half).all()


def test_cv_weaker_refits_only_where_the_point_dropped_an_input(sparse_linear):
    """0 < relax < 1 at a point that kept every input would only fit every
    input at a weaker penalty (what the path's weaker points do): that
    refit is skipped, its cell scored NaN and never chosen; the other
    entries of the cell record the point itself."""
    X, y = sparse_linear
    cv = MLPRegressorCV(
        penalty="group_lasso",
        relax=[0.0, 0.5, 1.0],
        adaptive=False,
        **{**NETWORK_SEARCH, "alphas": 6},
    ).fit(X, y)
    unpenalized, half, point = cv.cv_scores_
    kept_all = cv.support_path_[2].all(axis=-1)  # (alpha, fold), the points
    assert kept_all.any() and not kept_all.all()
    np.testing.assert_array_equal(np.isnan(half), kept_all)
    assert np.isfinite(unpenalized).all() and np.isfinite(point).all()
    for name in ("n_iter_path_", "n_features_selected_path_", "support_path_"):
        at = getattr(cv, name)
        np.testing.assert_array_equal(at[1][kept_all], at[2][kept_all])
    refitted = ~kept_all
    assert not np.array_equal(
        cv.n_iter_path_[1][refitted], cv.n_iter_path_[2][refitted]
    )
    assert np.isfinite(cv.best_score_)
    assert cv.best_score_ == np.nanmax(cv.mean_cv_scores_)


def test_cv_unpenalized_final_refit_starts_from_the_first_point_of_its_inputs(
    sparse_linear,
):
    """The final refit at relax_=0 reproduces what the path scored: the
    unpenalized refit of the path's first point with alpha_'s inputs (along
    an L2 path, the largest alpha's point)."""
    X, y = sparse_linear
    cv = MLPRegressorCV(
        penalty="l2", skip_connection=False, relax=[0.0], **NETWORK_SEARCH
    ).fit(X, y)
    assert cv.relax_ == 0.0
    params = {
        key: value
        for key, value in NETWORK_SEARCH.items()
        if key not in ("alphas", "cv")
    }
    first = MLPRegressor(
        penalty="l2",
        alpha=cv.alphas_[0],
        relax=0.0,
        standardize_target=True,
        **params,
    ).fit(X, y)
    for W_cv, W_first in zip(cv.coefs_, first.coefs_):
        np.testing.assert_array_equal(W_cv, W_first)
    assert cv.estimator_.alpha == cv.alpha_
