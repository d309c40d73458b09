"""benchmarks/bench_variants.py: its hier-prox (LassoNet's hierarchy) is the
exact proximal operator, and the patched estimators keep the hierarchy."""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def variants():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_variants
    finally:
        sys.path.remove(str(BENCHMARKS))
    return bench_variants


def _objective(theta, W, t):
    def f(z):
        k = theta.size
        return (
            0.5 * np.sum((z[:k] - theta) ** 2)
            + 0.5 * np.sum((z[k:] - W) ** 2)
            + t * np.linalg.norm(z[:k])
        )

    return f


@pytest.mark.parametrize("seed", range(6))
def test_hier_prox_is_the_constrained_minimizer(variants, seed):
    rng = np.random.default_rng(seed)
    k, K = int(rng.integers(1, 3)), int(rng.integers(1, 6))
    theta, W = rng.normal(size=k), 3 * rng.normal(size=K)
    t, M = abs(rng.normal()), rng.uniform(0.5, 3.0)
    a, b = theta.copy(), W.copy()
    variants.hier_prox(a, b, np.array(t), M)
    assert np.all(np.abs(b) <= M * np.linalg.norm(a) + 1e-12)  # feasible
    f = _objective(theta, W, t)
    constraints = [
        {
            "type": "ineq",
            "fun": lambda z, i=i: M * np.linalg.norm(z[:k]) - abs(z[k + i]),
        }
        for i in range(K)
    ]
    starts = [np.r_[theta, W] + 0.1 * rng.normal(size=k + K) for _ in range(5)]
    best = min(
        (minimize(f, z0, constraints=constraints, method="SLSQP") for z0 in starts),
        key=lambda r: r.fun,
    )
    assert f(np.r_[a, b]) <= best.fun + 1e-7


def test_hier_prox_zeroes_an_input_below_the_threshold(variants):
    theta, W = np.array([[0.1]]), np.array([[0.05, -0.02, 0.01]])
    variants.hier_prox(theta, W, np.array([1.0]), 1.0)
    assert np.all(theta == 0.0) and np.all(W == 0.0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_hierarchy_patch_keeps_first_layer_within_m_times_skip(variants, monkeypatch):
    from skreg import MLPRegressor
    from skreg._core import penalties, stacked_penalties

    for name in ("prox", "value"):
        monkeypatch.setattr(
            penalties.GroupLasso, name, getattr(penalties.GroupLasso, name)
        )
    monkeypatch.setattr(
        stacked_penalties.PenaltyGroup,
        "_group_prox",
        stacked_penalties.PenaltyGroup._group_prox,
    )
    monkeypatch.setattr(
        stacked_penalties.StackedPenalty,
        "values",
        stacked_penalties.StackedPenalty.values,
    )
    variants._patch_hierarchy(2.0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    y = X[:, 0] + np.sin(X[:, 1]) + 0.1 * rng.normal(size=80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPRegressor(
            penalty="group_lasso",
            alpha=20.0,
            learning_rate_init=0.01,
            skip_connection=True,
            hidden_layer_sizes=(8,),
            max_iter=300,
            random_state=0,
        ).fit(X, y)
    skip = np.linalg.norm(est.skip_coef_, axis=1)
    assert np.all(np.abs(est.coefs_[0]).max(axis=1) <= 2.0 * skip + 1e-12)
    # the two informative inputs kept, the four noise inputs dropped
    assert np.all(skip[:2] > 0.0) and np.all(skip[2:] == 0.0)


def test_zero_output_patch_starts_from_the_linear_model(variants, monkeypatch):
    from skreg import MLPRegressor
    from skreg._core import network

    monkeypatch.setattr(network.Network, "initialize", network.Network.initialize)
    variants._patch_zero_output()
    rng = np.random.default_rng(0)
    for skip in (True, False):
        est = MLPRegressor(hidden_layer_sizes=(5,), skip_connection=skip)
        net = est._build_network(4, 1, np.float64)
        net.initialize(rng, "relu")
        assert np.all(net.dense[0].W != 0.0)
        assert np.all(net.dense[-1].W == 0.0) == skip
