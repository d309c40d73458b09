"""Training orchestration: an explicit configuration in, an outcome out.

``TrainingConfig`` is the part of an estimator's parameters that training
reads; ``fit_full_batch`` and ``fit_stochastic`` turn it into a training run
(optimizer, penalty, monitor, validation split), run it, leave the final
weights in the network and return a ``FitOutcome``. They never see the
estimator: the estimator base writes the fitted attributes from the outcome
in one place, and ``report`` turns the outcome's status into scikit-learn's
warnings and errors.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from .._core.penalties import FrozenInputs, make_penalty
from .._training import (
    FullBatchBudget,
    LossMonitor,
    SmoothObjective,
    StochasticRun,
    ValidationMonitor,
    fit_fista,
    fit_lbfgs,
    train_epochs,
)
from .._training.callbacks import GROWTH_LIMIT, REFERENCE_FLOOR, held_out_loss
from .._training.optimizers import SGD, Adam
from .._training.progress import fit_progress  # noqa: F401  (CV, ensembles)
from .._validation import make_rng

# One message for every solver: what happened, the rule, the likely cause.
_DIVERGED = (
    "Training diverged{where}: {reason}. (A fit is stopped when its loss "
    "becomes non-finite (nan or inf) or grows to more than "
    f"{GROWTH_LIMIT:g} times its reference, the largest of its value at the "
    f"starting weights, after the first epoch and {REFERENCE_FLOOR:g}.) "
)
_CAUSE_STOCHASTIC = (
    "The learning rate is probably too high (learning_rate_init={lr}) or the "
    "inputs are not scaled: standardize X (e.g. with "
    "sklearn.preprocessing.StandardScaler) and/or lower learning_rate_init."
)
_CAUSE_FULL_BATCH = (
    "The inputs or targets are probably not scaled: standardize X (e.g. with "
    "sklearn.preprocessing.StandardScaler) and y."
)


@dataclass(frozen=True)
class TrainingConfig:
    """The estimator parameters that training reads (validated already)."""

    name: str
    solver: str
    penalty: str | None
    alpha: float
    l1_ratio: float
    batch_size: int | str
    learning_rate: str
    learning_rate_init: float
    power_t: float
    max_iter: int
    shuffle: bool
    tol: float
    verbose: int
    momentum: float
    nesterovs_momentum: bool
    early_stopping: bool
    validation_fraction: float
    beta_1: float
    beta_2: float
    epsilon: float
    n_iter_no_change: int | float
    max_fun: int
    merge_singleton: bool
    # The relaxed refit's inputs held at 0 (a boolean "keep" mask), or None.
    keep_inputs: np.ndarray | None = None
    progress_bar: bool = False

    @classmethod
    def from_params(cls, name: str, params: dict) -> TrainingConfig:
        """Pick this config's fields out of an estimator's ``get_params()``."""
        fields = set(cls.__dataclass_fields__)
        fields -= {"name", "merge_singleton", "keep_inputs"}
        values = {f: params[f] for f in fields}
        values["verbose"] = int(values["verbose"])
        return cls(name=name, merge_singleton=bool(params["batch_norm"]), **values)

    def diverged_message(self, epoch: int | None = None, reason: str = "") -> str:
        """The error for a diverged fit; ``reason`` from the training loop."""
        reason = reason or "the parameters became non-finite (nan or inf)"
        if self.solver == "lbfgs":
            where, cause = " in the full-batch solver", _CAUSE_FULL_BATCH
        else:
            where = "" if epoch is None else f" at epoch {epoch}"
            cause = _CAUSE_STOCHASTIC.format(lr=self.learning_rate_init)
        return _DIVERGED.format(where=where, reason=reason) + cause


@dataclass
class FitOutcome:
    """What one call to ``fit_full_batch`` / ``fit_stochastic`` produced.

    ``losses`` and ``validation_scores`` hold this call's epochs only (finite
    losses); ``validation_scores`` is None without early stopping.
    """

    status: str
    n_iter: int
    loss: float | None = None
    t: int = 0
    losses: list[float] = field(default_factory=list)
    validation_scores: list[float] | None = None
    best_validation_score: float | None = None
    best_loss: float | None = None
    best_epoch: int | None = None
    message: str = ""
    reason: str = ""  # why a diverged fit diverged


@dataclass
class FitStart:
    """A fit's prepared inputs: validated data, encoded targets, the network
    (initialized or warm-started), the random state that continues the fit's
    draws, and the config."""

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None
    network: object
    random_state: np.random.RandomState
    config: TrainingConfig
    incremental: bool = False
    input_scale: np.ndarray | None = None  # X is already scaled by it


# -- full batch ------------------------------------------------------------------
def _penalty(config: TrainingConfig, network, total_weight: float):
    penalty = make_penalty(
        config.penalty,
        config.alpha / total_weight,
        config.l1_ratio,
        **network.input_groups,
    )
    if config.keep_inputs is None:
        return penalty
    return FrozenInputs(penalty, config.keep_inputs, **network.input_groups)


def fit_full_batch(config: TrainingConfig, network, X, Y, sample_weight) -> FitOutcome:
    """``solver='lbfgs'``: L-BFGS-B for smooth penalties, FISTA otherwise."""
    S = X.shape[0] if sample_weight is None else sample_weight.sum()
    penalty = _penalty(config, network, S)
    solve = fit_lbfgs if penalty.smooth else fit_fista
    result = solve(
        SmoothObjective(network, penalty, X, Y, sample_weight),
        FullBatchBudget(config.max_iter, config.max_fun, config.tol),
    )
    if result.status != "diverged":
        network.calibrate_running_stats(X)
    if config.verbose and result.status != "diverged":
        print(
            f"{config.name} (lbfgs): {result.status} after "
            f"{result.n_iter} iterations ({result.message}), "
            f"loss = {result.loss:.8f}"
        )
    return FitOutcome(
        status=result.status,
        n_iter=result.n_iter,
        loss=result.loss,
        message=result.message,
        reason=result.reason,
    )


# -- stochastic --------------------------------------------------------------------
def _batch_size(config: TrainingConfig, n_samples: int) -> int:
    if config.batch_size == "auto":
        return min(200, n_samples)
    if config.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going "
            "to be clipped",
            stacklevel=4,
        )
    return int(np.clip(config.batch_size, 1, n_samples))


def _make_optimizer(config: TrainingConfig, params):
    if config.solver == "sgd":
        return SGD(
            params,
            config.learning_rate_init,
            config.learning_rate,
            config.momentum,
            config.nesterovs_momentum,
            config.power_t,
        )
    return Adam(
        params,
        config.learning_rate_init,
        config.beta_1,
        config.beta_2,
        config.epsilon,
    )


def validation_split(config: TrainingConfig, n: int, stratify, random_state):
    """Indices ``(train, validation)`` of the early-stopping split of ``n``
    rows: ``validation_fraction`` held out, stratified if possible.

    Returns ``None`` (early stopping is skipped for this fit, with a warning)
    when the held-out set would have fewer than 2 samples.
    """
    n_val = int(np.ceil(config.validation_fraction * n))
    if n_val < 2 or n - n_val < 1:
        warnings.warn(
            f"early_stopping needs a validation set of at least 2 samples, but "
            f"validation_fraction={config.validation_fraction} of {n} samples "
            f"gives {n_val}. Training without early stopping (monitoring the "
            "training loss instead); increase validation_fraction or the data "
            "size.",
            UserWarning,
            stacklevel=6,
        )
        return None
    rows = np.arange(n)
    kwargs = {"random_state": random_state, "test_size": n_val}
    try:
        return tuple(train_test_split(rows, stratify=stratify, **kwargs))
    except ValueError as exc:  # a class too small to be split in both parts
        warnings.warn(
            f"Could not stratify the early-stopping split ({exc}); using a "
            "random split instead.",
            UserWarning,
            stacklevel=6,
        )
        return tuple(train_test_split(rows, **kwargs))


def _take_rows(arrays, rows):
    return tuple(None if a is None else a[rows] for a in arrays)


def _make_monitor(config: TrainingConfig, validation, problem, best_loss):
    if validation is None:
        return LossMonitor(config.tol, best_loss)
    X_val, Y_val, sw_val = validation

    def network_score(network):
        pred = network.predict(X_val, chunk_size=4096)
        if not np.isfinite(pred).all():
            return np.nan  # as scikit-learn scores non-finite predictions
        return problem.score(Y_val, pred, sw_val)

    loss = held_out_loss(X_val, Y_val, sw_val) if problem.monitor_loss else None
    return ValidationMonitor(network_score, config.tol, loss=loss)


@dataclass
class StochasticProblem:
    """The data and the hooks of one stochastic fit.

    ``score(Y_true, Y_pred, sample_weight)`` is the early-stopping score of
    linked outputs; ``stratify`` the labels of a stratified validation split
    (or None); ``monitor_loss``: early stopping also counts an epoch whose
    held-out loss improved (see ``ValidationMonitor``).
    """

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None
    score: Callable
    stratify: np.ndarray | None = None
    monitor_loss: bool = False


def _new_run(config: TrainingConfig, network, batch_size: int, rng, t: int):
    run = StochasticRun(
        network,
        _make_optimizer(config, [network.theta]),
        None,  # set per call by fit_stochastic, from that call's data
        rng,
        batch_size,
        shuffle=config.shuffle,
        merge_singleton=config.merge_singleton,
    )
    run.t = t
    return run


def fit_stochastic(
    config: TrainingConfig,
    network,
    problem: StochasticProblem,
    random_state: np.random.RandomState,
    *,
    run: StochasticRun | None = None,
    incremental: bool = False,
    t: int = 0,
    best_loss: float = np.inf,
    first_epoch: int = 1,
) -> tuple[FitOutcome, StochasticRun]:
    """Train ``network`` on ``problem`` and leave the best (or last) weights
    in it.

    ``random_state`` draws the validation split, then the generator of a new
    run (shuffling, dropout, noise). ``run`` continues a ``partial_fit`` run
    (its optimizer state, generator and monitor) from ``network``'s weights;
    otherwise a new run starts with ``t`` samples seen. Returns the outcome
    and the run, which a ``partial_fit`` caller keeps for the next call.
    """
    X, Y, sw = problem.X, problem.Y, problem.sample_weight
    validation = None
    if config.early_stopping:
        split = validation_split(config, X.shape[0], problem.stratify, random_state)
        if split is not None:
            (X, Y, sw), validation = (_take_rows((X, Y, sw), r) for r in split)
    batch_size = _batch_size(config, X.shape[0])
    if run is None or run.network.theta.dtype != network.theta.dtype:
        run = _new_run(config, network, batch_size, make_rng(random_state), t)
    else:
        run.network.load_state(network.state())
        run.batch_size = batch_size
    S = X.shape[0] if sw is None else float(sw.sum())
    run.penalty = _penalty(config, run.network, S)
    monitor = getattr(run, "monitor", None) if incremental else None
    if monitor is None:
        monitor = _make_monitor(config, validation, problem, best_loss)
        run.monitor = monitor
    result = train_epochs(
        run,
        X,
        Y,
        sw,
        max_iter=config.max_iter,
        monitor=monitor,
        n_iter_no_change=config.n_iter_no_change,
        incremental=incremental,
        verbose=config.verbose,
        first_epoch=first_epoch,
        progress_bar=config.progress_bar,
    )
    if run.network is not network:  # partial_fit continues its own network
        network.load_state(run.network.state())
    records = [r for r in result.records if np.isfinite(r.loss)]
    outcome = FitOutcome(
        status=result.status,
        n_iter=result.n_epochs,
        loss=records[-1].loss if records else None,
        t=run.t,
        losses=[r.loss for r in records],
        reason=result.reason,
    )
    if isinstance(monitor, ValidationMonitor):
        outcome.validation_scores = [r.validation_score for r in records]
        outcome.best_validation_score = monitor.best_score
        outcome.best_epoch = monitor.best_epoch
        if monitor.best_state is not None:
            network.load_state(monitor.best_state)
    else:
        outcome.best_loss = monitor.best_loss
    return outcome, run


# -- status -> warnings and errors -------------------------------------------------
def report(config: TrainingConfig, outcome: FitOutcome) -> None:
    """Raise or warn for the outcome's status, as scikit-learn's MLP does."""
    restored = outcome.best_epoch is not None
    if outcome.status == "diverged":
        message = config.diverged_message(outcome.n_iter, outcome.reason)
        if not restored:
            raise ValueError(message)
        warnings.warn(
            message + f" Restored the best weights (epoch {outcome.best_epoch}).",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif outcome.status == "interrupted":
        warnings.warn("Training interrupted by user.", stacklevel=3)
    elif outcome.status == "max_iter" and config.solver == "lbfgs":
        warnings.warn(
            "lbfgs failed to converge after "
            f"{outcome.n_iter} iteration(s) ({outcome.message}). Increase max_iter "
            "or max_fun, or scale the data.",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif outcome.status == "max_iter":
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({config.max_iter}) reached "
            "and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=3,
        )
