"""Stacked versions of the core layers: one layer object serves M models.

A stacked layer holds the parameters of M models of one architecture as
arrays with a leading model axis (weights ``(M, n_in, n_out)``, vectors
``(M, 1, n)``, views of the rows of one ``(M, n_params)`` matrix bound by
:class:`~skreg._core.stacked.StackedNetwork`). Activations carry the model
axis too: a minibatch of ``G`` models is ``(G, n_rows, n_units)``.

``forward(X, models, training, rngs)`` and ``backward(dout, cache, models,
need_dx)`` act on the models ``models`` (a slice of the stack); ``rngs`` holds
one generator per model of that slice. Every operation is the single layer's
operation (:mod:`skreg._core.layers`, :mod:`skreg._core.regularization_layers`)
applied per model, in the same order and with the same dtypes: per-slice BLAS
calls (``np.matmul`` on 3-D arrays calls the same gemm/gemv per model as
``np.dot`` on 2-D ones) and element-wise ufuncs, so a model's numbers are the
ones the single layer computes. A sparse input is a list of CSR matrices, one
per model, multiplied model by model as the single layer does.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .layers import Activation, Dense, Layer, Linear
from .regularization_layers import BatchNorm, Dropout, GaussianNoise


class StackedBuffer:
    """A growable flat buffer handing out C-contiguous ``(G, n, cols)`` views."""

    def __init__(self, n_cols: int, dtype):
        self.n_cols = n_cols
        self.dtype = np.dtype(dtype)
        self._buf = np.empty(0, dtype=self.dtype)

    def get(self, n_models: int, n_rows: int) -> np.ndarray:
        size = n_models * n_rows * self.n_cols
        if size > self._buf.size:
            self._buf = np.empty(size, dtype=self.dtype)
        return self._buf[:size].reshape(n_models, n_rows, self.n_cols)


def _ones(dtype, n_rows: int) -> np.ndarray:
    """A ``(1, 1, n_rows)`` row of ones: column sums by per-model gemv."""
    return np.ones((1, 1, n_rows), dtype=dtype)


class StackedLayer:
    """Base: no parameters, no buffers; ``layer`` is the single template."""

    min_batch_rows = 1

    def __init__(self, layer: Layer, dtype):
        self.layer = layer
        self.dtype = np.dtype(dtype)

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]):
        """Use the stacked views ``params`` / ``grads`` as storage."""
        for name, view in params.items():
            setattr(self, name, view)
            setattr(self, "d" + name, grads[name])

    def buffers(self) -> dict[str, np.ndarray]:
        """Stacked non-learnable state, ``(M, 1, n)`` per buffer."""
        return {}

    def take_models(self, keep: np.ndarray) -> None:
        """Keep only the buffers of the models ``keep`` (in that order)."""
        for name, buf in self.buffers().items():
            setattr(self, name, buf[keep])

    def row_floats(self) -> int:
        """Scratch floats this layer allocates per model and per batch row."""
        return 0

    def backward(self, dout, cache, models: slice, need_dx: bool = True):
        return dout


class StackedLinear(StackedLayer):
    """``out = X @ W`` per model (the skip connection); a 2-D ``X`` is shared
    by all models."""

    def __init__(self, layer: Linear, dtype):
        super().__init__(layer, dtype)
        self.n_in, self.n_out = layer.n_in, layer.n_out
        self._out = StackedBuffer(self.n_out, dtype)
        self._dx = StackedBuffer(self.n_in, dtype)

    def row_floats(self):
        return self.n_in + self.n_out

    def forward(self, X, models: slice, training=False, rngs=None):
        W = self.W[models]
        n_rows = X[0].shape[0] if isinstance(X, list) else X.shape[-2]
        out = self._out.get(W.shape[0], n_rows)
        if isinstance(X, np.ndarray):
            np.matmul(X, W, out=out)
        elif isinstance(X, list):  # one sparse matrix per model
            for g, Xg in enumerate(X):
                out[g] = Xg @ W[g]
        else:  # one sparse matrix shared by all models: one product
            n_models = W.shape[0]
            wide = W.transpose(1, 0, 2).reshape(self.n_in, n_models * self.n_out)
            product = np.asarray(X @ wide).reshape(n_rows, n_models, self.n_out)
            out[...] = product.transpose(1, 0, 2)
        return out, X

    def backward(self, dout, cache, models: slice, need_dx=True):
        X = cache
        dW = self.dW[models]
        if isinstance(X, np.ndarray):  # (G, n, n_in), or (n, n_in) shared
            np.matmul(np.swapaxes(X, -1, -2), dout, out=dW)
        elif isinstance(X, list):
            for g, Xg in enumerate(X):
                dW[g] = Xg.T @ dout[g]
        else:  # one sparse matrix shared by all models
            XT = X.T
            for g in range(dW.shape[0]):
                dW[g] = XT @ dout[g]
        if not need_dx:
            return None
        dx = self._dx.get(dout.shape[0], dout.shape[1])
        W = self.W[models]
        if self.n_out == 1:
            # An outer product: NumPy's 3-D matmul (gemm with k = 1) and a
            # broadcast multiplication both take ~2-3x as long per model as
            # the single layer's 2-D np.dot, so call that per model.
            for g in range(dx.shape[0]):
                np.dot(dout[g], W[g].T, out=dx[g])
            return dx
        return np.matmul(dout, W.transpose(0, 2, 1), out=dx)


class StackedDense(StackedLinear):
    """``out = X @ W + b`` per model; a 2-D ``X`` is shared by all models."""

    def __init__(self, layer: Dense, dtype):
        super().__init__(layer, dtype)
        self._ones = _ones(dtype, 0)

    def forward(self, X, models: slice, training=False, rngs=None):
        out, X = super().forward(X, models, training, rngs)
        out += self.b[models]
        return out, X

    def backward(self, dout, cache, models: slice, need_dx=True):
        n_rows = dout.shape[1]
        if self._ones.shape[2] != n_rows:
            self._ones = _ones(self.dtype, n_rows)
        np.matmul(self._ones, dout, out=self.db[models])
        return super().backward(dout, cache, models, need_dx)


class StackedActivation(StackedLayer):
    """Element-wise activation in place (the single layer's functions)."""

    def __init__(self, layer: Activation, dtype):
        super().__init__(layer, dtype)
        self._fn = ACTIVATIONS[layer.name]

    def forward(self, X, models: slice, training=False, rngs=None):
        out = self._fn.forward(X)
        return out, out

    def backward(self, dout, cache, models: slice, need_dx=True):
        return self._fn.backward(cache, dout)


class StackedDropout(StackedLayer):
    """Inverted dropout; each model's keep mask comes from its own generator
    through the single layer's ``keep_mask`` (same draws, same mask)."""

    def __init__(self, layer: Dropout, dtype):
        super().__init__(layer, dtype)
        self.p = layer.p
        self.n_units = layer.n_units
        self._keep = StackedBuffer(self.n_units, np.bool_)
        self._scaled = StackedBuffer(self.n_units, dtype)
        self._out = StackedBuffer(self.n_units, dtype)

    def row_floats(self):
        return 2 * self.n_units + self.n_units // self.dtype.itemsize + 1

    def forward(self, X, models: slice, training=False, rngs=None):
        if not training or self.p == 0.0:
            return X, None
        n_models, n_rows = X.shape[0], X.shape[1]
        # Twins (one generator for all models) share one mask.
        n_masks = len(rngs)
        keep = self._keep.get(n_masks, n_rows)
        for g, rng in enumerate(rngs):
            keep[g] = self.layer.keep_mask(rng, n_rows)
        scaled = np.multiply(
            keep,
            self.dtype.type(1.0 / (1.0 - self.p)),
            out=self._scaled.get(n_masks, n_rows),
        )
        out = np.multiply(X, scaled, out=self._out.get(n_models, n_rows))
        return out, scaled

    def backward(self, dout, cache, models: slice, need_dx=True):
        if cache is not None:
            dout *= cache
        return dout


class StackedGaussianNoise(StackedLayer):
    """Additive input noise; each model draws from its own generator."""

    def __init__(self, layer: GaussianNoise, dtype):
        super().__init__(layer, dtype)
        self.sigma = layer.sigma
        self.n_units = layer.n_units
        self._out = StackedBuffer(self.n_units, dtype)

    def row_floats(self):
        return self.n_units

    def forward(self, X, models: slice, training=False, rngs=None):
        if not training or self.sigma == 0.0:
            return X, None
        per_model = isinstance(X, list) or (isinstance(X, np.ndarray) and X.ndim == 3)
        n_rows = X[0].shape[0] if isinstance(X, list) else X.shape[-2]
        out = self._out.get(len(rngs), n_rows)
        for g, rng in enumerate(rngs):
            rng.standard_normal(out=out[g], dtype=self.dtype)
        out *= self.sigma
        if not per_model:  # one input shared by twins: one noisy input
            out = out[0]
            out += X if isinstance(X, np.ndarray) else X.toarray()
        elif isinstance(X, list):
            for g, Xg in enumerate(X):
                out[g] += Xg.toarray()
        else:
            out += X
        return out, None


class StackedBatchNorm(StackedLayer):
    """Batch normalization per model over its own batch rows; running
    statistics ``(M, 1, n_units)`` with the single layer's momentum."""

    min_batch_rows = 2

    def __init__(self, layer: BatchNorm, dtype):
        super().__init__(layer, dtype)
        self.n_units = layer.n_units
        self.momentum = layer.momentum
        self.eps = layer.eps
        self._out = StackedBuffer(self.n_units, dtype)
        self._ones = _ones(dtype, 0)
        self.running_mean = np.zeros((0, 1, self.n_units), dtype=dtype)
        self.running_var = np.ones((0, 1, self.n_units), dtype=dtype)

    def allocate_buffers(self, n_models: int) -> None:
        shape = (n_models, 1, self.n_units)
        self.running_mean = np.zeros(shape, dtype=self.dtype)
        self.running_var = np.ones(shape, dtype=self.dtype)

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def row_floats(self):
        return self.n_units

    def _ones_row(self, n_rows: int) -> np.ndarray:
        if self._ones.shape[2] != n_rows:
            self._ones = _ones(self.dtype, n_rows)
        return self._ones

    def forward(self, X, models: slice, training=False, rngs=None):
        n_models, n_rows = X.shape[0], X.shape[1]
        out = self._out.get(n_models, n_rows)
        gamma, beta = self.gamma[models], self.beta[models]
        if not training:
            inv_std = 1.0 / np.sqrt(self.running_var[models] + self.eps)
            np.subtract(X, self.running_mean[models], out=out)
            out *= inv_std * gamma
            out += beta
            return out, None
        if n_rows < 2:
            raise ValueError(
                "Batch normalization needs at least 2 samples per training batch "
                f"to estimate a variance; got n_samples = {n_rows}."
            )
        mean = np.matmul(self._ones_row(n_rows), X)
        mean /= n_rows
        X -= mean
        var = np.einsum("gij,gij->gj", X, X)[:, None, :]
        var /= n_rows
        inv_std = 1.0 / np.sqrt(var + self.eps)
        np.multiply(X, gamma * inv_std, out=out)
        out += beta
        m = self.momentum
        running_mean, running_var = self.running_mean[models], self.running_var[models]
        running_mean *= 1.0 - m
        running_mean += m * mean
        running_var *= 1.0 - m
        running_var += m * var
        return out, (X, inv_std)

    def backward(self, dout, cache, models: slice, need_dx=True):
        Xc, inv_std = cache
        n_rows = dout.shape[1]
        dbeta, dgamma = self.dbeta[models], self.dgamma[models]
        np.matmul(self._ones_row(n_rows), dout, out=dbeta)
        np.einsum("gij,gij->gj", dout, Xc, out=dgamma[:, 0, :])
        Xc *= dgamma * (inv_std * inv_std / n_rows)
        dgamma *= inv_std
        dX = dout
        dX -= Xc
        dX -= dbeta / n_rows
        dX *= self.gamma[models] * inv_std
        return dX


STACKED_LAYERS: dict[type, type[StackedLayer]] = {
    Linear: StackedLinear,
    Dense: StackedDense,
    Activation: StackedActivation,
    Dropout: StackedDropout,
    GaussianNoise: StackedGaussianNoise,
    BatchNorm: StackedBatchNorm,
}


def stacked_layer(layer: Layer, dtype) -> StackedLayer:
    """The stacked counterpart of a single layer (``STACKED_LAYERS``)."""
    try:
        cls = STACKED_LAYERS[type(layer)]
    except KeyError:
        raise TypeError(
            f"The batched engine has no stacked version of {type(layer).__name__}; "
            f"supported layers: {', '.join(t.__name__ for t in STACKED_LAYERS)}."
        ) from None
    return cls(layer, dtype)
