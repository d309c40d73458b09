"""Divergence is detected from the loss's growth, not only from nan / inf.

The rule (``skreg._training.callbacks.DivergenceCheck``): after an epoch the
fit has diverged when the loss or a parameter is not finite, or when the
loss is more than 1e4 times the larger of the loss at the starting weights
and the loss of the first epoch. These tests pin the rule on plain numbers,
show that it stops the fits that used to end as silent, useless models, and
that it never fires on ordinary fits.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPRegressor
from skreg._training.callbacks import GROWTH_LIMIT, REFERENCE_FLOOR, DivergenceCheck

FINITE = np.zeros(3)


# -- the rule on plain numbers -------------------------------------------------
def test_non_finite_loss_or_parameters_diverge():
    assert "non-finite" in DivergenceCheck(1.0)(np.inf, FINITE)
    assert "non-finite" in DivergenceCheck(1.0)(np.nan, FINITE)
    assert "non-finite" in DivergenceCheck(1.0)(1.0, np.array([0.0, np.nan]))


def test_growth_beyond_the_limit_diverges():
    check = DivergenceCheck(start_loss=2.0)
    assert check(1.5, FINITE) is None  # first epoch: reference max(2.0, 1.5)
    assert check(2.0 * GROWTH_LIMIT, FINITE) is None  # at the limit
    reason = check(2.0 * GROWTH_LIMIT * 1.01, FINITE)
    assert reason is not None and "grew" in reason


def test_the_first_epoch_never_diverges_by_growth():
    """A first epoch far above a tiny start (a warm start from an exact fit
    with a fresh optimizer) is not a divergence: it becomes the reference."""
    check = DivergenceCheck(start_loss=1e-12)
    assert check(0.5, FINITE) is None
    assert check(2.0, FINITE) is None
    assert check(0.5 * GROWTH_LIMIT * 2, FINITE) is not None


def test_a_first_epoch_that_dropped_far_is_not_the_reference():
    check = DivergenceCheck(start_loss=1e4)
    assert check(1e-2, FINITE) is None
    assert check(1e5, FINITE) is None  # 1e7 x the first epoch, 10 x the start


def test_a_tiny_reference_counts_as_the_floor():
    """A run that starts and stays near an exact fit may rise a lot in
    relative terms (a relaxed refit of an interpolating network); only a
    loss past GROWTH_LIMIT times REFERENCE_FLOOR is a divergence."""
    check = DivergenceCheck(start_loss=1.7e-5)
    assert check(2e-5, FINITE) is None
    assert check(0.37, FINITE) is None  # 2e4 x the reference, under the floor's
    assert check(0.9 * GROWTH_LIMIT * REFERENCE_FLOOR, FINITE) is None
    assert check(1.1 * GROWTH_LIMIT * REFERENCE_FLOOR, FINITE) is not None


def test_a_zero_reference_keeps_the_floor_and_the_finiteness_test():
    check = DivergenceCheck(start_loss=0.0)
    assert check(0.0, FINITE) is None
    assert check(1.0, FINITE) is None
    assert check(2 * GROWTH_LIMIT * REFERENCE_FLOOR, FINITE) is not None
    assert DivergenceCheck(start_loss=0.0)(np.inf, FINITE) is not None


# -- the fits that diverge ---------------------------------------------------------
def _wine_times_1e3():
    X, y = load_wine(return_X_y=True)
    return StandardScaler().fit_transform(X) * 1e3, y


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_geometric_growth_raises(Estimator, solver):
    """The issue's example: the classifier's loss grew 4e6, 6e18, 2e31, ...
    (finite for all 30 epochs) and it predicted one class, silently."""
    X, y = _wine_times_1e3()
    est = Estimator(solver=solver, learning_rate_init=1e3, max_iter=30, random_state=0)
    with pytest.raises(ValueError, match="learning_rate_init=1000.0") as info:
        est.fit(X, y)
    assert "standardize X" in str(info.value)
    assert est.n_iter_ <= 3  # stopped as soon as the loss exploded


# -- ordinary fits never diverge ------------------------------------------------
def _standardized(load):
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


DATASETS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "diabetes": load_diabetes,
}
SETTINGS = {
    "default": {},
    "dropout": {"dropout": 0.3},
    "sgd-constant": {"solver": "sgd"},
    "sgd-invscaling": {"solver": "sgd", "learning_rate": "invscaling"},
    "sgd-adaptive": {"solver": "sgd", "learning_rate": "adaptive"},
}


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("dataset", DATASETS)
def test_ordinary_fits_never_diverge(dataset, setting):
    """20 seeds each. The first epochs, where steps are largest relative to
    the progress made, are the ones at risk, so a short fit is a fair test;
    the loss also stays far below the limit (checked with a 100x margin)."""
    X, y = _standardized(DATASETS[dataset])
    Estimator = MLPRegressor if dataset == "diabetes" else MLPClassifier
    for seed in range(20):
        est = Estimator(max_iter=MAX_ITER, random_state=seed, **SETTINGS[setting])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)  # raises ValueError if the rule fired
        curve = np.asarray(est.loss_curve_)
        assert curve.max() < GROWTH_LIMIT / 100 * curve[0], (seed, curve)


MAX_ITER = 20
