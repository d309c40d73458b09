"""Pure-NumPy numeric core of skreg.

Layers with ``forward(X, training, rng) -> (out, cache)`` and
``backward(dout, cache) -> (dX, grads)``, losses that own their output link,
and initializers. Nothing here imports scikit-learn; randomness and the
train/eval mode are always passed in explicitly.
"""

from .activations import ACTIVATIONS
from .architecture import build_network
from .init import glorot_uniform
from .layers import Activation, Dense
from .losses import LOSSES, make_loss
from .network import Network
from .regularization_layers import BatchNorm, Dropout, GaussianNoise

__all__ = [
    "ACTIVATIONS",
    "build_network",
    "Activation",
    "BatchNorm",
    "Dropout",
    "GaussianNoise",
    "Dense",
    "LOSSES",
    "Network",
    "glorot_uniform",
    "make_loss",
]
