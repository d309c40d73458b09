"""Largest relative coefficient error of the linear special cases (no hidden
layer, solver="lbfgs" to convergence) against scikit-learn's exact solvers:
Ridge(alpha) and LogisticRegression(C=1/alpha), binary and multinomial.

Run: python benchmarks/bench_equivalence.py
"""

import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_regression,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPRegressor

FULL_BATCH = {
    "hidden_layer_sizes": (),
    "solver": "lbfgs",
    "tol": 1e-12,
    "max_iter": 100_000,
    "max_fun": 1_000_000,
}
ALPHAS = (0.1, 1.0, 10.0)


def relative_error(ours, reference):
    return np.abs(ours - reference).max() / np.abs(reference).max()


def main():
    warnings.simplefilter("ignore")
    worst = {}
    regression = [make_regression(300, 8, noise=5, random_state=0)]
    regression.append(load_diabetes(return_X_y=True))
    for X, y in regression:
        X = StandardScaler().fit_transform(X)
        for alpha in ALPHAS:
            ours = MLPRegressor(alpha=alpha, **FULL_BATCH).fit(X, y)
            ref = Ridge(alpha=alpha).fit(X, y)
            err = relative_error(ours.coefs_[0].ravel(), ref.coef_)
            worst["Ridge"] = max(worst.get("Ridge", 0.0), err)
    for load in (load_breast_cancer, load_iris, load_wine):
        X, y = load(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        for alpha in ALPHAS:
            ours = MLPClassifier(alpha=alpha, **FULL_BATCH).fit(X, y)
            ref = LogisticRegression(C=1 / alpha, tol=1e-12, max_iter=100_000)
            ref.fit(X, y)
            key = "binary" if ref.coef_.shape[0] == 1 else "multinomial"
            err = relative_error(ours.coefs_[0].T, ref.coef_)
            name = f"LogisticRegression {key}"
            worst[name] = max(worst.get(name, 0.0), err)
    for name, err in worst.items():
        print(f"{name:32s} max relative coefficient error {err:.2e}")


if __name__ == "__main__":
    main()
