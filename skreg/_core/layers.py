"""Dense and activation layers.

The layer contract, shared by every layer of the core:

* ``param_specs()`` lists ``(name, shape, penalized)`` for each learnable array;
  a network binds them to views of one flat parameter buffer (``bind``);
  a standalone layer owns its arrays.
* ``forward(X, training, rng) -> (out, cache)`` and
  ``backward(dout, cache, need_dx=True) -> (dX, grads)``; ``grads`` are written
  into the bound gradient arrays and returned in ``param_specs`` order.
* Output buffers are preallocated and reused between calls of the same or a
  smaller batch size, so an ``out`` or ``cache`` is valid until the next call.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS


class Workspace:
    """A growable 2-D buffer: ``get(m)`` returns a view of the first ``m`` rows."""

    def __init__(self, n_cols: int, dtype: np.dtype):
        self.n_cols = n_cols
        self.dtype = np.dtype(dtype)
        self._buf = np.empty((0, n_cols), dtype=self.dtype)

    def get(self, n_rows: int) -> np.ndarray:
        if n_rows > self._buf.shape[0]:
            self._buf = np.empty((n_rows, self.n_cols), dtype=self.dtype)
        return self._buf[:n_rows]

    def __getstate__(self):
        # Buffers are scratch space: never pickle their contents.
        return {"n_cols": self.n_cols, "dtype": self.dtype}

    def __setstate__(self, state):
        self.__init__(state["n_cols"], state["dtype"])


class Ones(Workspace):
    """A growable column of ones (for column sums by matrix-vector product)."""

    def __init__(self, dtype):
        super().__init__(1, dtype)

    def get(self, n_rows: int) -> np.ndarray:
        if n_rows > self._buf.shape[0]:
            self._buf = np.ones((n_rows, 1), dtype=self.dtype)
        return self._buf[:n_rows]

    def __setstate__(self, state):
        self.__init__(state["dtype"])


class Layer:
    """Base layer: no parameters, no buffers."""

    def param_specs(self) -> list[tuple[str, tuple[int, ...], bool]]:
        return []

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]):
        """Use ``params`` / ``grads`` as storage, keeping the current values."""
        for name, _, _ in self.param_specs():
            current = getattr(self, name, None)
            if current is not None:
                params[name][...] = current
            setattr(self, name, params[name])
            setattr(self, "d" + name, grads[name])

    def _own_params(self, dtype):
        specs = self.param_specs()
        self.bind(
            {n: np.zeros(s, dtype=dtype) for n, s, _ in specs},
            {n: np.zeros(s, dtype=dtype) for n, s, _ in specs},
        )

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-learnable state (e.g. running statistics)."""
        return {}


class Linear(Layer):
    """Linear map ``out = X @ W`` (no bias); ``X`` may be a scipy sparse matrix.

    Alone it is the skip connection from the inputs to the outputs; ``Dense``
    adds the bias.
    """

    def __init__(self, n_in: int, n_out: int, dtype=np.float64):
        self.n_in, self.n_out = n_in, n_out
        self._own_params(dtype)
        self._out = Workspace(n_out, dtype)
        self._dx = Workspace(n_in, dtype)

    def param_specs(self):
        return [("W", (self.n_in, self.n_out), True)]

    def forward(self, X, training=False, rng=None):
        out = self._out.get(X.shape[0])
        if isinstance(X, np.ndarray):
            np.dot(X, self.W, out=out)
        else:  # scipy sparse
            out[...] = X @ self.W
        return out, X

    def backward(self, dout, cache, need_dx=True):
        X = cache
        if isinstance(X, np.ndarray):
            np.dot(X.T, dout, out=self.dW)
        else:  # scipy sparse
            self.dW[...] = X.T @ dout
        dX = None
        if need_dx:
            dX = np.dot(dout, self.W.T, out=self._dx.get(dout.shape[0]))
        return dX, (self.dW,)


class Dense(Linear):
    """Affine layer ``out = X @ W + b``; ``X`` may be a scipy sparse matrix."""

    def __init__(self, n_in: int, n_out: int, dtype=np.float64):
        super().__init__(n_in, n_out, dtype)
        self._ones = Ones(dtype)

    def param_specs(self):
        return [*super().param_specs(), ("b", (self.n_out,), False)]

    def forward(self, X, training=False, rng=None):
        out, X = super().forward(X)
        out += self.b
        return out, X

    def backward(self, dout, cache, need_dx=True):
        dX, (dW,) = super().backward(dout, cache, need_dx)
        # Column sums as a BLAS matrix-vector product: cheaper than a NumPy
        # reduction for minibatch-sized arrays.
        np.dot(self._ones.get(dout.shape[0])[:, 0], dout, out=self.db)
        return dX, (dW, self.db)


class Activation(Layer):
    """Element-wise activation, computed in place on its input."""

    def __init__(self, name: str):
        self.name = name
        self._fn = ACTIVATIONS[name]

    def forward(self, X, training=False, rng=None):
        out = self._fn.forward(X)
        return out, out

    def backward(self, dout, cache, need_dx=True):
        return self._fn.backward(cache, dout), ()

    def __getstate__(self):
        return {"name": self.name}

    def __setstate__(self, state):
        self.__init__(state["name"])
