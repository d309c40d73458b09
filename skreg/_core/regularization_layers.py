"""Layers that regularize: inverted dropout, batch normalization, input noise.

All three behave differently in training and in inference; the mode and the
random generator are always passed in by the caller.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer, Ones, Workspace


class Dropout(Layer):
    """Inverted dropout with drop probability ``p``.

    In training each unit is kept with probability ``1 - p`` and kept units
    are scaled by ``1 / (1 - p)``, so inference is the identity. The training
    cache is the scaled keep mask (``0`` or ``1 / (1 - p)`` per entry), so the
    backward pass is one multiplication.

    Keep decisions compare 32-bit random integers with ``round(p * 2**32)``:
    the realized drop probability is within ``2**-33`` of ``p`` (closer than
    float32 uniforms, whose grid is ``2**-24``), and taking two integers from
    each raw 64-bit draw of the generator costs ~0.6x of drawing float32
    uniforms (measured on 256x256 masks).
    """

    def __init__(self, p: float, n_units: int, dtype=np.float64):
        self.p = float(p)
        self.n_units = n_units
        self.dtype = np.dtype(dtype)
        self._keep = Workspace(n_units, np.bool_)
        self._scaled = Workspace(n_units, dtype)
        self._out = Workspace(n_units, dtype)

    @property
    def _threshold(self) -> np.uint32:
        return np.uint32(min(round(self.p * 2.0**32), 2**32 - 1))

    def keep_mask(self, rng: np.random.Generator, n_rows: int) -> np.ndarray:
        """A boolean ``(n_rows, n_units)`` keep mask drawn from ``rng``."""
        size = n_rows * self.n_units
        keep = self._keep.get(n_rows)
        if isinstance(rng.bit_generator, _FULL_64_BIT_GENERATORS):
            raw = rng.bit_generator.random_raw((size + 1) // 2)
            bits = raw.view(np.uint32)[:size].reshape(n_rows, self.n_units)
            return np.greater_equal(bits, self._threshold, out=keep)
        # Generators whose raw output is not 64 random bits (e.g. MT19937).
        uniform = rng.random((n_rows, self.n_units), dtype=np.float32)
        return np.greater_equal(uniform, np.float32(self.p), out=keep)

    def forward(self, X, training=False, rng=None):
        if not training or self.p == 0.0:
            return X, None
        return self.forward_with_mask(X, self.keep_mask(rng, X.shape[0]))

    def forward_with_mask(self, X, keep):
        """Training-mode forward with a given boolean keep mask."""
        scaled = np.multiply(
            keep, self.dtype.type(1.0 / (1.0 - self.p)), out=self._scaled.get(len(X))
        )
        return np.multiply(X, scaled, out=self._out.get(len(X))), scaled

    def backward(self, dout, cache, need_dx=True):
        if cache is not None:
            dout *= cache
        return dout, ()


_FULL_64_BIT_GENERATORS = (
    np.random.PCG64,
    np.random.PCG64DXSM,
    np.random.SFC64,
    np.random.Philox,
)


class BatchNorm(Layer):
    """Batch normalization of each unit over the batch.

    Training: ``(X - mean) / sqrt(var + eps) * gamma + beta`` with the batch
    mean and the biased batch variance; the running statistics are updated as
    ``running = (1 - momentum) * running + momentum * batch`` (PyTorch's
    convention, momentum 0.1; Keras's ``momentum=0.99`` is ``1 - momentum``).
    Inference uses the running statistics. ``gamma`` and ``beta`` are learned
    and never penalized; the running statistics are buffers, not parameters.
    """

    def __init__(
        self, n_units: int, momentum: float = 0.1, eps: float = 1e-5, dtype=np.float64
    ):
        self.n_units = n_units
        self.momentum = float(momentum)
        self.eps = float(eps)
        self._own_params(dtype)
        self.gamma[...] = 1.0
        self.running_mean = np.zeros(n_units, dtype=dtype)
        self.running_var = np.ones(n_units, dtype=dtype)
        self._out = Workspace(n_units, dtype)
        self._ones = Ones(dtype)

    def param_specs(self):
        return [("gamma", (self.n_units,), False), ("beta", (self.n_units,), False)]

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, X, training=False, rng=None):
        out = self._out.get(X.shape[0])
        if not training:
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
            np.subtract(X, self.running_mean, out=out)
            out *= inv_std * self.gamma
            out += self.beta
            return out, None
        if X.shape[0] < 2:
            raise ValueError(
                "Batch normalization needs at least 2 samples per training batch "
                f"to estimate a variance; got n_samples = {X.shape[0]}."
            )
        n = X.shape[0]
        ones = self._ones.get(n)[:, 0]
        # Column sums as BLAS matrix-vector products (cheaper than reductions).
        mean = np.dot(ones, X)
        mean /= n
        X -= mean  # the dense layer's output buffer is ours to overwrite
        var = np.einsum("ij,ij->j", X, X)
        var /= n
        inv_std = 1.0 / np.sqrt(var + self.eps)
        # out = x_hat * gamma + beta with x_hat = X_centered * inv_std, in
        # two passes; x_hat itself is never materialized.
        np.multiply(X, self.gamma * inv_std, out=out)
        out += self.beta
        m = self.momentum
        self.running_mean *= 1.0 - m
        self.running_mean += m * mean
        self.running_var *= 1.0 - m
        self.running_var += m * var
        return out, (X, inv_std)

    def backward(self, dout, cache, need_dx=True):
        # With x_hat = Xc * inv_std and column sums S_d = sum(dout),
        # S_x = sum(dout * Xc):  dbeta = S_d,  dgamma = inv_std * S_x,
        # dX = gamma * inv_std * (dout - S_d / n - Xc * inv_std**2 * S_x / n).
        Xc, inv_std = cache
        n = dout.shape[0]
        np.dot(self._ones.get(n)[:, 0], dout, out=self.dbeta)
        np.einsum("ij,ij->j", dout, Xc, out=self.dgamma)
        # Xc (the dense layer's output buffer) is not needed after this.
        Xc *= self.dgamma * (inv_std * inv_std / n)
        self.dgamma *= inv_std
        dX = dout
        dX -= Xc
        dX -= self.dbeta / n
        dX *= self.gamma * inv_std
        return dX, (self.dgamma, self.dbeta)


class GaussianNoise(Layer):
    """Additive Gaussian noise with standard deviation ``sigma``, training only."""

    def __init__(self, sigma: float, n_units: int, dtype=np.float64):
        self.sigma = float(sigma)
        self.n_units = n_units
        self.dtype = np.dtype(dtype)
        self._out = Workspace(n_units, dtype)

    def forward(self, X, training=False, rng=None):
        if not training or self.sigma == 0.0:
            return X, None
        out = self._out.get(X.shape[0])
        rng.standard_normal(out=out, dtype=self.dtype)
        out *= self.sigma
        out += X.toarray() if hasattr(X, "toarray") else X
        return out, None

    def backward(self, dout, cache, need_dx=True):
        return dout, ()
