"""The shared base of MLPEnsembleRegressor and MLPEnsembleClassifier.

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
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.utils import check_random_state, get_tags

from .._doc_link import DocLinkMixin
from .._mlp.batching import fit_many
from .._mlp.fitting import fit_progress
from .._parallel import map_fits
from .._sklearn_compat import HasMethods, Interval, _fit_context
from .._validation import (
    MAX_SEED,
    check_fit_sample_weight,
    inner_predict_X,
    validate_fit_data,
)


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


def _fit_members(members, X, y, sample_weight, rows):
    """Fit members on their bootstrap ``rows`` (or on all rows), as one
    batch where they can share one (``_mlp.batching.fit_many``)."""
    every_row = np.arange(X.shape[0])
    rows = [every_row if r is None else r for r in rows]
    return fit_many(members, X, y, sample_weight, rows)


class BaseMLPEnsemble(DocLinkMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the skreg ensembles. Do not use directly."""

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 2, None, closed="left")],
        "bootstrap": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "progress_bar": ["boolean"],
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
        progress_bar=False,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.progress_bar = progress_bar

    @property
    @abstractmethod
    def _default_estimator_class(self):
        """The skreg network used when ``estimator`` is None."""

    def _validate_targets(self, y):
        """Validated targets (classifiers check labels, store ``classes_``)."""
        return y

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
            MAX_SEED, size=(self.n_estimators, 2)
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
        X, y = validate_fit_data(self, X, y, classifier=is_classifier(self))
        y = self._validate_targets(y)
        sample_weight = check_fit_sample_weight(sample_weight, X)
        members, rows = self._members(X.shape[0], self._strata(y))
        # One batch per joblib worker: the members split into n_jobs groups.
        n_groups = min(len(members), effective_n_jobs(self.n_jobs))
        groups = [range(g, len(members), n_groups) for g in range(n_groups)]
        calls = [
            ([members[i] for i in g], X, y, sample_weight, [rows[i] for i in g])
            for g in groups
        ]
        with fit_progress(self.progress_bar, len(members), "member") as bar:
            fitted = map_fits(
                _fit_members,
                calls,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                on_done=lambda i, result: bar.update(len(groups[i])),
            )
        self.estimators_ = [None] * len(members)
        for group, result in zip(groups, fitted):
            for i, member in zip(group, result):
                self.estimators_[i] = member
        if hasattr(self, "feature_names_in_"):  # fitted on the validated array
            for member in self.estimators_:
                member.feature_names_in_ = self.feature_names_in_
        return self

    @_fit_context(prefer_skip_nested_validation=False)  # estimator is unchecked
    def fit(self, X, y, sample_weight=None):
        """Fit ``n_estimators`` members, in parallel.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values: class labels (or a label-indicator matrix for
            multilabel targets) for a classifier.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights passed to every member's ``fit``
            (resampled along with the rows when ``bootstrap=True``).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        return self._fit(X, y, sample_weight)

    def _stacked(self, method, X):
        """``method`` of every member on ``X``: shape (n_estimators, ...)."""
        X = inner_predict_X(self, X)
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


def moments(stack):
    """Mean and standard deviation over the members (axis 0), in float64,
    returned in the members' dtype."""
    mean = stack.mean(axis=0, dtype=np.float64)
    std = stack.std(axis=0, dtype=np.float64)
    return mean.astype(stack.dtype), std.astype(stack.dtype)
