"""Conventions of scikit-learn's estimators that the CV estimators and the
ensembles keep: tags, feature names of the fitted models, routing, hints."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags

from skreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)


# -- tags ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "estimator",
    [MLPClassifier(), MLPClassifierCV(), MLPEnsembleClassifier()],
    ids=lambda e: type(e).__name__,
)
def test_classifiers_that_fit_multilabel_targets_say_so(estimator):
    assert get_tags(estimator).classifier_tags.multi_label


def test_an_ensemble_is_multilabel_when_its_members_are():
    ensemble = MLPEnsembleClassifier(LogisticRegression())
    assert not get_tags(ensemble).classifier_tags.multi_label


def test_multilabel_targets_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    for est in (
        MLPClassifierCV(hidden_layer_sizes=(8,), max_iter=30, alphas=2, cv=2),
        MLPEnsembleClassifier(MLPClassifier((8,), max_iter=30), n_estimators=2),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, Y)
        assert est.predict(X).shape == Y.shape


# -- feature names -------------------------------------------------------------------
@pytest.mark.parametrize(
    "estimator",
    [
        MLPRegressorCV(hidden_layer_sizes=(4,), max_iter=20, alphas=2, cv=2),
        MLPEnsembleRegressor(
            MLPRegressor(hidden_layer_sizes=(4,), max_iter=20), n_estimators=2
        ),
    ],
    ids=lambda e: type(e).__name__,
)
def test_fitted_models_know_the_feature_names(estimator):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = X["a"] - X["b"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    models = getattr(estimator, "estimators_", None) or [estimator.estimator_]
    for model in models:
        assert list(model.feature_names_in_) == ["a", "b", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        estimator.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        estimator.predict(X[["b", "a", "c"]])


# -- hints on common mistakes ----------------------------------------------------------
@pytest.mark.parametrize("cls", [MLPRegressorCV, MLPClassifierCV])
def test_alpha_for_a_cv_estimator_points_to_alphas(cls):
    with pytest.raises(TypeError, match=r"alphas=\[\.\.\.\]"):
        cls(alpha=0.1)


@pytest.mark.parametrize(
    "est, classifier",
    [
        (MLPRegressor(max_iter=5), "MLPClassifier"),
        (MLPRegressorCV(max_iter=5, alphas=2, cv=2), "MLPClassifierCV"),
        (MLPEnsembleRegressor(n_estimators=2), "MLPEnsembleClassifier"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_string_targets_for_a_regressor_point_to_the_classifier(est, classifier):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match=f"For class labels use {classifier}"):
        est.fit(X, np.array(["a", "b"] * 10))


@pytest.mark.parametrize(
    "params, hint",
    [
        ({"penalty": "L1"}, "penalty='l1'"),
        ({"solver": "Adam"}, "solver='adam'"),
        ({"penalty": "elastic-net"}, None),  # not only case or '-': no guess
        ({"penalty": "group-lasso"}, "penalty='group_lasso'"),
    ],
)
@pytest.mark.parametrize("cls", [MLPRegressor, MLPRegressorCV])
def test_a_misspelt_option_gets_a_suggestion(cls, params, hint):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="parameter of") as info:
        cls(**params).fit(X, X[:, 0])
    if hint is None:
        assert "Did you mean" not in str(info.value)
    else:
        assert str(info.value).endswith(f"Did you mean {hint}?")
