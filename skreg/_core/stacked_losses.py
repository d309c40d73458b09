"""The losses of :mod:`skreg._core.losses` on stacked outputs ``(G, n, k)``.

Each function returns one weighted loss sum ``sum_i s_i l_i`` per model (a
float64 array of length ``G``) and writes ``scale * s_i * dl_i/dz_i`` to
``out``, with the single loss's operations and dtypes: per-row sums along the
last axis, per-model sums over rows by the same pairwise summation
(``sum(axis=1)`` of contiguous rows) or BLAS dot (``np.matmul`` of a
``(1, n) @ (n, 1)`` pair calls the same dot as ``np.dot`` / ``np.vdot``), so
each model's value is the single loss's value on that model's batch.

``scale`` is a Python float (one value for every model, the single loss's
weak scalar) or a ``(G, 1)`` array in the outputs' dtype (one per model).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .losses import Loss, logistic_loss_and_residual


def _dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.dot(a[g], b[g])`` for each model ``g`` of two ``(G, n)`` arrays."""
    return np.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]


def _weighted_sums(per_sample: np.ndarray, sample_weight) -> np.ndarray:
    """Per-model ``sum_i s_i l_i`` of ``(G, n)`` per-sample losses."""
    if sample_weight is None:
        return per_sample.sum(axis=1).astype(np.float64)
    return _dot_rows(sample_weight, per_sample).astype(np.float64)


def _scale_rows(G: np.ndarray, sample_weight, scale) -> np.ndarray:
    if isinstance(scale, np.ndarray) and sample_weight is None:
        scale = scale[:, :, None]
    if sample_weight is None:
        G *= scale
    else:
        G *= (sample_weight * scale)[:, :, None]
    return G


def _squared_error(y, raw, sample_weight, scale, out):
    np.subtract(raw, y, out=out)
    if sample_weight is None:
        flat = out.reshape(out.shape[0], -1)
        loss = 0.5 * _dot_rows(flat, flat).astype(np.float64)
    else:
        per_sample = np.einsum("gij,gij->gi", out, out)
        loss = 0.5 * _dot_rows(sample_weight, per_sample).astype(np.float64)
    return loss, _scale_rows(out, sample_weight, scale)


def _poisson(y, raw, sample_weight, scale, out):
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0)
    per_sample = (ylogy - y * raw - y + np.exp(raw)).sum(axis=2)
    loss = _weighted_sums(per_sample, sample_weight)
    np.exp(raw, out=out)
    out -= y
    return loss, _scale_rows(out, sample_weight, scale)


def _binary_log_loss(y, raw, sample_weight, scale, out):
    per_element = logistic_loss_and_residual(y, raw, out)
    loss = _weighted_sums(per_element.sum(axis=2), sample_weight)
    return loss, _scale_rows(out, sample_weight, scale)


def _log_loss(y, raw, sample_weight, scale, out):
    zmax = raw.max(axis=2, keepdims=True)
    np.subtract(raw, zmax, out=out)
    np.exp(out, out=out)
    total = out.sum(axis=2, keepdims=True)
    lse = np.log(total[:, :, 0]) + zmax[:, :, 0]
    per_sample = lse - np.einsum("gij,gij->gi", y, raw)
    loss = _weighted_sums(per_sample, sample_weight)
    out /= total
    out -= y
    return loss, _scale_rows(out, sample_weight, scale)


_VALUE_AND_GRADIENT: dict[str, Callable] = {
    "squared_error": _squared_error,
    "poisson": _poisson,
    "binary_log_loss": _binary_log_loss,
    "log_loss": _log_loss,
}


class StackedLoss:
    """A single loss's value, gradient and link on stacked outputs."""

    def __init__(self, loss: Loss):
        if loss.name not in _VALUE_AND_GRADIENT:
            raise TypeError(f"No stacked version of the loss {loss.name!r}.")
        self.single = loss
        self.name = loss.name
        self._value_and_gradient = _VALUE_AND_GRADIENT[loss.name]

    def value_and_gradient(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        sample_weight: np.ndarray | None,
        scale,
        out: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-model ``sum_i s_i l_i`` (float64, ``(G,)``) and the scaled
        gradient written to ``out`` (``(G, n, k)``)."""
        return self._value_and_gradient(y, raw, sample_weight, scale, out)

    def link(self, raw: np.ndarray) -> np.ndarray:
        """The single loss's link applied in place to each model's ``(n, k)``
        slice of a ``(G, n, k)`` array."""
        for g in range(raw.shape[0]):
            self.single.link(raw[g])
        return raw
