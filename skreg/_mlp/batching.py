"""The plain estimators' fits in the batched engine's terms.

``batched_model`` describes the stochastic fit that ``fitting.fit_stochastic``
would run on a prepared ``FitStart`` as one ``ModelSpec`` of the batched
engine (same split, generator, weights and buffers), and ``outcome_of``
turns the engine's ``ModelOutcome`` back into a ``FitOutcome``, so that a
model trained in a batch is finished by the estimator like any other fit.
"""

from __future__ import annotations

import numpy as np

from .._training.batched import AdamSettings, ModelOutcome, ModelSpec, SGDSettings
from .._validation import make_rng
from .fitting import (
    FitOutcome,
    FitStart,
    StochasticProblem,
    TrainingConfig,
    validation_split,
)


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
    )
    if validation is not None:
        Y_val = problem.Y[validation]
        sw_val = None if sw is None else sw[validation]
        spec.validation_rows = rows[validation]
        spec.validation_score = lambda pred: problem.score(Y_val, pred, sw_val)
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
    )
