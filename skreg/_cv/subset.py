"""The adaptive second search's ``input_scale``, and a search on the inputs
an ``input_scale`` keeps, widened back to all inputs.

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
    first-layer and skip rows for the others, ``input_scale`` in full, its
    importances and sparsity recomputed. Changes and returns ``estimator``."""
    estimator.coefs_ = [_grow(estimator.coefs_[0], kept), *estimator.coefs_[1:]]
    if hasattr(estimator, "skip_coef_"):
        estimator.skip_coef_ = _grow(estimator.skip_coef_, kept)
    estimator.n_features_in_ = kept.size
    estimator.set_params(input_scale=input_scale)
    estimator._store_weight_summaries()
    return estimator


def widen_support(support: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """A ``support_path_``-like array over the kept inputs (last axis) as one
    over all inputs (False for the others)."""
    out = np.zeros((*support.shape[:-1], kept.size), dtype=bool)
    out[..., kept] = support
    return out


def adaptive_scale(estimator) -> np.ndarray | None:
    """The second search's ``input_scale`` (``adaptive``): the fitted
    ``estimator``'s ``feature_importances_`` (the norms of the weights on the
    original inputs) over their largest, so that each input's penalty is
    divided by its first-search importance (the adaptive lasso's weights with
    exponent 1) and an unused input stays unused (and out of the search).
    None when no input is used."""
    importances = np.asarray(estimator.feature_importances_, dtype=np.float64)
    top = importances.max()
    if not top > 0:
        return None
    return importances / top
