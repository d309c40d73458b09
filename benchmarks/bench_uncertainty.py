"""Uncertainty from MC dropout and MLP ensembles: interval coverage and cost.

Coverage. Two homoscedastic regression problems, x uniform:

* ``sin3``: x in [-1, 1]^3, y = sin(3 x1) + x2^2 / 2 - x3 + N(0, 0.3^2)
  (the problem of ``tests/test_uncertainty.py``);
* ``friedman1``: ``make_friedman1(noise=1.0)`` (10 features, 5 of them
  irrelevant), y standardized with the training mean and std.

400 training and 2000 test rows per seed. For each method and seed, three
nominal 90% intervals are scored on the test rows:

* ``model``: ``mean +- 1.645 * std``, the model uncertainty alone;
* ``+resid``: ``mean +- 1.645 * sqrt(std^2 + s2)``, with ``s2`` the mean
  squared training residual of the mean prediction (the plug-in noise
  estimate a user has);
* ``+true``: the same with the true noise variance instead of ``s2`` (an
  oracle, to separate the model std from the noise estimate).

Methods (all ``hidden_layer_sizes=(64,)``, Adam, ``learning_rate_init=0.01``,
default ``max_iter`` / ``tol``):

* ``mc_dropout``: ``MLPRegressor(dropout=0.2, mc_samples=100)``,
  ``predict(X, return_std=True)``;
* ``mc_dropout_long``: the same trained for 1000 epochs
  (``max_iter=1000, n_iter_no_change=1000``): with dropout the training loss
  is noisy, and the default stopping rule (no improvement of ``tol`` in 10
  epochs) ends the fit after about 70-100 epochs on these problems;
* ``ensemble``: ``MLPEnsembleRegressor(n_estimators=5)`` of networks without
  dropout, members differ by seed only;
* ``ensemble_bootstrap``: the same with ``bootstrap=True``.

Cost. Wall time of ``predict(X)`` and ``predict(X, return_std=True)``
(``--repeats`` rounds after a warm-up round, all calls interleaved in each
round; medians) for the models fitted on ``sin3`` (20000 x 3 rows to
predict), and for the same methods with ``hidden_layer_sizes=(256, 256)`` on
100 features (2000 rows; fitted for 5 epochs, only the prediction cost
matters): the ratio of the two, and the ratio of ``return_std=True`` to one
plain network's ``predict`` (the dropout model's deterministic pass). BLAS
runs on ``--threads`` threads (default 1).

Usage::

    python benchmarks/bench_uncertainty.py              # 5 seeds (a few minutes)
    python benchmarks/bench_uncertainty.py --seeds 10 --repeats 11
    python benchmarks/bench_uncertainty.py --quick      # seconds
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from functools import partial

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from skreg import MLPEnsembleRegressor, MLPRegressor

Z_90 = 1.645
N_TRAIN, N_TEST, N_TIMING = 400, 2000, 20000


# -- problems -------------------------------------------------------------------
def sin3(seed, n_train=N_TRAIN, n_test=N_TEST):
    """Train/test split and the noise standard deviation."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_train + n_test, 3))
    y = np.sin(3 * X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    y += 0.3 * rng.randn(y.size)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:], 0.3


def friedman1(seed, n_train=N_TRAIN, n_test=N_TEST):
    X, y = make_friedman1(n_train + n_test, noise=1.0, random_state=seed)
    center, scale = y[:n_train].mean(), y[:n_train].std()
    y = (y - center) / scale
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:], 1.0 / scale


PROBLEMS = {"sin3": sin3, "friedman1": friedman1}


# -- methods --------------------------------------------------------------------
def _net(**params):
    return MLPRegressor(hidden_layer_sizes=(64,), learning_rate_init=0.01, **params)


METHODS = {
    "mc_dropout": lambda seed: _net(dropout=0.2, mc_samples=100, random_state=seed),
    "mc_dropout_long": lambda seed: _net(
        dropout=0.2,
        mc_samples=100,
        max_iter=1000,
        n_iter_no_change=1000,
        random_state=seed,
    ),
    "ensemble": lambda seed: MLPEnsembleRegressor(
        _net(), n_estimators=5, random_state=seed
    ),
    "ensemble_bootstrap": lambda seed: MLPEnsembleRegressor(
        _net(), n_estimators=5, bootstrap=True, random_state=seed
    ),
}


# -- coverage -------------------------------------------------------------------
def coverage(model, X_train, y_train, X_test, y_test, noise_sd):
    """Coverage of the three 90% intervals, mean std and test RMSE."""
    s2 = np.mean((y_train - model.predict(X_train)) ** 2)
    mean, std = model.predict(X_test, return_std=True)
    error = np.abs(y_test - mean)
    return {
        "model": np.mean(error <= Z_90 * std),
        "+resid": np.mean(error <= Z_90 * np.sqrt(std**2 + s2)),
        "+true": np.mean(error <= Z_90 * np.sqrt(std**2 + noise_sd**2)),
        "mean std": std.mean(),
        "sqrt(s2)": np.sqrt(s2),
        "RMSE": np.sqrt(np.mean(error**2)),
    }


def run_coverage(seeds, n_test):
    columns = ["model", "+resid", "+true", "mean std", "sqrt(s2)", "RMSE", "fit s"]
    print(
        f"== coverage of nominal 90% intervals: {N_TRAIN} train / {n_test} test "
        f"rows, seeds 0..{seeds - 1}, mean +- sd over seeds =="
    )
    print(f"{'problem':10s} {'method':19s} " + " ".join(f"{c:>13s}" for c in columns))
    for problem_name, problem in PROBLEMS.items():
        print(f"{'':10s} {'(true noise sd)':19s}", end=" ")
        print(f"{problem(0, n_test=n_test)[4]:13.3f}")
        for method_name, make in METHODS.items():
            rows = []
            for seed in range(seeds):
                X_train, y_train, X_test, y_test, noise_sd = problem(
                    seed, n_test=n_test
                )
                start = time.perf_counter()
                model = make(seed).fit(X_train, y_train)
                fit_seconds = time.perf_counter() - start
                row = coverage(model, X_train, y_train, X_test, y_test, noise_sd)
                rows.append({**row, "fit s": fit_seconds})
            cells = []
            for column in columns:
                values = [row[column] for row in rows]
                spread = statistics.pstdev(values) if len(values) > 1 else 0.0
                cells.append(f"{statistics.fmean(values):6.3f}+-{spread:5.3f}")
            print(f"{problem_name:10s} {method_name:19s} " + " ".join(cells))
    print()


# -- cost -----------------------------------------------------------------------
def timed_rounds(repeats, calls):
    """Wall times of each zero-argument call in ``calls``, ``repeats`` rounds
    after a warm-up round; the calls are interleaved within each round, so
    that drifting background load hits them alike. Shape (repeats, n_calls).
    """
    times = np.empty((repeats + 1, len(calls)))
    for row in times:
        for j, call in enumerate(calls):
            start = time.perf_counter()
            call()
            row[j] = time.perf_counter() - start
    return times[1:]


def _wide_data(n_rows):
    """100 features, y linear plus noise: only prediction cost matters here."""
    rng = np.random.RandomState(0)
    X = rng.randn(2000 + n_rows, 100)
    y = X[:, :10].sum(axis=1) + rng.randn(len(X))
    return X[:2000], y[:2000], X[2000:]


def _cost_cases(n_rows):
    """(label, fitted models, X to predict on)."""
    X_train, y_train, *_ = sin3(0)
    X = np.random.RandomState(1).uniform(-1, 1, size=(n_rows, 3))
    methods = {k: v for k, v in METHODS.items() if k != "mc_dropout_long"}
    models = {name: make(0).fit(X_train, y_train) for name, make in methods.items()}
    yield "sin3: 3 -> 64 -> 1", models, X
    X_train, y_train, X = _wide_data(n_rows // 10)
    wide = {"hidden_layer_sizes": (256, 256), "max_iter": 5}
    models = {
        name: make(0)
        .set_params(
            **(
                wide
                if name == "mc_dropout"
                else {"estimator__" + k: v for k, v in wide.items()}
            )
        )
        .fit(X_train, y_train)
        for name, make in methods.items()
    }
    yield "wide: 100 -> 256 -> 256 -> 1", models, X


def run_cost(repeats, n_rows):
    print(
        f"== cost of return_std=True: {repeats} interleaved rounds; times are "
        "medians, ratios medians of the per-round ratios =="
    )
    header = ["rows", "predict ms", "return_std ms", "ratio", "vs one net"]
    print(f"{'network':30s} {'method':19s} " + " ".join(f"{h:>13s}" for h in header))
    for label, models, X in _cost_cases(n_rows):
        calls = [partial(models["mc_dropout"].predict, X)]
        for model in models.values():
            calls += [partial(model.predict, X), partial(model.predict, X, True)]
        times = timed_rounds(repeats, calls)
        one_net = times[:, 0]
        for i, name in enumerate(models):
            plain, with_std = times[:, 1 + 2 * i], times[:, 2 + 2 * i]
            print(
                f"{label:30s} {name:19s} {len(X):13d} "
                f"{1e3 * np.median(plain):13.2f} {1e3 * np.median(with_std):13.2f} "
                f"{np.median(with_std / plain):13.1f} "
                f"{np.median(with_std / one_net):13.1f}"
            )
    print(
        "ratio: return_std=True / the same model's predict(X); vs one net: "
        "return_std=True / one network's deterministic predict(X) (the dropout "
        "model's). predict(X) of an ensemble is already the 5 members' mean.\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 seeds, small sets")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP threads (default 1: steady timings on a shared machine)",
    )
    args = parser.parse_args(argv)
    seeds, n_test, n_rows = args.seeds, N_TEST, N_TIMING
    if args.quick:
        seeds, n_test, n_rows = 2, 500, 2000
    with threadpool_limits(limits=args.threads), warnings.catch_warnings():
        pools = [
            f"{p['internal_api']} {p['num_threads']} threads" for p in threadpool_info()
        ]
        print(
            f"numpy {np.__version__}; thread pools: {', '.join(pools) or 'none'}; "
            f"python {sys.version.split()[0]}\n"
        )
        warnings.simplefilter("ignore", ConvergenceWarning)
        run_coverage(seeds, n_test)
        run_cost(args.repeats, n_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
