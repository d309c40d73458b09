"""MLPRegressor: squared-error or Poisson regression."""

from __future__ import annotations

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
        relax=None,
        mc_samples=100,
        progress_bar=False,
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
            relax=relax,
            mc_samples=mc_samples,
            progress_bar=progress_bar,
        )
        self.loss = loss

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
            return tuple(_squeeze(a) for a in self._mc_dropout_moments(X))
        return _squeeze(self._forward(X))


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
    must be non-negative).""",
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


def _squeeze(y_pred):
    return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred
