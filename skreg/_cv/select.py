"""Choosing (l1_ratio, alpha) from the cross-validated scores of the paths.

Scores are "greater is better" (scikit-learn's scorer convention), laid out
as ``(n_l1_ratios, n_alphas, n_folds)`` with alphas in descending order.
"""

from __future__ import annotations

import numpy as np


def summarize(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation (ddof=0, as ``GridSearchCV``'s
    ``std_test_score``) and standard error of the mean (ddof=1 standard
    deviation over ``sqrt(n_folds)``, as glmnet's ``cvsd``) over the folds."""
    n_folds = scores.shape[-1]
    mean = scores.mean(axis=-1)
    std = scores.std(axis=-1)
    sem = scores.std(axis=-1, ddof=1) / np.sqrt(n_folds)
    return mean, std, sem


def select(mean: np.ndarray, sem: np.ndarray, rule: str) -> tuple[int, int]:
    """Index ``(i_l1_ratio, i_alpha)`` chosen by ``rule``.

    ``'best'``: the highest mean score; ties go to the larger alpha (the
    earlier path point) and the earlier l1_ratio. ``'1se'``: along the path
    of the best l1_ratio, the largest alpha whose mean score is at least the
    best mean minus the best point's standard error. NaN scores never win.
    """
    safe = np.where(np.isnan(mean), -np.inf, mean)
    if not np.isfinite(safe).any():
        raise ValueError(
            "Every cross-validated score is NaN or infinite; no alpha can be "
            "chosen. Check the scoring and the data."
        )
    i, k = np.unravel_index(np.argmax(safe), safe.shape)
    if rule == "1se":
        threshold = safe[i, k] - np.nan_to_num(sem[i, k])
        k = int(np.flatnonzero(safe[i] >= threshold)[0])
    return int(i), int(k)
