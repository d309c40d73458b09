"""Layers that regularize: inverted dropout, batch normalization, input noise.

All three behave differently in training and in inference; the mode and the
random generator are always passed in by the caller.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer, Workspace


class Dropout(Layer):
    """Inverted dropout with drop probability ``p``.

    In training each unit is kept with probability ``1 - p`` and kept units
    are scaled by ``1 / (1 - p)``, so inference is the identity.
    """

    def __init__(self, p: float, n_units: int, dtype=np.float64):
        self.p = float(p)
        self.n_units = n_units
        self.dtype = np.dtype(dtype)
        # Masks only compare uniforms with p: float32 draws are enough, and
        # about twice as fast as float64 ones.
        self._uniform = Workspace(n_units, np.float32)
        self._mask = Workspace(n_units, np.bool_)
        self._out = Workspace(n_units, dtype)

    def forward(self, X, training=False, rng=None):
        if not training or self.p == 0.0:
            return X, None
        m = X.shape[0]
        uniform = self._uniform.get(m)
        rng.random(out=uniform, dtype=np.float32)
        mask = np.greater_equal(uniform, self.p, out=self._mask.get(m))
        out = np.multiply(X, mask, out=self._out.get(m))
        out *= 1.0 / (1.0 - self.p)
        return out, mask

    def forward_with_mask(self, X, mask):
        """Training-mode forward with a given boolean keep-mask (for tests)."""
        return X * mask / (1.0 - self.p), mask

    def backward(self, dout, cache, need_dx=True):
        if cache is None:
            return dout, ()
        dout *= cache
        dout *= 1.0 / (1.0 - self.p)
        return dout, ()


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
        mean = X.mean(axis=0)
        X -= mean  # the dense layer's output buffer is ours to overwrite
        var = np.einsum("ij,ij->j", X, X) / X.shape[0]
        inv_std = 1.0 / np.sqrt(var + self.eps)
        X *= inv_std  # X now holds x_hat
        np.multiply(X, self.gamma, out=out)
        out += self.beta
        m = self.momentum
        self.running_mean *= 1.0 - m
        self.running_mean += m * mean
        self.running_var *= 1.0 - m
        self.running_var += m * var
        return out, (X, inv_std)

    def backward(self, dout, cache, need_dx=True):
        x_hat, inv_std = cache
        n = dout.shape[0]
        np.sum(dout, axis=0, out=self.dbeta)
        np.einsum("ij,ij->j", dout, x_hat, out=self.dgamma)
        # dX = gamma * inv_std / n * (n * dout - sum(dout) - x_hat * sum(dout * x_hat))
        dX = dout
        dX *= n
        dX -= self.dbeta
        dX -= x_hat * self.dgamma
        dX *= self.gamma * inv_std / n
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
