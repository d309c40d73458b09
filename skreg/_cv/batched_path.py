"""The regularization paths of several folds trained as batched computations.

For the stochastic solvers, the (l1_ratio, fold) paths of a search are fitted
together by ``_mlp.batching.fit_many`` (one batch of the batched engine,
``skreg._training.batched``): where no path point is warm-started (sparse
penalties on networks with a hidden layer, see ``path``), every (l1_ratio,
fold, alpha) model is a member of one batch; where points are warm-started,
each alpha is one batch of all the (l1_ratio, fold) models, each
warm-started from its own previous point (cold again after a collapse).

The relaxed refits of the points fitted together (every point of the
group, or every path's point at one alpha) are one more batch
(``_mlp.batching.refit_relaxed_many``), each on a copy of its point.

``fit_many`` fits each model exactly as its plain estimator's ``fit`` would,
and ``refit_relaxed_many`` refits it as its ``_refit_relaxed`` would, so the
scores equal those of the sequential path (``path.iter_path``,
``path.relaxed_models``). Prediction and scoring stay per model, with the
user's scorer.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import clone

from .._mlp.batching import fit_many, refit_relaxed_many
from .path import (
    FoldPath,
    can_warm_start,
    collapsed,
    is_relaxed,
    path_order,
    shares_unpenalized_refits,
    skips_relaxation,
    support,
)


def can_batch(template) -> bool:
    """Whether the batched engine trains ``template``'s solver."""
    return template.solver in ("adam", "sgd")


class _Path:
    """One (l1_ratio, fold) path: its rows, current estimator and record."""

    def __init__(self, template, data, task):
        X, y, sample_weight = data
        train, test, self.alphas, l1_ratio = task
        self.template = clone(template).set_params(l1_ratio=l1_ratio)
        self.estimator = None
        self.train = np.asarray(train)
        self.test = np.asarray(test)
        self.test_data = (X[test], y[test])
        self.record = None
        # support -> the unpenalized refit of its first point (relaxed_models)
        shared = shares_unpenalized_refits(self.template)
        self.unpenalized = {} if shared else None

    def point(self, k: int, warm: bool):
        """The estimator of point ``k``, warm-started from this path's
        previous point or a fresh clone."""
        estimator = self.estimator if warm else clone(self.template)
        estimator.__dict__.pop("best_loss_", None)  # a new objective (iter_path)
        return estimator.set_params(alpha=float(self.alphas[k]), warm_start=warm)

    def store(self, k, models, scorer, point) -> None:
        """Score point ``k``'s models (one per relaxation value); ``point``
        is the fitted point itself (``FoldPath.record``)."""
        rows_scorer = scorer.for_rows(self.test)
        self.record.record(k, models, rows_scorer, self.test_data, point=point)


def fit_path_group(
    template, X, y, sample_weight, tasks, scale, scorer, relax, keep_models=False
):
    """The paths of ``tasks`` ``(train, test, alphas, l1_ratio)``, each point
    also scored after its relaxed refits (``relax``); with ``keep_models``
    the records keep every fitted model."""
    paths = [_Path(template, (X, y, sample_weight), task) for task in tasks]
    for path in paths:
        path.record = FoldPath.empty(
            len(path.alphas), len(relax), X.shape[1], keep_models
        )
    n_alphas = len(paths[0].alphas)
    data = (X, y, sample_weight)
    if not can_warm_start(paths[0].template):  # every point cold: one batch
        points = [(p, k) for p in paths for k in range(n_alphas)]
        fitted = fit_many(
            [p.point(k, warm=False) for p, k in points],
            *data,
            [p.train for p, _ in points],
        )
        _store_points(points, fitted, data, scorer, relax)
        return [p.record for p in paths]
    warm = [False] * len(paths)
    for k in path_order(paths[0].template, n_alphas):
        estimators = [p.point(k, w) for p, w in zip(paths, warm)]
        fit_many(estimators, *data, [p.train for p in paths])
        _store_points([(p, k) for p in paths], estimators, data, scorer, relax)
        for j, (path, estimator) in enumerate(zip(paths, estimators)):
            path.estimator = estimator
            warm[j] = not collapsed(estimator, X[path.train], scale)
    return [p.record for p in paths]


def _store_points(points, fitted, data, scorer, relax) -> None:
    """Score each fitted point ``(path, k)`` and its relaxed refits; the
    refits of all points train as one batch, each on a copy of its point
    (an unpenalized refit that an earlier point of the path already made
    for the same inputs is shared, and the refits ``path.skips_relaxation``
    leaves out are skipped, as in ``path.relaxed_models``)."""
    models = [[estimator] * len(relax) for estimator in fitted]
    refits = []
    for i, estimator in enumerate(fitted):
        unpenalized = points[i][0].unpenalized
        for r, gamma in enumerate(relax):
            if not is_relaxed(gamma):
                continue
            if skips_relaxation(gamma, estimator):
                models[i][r] = None
                continue
            shared = None
            if gamma == 0.0 and unpenalized is not None:
                shared = unpenalized.get(support(estimator))
            if shared is None:
                refits.append((i, r, copy.deepcopy(estimator)))
            else:
                models[i][r] = shared
    if refits:
        refit_relaxed_many(
            [model for _, _, model in refits],
            *data,
            [points[i][0].train for i, _, _ in refits],
            [relax[r] for _, r, _ in refits],
        )
    for i, r, model in refits:
        models[i][r] = model
        unpenalized = points[i][0].unpenalized
        if relax[r] == 0.0 and unpenalized is not None:
            unpenalized[support(fitted[i])] = model
    for (path, k), point_models, point in zip(points, models, fitted):
        path.store(k, point_models, scorer, point)
