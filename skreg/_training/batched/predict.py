"""Inference-mode predictions of a stack: on shared rows or on each model's own.

Rows are independent in inference mode (batch norm uses its running
statistics, dropout and noise are off), so models with validation sets of
different sizes are padded to the longest and the padding is dropped, and
large inputs are predicted in row chunks: neither changes a model's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..._core.stacked import StackedNetwork


def chunk_rows(net: StackedNetwork, n_models: int, budget: int) -> int:
    """Rows per prediction chunk so that ``n_models`` models' activations
    stay within ``budget`` bytes (at most 4096, the single predict's chunk)."""
    return int(max(1, min(4096, budget // max(1, n_models * net.row_bytes()))))


def _take(X, idx: np.ndarray):
    """``X[idx]`` per model: ``(G, n, n_in)``, or one CSR matrix per model."""
    if isinstance(X, np.ndarray):
        return np.take(X, idx, axis=0)
    return [X[rows] for rows in idx]


def predict_rows(
    net: StackedNetwork,
    X,
    rows: Sequence[np.ndarray | None],
    models: slice,
    chunk: int,
    link: bool = True,
) -> list[np.ndarray | None]:
    """Model ``models.start + g``'s predictions on ``X[rows[g]]`` (``None``
    where ``rows[g]`` is None): linked, or the raw outputs with ``link=False``."""
    lengths = [0 if r is None else len(r) for r in rows]
    n_max = max(lengths)
    idx = np.zeros((len(rows), n_max), dtype=np.intp)
    for g, r in enumerate(rows):
        if r is not None:
            idx[g, : len(r)] = r
    out = [np.empty((n, net.n_outputs), dtype=net.dtype) for n in lengths]
    for start in range(0, n_max, chunk):
        stop = min(start + chunk, n_max)
        pred = net.predict(_take(X, idx[:, start:stop]), models, link=link)
        for g, n in enumerate(lengths):
            if n > start:
                out[g][start : min(stop, n)] = pred[g, : min(stop, n) - start]
    return [o if r is not None else None for o, r in zip(out, rows)]


def predict_shared(net: StackedNetwork, X, models: slice, chunk: int) -> np.ndarray:
    """Every model of ``models`` on all rows of ``X``: ``(G, n, n_outputs)``."""
    n_models = models.stop - models.start
    out = np.empty((n_models, X.shape[0], net.n_outputs), dtype=net.dtype)
    for start in range(0, X.shape[0], chunk):
        stop = min(start + chunk, X.shape[0])
        out[:, start:stop] = net.predict(X[start:stop], models)
    return out
