"""Batched many-model training versus the single-model loop, same models.

Both sides train exactly the same models (same rows, seeds, penalties,
settings): sequentially, one ``StochasticRun`` + ``train_epochs`` per model on
``X[rows]`` (what the plain estimators run), and together in one
``train_batched`` call. Runs alternate (sequential, batched, sequential, ...)
so that drifting load on a shared machine hits both alike; the table gives
the median wall seconds of each, the median ratio of each sequential run to
the batched run right after it (wall and CPU time), the time per model and
epoch, and the largest weight difference between the two (0.0:
bit-identical).

Cases (``--cases``):

* ``cv``: a 442 x 50 regression (10 informative Gaussian features, 40 noise
  features, standardized), hidden (64,), relu, Adam (lr 1e-3), L2, batch
  'auto' (200), 5 folds x 10 alphas (M=50), every model with seed 0 as in
  ``GridSearchCV(MLPRegressor(random_state=0))``.
* ``cv-small``: the same search on 442 x 10 (diabetes's shape) with hidden
  (16,), where per-call overhead is most of a step.
* ``ensemble``: the cv data, M=10 members on bootstrap rows (with
  repeats) of all 442 rows, seeds 0..9.
* ``gemm``: 20000 x 100 (standardized), hidden (256, 256), batch 256, M=4
  seeds, where the matrix products dominate.

Training runs a fixed number of epochs (``tol=0``, no early stop) so that
both sides do the same work; ``--stopping`` uses the default rule instead
(``tol=1e-4``, ``n_iter_no_change=10``, up to ``--epochs`` epochs), where
models stop at different epochs and leave the stack.

``--memory`` reports the tracemalloc peak of ``train_batched`` for M=50 on a
5000 x 100 problem, hidden (64,), and the engine's own estimate;
``--profile`` prints the top of a cProfile of one batched run of the first
case. ``--blas-threads N`` caps the BLAS pools (threadpoolctl).

Usage::

    python benchmarks/bench_batched.py                 # all cases, short
    python benchmarks/bench_batched.py --cases cv --epochs 50 --repeats 5
    python benchmarks/bench_batched.py --blas-threads 1 --memory --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import tracemalloc
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from skreg._core import build_network
from skreg._core.penalties import make_penalty
from skreg._training import LossMonitor, StochasticRun, train_epochs
from skreg._training.batched import (
    STACK_BYTES_BUDGET,
    AdamSettings,
    ModelSpec,
    stack_bytes,
    train_batched,
)
from skreg._training.batched.engine import batch_rows
from skreg._training.optimizers import Adam


@dataclass
class Case:
    """``M`` models on rows of one data set, one architecture."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    hidden: tuple
    batch_size: object
    rows: list  # one index array per model
    seeds: list
    alphas: list


def regression(n, p, informative, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :informative] @ rng.standard_normal(informative)
    y += 0.5 * y.std() * rng.standard_normal(n)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, ((y - y.mean()) / y.std())[:, None]


def make_cases(names) -> list[Case]:
    cases = []
    X, Y = regression(442, 50, 10)
    if "cv" in names:
        folds = np.array_split(np.random.default_rng(0).permutation(442), 5)
        train = [np.sort(np.concatenate(folds[:k] + folds[k + 1 :])) for k in range(5)]
        alphas = list(np.geomspace(10.0, 1e-3, 10))
        rows = [r for r in train for _ in alphas]
        cases.append(Case("cv", X, Y, (64,), "auto", rows, [0] * 50, alphas * 5))
    if "cv-small" in names:
        Xs, Ys = regression(442, 10, 10)
        folds = np.array_split(np.random.default_rng(0).permutation(442), 5)
        train = [np.sort(np.concatenate(folds[:k] + folds[k + 1 :])) for k in range(5)]
        alphas = list(np.geomspace(10.0, 1e-3, 10))
        rows = [r for r in train for _ in alphas]
        cases.append(
            Case("cv-small", Xs, Ys, (16,), "auto", rows, [0] * 50, alphas * 5)
        )
    if "ensemble" in names:
        rng = np.random.default_rng(1)
        rows = [np.sort(rng.integers(0, 442, 442)) for _ in range(10)]
        cases.append(
            Case("ensemble", X, Y, (64,), "auto", rows, list(range(10)), [1e-2] * 10)
        )
    if "gemm" in names:
        Xg, Yg = regression(20000, 100, 20)
        rows = [np.arange(20000)] * 4
        cases.append(
            Case("gemm", Xg, Yg, (256, 256), 256, rows, list(range(4)), [1e-4] * 4)
        )
    return cases


def network(case: Case, seed=None):
    net = build_network(case.X.shape[1], list(case.hidden), 1, "relu", "squared_error")
    if seed is None:
        return net, None
    rng = np.random.default_rng(seed)
    net.initialize(rng, "relu")
    return net, rng


def sequential(case: Case, epochs, tol, n_iter_no_change) -> list[np.ndarray]:
    out = []
    for rows, seed, alpha in zip(case.rows, case.seeds, case.alphas):
        net, rng = network(case, seed)
        run = StochasticRun(
            net,
            Adam([net.theta]),
            make_penalty("l2", alpha / len(rows)),
            rng,
            batch_rows(case.batch_size, len(rows)),
        )
        train_epochs(
            run,
            case.X[rows],
            case.Y[rows],
            None,
            max_iter=epochs,
            monitor=LossMonitor(tol),
            n_iter_no_change=n_iter_no_change,
        )
        out.append(net.theta.copy())
    return out


def batched(case: Case, epochs, tol, n_iter_no_change, **kwargs) -> list[np.ndarray]:
    specs = []
    for rows, seed, alpha in zip(case.rows, case.seeds, case.alphas):
        net, rng = network(case, seed)
        specs.append(
            ModelSpec(
                rows=rows, rng=rng, theta=net.theta.copy(), penalty="l2", alpha=alpha
            )
        )
    outcomes = train_batched(
        network(case)[0],
        case.X,
        case.Y,
        specs,
        optimizer=AdamSettings(),
        max_iter=epochs,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        batch_size=case.batch_size,
        **kwargs,
    )
    return [o.state["theta"] for o in outcomes]


def timed(fn, *args):
    """Wall and CPU seconds of ``fn(*args)``, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run_case(case: Case, args) -> dict:
    tol, patience = (1e-4, 10) if args.stopping else (0.0, args.epochs + 1)
    runs = []  # (wall seq, cpu seq, wall batched, cpu batched)
    for _ in range(args.repeats):
        wall_seq, cpu_seq, ref = timed(sequential, case, args.epochs, tol, patience)
        wall_bat, cpu_bat, got = timed(batched, case, args.epochs, tol, patience)
        runs.append((wall_seq, cpu_seq, wall_bat, cpu_bat))
    diff = max(float(np.abs(a - b).max()) for a, b in zip(ref, got))
    wall_seq, cpu_seq, wall_bat, cpu_bat = (statistics.median(c) for c in zip(*runs))
    per = 1e3 / (len(case.rows) * args.epochs)
    return {
        "case": case.name,
        "M": len(case.rows),
        "seq": wall_seq,
        "bat": wall_bat,
        # the ratio of each sequential run to the batched run right after it
        "ratio": statistics.median(r[0] / r[2] for r in runs),
        "cpu_ratio": statistics.median(r[1] / r[3] for r in runs),
        "seq_me": wall_seq * per,
        "bat_me": wall_bat * per,
        "diff": diff,
        "runs": runs,
    }


TABLE_HEADER = (
    f"{'case':<9} {'M':>3} {'sequential s':>13} {'batched s':>10} {'ratio':>6} "
    f"{'cpu ratio':>9} {'seq ms/model-epoch':>19} {'bat ms/model-epoch':>19} "
    f"{'max |dtheta|':>13}"
)


def print_table(rows) -> None:
    print("== results (median of repeats; ratios: median of paired runs) ==")
    print(TABLE_HEADER)
    for r in rows:
        print(
            f"{r['case']:<9} {r['M']:>3} {r['seq']:>13.3f} {r['bat']:>10.3f} "
            f"{r['ratio']:>6.2f} {r['cpu_ratio']:>9.2f} {r['seq_me']:>19.3f} "
            f"{r['bat_me']:>19.3f} {r['diff']:>13.3g}"
        )
    print("== runs (wall seconds: sequential / batched, pairs in order) ==")
    for r in rows:
        pairs = " ".join(f"{run[0]:.3f}/{run[2]:.3f}" for run in r["runs"])
        print(f"{r['case']:<9} {pairs}")


def memory_report(epochs: int) -> None:
    """tracemalloc peak of ``train_batched``: M=50, 5000 x 100, hidden (64,)."""
    X, Y = regression(5000, 100, 10)
    case = Case(
        "mem", X, Y, (64,), "auto", [np.arange(4000)] * 50, list(range(50)), [1e-2] * 50
    )
    specs = []
    for rows, seed, alpha in zip(case.rows, case.seeds, case.alphas):
        net, rng = network(case, seed)
        specs.append(
            ModelSpec(
                rows=rows, rng=rng, theta=net.theta.copy(), penalty="l1", alpha=alpha
            )
        )
    template = network(case)[0]
    estimate = stack_bytes(template, 50, 200, 4000)
    tracemalloc.start()
    train_batched(
        template,
        X,
        Y,
        specs,
        optimizer=AdamSettings(),
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data = X.nbytes + Y.nbytes
    print("== memory (M=50, 5000 x 100, 4000 training rows each, hidden (64,)) ==")
    print(
        f"tracemalloc peak during train_batched: {peak / 2**20:.1f} MiB "
        f"(X and Y themselves: {data / 2**20:.1f} MiB, allocated before)"
    )
    print(
        f"engine estimate for the stack: {estimate / 2**20:.1f} MiB "
        f"(STACK_BYTES_BUDGET {STACK_BYTES_BUDGET / 2**20:.0f} MiB)"
    )


def profile_report(case: Case, args) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    batched(case, args.epochs, 0.0, args.epochs + 1)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(15)
    print(f"== cProfile of one batched run ({case.name}, by own time) ==")
    print("\n".join(stream.getvalue().splitlines()[4:]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="cv,cv-small,ensemble,gemm")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--gemm-epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--stopping", action="store_true")
    parser.add_argument("--blas-threads", type=int, default=None)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    names = args.cases.split(",")
    limits = (
        threadpool_limits(limits=args.blas_threads)
        if args.blas_threads
        else nullcontext()
    )
    with limits:
        pools = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
        print(
            f"numpy {np.__version__}, BLAS pools {pools}, "
            f"load average {os.getloadavg()}"
        )
        rows = []
        for case in make_cases(names):
            epochs = args.epochs
            if case.name == "gemm":
                args.epochs = args.gemm_epochs
            rows.append(run_case(case, args))
            args.epochs = epochs
        print_table(rows)
        if args.memory:
            memory_report(2)
        if args.profile:
            profile_report(make_cases(names[:1])[0], args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
