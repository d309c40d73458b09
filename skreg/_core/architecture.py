"""Assemble a network from the estimator-level description."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .layers import Activation, Dense
from .losses import make_loss
from .network import Network


def build_network(
    n_features: int,
    hidden_layer_sizes: Sequence[int],
    n_outputs: int,
    activation: str,
    loss: str,
    dtype=np.float64,
) -> Network:
    """``Dense -> activation`` per hidden layer, then a final ``Dense``.

    The final layer's output is the raw output; ``loss`` owns its link.
    """
    sizes = [n_features, *hidden_layer_sizes]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append(Dense(n_in, n_out, dtype))
        layers.append(Activation(activation))
    layers.append(Dense(sizes[-1], n_outputs, dtype))
    return Network(layers, make_loss(loss), dtype)
