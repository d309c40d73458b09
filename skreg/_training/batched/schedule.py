"""Which models train together at each minibatch step of an epoch.

Step ``k`` of an epoch trains every model that has a ``k``-th minibatch. Two
models can share one stacked call when their ``k``-th batches span the same
positions ``lo:hi`` of their permuted rows (models of equal size always do;
the stack is ordered by size, so they are contiguous) and are either both
weighted or both not. Such a range is cut into steps of at most
``models_per_step`` models (cache-sized, see :mod:`.memory`).

Twins are models whose minibatches are the very same rows with the same
weights, masks and noise at every step: the same training rows, the same
sample weights and generators in the same state (a search whose fits all
get one ``random_state``: every alpha of a fold). Since the architecture is
shared, their generators are consumed identically for as long as both run,
so a run of twins draws once (from its first model's generator), gathers its
batch once and feeds it to every twin; their other generators are brought to
the same state whenever a twin leaves the stack (``sync_twins``), so each
generator ends where training the model alone would leave it. A run of twins
is one step, never cut.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence

import numpy as np

from .specs import ModelSpec


def twin_ids(specs: Sequence[ModelSpec]) -> list[int]:
    """One id per model; twins (module docstring) share theirs."""
    ids: dict[tuple, int] = {}
    out = []
    for spec in specs:
        sw = spec.sample_weight
        key = (
            np.asarray(spec.rows, dtype=np.intp).tobytes(),
            None if sw is None else np.asarray(sw, dtype=np.float64).tobytes(),
            pickle.dumps(spec.rng.bit_generator.state),
        )
        out.append(ids.setdefault(key, len(ids)))
    return out


class Step:
    """The models ``models`` (a contiguous range of the stack) train on the
    span ``lo:hi`` of their permuted rows; ``shared``: they are twins and
    use their first model's rows and generator. What depends only on the
    models is looked up once per schedule."""

    def __init__(self, run, models: slice, lo: int, hi: int, shared: bool):
        self.models, self.lo, self.hi, self.shared = models, lo, hi, shared
        members = run.models[models]
        self.weighted = members[0].sample_weight is not None
        self.rngs = [m.spec.rng for m in (members[:1] if shared else members)]
        self.penalty = run.penalty.coefficients(models)


def make_schedule(run, models_per_step: int) -> list[Step]:
    """The steps of one epoch for the running models of ``run``."""
    keys = [(m.sample_weight is not None, m.bounds) for m in run.models]
    twins = [m.twin for m in run.models]
    schedule = []
    for k in range(max(len(bounds) for _, bounds in keys)):
        for a, b, key in _runs([_step_key(key, k) for key in keys]):
            if key is not None:
                span = key[1]
                for lo, hi, shared in _split(twins, a, b, models_per_step):
                    schedule.append(Step(run, slice(lo, hi), *span, shared))
    return schedule


def sync_twins(models) -> None:
    """Give every twin the generator state of the first of its run (the
    running models, in stack order)."""
    for a, b, _ in _runs([m.twin for m in models]):
        state = models[a].spec.rng.bit_generator.state
        for model in models[a + 1 : b]:
            model.spec.rng.bit_generator.state = state


def _step_key(key, k: int):
    """``(weighted, span)`` of a model's ``k``-th batch, None if it has none."""
    weighted, bounds = key
    return (weighted, bounds[k]) if k < len(bounds) else None


def _runs(values: list):
    """``(start, stop, value)`` of the maximal runs of equal values."""
    a = 0
    while a < len(values):
        b = a + 1
        while b < len(values) and values[b] == values[a]:
            b += 1
        yield a, b, values[a]
        a = b


def _split(twins: list[int], a: int, b: int, models_per_step: int):
    """``(lo, hi, shared)`` steps covering ``a:b``: each run of twins as one
    shared step, the models between them in steps of ``models_per_step``."""
    pending = a
    for lo, hi, _ in _runs(twins[a:b]):
        lo, hi = lo + a, hi + a
        if hi - lo > 1:
            yield from _chunks(pending, lo, models_per_step)
            yield lo, hi, True
            pending = hi
    yield from _chunks(pending, b, models_per_step)


def _chunks(a: int, b: int, size: int):
    for lo in range(a, b, size):
        yield lo, min(lo + size, b), False
