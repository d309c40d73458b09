"""Minibatch boundaries."""

from __future__ import annotations


def batch_bounds(
    n_samples: int, batch_size: int, merge_singleton: bool = False
) -> list[tuple[int, int]]:
    """``(start, stop)`` pairs covering ``range(n_samples)`` in order.

    With ``merge_singleton``, a final batch of exactly one sample is merged into
    the previous batch (batch normalization must never see a batch of one).
    """
    bounds = [
        (start, min(start + batch_size, n_samples))
        for start in range(0, n_samples, batch_size)
    ]
    if merge_singleton and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2] = (bounds[-2][0], n_samples)
        bounds.pop()
    return bounds
