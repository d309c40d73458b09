"""The ``python -m skreg`` demo: what a weight penalty buys an MLP.

On scikit-learn's diabetes data (442 patients, 10 features) a one-hidden-layer
MLP is fitted three ways, each in a ``Pipeline`` with ``StandardScaler``:
without a penalty, with L2, and with L1. The penalty strength ``alpha`` of
the last two is chosen by 5-fold ``GridSearchCV`` on the training split only;
the test split is scored once at the end. Everything uses a fixed random
state, so the printed numbers are reproducible on a given platform.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ._mlp import MLPRegressor

RANDOM_STATE = 0

# A deliberately wide hidden layer for 331 training samples, so that the
# unpenalized network can overfit. learning_rate_init=0.05 (instead of 0.001)
# lets Adam fit the unscaled target (mean ~150) within max_iter; every fit
# below converges before max_iter, so no warnings are silenced.
MLP_SETTINGS = {
    "hidden_layer_sizes": (64,),
    "learning_rate_init": 0.05,
    "max_iter": 2000,
    "random_state": RANDOM_STATE,
}

# Log grids for alpha, about half a decade apart (quick: one decade).
ALPHAS = [10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0]
QUICK_ALPHAS = [100.0, 1000.0, 10000.0]


def make_model(**mlp_params) -> Pipeline:
    """StandardScaler followed by an skreg MLPRegressor."""
    mlp = MLPRegressor(**{**MLP_SETTINGS, **mlp_params})
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def search(model, alphas, cv) -> GridSearchCV:
    """Grid search over the MLP's ``alpha``, refit on the whole training split."""
    return GridSearchCV(model, {"mlp__alpha": alphas}, cv=cv)


def fit_timed(model, X, y):
    """Fit ``model``; return it and the wall-clock seconds the fit took."""
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def first_layer_weights(model) -> np.ndarray:
    """``coefs_[0]`` of the MLP inside a fitted Pipeline or GridSearchCV."""
    pipeline = getattr(model, "best_estimator_", model)
    return pipeline.named_steps["mlp"].coefs_[0]


def summarize(name, model, X_train, y_train, X_test, y_test, seconds) -> dict:
    """One table row: chosen alpha, scores, first-layer sparsity, fit time."""
    pipeline = getattr(model, "best_estimator_", model)
    mlp = pipeline.named_steps["mlp"]
    W1 = first_layer_weights(model)
    unused_inputs = np.all(W1 == 0.0, axis=1)
    return {
        "model": name,
        "alpha": "-" if mlp.penalty is None else f"{mlp.alpha:g}",
        "train R2": f"{model.score(X_train, y_train):.3f}",
        "test R2": f"{model.score(X_test, y_test):.3f}",
        "W1 == 0": f"{np.mean(W1 == 0.0):.1%}",
        "unused inputs": f"{unused_inputs.sum()}/{W1.shape[0]}",
        "fit s": f"{seconds:.1f}",
    }


def format_table(rows: list[dict]) -> str:
    """Left-aligned first column, right-aligned others, widths from content."""
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}

    def line(values):
        cells = [
            values[c].ljust(widths[c]) if i == 0 else values[c].rjust(widths[c])
            for i, c in enumerate(columns)
        ]
        return "  ".join(cells)

    header = line({c: c for c in columns})
    return "\n".join([header, "-" * len(header), *(line(r) for r in rows)])


def describe_sparsity(W1: np.ndarray, feature_names) -> str:
    """What the exact zeros of a first-layer weight matrix switch off."""
    n_inputs, n_hidden = W1.shape
    unused = np.flatnonzero(np.all(W1 == 0.0, axis=1))
    names = ", ".join(feature_names[j] for j in unused) or "none"
    return (
        f"The L1 model keeps {np.count_nonzero(W1)} of {W1.size} first-layer "
        f"weights, feeding {np.any(W1 != 0.0, axis=0).sum()} of {n_hidden} "
        f"hidden units;\ninputs it ignores (first-layer row exactly 0.0): {names}."
    )


def main(argv=None) -> None:
    """Run the demo and print the comparison table."""
    parser = argparse.ArgumentParser(
        prog="python -m skreg",
        description="Compare unpenalized, L2 and L1 skreg MLPs on load_diabetes.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3-fold CV over 3 alphas instead of 5-fold over 7",
    )
    args = parser.parse_args(argv)
    alphas, n_folds = (QUICK_ALPHAS, 3) if args.quick else (ALPHAS, 5)

    data = load_diabetes()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, random_state=RANDOM_STATE
    )
    settings = ", ".join(f"{key}={value!r}" for key, value in MLP_SETTINGS.items())
    cv = KFold(n_splits=n_folds, shuffle=True, random_state=RANDOM_STATE)
    print(
        f"Data:  load_diabetes, {len(X_train)} train / {len(X_test)} test samples, "
        f"{X_train.shape[1]} features; scores are R^2.\n"
        "Model: StandardScaler + MLPRegressor(solver='adam',\n"
        f"       {settings})\n"
        f"alpha: {n_folds}-fold GridSearchCV on the training split over "
        f"{', '.join(f'{a:g}' for a in alphas)}\n"
        "'fit s' is wall-clock time, grid search included.\n"
    )
    candidates = [
        ("penalty=None", make_model(penalty=None)),
        ("penalty='l2'", search(make_model(penalty="l2"), alphas, cv)),
        ("penalty='l1'", search(make_model(penalty="l1"), alphas, cv)),
    ]
    rows = []
    for name, model in candidates:
        model, seconds = fit_timed(model, X_train, y_train)
        rows.append(summarize(name, model, X_train, y_train, X_test, y_test, seconds))
    print(format_table(rows))
    print()
    print(describe_sparsity(first_layer_weights(model), data.feature_names))
