"""M networks of one architecture as one stacked computation.

The layout: a model axis in front of every array.

* Parameters: one ``(M, n_params)`` matrix ``theta``, row ``m`` in exactly
  the single :class:`~skreg._core.network.Network`'s flat layout (penalized
  weights first). Layer weights are views ``(M, n_in, n_out)``, vectors
  ``(M, 1, n)``; the optimizer and the penalty walk ``theta[a:b]`` as one
  matrix. A contiguous range of models is a view, so a step on part of the
  stack (models whose batch differs in size) costs no copy, and compacting
  the stack when models stop is one row selection.
* A skip connection (``template.skip``) is one more stacked linear layer
  from the first dense layer's input to the raw output, its weights in
  ``theta`` right after the first layer's, as in the single network.
* Activations ``(G, n_rows, n_units)``, products by ``np.matmul`` on 3-D
  arrays: NumPy calls the same BLAS gemm (gemv for a one-column output, dot
  for a sum of squares) per model as ``np.dot`` does for one model, so a
  model's numbers are bit-identical to the single network's
  (``tests/test_batched.py`` compares with ``==``, float64 and float32).

Why, with the measurements (one BLAS thread, 442 x 50 inputs, hidden (64,),
batch 200, float64, best of 7 on a busy 2-core machine): one step of the
single loop takes ~185 us, of which ~40 us is the fixed cost of its ~60
NumPy calls (a 2-input, 2-unit network's step) and the rest is arithmetic:
the two first-layer GEMMs (~25-35 us each), and the element-wise passes
over the 200 x 64 activations (bias, relu and its gradient, ~6-15 us
each) and over the parameters (Adam, ~25 us). Stacking removes the fixed
cost, not the arithmetic: per model the stacked operations cost what the
single ones cost (gemm 32 vs 29 us, weight gradient 37 vs 39 us, relu
gradient 17 vs 15 us; only the small calls, e.g. the one-column output's
gemv, bias and column sums, get cheaper). So the gain is largest for small
networks (see ``benchmarks/bench_batched.py``). Two alternatives measured
worse: one concatenated ``(n_in, M * n_out)`` GEMM for models that share
their input rows (twins, see :mod:`skreg._training.batched.schedule`) took
37 us per model against 25 us for the per-model slices (1 thread; with 2
threads on the busy machine 232 vs 34 us); and the one-column output layer's
input gradient (an outer product) is 2-3x slower per model as a 3-D matmul
or a broadcast multiplication than the single layer's 2-D ``np.dot``, which
:class:`~skreg._core.stacked_layers.StackedDense` therefore calls per model.
The stacked ``np.matmul`` with a shared 2-D input (twins) serves every model
from one gathered batch; for prediction on a shared sparse ``X`` one sparse
product with the concatenated first-layer weights serves them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .network import Network
from .stacked_layers import StackedBuffer, StackedLayer, stacked_layer
from .stacked_losses import StackedLoss


class StackedNetwork:
    """The layers of ``template`` for ``n_models`` models (parameters zero
    until loaded with :meth:`load_model_state`)."""

    def __init__(self, template: Network, n_models: int):
        self.template = template
        self.dtype = template.dtype
        self.n_penalized = template.n_penalized
        self.n_params = template.theta.size
        self.layers: list[StackedLayer] = [
            stacked_layer(layer, self.dtype) for layer in template.layers
        ]
        # The skip connection (inputs of the first dense layer -> raw output).
        self.skip = (
            None if template.skip is None else stacked_layer(template.skip, self.dtype)
        )
        self._skip_input = template._skip_input
        self.input_groups = template.input_groups
        self.loss = StackedLoss(template.loss)
        self.n_outputs = template.dense[-1].n_out
        self._first_learnable = template._first_learnable
        self._layout = self._param_layout()
        self._d_raw = StackedBuffer(self.n_outputs, self.dtype)
        self.theta = np.zeros((n_models, self.n_params), dtype=self.dtype)
        self.grad = np.zeros_like(self.theta)
        for layer in self.layers:
            if hasattr(layer, "allocate_buffers"):
                layer.allocate_buffers(n_models)
        self._bind()

    @property
    def n_models(self) -> int:
        return self.theta.shape[0]

    @property
    def _learnable(self) -> list[StackedLayer]:
        """The layers, then the skip connection if any (``_param_layout``'s
        layer indices)."""
        return self.layers + ([self.skip] if self.skip is not None else [])

    def _param_layout(self) -> list[tuple[int, str, tuple[int, ...], int]]:
        """``(layer index, name, shape, start)`` in the single network's
        flat order (its own ``_ordered_specs``: penalized arrays first, the
        skip weights right after the first layer's); the skip's index is
        ``len(layers)``."""
        template = self.template
        index = {id(layer): i for i, layer in enumerate(template.layers)}
        if template.skip is not None:
            index[id(template.skip)] = len(template.layers)
        layout, start = [], 0
        for layer, (name, shape, _) in self.template._ordered_specs():
            layout.append((index[id(layer)], name, tuple(shape), start))
            start += int(np.prod(shape))
        return layout

    def _bind(self) -> None:
        """Make the layers' stacked parameters views of ``theta`` / ``grad``."""
        n_models = self.n_models
        learnable = self._learnable
        params = [({}, {}) for _ in learnable]
        for i, name, shape, start in self._layout:
            size = int(np.prod(shape))
            stacked = (n_models, *shape) if len(shape) > 1 else (n_models, 1, *shape)
            params[i][0][name] = self.theta[:, start : start + size].reshape(stacked)
            params[i][1][name] = self.grad[:, start : start + size].reshape(stacked)
        for layer, (p, g) in zip(learnable, params):
            if p:
                layer.bind(p, g)

    # -- per-model state -----------------------------------------------------
    def model_state(self, m: int) -> dict[str, np.ndarray]:
        """Model ``m``'s parameters and buffers in ``Network.state()`` form."""
        out = {"theta": self.theta[m].copy()}
        for i, layer in enumerate(self.layers):
            for name, buf in layer.buffers().items():
                out[f"{i}.{name}"] = buf[m, 0].copy()
        return out

    def load_model_state(self, m: int, state: Mapping[str, np.ndarray]) -> None:
        """Set model ``m`` from a ``Network.state()``-style mapping; buffers
        missing from it keep their current (initial) values."""
        self.theta[m] = state["theta"]
        for i, layer in enumerate(self.layers):
            for name, buf in layer.buffers().items():
                key = f"{i}.{name}"
                if key in state:
                    buf[m, 0] = state[key]

    def take_models(self, keep: Sequence[int]) -> None:
        """Keep only the models ``keep``, in that order (compaction)."""
        keep = np.asarray(keep, dtype=np.intp)
        self.theta = self.theta[keep]
        self.grad = np.zeros_like(self.theta)
        for layer in self.layers:
            layer.take_models(keep)
        self._bind()

    def snapshot(self) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
        """A copy of every model's parameters and buffers."""
        buffers = [
            {name: buf.copy() for name, buf in layer.buffers().items()}
            for layer in self.layers
        ]
        return self.theta.copy(), buffers

    def restore(self, snapshot) -> None:
        """Undo everything since ``snapshot`` (same models, same order)."""
        theta, buffers = snapshot
        self.theta[...] = theta
        for layer, saved in zip(self.layers, buffers):
            for name, buf in layer.buffers().items():
                buf[...] = saved[name]

    @property
    def min_batch_rows(self) -> int:
        """The fewest rows a training batch may have (2 with batch norm)."""
        return max(layer.min_batch_rows for layer in self.layers)

    def row_bytes(self) -> int:
        """Scratch bytes per model and per batch row of a training step."""
        floats = sum(layer.row_floats() for layer in self.layers)
        if self.skip is not None:  # its output (no input gradient)
            floats += self.n_outputs
        return (floats + 2 * self.n_outputs) * self.dtype.itemsize

    # -- passes --------------------------------------------------------------
    def forward(self, X, models: slice, training: bool = False, rngs=None):
        """Raw outputs ``(G, n, k)`` of the models ``models`` and the caches.

        ``X`` is ``(G, n, n_in)`` (one batch per model), a list of ``G``
        sparse matrices, or a 2-D array / one sparse matrix shared by all.
        ``rngs`` holds the models' generators (training only).
        """
        caches = []
        out = X
        for i, layer in enumerate(self.layers):
            if i == self._skip_input:
                skip_input = out
            out, cache = layer.forward(out, models, training, rngs)
            caches.append(cache)
        if self.skip is not None:
            skip_out, cache = self.skip.forward(skip_input, models)
            out += skip_out
            caches.append(cache)
        return out, caches

    def backward(self, d_raw: np.ndarray, caches: list, models: slice) -> None:
        """Back-propagate ``d_raw`` into ``grad[models]`` (the skip weights'
        gradient first, as the single network computes it)."""
        if self.skip is not None:
            self.skip.backward(d_raw, caches[-1], models, need_dx=False)
        dout = d_raw
        first = self._first_learnable
        for i in range(len(self.layers) - 1, first - 1, -1):
            dout = self.layers[i].backward(dout, caches[i], models, i > first)

    def loss_and_gradient(self, X, Y, sample_weight, scale, models: slice, rngs):
        """Training pass of the models ``models`` on their batches.

        ``X``, ``Y`` (and ``sample_weight``) hold one batch per model, or one
        batch shared by all (2-D ``X`` / ``Y``, 1-D weights) whose noise and
        dropout masks come from the single generator in ``rngs``. Returns
        each model's ``sum_i s_i l_i`` (float64 ``(G,)``) and fills
        ``grad[models]`` with the gradient of ``scale * sum_i s_i l_i``.
        """
        raw, caches = self.forward(X, models, training=True, rngs=rngs)
        if Y.ndim == 2:  # one batch shared by twins
            Y = np.broadcast_to(Y, raw.shape)
            if sample_weight is not None:
                sample_weight = np.broadcast_to(sample_weight, raw.shape[:2])
        d_raw = self._d_raw.get(raw.shape[0], raw.shape[1])
        losses, _ = self.loss.value_and_gradient(Y, raw, sample_weight, scale, d_raw)
        self.backward(d_raw, caches, models)
        return losses

    def predict(self, X, models: slice, link: bool = True) -> np.ndarray:
        """Inference-mode predictions, a new ``(G, n, k)`` array: linked, or
        the raw outputs with ``link=False``."""
        raw, _ = self.forward(X, models, training=False)
        raw = np.array(raw, copy=True)
        return self.loss.link(raw) if link else raw
