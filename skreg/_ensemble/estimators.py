"""MLPEnsembleRegressor and MLPEnsembleClassifier: deep ensembles."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import get_tags

from .._mlp import MLPClassifier, MLPRegressor
from .._mlp.classifier import LogProbaMixin, labels_from_proba
from .._sklearn_compat import HasMethods
from .._validation import check_class_labels, check_two_classes
from .base import BaseMLPEnsemble, moments
from .docstrings import ensemble_docstring


class MLPEnsembleRegressor(RegressorMixin, BaseMLPEnsemble):
    _default_estimator_class = MLPRegressor

    def predict(self, X, return_std=False):
        """Mean prediction of the members, optionally with their spread.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the standard deviation of the members' predictions
            (``ddof=0``: the standard deviation of the ensemble read as an
            equal-weight mixture of its members' mean functions). It measures
            model (epistemic) uncertainty only; add an estimate of the noise
            variance for an interval that should cover new targets.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The average of the members' predictions.
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Standard deviation of the members' predictions; only with
            ``return_std=True``.
        """
        mean, std = moments(self._stacked("predict", X))
        return (mean, std) if return_std else mean


class MLPEnsembleClassifier(LogProbaMixin, ClassifierMixin, BaseMLPEnsemble):
    _parameter_constraints: dict = {
        **BaseMLPEnsemble._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
    }

    _default_estimator_class = MLPClassifier

    def _validate_targets(self, y):
        check_class_labels(y, type(self).__name__)
        self._label_binarizer = LabelBinarizer().fit(y)
        self.classes_ = self._label_binarizer.classes_
        check_two_classes(self.classes_, type(self).__name__)
        return y

    def _strata(self, y):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return np.searchsorted(self.classes_, y)

    def predict_proba(self, X, return_std=False):
        """Average of the members' class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the standard deviation of the members' probabilities
            (``ddof=0``), a measure of their disagreement.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Mean probability of each class, in the order of ``classes_``.
        y_prob_std : ndarray of shape (n_samples, n_classes)
            Standard deviation of the members' probabilities; only with
            ``return_std=True``.
        """
        mean, std = moments(self._stacked("predict_proba", X))
        return (mean, std) if return_std else mean

    def predict(self, X):
        """Class with the highest averaged probability (soft voting).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (label indicators for multilabel targets,
            each label's averaged probability thresholded at 0.5).
        """
        proba = self.predict_proba(X)  # checks that the ensemble is fitted
        return labels_from_proba(self._label_binarizer, proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Multilabel when the members are (ClassifierMixin resets the copy).
        member = get_tags(self._base_estimator()).classifier_tags
        tags.classifier_tags.multi_label = bool(member and member.multi_label)
        return tags


MLPEnsembleRegressor.__doc__ = ensemble_docstring(
    "An ensemble of skreg regressors with ``predict(X, return_std=True)``.\n\n"
    "Trains ``n_estimators`` clones of one network from different seeds\n"
    "(optionally on bootstrap resamples), in parallel, and predicts their\n"
    "average; ``return_std=True`` also returns the standard deviation of the\n"
    "members' predictions, which grows where the members disagree, e.g. far\n"
    "from the training data. Unlike Monte Carlo dropout\n"
    "(``MLPRegressor(dropout=...).predict(X, return_std=True)``) it works\n"
    "for any network, at the cost of training ``n_estimators`` of them.",
    default="MLPRegressor",
    strata="",
    extra_attributes="",
    see_also="""\
MLPEnsembleClassifier : The classifier counterpart.
MLPRegressor : The member network; with ``dropout > 0`` its
    ``predict(X, return_std=True)`` is Monte Carlo dropout.
sklearn.ensemble.BaggingRegressor : Bootstrap aggregation without
    ``return_std``.""",
    examples="""\
>>> import numpy as np
>>> from skreg import MLPEnsembleRegressor, MLPRegressor
>>> rng = np.random.RandomState(0)
>>> X = rng.uniform(-1, 1, size=(100, 1))
>>> y = np.sin(3 * X[:, 0]) + 0.1 * rng.randn(100)
>>> net = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", tol=1e-3)
>>> ens = MLPEnsembleRegressor(net, n_estimators=3, random_state=0).fit(X, y)
>>> mean, std = ens.predict([[0.0], [3.0]], return_std=True)
>>> bool(std[1] > std[0])  # the members disagree far from the data
True
>>> len(ens.estimators_)
3""",
)

MLPEnsembleClassifier.__doc__ = ensemble_docstring(
    "An ensemble of skreg classifiers that averages their probabilities.\n\n"
    "Trains ``n_estimators`` clones of one network from different seeds\n"
    "(optionally on bootstrap resamples), in parallel. ``predict_proba``\n"
    "averages the members' probabilities (``return_std=True`` adds their\n"
    "standard deviation) and ``predict`` takes the most probable class.",
    default="MLPClassifier",
    strata=" within each class (for\n    single-output targets, so that "
    "every member sees every class)",
    extra_attributes="""\
classes_ : ndarray of shape (n_classes,)
    Class labels (the label indices for multilabel targets).

""",
    see_also="""\
MLPEnsembleRegressor : The regressor counterpart.
MLPClassifier : The member network; with ``dropout > 0`` its
    ``predict_proba(X, mc_dropout=True)`` is Monte Carlo dropout.
sklearn.ensemble.BaggingClassifier : Bootstrap aggregation.""",
    examples="""\
>>> import numpy as np
>>> from sklearn.datasets import load_iris
>>> from skreg import MLPClassifier, MLPEnsembleClassifier
>>> X, y = load_iris(return_X_y=True)
>>> net = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", tol=1e-2)
>>> ens = MLPEnsembleClassifier(net, n_estimators=3, random_state=0).fit(X, y)
>>> proba, proba_std = ens.predict_proba(X[:2], return_std=True)
>>> proba.shape, bool(np.allclose(proba.sum(axis=1), 1.0))
((2, 3), True)
>>> ens.score(X, y) > 0.9
True""",
)
