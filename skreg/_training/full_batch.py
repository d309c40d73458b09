"""The full-batch objective shared by the L-BFGS and FISTA solvers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FullBatchBudget:
    """When a full-batch solver stops: after ``max_iter`` iterations, after
    ``max_fun`` evaluations of the objective, or at its tolerance ``tol``
    (each solver's own test: see ``fit_lbfgs`` and ``fit_fista``)."""

    max_iter: int
    max_fun: int
    tol: float


@dataclass
class FullBatchResult:
    n_iter: int
    loss: float
    status: str  # 'converged', 'max_iter' or 'diverged'
    message: str
    reason: str = ""  # why it diverged (see callbacks.DivergenceCheck)


class SmoothObjective:
    """``theta -> (value, gradient)`` of the smooth part of ``J``, in float64.

    ``J = (1/S) sum_i s_i l_i + (alpha/S) R(W)``; the smooth part is the data
    term plus the penalty's differentiable part. The network's own dtype is
    used for the arithmetic; scipy and FISTA see float64 vectors.
    """

    def __init__(self, network, penalty, X, y, sample_weight):
        self.network, self.penalty = network, penalty
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.S = float(X.shape[0] if sample_weight is None else sample_weight.sum())
        self.n_pen = network.n_penalized
        self.n_calls = 0
        self.start_value: float | None = None  # the smooth part at the start

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        self.n_calls += 1
        net = self.network
        net.theta[...] = theta
        data = net.loss_and_gradient(self.X, self.y, self.sample_weight, 1.0 / self.S)
        w = net.theta[: self.n_pen]
        grad = net.grad.astype(np.float64)
        self.penalty.add_smooth_grad(w, grad[: self.n_pen])
        value = data / self.S + self.penalty.smooth_value(w)
        if self.n_calls == 1:
            self.start_value = value
        return value, grad

    def nonsmooth_value(self, theta: np.ndarray) -> float:
        w = theta[: self.n_pen]
        return self.penalty.value(w) - self.penalty.smooth_value(w)

    def prox(self, theta: np.ndarray, step: float) -> np.ndarray:
        """Proximal step of the non-smooth part, in place, on the weights only."""
        self.penalty.prox(theta[: self.n_pen], step)
        return theta
