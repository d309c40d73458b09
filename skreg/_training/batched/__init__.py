"""Train many networks of one architecture as one stacked computation.

The folds x alphas x l1_ratios of a cross-validated search and the members of
an ensemble are networks of one architecture that differ in their data rows,
sample weights, penalty, random stream, starting point and stopping time.
:func:`train_batched` trains them together: parameters, optimizer state and
activations get a leading model axis (:mod:`skreg._core.stacked` says why
this layout), so one NumPy call per layer and step serves every model.

A model trained in a batch equals the same model trained alone by
:class:`~skreg._training.stochastic.StochasticRun` and
:func:`~skreg._training.stochastic.train_epochs` on ``X[rows]`` with the same
generator, initial parameters and settings: its generator is consumed in the
single loop's order (permutation at each epoch's start, then per minibatch
the input noise and the dropout masks in layer order), every operation is the
single code's per model, and its own monitor decides when it stops. The
weights, running statistics, loss curves and stopping epochs are
bit-identical in float64 and float32 (``tests/test_batched.py``), with a
skip connection too (the group lasso's groups joint over first-layer and
skip rows) and with frozen inputs per model (``ModelSpec.keep_inputs``, the
relaxed refit's ``FrozenInputs``: gradient rows zeroed after the smooth
gradient, weight rows after the proximal step where the single loop takes
one).

Speed: stacking removes the single loop's fixed cost per step (~40 us of
NumPy calls), not its arithmetic (:mod:`skreg._core.stacked`). Measured with
``benchmarks/bench_batched.py --blas-threads 1`` (10 epochs, sequential time
over batched time, median of paired runs on a busy 2-core machine): 50
models of a 5-fold x 10-alpha search on 442 x 50 inputs, hidden (64,): 1.3x
to 1.6x; the same on 442 x 10, hidden (16,): 2.6x to 2.8x; 10 bootstrap
members: 1.2x; 4 models with hidden (256, 256) on 20000 x 100: 1.0x.
A whole ``MLPRegressorCV`` search with relaxed refits (diabetes + 40 noise
columns, hidden (64,), group lasso, skip connection, 5 folds x 10 alphas,
``relax=[0, 0.3, 1]``, max_iter 300), batched paths against sequential
ones: 1.06x to 1.4x CPU time (median 1.19x of 7 paired runs); most of its
time is the first-layer products, which stacking does not make cheaper.

Memory (:mod:`.memory`): a minibatch step trains as many models as keep its
working set within ``STEP_CACHE_BYTES``; a stack holds every model's
parameters and optimizer state. When the estimate for the whole stack
exceeds ``memory_budget`` (default ``STACK_BYTES_BUDGET``), the models are
split into chunks trained one after another, which changes no model's
numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..._core.network import Network
from ..._core.stacked import StackedNetwork
from .engine import BatchedRun, batch_rows
from .memory import (
    STACK_BYTES_BUDGET,
    STEP_CACHE_BYTES,
    chunk_rows,
    models_per_chunk,
    stack_bytes,
)
from .optimizers import AdamSettings, SGDSettings
from .predict import predict_rows, predict_shared
from .schedule import twin_ids
from .specs import ModelOutcome, ModelSpec

__all__ = [
    "STACK_BYTES_BUDGET",
    "STEP_CACHE_BYTES",
    "AdamSettings",
    "ModelOutcome",
    "ModelSpec",
    "SGDSettings",
    "models_per_chunk",
    "predict_batched",
    "stack_bytes",
    "train_batched",
]


def train_batched(
    template: Network,
    X,
    Y: np.ndarray,
    models: Sequence[ModelSpec],
    *,
    optimizer: AdamSettings | SGDSettings,
    max_iter: int,
    tol: float = 1e-4,
    n_iter_no_change: int = 10,
    batch_size: int | str = "auto",
    shuffle: bool = True,
    memory_budget: int = STACK_BYTES_BUDGET,
) -> list[ModelOutcome]:
    """Train every model of ``models`` and return their outcomes, in order.

    Parameters
    ----------
    template : Network
        The architecture (``skreg._core.build_network(...)``), dtype included;
        its parameter values are not used.
    X : ndarray or scipy sparse matrix of shape (n_samples, n_features)
        All rows any model uses (cast to the template's dtype; sparse as CSR).
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets aligned with ``X``.
    models : sequence of ModelSpec
        One entry per model: rows, weights, penalty, generator, start,
        optional validation rows and score, optional frozen inputs.
    optimizer : AdamSettings or SGDSettings
        Shared optimizer settings; each model has its own state.
    max_iter, tol, n_iter_no_change : int, float, int
        The single loop's stopping rule, applied to each model alone.
    batch_size : int or 'auto'
        Per model, ``'auto'`` is ``min(200, len(rows))``; an int is clipped
        to ``[1, len(rows)]``.
    shuffle : bool
        Reshuffle each model's rows at every epoch (its own generator).
    memory_budget : int
        Bytes per stack (``memory.models_per_chunk``); more models train in
        chunks one after another.

    Returns
    -------
    list of ModelOutcome
    """
    X, Y = _check_data(template, X, Y)
    for spec in models:
        _check_spec(spec, template, X.shape[0])
    # Models of equal size have equal batch spans: keep them next to each
    # other (weighted and unweighted models never share a step), twins
    # next to each other within them.
    twins = twin_ids(models)
    order = sorted(
        range(len(models)),
        key=lambda i: (
            models[i].sample_weight is not None,
            -len(models[i].rows),
            twins[i],
        ),
    )
    n_max = max((len(m.rows) for m in models), default=0)
    per_chunk = models_per_chunk(
        template, batch_rows(batch_size, max(n_max, 1)), n_max, memory_budget
    )
    outcomes: list[ModelOutcome | None] = [None] * len(models)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, len(order), per_chunk):
            chunk = order[start : start + per_chunk]
            run = BatchedRun(
                template,
                X,
                Y,
                [models[i] for i in chunk],
                optimizer=optimizer,
                tol=tol,
                batch_size=batch_size,
                shuffle=shuffle,
                n_iter_no_change=n_iter_no_change,
            )
            for i, outcome in zip(chunk, run.train(max_iter)):
                outcomes[i] = outcome
    return outcomes


def predict_batched(
    template: Network,
    states: Sequence[dict],
    X,
    rows: Sequence[np.ndarray] | None = None,
    *,
    memory_budget: int = STACK_BYTES_BUDGET,
):
    """Inference-mode (linked) predictions of several models at once.

    ``states`` are ``Network.state()``-style mappings (e.g. each
    ``ModelOutcome.state``). Without ``rows``, every model predicts all of
    ``X``: an array ``(n_models, n_samples, n_outputs)`` (ensemble
    prediction). With ``rows``, model ``m`` predicts ``X[rows[m]]`` (e.g. its
    held-out fold): a list of ``(len(rows[m]), n_outputs)`` arrays. Each
    model's predictions equal its single network's ``predict``.
    """
    X, _ = _check_data(template, X, None)
    if rows is not None and len(rows) != len(states):
        raise ValueError(f"Got {len(rows)} row sets for {len(states)} models.")
    n_out = template.dense[-1].n_out
    shape = (len(states), X.shape[0], n_out)
    out = [] if rows is not None else np.empty(shape, dtype=template.dtype)
    per_chunk = models_per_chunk(template, 1, 0, memory_budget)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, len(states), per_chunk):
            stop = min(start + per_chunk, len(states))
            net = StackedNetwork(template, stop - start)
            for m in range(start, stop):
                net.load_model_state(m - start, states[m])
            chunk = chunk_rows(net, stop - start)
            models = slice(0, stop - start)
            if rows is None:
                out[start:stop] = predict_shared(net, X, models, chunk)
            else:
                out += predict_rows(net, X, rows[start:stop], models, chunk)
    return out


def _check_data(template: Network, X, Y):
    if not isinstance(template, Network):
        raise TypeError(f"template must be a Network, got {type(template).__name__}.")
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=template.dtype)
    else:
        X = np.ascontiguousarray(X, dtype=template.dtype)
    n_in = template.dense[0].n_in
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"X must be 2-D with {n_in} columns, got shape {X.shape}.")
    if Y is None:
        return X, None
    Y = np.ascontiguousarray(Y, dtype=template.dtype)
    n_out = template.dense[-1].n_out
    if Y.shape != (X.shape[0], n_out):
        raise ValueError(
            f"Y must have shape ({X.shape[0]}, {n_out}) (n_samples, n_outputs), "
            f"got {Y.shape}."
        )
    return X, Y


def _check_spec(spec: ModelSpec, template: Network, n_samples: int) -> None:
    rows = np.asarray(spec.rows)
    if rows.ndim != 1 or len(rows) == 0 or rows.dtype.kind not in "iu":
        raise ValueError("ModelSpec.rows must be a non-empty 1-D integer array.")
    if rows.min() < 0 or rows.max() >= n_samples:
        raise ValueError(f"ModelSpec.rows must index the {n_samples} rows of X.")
    if np.shape(spec.theta) != template.theta.shape:
        raise ValueError(
            f"ModelSpec.theta must have shape {template.theta.shape} (the "
            f"template's flat parameters), got {np.shape(spec.theta)}."
        )
    if spec.sample_weight is not None and len(spec.sample_weight) != len(rows):
        raise ValueError("ModelSpec.sample_weight must be aligned with rows.")
    if (spec.validation_rows is None) != (spec.validation_score is None):
        raise ValueError("ModelSpec.validation_rows and validation_score go together.")
    val = spec.validation_rows
    if val is not None and (len(val) == 0 or min(val) < 0 or max(val) >= n_samples):
        raise ValueError(
            f"ModelSpec.validation_rows must be non-empty rows of the {n_samples} "
            "rows of X."
        )
    vsw = spec.validation_sample_weight
    if vsw is not None and (val is None or len(vsw) != len(val)):
        raise ValueError(
            "ModelSpec.validation_sample_weight must be aligned with validation_rows."
        )
    if not isinstance(spec.rng, np.random.Generator):
        raise TypeError("ModelSpec.rng must be a numpy.random.Generator.")
    keep = spec.keep_inputs
    n_in = template.dense[0].n_in
    if keep is not None and (
        np.shape(keep) != (n_in,) or np.asarray(keep).dtype != bool
    ):
        raise ValueError(
            f"ModelSpec.keep_inputs must be a boolean array of shape ({n_in},) "
            "(one flag per input) or None."
        )
