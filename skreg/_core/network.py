"""A feed-forward network: a list of layers, one flat parameter buffer, a loss.

An optional skip connection is a bias-free linear map from the first dense
layer's input (the inputs, after input noise) straight to the raw output,
added to the last layer's output; its weights follow the first layer's in
``theta``, so each input's first-layer row and skip row are one input group.

All learnable arrays are views into one contiguous vector ``theta`` (and their
gradients into ``grad``), laid out with every penalized array (the dense weight
matrices) first, so an optimizer step on ``theta`` and a penalty step on
``theta[:n_penalized]`` cost a handful of vector operations whatever the depth
of the network. ``params`` exposes the two parts of ``theta`` as a list.
"""

from __future__ import annotations

import numpy as np

from .init import glorot_uniform
from .layers import Dense, Layer, Linear, Workspace
from .losses import Loss
from .regularization_layers import Dropout


class Network:
    """Layers applied in order, followed by ``loss`` (which owns the output link)."""

    def __init__(
        self,
        layers: list[Layer],
        loss: Loss,
        dtype=np.float64,
        skip: Linear | None = None,
    ):
        self.layers = layers
        self.loss = loss
        self.dtype = np.dtype(dtype)
        self.skip = skip
        ordered = self._ordered_specs()
        self.n_penalized = sum(
            int(np.prod(shape)) for _, (_, shape, pen) in ordered if pen
        )
        n_params = sum(int(np.prod(shape)) for _, (_, shape, _) in ordered)
        self.theta = np.zeros(n_params, dtype=self.dtype)
        self.grad = np.zeros_like(self.theta)
        self._bind_layers()
        self.dense = [layer for layer in layers if isinstance(layer, Dense)]
        self._skip_input = layers.index(self.dense[0])
        self._first_learnable = next(
            i for i, layer in enumerate(layers) if layer.param_specs()
        )
        self._d_raw = Workspace(self.dense[-1].n_out, self.dtype)

    def _ordered_specs(self) -> list:
        """``(layer, (name, shape, penalized))``, penalized arrays first, the
        skip weights right after the first layer's."""
        specs = [(lay, spec) for lay in self.layers for spec in lay.param_specs()]
        if self.skip is not None:
            specs[1:1] = [(self.skip, spec) for spec in self.skip.param_specs()]
        return [s for s in specs if s[1][2]] + [s for s in specs if not s[1][2]]

    @property
    def learnable(self) -> list[Layer]:
        """Every layer with parameters, the skip connection included."""
        layers = [layer for layer in self.layers if layer.param_specs()]
        return layers + ([self.skip] if self.skip is not None else [])

    @property
    def input_groups(self) -> dict:
        """The layout of the input groups at the start of ``theta``: the first
        layer's ``(n_features, n_units)`` and the skip's width (0 without)."""
        skip_width = 0 if self.skip is None else self.skip.n_out
        return {"first_layer_shape": self.dense[0].W.shape, "skip_width": skip_width}

    def _bind_layers(self) -> None:
        """Make every layer's parameters views of ``theta`` (and ``grad``)."""
        bindings = {id(layer): ({}, {}) for layer in self.learnable}
        start = 0
        for layer, (name, shape, _) in self._ordered_specs():
            size = int(np.prod(shape))
            p, g = bindings[id(layer)]
            p[name] = self.theta[start : start + size].reshape(shape)
            g[name] = self.grad[start : start + size].reshape(shape)
            start += size
        for layer in self.learnable:
            layer.bind(*bindings[id(layer)])

    def __setstate__(self, state):
        # Pickling turns the layers' views into separate arrays: rebind them.
        self.__dict__.update(state)
        self._bind_layers()

    # -- parameters ---------------------------------------------------------
    @property
    def params(self) -> list[np.ndarray]:
        """``[penalized weights, everything else]``, views of ``theta``."""
        return [self.theta[: self.n_penalized], self.theta[self.n_penalized :]]

    @property
    def coefs(self) -> list[np.ndarray]:
        return [layer.W for layer in self.dense]

    @property
    def intercepts(self) -> list[np.ndarray]:
        return [layer.b for layer in self.dense]

    def initialize(self, rng: np.random.Generator, activation: str) -> None:
        """Glorot-uniform weights and biases, layer by layer (W then b)."""
        for layer in self.dense:
            W, b = glorot_uniform(layer.n_in, layer.n_out, rng, self.dtype, activation)
            layer.W[...] = W
            layer.b[...] = b
        if self.skip is not None:  # the network starts as the plain MLP
            self.skip.W[...] = 0.0

    def state(self) -> dict[str, np.ndarray]:
        """A copy of every parameter and buffer (for best-weight snapshots)."""
        out = {"theta": self.theta.copy()}
        for i, layer in enumerate(self.layers):
            for name, buf in layer.buffers().items():
                out[f"{i}.{name}"] = buf.copy()
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.theta[...] = state["theta"]
        for i, layer in enumerate(self.layers):
            for name, buf in layer.buffers().items():
                buf[...] = state[f"{i}.{name}"]

    # -- passes ---------------------------------------------------------------
    def forward(self, X, training: bool = False, rng=None, mc_dropout: bool = False):
        """Raw output (before the loss's link) and the per-layer caches.

        ``mc_dropout`` keeps dropout stochastic while everything else is in
        inference mode (Monte Carlo dropout); it needs ``rng``.
        """
        caches = []
        out = X
        for i, layer in enumerate(self.layers):
            if i == self._skip_input:
                skip_input = out
            mode = training or (mc_dropout and isinstance(layer, Dropout))
            out, cache = layer.forward(out, mode, rng)
            caches.append(cache)
        if self.skip is not None:
            skip_out, cache = self.skip.forward(skip_input)
            out += skip_out
            caches.append(cache)
        return out, caches

    def backward(self, d_raw: np.ndarray, caches: list) -> None:
        """Back-propagate ``d_raw`` and fill ``grad``; no gradient for the input."""
        if self.skip is not None:
            self.skip.backward(d_raw, caches[-1], need_dx=False)
        dout = d_raw
        first = self._first_learnable
        for i in range(len(self.layers) - 1, first - 1, -1):
            dout, _ = self.layers[i].backward(dout, caches[i], need_dx=i > first)

    def loss_and_gradient(self, X, y, sample_weight, scale: float, rng=None) -> float:
        """Training pass on one batch.

        Returns ``sum_i s_i l_i`` and fills ``grad`` with the gradient of
        ``scale * sum_i s_i l_i`` (the data term only; penalties are separate).
        """
        raw, caches = self.forward(X, training=True, rng=rng)
        d_raw = self._d_raw.get(raw.shape[0])
        loss, _ = self.loss.value_and_gradient(y, raw, sample_weight, scale, d_raw)
        self.backward(d_raw, caches)
        return loss

    @property
    def batch_norm_layers(self) -> list[Layer]:
        """The layers with running statistics (batch norm), in order."""
        return [layer for layer in self.layers if layer.buffers()]

    def calibrate_running_stats(self, X) -> None:
        """Set running statistics to the statistics of ``X`` (one full batch)."""
        layers = self.batch_norm_layers
        if not layers:  # nothing to calibrate: skip the full-data forward pass
            return
        momenta = [layer.momentum for layer in layers]
        for layer in layers:
            layer.momentum = 1.0
        try:
            self.forward(X, training=True)
        finally:
            for layer, momentum in zip(layers, momenta):
                layer.momentum = momentum

    def predict(
        self, X, chunk_size: int | None = None, rng=None, mc_dropout: bool = False
    ) -> np.ndarray:
        """Inference-mode prediction (link applied), computed in row chunks.

        With ``mc_dropout``, one Monte Carlo dropout draw (see ``forward``).
        """
        n = X.shape[0]
        chunk_size = n if chunk_size is None else max(1, chunk_size)
        out = np.empty((n, self.dense[-1].n_out), dtype=self.dtype)
        for start in range(0, n, chunk_size):
            stop = min(start + chunk_size, n)
            raw, _ = self.forward(X[start:stop], rng=rng, mc_dropout=mc_dropout)
            out[start:stop] = raw
        return self.loss.link(out)
