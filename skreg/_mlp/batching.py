"""The plain estimators' fits in the batched engine's terms.

``batched_model`` describes the stochastic fit that ``fitting.fit_stochastic``
would run on a prepared ``FitStart`` as one ``ModelSpec`` of the batched
engine (same split, generator, weights, buffers and frozen inputs), and
``outcome_of`` turns the engine's ``ModelOutcome`` back into a
``FitOutcome``, so that a model trained in a batch is finished by the
estimator like any other fit. ``fit_many`` and ``refit_relaxed_many`` are
``fit`` and the relaxed refit (``BaseMLP._refit_relaxed``) of many
estimators as one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .._training.batched import (
    AdamSettings,
    ModelOutcome,
    ModelSpec,
    SGDSettings,
    train_batched,
)
from .._validation import make_rng
from .base import BaseMLP
from .fitting import (
    FitOutcome,
    FitStart,
    StochasticProblem,
    TrainingConfig,
    validation_split,
)
from .input_scale import scale_columns


def optimizer_settings(config: TrainingConfig) -> AdamSettings | SGDSettings:
    """The batched engine's optimizer settings for ``config``."""
    if config.solver == "sgd":
        return SGDSettings(
            config.learning_rate_init,
            config.learning_rate,
            config.momentum,
            config.nesterovs_momentum,
            config.power_t,
        )
    return AdamSettings(
        config.learning_rate_init, config.beta_1, config.beta_2, config.epsilon
    )


def batched_model(
    start: FitStart,
    problem: StochasticProblem,
    rows: np.ndarray,
    *,
    best_loss: float = np.inf,
    t: int = 0,
) -> ModelSpec:
    """The batched engine's description of the stochastic fit that
    ``fit_stochastic`` would run on ``start``: the same early-stopping split
    and generator (drawn from ``start.random_state`` in the same order), the
    same initial weights and buffers. ``rows[i]`` is the row of the engine's
    ``X`` that holds ``start.X[i]``."""
    config = start.config
    train, validation = np.arange(len(rows)), None
    if config.early_stopping:
        rs = start.random_state
        split = validation_split(config, len(rows), problem.stratify, rs)
        if split is not None:
            train, validation = split
    state = start.network.state()
    sw = problem.sample_weight
    spec = ModelSpec(
        rows=rows[train],
        rng=make_rng(start.random_state),
        theta=state.pop("theta"),
        buffers=state,
        penalty=config.penalty,
        alpha=config.alpha,
        l1_ratio=config.l1_ratio,
        sample_weight=None if sw is None else sw[train],
        best_loss=best_loss,
        t=t,
        keep_inputs=config.keep_inputs,
    )
    if validation is not None:
        Y_val = problem.Y[validation]
        sw_val = None if sw is None else sw[validation]
        spec.validation_rows = rows[validation]
        spec.validation_score = lambda pred: problem.score(Y_val, pred, sw_val)
        spec.validation_loss = bool(getattr(problem, "monitor_loss", False))
        spec.validation_sample_weight = sw_val
    return spec


def outcome_of(model: ModelOutcome) -> FitOutcome:
    """A batched model's outcome in ``fit_stochastic``'s terms."""
    losses = model.loss_curve
    return FitOutcome(
        status=model.status,
        n_iter=model.n_epochs,
        loss=losses[-1] if losses else None,
        t=model.t,
        losses=losses,
        validation_scores=model.validation_scores,
        best_validation_score=model.best_validation_score,
        best_loss=model.best_loss,
        best_epoch=model.best_epoch,
        reason=model.reason,
    )


# Parameters in which the models of one batch may differ.
_PER_MODEL = frozenset(
    {"alpha", "l1_ratio", "penalty", "random_state", "warm_start", "verbose"}
)


def fit_many(estimators, X, y, sample_weight, rows) -> list:
    """Fit ``estimators[m]`` on ``X[rows[m]]`` (and ``y``, ``sample_weight``)
    as ``estimators[m].fit`` would, training them as one batch.

    Each estimator keeps its own ``alpha``, ``l1_ratio``, ``penalty``,
    ``random_state`` and warm start; every other parameter must agree, the
    solver must be stochastic and all models must encode the targets alike
    (a classifier's training rows missing a class has fewer outputs).
    Otherwise the estimators are fitted one after another. With ``relax``,
    the relaxed refits follow as a second batch (``refit_relaxed_many``).
    Returns the fitted estimators (the same objects).
    """
    take = [
        (X[r], y[r], None if sample_weight is None else sample_weight[r]) for r in rows
    ]
    if not _can_share_a_batch(estimators):
        return [_fit_one(est, data) for est, data in zip(estimators, take)]
    starts = [
        est._start_fit(*data, incremental=False) for est, data in zip(estimators, take)
    ]
    if not _train_starts(estimators, starts, X, y, rows):
        return [_fit_one(est, data) for est, data in zip(estimators, take)]
    relax = [est.relax for est in estimators]
    relaxing = [m for m, r in enumerate(relax) if r is not None]
    if relaxing:
        refit_relaxed_many(
            [estimators[m] for m in relaxing],
            X,
            y,
            sample_weight,
            [rows[m] for m in relaxing],
            [relax[m] for m in relaxing],
        )
    return list(estimators)


def refit_relaxed_many(
    estimators, X, y, sample_weight, rows, relax: float | Sequence[float]
) -> list:
    """The relaxed refits ``estimators[m]._refit_relaxed(X[rows[m]], ...,
    relax[m])`` (one ``relax`` for all, or one each), trained as one batch.

    Each fitted estimator resumes from its weights with the penalty
    ``relax * alpha`` and the inputs it leaves unused frozen at 0, exactly as
    its own ``_refit_relaxed`` (``relax == 1`` leaves it as it is); where the
    estimators cannot share a batch they are refitted one after another.
    Returns the estimators (the same objects, refitted in place).
    """
    if np.ndim(relax) == 0:
        relax = [relax] * len(estimators)
    todo = [m for m, r in enumerate(relax) if r != 1.0]
    ests = [estimators[m] for m in todo]
    rows = [rows[m] for m in todo]
    relax = [float(relax[m]) for m in todo]
    take = [
        (X[r], y[r], None if sample_weight is None else sample_weight[r]) for r in rows
    ]
    if not ests:
        return list(estimators)
    if not _can_share_a_batch(ests):
        for est, data, r in zip(ests, take, relax):
            est._refit_relaxed(*data, r)
        return list(estimators)
    # BaseMLP._refit_relaxed, model by model up to the training.
    keep = [est.feature_importances_ > 0 for est in ests]
    n_iter = [est.n_iter_ for est in ests]
    starts = []
    for est, data, r, k in zip(ests, take, relax, keep):
        start = est._start_fit(*data, incremental=False, resume=True)
        start.config = replace(start.config, alpha=est.alpha * r, keep_inputs=k)
        starts.append(start)
    if not _train_starts(ests, starts, X, y, rows):
        for est, data, r in zip(ests, take, relax):
            est._refit_relaxed(*data, r)
        return list(estimators)
    for est, previous in zip(ests, n_iter):
        est.n_iter_ += previous
    return list(estimators)


def _train_starts(estimators, starts, X, y, rows) -> bool:
    """Train the prepared fits ``starts`` as one batch and finish each
    estimator (``_end_fit``). Returns False, having trained nothing, when
    the models encode the targets differently."""
    Y = estimators[0]._encode_fitted_targets(y)
    if not all(est._encode_fitted_targets(y).shape == Y.shape for est in estimators):
        return False
    # the network's inputs, as each start's (the batch shares input_scale)
    X = scale_columns(X, starts[0].input_scale)
    if not all(np.array_equal(Y[r], s.Y) for s, r in zip(starts, rows)):
        X, Y, rows = _own_targets(X, starts, rows)
    models = [
        batched_model(
            start,
            est._stochastic_problem(start),
            np.asarray(r),
            best_loss=est._previous_best_loss(),
            t=est.t_,
        )
        for est, start, r in zip(estimators, starts, rows)
    ]
    first = starts[0]
    config = first.config
    outcomes = train_batched(
        first.network,
        X,
        Y.astype(first.X.dtype, copy=False),
        models,
        optimizer=optimizer_settings(config),
        max_iter=config.max_iter,
        tol=config.tol,
        n_iter_no_change=config.n_iter_no_change,
        batch_size=config.batch_size,
        shuffle=config.shuffle,
    )
    for est, start, outcome in zip(estimators, starts, outcomes):
        start.network.load_state(outcome.state)
        est._end_fit(start, outcome_of(outcome))
    return True


def _own_targets(X, starts, rows):
    """Engine data for models whose fitted targets are their own (a
    regressor's ``standardize_target`` scales each model's rows by their own
    mean and deviation): one block of ``X`` rows and targets per distinct
    (rows, targets) pair, and each model's rows into the blocks."""
    blocks: dict = {}
    new_rows = []
    offset = 0
    for start, r in zip(starts, rows):
        key = (np.asarray(r).tobytes(), start.Y.tobytes())
        if key not in blocks:
            blocks[key] = (offset, r, start.Y)
            offset += len(r)
        new_rows.append(blocks[key][0] + np.arange(len(r)))
    taken = np.concatenate([r for _, r, _ in blocks.values()])
    Y = np.concatenate([Y for _, _, Y in blocks.values()])
    return X[taken], Y, new_rows


def _fit_one(estimator, data):
    X, y, sample_weight = data
    fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
    return estimator.fit(X, y, **fit_params)


def _can_share_a_batch(estimators) -> bool:
    kind = type(estimators[0]) if estimators else None
    if kind is None or not issubclass(kind, BaseMLP):
        return False
    if estimators[0].solver not in ("adam", "sgd"):
        return False

    def shared(est):
        return {
            k: v for k, v in est.get_params(deep=False).items() if k not in _PER_MODEL
        }

    reference = shared(estimators[0])
    return all(
        type(est) is kind and _same(shared(est), reference) for est in estimators
    )


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(np.asarray(a[k], dtype=object), np.asarray(b[k], dtype=object))
        for k in a
    )
