"""``input_scale``: fixed per-input multipliers in front of the first layer.

The network of an estimator with ``input_scale=s`` sees ``X * s`` (column
``j`` times ``s[j]``) in fitting and in prediction, and an input with
``s[j] == 0`` is unused: its first-layer and skip rows are held at exactly 0
(the relaxed refit's frozen inputs). The objective is the README's with
``X * s`` for ``X``; since ``W_1`` acts on ``x * s``, that is the objective
on the original inputs with input ``j``'s weights ``s[j] * W_1[j]``, whose
penalty is the group lasso's ``||W_1[j]|| / s[j]`` (L1 alike; L2 with
``1 / s[j]**2``): the weighted ("adaptive") lasso with penalty weights
``1 / s[j]``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def check_input_scale(input_scale, n_features: int) -> np.ndarray | None:
    """The validated ``input_scale`` as a float64 vector, or None."""
    if input_scale is None:
        return None
    scale = np.asarray(input_scale, dtype=np.float64)
    if scale.shape != (n_features,):
        raise ValueError(
            f"input_scale must have one value per input feature, shape "
            f"({n_features},); got shape {scale.shape}."
        )
    if not np.all(np.isfinite(scale)) or np.any(scale < 0):
        raise ValueError(
            "input_scale must hold finite non-negative numbers (0 leaves an "
            "input unused)."
        )
    return scale


def scale_columns(X, scale: np.ndarray | None):
    """``X * scale`` column by column, in ``X``'s dtype and format (a new
    array; ``X`` itself is never modified)."""
    if scale is None:
        return X
    floating = np.issubdtype(X.dtype, np.floating)
    dtype = X.dtype if floating else np.float64
    if sp.issparse(X):
        return (X.astype(dtype) @ sp.diags(scale.astype(dtype))).tocsr()
    return np.asarray(X, dtype=dtype) * scale.astype(dtype)


def kept_inputs(scale: np.ndarray | None) -> np.ndarray | None:
    """The inputs a scale leaves in use (``scale > 0``), or None when all."""
    if scale is None or np.all(scale > 0):
        return None
    return scale > 0
