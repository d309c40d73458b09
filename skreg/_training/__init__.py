"""Training: the stochastic epoch loop with its callbacks, and full-batch L-BFGS.

Depends on the NumPy core only; it never imports scikit-learn. It reports
outcomes (converged, max_iter reached, diverged, interrupted) as a status for
the estimator to turn into warnings or errors.
"""

from .callbacks import EpochRecord, LossMonitor, ValidationMonitor
from .fista import fit_fista
from .full_batch import FullBatchBudget, SmoothObjective
from .lbfgs import fit_lbfgs
from .stochastic import StochasticRun, TrainResult, train_epochs

__all__ = [
    "EpochRecord",
    "FullBatchBudget",
    "LossMonitor",
    "SmoothObjective",
    "StochasticRun",
    "TrainResult",
    "ValidationMonitor",
    "fit_fista",
    "fit_lbfgs",
    "train_epochs",
]
