"""MLPRegressorCV and MLPClassifierCV: choose alpha by cross-validated paths.

Each signature lists the plain estimator's parameters without ``alpha`` and
``warm_start`` (tests keep the two in step), then the CV parameters.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer

from .._mlp.classifier import LogProbaMixin, MLPClassifier, labels_from_proba
from .._mlp.docstrings import CLASS_WEIGHT_PARAMETER
from .._mlp.regressor import MLPRegressor, target_standardization
from .._validation import check_class_labels, check_two_classes, inner_predict_X
from .base import BaseMLPCV
from .docstrings import cv_docstring
from .params import cv_parameter_constraints


class MLPRegressorCV(RegressorMixin, BaseMLPCV):
    _parameter_constraints: dict = cv_parameter_constraints(MLPRegressor)
    _estimator_class = MLPRegressor

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        alphas=10,
        eps=1e-3,
        l1_ratio=0.5,
        cv=None,
        scoring=None,
        selection="best",
        n_jobs=None,
        solver="adam",
        penalty="group_lasso",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.01,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        batch_norm=False,
        batch_norm_momentum=0.1,
        input_noise=0.0,
        skip_connection=True,
        input_scale=None,
        adaptive=True,
        relax=(0.0, 1.0),
        average_folds=True,
        mc_samples=100,
        progress_bar=False,
        standardize_target=True,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alphas = alphas
        self.eps = eps
        self.l1_ratio = l1_ratio
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.n_jobs = n_jobs
        self.solver = solver
        self.penalty = penalty
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.batch_norm_momentum = batch_norm_momentum
        self.input_noise = input_noise
        self.skip_connection = skip_connection
        self.input_scale = input_scale
        self.adaptive = adaptive
        self.relax = relax
        self.average_folds = average_folds
        self.mc_samples = mc_samples
        self.progress_bar = progress_bar
        self.standardize_target = standardize_target

    def _encode_targets(self, y):
        y = np.asarray(y, dtype=np.float64)
        return y.reshape(y.shape[0], -1)

    def _grid_targets(self, Y, sample_weight):
        if not self.standardize_target:
            return Y
        mean, scale = target_standardization(Y, sample_weight, self.loss)
        if not np.isfinite(scale).all():
            return Y  # too large to scale: the grid explains (alpha_grid)
        return (Y - mean) / scale

    def predict(self, X, return_std=False):
        """Predict with ``estimator_`` (and the fold models, averaged).

        With ``average_folds=True`` the prediction is the mean of
        ``estimator_`` and the fold models ``estimators_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the Monte Carlo dropout standard deviation (see
            :meth:`MLPRegressor.predict`); with averaged members, that of the
            equal mixture of their Monte Carlo distributions.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions (the members' mean).
        y_std : ndarray of the same shape
            Only with ``return_std=True``.
        """
        X = inner_predict_X(self, X)
        members = self._members()
        if len(members) == 1:
            return self.estimator_.predict(X, return_std=return_std)
        if not return_std:
            return np.mean([m.predict(X) for m in members], axis=0)
        moments = [m.predict(X, return_std=True) for m in members]
        mean = np.mean([mu for mu, _ in moments], axis=0)
        second = np.mean([sd**2 + mu**2 for mu, sd in moments], axis=0)
        return mean, np.sqrt(np.maximum(second - mean**2, 0.0))


class MLPClassifierCV(LogProbaMixin, ClassifierMixin, BaseMLPCV):
    _parameter_constraints: dict = cv_parameter_constraints(MLPClassifier)
    _estimator_class = MLPClassifier

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        alphas=10,
        eps=1e-3,
        l1_ratio=0.5,
        cv=None,
        scoring=None,
        selection="best",
        n_jobs=None,
        solver="adam",
        penalty="group_lasso",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.01,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        batch_norm=False,
        batch_norm_momentum=0.1,
        input_noise=0.0,
        skip_connection=True,
        input_scale=None,
        adaptive=True,
        relax=(0.0, 1.0),
        average_folds=True,
        mc_samples=100,
        progress_bar=False,
        class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alphas = alphas
        self.eps = eps
        self.l1_ratio = l1_ratio
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.n_jobs = n_jobs
        self.solver = solver
        self.penalty = penalty
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.batch_norm_momentum = batch_norm_momentum
        self.input_noise = input_noise
        self.skip_connection = skip_connection
        self.input_scale = input_scale
        self.adaptive = adaptive
        self.relax = relax
        self.average_folds = average_folds
        self.mc_samples = mc_samples
        self.progress_bar = progress_bar
        self.class_weight = class_weight

    def _encode_targets(self, y):
        check_class_labels(y, type(self).__name__)
        binarizer = LabelBinarizer().fit(y)
        # Scoring the folds needs two classes (the plain MLPClassifier accepts
        # one, as scikit-learn's does, and predicts it).
        check_two_classes(binarizer.classes_, type(self).__name__)
        Y = binarizer.transform(y)
        return Y.toarray() if hasattr(Y, "toarray") else Y

    def predict(self, X):
        """Predict class labels (or label indicators for multilabel targets).

        Those of ``estimator_``, or with ``average_folds=True`` those of the
        mean probabilities of ``estimator_`` and the fold models
        ``estimators_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        X = inner_predict_X(self, X)
        if len(self._members()) == 1:
            return self.estimator_.predict(X)
        proba = self._mean_proba(X, mc_dropout=False)
        return labels_from_proba(self.estimator_._label_binarizer, proba)

    def predict_proba(self, X, mc_dropout=False):
        """Probability estimates (of ``estimator_`` and the fold models).

        Those of ``estimator_``, or with ``average_folds=True`` the mean of
        those of ``estimator_`` and the fold models ``estimators_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        mc_dropout : bool, default=False
            Average ``mc_samples`` Monte Carlo dropout passes (see
            :meth:`MLPClassifier.predict_proba`), for each member.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        X = inner_predict_X(self, X)
        return self._mean_proba(X, mc_dropout)

    def _mean_proba(self, X, mc_dropout):
        """The members' mean probabilities, each member's columns placed at
        its classes in ``classes_`` (a fold may lack a rare class: 0 there)."""
        members = self._members()
        multilabel = self.estimator_._label_binarizer.y_type_.startswith("multilabel")
        total = 0.0
        for member in members:
            proba = member.predict_proba(X, mc_dropout=mc_dropout)
            if not multilabel and len(member.classes_) != len(self.classes_):
                aligned = np.zeros((proba.shape[0], len(self.classes_)), proba.dtype)
                aligned[:, np.searchsorted(self.classes_, member.classes_)] = proba
                proba = aligned
            total = total + proba
        return total / len(members)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # ClassifierMixin resets the classifier tags copied from MLPClassifier.
        tags.classifier_tags.multi_label = True
        return tags


MLPRegressorCV.__doc__ = cv_docstring(
    "Multilayer perceptron regressor with alpha chosen by cross-validation.\n\n"
    "In the style of ``ElasticNetCV``: on each fold, fits the regularization\n"
    "path, each fit warm-started from the previous one (from the largest\n"
    "alpha down; for a sparse penalty on a network, the default, from the\n"
    "smallest up) and stopped by the estimator's own rule (convergence or\n"
    "early stopping); scores every point, and its relaxed refits, on the\n"
    "held-out fold; chooses ``(alpha_, relax_)`` by the best mean score or\n"
    "the one-standard-error rule; and refits on all the data. Folds run in\n"
    "parallel through joblib.",
    estimator="MLPRegressor",
    score_name="R^2",
    order=inspect.signature(MLPRegressorCV).parameters,
    extra_parameters="""\
loss : {'squared_error', 'poisson'}, default='squared_error'
    The loss of :class:`MLPRegressor`: half the squared error with an
    identity output, or half the Poisson deviance with a log link.

standardize_target : bool, default=True
    Fit every network to the standardized targets and predict in ``y``'s
    units (:class:`MLPRegressor`'s ``standardize_target``); the automatic
    alpha grid is then that of the standardized targets, so ``alphas_`` and
    ``alpha_`` do not depend on ``y``'s units. On by default (unlike the plain
    estimator): with ``y`` in its raw units the default grid and the Adam step
    size are off by the scale of ``y`` (on our benchmark, body mass in grams:
    test R^2 -5.1 without it, see the user guide's defaults page).""",
    see_also="""\
MLPRegressor : The plain estimator, for a given alpha.
MLPClassifierCV : The classifier counterpart.
sklearn.linear_model.ElasticNetCV : The linear model's path CV.""",
    examples="""\
>>> from sklearn.datasets import make_regression
>>> from skreg import MLPRegressorCV
>>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
>>> reg = MLPRegressorCV(hidden_layer_sizes=(), solver="lbfgs", alphas=5,
...                      cv=3).fit(X, y)
>>> reg.alphas_.shape, reg.cv_scores_.shape  # cv_scores_: (relax, alpha, fold)
((5,), (2, 5, 3))
>>> bool(reg.alpha_ in reg.alphas_)
True
>>> reg.score(X, y) > 0.99
True""",
)

MLPClassifierCV.__doc__ = cv_docstring(
    "Multilayer perceptron classifier with alpha chosen by cross-validation.\n\n"
    "In the style of ``LogisticRegressionCV`` / ``ElasticNetCV``: on each\n"
    "(stratified) fold, fits the regularization path, each fit warm-started\n"
    "from the previous one (from the largest alpha down; for a sparse penalty\n"
    "on a network, the default, from the smallest up) and stopped by the\n"
    "estimator's own rule (convergence or early stopping); scores every point,\n"
    "and its relaxed refits, on the held-out fold; chooses ``(alpha_,\n"
    "relax_)`` by the best mean score or the one-standard-error rule; and\n"
    "refits on all the data. Folds run in parallel through joblib.",
    estimator="MLPClassifier",
    score_name="accuracy",
    order=inspect.signature(MLPClassifierCV).parameters,
    extra_parameters=CLASS_WEIGHT_PARAMETER,
    extra_attributes="""

classes_ : ndarray or list of ndarray
    Class labels of each output.""",
    see_also="""\
MLPClassifier : The plain estimator, for a given alpha.
MLPRegressorCV : The regressor counterpart.
sklearn.linear_model.LogisticRegressionCV : The linear model's CV.""",
    examples="""\
>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from skreg import MLPClassifierCV
>>> X, y = load_iris(return_X_y=True)
>>> clf = make_pipeline(
...     StandardScaler(),
...     MLPClassifierCV(hidden_layer_sizes=(), solver="lbfgs", alphas=4, cv=3),
... ).fit(X, y)
>>> clf[-1].cv_scores_.shape  # (relax, alpha, fold)
(2, 4, 3)
>>> clf.score(X, y) > 0.9
True""",
)
