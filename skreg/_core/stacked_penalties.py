"""Per-model weight penalties on the rows of a stacked weight matrix.

Model ``m`` carries its own penalty object of :mod:`skreg._core.penalties`
(its kind, strength ``alpha_m / S_m`` and ``l1_ratio``). The stacked penalty
reads four coefficients from each and applies them to the rows ``w[m]`` of the
``(M, n_penalized)`` weight matrix at once:

* ``l2_first`` / ``l2_rest``: the L2 (smooth) strength on the first layer's
  weights and on the deeper layers' (equal, except for the group lasso, whose
  first layer has no L2 term);
* ``l1``: the soft-thresholding strength (``strength * l1_ratio``);
* ``group``: the block soft-thresholding strength on the first layer's rows.

A coefficient of 0 makes its step an exact no-op (``w + 0 * w``,
thresholds of 0), so models whose penalties differ in kind share one stack
and each gets exactly its single penalty's update. The per-model values
themselves (``value``) are the single penalty objects' own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .penalties import Penalty


class StackedPenalty:
    """The penalties of M models; ``first_layer_shape`` is ``(n_in, n_units)``
    of the first weight matrix (the start of each weight row)."""

    def __init__(
        self,
        penalties: Sequence[Penalty],
        first_layer_shape: tuple[int, int],
        n_penalized: int,
        dtype,
    ):
        self.penalties = list(penalties)
        self.shape = tuple(first_layer_shape)
        self.size = self.shape[0] * self.shape[1]
        self.dtype = np.dtype(dtype)
        group = np.array([p.name == "group_lasso" for p in self.penalties], bool)
        l2 = np.array([p.l2_strength for p in self.penalties], dtype=np.float64)
        self.l2_rest = l2
        self.l2_first = np.where(group, 0.0, l2)
        self.l1 = np.array([p.l1_strength for p in self.penalties], np.float64)
        self.group = np.where(group, [p.strength for p in self.penalties], 0.0)
        self._scratch = np.empty((len(self.penalties), n_penalized), self.dtype)
        self._groups: dict[tuple[int, int], PenaltyGroup] = {}

    def take_models(self, keep: np.ndarray) -> None:
        """Keep only the models ``keep`` (in that order)."""
        self.penalties = [self.penalties[i] for i in keep]
        for name in ("l2_rest", "l2_first", "l1", "group"):
            setattr(self, name, getattr(self, name)[keep])
        self._scratch = self._scratch[: len(keep)]
        self._groups = {}

    def value(self, m: int, w: np.ndarray) -> float:
        """Model ``m``'s ``(alpha / S) R(w)`` (its own penalty object)."""
        return self.penalties[m].value(w)

    def values(self, w: np.ndarray) -> np.ndarray:
        """Every model's ``value`` at once (float64 ``(M,)``), with the single
        penalties' sums: a BLAS dot for squares, row sums for absolute
        values and group norms; a zero strength adds an exact 0.0."""
        l2, l1 = self.l2_rest, self.l1
        group = self.group != 0
        with np.errstate(invalid="ignore", over="ignore"):
            squares = _dot_rows(w, w)
            out = np.where(l2 != 0, 0.5 * l2 * squares, 0.0)
            if l1.any():
                absolute = np.abs(w).sum(axis=1).astype(np.float64)
                out += np.where(l1 != 0, l1 * absolute, 0.0)
            if group.any():
                first = w[:, : self.size].reshape(len(w), *self.shape)
                norms = np.sqrt(np.einsum("gij,gij->gi", first, first))
                rest = w[:, self.size :]
                total = norms.sum(axis=1).astype(np.float64)
                total += 0.5 * _dot_rows(rest, rest)
                out = np.where(group, self.group * total, out)
        return out

    def coefficients(self, models: slice) -> PenaltyGroup:
        """The coefficients of the models ``models``, ready for their steps
        (cached until :meth:`take_models`)."""
        key = (models.start, models.stop)
        if key not in self._groups:
            self._groups[key] = PenaltyGroup(self, models)
        return self._groups[key]


def _dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``float(np.dot(a[m], b[m]))`` for each row (the same BLAS dot)."""
    return np.matmul(a[:, None, :], b[:, :, None])[:, 0, 0].astype(np.float64)


class PenaltyGroup:
    """The penalty steps of a contiguous range of models (columns ``(G, 1)``
    of their coefficients in the weights' dtype: a single penalty's
    Python-float strength acts in that dtype too)."""

    def __init__(self, stacked: StackedPenalty, models: slice):
        dtype = stacked.dtype
        self.size, self.shape, self.dtype = stacked.size, stacked.shape, dtype
        first, rest = stacked.l2_first[models], stacked.l2_rest[models]
        self.smooth = bool(first.any() or rest.any())
        self.split = not np.array_equal(first, rest)
        self.l2_first = first[:, None].astype(dtype)
        self.l2_rest = rest[:, None].astype(dtype)
        self.l1_64 = stacked.l1[models, None]
        self.l1 = self.l1_64.astype(dtype)
        self.group_64 = stacked.group[models, None]
        self.group = self.group_64.astype(dtype)
        self.has_l1, self.has_group = bool(self.l1.any()), bool(self.group.any())
        self.has_prox = self.has_l1 or self.has_group
        self._scratch = stacked._scratch[models]

    def add_smooth_grad(self, w: np.ndarray, g: np.ndarray) -> None:
        """In place: ``g += l2 * w`` (rows of the models' weights / grads)."""
        if not self.smooth:
            return
        scratch = self._scratch
        if not self.split:
            np.multiply(w, self.l2_rest, out=scratch)
        else:
            k = self.size
            np.multiply(w[:, :k], self.l2_first, out=scratch[:, :k])
            np.multiply(w[:, k:], self.l2_rest, out=scratch[:, k:])
        g += scratch

    def prox(self, w: np.ndarray, step, per_coordinate: bool) -> None:
        """In place: the proximal steps of the non-smooth parts.

        ``step`` is the optimizer's step: per model (a Python float or a
        ``(G, 1)`` float64 column, SGD) or per coordinate (``(G, n_penalized)``
        in the weights' dtype, Adam), as the single penalty receives it.
        """
        if self.has_l1:
            if per_coordinate:
                threshold = step * self.l1
            else:  # a Python-float product, then the weights' dtype
                threshold = (step * self.l1_64).astype(self.dtype)
            clipped = np.minimum(w, threshold)
            np.maximum(clipped, np.negative(threshold), out=clipped)
            w -= clipped
        if self.has_group:
            self._group_prox(w, step, per_coordinate)

    def _group_prox(self, w, step, per_coordinate: bool) -> None:
        n_models = w.shape[0]
        first = w[:, : self.size].reshape(n_models, *self.shape)
        if per_coordinate:
            # One step per group: the harmonic mean of its coordinates' steps.
            inv = 1.0 / step[:, : self.size].reshape(n_models, *self.shape)
            threshold = (1.0 / inv.mean(axis=2)) * self.group
        else:
            threshold = (step * self.group_64).astype(self.dtype)
        norms = np.sqrt(np.einsum("gij,gij->gi", first, first))
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(norms > threshold, 1.0 - threshold / norms, 0.0)
        first *= factor[:, :, None].astype(first.dtype, copy=False)
