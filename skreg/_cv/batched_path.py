"""The regularization paths of several folds trained as one batched computation.

For the stochastic solvers, the (l1_ratio, fold) paths of a search are
trained together by the batched engine (``skreg._training.batched``): where
no path point is warm-started (sparse penalties on networks with a hidden
layer, see ``path``), every (l1_ratio, fold, alpha) model is a member of one
batch; where points are warm-started, each alpha is one batch of all the
(l1_ratio, fold) models, each warm-started from its own previous point.

Each model is prepared and finished by a plain estimator itself
(``_start_fit`` / ``_end_fit``): the same validation, initialization, warm
start, early-stopping split, random draws and fitted attributes as its
sequential ``fit``, and the engine trains it exactly as the single loop
would, so the scores equal those of the sequential path. Prediction and
scoring stay per model, with the user's scorer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from .._mlp.batching import batched_model, optimizer_settings, outcome_of
from .._training.batched import train_batched
from .path import FoldPath, can_warm_start, collapsed, fit_fold_path, take


def can_batch(template) -> bool:
    """Whether the batched engine trains ``template``'s solver."""
    return template.solver in ("adam", "sgd")


@dataclass
class _Point:
    """One path point being fitted: its estimator, prepared fit and model."""

    path: _Path
    k: int
    estimator: object
    start: object
    model: object


class _Path:
    """One (l1_ratio, fold) path: its data, current estimator and record."""

    def __init__(self, template, data, task):
        X, y, sample_weight = data
        train, test, self.alphas, l1_ratio = task
        self.template = clone(template).set_params(l1_ratio=l1_ratio)
        self.estimator = None
        self.train = np.asarray(train)
        self.fit_data = (X[train], y[train], take(sample_weight, train))
        self.test_data = (X[test], y[test], take(sample_weight, test))
        self.record = FoldPath.empty(len(self.alphas))

    def start(self, k: int, warm: bool) -> _Point:
        """Prepare the fit at ``alphas[k]``: warm-started from this path's
        current estimator, or cold on a fresh clone."""
        estimator = self.estimator if warm else clone(self.template)
        estimator.set_params(alpha=float(self.alphas[k]), warm_start=warm)
        start = estimator._start_fit(*self.fit_data, incremental=False)
        model = batched_model(
            start,
            estimator._stochastic_problem(start),
            self.train,
            best_loss=estimator._previous_best_loss() if warm else np.inf,
            t=estimator.t_ if warm else 0,
        )
        return _Point(self, k, estimator, start, model)

    def finish(self, point: _Point, outcome, scorer, scale: float) -> bool:
        """Store and score the fitted point; True when the next point may
        warm-start from it (it did not collapse to the null model)."""
        point.start.network.load_state(outcome.state)
        fitted = point.estimator._end_fit(point.start, outcome_of(outcome))
        self.estimator = fitted
        self.record.record(point.k, fitted, scorer, self.test_data)
        return not collapsed(fitted, self.fit_data[0], scale)


def fit_path_group(template, X, y, sample_weight, tasks, scale, scorer):
    """The paths of ``tasks`` ``(train, test, alphas, l1_ratio)``, batched
    where the folds agree on the encoded targets (sequential otherwise: a
    training fold missing a class has a network with fewer outputs)."""
    data = (X, y, sample_weight)
    paths = [_Path(template, data, task) for task in tasks]
    Y = _encoded_targets(paths, y)
    if Y is None:
        return [fit_fold_path(template, *data, *task, scale, scorer) for task in tasks]
    n_alphas = len(paths[0].alphas)
    if not can_warm_start(paths[0].template):  # every point cold: one batch
        points = [(p, k, False) for p in paths for k in range(n_alphas)]
        _train_points(points, X, Y, scorer, scale)
        return [p.record for p in paths]
    warm = [False] * len(paths)
    for k in range(n_alphas):
        points = [(p, k, w) for p, w in zip(paths, warm)]
        warm = _train_points(points, X, Y, scorer, scale)
    return [p.record for p in paths]


def _train_points(points, X, Y, scorer, scale) -> list[bool]:
    """Train the points ``(path, k, warm)`` as one batch and finish them in
    order; returns whether each may warm-start its path's next point."""
    started = [path.start(k, warm) for path, k, warm in points]
    first = started[0].start
    config = first.config
    outcomes = train_batched(
        first.network,
        X,
        Y.astype(first.X.dtype, copy=False),
        [point.model for point in started],
        optimizer=optimizer_settings(config),
        max_iter=config.max_iter,
        tol=config.tol,
        n_iter_no_change=config.n_iter_no_change,
        batch_size=config.batch_size,
        shuffle=config.shuffle,
    )
    return [
        point.path.finish(point, outcome, scorer, scale)
        for point, outcome in zip(started, outcomes)
    ]


def _encoded_targets(paths, y):
    """The targets of all rows as every path's estimator encodes them, or
    None when two paths would encode them differently."""
    encoded = None
    for path in paths:
        estimator = clone(path.template)
        start = estimator._start_fit(*path.fit_data, incremental=False)
        Y = estimator._encode_fitted_targets(y)
        if encoded is None:
            encoded = Y
        same = Y.shape == encoded.shape and np.array_equal(Y, encoded)
        if not same or not np.array_equal(Y[path.train], start.Y):
            return None
    return encoded
