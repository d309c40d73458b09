"""The CV estimators' ``average_folds``: predict with the mean of the refit and
the fold models that cross-validation trained at the chosen point."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import KFold

from skreg import MLPClassifierCV, MLPRegressorCV

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning", "ignore::UserWarning"
)

SEARCH = dict(hidden_layer_sizes=(8,), max_iter=40, alphas=3, random_state=0)


@pytest.fixture
def regression(make_regression_data):
    return make_regression_data(90, 5)


def _index(values, value):
    return int(np.flatnonzero(np.asarray(values) == value)[0])


def test_fold_models_are_the_scored_models_at_the_chosen_point(regression):
    """estimators_ holds, per fold, the model whose held-out score is in
    cv_scores_ at (relax_, alpha_); the prediction is the mean of it and the
    refit."""
    X, y = regression
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    cv = MLPRegressorCV(cv=folds, relax=[0.0, 1.0], **SEARCH).fit(X, y)
    assert len(cv.estimators_) == 3
    k, r = _index(cv.alphas_, cv.alpha_), [0.0, 1.0].index(cv.relax_)
    for f, (model, (_, test)) in enumerate(zip(cv.estimators_, folds)):
        assert model is not cv.estimator_
        assert model.score(X[test], y[test]) == cv.cv_scores_[r, k, f]
    members = [*cv.estimators_, cv.estimator_]
    assert_allclose(cv.predict(X), np.mean([m.predict(X) for m in members], axis=0))
    importances = np.mean([m.feature_importances_ for m in members], axis=0)
    assert_array_equal(cv.feature_importances_, importances)
    assert cv.n_features_selected_ == np.count_nonzero(importances)


def test_without_averaging_the_refit_predicts_alone(regression):
    X, y = regression
    cv = MLPRegressorCV(cv=3, average_folds=False, **SEARCH).fit(X, y)
    assert not hasattr(cv, "estimators_")
    assert_array_equal(cv.predict(X), cv.estimator_.predict(X))
    assert_array_equal(cv.feature_importances_, cv.estimator_.feature_importances_)
    # refitting with averaging on brings the fold models; off again drops them
    assert len(cv.set_params(average_folds=True).fit(X, y).estimators_) == 3
    assert not hasattr(cv.set_params(average_folds=False).fit(X, y), "estimators_")


def test_monte_carlo_std_is_the_members_mixture(regression):
    X, y = regression
    cv = MLPRegressorCV(cv=3, dropout=0.2, mc_samples=20, **SEARCH).fit(X, y)
    mean, std = cv.predict(X[:10], return_std=True)
    moments = [m.predict(X[:10], return_std=True) for m in cv._members()]
    mus = np.array([mu for mu, _ in moments])
    variances = np.array([sd**2 for _, sd in moments])
    assert_allclose(mean, mus.mean(axis=0))
    assert_allclose(std**2, variances.mean(axis=0) + mus.var(axis=0), atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_averages_probabilities(make_classification_data, n_classes):
    X, y = make_classification_data(120, 5, n_classes=n_classes, n_informative=3)
    cv = MLPClassifierCV(cv=3, **SEARCH).fit(X, y)
    members = [*cv.estimators_, cv.estimator_]
    proba = np.mean([m.predict_proba(X) for m in members], axis=0)
    assert_allclose(cv.predict_proba(X), proba)
    assert_allclose(cv.predict_log_proba(X), np.log(proba))
    assert_array_equal(cv.predict(X), cv.classes_[proba.argmax(axis=1)])


def test_a_fold_without_a_class_gets_zero_probability_for_it(make_classification_data):
    """With explicit folds, one fold's training part lacks class 2: its model
    knows two classes, and the average places its columns at theirs."""
    X, y = make_classification_data(90, 5, n_classes=3, n_informative=3)
    rare = np.flatnonzero(y == 2)
    rest = np.setdiff1d(np.arange(len(y)), rare)
    folds = [
        (rest[: len(rest) // 2], np.concatenate([rest[len(rest) // 2 :], rare])),
        (np.arange(len(y))[::2], np.arange(len(y))[1::2]),
        (np.arange(len(y))[1::2], np.arange(len(y))[::2]),
    ]
    cv = MLPClassifierCV(cv=folds, relax=None, **SEARCH).fit(X, y)
    first = cv.estimators_[0]
    assert_array_equal(first.classes_, [0, 1])
    proba = cv.predict_proba(X)
    expected = sum(
        m.predict_proba(X) for m in cv.estimators_[1:] + [cv.estimator_]
    ) + np.column_stack([first.predict_proba(X), np.zeros(len(y))])
    assert_allclose(proba, expected / 4)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_multilabel_targets_average_each_label(make_classification_data):
    X, y = make_classification_data(90, 5)
    Y = np.column_stack([y, 1 - y, (X[:, 0] > 0).astype(int)])
    cv = MLPClassifierCV(cv=3, **SEARCH).fit(X, Y)
    proba = np.mean([m.predict_proba(X) for m in cv._members()], axis=0)
    assert_allclose(cv.predict_proba(X), proba)
    assert_array_equal(cv.predict(X), (proba > 0.5).astype(int))
