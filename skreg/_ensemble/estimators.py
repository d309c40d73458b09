"""MLPEnsembleRegressor and MLPEnsembleClassifier: deep ensembles.

A dedicated meta-estimator rather than a recipe over scikit-learn's
``BaggingRegressor``: Bagging has no ``predict(X, return_std=True)``, always
reseeds *and* (by default) resamples, and represents its bootstrap as sample
weights, which skreg's networks do not treat as repeated rows once dropout,
batch norm, input noise or early stopping are on. Here each member is a clone
of one skreg network with its own seed; ``bootstrap=True`` additionally trains
it on rows resampled with replacement. Members are trained in parallel through
joblib and kept in ``estimators_``; prediction averages them and
``return_std=True`` gives their spread.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from contextlib import nullcontext
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, column_or_1d
from threadpoolctl import threadpool_limits

from .._mlp.classifier import MLPClassifier, check_class_labels
from .._mlp.regressor import MLPRegressor
from .._sklearn_compat import (
    HasMethods,
    Interval,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

_MAX_SEED = np.iinfo(np.int32).max


# -- training (module level, so that joblib can pickle it) ---------------------
def _bootstrap_rows(rng: np.random.Generator, n_samples: int, strata) -> np.ndarray:
    """Row indices drawn with replacement, ``n_samples`` of them, sorted.

    With ``strata`` (class indices) each class is resampled on its own, so
    every member sees every class in its original proportion.
    """
    if strata is None:
        rows = rng.integers(0, n_samples, size=n_samples)
    else:
        groups = [np.flatnonzero(strata == k) for k in np.unique(strata)]
        rows = np.concatenate([rng.choice(g, size=g.size) for g in groups])
    return np.sort(rows)


def _fit_member(estimator, X, y, sample_weight, rows, limit_threads):
    """Fit one member on all rows, or on the bootstrap ``rows``."""
    if rows is not None:
        X, y = X[rows], y[rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
    # One BLAS thread per member when members run side by side: n_jobs
    # workers each spinning up all cores oversubscribe the machine.
    with threadpool_limits(limits=1) if limit_threads else nullcontext():
        return estimator.fit(X, y, **fit_params)


# -- the shared base -----------------------------------------------------------
class BaseMLPEnsemble(BaseEstimator, metaclass=ABCMeta):
    """Base class of the skreg ensembles. Do not use directly."""

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 2, None, closed="left")],
        "bootstrap": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=5,
        bootstrap=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @property
    @abstractmethod
    def _default_estimator_class(self):
        """The skreg network used when ``estimator`` is None."""

    @abstractmethod
    def _validate_targets(self, y):
        """Validated targets (stores ``classes_`` for classifiers)."""

    def _strata(self, y):
        """Class index of each row for a stratified bootstrap, or None."""
        return None

    def _base_estimator(self):
        if self.estimator is None:
            return self._default_estimator_class()
        return self.estimator

    def _members(self, n_samples, strata):
        """Unfitted members and their bootstrap rows (None without bootstrap).

        Member ``i`` gets the seed pair ``seeds[i]``, drawn row by row from
        ``random_state``: the members' seeds do not depend on ``bootstrap``,
        and a larger ``n_estimators`` keeps the first members unchanged.
        """
        seeds = check_random_state(self.random_state).randint(
            _MAX_SEED, size=(self.n_estimators, 2)
        )
        base = self._base_estimator()
        seeded = "random_state" in base.get_params(deep=False)
        members, rows = [], []
        for model_seed, row_seed in seeds:
            member = clone(base)
            if seeded:
                member.set_params(random_state=int(model_seed))
            members.append(member)
            rows.append(
                _bootstrap_rows(np.random.default_rng(row_seed), n_samples, strata)
                if self.bootstrap
                else None
            )
        return members, rows

    def _fit(self, X, y, sample_weight):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=not isinstance(self, ClassifierMixin),
            dtype=(np.float64, np.float32),
        )
        if sp.issparse(X):
            X = X.tocsr()  # row indexing for the bootstrap
        y = self._validate_targets(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        members, rows = self._members(X.shape[0], self._strata(y))
        limit_threads = effective_n_jobs(self.n_jobs) != 1
        parallel = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)
        self.estimators_ = parallel(
            delayed(_fit_member)(member, X, y, sample_weight, r, limit_threads)
            for member, r in zip(members, rows)
        )
        return self

    def _validated(self, X):
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
        return X.tocsr() if sp.issparse(X) else X

    def _stacked(self, method, X):
        """``method`` of every member on ``X``: shape (n_estimators, ...)."""
        X = self._validated(X)
        return np.stack([getattr(m, method)(X) for m in self.estimators_])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base = self._base_estimator()
        if hasattr(base, "__sklearn_tags__"):
            member = get_tags(base)
            tags.input_tags = member.input_tags
            tags.target_tags = member.target_tags
            tags.classifier_tags = member.classifier_tags or tags.classifier_tags
            tags.regressor_tags = member.regressor_tags or tags.regressor_tags
        return tags


def _moments(stack):
    """Mean and standard deviation over the members (axis 0), in float64,
    returned in the members' dtype."""
    mean = stack.mean(axis=0, dtype=np.float64)
    std = stack.std(axis=0, dtype=np.float64)
    return mean.astype(stack.dtype), std.astype(stack.dtype)


# -- shared docstring text -----------------------------------------------------
_PARAMETERS = """\
estimator : estimator instance, default=None
    The network every member is cloned from; ``None`` is ``{default}()``.
    Any skreg network works (dropout, batch norm, penalties, early stopping
    are kept). Its ``random_state`` is replaced by each member's own seed.

n_estimators : int, default=5
    Number of members (at least 2).

bootstrap : bool, default=False
    Train each member on ``n_samples`` rows drawn with replacement{strata}
    instead of on all rows. The resampled rows are passed as rows, not as
    sample-weight counts: skreg's dropout masks, input noise and batch-norm
    statistics are drawn per row, and minibatch epochs keep ``n_samples``
    rows, so a member sees exactly what a network fitted to a resampled
    data set would see. Caveat: with ``early_stopping=True`` the member's
    validation split is taken from the resampled rows and can contain
    copies of its training rows, so it stops later than it would on fresh
    data. Without bootstrap the members differ only by their seeds
    (initial weights, minibatch order, dropout masks): the "deep ensemble",
    which usually gives the better uncertainty.

n_jobs : int, default=None
    Number of members trained in parallel by joblib (``None`` is 1 unless
    in a ``joblib.parallel_config`` context, ``-1`` is all processors).
    When members run in parallel, BLAS uses one thread inside each.

random_state : int, RandomState instance or None, default=None
    Seeds the members: member ``i`` gets ``random_state`` ``seeds[i, 0]``
    and bootstrap rows from ``seeds[i, 1]``, where ``seeds`` is drawn from
    this random state. An int reproduces the whole ensemble bit for bit,
    for any ``n_jobs``.

verbose : int, default=0
    joblib's progress messages while training the members."""

_ATTRIBUTES = """\
estimators_ : list of estimators
    The fitted members, each a clone of ``estimator`` with its own
    ``random_state``.

n_features_in_ : int
    Number of features seen during fit.

feature_names_in_ : ndarray of shape (n_features_in_,)
    Names of features seen during fit (string column names only)."""


def _docstring(summary, default, strata, extra_attributes, see_also, examples):
    attributes = extra_attributes + _ATTRIBUTES
    parameters = _PARAMETERS.format(default=default, strata=strata)
    return (
        f"{summary}\n\nParameters\n----------\n{parameters}\n\n"
        f"Attributes\n----------\n{attributes}\n\n"
        f"See Also\n--------\n{see_also}\n\nExamples\n--------\n{examples}\n"
    )


# -- the estimators ------------------------------------------------------------
class MLPEnsembleRegressor(RegressorMixin, BaseMLPEnsemble):
    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=5,
        bootstrap=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            n_estimators=n_estimators,
            bootstrap=bootstrap,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )

    _default_estimator_class = MLPRegressor

    def _validate_targets(self, y):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y

    @_fit_context(prefer_skip_nested_validation=False)  # estimator is unchecked
    def fit(self, X, y, sample_weight=None):
        """Fit ``n_estimators`` members, in parallel.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights passed to every member's ``fit``
            (resampled along with the rows when ``bootstrap=True``).

        Returns
        -------
        self : MLPEnsembleRegressor
            The fitted ensemble.
        """
        return self._fit(X, y, sample_weight)

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
        mean, std = _moments(self._stacked("predict", X))
        return (mean, std) if return_std else mean


class MLPEnsembleClassifier(ClassifierMixin, BaseMLPEnsemble):
    _parameter_constraints: dict = {
        **BaseMLPEnsemble._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=5,
        bootstrap=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            n_estimators=n_estimators,
            bootstrap=bootstrap,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )

    _default_estimator_class = MLPClassifier

    def _validate_targets(self, y):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_class_labels(y)
        self._label_binarizer = LabelBinarizer().fit(y)
        self.classes_ = self._label_binarizer.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in "
                f"the data, but the data contains only one class: "
                f"{self.classes_[0]!r}."
            )
        return y

    def _strata(self, y):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return np.searchsorted(self.classes_, y)

    @_fit_context(prefer_skip_nested_validation=False)  # estimator is unchecked
    def fit(self, X, y, sample_weight=None):
        """Fit ``n_estimators`` members, in parallel.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels, or a label-indicator matrix for multilabel targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights passed to every member's ``fit``
            (resampled along with the rows when ``bootstrap=True``).

        Returns
        -------
        self : MLPEnsembleClassifier
            The fitted ensemble.
        """
        return self._fit(X, y, sample_weight)

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
        mean, std = _moments(self._stacked("predict_proba", X))
        return (mean, std) if return_std else mean

    def predict_log_proba(self, X):
        """Log of the averaged class probabilities.

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
        proba = self.predict_proba(X)
        if self._label_binarizer.y_type_ == "binary":
            proba = proba[:, 1:]
        return self._label_binarizer.inverse_transform(proba)


MLPEnsembleRegressor.__doc__ = _docstring(
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

MLPEnsembleClassifier.__doc__ = _docstring(
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
