"""The stochastic (minibatch) training loop."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._core.layers import Workspace
from .batches import batch_bounds
from .blas import limit_training_threads, network_widths
from .callbacks import DivergenceCheck, EpochRecord
from .progress import make_reporter


@dataclass
class TrainResult:
    """Outcome of a call to :func:`train_epochs`.

    ``status`` is one of ``'converged'`` (the monitor stopped training),
    ``'max_iter'``, ``'incremental'`` (one epoch of ``partial_fit``),
    ``'diverged'`` (see :class:`~skreg._training.callbacks.DivergenceCheck`;
    ``reason`` says why) or ``'interrupted'``.
    """

    status: str
    records: list[EpochRecord] = field(default_factory=list)
    reason: str = ""

    @property
    def n_epochs(self) -> int:
        return len(self.records)


class StochasticRun:
    """Everything a stochastic fit carries from step to step.

    The network, the optimizer and its state, the penalty (with strength
    ``alpha / S``), the random generator (shuffling, dropout masks, noise) and
    ``t``, the number of samples seen, and the divergence check (whose
    reference is the loss at the run's starting weights, measured on its first
    minibatch). Nothing here is kept on an estimator after ``fit``;
    ``partial_fit`` keeps one run alive between calls.
    """

    def __init__(
        self,
        network,
        optimizer,
        penalty,
        rng: np.random.Generator,
        batch_size: int,
        shuffle: bool = True,
        merge_singleton: bool = False,
    ):
        self.network = network
        self.optimizer = optimizer
        self.penalty = penalty
        self.rng = rng
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.merge_singleton = merge_singleton
        self.t = 0
        self.divergence = DivergenceCheck()
        self._X = None
        self._y = None

    def _take(self, A, idx, slot):
        if not isinstance(A, np.ndarray):  # scipy sparse
            return A[idx]
        buf = getattr(self, slot)
        if buf is None or buf.n_cols != A.shape[1] or buf.dtype != A.dtype:
            buf = Workspace(A.shape[1], A.dtype)
            setattr(self, slot, buf)
        return np.take(A, idx, axis=0, out=buf.get(len(idx)))

    def run_epoch(self, X, y, sample_weight=None) -> float:
        """One pass over the data; returns ``sum_i s_i l_i`` (data term only)."""
        net, opt, pen = self.network, self.optimizer, self.penalty
        # The optimizer walks one flat vector; the penalty sees its weight part.
        params, grads = [net.theta], [net.grad]
        n_pen = net.n_penalized
        w, gw = net.theta[:n_pen], net.grad[:n_pen]
        order = self.rng.permutation(X.shape[0]) if self.shuffle else None
        total = 0.0
        swb = None
        for start, stop in batch_bounds(
            X.shape[0], self.batch_size, self.merge_singleton
        ):
            if order is None:
                Xb, yb = X[start:stop], y[start:stop]
                if sample_weight is not None:
                    swb = sample_weight[start:stop]
            else:
                idx = order[start:stop]
                Xb, yb = self._take(X, idx, "_X"), self._take(y, idx, "_y")
                if sample_weight is not None:
                    swb = sample_weight[idx]
            weight = stop - start if swb is None else float(swb.sum())
            scale = 1.0 / weight if weight > 0 else 0.0
            batch_sum = net.loss_and_gradient(Xb, yb, swb, scale, self.rng)
            if self.divergence.start_loss is None and weight > 0:
                # J at the starting weights, estimated on the first minibatch
                self.divergence.start_loss = batch_sum * scale + pen.value(w)
            total += batch_sum
            pen.add_smooth_grad(w, gw)
            opt.step(params, grads)
            if not pen.smooth:
                pen.prox(w, opt.step_size(0, stop=n_pen))
        return total

    def objective(self, data_sum: float, total_weight: float) -> float:
        """``J = data_sum / S + (alpha / S) R(W)`` at the current weights."""
        return data_sum / total_weight + self.penalty.value(self.network.params[0])


def train_epochs(
    run: StochasticRun,
    X,
    y,
    sample_weight,
    *,
    max_iter: int,
    monitor,
    n_iter_no_change: float,
    incremental: bool = False,
    verbose: int = 0,
    first_epoch: int = 1,
    progress_bar: bool = False,
) -> TrainResult:
    """Run epochs until the monitor stops training, ``max_iter`` or divergence
    (the rule of :class:`~skreg._training.callbacks.DivergenceCheck`).

    After each epoch: record the objective, let ``monitor`` update its count
    of epochs without improvement (and score the validation set if it is an
    early-stopping monitor), update the learning-rate schedule, and stop when
    the count exceeds ``n_iter_no_change`` and the optimizer agrees. BLAS
    threads follow :func:`~skreg._training.blas.training_threads`; progress
    output follows ``verbose`` and ``progress_bar`` (:mod:`.progress`).
    """
    n = X.shape[0]
    total_weight = float(n if sample_weight is None else sample_weight.sum())
    result = TrainResult(status="max_iter")
    start = time.perf_counter()
    reporter = make_reporter(verbose, 1 if incremental else max_iter, progress_bar)
    completed = run.network.state()  # restored if Ctrl-C lands mid-epoch
    widths = network_widths(run.network)
    try:
        with limit_training_threads(min(run.batch_size, n), widths, X.dtype):
            for epoch in range(first_epoch, first_epoch + max_iter):
                data_sum = run.run_epoch(X, y, sample_weight)
                run.t += n
                record = EpochRecord(epoch, run.objective(data_sum, total_weight))
                reason = run.divergence(record.loss, run.network.theta)
                if reason is not None:
                    monitor.mark_diverged(record)
                    result.records.append(record)
                    result.status, result.reason = "diverged", reason
                    break
                completed = run.network.state()
                monitor.update(record, run.network)
                record.elapsed = time.perf_counter() - start
                result.records.append(record)
                if _stops(run, monitor, n_iter_no_change, reporter, record):
                    result.status = "converged"
                    break
                if incremental:
                    result.status = "incremental"
                    break
    except KeyboardInterrupt:
        run.network.load_state(completed)
        result.status = "interrupted"
    finally:
        if reporter is not None:
            reporter.close()
    return result


def _stops(run, monitor, n_iter_no_change, reporter, record) -> bool:
    """Report the epoch, update the learning-rate schedule, and decide
    whether ``n_iter_no_change`` epochs without improvement end training."""
    if reporter is not None:
        reporter.update(record)
    run.optimizer.iteration_ends(run.t)
    if monitor.no_improvement_count <= n_iter_no_change:
        return False
    stop, note = run.optimizer.trigger_stopping(monitor.message(n_iter_no_change))
    if reporter is not None:
        reporter.message(note)
    if not stop:
        monitor.no_improvement_count = 0
    return stop
