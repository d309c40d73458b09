"""MLPClassifier: binary, multiclass and multilabel classification."""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels

from .._sklearn_compat import (
    StrOptions,
    _check_partial_fit_first_call,
    _fit_context,
    compute_class_weight,
)
from .._validation import check_class_labels
from .base import BaseMLP
from .docstrings import CLASS_WEIGHT_PARAMETER, mlp_docstring


def labels_from_proba(label_binarizer, proba):
    """The labels of class probabilities shaped as ``predict_proba`` returns
    them (binary: two columns), decoded as ``MLPClassifier.predict`` does:
    the most probable class, or each label's 0.5 threshold (binary,
    multilabel). For the averaged probabilities of several members (soft
    voting)."""
    if label_binarizer.y_type_ == "binary":
        proba = proba[:, 1:]  # the positive class's column
    return label_binarizer.inverse_transform(proba)


class LogProbaMixin:
    """``predict_log_proba`` as the log of ``predict_proba``, for every skreg
    classifier."""

    def predict_log_proba(self, X):
        """Log of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)


class MLPClassifier(LogProbaMixin, ClassifierMixin, BaseMLP):
    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        penalty="l2",
        l1_ratio=0.5,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
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
        skip_connection=False,
        input_scale=None,
        relax=None,
        mc_samples=100,
        progress_bar=False,
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            penalty=penalty,
            l1_ratio=l1_ratio,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            batch_norm=batch_norm,
            batch_norm_momentum=batch_norm_momentum,
            input_noise=input_noise,
            skip_connection=skip_connection,
            input_scale=input_scale,
            relax=relax,
            mc_samples=mc_samples,
            progress_bar=progress_bar,
        )
        self.class_weight = class_weight

    # -- targets ---------------------------------------------------------------
    def _loss_name(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "log_loss"
        return "binary_log_loss"

    def _validate_targets(self, y, incremental, first_pass):
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        check_class_labels(y, type(self).__name__)
        if first_pass and not incremental:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        f"classes as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        # One class is accepted, as in scikit-learn: the model predicts it.
        return self._label_binarizer.transform(y)

    def _weighted_by_class(self, y, sample_weight, incremental, dtype):
        """``sample_weight`` times each row's ``class_weight``."""
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError(
                "class_weight is not supported for multilabel targets; weight "
                "the samples with sample_weight instead."
            )
        if incremental and isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: one "
                "call sees one chunk of data, so the class frequencies are "
                "unknown. Pass a dict of class weights, or use fit."
            )
        weights = compute_class_weight(
            self.class_weight, classes=self.classes_, y=y, sample_weight=sample_weight
        )
        row_weights = weights[np.searchsorted(self.classes_, y)].astype(dtype)
        return row_weights if sample_weight is None else sample_weight * row_weights

    def _encode_fitted_targets(self, y):
        return self._label_binarizer.transform(y)

    def _stratify_labels(self, Y):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)

    def _decode(self, proba):
        if proba.shape[1] == 1:
            proba = proba.ravel()
        return self._label_binarizer.inverse_transform(proba)

    def _validation_score(self, Y_true, Y_pred, sample_weight):
        """Accuracy (subset accuracy for multilabel targets) of the decoded
        predictions, computed on the encoded targets: the same number as
        ``accuracy_score`` of the decoded labels, without its per-call input
        checks (which took 80% of a small early-stopping fit's time)."""
        if Y_true.shape[1] > 1 and self._label_binarizer.y_type_ == "multiclass":
            correct = Y_pred.argmax(axis=1) == Y_true.argmax(axis=1)
        else:  # binary or multilabel: the decoder's 0.5 threshold per label
            correct = ((Y_pred > 0.5) == (Y_true > 0.5)).all(axis=1)
        if sample_weight is None:
            return float(correct.mean())
        total = float(sample_weight.sum())
        return float(np.dot(sample_weight, correct)) / total if total > 0 else np.nan

    # -- public API --------------------------------------------------------------
    @available_if(lambda est: est._check_partial_fit())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array of shape (n_classes,), default=None
            All classes across the calls to ``partial_fit``; required on the
            first call (for multilabel targets, any non-None value such as
            ``range(n_labels)``: the labels are then taken from ``y``),
            ignored afterwards.

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """
        if y is not None and np.ndim(y) <= 2:  # else validate_data raises in _fit
            check_class_labels(y, type(self).__name__)
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels (or label indicators for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        return self._decode(self._forward(X))

    def predict_proba(self, X, mc_dropout=False):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        mc_dropout : bool, default=False
            Average the probabilities of ``mc_samples`` forward passes with
            dropout on (Monte Carlo dropout; needs ``dropout > 0``,
            deterministic for a fixed ``random_state``).

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        proba = self._mc_dropout_moments(X)[0] if mc_dropout else self._forward(X)
        # Probabilities of finite logits are strictly inside (0, 1): keep them
        # there after rounding, so that log-probabilities stay finite.
        finfo = np.finfo(proba.dtype)
        upper = np.nextafter(finfo.dtype.type(1), finfo.dtype.type(0))
        if self.out_activation_ == "logistic":
            np.clip(proba, finfo.tiny, upper, out=proba)
        else:
            np.maximum(proba, finfo.tiny, out=proba)
        if len(self.classes_) == 1 and self._label_binarizer.y_type_ == "binary":
            return np.ones_like(proba)  # the one class seen in fit
        if proba.shape[1] == 1:
            proba = np.hstack([1 - proba, proba])
        return proba

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MLPClassifier.__doc__ = mlp_docstring(
    "Multilayer perceptron classifier with L2 / L1 / elastic-net penalties.\n\n"
    "A drop-in superset of :class:`sklearn.neural_network.MLPClassifier`: the\n"
    "same parameters, defaults and fitted attributes, plus ``penalty`` and\n"
    "``l1_ratio``. Binary and multilabel targets use logistic outputs with the\n"
    "binary log loss (summed over labels); multiclass targets use a softmax\n"
    "output with the cross-entropy.",
    extra_parameters=CLASS_WEIGHT_PARAMETER,
    order=inspect.signature(MLPClassifier).parameters,
    extra_attributes="""\
classes_ : ndarray or list of ndarray
    Class labels of each output.""",
    see_also="""\
MLPRegressor : The regressor counterpart.
sklearn.neural_network.MLPClassifier : The scikit-learn original.
sklearn.linear_model.LogisticRegression : Equal to ``hidden_layer_sizes=()``,
    ``penalty='l2'`` with ``C=1/alpha``.""",
    examples="""\
>>> from sklearn.datasets import load_iris
>>> from skreg import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(), solver="lbfgs", alpha=1.0,
...                     max_iter=1000).fit(X, y)
>>> clf.predict_proba(X[:2]).shape
(2, 3)
>>> clf.score(X, y) > 0.9
True""",
)
