"""Hidden-layer activations, applied in place.

Each activation is a pair of functions:

* ``forward(Z)`` overwrites the pre-activation ``Z`` with ``f(Z)`` and returns it;
* ``backward(A, dA)`` overwrites ``dA`` with ``dA * f'(Z)``, where the derivative
  is expressed through the *output* ``A = f(Z)`` so that ``Z`` need not be kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class ActivationFunctions(NamedTuple):
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _identity(Z: np.ndarray) -> np.ndarray:
    return Z


def _identity_backward(A: np.ndarray, dA: np.ndarray) -> np.ndarray:
    return dA


def _logistic(Z: np.ndarray) -> np.ndarray:
    # sigma(z) = (1 + tanh(z / 2)) / 2: overflow-free and fully in place.
    Z *= 0.5
    np.tanh(Z, out=Z)
    Z += 1.0
    Z *= 0.5
    return Z


def _logistic_backward(A: np.ndarray, dA: np.ndarray) -> np.ndarray:
    dA *= A
    dA *= 1.0 - A
    return dA


def _tanh(Z: np.ndarray) -> np.ndarray:
    return np.tanh(Z, out=Z)


def _tanh_backward(A: np.ndarray, dA: np.ndarray) -> np.ndarray:
    dA *= 1.0 - A * A
    return dA


def _relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0, out=Z)


def _relu_backward(A: np.ndarray, dA: np.ndarray) -> np.ndarray:
    # A > 0 exactly where Z > 0; multiplying by the boolean mask keeps dtype.
    np.multiply(dA, A > 0, out=dA)
    return dA


ACTIVATIONS: dict[str, ActivationFunctions] = {
    "identity": ActivationFunctions(_identity, _identity_backward),
    "logistic": ActivationFunctions(_logistic, _logistic_backward),
    "tanh": ActivationFunctions(_tanh, _tanh_backward),
    "relu": ActivationFunctions(_relu, _relu_backward),
}
