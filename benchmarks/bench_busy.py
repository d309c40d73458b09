"""Fit time on a busy machine: skreg's own BLAS thread choice vs one thread.

On a 2-core machine where another process keeps one core busy, a BLAS call
split over two threads has to wait for the busy core, and small matrix
products gain nothing from a second thread anyway. skreg chooses the BLAS
thread count of its training loop from the work per matrix product
(``skreg._training.blas.training_threads``). This benchmark times, in rounds
interleaved so that drifting load hits every mode alike:

* ``skreg``: skreg as installed (its own choice, under the process's BLAS
  setting),
* ``skreg-1``: skreg inside ``threadpool_limits(1)``,
* ``skreg-all``: skreg with its choice replaced by "every CPU" (what the
  BLAS library does by itself), to show what the choice saves,

with ``--busy N`` CPU-burning processes started by this script (default 1)
and stopped at the end. The order of the modes rotates from round to round.
The goal: ``skreg`` within 1.2x of ``skreg-1`` on W1 and W4 (the ratio is
taken per round, then the median and the range over rounds are reported).
``--busy 0`` times the idle machine.

Usage::

    python benchmarks/bench_busy.py                       # W1, W4, 1 busy core
    python benchmarks/bench_busy.py --workloads W1,W2,W3,W4 --busy 0 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fit import fit_estimator, make_workload  # noqa: E402

MODES = ("skreg", "skreg-1", "skreg-all")
GOAL = 1.2  # skreg time / skreg-1 time with one busy core, W1 and W4
BURN = "while True:\n    pass\n"


def start_burners(n: int) -> list[subprocess.Popen]:
    """``n`` processes that each keep one core busy until stopped."""
    return [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(n)]


def stop_burners(burners: list[subprocess.Popen]) -> None:
    for proc in burners:
        proc.terminate()
    for proc in burners:
        proc.wait()


def _mode_context(mode: str):
    if mode == "skreg-1":
        return threadpool_limits(limits=1, user_api="blas")
    return nullcontext()


def _policy_switch(mode: str):
    """``skreg-all``: skreg's thread choice replaced by "every CPU" (a no-op
    for a skreg without the choice)."""
    try:
        from skreg._training import blas
    except ImportError:
        return nullcontext()
    if mode != "skreg-all" or not hasattr(blas, "training_threads"):
        return nullcontext()
    return mock.patch.object(blas, "training_threads", lambda *a: os.cpu_count())


def time_mode(mode: str, workload) -> float:
    with _mode_context(mode), _policy_switch(mode):
        seconds, _, _ = fit_estimator("skreg", workload)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W4")
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--busy", type=int, default=1, help="CPU burners to start")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--quick", action="store_true", help="tiny workloads")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    blas = [
        (d["internal_api"], d["num_threads"], Path(d["filepath"]).name)
        for d in threadpool_info()
        if d["user_api"] == "blas"
    ]
    print(f"cpus={os.cpu_count()} blas={blas} busy={args.busy}")
    print(f"load average at start: {os.getloadavg()}")
    workloads = [
        make_workload(w, args.dtype, args.quick) for w in args.workloads.split(",")
    ]
    for w in workloads:  # warm-up: imports, caches, first-touch allocations
        fit_estimator("skreg", w)
    burners = start_burners(args.busy)
    time.sleep(0.5)
    times = {(w.name, m): [] for w in workloads for m in modes}
    try:
        for i in range(args.repeats):
            for w in workloads:
                # rotate the order, so that no mode always follows the same one
                for mode in modes[i % len(modes) :] + modes[: i % len(modes)]:
                    seconds = time_mode(mode, w)
                    times[w.name, mode].append(seconds)
                    print(
                        f"  round {i + 1} {w.name} {mode}: {seconds:.3f} s", flush=True
                    )
    finally:
        stop_burners(burners)
    print(f"load average at end:   {os.getloadavg()}")
    print(
        f"\n{'workload':8s} {'mode':10s} {'median s':>9s} {'min':>7s} {'max':>7s}"
        "  ratio to skreg-1 per round: median [min, max]"
    )
    failed = False
    for w in workloads:
        ones = times[w.name, "skreg-1"] if "skreg-1" in modes else None
        for mode in modes:
            t = times[w.name, mode]
            line = (
                f"{w.name:8s} {mode:10s} {statistics.median(t):9.3f} "
                f"{min(t):7.3f} {max(t):7.3f}"
            )
            if ones is not None:
                ratios = [a / b for a, b in zip(t, ones)]
                line += (
                    f"  {statistics.median(ratios):.2f} "
                    f"[{min(ratios):.2f}, {max(ratios):.2f}]"
                )
                if mode == "skreg" and args.busy >= 1 and w.name in ("W1", "W4"):
                    ok = statistics.median(ratios) <= GOAL
                    failed |= not ok
                    line += f"  goal <= {GOAL}: {'ok' if ok else 'MISSED'}"
            print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
