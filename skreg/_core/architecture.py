"""Assemble a network from the estimator-level description."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np

from .layers import Activation, Dense, Linear
from .losses import make_loss
from .network import Network
from .regularization_layers import BatchNorm, Dropout, GaussianNoise


def build_network(
    n_features: int,
    hidden_layer_sizes: Sequence[int],
    n_outputs: int,
    activation: str,
    loss: str,
    dtype=np.float64,
    *,
    dropout: Sequence[float] | float = 0.0,
    batch_norm: bool = False,
    batch_norm_momentum: float = 0.1,
    input_noise: float = 0.0,
    skip_connection: bool = False,
) -> Network:
    """``[noise] -> (Dense -> [BatchNorm] -> activation -> [Dropout]) * L -> Dense``.

    ``dropout`` is one rate for every hidden layer or one rate per hidden
    layer. The final layer's output is the raw output; ``loss`` owns its link.
    ``skip_connection`` adds a linear map from the (noised) inputs to the raw
    output when there is a hidden layer; without one, the output layer is
    already that linear map.
    """
    rates = per_layer_rates(dropout, len(hidden_layer_sizes))
    layers = []
    if input_noise > 0:
        layers.append(GaussianNoise(input_noise, n_features, dtype))
    n_in = n_features
    for n_out, rate in zip(hidden_layer_sizes, rates):
        layers.append(Dense(n_in, n_out, dtype))
        if batch_norm:
            layers.append(BatchNorm(n_out, batch_norm_momentum, dtype=dtype))
        layers.append(Activation(activation))
        if rate > 0:
            layers.append(Dropout(rate, n_out, dtype))
        n_in = n_out
    layers.append(Dense(n_in, n_outputs, dtype))
    skip = None
    if skip_connection and len(hidden_layer_sizes):
        skip = Linear(n_features, n_outputs, dtype)
    return Network(layers, make_loss(loss), dtype, skip=skip)


def hidden_sizes(hidden_layer_sizes) -> list[int]:
    """The hidden layer widths from an int or a sequence of ints.

    An empty sequence means no hidden layer (a generalized linear model).
    Raises ``ValueError`` unless every width is a positive integer.
    """
    spec = hidden_layer_sizes
    sizes = list(spec) if hasattr(spec, "__iter__") else [spec]
    if not all(isinstance(s, Integral) and s > 0 for s in sizes):
        raise ValueError(
            f"hidden_layer_sizes must contain positive integers, got {sizes}."
        )
    return [int(s) for s in sizes]


def per_layer_rates(dropout, n_hidden: int) -> list[float]:
    """One dropout rate per hidden layer from a float or a sequence.

    Raises ``ValueError`` for a sequence of the wrong length or a rate outside
    [0, 1).
    """
    if np.ndim(dropout) == 0:
        rates = [float(dropout)] * n_hidden
    else:
        rates = [float(r) for r in dropout]
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout has {len(rates)} rates but hidden_layer_sizes has "
                f"{n_hidden} hidden layers; give one rate per hidden layer or a "
                "single float."
            )
    if any(not 0.0 <= r < 1.0 for r in rates):
        raise ValueError(f"Every dropout rate must be in [0, 1), got {rates}.")
    return rates
