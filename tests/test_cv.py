"""MLPRegressorCV / MLPClassifierCV: paths, selection, refit, parallel folds."""

import inspect
import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold
from threadpoolctl import threadpool_info, threadpool_limits

import skreg._cv.grid as cv_grid
import skreg._cv.path as cv_path
from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from skreg._cv.grid import alpha_grid, alpha_max, data_curvature, null_gradient
from skreg._cv.select import select, summarize

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CV_PARAMETERS = {
    "alphas",
    "eps",
    "cv",
    "scoring",
    "selection",
    "average_folds",
    "adaptive",
    "n_jobs",
}
PAIRS = [(MLPRegressorCV, MLPRegressor), (MLPClassifierCV, MLPClassifier)]
# The path mechanics tested below are those of L2 without a skip connection or
# relaxation (the CV estimators' defaults are pinned in CV_DEFAULTS); REFIT:
# a CV estimator that predicts with its refit alone, as the plain estimator
# fitted along the path does.
L2 = {"penalty": "l2", "skip_connection": False, "relax": None}
REFIT = {"average_folds": False}
_SELECTING = {
    "penalty": "group_lasso",
    "skip_connection": True,
    "relax": (0.0, 1.0),
    "learning_rate_init": 0.01,
}
CV_DEFAULTS = {
    MLPRegressorCV: {**_SELECTING, "standardize_target": True},
    MLPClassifierCV: _SELECTING,
}


@pytest.fixture
def classification(make_classification_data):
    """Three classes; X as make_classification draws it (not standardized)."""
    return make_classification_data(
        150, 6, n_informative=4, n_redundant=2, n_classes=3, standardize=False
    )


def _data(cls, diabetes, classification):
    return classification if cls is MLPClassifierCV else diabetes


# -- the estimators' parameters --------------------------------------------------------
@pytest.mark.parametrize("cv_cls, plain_cls", PAIRS)
def test_parameters_mirror_the_plain_estimator(cv_cls, plain_cls):
    cv_params = inspect.signature(cv_cls).parameters
    plain_params = inspect.signature(plain_cls).parameters
    assert set(cv_params) == (set(plain_params) - {"alpha", "warm_start"}) | (
        CV_PARAMETERS
    )
    # The CV estimators' own defaults (chosen on the generalization benchmark,
    # docs/user_guide/defaults.rst); every other default is the plain one.
    own = CV_DEFAULTS[cv_cls]
    for name in set(cv_params) - CV_PARAMETERS:
        expected = own[name] if name in own else plain_params[name].default
        assert cv_params[name].default == expected, name
    # every forwarded parameter reaches the template
    cv = cv_cls(hidden_layer_sizes=(3,), penalty="l1", dropout=0.1, tol=1e-3)
    template = cv._make_estimator(random_state=7, l1_ratio=0.5)
    assert isinstance(template, plain_cls)
    assert template.get_params()["hidden_layer_sizes"] == (3,)
    assert template.get_params()["penalty"] == "l1"
    assert template.get_params()["dropout"] == 0.1
    assert template.get_params()["random_state"] == 7


# -- the alpha grid --------------------------------------------------------------------
def test_alpha_max_rules():
    G = np.array([[3.0, -4.0], [1.0, 0.5]])
    assert alpha_max(G, "l1", 1.0) == 4.0
    assert alpha_max(G, "elasticnet", 0.5) == 8.0
    assert alpha_max(G, "group_lasso", 0.5) == 5.0
    assert_allclose(alpha_max(G, "l2", 0.5), np.linalg.norm(G, 2))
    assert_allclose(alpha_max(G, "elasticnet", 0.0), np.linalg.norm(G, 2))


def test_linear_l2_grid_starts_at_the_data_curvature(monkeypatch):
    rng = np.random.default_rng(0)
    X, s = rng.normal(size=(30, 4)) + 5.0, rng.uniform(size=30)
    Xc = X - np.average(X, axis=0, weights=s)
    top = np.linalg.eigvalsh(Xc.T @ (s[:, None] * Xc))[-1]
    Y = rng.normal(size=(30, 1))
    kwargs = {"penalty": "l2", "l1_ratio": 0.5, "n_alphas": 3, "eps": 1e-3}
    assert_allclose(alpha_grid(X, Y, s, linear=True, **kwargs)[0], top)
    assert_allclose(data_curvature(sp.csr_matrix(X), s), top)
    monkeypatch.setattr(cv_grid, "EXPLICIT_GRAM_MAX_FEATURES", 1)  # eigsh
    assert_allclose(data_curvature(X, s), top)
    assert_allclose(data_curvature(sp.csr_matrix(X), s), top)
    # with hidden layers the L2 rule is the spectral norm of G
    hidden = alpha_grid(X, Y, s, linear=False, **kwargs)[0]
    assert_allclose(hidden, np.linalg.norm(null_gradient(X, Y, s), 2))


def test_linear_ridge_grid_reaches_weak_regularization():
    X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    cv = MLPRegressorCV(hidden_layer_sizes=(), solver="lbfgs", alphas=5, cv=3, **L2)
    cv.fit(X, y)
    assert cv.mean_cv_scores_[0] < 0.8 < 0.999 < cv.mean_cv_scores_[-1]


def test_null_gradient_is_weighted_and_centered():
    rng = np.random.default_rng(0)
    X, y, s = rng.normal(size=(20, 3)), rng.normal(size=20), rng.uniform(size=20)
    ybar = np.average(y, weights=s)
    assert_allclose(null_gradient(X, y[:, None], s)[:, 0], X.T @ (s * (y - ybar)))
    grid = alpha_grid(
        X, y[:, None], None, penalty="l1", l1_ratio=1, n_alphas=4, eps=1e-2
    )
    assert_allclose(grid, np.geomspace(grid[0], grid[0] * 1e-2, 4))


def test_constant_target_gives_a_tiny_grid():
    X = np.random.default_rng(0).normal(size=(10, 2))
    grid = alpha_grid(
        X, np.ones((10, 1)), None, penalty="l1", l1_ratio=1, n_alphas=3, eps=1e-3
    )
    assert grid.shape == (3,) and np.all(grid > 0) and np.all(grid < 1e-10)


def test_l1_alpha_max_is_n_times_lasso_and_zeroes_every_weight(diabetes):
    X, y = diabetes
    n = X.shape[0]
    lasso_alpha_max = np.abs(X.T @ (y - y.mean())).max() / n  # LassoCV's rule
    cv = MLPRegressorCV(
        hidden_layer_sizes=(),
        penalty="l1",
        solver="lbfgs",
        alphas=4,
        cv=3,
        relax=None,
        adaptive=False,  # the first (only) search's grid
        standardize_target=False,  # the grid of y itself, as LassoCV's
    ).fit(X, y)
    assert_allclose(cv.alphas_[0], n * lasso_alpha_max)
    # exact for a linear model: zero weights at alpha_max, not just below it
    assert cv.n_zero_weights_path_[0].tolist() == [X.shape[1]] * 3
    assert cv.n_features_selected_path_[0].tolist() == [0, 0, 0]
    below = MLPRegressor(
        hidden_layer_sizes=(), penalty="l1", solver="lbfgs", alpha=0.9 * cv.alphas_[0]
    ).fit(X, y)
    assert np.count_nonzero(below.coefs_[0]) >= 1


def test_l2_grid_top_collapses_a_hidden_layer_network(diabetes, fast_params):
    X, y = diabetes
    params = {**fast_params, **L2, "hidden_layer_sizes": (16,)}
    cv = MLPRegressorCV(alphas=3, cv=3, **params)
    cv.fit(X, y)
    assert np.all(cv.cv_scores_[0] < 0.05)  # the null model at alpha_max
    assert cv.mean_cv_scores_.max() > 0.3


def test_support_path_is_the_selected_inputs_of_every_point_and_refit(fast_params):
    """support_path_ holds each (relax, alpha, fold) model's input mask: its
    count is n_features_selected_path_, the lasso selects at the large
    alphas, and a relaxed refit never brings back an input its point
    dropped (nor drops one at relax=0, where nothing is penalized)."""
    X, y = make_regression(
        n_samples=120, n_features=12, n_informative=3, noise=1.0, random_state=0
    )
    cv = MLPRegressorCV(
        penalty="l1",
        hidden_layer_sizes=(),
        solver="lbfgs",
        alphas=5,
        cv=3,
        relax=[0.0, 0.5, 1.0],
    ).fit(X, y)
    assert cv.support_path_.shape == (3, 5, 3, 12)
    assert cv.support_path_.dtype == bool
    assert_array_equal(cv.support_path_.sum(axis=-1), cv.n_features_selected_path_)
    unpenalized, half, point = cv.support_path_
    assert not point[0].any() and point[-1].any()  # alpha_max selects nothing
    assert not np.any(half & ~point)
    assert_array_equal(unpenalized, point)
    L2_only = MLPRegressorCV(alphas=3, cv=3, **L2, **fast_params).fit(X, y)
    assert L2_only.support_path_.shape == (3, 3, 12)
    assert L2_only.support_path_.all()


# -- path attributes and selection -----------------------------------------------------
def test_path_attributes_single_l1_ratio(diabetes, fast_params):
    X, y = diabetes
    cv = MLPRegressorCV(alphas=5, cv=3, **L2, **fast_params).fit(X, y)
    assert cv.alphas_.shape == (5,)
    assert np.all(np.diff(cv.alphas_) < 0)
    for name in (
        "cv_scores_",
        "n_iter_path_",
        "n_zero_weights_path_",
        "sparsity_path_",
        "n_features_selected_path_",
    ):
        assert getattr(cv, name).shape == (5, 3), name
    for name in ("mean_cv_scores_", "std_cv_scores_", "sem_cv_scores_"):
        assert getattr(cv, name).shape == (5,), name
    assert_allclose(cv.mean_cv_scores_, cv.cv_scores_.mean(axis=1))
    assert_allclose(cv.sem_cv_scores_, cv.cv_scores_.std(axis=1, ddof=1) / np.sqrt(3))
    assert cv.alpha_ in cv.alphas_
    assert cv.l1_ratio_ == 0.5
    k = int(np.flatnonzero(cv.alphas_ == cv.alpha_)[0])
    assert cv.best_score_ == cv.mean_cv_scores_[k] == cv.mean_cv_scores_.max()
    assert cv.estimator_.alpha == cv.alpha_ and not cv.estimator_.warm_start


def test_path_attributes_several_l1_ratios(diabetes, fast_params):
    X, y = diabetes
    cv = MLPRegressorCV(
        penalty="elasticnet",
        l1_ratio=[0.2, 0.9],
        alphas=4,
        cv=3,
        relax=None,
        **fast_params,
    ).fit(X, y)
    assert cv.alphas_.shape == (2, 4)
    assert cv.cv_scores_.shape == (2, 4, 3)
    assert cv.mean_cv_scores_.shape == cv.sem_cv_scores_.shape == (2, 4)
    assert cv.n_zero_weights_path_.shape == (2, 4, 3)
    # each l1_ratio has its own automatic grid: alpha_max = max|G| / l1_ratio
    assert_allclose(cv.alphas_[0, 0] * 0.2, cv.alphas_[1, 0] * 0.9)
    i = [0.2, 0.9].index(cv.l1_ratio_)
    assert cv.alpha_ in cv.alphas_[i]
    assert cv.best_score_ == cv.mean_cv_scores_.max()


def test_explicit_alphas_are_sorted_descending(diabetes, fast_params):
    X, y = diabetes
    cv = MLPRegressorCV(alphas=[1.0, 10.0, 0.1], cv=2, **fast_params).fit(X, y)
    assert_array_equal(cv.alphas_, [10.0, 1.0, 0.1])


def test_select_rules():
    mean = np.array([[0.1, 0.5, 0.58, 0.6, 0.55]])
    sem = np.full_like(mean, 0.03)
    assert select(mean, sem, "best") == (0, 3)
    assert select(mean, sem, "1se") == (0, 2)  # 0.58 >= 0.6 - 0.03
    mean[0, 0] = np.nan
    assert select(mean, sem, "best") == (0, 3)
    with pytest.raises(ValueError, match="NaN"):
        select(np.full((1, 3), np.nan), sem[:, :3], "best")
    scores = np.array([[[1.0, 2.0, 3.0]]])
    mean, std, sem = summarize(scores)
    assert_allclose(
        [mean[0, 0], std[0, 0], sem[0, 0]], [2.0, np.std([1, 2, 3]), 1 / np.sqrt(3)]
    )


def test_one_standard_error_rule_picks_a_larger_alpha(diabetes, fast_params):
    X, y = diabetes
    common = {"alphas": 8, "cv": 4, **L2, **fast_params}
    best = MLPRegressorCV(selection="best", **common).fit(X, y)
    one_se = MLPRegressorCV(selection="1se", **common).fit(X, y)
    assert_array_equal(best.cv_scores_, one_se.cv_scores_)
    assert one_se.alpha_ >= best.alpha_
    k_best = int(np.argmax(best.mean_cv_scores_))
    k = int(np.flatnonzero(one_se.alphas_ == one_se.alpha_)[0])
    threshold = best.mean_cv_scores_[k_best] - best.sem_cv_scores_[k_best]
    assert one_se.mean_cv_scores_[k] >= threshold
    assert np.all(one_se.mean_cv_scores_[:k] < threshold)  # the largest such alpha


# -- the path and the refit ------------------------------------------------------------
def _plain_path(plain, X, y, alphas):
    plain.set_params(warm_start=False)
    for alpha in alphas:
        plain.set_params(alpha=alpha).fit(X, y)
        plain.set_params(warm_start=True)
    return plain


@pytest.mark.parametrize("cv_cls, plain_cls", PAIRS)
def test_refit_equals_plain_estimator_along_the_path(
    cv_cls, plain_cls, diabetes, classification, fast_params
):
    X, y = _data(cv_cls, diabetes, classification)
    alphas = [30.0, 10.0, 3.0, 1.0]  # below the collapse of the network
    cv = cv_cls(alphas=alphas, cv=3, **L2, **REFIT, **fast_params).fit(X, y)
    k = alphas.index(cv.alpha_)
    own = CV_DEFAULTS[cv_cls]
    target = {n: v for n, v in own.items() if n == "standardize_target"}
    plain = plain_cls(**L2, **target, **fast_params)
    plain = _plain_path(plain, X, y, alphas[: k + 1])
    assert plain.alpha == cv.alpha_
    assert_allclose(cv.predict(X), plain.predict(X))
    for W_cv, W_plain in zip(cv.coefs_, plain.coefs_):
        assert_allclose(W_cv, W_plain)
    assert cv.n_iter_ == plain.n_iter_
    assert cv.n_features_in_ == X.shape[1]
    if cv_cls is MLPClassifierCV:
        assert_array_equal(cv.classes_, plain.classes_)
        assert_allclose(cv.predict_proba(X), plain.predict_proba(X))
        assert_allclose(cv.predict_log_proba(X), plain.predict_log_proba(X))
    assert cv.score(X, y) == plain.score(X, y)


def test_each_fold_warm_starts_along_the_path(diabetes, monkeypatch, fast_params):
    X, y = diabetes
    calls = []
    original_end_fit = MLPRegressor._end_fit

    def spy(self, start, outcome):  # once per fitted point, batched or not
        calls.append((self.alpha, self.warm_start, hasattr(self, "coefs_")))
        return original_end_fit(self, start, outcome)

    monkeypatch.setattr(MLPRegressor, "_end_fit", spy)
    alphas = [20.0, 5.0, 1.0]
    MLPRegressorCV(alphas=alphas, cv=3, **L2, **fast_params).fit(X, y)
    # 3 folds x 3 alphas (the folds of one alpha are one batch), then the
    # refit path down to alpha_
    fold_calls = calls[:9]
    assert sorted(c[0] for c in fold_calls) == sorted(alphas * 3)
    first = [c for c in fold_calls if c[0] == alphas[0]]
    assert first == [(alphas[0], False, False)] * 3  # fresh clones, cold
    later = [c for c in fold_calls if c[0] != alphas[0]]
    assert all(c[1:] == (True, True) for c in later)  # warm starts
    order = [alphas.index(c[0]) for c in fold_calls]
    assert order == sorted(order)  # largest alpha first on every fold
    assert len(calls) > 9 and calls[9][1:] == (False, False)


def test_warm_starts_need_fewer_epochs_than_cold_fits(diabetes):
    X, y = diabetes
    params = {"hidden_layer_sizes": (16,), "max_iter": 300, "random_state": 0}
    params.update(L2, learning_rate_init=0.001)
    alphas = [30.0, 10.0, 3.0, 1.0]
    folds = KFold(3)
    cv = MLPRegressorCV(alphas=alphas, cv=folds, **params).fit(X, y)
    plain = {**params, "standardize_target": True}
    cold = [
        [
            MLPRegressor(alpha=a, **plain).fit(X[tr], y[tr]).n_iter_
            for tr, _ in folds.split(X)
        ]
        for a in alphas
    ]
    assert_array_equal(cv.n_iter_path_[0], cold[0])  # the first point is a cold fit
    assert cv.n_iter_path_[1:].sum() < 0.7 * np.sum(cold[1:])


def test_collapsed_network_restarts_cold(diabetes, fast_params):
    X, y = diabetes
    # the top alphas zero the whole L1 network; a warm start from it would
    # stay at zero for every smaller alpha (no gradient reaches the weights)
    cv = MLPRegressorCV(
        penalty="l1",
        alphas=[500.0, 200.0, 1.0, 0.3],
        cv=3,
        skip_connection=False,
        relax=None,
        standardize_target=False,  # the alphas above are on y's scale
        **fast_params,
    ).fit(X, y)
    n_weights = 10 * 8 + 8
    assert np.all(cv.n_zero_weights_path_[:2] == n_weights)
    assert np.all(cv.n_zero_weights_path_[2:] < n_weights)
    assert cv.mean_cv_scores_[2:].min() > 0.3


def test_sparse_penalty_path_is_sparser_at_larger_alpha(diabetes):
    X, y = diabetes
    cv = MLPRegressorCV(
        hidden_layer_sizes=(), penalty="l1", solver="lbfgs", alphas=6, cv=3, relax=None
    ).fit(X, y)
    zeros = cv.n_zero_weights_path_.mean(axis=1)
    features = cv.n_features_selected_path_.mean(axis=1)
    assert zeros[0] == X.shape[1] and features[0] == 0
    assert zeros[-1] < zeros[0] and features[-1] > features[0]
    assert np.all(np.diff(zeros) <= 1)  # monotone up to one coefficient of noise
    assert_allclose(cv.sparsity_path_, cv.n_zero_weights_path_ / X.shape[1])


# -- classifier ------------------------------------------------------------------------
def test_classifier_uses_stratified_folds(classification, fast_params):
    X, y = classification
    params = {"alphas": [10.0, 1.0], **fast_params}
    by_int = MLPClassifierCV(cv=3, **params).fit(X, y)
    stratified = MLPClassifierCV(cv=StratifiedKFold(3), **params).fit(X, y)
    plain_kfold = MLPClassifierCV(cv=KFold(3), **params).fit(X, y)
    assert_array_equal(by_int.cv_scores_, stratified.cv_scores_)
    assert not np.array_equal(by_int.cv_scores_, plain_kfold.cv_scores_)
    assert by_int.predict_proba(X).shape == (150, 3)
    assert set(by_int.predict(X)) <= set(by_int.classes_)


def test_classifier_grid_uses_label_indicators(classification, fast_params):
    X, y = classification
    cv = MLPClassifierCV(alphas=3, cv=2, **L2, **fast_params).fit(X, y)
    Y = np.eye(3)[y]
    assert_allclose(cv.alphas_[0], np.linalg.norm(X.T @ (Y - Y.mean(axis=0)), 2))


# -- determinism and parallel folds ----------------------------------------------------
def test_same_result_for_n_jobs_1_and_2(diabetes, fast_params):
    X, y = diabetes
    params = {"alphas": 4, "cv": 3, **fast_params}
    serial = MLPRegressorCV(n_jobs=1, **params).fit(X, y)
    parallel = MLPRegressorCV(n_jobs=2, **params).fit(X, y)
    assert serial.alpha_ == parallel.alpha_
    assert_allclose(serial.cv_scores_, parallel.cv_scores_)
    assert_allclose(serial.predict(X), parallel.predict(X))


def test_random_state_none_is_consistent_within_a_fit(diabetes, fast_params):
    X, y = diabetes
    cv = MLPRegressorCV(
        alphas=[10.0, 1.0],
        cv=2,
        **{**fast_params, **L2, **REFIT, "random_state": None},
    )
    cv.fit(X, y)
    assert isinstance(cv.estimator_.random_state, int)
    plain = _plain_path(
        MLPRegressor(
            **{**fast_params, "random_state": cv.estimator_.random_state},
            standardize_target=True,
        ),
        X,
        y,
        cv.alphas_[: list(cv.alphas_).index(cv.alpha_) + 1],
    )
    assert_allclose(cv.predict(X), plain.predict(X))


def _blas_threads(estimator, X, y):
    """A "score" that reports the BLAS thread count inside the path."""
    return max(pool["num_threads"] for pool in threadpool_info())


def test_blas_is_single_threaded_inside_parallel_paths(diabetes, fast_params):
    X, y = diabetes
    params = {"alphas": [1.0], "cv": 2, "scoring": _blas_threads, **fast_params}
    params["relax"] = None  # one score per fold, every one a fit's
    parallel = MLPRegressorCV(n_jobs=2, **params).fit(X, y)
    assert np.all(parallel.cv_scores_ == 1)
    with threadpool_limits(limits=2):  # n_jobs=1 leaves BLAS alone
        serial = MLPRegressorCV(n_jobs=1, **params).fit(X, y)
    assert np.all(serial.cv_scores_ == _blas_threads(None, X, y))


def test_dask_backend_gives_the_same_alpha(diabetes, fast_params):
    distributed = pytest.importorskip("distributed")
    X, y = diabetes
    params = {"alphas": 4, "cv": 3, "adaptive": False, **fast_params}  # one search
    serial = MLPRegressorCV(n_jobs=1, **params).fit(X, y)
    # in-process workers talking TCP on the loopback interface: tasks and
    # results are pickled as on a real cluster, without spawning processes
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster, distributed.Client(cluster) as client:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        with distributed.get_task_stream(client) as tasks:
            with joblib.parallel_backend("dask"):
                on_dask = MLPRegressorCV(n_jobs=-1, **params).fit(X, y)
        # the three fold paths ran on the workers, as one batch per worker
        assert len(tasks.data) == 2
    assert cluster.status.name == "closed"
    assert on_dask.alpha_ == serial.alpha_
    assert_allclose(on_dask.cv_scores_, serial.cv_scores_)


# -- errors, data handling -------------------------------------------------------------
@pytest.mark.parametrize(
    "params, match",
    [
        ({"penalty": None}, "no strength to choose"),
        ({"l1_ratio": [0.2, 0.8]}, "penalty='elasticnet'"),
        ({"penalty": "elasticnet", "l1_ratio": [0.2, 1.5]}, r"in \[0, 1\]"),
        ({"alphas": [1.0, -1.0]}, "non-negative"),
    ],
)
def test_invalid_parameters(params, match, diabetes, fast_params):
    X, y = diabetes
    with pytest.raises(ValueError, match=match):
        MLPRegressorCV(**{**fast_params, **params}).fit(X, y)


@pytest.mark.parametrize(
    "make_y, match",
    [
        (lambda X: X[:, 0], "Unknown label type"),
        (lambda X: np.array(["a", 1] * 75, dtype=object), "Mix of label input"),
        (lambda X: np.c_[np.arange(150) % 3, np.arange(150) % 2], "multioutput"),
    ],
)
def test_classifier_refuses_bad_labels(make_y, match, classification, fast_params):
    X, _ = classification
    with pytest.raises(ValueError, match=match):
        MLPClassifierCV(**fast_params).fit(X, make_y(X))


def test_overflowing_grid_names_the_scaling(diabetes, fast_params):
    X, y = diabetes
    with pytest.raises(ValueError, match="Standardize X"):
        MLPRegressorCV(**fast_params).fit(X * 1e300, y * 1e300)


def test_feature_names_sample_weight_and_pickle(diabetes, fast_params):
    pd = pytest.importorskip("pandas")
    X, y = diabetes
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    weights = np.random.default_rng(0).uniform(0.5, 1.5, size=len(y))
    cv = MLPRegressorCV(alphas=[10.0, 1.0], cv=2, **fast_params)
    cv.fit(frame, y, sample_weight=weights)
    assert_array_equal(cv.feature_names_in_, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prediction = cv.predict(frame)
    assert_allclose(pickle.loads(pickle.dumps(cv)).predict(frame), prediction)


def test_verbose_prints_the_choice(diabetes, capsys, fast_params):
    X, y = diabetes
    MLPRegressorCV(alphas=[10.0, 1.0], cv=2, verbose=1, **fast_params).fit(X, y)
    assert "alpha_=" in capsys.readouterr().out


def test_collapse_rule_ignores_linear_models():
    est = MLPRegressor(hidden_layer_sizes=(), alpha=1e6, solver="lbfgs")
    X = np.random.default_rng(0).normal(size=(20, 2))
    est.fit(X, X[:, 0])
    assert not cv_path.collapsed(est, X, scale=1.0)


def test_convergence_warnings_are_not_errors(diabetes, fast_params):
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPRegressorCV(alphas=[1.0], cv=2, **{**fast_params, "max_iter": 2}).fit(X, y)


def test_warns_when_the_weakest_alpha_of_the_grid_wins():
    # A noiseless linear truth: the weakest penalty of the grid predicts best.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0])
    params = dict(hidden_layer_sizes=(), solver="lbfgs", penalty="l1", cv=3, relax=None)
    with pytest.warns(UserWarning, match="smallest alpha of the automatic grid") as w:
        cv = MLPRegressorCV(alphas=4, **params).fit(X, y)
    assert cv.alpha_ == cv.alphas_[-1]
    assert {r.filename for r in w} == {__file__}  # points at the caller's fit
    # explicit alphas: the user chose the range, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        MLPRegressorCV(alphas=list(cv.alphas_), **params).fit(X, y)


def test_no_edge_warning_inside_the_grid(diabetes):
    X, y = diabetes
    params = dict(hidden_layer_sizes=(), solver="lbfgs", penalty="l1", cv=3, relax=None)
    params["adaptive"] = False  # one search (the second has its own grid)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        cv = MLPRegressorCV(alphas=8, **params).fit(X, y)
    assert cv.alpha_ != cv.alphas_[-1]
