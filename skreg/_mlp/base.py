"""The shared base of MLPRegressor and MLPClassifier.

Parameters, their declarative constraints and cross-parameter rules, data
validation, the fit entry point, the fitted attributes and inference. Target
handling, the loss and the prediction output are the subclasses' job; the
training run itself is ``fitting``'s (configuration in, outcome out), and
this base writes every fitted attribute from that outcome.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._core import build_network
from .._core.architecture import hidden_sizes, per_layer_rates
from .._core.penalties import PENALTIES, zero_input_rows
from .._doc_link import DocLinkMixin
from .._sklearn_compat import Interval, Options, StrOptions, _fit_context
from .._validation import (
    check_fit_sample_weight,
    check_magnitude,
    make_rng,
    validate_fit_data,
    validate_predict_X,
)
from .fitted_state import FittedNetworkMixin
from .fitting import (
    FitOutcome,
    FitStart,
    StochasticProblem,
    TrainingConfig,
    fit_full_batch,
    fit_stochastic,
    report,
)
from .input_scale import check_input_scale, kept_inputs, scale_columns

PREDICT_CHUNK_ROWS = 4096


class BaseMLP(DocLinkMixin, FittedNetworkMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class for skreg's multilayer perceptrons. Do not use directly."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions(set(PENALTIES)), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "batch_norm": ["boolean"],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="right")],
        "input_noise": [Interval(Real, 0, None, closed="left")],
        "skip_connection": ["boolean"],
        "input_scale": ["array-like", None],
        "relax": [Interval(Real, 0, 1, closed="both"), None],
        "mc_samples": [Interval(Integral, 2, None, closed="left")],
        "progress_bar": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        penalty,
        l1_ratio,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        dropout,
        batch_norm,
        batch_norm_momentum,
        input_noise,
        skip_connection,
        input_scale,
        relax,
        mc_samples,
        progress_bar,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.batch_norm_momentum = batch_norm_momentum
        self.input_noise = input_noise
        self.skip_connection = skip_connection
        self.input_scale = input_scale
        self.relax = relax
        self.mc_samples = mc_samples
        self.progress_bar = progress_bar

    # -- subclass hooks ------------------------------------------------------
    @abstractmethod
    def _loss_name(self) -> str:
        """Name of the core loss for the current targets."""

    @abstractmethod
    def _validate_targets(self, y, incremental: bool, first_pass: bool):
        """Validated targets as a 2-D float array (encoded for classifiers)."""

    @abstractmethod
    def _validation_score(self, Y_true, Y_pred, sample_weight) -> float:
        """Early-stopping score of linked network outputs ``Y_pred``."""

    @abstractmethod
    def _encode_fitted_targets(self, y) -> np.ndarray:
        """Targets ``y`` encoded as the fitted estimator encodes its own."""

    def _stratify_labels(self, Y):
        return None

    def _scale_targets(self, Y, sample_weight, first_pass: bool):
        """The targets the network fits (the regressor's standardization)."""
        return Y

    def _weighted_by_class(self, y, sample_weight, incremental: bool, dtype):
        """The sample weights of the objective (classifiers: times
        ``class_weight``)."""
        return sample_weight

    # -- parameters ------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        return hidden_sizes(self.hidden_layer_sizes)

    def _dropout_rates(self) -> list[float]:
        return per_layer_rates(self.dropout, len(self._hidden_sizes()))

    def _check_param_combinations(self) -> None:
        """Rules that tie several parameters together, in one place."""
        rates = self._dropout_rates()  # also checks hidden_layer_sizes
        if self.solver == "lbfgs" and (any(rates) or self.input_noise > 0):
            raise ValueError(
                "dropout and input_noise make the objective random, which "
                "L-BFGS's line search cannot handle; use solver='adam' or 'sgd' "
                "with them (batch_norm works with every solver)."
            )

    def _check_partial_fit(self) -> bool:
        """``partial_fit`` exists for the stochastic solvers (as in
        scikit-learn, also with ``early_stopping=True``, where calling it
        raises a ValueError)."""
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # -- fitting -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values: class labels (or a label-indicator matrix for
            multilabel targets) for a classifier.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights ``s_i`` of the objective.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight=None, incremental=False):
        self._train(self._start_fit(X, y, sample_weight, incremental))
        if self.relax is not None and not incremental:
            self._refit_relaxed(X, y, sample_weight, self.relax)
        return self

    def _train(self, start: FitStart):
        """Run the training that ``start`` prepared and store its result."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if self.solver == "lbfgs":
                outcome = fit_full_batch(
                    start.config, start.network, start.X, start.Y, start.sample_weight
                )
            else:
                outcome = self._fit_stochastic(start)
        return self._end_fit(start, outcome)

    def _refit_relaxed(self, X, y, sample_weight, relax: float):
        """The relaxed refit of a fitted model: resume from its weights with
        penalty strength ``relax * alpha``, the inputs it left unused held at
        exactly 0 (``relax=1`` keeps the model as it is)."""
        if relax == 1.0:
            return self
        keep = self.feature_importances_ > 0
        n_iter = self.n_iter_
        start = self._start_fit(X, y, sample_weight, incremental=False, resume=True)
        start.config = replace(start.config, alpha=self.alpha * relax, keep_inputs=keep)
        self._train(start)
        self.n_iter_ += n_iter
        return self

    def _start_fit(
        self, X, y, sample_weight, incremental: bool, resume: bool = False
    ) -> FitStart:
        """Everything before training: validated data and targets, the
        network (initialized, or loaded to warm-start or ``resume``) and the
        config."""
        self._check_param_combinations()
        if incremental and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: one call sees "
                "one chunk of data, so there is no held-out set to stop on. Use "
                "fit, or set early_stopping=False."
            )
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental and not resume
        )
        X, y = validate_fit_data(
            self, X, y, classifier=is_classifier(self), reset=first_pass
        )
        check_magnitude(X, "X")
        if not first_pass:
            X = X.astype(self.coefs_[0].dtype, copy=False)
        input_scale = check_input_scale(self.input_scale, X.shape[1])
        X = scale_columns(X, input_scale)
        Y = self._validate_targets(y, incremental, first_pass).astype(X.dtype)
        sample_weight = check_fit_sample_weight(sample_weight, X)
        sample_weight = self._weighted_by_class(y, sample_weight, incremental, X.dtype)
        Y = self._scale_targets(Y, sample_weight, first_pass)
        network = self._build_network(X.shape[1], Y.shape[1], X.dtype)
        random_state = check_random_state(self.random_state)
        if first_pass:
            self._reset_fitted_state(network)
            network.initialize(make_rng(random_state), self.activation)
        else:
            self._load_fitted_weights(network)
        if first_pass or not incremental:
            self.__dict__.pop("_partial_fit_run", None)
        config = TrainingConfig.from_params(
            type(self).__name__, self.get_params(deep=False)
        )
        kept = kept_inputs(input_scale)
        if kept is not None:  # inputs scaled by 0 stay unused (frozen at 0)
            zero_input_rows(network.theta, kept, **network.input_groups)
            config = replace(config, keep_inputs=kept)
        return FitStart(
            X, Y, sample_weight, network, random_state, config, incremental, input_scale
        )

    def _end_fit(self, start: FitStart, outcome: FitOutcome):
        """Everything after training: history, warnings and errors, weights."""
        self._store_history(outcome, start.incremental)
        report(start.config, outcome)
        self._store_network(start.network, start.config)
        return self

    def _stochastic_problem(self, start: FitStart) -> StochasticProblem:
        stratify = self._stratify_labels(start.Y) if self.early_stopping else None
        return StochasticProblem(
            start.X,
            start.Y,
            start.sample_weight,
            self._validation_score,
            stratify,
            # A classifier's accuracy is a step function of the weights, so
            # early stopping also watches the held-out loss; the regressor's
            # R^2 is already smooth (and the same order as its loss). With one
            # class the accuracy is 1 whatever the weights and the log loss
            # falls forever: scikit-learn's rule alone.
            monitor_loss=is_classifier(self) and len(self.classes_) > 1,
        )

    def _previous_best_loss(self) -> float:
        """The training-loss monitor's start: a warm start continues from the
        previous fit's best loss."""
        best_loss = getattr(self, "best_loss_", None)
        return np.inf if best_loss is None else best_loss

    def _fit_stochastic(self, start: FitStart) -> FitOutcome:
        incremental = start.incremental
        outcome, run = fit_stochastic(
            start.config,
            start.network,
            self._stochastic_problem(start),
            start.random_state,
            run=self.__dict__.get("_partial_fit_run") if incremental else None,
            incremental=incremental,
            t=self.t_,
            best_loss=self._previous_best_loss(),
            # partial_fit numbers its epochs on from the previous calls
            first_epoch=len(getattr(self, "loss_curve_", [])) + 1 if incremental else 1,
        )
        # A run left non-finite by a divergence must not poison the next
        # partial_fit call: that one starts a fresh run.
        if incremental and outcome.status != "diverged":
            self._partial_fit_run = run
        else:
            self.__dict__.pop("_partial_fit_run", None)
        return outcome

    # -- inference -----------------------------------------------------------------
    def _check_predict_X(self, X):
        """Validated prediction input (CSR if sparse), refusing overflow."""
        X = validate_predict_X(self, X)
        check_magnitude(X, "X")
        return scale_columns(X, check_input_scale(self.input_scale, X.shape[1]))

    def _forward(self, X):
        """Linked network output (mean / probabilities), shape (n, n_outputs_)."""
        X = self._check_predict_X(X)
        network = self._inference_network()
        X = X.astype(network.dtype, copy=False)
        with np.errstate(over="ignore", invalid="ignore"):
            out = network.predict(X, chunk_size=PREDICT_CHUNK_ROWS)
        if not np.isfinite(out).all():
            raise ValueError(
                "The network's output overflowed (inf or nan) for some rows of X: "
                "they are far outside the range of the training data. Scale X "
                "the same way as at fit time (e.g. with a StandardScaler in a "
                "Pipeline)."
            )
        return out

    def _build_network(self, n_features, n_outputs, dtype):
        return build_network(
            n_features,
            self._hidden_sizes(),
            n_outputs,
            self.activation,
            self._loss_name(),
            dtype,
            dropout=self._dropout_rates(),
            batch_norm=self.batch_norm,
            batch_norm_momentum=self.batch_norm_momentum,
            input_noise=self.input_noise,
            skip_connection=self.skip_connection,
        )

    def _inference_network(self, dropout=0.0):
        """The fitted network (dropout layers only when ``dropout`` is given)."""
        network = build_network(
            self.n_features_in_,
            [W.shape[1] for W in self.coefs_[:-1]],
            self.n_outputs_,
            self.activation,
            self._loss_name(),
            self.coefs_[0].dtype,
            dropout=dropout,
            batch_norm=hasattr(self, "batch_norm_gamma_"),
            skip_connection=hasattr(self, "skip_coef_"),
        )
        self._load_fitted_weights(network)
        return network

    def _mc_dropout_moments(self, X):
        """Mean and standard deviation of ``mc_samples`` Monte Carlo dropout
        passes (dropout on, batch norm on running statistics, no input noise).

        Deterministic for a fixed ``random_state``.
        """
        check_is_fitted(self)
        rates = self._dropout_rates()
        if not any(rates):
            raise ValueError(
                "Monte Carlo dropout needs dropout > 0, but this model was set up "
                f"with dropout={self.dropout!r}. Refit with e.g. dropout=0.1, or "
                "use skreg.MLPEnsembleRegressor / MLPEnsembleClassifier for "
                "uncertainty without dropout."
            )
        X = self._check_predict_X(X)
        network = self._inference_network(dropout=rates)
        X = X.astype(network.dtype, copy=False)
        rng = make_rng(check_random_state(self.random_state))
        total = np.zeros((X.shape[0], self.n_outputs_))
        total_sq = np.zeros_like(total)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(self.mc_samples):
                draw = network.predict(
                    X, chunk_size=PREDICT_CHUNK_ROWS, rng=rng, mc_dropout=True
                )
                total += draw
                total_sq += np.square(draw, dtype=np.float64)
        mean = total / self.mc_samples
        var = np.maximum(total_sq / self.mc_samples - mean**2, 0.0)
        dtype = network.dtype
        return mean.astype(dtype), np.sqrt(var).astype(dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
