"""Losses that own their output link.

Every loss works on the *raw* output of the last dense layer (the logits /
linear predictor) and owns the link that turns it into a prediction, so that
its value and its gradient always agree. Per-sample losses are summed over the
outputs:

* ``squared_error``  identity link, ``l_i = 1/2 * sum_k (y_ik - z_ik)^2``
* ``poisson``        log link, ``l_i = sum_k [y log(y / mu) - y + mu]`` with
  ``mu = exp(z)`` (half the Poisson deviance)
* ``binary_log_loss`` logistic link (binary and multilabel),
  ``l_i = -sum_k [y log p + (1 - y) log(1 - p)]``
* ``log_loss``        softmax link (multiclass), ``l_i = -sum_k y_ik log p_ik``

For all four the link is canonical, so the gradient of ``l_i`` with respect to
the raw output is ``link(z_i) - y_i``; each class still computes its own.
Values are computed from the raw output in a numerically stable way.
"""

from __future__ import annotations

import numpy as np


def _weighted_sum(per_sample: np.ndarray, sample_weight: np.ndarray | None) -> float:
    if sample_weight is None:
        return float(per_sample.sum())
    return float(np.dot(sample_weight, per_sample))


def _scale_rows(G: np.ndarray, sample_weight: np.ndarray | None, scale: float):
    if sample_weight is None:
        G *= scale
    else:
        G *= (sample_weight * scale)[:, None]
    return G


def _sigmoid(raw: np.ndarray, e: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write the logistic function of ``raw`` to ``out``, given
    ``e = exp(-|raw|)`` (overwritten).

    Exact in both tails: ``p = 1 / (1 + e)`` for ``z >= 0``, ``e / (1 + e)``
    otherwise, with ``e <= 1``.
    """
    num = np.where(raw >= 0, 1.0, e)
    e += 1.0
    np.divide(num, e, out=out)
    return out


def logistic_loss_and_residual(
    y: np.ndarray, raw: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """Per-element binary log loss ``softplus(z) - y z`` of the raw output.

    Writes the residual ``sigmoid(z) - y`` (the gradient) to ``out``. One
    ``exp(-|z|)`` serves the loss (softplus) and the link (sigmoid). Works
    on any shape: the single loss's ``(n, k)`` outputs and the stacked
    ``(G, n, k)`` ones, which sum the result along their own axes.
    """
    e = np.exp(-np.abs(raw))
    per_element = np.maximum(raw, 0) + np.log1p(e) - y * raw
    _sigmoid(raw, e, out)
    out -= y
    return per_element


class Loss:
    """Base class: ``value`` and ``value_and_gradient`` on the raw output."""

    name = ""
    out_activation = ""

    def link(self, raw: np.ndarray) -> np.ndarray:
        """Turn the raw output into a prediction, in place."""
        raise NotImplementedError

    def per_sample(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """Per-sample loss ``l_i`` (summed over outputs), shape (n_samples,)."""
        raise NotImplementedError

    def value(
        self, y: np.ndarray, raw: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> float:
        """Weighted sum ``sum_i s_i l_i`` (not divided by the total weight)."""
        return _weighted_sum(self.per_sample(y, raw), sample_weight)

    def value_and_gradient(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        sample_weight: np.ndarray | None,
        scale: float,
        out: np.ndarray,
    ) -> tuple[float, np.ndarray]:
        """Return ``sum_i s_i l_i`` and write ``scale * s_i * dl_i/dz_i`` to ``out``."""
        loss = self.value(y, raw, sample_weight)
        np.copyto(out, raw)
        self.link(out)
        out -= y
        return loss, _scale_rows(out, sample_weight, scale)


class SquaredError(Loss):
    name = "squared_error"
    out_activation = "identity"

    def link(self, raw):
        return raw

    def per_sample(self, y, raw):
        r = raw - y
        return 0.5 * np.einsum("ij,ij->i", r, r)

    def value_and_gradient(self, y, raw, sample_weight, scale, out):
        np.subtract(raw, y, out=out)
        if sample_weight is None:
            loss = 0.5 * float(np.vdot(out, out))
        else:
            loss = 0.5 * float(np.dot(sample_weight, np.einsum("ij,ij->i", out, out)))
        return loss, _scale_rows(out, sample_weight, scale)


class Poisson(Loss):
    name = "poisson"
    out_activation = "exp"

    def link(self, raw):
        return np.exp(raw, out=raw)

    def per_sample(self, y, raw):
        with np.errstate(divide="ignore", invalid="ignore"):
            ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0)
        return (ylogy - y * raw - y + np.exp(raw)).sum(axis=1)


class BinaryLogLoss(Loss):
    name = "binary_log_loss"
    out_activation = "logistic"

    def link(self, raw):
        return _sigmoid(raw, np.exp(-np.abs(raw)), raw)

    def per_sample(self, y, raw):
        softplus = np.maximum(raw, 0) + np.log1p(np.exp(-np.abs(raw)))
        return (softplus - y * raw).sum(axis=1)

    def value_and_gradient(self, y, raw, sample_weight, scale, out):
        per_element = logistic_loss_and_residual(y, raw, out)
        loss = _weighted_sum(per_element.sum(axis=1), sample_weight)
        return loss, _scale_rows(out, sample_weight, scale)


class LogLoss(Loss):
    name = "log_loss"
    out_activation = "softmax"

    def link(self, raw):
        raw -= raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)
        return raw

    def per_sample(self, y, raw):
        zmax = raw.max(axis=1, keepdims=True)
        lse = np.log(np.exp(raw - zmax).sum(axis=1)) + zmax[:, 0]
        return lse - np.einsum("ij,ij->i", y, raw)

    def value_and_gradient(self, y, raw, sample_weight, scale, out):
        # One exp(z - max) serves the log-sum-exp and the softmax.
        zmax = raw.max(axis=1, keepdims=True)
        np.subtract(raw, zmax, out=out)
        np.exp(out, out=out)
        total = out.sum(axis=1, keepdims=True)
        lse = np.log(total[:, 0]) + zmax[:, 0]
        per_sample = lse - np.einsum("ij,ij->i", y, raw)
        loss = _weighted_sum(per_sample, sample_weight)
        out /= total
        out -= y
        return loss, _scale_rows(out, sample_weight, scale)


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls for cls in (SquaredError, Poisson, BinaryLogLoss, LogLoss)
}


def make_loss(name: str) -> Loss:
    """Instantiate a loss by name (one of ``LOSSES``)."""
    return LOSSES[name]()
