"""Weight initialization."""

from __future__ import annotations

import numpy as np


def glorot_uniform(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    dtype: np.dtype,
    activation: str = "relu",
) -> tuple[np.ndarray, np.ndarray]:
    """Glorot & Bengio (2010) uniform initialization of one dense layer.

    Weights and biases are drawn from U(-b, b) with
    ``b = sqrt(factor / (fan_in + fan_out))``, ``factor = 2`` for the logistic
    activation and 6 otherwise (the convention of scikit-learn's MLP). Draws are
    made in float64 and cast, so float32 and float64 fits start from the same
    rounded values.
    """
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    W = rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype, copy=False)
    b = rng.uniform(-bound, bound, size=fan_out).astype(dtype, copy=False)
    return W, b
