"""Cost of the regularizers: seconds per epoch with and without them.

One workload, the W2 regression of ``bench_fit.py``:
``make_regression(n_samples=20000, n_features=100, noise=10, random_state=0)``,
X and y standardized, skreg ``MLPRegressor(hidden_layer_sizes=(256, 256))``,
Adam (learning_rate_init=1e-3), batch_size=256, alpha=1e-4, a fixed number of
epochs (tol=0 and n_iter_no_change > max_iter, so exactly ``--epochs`` epochs
run; ConvergenceWarning is silenced), shuffle=True, random_state=0, float64.

Configurations: plain (L2), dropout=0.2, batch_norm=True, both, input_noise=0.1,
penalty='elasticnet' (l1_ratio=0.5, proximal steps), and elastic net + dropout
+ batch norm. Runs are interleaved (one fit of every configuration per round)
so that drifting background load hits all of them alike; the table gives the
median seconds per epoch over ``--repeats`` rounds and the ratio to plain.
Goal: dropout and batch norm each cost at most +30 % (ratio <= 1.30).

Usage::

    python benchmarks/bench_regularizers.py               # 5 epochs, 3 repeats
    python benchmarks/bench_regularizers.py --repeats 5 --epochs 10
    python benchmarks/bench_regularizers.py --quick       # tiny smoke run
    python benchmarks/bench_regularizers.py --threads 1   # 1 BLAS thread

``--threads N`` limits the BLAS thread pools with threadpoolctl for the whole
run (the default leaves them alone). On a shared 2-core machine whose other
core is busy, two BLAS threads contend and per-epoch times vary several-fold
from run to run; one thread gives stable ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import skreg

CONFIGS = {
    "plain": {},
    "dropout=0.2": {"dropout": 0.2},
    "batch_norm": {"batch_norm": True},
    "dropout+batch_norm": {"dropout": 0.2, "batch_norm": True},
    "input_noise=0.1": {"input_noise": 0.1},
    "elasticnet": {"penalty": "elasticnet", "l1_ratio": 0.5},
    "elasticnet+dropout+bn": {
        "penalty": "elasticnet",
        "l1_ratio": 0.5,
        "dropout": 0.2,
        "batch_norm": True,
    },
}
# config -> largest allowed ratio to plain
GOALS = {"dropout=0.2": 1.30, "batch_norm": 1.30}
TABLE_HEADER = (
    f"{'config':<24} {'s/epoch':>9} {'ratio':>7} {'cpu s/ep':>9} {'cpu ratio':>9} "
    f"{'train R^2':>10}  runs (wall s/epoch)"
)


def make_data(n_samples: int, n_features: int):
    X, y = make_regression(
        n_samples=n_samples, n_features=n_features, noise=10, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    return X, y


def make_estimator(epochs: int, hidden, batch_size: int, **params):
    return skreg.MLPRegressor(
        hidden_layer_sizes=hidden,
        solver="adam",
        learning_rate_init=1e-3,
        alpha=1e-4,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        shuffle=True,
        random_state=0,
        **params,
    )


def time_fit(X, y, epochs, hidden, batch_size, params):
    est = make_estimator(epochs, hidden, batch_size, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start, cpu_start = time.perf_counter(), time.process_time()
        est.fit(X, y)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    assert est.n_iter_ == epochs, (est.n_iter_, epochs)
    return elapsed / epochs, cpu / epochs, est.score(X, y)


def print_header():
    print("== environment ==")
    print(f"python {platform.python_version()} on {platform.machine()}, ", end="")
    print(f"{os.cpu_count()} CPUs")
    print(
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"skreg {skreg.__version__}"
    )
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            print(
                f"  {pool.get('user_api')}: {pool.get('internal_api')} "
                f"{pool.get('version')}, {pool.get('num_threads')} threads"
            )
    except ImportError:  # pragma: no cover - threadpoolctl comes with sklearn
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE"):
        if var in os.environ:
            print(f"  {var}={os.environ[var]}")
    if hasattr(os, "getloadavg"):
        one, five, fifteen = os.getloadavg()
        print(f"load average (1, 5, 15 min): {one:.2f} {five:.2f} {fifteen:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit BLAS threads (threadpoolctl); default: leave unchanged",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2000 samples, hidden (64, 64), 2 epochs"
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=args.threads, user_api="blas"):
            return run(args)
    return run(args)


def run(args) -> int:
    if args.quick:
        n_samples, hidden, epochs = 2000, (64, 64), 2
    else:
        n_samples, hidden, epochs = 20000, (256, 256), args.epochs
    n_features, batch_size = 100, 256

    print_header()
    X, y = make_data(n_samples, n_features)
    print(
        f"\nworkload: make_regression({n_samples}, {n_features}, noise=10), "
        f"standardized; hidden {hidden}, batch {batch_size}, adam, {epochs} "
        f"epochs, float64; median of {args.repeats} interleaved runs"
    )
    # Warm-up: first-call costs (imports, allocations, BLAS threads).
    time_fit(X[:2000], y[:2000], 1, hidden, batch_size, CONFIGS["dropout+batch_norm"])

    runs = {name: [] for name in CONFIGS}
    cpu_runs = {name: [] for name in CONFIGS}
    scores = {}
    for _ in range(args.repeats):
        for name, params in CONFIGS.items():
            seconds, cpu, score = time_fit(X, y, epochs, hidden, batch_size, params)
            runs[name].append(seconds)
            cpu_runs[name].append(cpu)
            scores[name] = score

    median = {name: statistics.median(r) for name, r in runs.items()}
    cpu_median = {name: statistics.median(r) for name, r in cpu_runs.items()}
    base, cpu_base = median["plain"], cpu_median["plain"]
    print("\n" + TABLE_HEADER)
    for name in CONFIGS:
        times = " ".join(f"{t:.3f}" for t in runs[name])
        print(
            f"{name:<24} {median[name]:>9.4f} {median[name] / base:>7.2f} "
            f"{cpu_median[name]:>9.4f} {cpu_median[name] / cpu_base:>9.2f} "
            f"{scores[name]:>10.4f}  {times}"
        )

    print("\n== goals (wall-time ratio; CPU-time ratio in brackets) ==")
    ok = True
    for name, goal in GOALS.items():
        ratio = median[name] / base
        met = ratio <= goal
        ok &= met
        print(
            f"{name:<24} ratio {ratio:.2f} [{cpu_median[name] / cpu_base:.2f}] "
            f"<= {goal:.2f}: {'met' if met else 'MISSED'}"
        )
    print("all goals met" if ok else "some goals missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
