"""Stochastic optimizers that update lists of arrays in place.

They never special-case a penalty: after ``step`` the caller may apply a
proximal operator with ``step_size(i)``, the (scalar or per-coordinate) step
the optimizer just took on ``params[i]``.
"""

from __future__ import annotations

import numpy as np


def adam_update(
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    denom: np.ndarray,
    update: np.ndarray,
    b1: float,
    b2: float,
    inv_scale_sq,
    eps_scaled,
) -> None:
    """One Adam step on ``p`` in place, with the rescaled moments ``m``, ``v``.

    ``denom`` and ``update`` are buffers of ``p``'s shape that keep the step's
    denominator and update. ``inv_scale_sq`` and ``eps_scaled`` are
    ``1 / scale**2`` and ``eps / scale`` (scalars, or columns broadcasting
    against ``p`` when each row is a model of its own). Shared by
    :class:`Adam` and the stacked Adam, so both take the same operations in
    the same order.
    """
    m *= b1
    m += g
    v *= b2
    np.multiply(g, g, out=update)
    v += update
    np.multiply(v, inv_scale_sq, out=denom)
    np.sqrt(denom, out=denom)
    denom += eps_scaled
    np.divide(m, denom, out=update)
    p -= update


class SGD:
    """SGD with (Nesterov) momentum and scikit-learn's learning-rate schedules.

    ``lr_schedule`` is ``'constant'``, ``'invscaling'`` (``lr_init / (t + 1) **
    power_t`` with ``t`` the number of samples seen, updated at each epoch end)
    or ``'adaptive'`` (divide by 5 whenever progress stalls, stop below 1e-6).
    """

    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate_init: float = 0.1,
        lr_schedule: str = "constant",
        momentum: float = 0.9,
        nesterov: bool = True,
        power_t: float = 0.5,
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        lr, mu = self.learning_rate, self.momentum
        for p, g, v in zip(params, grads, self.velocities):
            if mu == 0.0:
                p -= lr * g
                continue
            v *= mu
            v -= lr * g
            if self.nesterov:
                p += mu * v
                p -= lr * g
            else:
                p += v

    def step_size(self, i: int, stop: int | None = None) -> float:
        return self.learning_rate

    def iteration_ends(self, time_step: int) -> None:
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                self.learning_rate_init / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg: str) -> tuple[bool, str]:
        """Whether to stop after a stall, and a note saying what was done."""
        if self.lr_schedule != "adaptive":
            return True, msg + " Stopping."
        if self.learning_rate <= 1e-6:
            return True, msg + " Learning rate too small. Stopping."
        self.learning_rate /= 5.0
        return False, msg + f" Setting learning rate to {self.learning_rate:f}"


class Adam:
    """Adam (Kingma & Ba, 2014), the same update as scikit-learn's.

    ``update = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + eps)``.
    The moments are stored rescaled, ``m_s = m / (1 - beta_1)`` and
    ``v_s = v / (1 - beta_2)``, with the constants folded into the step and
    epsilon: the same update in fewer passes over the parameter vector.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate_init: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        # The last step's denominator (kept for ``step_size``) and update.
        self._denom = [np.zeros_like(p) for p in params]
        self._update = [np.zeros_like(p) for p in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.learning_rate = (
            self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        )
        root = np.sqrt(1 - b2)
        scale = self.learning_rate * (1 - b1) / root
        eps = self.epsilon / root
        # The step is m / (sqrt(v) + eps) * scale = m / (sqrt(v / scale**2) +
        # eps / scale): scaling v before the root folds ``scale`` into the
        # denominator pass. NumPy only: a BLAS call from SciPy's bundled
        # OpenBLAS here would make its thread pool fight NumPy's (4x slower
        # epochs with 2 BLAS threads, measured).
        inv_scale_sq, eps_scaled = 1.0 / scale**2, eps / scale
        parts = zip(params, grads, self.ms, self.vs, self._denom, self._update)
        for p, g, m, v, denom, update in parts:
            adam_update(p, g, m, v, denom, update, b1, b2, inv_scale_sq, eps_scaled)

    def step_size(self, i: int, stop: int | None = None) -> np.ndarray:
        """Per-coordinate step ``lr / (sqrt(v_hat) + eps)`` of the last update.

        The step Adam applies to the bias-corrected first moment ``m_hat``
        (``lr_t * (1 - beta_1**t)`` with the bias corrections folded into
        ``lr_t``), the threshold scale of proximal Adam. Without the
        ``1 - beta_1**t`` factor the early thresholds would be up to
        ``1 / (1 - beta_1)`` times the step actually taken.
        Only the first ``stop`` coordinates when ``stop`` is given.

        The update was ``m_s / denom`` with ``m_s = m / (1 - beta_1)`` and
        ``m_hat = m / (1 - beta_1**t)``, so the step on ``m_hat`` is
        ``((1 - beta_1**t) / (1 - beta_1)) / denom``: one pass, no root.
        """
        denom = self._denom[i][:stop]
        return np.divide((1 - self.beta_1**self.t) / (1 - self.beta_1), denom)

    def iteration_ends(self, time_step: int) -> None:
        pass

    def trigger_stopping(self, msg: str) -> tuple[bool, str]:
        return True, msg + " Stopping."
