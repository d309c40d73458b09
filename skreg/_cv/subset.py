"""A search on the inputs an ``input_scale`` keeps, widened back to all inputs.

Inputs scaled by 0 are unused (``_mlp.input_scale``): their columns add
nothing to any product and their weights stay 0. A CV search whose
``input_scale`` has zeros (the adaptive second search: the inputs the first
one dropped) therefore runs on the kept columns only, which costs what their
number costs, and its fitted models are then widened to every input with
rows of zeros, so that they take the full ``X`` and report every input
(``feature_importances_`` 0 for the dropped ones).
"""

from __future__ import annotations

import numpy as np


def _grow(W: np.ndarray, kept: np.ndarray) -> np.ndarray:
    out = np.zeros((kept.size, *W.shape[1:]), dtype=W.dtype)
    out[kept] = W
    return out


def widen(estimator, kept: np.ndarray, input_scale: np.ndarray):
    """The fitted plain ``estimator`` (fitted on ``X[:, kept]`` with
    ``input_scale[kept]``) as the same model of all the inputs: zero
    first-layer and skip rows for the others, ``input_scale`` in full.
    Changes and returns ``estimator``."""
    estimator.coefs_ = [_grow(estimator.coefs_[0], kept), *estimator.coefs_[1:]]
    if hasattr(estimator, "skip_coef_"):
        estimator.skip_coef_ = _grow(estimator.skip_coef_, kept)
    estimator.feature_importances_ = _grow(estimator.feature_importances_, kept)
    estimator.n_features_in_ = kept.size
    estimator.set_params(input_scale=input_scale)
    weights = estimator._penalized_weights()
    n_zero = sum(int(np.count_nonzero(W == 0)) for W in weights)
    estimator.sparsity_ = n_zero / sum(W.size for W in weights)
    return estimator


def widen_support(support: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """A ``support_path_``-like array over the kept inputs (last axis) as one
    over all inputs (False for the others)."""
    out = np.zeros((*support.shape[:-1], kept.size), dtype=bool)
    out[..., kept] = support
    return out
