"""Epoch records and the monitors that decide when training stops improving.

A monitor reads the latest epoch record and updates its count of epochs
without improvement; the loop compares that count with ``n_iter_no_change``.
No control flow by exceptions.
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

    def message(self, n_iter_no_change) -> str:
        return (
            f"Training loss did not improve more than tol={self.tol:f} for "
            f"{n_iter_no_change} consecutive epochs."
        )


class ValidationMonitor:
    """Early stopping: scores the network on held-out data after each epoch,
    counts epochs whose score is not ``tol`` above the best, and keeps a
    snapshot of the best parameters and buffers (running statistics)."""

    def __init__(self, score: Callable[[object], float], tol: float):
        self.score = score
        self.tol = tol
        self.best_score = -np.inf
        self.best_state: dict | None = None
        self.best_epoch: int | None = None
        self.no_improvement_count = 0

    def update(self, record: EpochRecord, network) -> None:
        score = float(self.score(network))
        record.validation_score = score
        if score < self.best_score + self.tol:
            self.no_improvement_count += 1
        else:
            self.no_improvement_count = 0
        if score > self.best_score:
            self.best_score = score
            self.best_state = network.state()
            self.best_epoch = record.epoch

    def message(self, n_iter_no_change) -> str:
        return (
            f"Validation score did not improve more than tol={self.tol:f} for "
            f"{n_iter_no_change} consecutive epochs."
        )
