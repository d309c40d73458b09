"""scikit-learn's hyper-parameter searches over skreg's regularization knobs.

GridSearchCV, RandomizedSearchCV and HalvingGridSearchCV tune ``alpha``,
``l1_ratio``, ``dropout`` and ``penalty`` of the plain estimators inside a
``Pipeline`` with a scaler; nested cross-validation wraps the CV estimators.
"""

import numpy as np
import pytest
from scipy.stats import loguniform, uniform
from sklearn.datasets import make_classification, make_regression
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV

# Small, quick networks (fast_params in conftest.py) that need not converge.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.fast(max_iter=60),
]


def _data(is_classifier):
    if is_classifier:
        return make_classification(
            n_samples=120, n_features=6, n_informative=4, random_state=0
        )
    X, y = make_regression(n_samples=120, n_features=6, noise=5.0, random_state=0)
    return X * 10 + 3, y / y.std()  # unscaled X: the pipeline's scaler matters


def _pipeline(estimator):
    return Pipeline([("scale", StandardScaler()), ("mlp", estimator)])


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
def test_grid_search_over_alpha_and_penalty(cls, fast_params):
    X, y = _data(cls is MLPClassifier)
    grid = {
        "mlp__alpha": [0.1, 10.0],
        "mlp__penalty": ["l2", "l1", "elasticnet"],
        "mlp__l1_ratio": [0.5],
    }
    search = GridSearchCV(_pipeline(cls(**fast_params)), grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["mlp__alpha"] in grid["mlp__alpha"]
    best = search.best_estimator_.named_steps["mlp"]
    assert best.alpha == search.best_params_["mlp__alpha"]
    assert search.predict(X).shape[0] == X.shape[0]
    assert search.score(X, y) > 0.5


def test_grid_search_over_dropout_in_parallel(fast_params):
    X, y = _data(False)
    grid = {"mlp__dropout": [0.0, 0.2], "mlp__alpha": [1.0]}
    serial = GridSearchCV(_pipeline(MLPRegressor(**fast_params)), grid, cv=2).fit(X, y)
    parallel = GridSearchCV(
        _pipeline(MLPRegressor(**fast_params)), grid, cv=2, n_jobs=2
    ).fit(X, y)
    np.testing.assert_allclose(
        serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
def test_randomized_search_over_alpha_l1_ratio_dropout(cls, fast_params):
    X, y = _data(cls is MLPClassifier)
    distributions = {
        "mlp__alpha": loguniform(1e-2, 1e2),
        "mlp__l1_ratio": uniform(0, 1),
        "mlp__dropout": [0.0, 0.1, 0.3],
    }
    estimator = _pipeline(cls(penalty="elasticnet", **fast_params))
    search = RandomizedSearchCV(
        estimator, distributions, n_iter=4, cv=2, random_state=0
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 4
    assert all(0 <= p["mlp__l1_ratio"] <= 1 for p in params)
    assert all(1e-2 <= p["mlp__alpha"] <= 1e2 for p in params)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    again = RandomizedSearchCV(
        estimator, distributions, n_iter=4, cv=2, random_state=0
    ).fit(X, y)
    assert again.best_params_ == search.best_params_


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
def test_halving_grid_search_over_alpha_and_dropout(cls, fast_params):
    X, y = _data(cls is MLPClassifier)
    grid = {"mlp__alpha": [0.1, 1.0, 10.0], "mlp__dropout": [0.0, 0.2]}
    search = HalvingGridSearchCV(
        _pipeline(cls(**fast_params)),
        grid,
        cv=2,
        factor=3,
        min_resources=40,
        random_state=0,
    ).fit(X, y)
    assert search.n_iterations_ >= 2  # candidates were actually halved
    assert search.n_resources_[-1] > search.n_resources_[0]
    assert search.n_candidates_[-1] < search.n_candidates_[0] == 6
    assert search.best_params_["mlp__alpha"] in grid["mlp__alpha"]
    assert search.predict(X).shape[0] == X.shape[0]


@pytest.mark.parametrize("cls", [MLPRegressorCV, MLPClassifierCV])
def test_nested_cross_validation_of_the_cv_estimators(cls, fast_params):
    X, y = _data(cls is MLPClassifierCV)
    estimator = _pipeline(cls(alphas=3, cv=2, **fast_params))
    scores = cross_val_score(estimator, X, y, cv=2)
    assert scores.shape == (2,) and np.all(np.isfinite(scores))


def test_grid_search_over_a_cv_estimator_architecture(fast_params):
    X, y = _data(False)
    search = GridSearchCV(
        _pipeline(MLPRegressorCV(alphas=3, cv=2, **fast_params)),
        {"mlp__hidden_layer_sizes": [(4,), (8,)]},
        cv=2,
    ).fit(X, y)
    chosen = search.best_estimator_.named_steps["mlp"]
    assert chosen.alpha_ in chosen.alphas_
