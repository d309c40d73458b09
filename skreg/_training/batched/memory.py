"""How much a stack holds, and how it is kept in bounds.

Two limits, both module constants:

* ``STEP_CACHE_BYTES``: one minibatch step trains at most as many models as
  keep its working set (their activations for one batch, their parameter and
  optimizer rows) within this many bytes. Each NumPy call of a step costs a
  fixed overhead plus its passes over the data: grouping models shares the
  overhead, and a working set that stays in a core's L2 cache keeps the
  passes fast. Measured on the cv case of ``benchmarks/bench_batched.py``
  (50 models, 442 x 50, hidden 64, 1 BLAS thread, best of 10): 2 models per
  step 1.19x the sequential speed, 4-8 models 1.3x, all 50 at once 1.14x; on
  the GEMM case (hidden 256, 256) one model per step is fastest.
* ``STACK_BYTES_BUDGET``: what a whole stack may hold (every model's
  parameters, gradient, optimizer state, snapshots and row indices, plus one
  step's activations and the validation predictions). Above it the models
  are split into chunks trained one after another.

Validation predictions run in row chunks of at most ``PREDICT_BYTES``.
"""

from __future__ import annotations

import numpy as np

from ..._core.network import Network
from ..._core.stacked import StackedNetwork

STEP_CACHE_BYTES = 4 << 20
STACK_BYTES_BUDGET = 256 << 20
PREDICT_BYTES = 16 << 20

# Parameter-sized arrays a model keeps for the whole run: theta, grad, four
# Adam arrays, the penalty scratch, the end-of-epoch snapshot, the
# early-stopping snapshot and the outcome's final and returned states.
_STATE_ARRAYS = 11
# Parameter-sized temporaries of one model in a step (the proximal step).
_STEP_ARRAYS = 4


def step_bytes(net: StackedNetwork, batch_rows: int) -> int:
    """One model's share of a minibatch step's working set."""
    params = _STEP_ARRAYS * net.n_params * net.dtype.itemsize
    return net.row_bytes() * batch_rows + params


def models_per_step(net: StackedNetwork, batch_rows: int) -> int:
    """How many models one minibatch step trains together."""
    return max(1, STEP_CACHE_BYTES // step_bytes(net, batch_rows))


def state_bytes(net: StackedNetwork, n_rows: int) -> int:
    """What one model holds for the whole run."""
    intp = np.dtype(np.intp).itemsize
    params = _STATE_ARRAYS * net.n_params * net.dtype.itemsize
    return params + n_rows * (2 * intp + net.dtype.itemsize)


def stack_bytes(template: Network, n_models: int, batch_rows: int, n_rows: int) -> int:
    """The estimated peak of a stack of ``n_models`` models, each with
    ``n_rows`` training rows and batches of ``batch_rows`` rows (one full
    step's working set, whatever the number of models)."""
    net = StackedNetwork(template, 0)
    return n_models * state_bytes(net, n_rows) + _fixed_bytes(net, batch_rows)


def _fixed_bytes(net: StackedNetwork, batch_rows: int) -> int:
    """A step's working set and the prediction chunks."""
    step = models_per_step(net, batch_rows) * step_bytes(net, batch_rows)
    return step + PREDICT_BYTES


def models_per_chunk(
    template: Network, batch_rows: int, n_rows: int, memory_budget: int
) -> int:
    """The most models (at least one) whose stack fits ``memory_budget``."""
    net = StackedNetwork(template, 0)
    free = memory_budget - _fixed_bytes(net, batch_rows)
    return max(1, int(free // state_bytes(net, n_rows)))


def chunk_rows(net: StackedNetwork, n_models: int) -> int:
    """Rows per prediction chunk for ``n_models`` models (at most 4096, the
    single network's prediction chunk)."""
    per_row = max(1, n_models * net.row_bytes())
    return int(max(1, min(4096, PREDICT_BYTES // per_row)))
