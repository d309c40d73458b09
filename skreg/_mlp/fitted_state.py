"""The fitted attributes of a plain estimator, written in one place.

``FittedNetworkMixin`` turns a training ``FitOutcome`` and the trained
network into the estimator's fitted attributes (scikit-learn's names:
``coefs_``, ``intercepts_``, ``loss_curve_``, ...; skreg's: batch-norm state,
``feature_importances_``, ``sparsity_``), and loads them back into a network
for warm starts, ``partial_fit`` and prediction.
"""

from __future__ import annotations

import numpy as np

from .fitting import FitOutcome, TrainingConfig
from .input_scale import check_input_scale

# batch-norm layer attribute -> fitted estimator attribute (one entry per layer)
_BN_ATTRIBUTES = {
    "gamma": "batch_norm_gamma_",
    "beta": "batch_norm_beta_",
    "running_mean": "batch_norm_running_mean_",
    "running_var": "batch_norm_running_var_",
}
_HISTORY_ATTRIBUTES = (
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
)


class FittedNetworkMixin:
    """Writes and reads the fitted attributes of a skreg network estimator."""

    def _reset_fitted_state(self, network) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(network.dense) + 1
        self.n_outputs_ = network.dense[-1].n_out
        self.out_activation_ = network.loss.out_activation
        for name in (*_HISTORY_ATTRIBUTES, *_BN_ATTRIBUTES.values()):
            self.__dict__.pop(name, None)

    def _store_history(self, outcome: FitOutcome, incremental: bool) -> None:
        """``n_iter_``, ``loss_`` and, for stochastic solvers, the curves."""
        self.n_iter_ = outcome.n_iter
        if outcome.loss is not None:
            self.loss_ = outcome.loss
        if self.solver == "lbfgs":
            return
        self.t_ = outcome.t
        self.loss_curve_ = getattr(self, "loss_curve_", []) + outcome.losses
        if outcome.validation_scores is not None:
            previous = getattr(self, "validation_scores_", None) or []
            self.validation_scores_ = previous + outcome.validation_scores
            self.best_validation_score_ = outcome.best_validation_score
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = outcome.best_loss

    def _load_fitted_weights(self, network) -> None:
        """Copy ``coefs_`` / ``intercepts_`` (and batch-norm state) into the
        network's parameters and buffers."""
        shapes = [W.shape for W in network.coefs]
        if [W.shape for W in self.coefs_] != shapes:
            raise ValueError(
                "The fitted network has layer shapes "
                f"{[W.shape for W in self.coefs_]} but the data and parameters "
                f"need {shapes}. Set warm_start=False (or refit) to change the "
                "architecture or the number of outputs."
            )
        for dst, src in zip(network.coefs, self.coefs_):
            dst[...] = src
        for dst, src in zip(network.intercepts, self.intercepts_):
            dst[...] = src
        bn_layers = network.batch_norm_layers
        if bool(bn_layers) != hasattr(self, "batch_norm_gamma_"):
            raise ValueError(
                "batch_norm differs from the fitted network's; set "
                "warm_start=False (or refit from scratch) to switch batch "
                "normalization on or off."
            )
        for i, layer in enumerate(bn_layers):
            for attr, name in _BN_ATTRIBUTES.items():
                getattr(layer, attr)[...] = getattr(self, name)[i]
        if (network.skip is not None) != hasattr(self, "skip_coef_"):
            raise ValueError(
                "skip_connection differs from the fitted network's; set "
                "warm_start=False (or refit from scratch) to switch the skip "
                "connection on or off."
            )
        if network.skip is not None:
            network.skip.W[...] = self.skip_coef_

    def _input_rows(self) -> list[np.ndarray]:
        """The weight matrices whose row ``j`` belongs to input ``j``: the
        first layer's and, with a skip connection, the skip weights."""
        skip = getattr(self, "skip_coef_", None)
        return [self.coefs_[0]] + ([] if skip is None else [skip])

    def _penalized_weights(self) -> list[np.ndarray]:
        """Every penalized weight matrix (dense layers and skip)."""
        skip = getattr(self, "skip_coef_", None)
        return list(self.coefs_) + ([] if skip is None else [skip])

    def _store_weight_summaries(self) -> None:
        """``feature_importances_``, ``n_features_selected_`` and ``sparsity_``
        of the stored weights (``coefs_``, ``skip_coef_``, ``input_scale``)."""
        rows = self._input_rows()
        self.feature_importances_ = np.sqrt(
            sum(np.einsum("ij,ij->i", W, W) for W in rows)
        )
        scale = check_input_scale(self.input_scale, len(self.feature_importances_))
        if scale is not None:  # the weights acting on the original inputs
            self.feature_importances_ *= scale.astype(self.feature_importances_.dtype)
        self.n_features_selected_ = int(np.count_nonzero(self.feature_importances_))
        weights = self._penalized_weights()
        n_zero = sum(int(np.count_nonzero(W == 0)) for W in weights)
        self.sparsity_ = n_zero / sum(W.size for W in weights)

    def _store_network(self, network, config: TrainingConfig) -> None:
        """The weights, batch-norm state and sparsity summaries of ``network``."""
        if not np.isfinite(network.theta).all():
            raise ValueError(config.diverged_message())
        self.coefs_ = [W.copy() for W in network.coefs]
        self.intercepts_ = [b.copy() for b in network.intercepts]
        if network.skip is not None:
            self.skip_coef_ = network.skip.W.copy()
        else:
            self.__dict__.pop("skip_coef_", None)
        self._store_weight_summaries()
        bn_layers = network.batch_norm_layers
        for attr, name in _BN_ATTRIBUTES.items():
            if bn_layers:
                values = [getattr(layer, attr).copy() for layer in bn_layers]
                setattr(self, name, values)
            else:
                self.__dict__.pop(name, None)
