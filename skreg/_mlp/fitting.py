"""Training orchestration shared by both estimators.

Turns an estimator's parameters into a training run (optimizer, penalty,
monitor, validation split), runs it, and writes the fitted attributes. Status
reported by the training loop becomes scikit-learn warnings and errors here.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from .._core import BatchNorm
from .._core.penalties import make_penalty
from .._training import (
    LossMonitor,
    StochasticRun,
    ValidationMonitor,
    fit_fista,
    fit_lbfgs,
    train_epochs,
)
from .._training.optimizers import SGD, Adam

_DIVERGED = (
    "The training loss became non-finite (nan or inf){where}. The learning rate "
    "is probably too high (learning_rate_init={lr}) or the inputs are not "
    "scaled: standardize X (e.g. with sklearn.preprocessing.StandardScaler) "
    "and/or lower learning_rate_init."
)
_DIVERGED_FULL_BATCH = (
    "The objective became non-finite (nan or inf) during the full-batch "
    "solver. The inputs or targets are probably not scaled: standardize X (e.g. "
    "with sklearn.preprocessing.StandardScaler) and y."
)


def _diverged_message(est) -> str:
    if est.solver == "lbfgs":
        return _DIVERGED_FULL_BATCH
    return _DIVERGED.format(where="", lr=est.learning_rate_init)


def make_rng(random_state: np.random.RandomState) -> np.random.Generator:
    """A Generator seeded from the estimator's RandomState (reproducible)."""
    return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))


# -- fitted state -------------------------------------------------------------
def reset_fitted_state(est, network) -> None:
    est.n_iter_ = 0
    est.t_ = 0
    est.n_layers_ = len(network.dense) + 1
    est.n_outputs_ = network.dense[-1].n_out
    est.out_activation_ = network.loss.out_activation
    for name in (
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
        *_BN_ATTRIBUTES.values(),
    ):
        est.__dict__.pop(name, None)


# batch-norm layer attribute -> fitted estimator attribute (one entry per layer)
_BN_ATTRIBUTES = {
    "gamma": "batch_norm_gamma_",
    "beta": "batch_norm_beta_",
    "running_mean": "batch_norm_running_mean_",
    "running_var": "batch_norm_running_var_",
}


def _bn_layers(network) -> list:
    return [layer for layer in network.layers if isinstance(layer, BatchNorm)]


def load_fitted_weights(est, network) -> None:
    """Copy ``coefs_`` / ``intercepts_`` into the network's flat buffer."""
    shapes = [W.shape for W in network.coefs]
    if [W.shape for W in est.coefs_] != shapes:
        raise ValueError(
            "The fitted network has layer shapes "
            f"{[W.shape for W in est.coefs_]} but the data and parameters need "
            f"{shapes}. Set warm_start=False (or refit) to change the "
            "architecture or the number of outputs."
        )
    for dst, src in zip(network.coefs, est.coefs_):
        dst[...] = src
    for dst, src in zip(network.intercepts, est.intercepts_):
        dst[...] = src
    bn_layers = _bn_layers(network)
    if bool(bn_layers) != hasattr(est, "batch_norm_gamma_"):
        raise ValueError(
            "batch_norm differs from the fitted network's; set warm_start=False "
            "(or refit from scratch) to switch batch normalization on or off."
        )
    for i, layer in enumerate(bn_layers):
        for attr, name in _BN_ATTRIBUTES.items():
            getattr(layer, attr)[...] = getattr(est, name)[i]


def store_network(est, network) -> None:
    if not np.isfinite(network.theta).all():
        raise ValueError(_diverged_message(est))
    est.coefs_ = [W.copy() for W in network.coefs]
    est.intercepts_ = [b.copy() for b in network.intercepts]
    _store_sparsity(est)
    bn_layers = _bn_layers(network)
    for attr, name in _BN_ATTRIBUTES.items():
        if bn_layers:
            setattr(est, name, [getattr(layer, attr).copy() for layer in bn_layers])
        else:
            est.__dict__.pop(name, None)


def _store_sparsity(est) -> None:
    """Feature importances and exact-zero counts from the fitted weights."""
    W1 = est.coefs_[0]
    est.feature_importances_ = np.sqrt(np.einsum("ij,ij->i", W1, W1))
    est.n_features_selected_ = int(np.count_nonzero(np.any(W1 != 0, axis=1)))
    n_zero = sum(int(np.count_nonzero(W == 0)) for W in est.coefs_)
    est.sparsity_ = n_zero / sum(W.size for W in est.coefs_)


# -- full batch ------------------------------------------------------------------
def _penalty(est, network, total_weight):
    return make_penalty(
        est.penalty,
        est.alpha / total_weight,
        est.l1_ratio,
        first_layer_shape=network.dense[0].W.shape,
    )


def fit_full_batch(est, network, X, Y, sample_weight) -> None:
    """``solver='lbfgs'``: L-BFGS-B for smooth penalties, FISTA otherwise."""
    S = X.shape[0] if sample_weight is None else sample_weight.sum()
    penalty = _penalty(est, network, S)
    solve = fit_lbfgs if penalty.smooth else fit_fista
    result = solve(
        network,
        penalty,
        X,
        Y,
        sample_weight,
        max_iter=est.max_iter,
        max_fun=est.max_fun,
        tol=est.tol,
    )
    if result.status == "diverged":
        raise ValueError(_DIVERGED_FULL_BATCH)
    network.calibrate_running_stats(X)
    if result.status == "max_iter":
        warnings.warn(
            "lbfgs failed to converge after "
            f"{result.n_iter} iteration(s) ({result.message}). Increase max_iter "
            "or max_fun, or scale the data.",
            ConvergenceWarning,
            stacklevel=4,
        )
    est.n_iter_ = result.n_iter
    est.loss_ = result.loss
    if est.verbose:
        print(
            f"{type(est).__name__} (lbfgs): {result.status} after "
            f"{result.n_iter} iterations ({result.message}), "
            f"loss = {result.loss:.8f}"
        )


# -- stochastic --------------------------------------------------------------------
def _batch_size(est, n_samples: int) -> int:
    if est.batch_size == "auto":
        return min(200, n_samples)
    if est.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going "
            "to be clipped",
            stacklevel=5,
        )
    return int(np.clip(est.batch_size, 1, n_samples))


def _make_optimizer(est, params):
    if est.solver == "sgd":
        return SGD(
            params,
            est.learning_rate_init,
            est.learning_rate,
            est.momentum,
            est.nesterovs_momentum,
            est.power_t,
        )
    return Adam(params, est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon)


def _validation_split(est, X, Y, sample_weight, random_state):
    """Hold out ``validation_fraction`` of the data (stratified if possible).

    Returns ``None`` (early stopping is skipped for this fit, with a warning)
    when the held-out set would have fewer than 2 samples.
    """
    n = X.shape[0]
    n_val = int(np.ceil(est.validation_fraction * n))
    if n_val < 2 or n - n_val < 1:
        warnings.warn(
            f"early_stopping needs a validation set of at least 2 samples, but "
            f"validation_fraction={est.validation_fraction} of {n} samples gives "
            f"{n_val}. Training without early stopping (monitoring the training "
            "loss instead); increase validation_fraction or the data size.",
            UserWarning,
            stacklevel=5,
        )
        return None
    arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
    kwargs = {"random_state": random_state, "test_size": n_val}
    stratify = est._stratify_labels(Y)
    try:
        split = train_test_split(*arrays, stratify=stratify, **kwargs)
    except ValueError as exc:  # a class too small to be split in both parts
        warnings.warn(
            f"Could not stratify the early-stopping split ({exc}); using a "
            "random split instead.",
            UserWarning,
            stacklevel=5,
        )
        split = train_test_split(*arrays, **kwargs)
    train, val = split[0::2], split[1::2]
    if sample_weight is None:
        train.append(None)
        val.append(None)
    return train, val


def _make_monitor(est, X_val, Y_val, sw_val):
    if X_val is None:
        best = getattr(est, "best_loss_", None)
        return LossMonitor(est.tol, np.inf if best is None else best)

    def score(network):
        pred = network.predict(X_val, chunk_size=4096)
        if not np.isfinite(pred).all():
            return -np.inf
        return est._validation_score(Y_val, pred, sw_val)

    return ValidationMonitor(score, est.tol)


def _get_run(est, network, n_samples, incremental, random_state):
    run = est.__dict__.get("_partial_fit_run") if incremental else None
    if run is not None and run.network.theta.dtype == network.theta.dtype:
        load_fitted_weights(est, run.network)
        run.batch_size = _batch_size(est, n_samples)
        return run
    run = StochasticRun(
        network,
        _make_optimizer(est, [network.theta]),
        make_penalty(None, 0.0),
        make_rng(random_state),
        _batch_size(est, n_samples),
        shuffle=est.shuffle,
        merge_singleton=bool(est.batch_norm),
    )
    run.t = est.t_
    if incremental:
        est._partial_fit_run = run
    return run


def fit_stochastic(est, network, X, Y, sample_weight, incremental, random_state):
    split = None
    if est.early_stopping:
        split = _validation_split(est, X, Y, sample_weight, random_state)
    if split is not None:
        (X, Y, sw), (X_val, Y_val, sw_val) = split
    else:
        sw, X_val, Y_val, sw_val = sample_weight, None, None, None
    run = _get_run(est, network, X.shape[0], incremental, random_state)
    S = X.shape[0] if sw is None else float(sw.sum())
    run.penalty = _penalty(est, run.network, S)
    monitor = getattr(run, "monitor", None) if incremental else None
    if monitor is None:
        monitor = _make_monitor(est, X_val, Y_val, sw_val)
        run.monitor = monitor
    result = train_epochs(
        run,
        X,
        Y,
        sw,
        max_iter=est.max_iter,
        monitor=monitor,
        n_iter_no_change=est.n_iter_no_change,
        incremental=incremental,
        verbose=int(est.verbose),
        # partial_fit numbers its epochs on from the previous calls
        first_epoch=len(getattr(est, "loss_curve_", [])) + 1 if incremental else 1,
    )
    if run.network is not network:  # partial_fit continues its own network
        network.load_state(run.network.state())
    _record_history(est, run, result, monitor)
    _handle_status(est, network, result, monitor)


def _record_history(est, run, result, monitor) -> None:
    records = [r for r in result.records if np.isfinite(r.loss)]
    est.n_iter_ = result.n_epochs
    est.t_ = run.t
    est.loss_curve_ = getattr(est, "loss_curve_", []) + [r.loss for r in records]
    if records:
        est.loss_ = records[-1].loss
    if isinstance(monitor, ValidationMonitor):
        est.validation_scores_ = getattr(est, "validation_scores_", None) or []
        est.validation_scores_ += [r.validation_score for r in records]
        est.best_validation_score_ = monitor.best_score
        est.best_loss_ = None
    else:
        est.validation_scores_ = None
        est.best_validation_score_ = None
        est.best_loss_ = monitor.best_loss


def _handle_status(est, network, result, monitor) -> None:
    best_state = getattr(monitor, "best_state", None)
    if result.status == "diverged":
        where = f" at epoch {result.n_epochs}"
        message = _DIVERGED.format(where=where, lr=est.learning_rate_init)
        if best_state is None:
            # A partial_fit run whose optimizer state is now non-finite must
            # not poison the next call: the next one starts a fresh run.
            est.__dict__.pop("_partial_fit_run", None)
            raise ValueError(message)
        warnings.warn(
            message + f" Restored the best weights (epoch {monitor.best_epoch}).",
            ConvergenceWarning,
            stacklevel=4,
        )
    elif result.status == "interrupted":
        warnings.warn("Training interrupted by user.", stacklevel=4)
    elif result.status == "max_iter":
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and "
            "the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )
    if best_state is not None:
        network.load_state(best_state)
