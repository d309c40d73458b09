"""Full-batch training with scipy's L-BFGS-B (smooth penalties only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize


@dataclass
class LbfgsResult:
    n_iter: int
    loss: float
    status: str  # 'converged', 'max_iter' or 'diverged'
    message: str


def fit_lbfgs(
    network,
    penalty,
    X,
    y,
    sample_weight,
    *,
    max_iter: int,
    max_fun: int,
    tol: float,
) -> LbfgsResult:
    """Minimize ``J = (1/S) sum_i s_i l_i + (alpha/S) R(W)`` over all parameters.

    ``tol`` is L-BFGS-B's ``gtol`` (as in scikit-learn). Arithmetic in the
    network stays in its dtype; scipy works on a float64 copy of ``theta``.
    """
    if not penalty.smooth:
        raise ValueError(f"L-BFGS needs a smooth penalty, got {penalty.name!r}.")
    S = float(X.shape[0] if sample_weight is None else sample_weight.sum())
    n_pen = network.n_penalized

    def fun(theta64):
        network.theta[...] = theta64
        data = network.loss_and_gradient(X, y, sample_weight, 1.0 / S)
        w = network.theta[:n_pen]
        loss = data / S + penalty.value(w)
        grad = network.grad.astype(np.float64)
        penalty.add_smooth_grad(w, grad[:n_pen])
        return loss, grad

    with np.errstate(over="ignore", invalid="ignore"):
        res = scipy.optimize.minimize(
            fun,
            network.theta.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
        )
    network.theta[...] = res.x
    loss = float(res.fun)
    if not (np.isfinite(loss) and np.isfinite(network.theta).all()):
        status = "diverged"
    elif res.status == 0:
        status = "converged"
    else:
        status = "max_iter"
    return LbfgsResult(int(res.nit), loss, status, str(res.message))
