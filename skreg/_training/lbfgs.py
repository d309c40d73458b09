"""Full-batch training with scipy's L-BFGS-B (smooth penalties only)."""

from __future__ import annotations

import numpy as np
import scipy.optimize

from .blas import limit_training_threads, network_widths, scipy_blas_single_thread
from .callbacks import DivergenceCheck
from .full_batch import FullBatchBudget, FullBatchResult, SmoothObjective


def fit_lbfgs(objective: SmoothObjective, budget: FullBatchBudget) -> FullBatchResult:
    """Minimize ``J = (1/S) sum_i s_i l_i + (alpha/S) R(W)`` over all of
    ``objective.network``'s parameters.

    ``budget.tol`` is L-BFGS-B's ``gtol`` (as in scikit-learn). scipy's
    relative function-decrease test (``ftol``) is set to 64 machine epsilons,
    as in scikit-learn's LogisticRegression, so that ``tol`` rather than a
    flat stretch of the objective decides when the fit has converged.
    """
    if not objective.penalty.smooth:
        raise ValueError(
            f"L-BFGS needs a smooth penalty, got {objective.penalty.name!r}."
        )
    network, X = objective.network, objective.X
    threads = limit_training_threads(X.shape[0], network_widths(network), X.dtype)
    with (
        np.errstate(over="ignore", invalid="ignore"),
        threads,
        scipy_blas_single_thread(),
    ):
        res = scipy.optimize.minimize(
            objective,
            network.theta.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            options={
                "maxiter": budget.max_iter,
                "maxfun": budget.max_fun,
                "gtol": budget.tol,
                "ftol": 64 * np.finfo(float).eps,
            },
        )
    network.theta[...] = res.x
    loss = float(res.fun)
    reason = DivergenceCheck(objective.start_value)(loss, network.theta)
    if reason is not None:
        status = "diverged"
    elif res.status == 0:
        status = "converged"
    else:
        status = "max_iter"
    return FullBatchResult(
        int(res.nit), loss, status, str(res.message), reason=reason or ""
    )
