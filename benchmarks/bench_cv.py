"""Path CV (MLPRegressorCV / MLPClassifierCV) versus GridSearchCV over alpha.

Both search the same alphas, on the same folds, for the same network, with
n_jobs=1:

* ``GridSearchCV(MLPRegressor(...), {"alpha": alphas}, cv=folds)``: one cold
  fit per (alpha, fold), then a cold refit on all the training data.
* ``MLPRegressorCV(..., alphas=alphas, cv=folds)``: one warm-started path per
  fold (largest alpha first, each fit starting from the previous weights),
  then a warm-started refit path down to the chosen alpha.

Each dataset is split 75/25 first (``train_test_split(random_state=0)``,
stratified for classifiers); X (and y for regression) are standardized with
statistics of the training part. The alphas are the CV estimators' automatic
L2 grid on the training part (``--n-alphas`` values from ``||G||_2`` down by
``eps=1e-3``); the folds are ``KFold(5, shuffle=True, random_state=0)``
(``StratifiedKFold`` for classifiers). The network is ``hidden_layer_sizes=
(64,)``, ``max_iter=500``, ``random_state=0`` and the library defaults
otherwise (tol=1e-4, n_iter_no_change=10), plus per row (``CONFIGS``):

* ``adam``: Adam at learning_rate_init=1e-3, stops when the training loss
  stalls (convergence);
* ``adam-es``: the same with early stopping on a 10% validation split;
* ``adam-lr1e-2``: Adam at learning_rate_init=1e-2 (convergence);
* ``lbfgs``: full-batch L-BFGS (gradient-norm tolerance).

BLAS is pinned to one thread for both searches, so CPU time is the work done.
Reported per (dataset, network): wall and CPU time of each search, the
speedup (the smaller of the wall and CPU ratios), the alpha each chose, its
mean CV score, the held-out test score (R^2 or accuracy) of the refitted
model, and the epochs (lbfgs: iterations) summed over the CV fits (refits
excluded). A goals section checks speedup >= 2 and test score >=
GridSearchCV's - 0.01. Then the one-standard-error rule versus the
best-score rule on diabetes (adam, L2 and L1).

Usage::

    python benchmarks/bench_cv.py                    # everything (minutes)
    python benchmarks/bench_cv.py --datasets diabetes --configs adam,lbfgs
    python benchmarks/bench_cv.py --datasets digits --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    train_test_split,
)
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from threadpoolctl import threadpool_limits

import skreg
from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV
from skreg._cv.grid import alpha_grid

DATASETS = {
    # name: (loader, is_classifier)
    "diabetes": (load_diabetes, False),
    "breast_cancer": (load_breast_cancer, True),
    "digits": (load_digits, True),
}
NETWORK = {"hidden_layer_sizes": (64,), "max_iter": 500, "random_state": 0}
# name: parameters on top of NETWORK (tol=1e-4, n_iter_no_change=10 defaults)
CONFIGS = {
    "adam": {},  # learning_rate_init=1e-3, stops when the training loss stalls
    "adam-es": {"early_stopping": True},  # ... on a 10% validation split
    "adam-lr1e-2": {"learning_rate_init": 0.01},
    "lbfgs": {"solver": "lbfgs"},
}
TABLE_HEADER = (
    f"{'dataset':<14}{'network':<13}{'method':<7}{'wall_s':>8}{'cpu_s':>8}"
    f"{'speedup':>9}{'alpha':>10}{'cv_score':>9}{'test':>8}{'epochs':>8}"
)


def load(name: str):
    """Standardized 75/25 split of a dataset shipped with scikit-learn."""
    loader, is_classifier = DATASETS[name]
    X, y = loader(return_X_y=True)
    stratify = y if is_classifier else None
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify
    )
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    if not is_classifier:
        mean, std = y_tr.mean(), y_tr.std()
        y_tr, y_te = (y_tr - mean) / std, (y_te - mean) / std
    return X_tr, X_te, y_tr, y_te, is_classifier


def folds_for(is_classifier: bool):
    splitter = StratifiedKFold if is_classifier else KFold
    return splitter(n_splits=5, shuffle=True, random_state=0)


def grid_alphas(X, y, is_classifier: bool, n_alphas: int) -> np.ndarray:
    """The CV estimators' automatic grid for penalty='l2' (descending)."""
    Y = LabelBinarizer().fit_transform(y) if is_classifier else y.reshape(-1, 1)
    return alpha_grid(
        X, Y, None, penalty="l2", l1_ratio=0.0, n_alphas=n_alphas, eps=1e-3
    )


def timed(fn, repeats: int):
    """Median wall and CPU time of ``repeats`` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def run_pair(X_tr, X_te, y_tr, y_te, is_classifier, params, n_alphas, repeats):
    plain_cls = MLPClassifier if is_classifier else MLPRegressor
    cv_cls = MLPClassifierCV if is_classifier else MLPRegressorCV
    alphas = grid_alphas(X_tr, y_tr, is_classifier, n_alphas)
    folds = folds_for(is_classifier)

    def grid():
        search = GridSearchCV(
            plain_cls(**params),
            {"alpha": alphas},
            cv=folds,
            scoring={"score": None, "n_iter": _n_iter},
            refit="score",
        )
        return search.fit(X_tr, y_tr)

    def path():
        return cv_cls(alphas=alphas, cv=folds, **params).fit(X_tr, y_tr)

    wall_grid, cpu_grid, search = timed(grid, repeats)
    wall_path, cpu_path, cv_est = timed(path, repeats)
    n_folds = folds.get_n_splits()
    grid_epochs = sum(
        int(search.cv_results_[f"split{i}_test_n_iter"].sum()) for i in range(n_folds)
    )
    path_epochs = int(cv_est.n_iter_path_.sum())
    return {
        "grid": {
            "wall": wall_grid,
            "cpu": cpu_grid,
            "alpha": search.best_params_["alpha"],
            "cv": search.best_score_,
            "test": search.score(X_te, y_te),
            "epochs": grid_epochs,
        },
        "path": {
            "wall": wall_path,
            "cpu": cpu_path,
            "alpha": cv_est.alpha_,
            "cv": cv_est.best_score_,
            "test": cv_est.score(X_te, y_te),
            "epochs": path_epochs,
        },
    }


def _n_iter(estimator, X, y):
    """A "score" that records the epochs of each GridSearchCV fit."""
    return estimator.n_iter_


def one_se_report(n_alphas: int) -> list[str]:
    """'1se' versus 'best' on diabetes, for an L2 and an L1 network."""
    X_tr, X_te, y_tr, y_te, _ = load("diabetes")
    lines = [
        f"{'penalty':<9}{'rule':<6}{'alpha':>10}{'cv_score':>10}{'cv_sem':>8}"
        f"{'test':>8}{'zero_weights':>14}{'features':>10}"
    ]
    for penalty in ("l2", "l1"):
        for rule in ("best", "1se"):
            est = MLPRegressorCV(
                alphas=n_alphas,
                cv=folds_for(False),
                selection=rule,
                penalty=penalty,
                **NETWORK,
            ).fit(X_tr, y_tr)
            k = int(np.flatnonzero(est.alphas_ == est.alpha_)[0])
            lines.append(
                f"{penalty:<9}{rule:<6}{est.alpha_:>10.4g}{est.best_score_:>10.4f}"
                f"{est.sem_cv_scores_[k]:>8.4f}{est.score(X_te, y_te):>8.4f}"
                f"{est.sparsity_:>14.1%}"
                f"{est.n_features_selected_:>7d}/{X_tr.shape[1]}"
            )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="diabetes,breast_cancer")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--n-alphas", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-1se", action="store_true", help="skip the 1se report")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        f"skreg {skreg.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, python {sys.version.split()[0]}"
    )
    print(f"network: {NETWORK} plus per row: {CONFIGS}")
    print(
        f"{args.n_alphas} alphas, 5 folds, n_jobs=1, BLAS pinned to 1 thread, "
        f"median of {args.repeats} run(s)\n"
    )
    print(TABLE_HEADER)
    goals = []
    with threadpool_limits(limits=1):
        for name in args.datasets.split(","):
            data = load(name)
            for config in args.configs.split(","):
                res = run_pair(
                    *data, {**NETWORK, **CONFIGS[config]}, args.n_alphas, args.repeats
                )
                print_rows(name, config, res)
                margin = res["path"]["test"] - res["grid"]["test"]
                goals.append((name, config, speedups(res), margin))
        print("\n== goals: speedup >= 2x, test >= grid's test - 0.01 ==")
        for name, config, (wall, cpu), margin in goals:
            ok = min(wall, cpu) >= 2 and margin >= -0.01
            print(
                f"{name:<14}{config:<13}speedup wall {wall:5.2f}x cpu {cpu:5.2f}x"
                f"  test margin {margin:+.4f}  {'PASS' if ok else 'MISS'}"
            )
        if not args.no_1se:
            print("\n== one-standard-error rule vs best score (diabetes, adam) ==")
            print("\n".join(one_se_report(args.n_alphas)))
    return 0


def speedups(res) -> tuple[float, float]:
    return tuple(res["grid"][t] / res["path"][t] for t in ("wall", "cpu"))


def print_rows(name: str, config: str, res) -> None:
    wall, cpu = speedups(res)
    for method in ("grid", "path"):
        r = res[method]
        ratio = f"{min(wall, cpu):>8.2f}x" if method == "path" else f"{'':>9}"
        print(
            f"{name:<14}{config:<13}{method:<7}{r['wall']:>8.2f}{r['cpu']:>8.2f}"
            f"{ratio}{r['alpha']:>10.4g}{r['cv']:>9.4f}{r['test']:>8.4f}"
            f"{r['epochs']:>8d}"
        )


if __name__ == "__main__":
    sys.exit(main())
