"""What the caller gives the batched engine for each model, and gets back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..callbacks import EpochRecord


@dataclass(kw_only=True)
class ModelSpec:
    """One model of a batch: its data, penalty, randomness and start.

    Parameters
    ----------
    rows : ndarray of int, shape (n_rows,)
        Indices into the ``X`` / ``Y`` given to the engine: a fold's training
        rows, a bootstrap sample (repeats allowed) or all rows. The model
        trains on ``X[rows]`` exactly as a single run would on that array.
    rng : numpy.random.Generator
        The model's own stream (shuffling, dropout masks, input noise), used
        in the single loop's order. Give each model its own object.
    theta : ndarray of shape (n_params,)
        Initial parameters in the single ``Network``'s flat layout (e.g. a
        network's ``theta`` after ``network.initialize(rng, activation)``
        with this model's generator).
    penalty : {'l2', 'l1', 'elasticnet', 'group_lasso'} or None
        Penalty kind; ``alpha / S`` is its strength, ``S`` the total training
        weight of this model (``len(rows)`` without sample weights).
    alpha : float
        Penalty strength on the objective's scale.
    l1_ratio : float, default=0.5
        Elastic-net mixing.
    sample_weight : ndarray of shape (n_rows,) or None
        Weights aligned with ``rows`` (not with ``X``).
    buffers : mapping or None
        Initial buffers in ``Network.state()`` keys (``"<layer>.running_mean"``,
        ``"<layer>.running_var"``); the template's fresh values when None.
    validation_rows : ndarray of int or None
        Rows of ``X`` to score after each epoch (early stopping).
    validation_score : callable or None
        ``score(pred) -> float`` (higher is better) of the model's linked
        predictions ``(len(validation_rows), n_outputs)`` on its validation
        rows; non-finite predictions score nan without calling it (as the
        plain estimators' early-stopping score).
    validation_loss : bool, default=False
        Also monitor the held-out loss ``(1/S_val) sum_i s_i l_i`` on the
        validation rows (``ValidationMonitor``'s ``loss``, computed as
        ``callbacks.held_out_loss`` computes it).
    validation_sample_weight : ndarray or None
        Weights aligned with ``validation_rows``, for the held-out loss (the
        score callable carries its own).
    best_loss : float, default=inf
        The training-loss monitor's best loss so far (a warm start continues
        the previous fit's, as the plain estimators do).
    t : int, default=0
        Samples seen before this call (SGD's 'invscaling' schedule).
    keep_inputs : ndarray of bool, shape (n_features,), or None
        A relaxed refit's inputs: those with ``keep_inputs[j] == False`` are
        frozen at 0 (their first-layer and skip rows), as the single loop's
        ``FrozenInputs`` penalty holds them. None: every input trains.
    """

    rows: np.ndarray
    rng: np.random.Generator
    theta: np.ndarray
    penalty: str | None
    alpha: float
    l1_ratio: float = 0.5
    sample_weight: np.ndarray | None = None
    buffers: Mapping[str, np.ndarray] | None = None
    validation_rows: np.ndarray | None = None
    validation_score: Callable[[np.ndarray], float] | None = None
    validation_loss: bool = False
    validation_sample_weight: np.ndarray | None = None
    best_loss: float = np.inf
    t: int = 0
    keep_inputs: np.ndarray | None = None


@dataclass
class ModelOutcome:
    """What one model's training produced.

    ``state`` is what the plain estimator keeps (``Network.load_state``
    form: ``"theta"`` and the batch-norm buffers): the best-validation
    snapshot with early stopping, the final parameters otherwise (non-finite
    when ``status == 'diverged'`` and there is no snapshot: an error for the
    caller, as for the single loop). ``records`` hold one
    :class:`~skreg._training.callbacks.EpochRecord` per epoch, the loss being
    the objective as the single loop records it (data term summed over the
    epoch divided by ``S``, plus the penalty at the epoch's end); a diverged
    model's last record is the non-finite one. ``status`` is ``'converged'``,
    ``'max_iter'``, ``'diverged'`` or ``'interrupted'``; ``message`` is the
    stopping note (empty unless a monitor stopped the model) and ``reason``
    why a diverged model diverged (the single loop's ``DivergenceCheck``).
    """

    state: dict[str, np.ndarray]
    final_state: dict[str, np.ndarray]
    records: list[EpochRecord] = field(default_factory=list)
    status: str = "max_iter"
    message: str = ""
    reason: str = ""
    t: int = 0
    best_loss: float | None = None
    best_validation_score: float | None = None
    best_epoch: int | None = None

    @property
    def n_epochs(self) -> int:
        return len(self.records)

    @property
    def loss_curve(self) -> list[float]:
        """Finite epoch losses (the plain estimators' ``loss_curve_``)."""
        return [r.loss for r in self.records if np.isfinite(r.loss)]

    @property
    def validation_scores(self) -> list[float] | None:
        if self.best_validation_score is None:
            return None
        return [r.validation_score for r in self.records if np.isfinite(r.loss)]
