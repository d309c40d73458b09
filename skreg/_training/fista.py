"""Full-batch accelerated proximal gradient (FISTA) for non-smooth penalties.

Beck & Teboulle (2009) with backtracking on the Lipschitz estimate ``L`` and a
monotone, function-value restart of the momentum (O'Donoghue & Candes, 2015).
Each iterate is the output of the penalty's proximal operator, so L1, elastic
net and group-lasso weights that belong at zero are exactly 0.0.

Stops when the composite gradient mapping ``L * (y - prox(y - grad/L))`` has
max-norm at most ``tol`` (the analogue of L-BFGS's projected-gradient
tolerance), after ``max_iter`` iterations, or after ``max_fun`` evaluations.
"""

from __future__ import annotations

import numpy as np

from .blas import limit_training_threads, network_widths
from .callbacks import DivergenceCheck
from .full_batch import FullBatchBudget, FullBatchResult, SmoothObjective


def fit_fista(f: SmoothObjective, budget: FullBatchBudget) -> FullBatchResult:
    """Minimize ``J`` (``f``'s smooth part plus the non-smooth penalty) over
    all of ``f.network``'s parameters; see the module docstring."""
    network, X = f.network, f.X
    x0 = network.theta.astype(np.float64)
    threads = limit_training_threads(X.shape[0], network_widths(network), X.dtype)
    with np.errstate(over="ignore", invalid="ignore"), threads:
        x, F, n_iter, status = _fista(
            f, x0, budget.max_iter, budget.max_fun, budget.tol
        )
        start = f.start_value + f.nonsmooth_value(x0)
    network.theta[...] = x
    reason = DivergenceCheck(start)(float(F), network.theta)
    if reason is not None:
        status = "diverged"
    message = f"{status} after {n_iter} iterations and {f.n_calls} evaluations"
    return FullBatchResult(n_iter, float(F), status, message, reason=reason or "")


def _fista(f: SmoothObjective, x: np.ndarray, max_iter, max_fun, tol):
    fx, gx = f(x)
    F = fx + f.nonsmooth_value(x)
    z, fz, gz = x, fx, gx
    t, L = 1.0, 1.0
    for n_iter in range(1, max_iter + 1):
        # Backtracking: find L with f(x+) <= f(z) + g.d + L/2 |d|^2.
        while True:
            x_new = f.prox(z - gz / L, 1.0 / L)
            d = x_new - z
            fx_new, gx_new = f(x_new)
            bound = fz + gz.dot(d) + 0.5 * L * d.dot(d)
            if fx_new <= bound + 1e-12 * abs(fz) or f.n_calls >= max_fun:
                break
            L *= 2.0
        if not np.isfinite(fx_new):
            return x_new, np.inf, n_iter, "diverged"
        grad_map = L * np.abs(d).max()
        F_new = fx_new + f.nonsmooth_value(x_new)
        if F_new > F and t > 1.0:  # momentum overshot: restart from x
            t, z, fz, gz = 1.0, x, fx, gx
            continue
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_new
        x_prev, x, fx, gx, F, t = x, x_new, fx_new, gx_new, F_new, t_new
        if grad_map <= tol:
            return x, F, n_iter, "converged"
        if f.n_calls >= max_fun:
            return x, F, n_iter, "max_iter"
        if beta > 0.0:
            z = x + beta * (x - x_prev)
            fz, gz = f(z)
        else:
            z, fz, gz = x, fx, gx
        L *= 0.9  # let the step grow again where the curvature allows
    return x, F, max_iter, "max_iter"
