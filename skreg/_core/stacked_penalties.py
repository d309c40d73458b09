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

    def take_models(self, keep: np.ndarray) -> None:
        """Keep only the models ``keep`` (in that order)."""
        self.penalties = [self.penalties[i] for i in keep]
        for name in ("l2_rest", "l2_first", "l1", "group"):
            setattr(self, name, getattr(self, name)[keep])
        self._scratch = self._scratch[: len(keep)]

    def value(self, m: int, w: np.ndarray) -> float:
        """Model ``m``'s ``(alpha / S) R(w)`` (its own penalty object)."""
        return self.penalties[m].value(w)

    def _column(self, values: np.ndarray, models: slice) -> np.ndarray:
        """``(G, 1)`` coefficients in the weights' dtype (a single penalty's
        Python-float strength acts in that dtype too)."""
        return values[models, None].astype(self.dtype)

    def add_smooth_grad(self, w: np.ndarray, g: np.ndarray, models: slice) -> None:
        """In place: ``g += l2 * w`` for the models ``models`` (rows of w, g)."""
        first, rest = self.l2_first[models], self.l2_rest[models]
        if not (first.any() or rest.any()):
            return
        scratch = self._scratch[: w.shape[0]]
        if np.array_equal(first, rest):
            np.multiply(w, self._column(self.l2_rest, models), out=scratch)
            g += scratch
            return
        k = self.size
        np.multiply(w[:, :k], self._column(self.l2_first, models), out=scratch[:, :k])
        np.multiply(w[:, k:], self._column(self.l2_rest, models), out=scratch[:, k:])
        g += scratch

    def has_prox(self, models: slice) -> bool:
        return bool(self.l1[models].any() or self.group[models].any())

    def prox(self, w: np.ndarray, step, models: slice, per_coordinate: bool) -> None:
        """In place: the proximal steps of the non-smooth parts.

        ``step`` is the optimizer's step: per model (a Python float or a
        ``(G, 1)`` float64 column, SGD) or per coordinate (``(G, n_penalized)``
        in the weights' dtype, Adam), as the single penalty receives it.
        """
        if self.l1[models].any():
            if per_coordinate:
                threshold = step * self._column(self.l1, models)
            else:  # a Python-float product, then the weights' dtype
                threshold = (step * self.l1[models, None]).astype(self.dtype)
            clipped = np.minimum(w, threshold)
            np.maximum(clipped, np.negative(threshold), out=clipped)
            w -= clipped
        if self.group[models].any():
            self._group_prox(w, step, models, per_coordinate)

    def _group_prox(self, w, step, models: slice, per_coordinate: bool) -> None:
        n_models = w.shape[0]
        first = w[:, : self.size].reshape(n_models, *self.shape)
        if per_coordinate:
            # One step per group: the harmonic mean of its coordinates' steps.
            inv = 1.0 / step[:, : self.size].reshape(n_models, *self.shape)
            threshold = (1.0 / inv.mean(axis=2)) * self._column(self.group, models)
        else:
            threshold = (step * self.group[models, None]).astype(self.dtype)
        norms = np.sqrt(np.einsum("gij,gij->gi", first, first))
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(norms > threshold, 1.0 - threshold / norms, 0.0)
        first *= factor[:, :, None].astype(first.dtype, copy=False)
