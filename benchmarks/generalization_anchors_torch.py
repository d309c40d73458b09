"""Torch anchors of the generalization benchmark: LassoNet's CV estimator and RealMLP.

Runs in its own virtualenv (torch is never a dependency of skreg), for example::

    python -m venv /work/venv-torch
    /work/venv-torch/bin/pip install torch==2.13.0
    /work/venv-torch/bin/pip install torch==2.13.0 lassonet pytabkit
    /work/venv-torch/bin/pip install pandas statsmodels palmerpenguins vega_datasets
    nice -n 10 /work/venv-torch/bin/python benchmarks/generalization_anchors_torch.py

It uses the problems and the 70/30 splits of ``generalization_problems.py`` (which
imports neither skreg nor torch) and writes its records into the same caches,
``results/anchors_<problem>.json``, as systems ``lassonet`` and ``realmlp``;
``bench_generalization.py --include-torch`` shows them beside the other systems.

- ``lassonet``: ``StandardScaler`` + ``LassoNetRegressorCV`` / ``LassoNetClassifierCV``
  (cv=5, LassoNet's defaults otherwise; ``--path-multiplier`` can coarsen its
  lambda path, and the value is part of the record's version). Regression targets
  are standardized on the training part (LassoNet's loss is NaN on raw targets of
  scale 100 and more, e.g. load_diabetes) and predictions mapped back.
- ``realmlp``: ``StandardScaler`` + pytabkit's ``RealMLP_TD_Regressor`` /
  ``RealMLP_TD_Classifier`` (tuned defaults; it adds its own robust scaling and
  target normalization), ``device="cpu"``, ``n_threads=--threads``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from importlib.metadata import version

import numpy as np
import torch
from generalization_problems import (
    input_mask_scores,
    read_cache,
    select,
    split,
    write_records,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import StandardScaler


def _lassonet(task: str, seed: int, path_multiplier: float):
    from lassonet import LassoNetClassifierCV, LassoNetRegressorCV

    cls = LassoNetRegressorCV if task == "regression" else LassoNetClassifierCV
    return cls(
        cv=5,
        verbose=0,
        random_state=seed,
        torch_seed=seed,
        path_multiplier=path_multiplier,
    )


def _realmlp(task: str, seed: int, threads: int):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    cls = RealMLP_TD_Regressor if task == "regression" else RealMLP_TD_Classifier
    return cls(device="cpu", random_state=seed, n_threads=threads, verbosity=0)


def system_version(system: str, args) -> str:
    """The version string of a torch anchor's records."""
    if system == "lassonet":
        lassonet = version("lassonet")
        return (
            f"1/torch-{torch.__version__}/lassonet-{lassonet}/pm-{args.path_multiplier}"
        )
    return f"1/torch-{torch.__version__}/pytabkit-{version('pytabkit')}"


def fit_and_score(system: str, problem, seed: int, args) -> dict:
    """Fit ``system`` on split ``seed``'s training part and score its test part."""
    X_train, X_test, y_train, y_test = split(problem, seed)
    start = time.perf_counter()
    scaler = StandardScaler().fit(X_train)
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    regression = problem.task == "regression"
    kept = None
    if system == "lassonet":
        model = _lassonet(problem.task, seed, args.path_multiplier)
        if regression:
            mean, scale = y_train.mean(), y_train.std()
            model.fit(Z_train, (y_train - mean) / scale)
            predicted = np.ravel(model.predict(Z_test)) * scale + mean
        else:
            model.fit(Z_train, y_train)
            predicted = np.ravel(model.predict(Z_test))
        kept = np.asarray(model.best_selected_.cpu().numpy(), dtype=bool)
    else:
        model = _realmlp(problem.task, seed, args.threads)
        model.fit(Z_train, y_train)
        predicted = np.ravel(model.predict(Z_test))
    fit_time = time.perf_counter() - start
    score = (
        r2_score(y_test, predicted) if regression else accuracy_score(y_test, predicted)
    )
    record = {"score": float(score), "fit_time": fit_time}
    record.update(input_mask_scores(problem, kept))
    return record


def main(argv=None) -> None:
    """Compute the torch anchors that are not cached yet."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", help="comma-separated problem names")
    parser.add_argument("--half", choices=["tune", "heldout", "all"], default="all")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--systems", default="realmlp,lassonet")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument(
        "--path-multiplier", type=float, default=1.02, help="LassoNet's"
    )
    parser.add_argument("--recompute", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    names = args.problems.split(",") if args.problems else None
    print(f"torch {torch.__version__}, threads {args.threads}")
    for problem in select(names, args.half):
        for seed in range(args.splits):
            for system in args.systems.split(","):
                cached = read_cache(problem.name).get(f"{seed}|{system}")
                wanted = system_version(system, args)
                if cached and cached.get("version") == wanted and not args.recompute:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    record = fit_and_score(system, problem, seed, args)
                record.update(
                    problem=problem.name, split=seed, system=system, version=wanted
                )
                write_records(problem.name, [record])
                print(
                    f"  {problem.name:20s} split {seed} {system:9s} score "
                    f"{record['score']:.4f}"
                    f"  fit {record['fit_time']:7.1f} s  kept {record['n_kept']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
