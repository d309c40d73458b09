"""The ``python -m skreg`` demo: the default CV estimator against three baselines.

One generated problem, ``make_friedman1(n_samples=600, n_features=30,
noise=1.0)``: the target depends non-linearly on the inputs x0..x4 only, the
other 25 inputs are pure noise. On a 70/30 train/test split four models are
fitted on the training part and scored once (R^2) on the test part:

- skreg's ``MLPRegressorCV`` with its defaults (only ``random_state`` is set);
  the defaults are read from the estimator and printed, not restated here;
- scikit-learn's ``MLPRegressor`` with ``alpha`` tuned by ``GridSearchCV``;
- ``LassoCV``, the best linear model with input selection;
- ``HistGradientBoostingRegressor`` with its defaults.

All but the gradient boosting sit in a ``Pipeline`` after ``StandardScaler``.
Besides the test R^2 and the fit time, the table counts the inputs each
selecting model kept, split into the 5 informative and the 25 noise inputs;
a last line names the inputs skreg kept and the alpha (and relaxation) its
cross-validation chose, and how many inputs its refit alone uses (the
default CV estimator predicts with the mean of the refit and the fold
models, which between them use more). Every random state is fixed, so the
printed numbers (fit times aside) are reproducible on a given platform.
``--quick`` runs a smaller version (300 samples, fewer folds and alphas) in
about ten seconds, for the tests.
"""

from __future__ import annotations

import argparse
import textwrap
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ._cv import MLPRegressorCV
from ._mlp import MLPRegressor

RANDOM_STATE = 0
N_FEATURES = 30
N_INFORMATIVE = 5  # make_friedman1's target uses x0..x4 only

# Full run and --quick. The skreg entry holds what --quick passes to
# MLPRegressorCV; the full run passes nothing but random_state.
FULL = {"n_samples": 600, "skreg": {}, "mlp_alphas": np.logspace(-4, 2, 7), "cv": 5}
QUICK = {
    "n_samples": 300,
    "skreg": {"alphas": 5, "cv": 3},
    "mlp_alphas": np.logspace(-4, 2, 3),
    "cv": 3,
}


@dataclass
class Candidate:
    """A model of the comparison and how to read the inputs it kept."""

    name: str
    model: object
    inputs: Callable | None = None  # fitted model -> boolean mask of kept inputs
    count_convergence: bool = False


@dataclass
class Result:
    """A fitted candidate, its test R^2, fit seconds and kept inputs."""

    name: str
    model: object
    r2: float
    seconds: float
    inputs: np.ndarray | None = None
    n_unconverged: int = 0


def make_problem(n_samples: int):
    """``make_friedman1`` with noise inputs, split 70/30."""
    X, y = make_friedman1(
        n_samples=n_samples, n_features=N_FEATURES, noise=1.0, random_state=0
    )
    return train_test_split(X, y, test_size=0.3, random_state=RANDOM_STATE)


def skreg_inputs(model) -> np.ndarray:
    """Inputs with a non-zero ``feature_importances_`` (see its docstring)."""
    return model[-1].feature_importances_ > 0


def lasso_inputs(model) -> np.ndarray:
    """Inputs with a non-zero ``LassoCV`` coefficient."""
    return model[-1].coef_ != 0


def make_candidates(settings: dict) -> list[Candidate]:
    """The four models of the comparison, unfitted."""
    cv = settings["cv"]
    skreg = MLPRegressorCV(random_state=RANDOM_STATE, **settings["skreg"])
    mlp = make_pipeline(
        StandardScaler(), SklearnMLPRegressor(max_iter=500, random_state=RANDOM_STATE)
    )
    grid = {"mlpregressor__alpha": settings["mlp_alphas"]}
    lasso = LassoCV(cv=cv, random_state=RANDOM_STATE)
    return [
        Candidate(
            "skreg MLPRegressorCV", make_pipeline(StandardScaler(), skreg), skreg_inputs
        ),
        Candidate(
            "sklearn MLP, GridSearchCV",
            GridSearchCV(mlp, grid, cv=cv),
            count_convergence=True,
        ),
        Candidate("LassoCV", make_pipeline(StandardScaler(), lasso), lasso_inputs),
        Candidate(
            "HistGradientBoosting",
            HistGradientBoostingRegressor(random_state=RANDOM_STATE),
        ),
    ]


def fit_timed(model, X, y) -> float:
    """Fit ``model``; return the wall-clock seconds the fit took."""
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def fit_counting_convergence(model, X, y) -> tuple[float, int]:
    """Fit, counting the fits that stopped at ``max_iter`` instead of warning.

    Only for scikit-learn's MLP in the grid search: with ``max_iter=500`` most
    of its 36 fits end at ``max_iter`` (a larger ``max_iter`` would make it the
    slowest part of the demo by far), and 36 identical warnings would bury the
    table. The count is printed instead; any other warning is passed on.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        seconds = fit_timed(model, X, y)
    n_unconverged = 0
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            n_unconverged += 1
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return seconds, n_unconverged


def evaluate(candidate: Candidate, X_train, X_test, y_train, y_test) -> Result:
    """Fit one candidate on the training part and score it on the test part."""
    model = candidate.model
    if candidate.count_convergence:
        seconds, n_unconverged = fit_counting_convergence(model, X_train, y_train)
    else:
        seconds, n_unconverged = fit_timed(model, X_train, y_train), 0
    inputs = None if candidate.inputs is None else candidate.inputs(model)
    r2 = float(model.score(X_test, y_test))
    return Result(candidate.name, model, r2, seconds, inputs, n_unconverged)


def compare(candidates: list[Candidate], split) -> list[Result]:
    """Fit and score every candidate, with one OpenMP thread.

    OpenMP is used here by HistGradientBoosting only. On a 2-core machine
    shared with other work its threads wait for busy cores: the same default
    fit on this problem took 0.15 to 29 s with two threads, and 0.25 to 0.4 s
    with one. skreg keeps its small matrix products on one BLAS thread for
    the same reason (``skreg/_training/blas.py``); BLAS is left as it is.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        return [evaluate(candidate, *split) for candidate in candidates]


def kept(mask: np.ndarray | None, part: slice) -> str:
    """How many inputs of ``part`` (informative or noise) a mask keeps."""
    if mask is None:
        return "-"
    return f"{mask[part].sum()}/{len(mask[part])}"


def table_row(result: Result) -> dict:
    """One row of the printed table, every cell a string."""
    mask = result.inputs
    return {
        "model": result.name,
        "test R^2": f"{result.r2:.3f}",
        "fit s": f"{result.seconds:.1f}",
        "inputs used": f"all {N_FEATURES}" if mask is None else str(mask.sum()),
        "informative kept": kept(mask, slice(0, N_INFORMATIVE)),
        "noise kept": kept(mask, slice(N_INFORMATIVE, None)),
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


def describe_defaults(cv_estimator: MLPRegressorCV, passed) -> str:
    """The CV estimator's own defaults: its search settings and the network
    settings in which it differs from the plain MLPRegressor.

    Read from ``get_params`` so that the text follows the defaults; the
    parameters in ``passed`` (set by the demo) and the CV-only ones left at
    ``None`` (``cv=None`` is 5-fold, ``n_jobs``, ``scoring``) are left out.
    """
    plain = MLPRegressor().get_params()

    def notable(name, value):
        return plain[name] != value if name in plain else value is not None

    defaults = {
        k: v
        for k, v in cv_estimator.get_params().items()
        if k not in passed and notable(k, v)
    }
    return ", ".join(f"{k}={v!r}" for k, v in defaults.items())


def describe_selection(cv_estimator: MLPRegressorCV, mask: np.ndarray) -> str:
    """The inputs skreg kept and the penalty, alpha (and relaxation) it chose."""
    names = ", ".join(f"x{j}" for j in np.flatnonzero(mask))
    if mask.all():
        kept_inputs = f"all {N_FEATURES} inputs"
    else:
        kept_inputs = f"{mask.sum()} inputs: {names or 'none'}"
    choice = f"penalty={cv_estimator.estimator_.penalty!r}, "
    choice += f"alpha_={cv_estimator.alpha_:.4g}"
    if getattr(cv_estimator, "relax_", None) is not None:
        choice += f", relax_={cv_estimator.relax_:g}"
    text = (
        f"skreg kept {kept_inputs} (x0..x{N_INFORMATIVE - 1} are the informative "
        f"ones). Its cross-validation chose {choice}."
    )
    members = getattr(cv_estimator, "estimators_", None)
    if members is not None:  # average_folds: the inputs any member uses
        refit = cv_estimator.estimator_.feature_importances_ > 0
        text += (
            f" It predicts with the mean of its refit and the {len(members)} fold "
            f"models, which use these inputs between them; the refit alone uses "
            f"{refit.sum()} ({refit[:N_INFORMATIVE].sum()} informative, "
            f"{refit[N_INFORMATIVE:].sum()} noise)."
        )
    return textwrap.fill(text, width=88)


def print_header(settings: dict, cv_estimator: MLPRegressorCV, split) -> None:
    """What the problem and the four models are."""
    X_train, X_test = split[:2]
    passed = {"random_state": RANDOM_STATE, **settings["skreg"]}
    skreg_call = ", ".join(f"{k}={v!r}" for k, v in passed.items())
    skreg = textwrap.fill(
        f"skreg: MLPRegressorCV({skreg_call}), with these defaults of its own "
        f"(the others are MLPRegressor's): "
        f"{describe_defaults(cv_estimator, passed)}.",
        width=88,
        subsequent_indent=" " * 7,
    )
    alphas = ", ".join(f"{a:g}" for a in settings["mlp_alphas"])
    cv = settings["cv"]
    print(
        f"Data: make_friedman1(n_samples={settings['n_samples']}, "
        f"n_features={N_FEATURES}, noise=1.0): x0..x{N_INFORMATIVE - 1} "
        f"informative,\n      the other {N_FEATURES - N_INFORMATIVE} inputs pure "
        f"noise; {len(X_train)} train / {len(X_test)} test samples.\n"
        f"{skreg}\n"
        f"sklearn MLP: MLPRegressor(max_iter=500), alpha by {cv}-fold GridSearchCV "
        f"over\n       {alphas}.\n"
        f"LassoCV(cv={cv}). HistGradientBoostingRegressor() without scaling, on one "
        "OpenMP thread;\nthe others after StandardScaler. Test R^2 is scored once "
        "on the test part;\n'fit s' is wall-clock time, CV included.\n",
        flush=True,
    )


def describe_convergence(result: Result, settings: dict) -> str:
    """How many of scikit-learn's MLP fits ended at ``max_iter``."""
    n_fits = len(result.model.cv_results_["params"]) * settings["cv"] + 1
    return (
        f"sklearn MLP: {result.n_unconverged} of its {n_fits} fits stopped at "
        "max_iter=500 (ConvergenceWarning,\ncounted here instead of printed)."
    )


def main(argv=None) -> list[Result]:
    """Run the demo, print the comparison table and return the results."""
    parser = argparse.ArgumentParser(
        prog="python -m skreg",
        description="Compare the default MLPRegressorCV with scikit-learn's MLP, "
        "LassoCV and gradient boosting on make_friedman1 with noise inputs.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="300 samples, 3-fold CV, fewer alphas (a few seconds)",
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    split = make_problem(settings["n_samples"])
    candidates = make_candidates(settings)
    print_header(settings, candidates[0].model[-1], split)
    results = compare(candidates, split)
    print(format_table([table_row(r) for r in results]))
    print()
    print(describe_convergence(results[1], settings))
    print(describe_selection(results[0].model[-1], results[0].inputs))
    return results
