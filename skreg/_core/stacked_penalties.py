"""Per-model weight penalties on the rows of a stacked weight matrix.

Model ``m`` carries its own penalty object of :mod:`skreg._core.penalties`
(its kind, strength ``alpha_m / S_m`` and ``l1_ratio``, possibly wrapped in
:class:`~skreg._core.penalties.FrozenInputs`). The stacked penalty reads four
coefficients from each and applies them to the rows ``w[m]`` of the
``(M, n_penalized)`` weight matrix at once:

* ``l2_first`` / ``l2_rest``: the L2 (smooth) strength on the input groups'
  weights (the first layer's and the skip connection's) and on the deeper
  layers' (equal, except for the group lasso, whose groups have no L2 term);
* ``l1``: the soft-thresholding strength (``strength * l1_ratio``);
* ``group``: the block soft-thresholding strength on the input groups (input
  ``j``'s first-layer row and skip row, one joint norm).

A coefficient of 0 makes its step an exact no-op (``w + 0 * w``,
thresholds of 0), so models whose penalties differ in kind share one stack
and each gets exactly its single penalty's update. The per-model values
themselves (``value``) are the single penalty objects' own.

Frozen inputs (relaxed refits) are one boolean row per model: their
first-layer and skip rows of the gradient are zeroed after the smooth
gradient, and of the weights after the proximal step, for the models whose
penalty has one (``FrozenInputs`` zeroes the weights in its ``prox``, which the
single loop calls for non-smooth penalties only).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .penalties import FrozenInputs, Penalty, harmonic_group_steps


class StackedPenalty:
    """The penalties of M models; ``first_layer_shape`` is ``(n_in, n_units)``
    of the first weight matrix (the start of each weight row), followed by
    the ``(n_in, skip_width)`` skip weights (``Network.input_groups``)."""

    def __init__(
        self,
        penalties: Sequence[Penalty | FrozenInputs],
        first_layer_shape: tuple[int, int],
        n_penalized: int,
        dtype,
        skip_width: int = 0,
    ):
        self.penalties = list(penalties)
        self.shape = tuple(first_layer_shape)
        self.skip_width = int(skip_width)
        self.size = self.shape[0] * self.shape[1]
        self.group_size = self.size + self.shape[0] * self.skip_width
        self.dtype = np.dtype(dtype)
        inner = [getattr(p, "penalty", p) for p in self.penalties]
        group = np.array([p.name == "group_lasso" for p in inner], bool)
        l2 = np.array([p.l2_strength for p in inner], dtype=np.float64)
        self.l2_rest = l2
        self.l2_first = np.where(group, 0.0, l2)
        self.l1 = np.array([p.l1_strength for p in inner], np.float64)
        self.group = np.where(group, [p.strength for p in inner], 0.0)
        n_in = self.shape[0]
        self.frozen = np.zeros((len(inner), n_in), dtype=bool)
        for m, p in enumerate(self.penalties):
            if isinstance(p, FrozenInputs):
                self.frozen[m] = ~p.keep
        # The weights are zeroed where the single loop calls ``prox``.
        smooth = np.array([p.smooth for p in inner], dtype=bool)
        self.frozen_weights = self.frozen & ~smooth[:, None]
        self._scratch = np.empty((len(self.penalties), n_penalized), self.dtype)
        self._groups: dict[tuple[int, int], PenaltyGroup] = {}

    def take_models(self, keep: np.ndarray) -> None:
        """Keep only the models ``keep`` (in that order)."""
        self.penalties = [self.penalties[i] for i in keep]
        names = ("l2_rest", "l2_first", "l1", "group", "frozen", "frozen_weights")
        for name in names:
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
                first, skip = input_rows(w, self.shape, self.skip_width)
                norms = group_norms(first, skip)
                rest = w[:, self.group_size :]
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


def input_rows(w: np.ndarray, shape: tuple[int, int], skip_width: int):
    """Views ``(G, n_in, n_units)`` and ``(G, n_in, skip_width)`` of the
    first-layer and skip blocks at the start of each row of ``w``."""
    n_models, (n_in, units) = w.shape[0], shape
    size = n_in * units
    first = w[:, :size].reshape(n_models, n_in, units)
    skip = w[:, size : size + n_in * skip_width].reshape(n_models, n_in, skip_width)
    return first, skip


def group_norms(first: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """Each input group's joint norm ``(G, n_in)`` (``GroupLasso._norms``)."""
    squares = np.einsum("gij,gij->gi", first, first)
    if skip.shape[2]:
        squares += np.einsum("gij,gij->gi", skip, skip)
    return np.sqrt(squares)


class PenaltyGroup:
    """The penalty steps of a contiguous range of models (columns ``(G, 1)``
    of their coefficients in the weights' dtype: a single penalty's
    Python-float strength acts in that dtype too)."""

    def __init__(self, stacked: StackedPenalty, models: slice):
        dtype = stacked.dtype
        self.size, self.shape, self.dtype = stacked.size, stacked.shape, dtype
        self.skip_width, self.group_size = stacked.skip_width, stacked.group_size
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
        self.frozen = stacked.frozen[models]
        self.frozen_weights = stacked.frozen_weights[models]
        self.has_frozen = bool(self.frozen.any())
        self.has_frozen_weights = bool(self.frozen_weights.any())
        self._scratch = stacked._scratch[models]

    def add_smooth_grad(self, w: np.ndarray, g: np.ndarray) -> None:
        """In place: ``g += l2 * w`` (rows of the models' weights / grads),
        then the frozen inputs' rows of ``g`` set to 0."""
        if self.smooth:
            scratch = self._scratch
            if not self.split:
                np.multiply(w, self.l2_rest, out=scratch)
            else:
                k = self.group_size
                np.multiply(w[:, :k], self.l2_first, out=scratch[:, :k])
                np.multiply(w[:, k:], self.l2_rest, out=scratch[:, k:])
            g += scratch
        if self.has_frozen:
            self._zero(g, self.frozen)

    def _zero(self, x: np.ndarray, frozen: np.ndarray) -> None:
        """Set the rows ``frozen`` (``(G, n_in)``) of both input blocks of
        ``x`` to 0 (``FrozenInputs._zero``)."""
        first, skip = input_rows(x, self.shape, self.skip_width)
        first[frozen] = 0.0
        if self.skip_width:
            skip[frozen] = 0.0

    def prox(self, w: np.ndarray, step, per_coordinate: bool) -> None:
        """In place: the proximal steps of the non-smooth parts, then the
        frozen inputs' weights set to 0.

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
        if self.has_frozen_weights:
            self._zero(w, self.frozen_weights)

    def _group_prox(self, w, step, per_coordinate: bool) -> None:
        first, skip = input_rows(w, self.shape, self.skip_width)
        if per_coordinate:
            inv = 1.0 / step[:, : self.group_size]
            inv_first, inv_skip = input_rows(inv, self.shape, self.skip_width)
            threshold = harmonic_group_steps(inv_first, inv_skip) * self.group
        else:
            threshold = (step * self.group_64).astype(self.dtype)
        norms = group_norms(first, skip)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(norms > threshold, 1.0 - threshold / norms, 0.0)
        factor = factor[:, :, None].astype(first.dtype, copy=False)
        first *= factor
        if self.skip_width:
            skip *= factor
