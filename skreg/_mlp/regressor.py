"""MLPRegressor: squared-error or Poisson regression."""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from .._sklearn_compat import StrOptions, _fit_context
from .._validation import check_magnitude
from .base import BaseMLP
from .docstrings import mlp_docstring


class MLPRegressor(RegressorMixin, BaseMLP):
    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
        "standardize_target": ["boolean"],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        penalty="l2",
        l1_ratio=0.5,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        batch_norm=False,
        batch_norm_momentum=0.1,
        input_noise=0.0,
        skip_connection=False,
        input_scale=None,
        relax=None,
        mc_samples=100,
        progress_bar=False,
        standardize_target=False,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            penalty=penalty,
            l1_ratio=l1_ratio,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            batch_norm=batch_norm,
            batch_norm_momentum=batch_norm_momentum,
            input_noise=input_noise,
            skip_connection=skip_connection,
            input_scale=input_scale,
            relax=relax,
            mc_samples=mc_samples,
            progress_bar=progress_bar,
        )
        self.loss = loss
        self.standardize_target = standardize_target

    def _loss_name(self):
        return self.loss

    def _validate_targets(self, y, incremental, first_pass):
        y = np.asarray(y)
        check_magnitude(y.astype(np.float64, copy=False), "y")
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' needs non-negative targets y (counts or rates); "
                f"got a minimum of {y.min()}."
            )
        return y.reshape(y.shape[0], -1)

    def _scale_targets(self, Y, sample_weight, first_pass):
        """The targets the network fits: ``(Y - target_mean_) / target_scale_``
        with ``standardize_target`` (the scaling set on a first pass, kept by
        warm starts, ``partial_fit`` and relaxed refits), else ``Y``."""
        if first_pass:
            self.__dict__.pop("target_mean_", None)
            self.__dict__.pop("target_scale_", None)
            if self.standardize_target:
                mean, scale = target_standardization(Y, sample_weight, self.loss)
                self.target_mean_, self.target_scale_ = mean, scale
        elif self.standardize_target != hasattr(self, "target_scale_"):
            raise ValueError(
                "standardize_target differs from the fitted model's; set "
                "warm_start=False (or refit) to change it."
            )
        if not hasattr(self, "target_scale_"):
            return Y
        return ((Y - self.target_mean_) / self.target_scale_).astype(Y.dtype)

    def _unscale(self, out, center=True):
        """Network outputs in the targets' units."""
        if not hasattr(self, "target_scale_"):
            return out
        out = out * self.target_scale_.astype(out.dtype)
        return out + self.target_mean_.astype(out.dtype) if center else out

    def _encode_fitted_targets(self, y):
        y = np.asarray(y)
        return y.reshape(y.shape[0], -1)

    def _validation_score(self, Y_true, Y_pred, sample_weight):
        return r2_score(Y_true, Y_pred, sample_weight=sample_weight)

    @available_if(lambda est: est._check_partial_fit())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        The penalty strength is ``alpha / S`` with ``S`` the total sample
        weight of this call's data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X, return_std=False):
        """Predict using the multilayer perceptron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Monte Carlo dropout: return the mean and the standard deviation of
            ``mc_samples`` forward passes with dropout on (batch norm uses its
            running statistics, input noise is off). Needs ``dropout > 0``;
            deterministic for a fixed ``random_state``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values (the Monte Carlo mean with ``return_std``).
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Standard deviation of the Monte Carlo passes; only with
            ``return_std=True``.
        """
        if return_std:
            mean, std = self._mc_dropout_moments(X)
            return _squeeze(self._unscale(mean)), _squeeze(self._unscale(std, False))
        return _squeeze(self._unscale(self._forward(X)))


MLPRegressor.__doc__ = mlp_docstring(
    "Multilayer perceptron regressor with L2 / L1 / elastic-net penalties.\n\n"
    "A drop-in superset of :class:`sklearn.neural_network.MLPRegressor`: the\n"
    "same parameters, defaults and fitted attributes, plus ``penalty`` and\n"
    "``l1_ratio``. The squared error is summed over outputs, so the loss and\n"
    "its gradient agree for multi-output targets.",
    extra_parameters="""\
loss : {'squared_error', 'poisson'}, default='squared_error'
    ``'squared_error'``: ``l_i = 1/2 ||y_i - f(x_i)||^2`` with an identity
    output. ``'poisson'``: half the Poisson deviance with a log link (targets
    must be non-negative).

standardize_target : bool, default=False
    Fit the network to the standardized targets ``(y - target_mean_) /
    target_scale_`` (per output, weighted by ``sample_weight``) and predict in
    ``y``'s units, as :class:`~sklearn.compose.TransformedTargetRegressor`
    with a :class:`~sklearn.preprocessing.StandardScaler` would. The
    objective ``J`` (and so ``alpha``, ``loss_curve_`` and ``coefs_``) is then
    that of the standardized targets. With ``loss='poisson'`` the targets are
    only divided by their mean (no centering). A first fit sets the scaling;
    warm starts and ``partial_fit`` keep it. Off by default, as in
    scikit-learn; :class:`MLPRegressorCV` turns it on.""",
    order=inspect.signature(MLPRegressor).parameters,
    extra_attributes="""\
target_mean_ : ndarray of shape (`n_outputs_`,)
    The targets' (weighted) mean subtracted before fitting (0 for
    ``loss='poisson'``); only with ``standardize_target=True``.

target_scale_ : ndarray of shape (`n_outputs_`,)
    The targets' (weighted) standard deviation (``loss='poisson'``: mean)
    they were divided by (1 for a constant output); only with
    ``standardize_target=True``.""",
    see_also="""\
MLPClassifier : The classifier counterpart.
sklearn.neural_network.MLPRegressor : The scikit-learn original, with L2 only.
sklearn.linear_model.Ridge : Equal to ``hidden_layer_sizes=()``, ``penalty='l2'``.""",
    examples="""\
>>> from sklearn.datasets import make_regression
>>> from skreg import MLPRegressor
>>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
>>> reg = MLPRegressor(hidden_layer_sizes=(), solver="lbfgs", alpha=1.0).fit(X, y)
>>> reg.coefs_[0].shape
(5, 1)
>>> reg.score(X, y) > 0.99
True""",
)


def target_standardization(Y, sample_weight, loss):
    """Per-output ``(mean, scale)`` of the targets under the sample weights:
    the mean and standard deviation for the squared error; for the Poisson
    loss no centering (counts stay non-negative) and the mean as the scale.
    A zero (or negligible) scale is 1."""
    Y = np.asarray(Y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = np.average(Y, axis=0, weights=sample_weight)
        if loss == "poisson":
            scale, mean = mean.copy(), np.zeros_like(mean)
        else:
            dev = np.average((Y - mean) ** 2, axis=0, weights=sample_weight)
            scale = np.sqrt(dev)
    tiny = 1e3 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
    return mean, np.where(scale > tiny, scale, 1.0)


def _squeeze(y_pred):
    return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred
