"""The generalization benchmark with an experimental variant patched in.

Variants that are not parameters (so ``--skreg-config`` cannot express them)
and were measured but not kept, reproducible::

    python benchmarks/bench_variants.py hierarchy --half tune --systems skreg \
        --threads 1 --json hierarchy_tune.json

Every argument after the variant's name goes to ``bench_generalization.py``.

- ``hierarchy``: LassoNet's hierarchy in place of the joint group lasso on an
  input's first-layer and skip rows: only the skip row is penalized
  (``alpha * ||theta_j||``) and the first-layer weights are bounded by
  ``|W_1[j, k]| <= M ||theta_j||`` (``M`` from ``SKREG_HIER_M``, default 1),
  by the hier-prox operator (Lemhadri et al., 2021, Algorithm 2, with the
  skip row's norm for several outputs) after each step.
- ``fold_weights``: the adaptive second search's input weights from the mean
  importances of the first search's fold models at its chosen point, not
  from its refit (with ``average_folds=True``, the default, which keeps
  those models; otherwise the refit's, as without the patch).
- ``first_cv3``: the adaptive first search with 3 folds instead of ``cv``.
- ``adaptive_sqrt``: the adaptive weights with exponent 1/2 (the second
  search's ``input_scale`` is the square root of the relative importances).
- ``zero_output``: with a skip connection and a hidden layer, the last dense
  layer starts at zero, so the network starts as the linear model (the skip
  connection, itself initialized at zero).

The patches reach into skreg's private modules and may stop working when
those change; the results they gave are on the user guide's defaults and
feature-selection pages.
"""

from __future__ import annotations

import os
import sys

import bench_generalization
import numpy as np

from skreg._core import network, penalties, stacked_penalties
from skreg._cv import base


def hier_prox(theta, W, threshold, M: float) -> None:
    """In place, per input (leading axes): the minimizer of
    ``1/2 ||t - theta||^2 + 1/2 ||V - W||^2 + threshold ||t||`` subject to
    ``|V_k| <= M ||t||``; ``theta`` (..., n_outputs), ``W`` (..., n_units).

    Where ``theta`` is exactly 0 the minimizer's ``t`` may be non-zero in
    any direction; this returns ``t = 0, V = 0`` there instead (feasible,
    not optimal). The operator runs after an optimizer step, which moves
    ``theta`` off 0 unless its gradient is exactly 0, so this is rare."""
    a = -np.sort(-np.abs(W), axis=-1)
    lead = a.shape[:-1]
    sums = np.concatenate([np.zeros((*lead, 1)), np.cumsum(a, axis=-1)], axis=-1)
    norm = np.sqrt(np.einsum("...i,...i->...", theta, theta))
    m = np.arange(a.shape[-1] + 1)
    t = np.broadcast_to(np.asarray(threshold, dtype=np.float64), lead)
    w = M / (1.0 + m * M * M) * np.maximum(norm[..., None] + M * sums - t[..., None], 0)
    upper = np.concatenate([np.full((*lead, 1), np.inf), a], axis=-1)
    lower = np.concatenate([a, np.zeros((*lead, 1))], axis=-1)
    first = np.argmax((lower <= w) & (w <= upper), axis=-1)
    w = np.take_along_axis(w, first[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(norm > 0, w / M / norm, 0.0)
    theta *= scale[..., None].astype(theta.dtype)
    np.clip(W, -w[..., None], w[..., None], out=W)
    W[norm == 0] = 0.0  # no direction for theta: the constraint zeroes W


def _patch_hierarchy(M: float) -> None:
    single_prox, single_value = penalties.GroupLasso.prox, penalties.GroupLasso.value
    group_prox = stacked_penalties.PenaltyGroup._group_prox
    values = stacked_penalties.StackedPenalty.values

    def prox(self, w, step):
        if not self.skip_width:
            return single_prox(self, w, step)
        first, skip, _ = self._split(w)
        if np.ndim(step) > 0:
            inv = 1.0 / np.asarray(step)[: self.group_size]
            inv_first, inv_skip, _ = self._split(inv)
            step = penalties.harmonic_group_steps(inv_first, inv_skip)
        hier_prox(skip, first, step * self.strength, M)
        return w

    def value(self, w):
        if not self.skip_width:
            return single_value(self, w)
        _, skip, rest = self._split(w.ravel())
        norms = np.sqrt(np.einsum("ij,ij->i", skip, skip)).sum()
        return self.strength * (float(norms) + 0.5 * float(np.dot(rest, rest)))

    def stacked_prox(self, w, step, per_coordinate):
        if not self.skip_width:
            return group_prox(self, w, step, per_coordinate)
        first, skip = stacked_penalties.input_rows(w, self.shape, self.skip_width)
        if per_coordinate:
            inv = 1.0 / step[:, : self.group_size]
            inv_first, inv_skip = stacked_penalties.input_rows(
                inv, self.shape, self.skip_width
            )
            threshold = penalties.harmonic_group_steps(inv_first, inv_skip) * self.group
        else:
            threshold = np.broadcast_to(step * self.group_64, first.shape[:2])
        active = self.group[:, 0] != 0  # models without the group penalty
        f, s = first[active], skip[active]
        hier_prox(s, f, np.broadcast_to(threshold, first.shape[:2])[active], M)
        first[active], skip[active] = f, s

    def stacked_values(self, w):
        out = values(self, w)
        group = self.group != 0
        if group.any() and self.skip_width:
            _, skip = stacked_penalties.input_rows(w, self.shape, self.skip_width)
            rest = w[:, self.group_size :]
            norms = np.sqrt(np.einsum("gij,gij->gi", skip, skip)).sum(axis=1)
            total = norms + 0.5 * np.einsum("gi,gi->g", rest, rest)
            out = np.where(group, self.group * total, out)
        return out

    penalties.GroupLasso.prox, penalties.GroupLasso.value = prox, value
    stacked_penalties.PenaltyGroup._group_prox = stacked_prox
    stacked_penalties.StackedPenalty.values = stacked_values


def _patch_fold_weights() -> None:
    fit, scale = base.BaseMLPCV.fit, base.adaptive_scale
    current = {}

    def fold_scale(estimator):
        members = getattr(current.get("cv"), "estimators_", None)
        if not members:
            return scale(estimator)
        importances = np.mean([m.feature_importances_ for m in members], axis=0)
        top = importances.max()
        return importances / top if top > 0 else None

    def patched_fit(self, *args, **kwargs):
        current["cv"] = self
        try:
            return fit(self, *args, **kwargs)
        finally:
            current.pop("cv", None)

    base.adaptive_scale, base.BaseMLPCV.fit = fold_scale, patched_fit


def _patch_first_cv3() -> None:
    search = base.BaseMLPCV._search

    def patched(self, data, seed, scale, relax):
        if relax != [None] or self.relax is None:
            return search(self, data, seed, scale, relax)
        cv, self.cv = self.cv, 3
        try:
            return search(self, data, seed, scale, relax)
        finally:
            self.cv = cv

    base.BaseMLPCV._search = patched


def _patch_adaptive_sqrt() -> None:
    scale = base.adaptive_scale

    def sqrt_scale(estimator):
        relative = scale(estimator)
        return None if relative is None else np.sqrt(relative)

    base.adaptive_scale = sqrt_scale


def _patch_zero_output() -> None:
    initialize = network.Network.initialize

    def patched(self, rng, activation):
        initialize(self, rng, activation)
        if self.skip is not None and len(self.dense) > 1:
            self.dense[-1].W[...] = 0.0

    network.Network.initialize = patched


VARIANTS = {
    "hierarchy": lambda: _patch_hierarchy(float(os.environ.get("SKREG_HIER_M", 1))),
    "fold_weights": _patch_fold_weights,
    "first_cv3": _patch_first_cv3,
    "adaptive_sqrt": _patch_adaptive_sqrt,
    "zero_output": _patch_zero_output,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in VARIANTS:
        sys.exit(f"usage: bench_variants.py {{{','.join(VARIANTS)}}} [benchmark args]")
    VARIANTS[sys.argv[1]]()
    bench_generalization.main(sys.argv[2:])
