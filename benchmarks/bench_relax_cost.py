"""What relaxation costs: the default CV estimator versus the same search without it.

For each problem of the generalization benchmark (``generalization_problems``)
and each split, fits ``make_pipeline(StandardScaler(), MLP*CV(random_state=0))``
twice on the training part: with the default relaxation grid (or the
``--relax`` values) and with ``relax=None`` (everything else equal). BLAS is
pinned to one thread, so the process CPU time is the work done. Reported per
problem: the CPU time of both fits, their ratio, the held-out score of both
(R^2 or accuracy) and the chosen ``relax_``; then the ratio of the summed CPU
times and the median ratio.

Usage::

    python benchmarks/bench_relax_cost.py                      # tune half, split 0
    python benchmarks/bench_relax_cost.py --half all --splits 2
    python benchmarks/bench_relax_cost.py --problems friedman1,wine
    python benchmarks/bench_relax_cost.py --relax 0,1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
import generalization_problems as gp  # noqa: E402

from skreg import MLPClassifierCV, MLPRegressorCV  # noqa: E402


def fit_and_score(problem, seed: int, relax) -> tuple[float, float, object]:
    """CPU seconds of the fit, held-out score and chosen ``relax_`` (``relax``
    is the CV estimator's parameter; "default" leaves it)."""
    X_train, X_test, y_train, y_test = gp.split(problem, seed)
    cls = MLPRegressorCV if problem.task == "regression" else MLPClassifierCV
    model = cls(random_state=0)
    if relax != "default":
        model.set_params(relax=relax)
    pipe = make_pipeline(StandardScaler(), model)
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        pipe.fit(X_train, y_train)
    cpu = time.process_time() - start
    return cpu, pipe.score(X_test, y_test), pipe[-1].relax_


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", default="tune", choices=("tune", "heldout", "all"))
    parser.add_argument("--problems", default=None, help="comma-separated names")
    parser.add_argument("--splits", type=int, default=1)
    parser.add_argument(
        "--relax",
        default="default",
        help="relaxation values of the relaxed search, e.g. 0,1 (default: the"
        " estimator's default)",
    )
    args = parser.parse_args(argv)
    relax = args.relax
    if relax != "default":
        relax = [float(v) for v in relax.split(",")]
    names = args.problems.split(",") if args.problems else None
    problems = gp.select(names, args.half)
    header = "problem          split  cpu_relax  cpu_none  ratio  score_relax"
    print(header + "  score_none  relax_")
    totals = [0.0, 0.0]
    ratios = []
    with threadpool_limits(1):
        for problem in problems:
            for seed in range(args.splits):
                cpu_r, score_r, relax_ = fit_and_score(problem, seed, relax)
                cpu_n, score_n, _ = fit_and_score(problem, seed, None)
                totals[0] += cpu_r
                totals[1] += cpu_n
                ratios.append(cpu_r / cpu_n)
                print(
                    f"{problem.name:<16} {seed:>5}  {cpu_r:9.1f}  {cpu_n:8.1f}"
                    f"  {cpu_r / cpu_n:5.2f}  {score_r:11.4f}  {score_n:10.4f}"
                    f"  {relax_}",
                    flush=True,
                )
    print(
        f"summed CPU: {totals[0]:.1f} s with relaxation, {totals[1]:.1f} s without:"
        f" ratio {totals[0] / totals[1]:.2f}; median per-fit ratio"
        f" {statistics.median(ratios):.2f} (goal <= 2)"
    )


if __name__ == "__main__":
    main()
