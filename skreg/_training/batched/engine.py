"""The epoch loop of one stack of models.

Each epoch mirrors :func:`skreg._training.stochastic.train_epochs` model by
model: every running model draws its permutation, then the minibatch steps
run; step ``k`` of the epoch trains, in one stacked call per group, the models
whose ``k``-th batch has the same rows span (models are ordered by training
size, so equal spans are contiguous ranges of the stack). A model with fewer
batches simply has no ``k``-th step, exactly as it would alone. After the
epoch each model records its objective, updates its own monitor (the single
loop's :class:`LossMonitor` / :class:`ValidationMonitor` objects) and may
stop; stopped models leave the stack (one row selection) and cost nothing
from then on.
"""

from __future__ import annotations

import time

import numpy as np

from ..._core.penalties import FrozenInputs, make_penalty
from ..._core.stacked import StackedNetwork
from ..._core.stacked_penalties import StackedPenalty
from ..batches import batch_bounds
from ..callbacks import DivergenceCheck, EpochRecord, LossMonitor, ValidationMonitor
from .memory import chunk_rows, models_per_step
from .predict import predict_rows
from .schedule import Step, make_schedule, sync_twins, twin_ids
from .specs import ModelOutcome, ModelSpec


def batch_rows(batch_size, n_rows: int) -> int:
    """The single estimators' rule: ``'auto'`` is ``min(200, n)``, an int is
    clipped to ``[1, n]``."""
    if batch_size == "auto":
        return min(200, n_rows)
    return int(np.clip(batch_size, 1, n_rows))


class _Model:
    """One model's bookkeeping; also what its monitor sees as the network."""

    def __init__(self, spec: ModelSpec, index: int, dtype, tol, batch_size, merge):
        self.spec, self.index = spec, index
        self.rows = np.asarray(spec.rows, dtype=np.intp)
        self.n = len(self.rows)
        sw = spec.sample_weight
        self.sample_weight = None if sw is None else np.asarray(sw, dtype=dtype)
        self.total_weight = float(
            self.n if self.sample_weight is None else self.sample_weight.sum()
        )
        self.bounds = batch_bounds(self.n, batch_rows(batch_size, self.n), merge)
        self.validating = spec.validation_rows is not None
        vsw = spec.validation_sample_weight
        self.validation_weight = None if vsw is None else np.asarray(vsw, dtype)
        if not self.validating:
            self.monitor = LossMonitor(tol, spec.best_loss)
        elif spec.validation_loss:
            self.monitor = ValidationMonitor(
                lambda model: model.score, tol, loss=lambda model: model.val_loss
            )
        else:
            self.monitor = ValidationMonitor(lambda model: model.score, tol)
        self.divergence = DivergenceCheck()
        self.records: list[EpochRecord] = []
        self.t = int(spec.t)
        self.status, self.message, self.reason = "max_iter", "", ""
        self.score, self.val_loss = np.nan, np.nan
        self.final_state = None
        self.run = None  # the BatchedRun holding the model, for ``state``
        self.row = index
        self.twin = index  # models with equal ids are twins (schedule.py)

    def penalty(self, input_groups: dict):
        """The single loop's penalty object (``fitting._penalty``): strength
        ``alpha / S``, the inputs not in ``keep_inputs`` frozen at 0."""
        spec = self.spec
        penalty = make_penalty(
            spec.penalty,
            spec.alpha / self.total_weight,
            spec.l1_ratio,
            **input_groups,
        )
        if spec.keep_inputs is None:
            return penalty
        return FrozenInputs(penalty, spec.keep_inputs, **input_groups)

    def state(self) -> dict[str, np.ndarray]:
        """The model's current parameters and buffers (monitor snapshots)."""
        return self.run.net.model_state(self.row)

    def outcome(self) -> ModelOutcome:
        best = getattr(self.monitor, "best_state", None)
        return ModelOutcome(
            state=self.final_state if best is None else best,
            final_state=self.final_state,
            records=self.records,
            status=self.status,
            message=self.message,
            reason=self.reason,
            t=self.t,
            best_loss=None if self.validating else self.monitor.best_loss,
            best_validation_score=self.monitor.best_score if self.validating else None,
            best_epoch=getattr(self.monitor, "best_epoch", None),
        )


class BatchedRun:
    """Models of one architecture trained together on rows of ``X``, ``Y``."""

    def __init__(
        self,
        template,
        X,
        Y,
        specs,
        *,
        optimizer,
        tol,
        batch_size,
        shuffle,
        n_iter_no_change,
    ):
        self.X, self.Y = X, Y
        self.shuffle = shuffle
        self.n_iter_no_change = n_iter_no_change
        net = self.net = StackedNetwork(template, len(specs))
        merge = net.min_batch_rows > 1
        self.models = [
            _Model(spec, i, net.dtype, tol, batch_size, merge)
            for i, spec in enumerate(specs)
        ]
        for model in self.models:
            model.run = self
            net.load_model_state(
                model.row, {**(model.spec.buffers or {}), "theta": model.spec.theta}
            )
        self.optimizer = optimizer.make(len(specs), net.n_params, net.dtype)
        groups = net.input_groups
        self.penalty = StackedPenalty(
            [m.penalty(groups) for m in self.models],
            groups["first_layer_shape"],
            net.n_penalized,
            net.dtype,
            skip_width=groups["skip_width"],
        )
        n_max = max(m.n for m in self.models)
        self.perm = np.zeros((len(specs), n_max), dtype=np.intp)
        weighted = [m.sample_weight is not None for m in self.models]
        self.sw_perm = (
            np.zeros((len(specs), n_max), net.dtype) if any(weighted) else None
        )
        if not shuffle:
            self._fill_order(lambda model: None)
        self._n_without_start = len(self.models)
        self._Xb = _Gather()
        self._Yb = _Gather()
        for model, twin in zip(self.models, twin_ids(specs)):
            model.twin = twin
        self.models_per_step = models_per_step(net, batch_rows(batch_size, n_max))
        self._schedule = make_schedule(self, self.models_per_step)

    def _fill_order(self, permutation) -> None:
        """Each model's rows (and weights) in this epoch's order; a twin
        after the first of its run uses the first's (drawn once)."""
        previous = None
        for model in self.models:
            follower = previous is not None and model.twin == previous.twin
            previous = model
            if follower:
                continue
            order = permutation(model)
            rows = model.rows if order is None else model.rows[order]
            self.perm[model.row, : model.n] = rows
            if model.sample_weight is not None:
                sw = model.sample_weight
                self.sw_perm[model.row, : model.n] = sw if order is None else sw[order]

    # -- training --------------------------------------------------------------
    def train(self, max_iter: int) -> list[ModelOutcome]:
        """Run up to ``max_iter`` epochs; outcomes in the specs' order."""
        finished: list[_Model] = []
        start = time.perf_counter()
        completed = self._snapshot()
        try:
            for epoch in range(1, max_iter + 1):
                if not self.models:
                    break
                if self.shuffle:
                    self._fill_order(lambda model: model.spec.rng.permutation(model.n))
                data_sum = np.zeros(len(self.models))
                for step in self._schedule:
                    self._step(step, data_sum)
                self._end_epoch(epoch, data_sum, start)
                finished += self._compact()
                completed = self._snapshot()
        except KeyboardInterrupt:
            self._restore(completed)
            for model in self.models:
                model.status = "interrupted"
        sync_twins(self.models)
        for model in self.models:
            model.final_state = self.net.model_state(model.row)
        finished += self.models
        return [m.outcome() for m in sorted(finished, key=lambda m: m.index)]

    def _gather(self, idx: np.ndarray):
        """``X[idx]``: ``(G, n, n_in)`` for one row set per model, ``(n, n_in)``
        for one shared set; sparse: one CSR per model, or one shared."""
        if isinstance(self.X, np.ndarray):
            return self._Xb.take(self.X, idx)
        if idx.ndim == 1:
            return self.X[idx]
        return [self.X[rows] for rows in idx]

    def _step(self, step: Step, data_sum: np.ndarray) -> None:
        """One minibatch step of the models ``step.models``."""
        net, opt, models = self.net, self.optimizer, step.models
        # Twins share one batch: their first model's rows, gathered once.
        rows = models.start if step.shared else models
        idx = self.perm[rows, step.lo : step.hi]
        Xb, Yb = self._gather(idx), self._Yb.take(self.Y, idx)
        if step.weighted and step.shared:
            sw = self.sw_perm[rows, step.lo : step.hi]
            weight = float(sw.sum())
            scales = scale = 1.0 / weight if weight > 0 else 0.0
        elif step.weighted:
            sw = self.sw_perm[models, step.lo : step.hi]
            weight = sw.sum(axis=1).astype(np.float64)
            scales = np.divide(1.0, weight, out=np.zeros_like(weight), where=weight > 0)
            scale = scales[:, None].astype(net.dtype)
        else:
            sw, scale = None, 1.0 / (step.hi - step.lo)
            scales = None
        losses = net.loss_and_gradient(Xb, Yb, sw, scale, models, step.rngs)
        data_sum[models] += losses
        w, gw = (
            net.theta[models, : net.n_penalized],
            net.grad[models, : net.n_penalized],
        )
        if self._n_without_start:
            self._start_losses(step, losses, scale if scales is None else scales, w)
        penalty = step.penalty
        penalty.add_smooth_grad(w, gw)
        opt.step(net.theta, net.grad, models)
        if penalty.has_prox:
            size = opt.step_size(models, net.n_penalized)
            penalty.prox(w, size, opt.per_coordinate)

    def _start_losses(self, step: Step, losses, scales, w) -> None:
        """The divergence reference of models at their first step: ``J`` at
        the starting weights, estimated on that minibatch (the single run's).
        ``scales`` is the batch's scale (a float) or one per model."""
        for g, model in enumerate(self.models[step.models]):
            check = model.divergence
            scale = float(scales if np.ndim(scales) == 0 else scales[g])
            if check.start_loss is None and scale > 0:
                batch_sum = float(losses[g])
                check.start_loss = batch_sum * scale + self.penalty.value(
                    model.row, w[g]
                )
                self._n_without_start -= 1

    def _end_epoch(self, epoch: int, data_sum: np.ndarray, start: float) -> None:
        net = self.net
        penalties = self.penalty.values(net.theta[:, : net.n_penalized])
        finite = np.isfinite(net.theta).all(axis=1)
        running = []
        for model in self.models:
            model.t += model.n
            loss = float(data_sum[model.row] / model.total_weight)
            record = EpochRecord(epoch, loss + float(penalties[model.row]))
            # The stack's finiteness test ran once for all rows: the check
            # sees a model's parameters only when they are not all finite.
            theta = _FINITE if finite[model.row] else net.theta[model.row]
            reason = model.divergence(record.loss, theta)
            if reason is None:
                running.append((model, record))
            else:
                model.monitor.mark_diverged(record)
                model.records.append(record)
                model.status, model.reason = "diverged", reason
        self._score([model for model, _ in running if model.validating])
        for model, record in running:
            model.monitor.update(record, model)
            record.elapsed = time.perf_counter() - start
            model.records.append(record)
            self.optimizer.iteration_ends(model.row, model.t)
            if model.monitor.no_improvement_count > self.n_iter_no_change:
                message = model.monitor.message(self.n_iter_no_change)
                stop, model.message = self.optimizer.trigger_stopping(
                    model.row, message
                )
                if stop:
                    model.status = "converged"
                else:
                    model.monitor.no_improvement_count = 0

    def _score(self, models: list[_Model]) -> None:
        """Each validating model's score on its own validation rows."""
        if not models:
            return
        preds = {}
        first, last = models[0].row, models[-1].row + 1
        for a in range(first, last, self.models_per_step):
            b = min(a + self.models_per_step, last)
            rows = [m.spec.validation_rows for m in self.models[a:b]]
            chunk = chunk_rows(self.net, b - a)
            part = predict_rows(self.net, self.X, rows, slice(a, b), chunk, link=False)
            preds.update(zip(range(a, b), part))
        loss = self.net.loss.single
        for model in models:
            raw = preds[model.row]
            if model.spec.validation_loss:
                model.val_loss = _held_out_loss(
                    model.spec, model.validation_weight, loss, self.Y, raw
                )
            pred = loss.link(raw)
            finite = np.isfinite(pred).all()
            # nan for non-finite predictions, as the plain estimators score them
            model.score = model.spec.validation_score(pred) if finite else np.nan

    def _compact(self) -> list[_Model]:
        """Drop the models that stopped this epoch from the stack."""
        done = [m for m in self.models if m.status != "max_iter"]
        if not done:
            return []
        sync_twins(self.models)
        for model in done:
            model.final_state = self.net.model_state(model.row)
        keep = [m for m in self.models if m.status == "max_iter"]
        rows = np.array([m.row for m in keep], dtype=np.intp)
        self.net.take_models(rows)
        self.optimizer.take_models(rows)
        self.penalty.take_models(rows)
        self.perm = self.perm[rows]
        if self.sw_perm is not None:
            self.sw_perm = self.sw_perm[rows]
        for row, model in enumerate(keep):
            model.row = row
        self.models = keep
        if keep:
            self._schedule = make_schedule(self, self.models_per_step)
        return done

    def _snapshot(self):
        """The running models' parameters and buffers (after a full epoch)."""
        return self.net.snapshot()

    def _restore(self, snapshot) -> None:
        self.net.restore(snapshot)


def _held_out_loss(spec: ModelSpec, weights, loss, Y, raw: np.ndarray) -> float:
    """``callbacks.held_out_loss`` from the raw outputs on the validation
    rows: the same 4096-row chunks, the same sums."""
    rows, sw = spec.validation_rows, weights
    total = float(len(rows) if sw is None else sw.sum())
    value = 0.0
    for start in range(0, len(rows), 4096):
        part = slice(start, start + 4096)
        part_sw = None if sw is None else sw[part]
        value += loss.value(Y[rows[part]], raw[part], part_sw)
    return value / total


_FINITE = np.zeros(0)  # stands in for parameters known to be finite


class _Gather:
    """Rows of a 2-D array gathered into a reused ``(*idx.shape, cols)``
    buffer (``np.take``, as the single loop gathers its minibatch)."""

    def __init__(self):
        self._buf = np.empty(0)

    def take(self, A: np.ndarray, idx: np.ndarray) -> np.ndarray:
        size = idx.size * A.shape[1]
        if self._buf.size < size or self._buf.dtype != A.dtype:
            self._buf = np.empty(size, dtype=A.dtype)
        out = self._buf[:size].reshape(*idx.shape, A.shape[1])
        # mode="clip" writes straight into ``out`` (the default "raise" mode
        # buffers it); the engine checked every index on the way in.
        return A.take(idx, axis=0, out=out, mode="clip")
