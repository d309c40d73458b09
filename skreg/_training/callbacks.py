"""Epoch records, the monitors that decide when training stops improving,
and the divergence rule.

A monitor reads the latest epoch record and updates its count of epochs
without improvement; the loop compares that count with ``n_iter_no_change``.
The divergence check reads the same record and says whether (and why) the fit
has diverged. No control flow by exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class EpochRecord:
    """What happened in one epoch."""

    epoch: int
    loss: float
    validation_score: float | None = None
    elapsed: float = 0.0


#: A loss this many times its reference means the fit has diverged.
GROWTH_LIMIT = 1e4
#: The smallest reference: a loss that starts near 0 is measured against this.
REFERENCE_FLOOR = 1e-2


class DivergenceCheck:
    """The divergence rule, the same for every solver and both estimators.

    A fit has diverged when, after an epoch,

    1. the loss or a parameter is not finite (nan or inf), or
    2. the loss is more than ``growth_limit`` (``1e4``) times its reference:
       the larger of the loss at the weights the run started from and the
       loss of the run's first epoch.

    Why this rule: a step size far too large for the data makes the loss grow
    geometrically while staying finite for many epochs (a classifier with
    ``solver='sgd'``, ``learning_rate_init=1e3`` on standardized wine times
    1e3: 4e6, 6e18, 2e31, ... up to 1e119 in 30 epochs, predicting one
    class), so a test for non-finite values alone lets it end as a silent,
    useless model. Ordinary training, also with dropout, noisy minibatches
    and an oscillating too-large step, stays within a few times its starting
    loss. The reference includes the first epoch so that a loss that starts
    tiny (a warm start from a fitted model, whose first steps with a fresh
    optimizer may raise it a lot in relative terms) is not a false alarm, and
    the starting loss so that a first epoch that already dropped far is not
    one either. The loss is the training objective ``J`` (data term plus
    penalty), so weights that grow without bound also count. A reference
    below ``REFERENCE_FLOOR`` (``1e-2``) counts as that floor: a run that
    starts at a near-exact fit (a relaxed refit or warm start of a network
    that interpolates its data) can rise from there by far more than ``1e4``
    times with a fresh optimizer and still be ordinary training (measured: a
    relaxed refit, ``relax=0``, Adam at ``learning_rate_init=0.01`` on 105
    rows and 300 inputs went from 1.7e-5 to 0.37 in its second epoch), while
    a divergence passes ``1e4 * 1e-2 = 100`` within a few epochs whatever
    its start. For the full-batch
    solvers the final value plays the first epoch: their line search and
    backtracking only accept decreases, so there only the finiteness test
    can fire.
    """

    def __init__(self, start_loss: float | None = None, growth_limit=GROWTH_LIMIT):
        self.start_loss = start_loss
        self.first_loss: float | None = None
        self.growth_limit = growth_limit

    def __call__(self, loss: float, theta: np.ndarray) -> str | None:
        """``None``, or why the fit has diverged (a phrase for a message)."""
        if not np.isfinite(loss):
            return "the loss became non-finite (nan or inf)"
        if not np.isfinite(theta).all():
            return "the parameters became non-finite (nan or inf)"
        if self.first_loss is None:
            self.first_loss = loss
        reference = max(self.first_loss, self.start_loss or 0.0, REFERENCE_FLOOR)
        if loss > self.growth_limit * reference:
            return (
                f"the loss grew to {loss:.3g}, more than {self.growth_limit:g} "
                f"times its reference {reference:.3g}"
            )
        return None


class LossMonitor:
    """scikit-learn's rule without early stopping: the training loss must drop
    by more than ``tol`` below its best value."""

    def __init__(self, tol: float, best_loss: float = np.inf):
        self.tol = tol
        self.best_loss = best_loss
        self.no_improvement_count = 0

    def update(self, record: EpochRecord, network) -> None:
        if record.loss > self.best_loss - self.tol:
            self.no_improvement_count += 1
        else:
            self.no_improvement_count = 0
        if record.loss < self.best_loss:
            self.best_loss = record.loss

    def mark_diverged(self, record: EpochRecord) -> None:
        """A diverged epoch is recorded but not monitored."""

    def message(self, n_iter_no_change) -> str:
        return (
            f"Training loss did not improve more than tol={self.tol:f} for "
            f"{n_iter_no_change} consecutive epochs."
        )


class ValidationMonitor:
    """Early stopping: scores the network on held-out data after each epoch,
    counts epochs without improvement, and keeps a snapshot of the best
    parameters and buffers (running statistics).

    An epoch improves when its score is more than ``tol`` above the best so
    far (scikit-learn's rule) or, when ``loss`` is given, its held-out loss
    is more than ``tol`` below the lowest so far. The snapshot is
    scikit-learn's: the first epoch with the best score.

    Why the loss: a classifier's score is the accuracy on a small held-out
    set, a step function of the weights. At the start of a fit it often
    stays flat (e.g. at 0.5 while the network still predicts one class) or
    even drops for more than ``n_iter_no_change`` epochs while the network
    improves steadily, and with one optimizer step per epoch (a data set
    smaller than the batch size) the score-only rule stops at the first
    plateau (scikit-learn's MLP too: 20 of 100 seeds below 0.83 training
    accuracy on the blobs of ``check_classifiers_train``). The held-out loss
    of the same predictions is smooth and keeps falling while the network
    gets better, so training goes on; once the network overfits, both stop
    improving. A nan score or loss never counts as an improvement.
    """

    def __init__(
        self,
        score: Callable[[object], float],
        tol: float,
        loss: Callable[[object], float] | None = None,
    ):
        self.score = score
        self.loss = loss
        self.tol = tol
        self.best_score = -np.inf
        self.best_validation_loss = np.inf
        self.best_state: dict | None = None
        self.best_epoch: int | None = None
        self.no_improvement_count = 0

    def update(self, record: EpochRecord, network) -> None:
        score = float(self.score(network))
        loss = np.nan if self.loss is None else float(self.loss(network))
        record.validation_score = score
        improved = (
            score >= self.best_score + self.tol
            or loss <= self.best_validation_loss - self.tol
        )
        self.no_improvement_count = 0 if improved else self.no_improvement_count + 1
        if loss < self.best_validation_loss:
            self.best_validation_loss = loss
        if score > self.best_score:
            self.best_score = score
            self.best_state = network.state()
            self.best_epoch = record.epoch

    def mark_diverged(self, record: EpochRecord) -> None:
        """A diverged epoch is not scored (its weights are discarded): its
        validation score is nan, as in scikit-learn's MLP."""
        record.validation_score = float("nan")

    def message(self, n_iter_no_change) -> str:
        what = "score" if self.loss is None else "score and loss"
        return (
            f"Validation {what} did not improve more than tol={self.tol:f} for "
            f"{n_iter_no_change} consecutive epochs."
        )


def held_out_loss(
    X, Y, sample_weight=None, chunk_size: int = 4096
) -> Callable[[object], float]:
    """``network -> (1/S) sum_i s_i l_i`` on held-out data (inference mode,
    in row chunks), the ``loss`` of a :class:`ValidationMonitor`."""
    total = float(X.shape[0] if sample_weight is None else sample_weight.sum())

    def loss(network) -> float:
        value = 0.0
        for start in range(0, X.shape[0], chunk_size):
            rows = slice(start, start + chunk_size)
            raw, _ = network.forward(X[rows])
            sw = None if sample_weight is None else sample_weight[rows]
            value += network.loss.value(Y[rows], raw, sw)
        return value / total

    return loss
