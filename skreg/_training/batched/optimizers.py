"""Adam and SGD for a stack of models: one state row per model.

The updates are :mod:`skreg._training.optimizers`' on the rows ``a:b`` of
``(M, n_params)`` matrices, with each model's own step count (Adam) or
learning rate (SGD). Per-model constants are computed with the single
optimizer's scalar arithmetic and enter the array operations with the single
optimizer's dtypes (a NumPy float64 scalar there is a float64 column here; a
Python float there, which NumPy applies in the weights' dtype, is a column in
the weights' dtype here), so every model takes its single optimizer's step
exactly. When the models of a step agree (the common case), the very scalar
the single optimizer would use is passed instead of a column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..optimizers import adam_update


@dataclass(frozen=True)
class AdamSettings:
    """The arguments of :class:`skreg._training.optimizers.Adam`."""

    learning_rate_init: float = 0.001
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8

    def make(self, n_models: int, n_params: int, dtype) -> StackedAdam:
        return StackedAdam(self, n_models, n_params, dtype)


@dataclass(frozen=True)
class SGDSettings:
    """The arguments of :class:`skreg._training.optimizers.SGD`."""

    learning_rate_init: float = 0.1
    lr_schedule: str = "constant"
    momentum: float = 0.9
    nesterov: bool = True
    power_t: float = 0.5

    def make(self, n_models: int, n_params: int, dtype) -> StackedSGD:
        return StackedSGD(self, n_models, n_params, dtype)


def _per_model(values: np.ndarray, dtype):
    """The shared value as a scalar when all models agree, else a ``(G, 1)``
    column of ``dtype``."""
    first = values[0]
    if (values == first).all():
        return first
    return values[:, None].astype(dtype)


class _StackedOptimizer:
    """Per-model state rows; subclasses list them in ``_state_names``."""

    _state_names: tuple[str, ...] = ()
    per_coordinate = False

    def take_models(self, keep: np.ndarray) -> None:
        """Keep only the models ``keep`` (in that order)."""
        for name in self._state_names:
            setattr(self, name, getattr(self, name)[keep])


class StackedAdam(_StackedOptimizer):
    """Adam with one step count per model (models skip steps on epochs where
    they have fewer minibatches, and stop at different epochs)."""

    _state_names = ("t", "ms", "vs", "_denom", "_update")
    per_coordinate = True

    def __init__(self, settings: AdamSettings, n_models: int, n_params: int, dtype):
        self.learning_rate_init = float(settings.learning_rate_init)
        self.beta_1, self.beta_2 = settings.beta_1, settings.beta_2
        self.epsilon = settings.epsilon
        self.dtype = np.dtype(dtype)
        self.t = np.zeros(n_models, dtype=np.int64)
        shape = (n_models, n_params)
        self.ms, self.vs = np.zeros(shape, dtype), np.zeros(shape, dtype)
        self._denom, self._update = np.zeros(shape, dtype), np.zeros(shape, dtype)
        self._constants: dict[int, tuple] = {}

    def _step_constants(self, t: int) -> tuple:
        """``(1 / scale**2, eps / scale, prox coefficient)`` at step ``t``,
        computed as the single Adam computes them."""
        if t not in self._constants:
            b1, b2 = self.beta_1, self.beta_2
            lr = self.learning_rate_init * np.sqrt(1 - b2**t) / (1 - b1**t)
            root = np.sqrt(1 - b2)
            scale = lr * (1 - b1) / root
            eps = self.epsilon / root
            coef = (1 - b1**t) / (1 - b1)
            self._constants[t] = (1.0 / scale**2, eps / scale, coef)
        return self._constants[t]

    def _columns(self, models: slice, k: int, dtype):
        ts = self.t[models]
        if ts.min() == ts.max():
            return self._step_constants(int(ts[0]))[k]
        values = [self._step_constants(int(t))[k] for t in ts]
        return np.array(values)[:, None].astype(dtype)

    def step(self, theta: np.ndarray, grad: np.ndarray, models: slice) -> None:
        self.t[models] += 1
        b1, b2 = self.beta_1, self.beta_2
        inv_scale_sq = self._columns(models, 0, np.float64)
        eps_scaled = self._columns(models, 1, np.float64)
        p, g = theta[models], grad[models]
        m, v = self.ms[models], self.vs[models]
        denom, update = self._denom[models], self._update[models]
        adam_update(p, g, m, v, denom, update, b1, b2, inv_scale_sq, eps_scaled)

    def step_size(self, models: slice, stop: int) -> np.ndarray:
        """Per-coordinate step of the last update on the first ``stop``
        coordinates (the single Adam's ``step_size``)."""
        coef = self._columns(models, 2, self.dtype)
        return np.divide(coef, self._denom[models, :stop])

    def iteration_ends(self, m: int, time_step: int) -> None:
        pass

    def trigger_stopping(self, m: int, msg: str) -> tuple[bool, str]:
        return True, msg + " Stopping."


class StackedSGD(_StackedOptimizer):
    """SGD with (Nesterov) momentum and one learning rate per model."""

    _state_names = ("learning_rate", "velocities", "_lr_grad", "_mu_v")

    def __init__(self, settings: SGDSettings, n_models: int, n_params: int, dtype):
        self.learning_rate_init = float(settings.learning_rate_init)
        self.lr_schedule = settings.lr_schedule
        self.momentum = float(settings.momentum)
        self.nesterov = settings.nesterov
        self.power_t = settings.power_t
        self.dtype = np.dtype(dtype)
        self.learning_rate = np.full(n_models, self.learning_rate_init)
        shape = (n_models, n_params)
        self.velocities = np.zeros(shape, dtype)
        self._lr_grad, self._mu_v = np.zeros(shape, dtype), np.zeros(shape, dtype)

    def step(self, theta: np.ndarray, grad: np.ndarray, models: slice) -> None:
        lr, mu = _per_model(self.learning_rate[models], self.dtype), self.momentum
        if np.ndim(lr) == 0:
            lr = float(lr)
        p, g = theta[models], grad[models]
        lr_g = np.multiply(g, lr, out=self._lr_grad[models])
        if mu == 0.0:
            p -= lr_g
            return
        v = self.velocities[models]
        v *= mu
        v -= lr_g
        if self.nesterov:
            p += np.multiply(v, mu, out=self._mu_v[models])
            p -= lr_g
        else:
            p += v

    def step_size(self, models: slice, stop: int):
        """The models' learning rates (a float or a float64 column)."""
        lr = self.learning_rate[models]
        if (lr == lr[0]).all():
            return float(lr[0])
        return lr[:, None]

    def iteration_ends(self, m: int, time_step: int) -> None:
        if self.lr_schedule == "invscaling":
            self.learning_rate[m] = (
                self.learning_rate_init / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, m: int, msg: str) -> tuple[bool, str]:
        """Whether model ``m`` stops after a stall, and a note saying what was
        done (the single SGD's rule)."""
        if self.lr_schedule != "adaptive":
            return True, msg + " Stopping."
        if self.learning_rate[m] <= 1e-6:
            return True, msg + " Learning rate too small. Stopping."
        self.learning_rate[m] /= 5.0
        return False, msg + f" Setting learning rate to {self.learning_rate[m]:f}"
