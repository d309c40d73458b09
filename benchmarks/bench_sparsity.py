"""Sparsity numbers for issue 4: linear equivalences and sparse recovery.

Prints the numbers behind tests/test_sparsity.py, on the same data and with
the same settings (they are imported from that file):

1. Equivalence with scikit-learn's exact linear solvers (no hidden layer,
   ``solver='lbfgs'`` = FISTA to tol=1e-10): per dataset and alpha, the
   reference's non-zeros, the max relative coefficient error
   ``max|w - w_ref| / max|w_ref|``, the intercept error on the same scale and
   whether the pattern of exact zeros is identical.
2. Sparse recovery with ``penalty='group_lasso'`` (5 informative features
   among 50, y a nonlinear function of them): per seed and solver, the
   informative features kept (importance > 0), the noise features whose row
   is exactly zero, the fit time, the test R^2, and the test R^2 of a
   two-stage fit ("refit": SelectFromModel on that model, then an
   L2-penalized ``MLPRegressor`` on the kept features only).

Usage::

    python benchmarks/bench_sparsity.py                 # both parts, seeds 0..4
    python benchmarks/bench_sparsity.py --part recovery --seeds 0,1,2
    python benchmarks/bench_sparsity.py --part recovery --alpha 30 --solvers adam
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import ElasticNet, Lasso, MultiTaskLasso
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler

import skreg
from skreg import MLPClassifier, MLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_sparsity import (  # noqa: E402  (the tests' data and settings)
    CD,
    FULL_BATCH,
    KEEP_NONZERO,
    RECOVERY,
    RECOVERY_SOLVERS,
    REGRESSION_CASES,
    _l1_logistic,
    _regression_data,
    recovery_data,
)


# -- 1. equivalence ---------------------------------------------------------------
def _compare(coef, intercept, ref_coef, ref_intercept):
    coef, ref_coef = np.ravel(coef), np.ravel(ref_coef)
    scale = np.abs(ref_coef).max()
    rel = np.abs(coef - ref_coef).max() / scale
    rel_b = np.abs(np.ravel(intercept) - np.ravel(ref_intercept)).max() / scale
    same = np.array_equal(coef == 0.0, ref_coef == 0.0)
    return rel, rel_b, same


def equivalence_rows():
    rows = []
    for dataset, a in REGRESSION_CASES:
        X, y = _regression_data(dataset)
        n = len(y)
        ref = Lasso(alpha=a, **CD).fit(X, y)
        ours = MLPRegressor(penalty="l1", alpha=a * n, **FULL_BATCH).fit(X, y)
        rows.append((dataset, "l1 vs Lasso", a, ref, ours.coefs_[0], ours))
        for r in (0.3, 0.7):
            ref = ElasticNet(alpha=a, l1_ratio=r, **CD).fit(X, y)
            ours = MLPRegressor(
                penalty="elasticnet", alpha=a * n, l1_ratio=r, **FULL_BATCH
            ).fit(X, y)
            what = f"enet({r}) vs ElasticNet"
            rows.append((dataset, what, a, ref, ours.coefs_[0], ours))

    for dataset, a in REGRESSION_CASES[1::2]:
        X, y = _regression_data(dataset)
        sw = np.random.RandomState(0).uniform(0.2, 3.0, size=len(y))
        ref = Lasso(alpha=a, **CD).fit(X, y, sample_weight=sw)
        ours = MLPRegressor(penalty="l1", alpha=a * sw.sum(), **FULL_BATCH)
        ours.fit(X, y, sample_weight=sw)
        what = "l1+sw vs Lasso (alpha*S)"
        rows.append((dataset, what, a, ref, ours.coefs_[0], ours))

    for dataset, a in [
        ("make_regression", 0.05),
        ("make_regression", 0.2),
        ("diabetes", 0.1),
        ("diabetes", 0.2),
    ]:
        X, y = _regression_data(dataset)
        rng = np.random.RandomState(0)
        Y = np.c_[
            y,
            y + 0.5 * X[:, 0] + 0.3 * rng.randn(len(y)),
            -y + 0.2 * rng.randn(len(y)),
        ]
        ref = MultiTaskLasso(alpha=a, **CD).fit(X, Y)
        ours = MLPRegressor(penalty="group_lasso", alpha=a * len(y), **FULL_BATCH)
        ours.fit(X, Y)
        # ours is (n_features, n_tasks), the reference (n_tasks, n_features)
        rows.append(
            (dataset, "group vs MultiTaskLasso", a, ref, ours.coefs_[0].T, ours)
        )

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for C in (0.05, 0.1):
        ref = _l1_logistic(C).fit(X, y)
        ours = MLPClassifier(penalty="l1", alpha=1.0 / C, **FULL_BATCH).fit(X, y)
        what = "l1 clf vs LogReg(saga)"
        rows.append(("breast_cancer", what, 1 / C, ref, ours.coefs_[0], ours))

    out = []
    for dataset, what, a, ref, coef, ours in rows:
        rel, rel_b, same = _compare(
            coef, ours.intercepts_[0], ref.coef_, ref.intercept_
        )
        nz = f"{np.count_nonzero(ref.coef_)}/{np.size(ref.coef_)}"
        out.append((dataset, what, a, nz, rel, rel_b, same))
    return out


def print_equivalence():
    print("## Linear special cases (hidden_layer_sizes=(), FISTA, tol=1e-10)")
    print("alpha: scikit-learn's alpha (ours = alpha * n, or * S with weights);")
    print("for the classifier, ours (= 1/C)\n")
    header = (
        f"{'dataset':<16} {'comparison':<26} {'alpha':>6} {'ref nz':>7} "
        f"{'max rel err':>12} {'intercept':>10} {'zeros equal':>11}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for dataset, what, a, nz, rel, rel_b, same in equivalence_rows():
        worst = max(worst, rel, rel_b)
        print(
            f"{dataset:<16} {what:<26} {a:>6g} {nz:>7} {rel:>12.1e} "
            f"{rel_b:>10.1e} {'yes' if same else 'NO':>11}"
        )
    print(f"\nworst relative error: {worst:.1e}\n")


# -- 2. recovery --------------------------------------------------------------------
REFIT = {
    "hidden_layer_sizes": (16,),
    "activation": "tanh",
    "penalty": "l2",
    "alpha": 1.0,
    "solver": "adam",
    "learning_rate_init": 0.01,
    "max_iter": 500,
    "random_state": 0,
}


def print_recovery(seeds, solvers, alpha):
    settings = {**RECOVERY, "alpha": alpha}
    print(f"## Sparse recovery: MLPRegressor({settings})")
    print("data: tests/test_sparsity.py::recovery_data (n=500 train / 500 test,")
    print("5 informative + 45 noise features, standardized)\n")
    header = (
        f"{'seed':>4} {'solver':<8} {'informative kept':>16} {'noise zeroed':>12} "
        f"{'time [s]':>8} {'test R^2':>8} {'refit R^2':>9} {'n_iter':>6}"
    )
    print(header)
    print("-" * len(header))
    totals = {}
    for solver in solvers:
        for seed in seeds:
            X, y, X_test, y_test, informative = recovery_data(seed)
            noise = np.setdiff1d(np.arange(X.shape[1]), informative)
            model = MLPRegressor(
                random_state=seed, **settings, **RECOVERY_SOLVERS[solver]
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y)
            elapsed = time.perf_counter() - start
            imp = model.feature_importances_
            kept = int(np.count_nonzero(imp[informative] > 0))
            zeroed = int(np.count_nonzero(imp[noise] == 0.0))
            r2 = r2_score(y_test, model.predict(X_test))

            support = SelectFromModel(
                model, threshold=KEEP_NONZERO, prefit=True
            ).get_support()
            refit_r2 = float("nan")
            if support.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    refit = MLPRegressor(**REFIT).fit(X[:, support], y)
                refit_r2 = r2_score(y_test, refit.predict(X_test[:, support]))
            print(
                f"{seed:>4} {solver:<8} {f'{kept}/{len(informative)}':>16} "
                f"{f'{zeroed}/{len(noise)}':>12} {elapsed:>8.2f} {r2:>8.3f} "
                f"{refit_r2:>9.3f} {model.n_iter_:>6}"
            )
            t = totals.setdefault(solver, [0, 0, 0, 0])
            t[0] += kept
            t[1] += len(informative)
            t[2] += zeroed
            t[3] += len(noise)
    print()
    for solver, (kept, n_inf, zeroed, n_noise) in totals.items():
        print(
            f"{solver}: informative kept {kept}/{n_inf} ({kept / n_inf:.0%}), "
            f"noise rows zeroed {zeroed}/{n_noise} ({zeroed / n_noise:.1%})"
        )
    print()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part", choices=["all", "equivalence", "recovery"], default="all"
    )
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--solvers", default=",".join(RECOVERY_SOLVERS))
    parser.add_argument("--alpha", type=float, default=RECOVERY["alpha"])
    args = parser.parse_args(argv)
    print(
        f"skreg {skreg.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}\n"
    )
    if args.part in ("all", "equivalence"):
        print_equivalence()
    if args.part in ("all", "recovery"):
        seeds = [int(s) for s in args.seeds.split(",")]
        print_recovery(seeds, args.solvers.split(","), args.alpha)
    return 0


if __name__ == "__main__":
    sys.exit(main())
