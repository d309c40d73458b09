"""A warm-started regularization path, and its scores on one CV fold.

A path fits one estimator at each alpha, from the largest to the smallest,
each fit starting from the previous weights (``warm_start=True``); every
point stops by the estimator's own rule (convergence or early stopping).

The one exception to warm starting: when a point leaves a network with a
hidden layer collapsed to the null model, the next point starts from a fresh
initialization. Collapsed means the network's output is (numerically)
constant on the training data: its standard deviation over the samples is
at most ``COLLAPSE_RTOL`` (1%) of the targets' (the encoded targets for a
classifier, whose output is then the probabilities), so the network explains
at most 0.01% of the targets' variance. Strong penalties do this near
``alpha_max``: L1 zeroes whole layers, L2 shrinks every weight towards 0. The
all-zero network is a stationary point of every smaller alpha (no gradient
reaches a layer whose successor is zero), and near it the gradients are tiny:
gradient-norm stopping rules (``'lbfgs'``) stop at once and the path would
stay at the null model. Without a hidden layer the problem is convex and the
zero weights are a proper starting point, so linear paths always warm-start.

Sparse penalties (``'l1'``, ``'elasticnet'`` with ``l1_ratio > 0``,
``'group_lasso'``) on a network with a hidden layer never warm-start from a
larger alpha: a unit or input switched off there (its weights exactly 0.0)
gets no gradient at the smaller ones, so such a path stays stuck at the
sparsity of its strongest point (measured: 97% zeros and CV R^2 0.28 along a
warm L1 path where a cold fit at the same alpha had 69% zeros and 0.59). Two
orders avoid the trap (``SPARSE_NETWORK_PATH``): every point cold, from the
same fresh initialization, or LassoNet's dense to sparse, the smallest alpha
first and each point warm-started from the previous one (the stopping rule
reset at each point). Dense to sparse is the default, for input selection:
an input whose effect is not linear (friedman1's ``(x2 - 0.5)^2``) has no
pull on its weights at the null model, so a cold group-lasso fit admits it
only at alphas that also admit noise inputs (at the alpha keeping 5 inputs,
4 informative and one noise input; x2 was still out with 18 noise inputs in), while a
network that has learnt it keeps its weights as alpha grows. Measured with
``MLPRegressorCV()`` on friedman1 with 1000 rows and 195 noise inputs (5
seeds): recall 1.00 and a median of 17 noise inputs kept, against 0.96 and
141 with cold points, in 34 s against 48 s per fit. On the generalization
benchmark's tune half (5 splits) the mean test score was 0.8289 against
0.8267 in 26% less CPU time (465 s against 632 s for the 55 fits); on its
held-out half it scored lower (0.8829 against 0.9031, mostly linear_p1000:
see the user guide's defaults page). Linear models (no hidden layer) are
convex and warm-start from the largest alpha down with every penalty.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone, is_classifier

from .._core.architecture import hidden_sizes
from .._core.penalties import is_sparse

COLLAPSE_RTOL = 0.01

# How a sparse penalty's path runs on a network with a hidden layer: "cold"
# (every point from the same fresh initialization) or "dense_to_sparse"
# (smallest alpha first, each point warm-started from the previous one).
SPARSE_NETWORK_PATH = "dense_to_sparse"


def target_scale(Y: np.ndarray) -> float:
    """The largest standard deviation of the (encoded) target columns."""
    return float(np.std(Y, axis=0).max())


def collapsed(estimator, X, scale: float) -> bool:
    """Whether a network with a hidden layer has (numerically) constant output
    on ``X``: the null model, from which warm starts cannot escape."""
    if not hidden_sizes(estimator.hidden_layer_sizes):
        return False
    if is_classifier(estimator):
        output = estimator.predict_proba(X)
    else:
        output = estimator.predict(X)
    output = np.asarray(output).reshape(X.shape[0], -1)
    return bool(np.std(output, axis=0).max() <= COLLAPSE_RTOL * scale)


def path_order(estimator, n_alphas: int) -> list[int]:
    """The order in which a path fits its ``n_alphas`` (descending) alphas:
    largest first, except the dense-to-sparse order (smallest first) of a
    sparse penalty on a network when ``SPARSE_NETWORK_PATH`` asks for it."""
    order = list(range(n_alphas))
    dense_to_sparse = SPARSE_NETWORK_PATH == "dense_to_sparse"
    if dense_to_sparse and _sparse_network(estimator):
        order.reverse()
    return order


def iter_path(estimator, X, y, sample_weight, alphas, scale: float) -> Iterator:
    """Fit ``estimator`` at each of ``alphas`` (descending) in the path's
    order, warm-started unless the previous point collapsed (module
    docstring); yield ``(k, estimator)`` after each fit at ``alphas[k]`` (the
    same object, refitted in place). ``scale`` is ``target_scale`` of the
    encoded targets."""
    estimator.set_params(warm_start=False)
    warm = can_warm_start(estimator)
    for k in path_order(estimator, len(alphas)):
        estimator.set_params(alpha=float(alphas[k]))
        # Each point is a new objective: its stopping rule starts afresh
        # (a warm start would continue the previous point's best loss, which
        # along a dense-to-sparse path belongs to an easier objective).
        estimator.__dict__.pop("best_loss_", None)
        estimator.fit(X, y, sample_weight=sample_weight)
        yield k, estimator
        estimator.set_params(warm_start=warm and not collapsed(estimator, X, scale))


def _sparse_network(estimator) -> bool:
    hidden = hidden_sizes(estimator.hidden_layer_sizes)
    return bool(hidden) and is_sparse(estimator.penalty, estimator.l1_ratio)


def can_warm_start(estimator) -> bool:
    """Linear models and smooth penalties always; sparse penalties on
    networks only along the dense-to-sparse order (module docstring)."""
    return not _sparse_network(estimator) or SPARSE_NETWORK_PATH != "cold"


def count_zero_weights(weights) -> int:
    """Number of weights that are exactly 0.0."""
    return int(sum(W.size - np.count_nonzero(W) for W in weights))


@dataclass
class FoldPath:
    """What one fold's path recorded: one row per alpha, one column per
    relaxation value (a single column without relaxation); ``support`` has
    a last axis over the input features (True where the model uses it)."""

    scores: np.ndarray
    n_iter: np.ndarray
    n_zero_weights: np.ndarray
    n_features_selected: np.ndarray
    support: np.ndarray
    # The fitted models, [alpha][relax], when the CV averages its fold models.
    models: list | None = None

    @classmethod
    def empty(
        cls, n_alphas: int, n_relax: int, n_features: int, keep_models: bool = False
    ) -> FoldPath:
        shape = (n_alphas, n_relax)
        ints = (np.empty(shape, dtype=np.int64) for _ in range(3))
        support = np.zeros((*shape, n_features), dtype=bool)
        models = [[None] * n_relax for _ in range(n_alphas)] if keep_models else None
        return cls(np.empty(shape), *ints, support, models)

    def record(self, k, models, scorer, test_data, point=None) -> None:
        """Score point ``k`` on the held-out ``(X, y)``: ``models`` holds one
        fitted model per relaxation value (``relaxed_models``; None for a
        skipped refit, whose score is NaN and whose other entries are
        ``point``'s own); ``scorer`` is the fold's (its metadata bound, see
        ``BaseMLPCV.fit``). Where the models are kept, ``point`` (the path's
        estimator, refitted in place at the next alpha) is kept as a copy."""
        if self.models is not None:
            kept = copy.deepcopy(point) if any(m is point for m in models) else None
            self.models[k] = [kept if m is point else m for m in models]
        X_test, y_test = test_data
        for r, model in enumerate(models):
            skipped = model is None  # path.skips_relaxation: the point's record
            model = point if skipped else model
            self.scores[k, r] = np.nan if skipped else scorer(model, X_test, y_test)
            self.n_iter[k, r] = model.n_iter_
            self.n_zero_weights[k, r] = count_zero_weights(model._penalized_weights())
            self.n_features_selected[k, r] = model.n_features_selected_
            self.support[k, r] = model.feature_importances_ > 0


def is_relaxed(gamma) -> bool:
    """Whether relaxation value ``gamma`` refits (``None`` and 1 are the
    point itself)."""
    return gamma is not None and gamma != 1.0


def skips_relaxation(gamma, point) -> bool:
    """Whether the path leaves out the refit of ``point`` at ``gamma``.

    A refit with ``0 < gamma < 1`` at a point that dropped no input is a fit
    on every input at the weaker penalty ``gamma * alpha``: no selection is
    relaxed, and the path's own weaker points fit the same family. The path
    skips it; its cell is scored NaN and never chosen (``FoldPath.record``).
    The unpenalized refit (``gamma == 0``) is kept: the path has no such
    point.
    """
    return (
        is_relaxed(gamma)
        and gamma != 0.0
        and bool(np.all(point.feature_importances_ > 0))
    )


def support(estimator) -> bytes:
    """The inputs a fitted model uses (``feature_importances_ > 0``), as a
    dictionary key."""
    return (estimator.feature_importances_ > 0).tobytes()


def shares_unpenalized_refits(estimator) -> bool:
    """Whether a path's points that select the same inputs share one
    unpenalized refit (``relax=0``): along a warm-started path, whose refit
    to ``alpha_`` replays the points before it (see ``relaxed_models``)."""
    return can_warm_start(estimator)


def relaxed_models(fitted, fit_data, relax, unpenalized=None) -> list:
    """The fitted point and its relaxed refits on ``fit_data``, one model per
    value of ``relax`` (each refit on a copy of ``fitted``; None where
    ``skips_relaxation``).

    The refit with ``relax=0`` minimizes the unpenalized loss over the inputs
    the point selected: the same objective for every point that selected
    the same inputs. With ``unpenalized`` (a dict, one per path), the first
    such point in the path's order refits, and the later ones share its
    refit (what the path CV scores, and what its final refit reproduces).
    """
    models = []
    for gamma in relax:
        if not is_relaxed(gamma):
            models.append(fitted)
            continue
        if skips_relaxation(gamma, fitted):
            models.append(None)
            continue
        shared = gamma == 0.0 and unpenalized is not None
        if shared and support(fitted) in unpenalized:
            models.append(unpenalized[support(fitted)])
            continue
        model = copy.deepcopy(fitted)._refit_relaxed(*fit_data, gamma)
        if shared:
            unpenalized[support(fitted)] = model
        models.append(model)
    return models


def take(a, idx):
    """``a[idx]``, or None for a missing ``a`` (sample weights)."""
    return None if a is None else a[idx]


def fit_fold_path(
    template,
    X,
    y,
    sample_weight,
    train,
    test,
    alphas,
    l1_ratio,
    scale,
    scorer,
    relax,
    keep_models=False,
) -> FoldPath:
    """Fit the path on ``train`` and score every point (and its relaxed
    refits) on ``test``; ``scorer.for_rows(test)`` scores. With
    ``keep_models`` the record keeps every fitted model."""
    estimator = clone(template).set_params(l1_ratio=l1_ratio)
    test_data = (X[test], y[test])
    fold_scorer = scorer.for_rows(test)
    fit_data = (X[train], y[train], take(sample_weight, train))
    out = FoldPath.empty(len(alphas), len(relax), X.shape[1], keep_models)
    unpenalized = {} if shares_unpenalized_refits(estimator) else None
    for k, fitted in iter_path(estimator, *fit_data, alphas, scale):
        models = relaxed_models(fitted, fit_data, relax, unpenalized)
        out.record(k, models, fold_scorer, test_data, point=fitted)
    return out
