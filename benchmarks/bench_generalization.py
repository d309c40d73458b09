"""Generalization benchmark: skreg's CV estimators against fixed anchors.

Every system sees the same 5 random 70/30 splits of each problem
(``train_test_split(random_state=0..4)``, stratified for classification), is tuned
on the training part only, and is scored on the test part (R^2 or accuracy).
``StandardScaler`` stands in front of every system that is not a tree. Problems
and their fixed "tune" / "heldout" halves are in ``generalization_problems.py``.

The scikit-learn anchors do not change when skreg does, so their records are
cached in ``results/anchors_<problem>.json`` (keyed by split and system, with a
version string) and reused unless ``--recompute-anchors``. The torch anchors
(LassoNet, RealMLP) are written into the same caches by
``generalization_anchors_torch.py`` in its own virtualenv; ``--include-torch``
reads them. skreg systems are recomputed on every run.

Examples::

    python benchmarks/bench_generalization.py --quick --problems diabetes \\
        --systems lasso
    python benchmarks/bench_generalization.py --half heldout --include-torch
    python benchmarks/bench_generalization.py --systems skreg,skreg:group_lasso \\
        --skreg-config relaxed='{"penalty": "l1"}'
    python benchmarks/bench_generalization.py --selection \\
        --systems lasso,skreg:group_lasso
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from generalization_problems import (
    HALVES,
    friedman1_correlated,
    friedman1_selection,
    input_mask_scores,
    read_cache,
    select,
    split,
    write_records,
)
from scipy.stats import rankdata
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import ElasticNetCV, LassoCV, LogisticRegressionCV
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import skreg
from skreg import MLPClassifierCV, MLPRegressorCV

# Bump when an anchor's definition changes; with scikit-learn's version it keys the
# cached anchor records.
ANCHOR_VERSION = f"1/sklearn-{sklearn.__version__}"

QUICK_PROBLEMS = ["diabetes", "breast_cancer", "friedman1"]

# -- systems --------------------------------------------------------------------------
# Named skreg configurations (system "skreg:<name>"); --skreg-config adds more. A
# configuration's keys go to both CV estimators, except the task-only sub-dicts
# "regressor" and "classifier".
SKREG_CONFIGS: dict[str, dict] = {
    "group_lasso": {"penalty": "group_lasso"},
    "l1": {"penalty": "l1"},
}
# Written into the caches by generalization_anchors_torch.py; read with --include-torch.
TORCH_SYSTEMS = ("lassonet", "realmlp")
MLP_ALPHAS = np.logspace(-4, 2, 7)


def _scaled(model):
    return make_pipeline(StandardScaler(), model)


def _lasso(task, seed):
    if task == "regression":
        return _scaled(LassoCV(cv=5, max_iter=100_000, n_jobs=1))
    return _scaled(
        LogisticRegressionCV(
            cv=5,
            l1_ratios=(0.0,),
            scoring="accuracy",
            max_iter=10_000,
            use_legacy_attributes=False,
        )
    )


def _enet(task, seed):
    # Classification: LogisticRegressionCV(solver="saga", l1_ratios=[.1, .5, .9, 1])
    # took 60 s on breast_cancer alone (load 5 on 2 cores), so it is left out.
    if task != "regression":
        return None
    return _scaled(
        ElasticNetCV(cv=5, l1_ratio=[0.1, 0.5, 0.9, 1.0], max_iter=100_000, n_jobs=1)
    )


def _hgb(task, seed):
    cls = (
        HistGradientBoostingRegressor
        if task == "regression"
        else HistGradientBoostingClassifier
    )
    return cls(random_state=seed)


def _rf(task, seed):
    cls = RandomForestRegressor if task == "regression" else RandomForestClassifier
    return cls(n_estimators=300, n_jobs=1, random_state=seed)


def _mlp_grid(task, seed):
    cls = MLPRegressor if task == "regression" else MLPClassifier
    search = GridSearchCV(
        cls(max_iter=500, random_state=seed), {"alpha": MLP_ALPHAS}, cv=5
    )
    return _scaled(search)


ANCHORS = {
    "lasso": _lasso,
    "enet": _enet,
    "hgb": _hgb,
    "rf": _rf,
    "mlp_grid": _mlp_grid,
}
SKLEARN_ANCHORS = tuple(ANCHORS)


def is_anchor(system: str) -> bool:
    """True for the cached (scikit-learn and torch) anchors."""
    return system in ANCHORS or system in TORCH_SYSTEMS


def skreg_params(system: str, task: str) -> dict:
    """The parameters of skreg system ``skreg`` or ``skreg:<config>`` for ``task``."""
    if system == "skreg":
        return {}
    config = dict(SKREG_CONFIGS[system.split(":", 1)[1]])
    own = config.pop("regressor" if task == "regression" else "classifier", {})
    config.pop("classifier" if task == "regression" else "regressor", None)
    params = {**config, **own}
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def make_system(system: str, task: str, seed: int):
    """A fresh, unfitted model of ``system`` for ``task`` (None: not for this task).

    Seeded models get ``random_state=seed`` (the split's seed) so that runs repeat.
    """
    if system in ANCHORS:
        return ANCHORS[system](task, seed)
    cls = MLPRegressorCV if task == "regression" else MLPClassifierCV
    params = {"random_state": seed, **skreg_params(system, task)}
    return _scaled(cls(**params))


def kept_inputs(model) -> np.ndarray | None:
    """Mask of the inputs a fitted model uses, where that is meaningful.

    Lasso / elastic net: nonzero coefficients. skreg: ``feature_importances_ > 0``
    (a zero first-layer row, and zero skip weights where there are any). None for
    dense models (L2 logistic regression, trees, scikit-learn's MLP).
    """
    final = model[-1] if hasattr(model, "steps") else model
    if isinstance(final, (LassoCV, ElasticNetCV)):
        return final.coef_ != 0
    if isinstance(final, (MLPRegressorCV, MLPClassifierCV)):
        importances = getattr(final, "feature_importances_", None)
        return None if importances is None else np.asarray(importances) > 0
    return None


def fit_and_score(model, problem, seed: int) -> dict:
    """Fit on split ``seed``'s training part, score on its test part."""
    X_train, X_test, y_train, y_test = split(problem, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, start_cpu = time.perf_counter(), time.process_time()
        model.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        cpu_time = time.process_time() - start_cpu
    predicted = model.predict(X_test)
    if problem.task == "regression":
        score = r2_score(y_test, predicted)
    else:
        score = accuracy_score(y_test, predicted)
    record = {"score": float(score), "fit_time": fit_time, "cpu_time": cpu_time}
    record["load"] = os.getloadavg()[0]
    record.update(input_mask_scores(problem, kept_inputs(model)))
    record["warnings"] = sorted({w.category.__name__ for w in caught})
    return record


# -- report ---------------------------------------------------------------------------
def _half_of(name: str) -> str:
    return "T" if name in HALVES["tune"] else "H"


def _means(records, field="score") -> dict[tuple[str, str], float]:
    """Mean of ``field`` over splits, keyed (problem, system)."""
    grouped: dict[tuple[str, str], list[float]] = {}
    for r in records:
        if r.get(field) is not None:
            grouped.setdefault((r["problem"], r["system"]), []).append(r[field])
    return {k: float(np.mean(v)) for k, v in grouped.items()}


def _best_anchor(scores, problem: str) -> tuple[str | None, float]:
    """The best scikit-learn anchor of ``problem`` and its mean score."""
    present = {s: scores[problem, s] for s in SKLEARN_ANCHORS if (problem, s) in scores}
    if not present:
        return None, float("nan")
    best = max(present, key=present.get)
    return best, present[best]


def mean_ranks(scores, problems, systems) -> dict[str, tuple[float, int]]:
    """Mean rank (1 = best, ties averaged) and number of problems, per system.

    On each problem the systems with a result there are ranked (enet has none on
    classification, torch anchors may cover only some problems).
    """
    ranks: dict[str, list[float]] = {s: [] for s in systems}
    for p in problems:
        present = [s for s in systems if (p.name, s) in scores]
        if len(present) < 2:
            continue
        r = rankdata([-scores[p.name, s] for s in present])
        for s, value in zip(present, r):
            ranks[s].append(float(value))
    return {s: (float(np.mean(v)), len(v)) for s, v in ranks.items() if v}


def _skreg_systems(systems):
    return [s for s in systems if s.startswith("skreg")]


def print_table(records, problems, systems) -> dict:
    """Per-problem mean scores and fit times, mean ranks; return them as a dict."""
    scores, times = _means(records), _means(records, "fit_time")
    shown = [s for s in systems if any((p.name, s) in scores for p in problems)]
    gaps = _skreg_systems(shown)
    print(
        "\nMean test score over splits (R^2 / accuracy); * = best scikit-learn anchor;"
    )
    print("gap = skreg system - best scikit-learn anchor. Half: T = tune, H = heldout.")
    counts: dict[tuple[str, str], int] = {}
    for r in records:
        counts[r["problem"], r["system"]] = (
            counts.get((r["problem"], r["system"]), 0) + 1
        )
    n_splits = max(counts.values(), default=0)
    print(f"~ = mean over fewer than {n_splits} splits (see below).")
    head = f"{'problem':20s} {'half':4s} {'task':5s} {'family':9s} {'n x p':>10s}"
    print(
        head
        + "".join(f" {s[:12]:>12s}" for s in shown)
        + "".join(f" {'gap ' + s[-7:]:>12s}" for s in gaps)
    )
    for p in problems:
        X, _ = p.load()
        best, best_score = _best_anchor(scores, p.name)
        size = f"{X.shape[0]:>5d}x{X.shape[1]:<4d}"
        row = f"{p.name:20s} {_half_of(p.name):4s} {p.task[:5]:5s} {p.family:9s} {size}"
        for s in shown:
            value = scores.get((p.name, s))
            mark = ("*" if s == best else " ") + (
                "~" if counts.get((p.name, s), n_splits) < n_splits else " "
            )
            row += f" {value:10.3f}{mark}" if value is not None else f" {'-':>12s}"
        for s in gaps:
            value = scores.get((p.name, s))
            row += (
                f" {value - best_score:+12.3f}" if value is not None else f" {'-':>12s}"
            )
        print(row)
    fewer = [
        f"{p.name}/{s} {counts[p.name, s]}"
        for p in problems
        for s in shown
        if 0 < counts.get((p.name, s), n_splits) < n_splits
    ]
    if fewer:
        print(f"~ splits of {n_splits} (problem/system k): " + ", ".join(fewer))
    _print_times("Mean fit time per problem (wall, s):", times, problems, shown)
    cpu = _means(records, "cpu_time")
    if cpu:
        _print_times(
            "Mean CPU time of the fit (s; - = not recorded):", cpu, problems, shown
        )
    loads = [r["load"] for r in records if "load" in r]
    if loads:
        low, high = min(loads), max(loads)
        print(f"1-minute load average during the fits: {low:.1f} to {high:.1f}")
    _print_selection_columns(records, problems, shown)
    ranks = {}
    print("\nMean rank over problems (1 = best) and mean fit time:")
    for label, subset in _subsets(problems):
        ranks[label] = mean_ranks(scores, subset, shown)
        print(
            f"  {label:8s} ({len(subset)} problems) "
            + ", ".join(
                f"{s} {r:.2f}" + (f" ({k}/{len(subset)})" if k < len(subset) else "")
                for s, (r, k) in sorted(ranks[label].items(), key=lambda x: x[1])
            )
        )
    fit = {
        s: float(np.mean([r["fit_time"] for r in records if r["system"] == s]))
        for s in shown
    }
    print(
        "  fit time (mean over all fits, s): "
        + ", ".join(f"{s} {t:.2f}" for s, t in fit.items())
    )
    return {
        "scores": {f"{p}|{s}": v for (p, s), v in scores.items()},
        "fit_times": {f"{p}|{s}": v for (p, s), v in times.items()},
        "mean_ranks": ranks,
        "mean_fit_time": fit,
    }


def _print_times(title, times, problems, shown) -> None:
    print("\n" + title)
    print(f"{'problem':20s}" + "".join(f" {s[:12]:>12s}" for s in shown))
    for p in problems:
        cells = [times.get((p.name, s)) for s in shown]
        print(
            f"{p.name:20s}"
            + "".join(f" {c:12.2f}" if c is not None else f" {'-':>12s}" for c in cells)
        )


def _print_selection_columns(records, problems, shown) -> None:
    recall, noise, kept = (
        _means(records, "recall"),
        _means(records, "noise_kept"),
        _means(records, "n_kept"),
    )
    selecting = [s for s in shown if any((p.name, s) in kept for p in problems)]
    if not selecting:
        return
    print(
        "\nInputs kept (mean over splits); synthetic problems: inputs kept, recall "
        "of the informative inputs / noise inputs kept:"
    )
    print(f"{'problem':20s} {'p':>5s}" + "".join(f" {s[:18]:>18s}" for s in selecting))
    for p in problems:
        row = f"{p.name:20s} {p.load()[0].shape[1]:5d}"
        for s in selecting:
            if (p.name, s) not in kept:
                row += f" {'-':>18s}"
            elif (p.name, s) in recall:
                cell = f"{recall[p.name, s]:4.2f}/{noise[p.name, s]:5.1f}"
                row += f" {kept[p.name, s]:6.1f} {cell}"
            else:
                row += f" {kept[p.name, s]:18.1f}"
        print(row)


def _subsets(problems):
    """("all", problems) and, when both halves are present, each half's problems."""
    out = [("all", problems)]
    for half in ("heldout", "tune"):
        subset = [p for p in problems if p.name in HALVES[half]]
        if subset and len(subset) < len(problems):
            out.append((half, subset))
    return out


def time_limit(problem, anchor_time: float | None) -> float:
    """Fit-time limit (issue "Better defaults") of ``problem``: n x p of its data."""
    n, p = problem.load()[0].shape
    limit = 10.0 if n * p <= 100_000 else 60.0
    if anchor_time is not None and anchor_time > 10.0:
        limit = min(limit, anchor_time)
    return limit


def print_goals(records, problems, systems) -> dict:
    """PASS/FAIL lines of the goals, per skreg system and per half."""
    scores, times = _means(records), _means(records, "fit_time")
    cpu = _means(records, "cpu_time")
    shown = [s for s in systems if any((p.name, s) in scores for p in problems)]
    results = {}
    print(
        "\nGoals (issue 'Better defaults'): score >= best scikit-learn anchor - 0.01 "
        "on every problem;"
    )
    print(
        "mean gap >= 0; first in mean rank among the systems with a result on every "
        "problem; fit time <= 10 s "
        "(n*p <= 1e5),"
    )
    print(
        "<= 60 s otherwise, and <= scikit-learn MLP+GridSearchCV where that takes "
        "> 10 s."
    )
    for system in _skreg_systems(shown):
        for label, subset in _subsets(problems):
            subset = [p for p in subset if (p.name, system) in scores]
            if not subset:
                continue
            checks = _goal_checks(system, subset, scores, times, cpu, shown)
            for goal, (ok, detail) in checks.items():
                print(
                    f"{'PASS' if ok else 'FAIL'} [{system}, {label}] {goal}: {detail}"
                )
            results[f"{system}|{label}"] = {
                g: {"pass": ok, "detail": d} for g, (ok, d) in checks.items()
            }
    return results


def _slow(system, subset, times) -> list[str]:
    """Problems where ``system``'s mean fit time (in ``times``) exceeds the limit."""
    slow = []
    for p in subset:
        if (p.name, system) not in times:
            continue
        limit = time_limit(p, times.get((p.name, "mlp_grid")))
        if times[p.name, system] > limit:
            slow.append(f"{p.name} {times[p.name, system]:.1f}s > {limit:.1f}s")
    return slow


def _goal_checks(system, subset, scores, times, cpu, shown) -> dict:
    """``{goal: (passed, detail)}`` of one skreg system on the problems ``subset``."""
    gaps = {
        p.name: scores[p.name, system] - _best_anchor(scores, p.name)[1] for p in subset
    }
    behind = [f"{n} {g:+.3f}" for n, g in gaps.items() if g < -0.01]
    # Compared with the systems that have a result on every problem of the subset.
    ranks = {
        s: r
        for s, (r, k) in mean_ranks(scores, subset, shown).items()
        if k == len(subset)
    }
    mean_gap = float(np.mean(list(gaps.values())))
    n = len(subset)
    checks = {
        "every problem >= best anchor - 0.01": (
            not behind,
            f"{n - len(behind)}/{n}"
            + (f"; behind: {', '.join(behind)}" if behind else ""),
        ),
        "mean gap to per-problem best >= 0": (
            mean_gap >= 0,
            f"mean gap {mean_gap:+.4f} (median {np.median(list(gaps.values())):+.4f})",
        ),
    }
    if len(ranks) > 1 and system in ranks:
        first = min(ranks, key=ranks.get)
        checks["first in mean rank (systems on every problem)"] = (
            ranks[system] <= ranks[first],
            f"{system} {ranks[system]:.2f}, best {first} {ranks[first]:.2f}",
        )
    slow = _slow(system, subset, times)
    checks["fit time limits (wall)"] = (not slow, "; ".join(slow) or f"{n}/{n} within")
    if any((p.name, system) in cpu for p in subset):
        # CPU time of the fitting process: on a loaded machine, closer to what the
        # wall time would be on an idle one (one thread). mlp_grid's wall time stands
        # in where its CPU time was not recorded.
        slow = _slow(system, subset, {**times, **cpu})
        checks["fit time limits (CPU)"] = (
            not slow,
            "; ".join(slow) or f"{n}/{n} within",
        )
    return checks


# -- selection mode (issue "Input selection") -----------------------------------------
SELECTION_PROBLEMS = {
    "friedman1_1000x200": friedman1_selection,
    "friedman1_correlated": friedman1_correlated,
}


def run_selection(systems: list[str], n_seeds: int, names=None) -> dict:
    """Recall of the informative inputs and noise inputs kept, fit on all rows.

    ``names`` picks some of SELECTION_PROBLEMS (all if None).
    """
    summary = {}
    for name in names or SELECTION_PROBLEMS:
        make = SELECTION_PROBLEMS[name]
        print(f"\n{name}: {n_seeds} seeds, fit on all 1000 rows")
        for system in systems:
            rows = []
            for seed in range(n_seeds):
                X, y, informative, noise = make(seed)
                model = make_system(system, "regression", seed)
                start = time.perf_counter()
                model.fit(X, y)
                elapsed = time.perf_counter() - start
                kept = kept_inputs(model)
                if kept is None:
                    print(f"  {system}: keeps every input (no selection); skipped")
                    break
                neither = np.setdiff1d(np.arange(X.shape[1]), informative + noise)
                rows.append(
                    (
                        kept[list(informative)].mean(),
                        kept[list(noise)].sum(),
                        kept[neither].sum(),
                        elapsed,
                    )
                )
                print(
                    f"  {system:18s} seed {seed}: recall {rows[-1][0]:.2f}, noise "
                    f"kept {rows[-1][1]:3d}, copies kept {rows[-1][2]:2d}, fit "
                    f"{elapsed:6.1f} s",
                    flush=True,
                )
            if not rows:
                continue
            recall, noise_kept, copies, fit = (
                np.array(c, dtype=float) for c in zip(*rows)
            )
            summary[f"{name}|{system}"] = stats = {
                "mean_recall": float(recall.mean()),
                "median_noise_kept": float(np.median(noise_kept)),
                "mean_noise_kept": float(noise_kept.mean()),
                "max_noise_kept": float(noise_kept.max()),
                "mean_copies_kept": float(copies.mean()),
                "mean_fit_time": float(fit.mean()),
            }
            print(
                f"  => {system}: recall {stats['mean_recall']:.3f}, noise kept median "
                f"{stats['median_noise_kept']:.1f} (mean "
                f"{stats['mean_noise_kept']:.1f}, max {stats['max_noise_kept']:.0f}), "
                f"copies kept {stats['mean_copies_kept']:.1f}, fit "
                f"{stats['mean_fit_time']:.1f} s"
            )
    return summary


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--problems",
        help="comma-separated problem names (with --selection: "
        "friedman1_1000x200, friedman1_correlated)",
    )
    parser.add_argument("--half", choices=["tune", "heldout", "all"], default="all")
    parser.add_argument("--splits", type=int, default=5, help="number of splits")
    parser.add_argument(
        "--split-ids",
        type=lambda text: [int(i) for i in text.split(",")],
        help="run only these splits (e.g. 3,4: to fill a cache in parallel)",
    )
    parser.add_argument(
        "--systems",
        help=f"comma-separated; anchors {','.join(ANCHORS)}, 'skreg' (the default "
        f"CV estimator) and 'skreg:<config>' for the configurations "
        f"{sorted(SKREG_CONFIGS)} or --skreg-config ones (default: all anchors "
        "and skreg)",
    )
    parser.add_argument(
        "--skreg-config",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help='add a skreg configuration, e.g. gl=\'{"penalty": "group_lasso"}\' '
        "(keys 'regressor' / 'classifier' hold task-only parameters); it is run as "
        "system skreg:NAME",
    )
    parser.add_argument(
        "--include-torch", action="store_true", help="read the cached torch anchors"
    )
    parser.add_argument("--recompute-anchors", action="store_true")
    parser.add_argument(
        "--no-fit",
        action="store_true",
        help="fit nothing: report the cached anchors and the --reuse records only",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 splits, 3 small problems"
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads")
    parser.add_argument(
        "--json", metavar="OUT", help="write all records and the summary"
    )
    parser.add_argument(
        "--reuse",
        action="append",
        default=[],
        metavar="JSON",
        help="take skreg records from an earlier --json output instead of fitting "
        "them again (same problem, split and system name)",
    )
    parser.add_argument(
        "--selection", action="store_true", help="the input-selection problems"
    )
    parser.add_argument(
        "--seeds", type=int, default=10, help="seeds in --selection mode"
    )
    return parser.parse_args(argv)


def parse_configs(items: list[str]) -> list[str]:
    """Add ``NAME=JSON`` configurations to SKREG_CONFIGS; return their system names."""
    names = []
    for item in items:
        name, _, text = item.partition("=")
        if not name or not text:
            raise SystemExit(f"--skreg-config wants NAME=JSON, got {item!r}")
        SKREG_CONFIGS[name] = json.loads(text)
        names.append(f"skreg:{name}")
    return names


def choose_systems(args, added: list[str]) -> list[str]:
    """The systems to run, in table order."""
    if args.systems:
        systems = args.systems.split(",")
    else:
        systems = [*ANCHORS, "skreg"]
    systems += [s for s in added if s not in systems]
    if args.include_torch:
        systems = [s for s in systems if s not in TORCH_SYSTEMS] + list(TORCH_SYSTEMS)
    for system in systems:
        if not (system in ANCHORS or system in TORCH_SYSTEMS or system == "skreg"):
            if not (system.startswith("skreg:") and system[6:] in SKREG_CONFIGS):
                raise SystemExit(f"unknown system {system!r}")
    return systems


def read_reused(paths: list[str]) -> dict[str, dict]:
    """Records of earlier ``--json`` outputs, keyed ``"<problem>|<split>|<system>"``."""
    out = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f)["records"]:
                out[f"{r['problem']}|{r['split']}|{r['system']}"] = r
    return out


def known_record(problem, seed, system, cache, reused, recompute) -> dict | None:
    """The record of (problem, split, system) kept from an earlier run, if any.

    Torch anchors: the cache (any version). scikit-learn anchors: the cache, when
    its version is ANCHOR_VERSION and not ``recompute``. skreg: ``--reuse`` files.
    """
    key = f"{seed}|{system}"
    cached = cache.get(key)
    if system in TORCH_SYSTEMS:
        return cached
    if system in ANCHORS:
        current = cached is not None and cached.get("version") == ANCHOR_VERSION
        return cached if current and not recompute else None
    return reused.get(f"{problem.name}|{key}")


def run_problem(problem, systems, args, reused) -> list[dict]:
    """Records of every (split, system) of one problem, fitting what is not known.

    The cache is read again before every fit, so that runs filling it in parallel
    (``--split-ids``) do not repeat each other's fits.
    """
    records = []
    seeds = args.split_ids or range(args.splits)
    for seed in seeds:
        for system in systems:
            cache = read_cache(problem.name)
            known = known_record(
                problem, seed, system, cache, reused, args.recompute_anchors
            )
            if known is not None:
                records.append(known)
                continue
            model = (
                None
                if system in TORCH_SYSTEMS
                else make_system(system, problem.task, seed)
            )
            if model is None or args.no_fit:
                if model is not None or system in TORCH_SYSTEMS:
                    print(f"  (no record of {system} on {problem.name} split {seed})")
                continue
            record = fit_and_score(model, problem, seed)
            record.update(problem=problem.name, split=seed, system=system)
            if is_anchor(system):
                record["version"] = ANCHOR_VERSION
                write_records(problem.name, [record])
            records.append(record)
            print(
                f"  {problem.name:20s} split {seed} {system:18s} score "
                f"{record['score']:.4f}  fit {record['fit_time']:7.2f} s",
                flush=True,
            )
    return records


def _git_head() -> str:
    """The working tree's commit ("+dirty" when skreg/ has local changes)."""
    root = Path(__file__).resolve().parent.parent

    def git(*cmd):
        run = subprocess.run(["git", *cmd], cwd=root, capture_output=True, text=True)
        return run.stdout.strip()

    package = Path(skreg.__file__).resolve().parent.parent
    if package != root:  # e.g. a `git archive` snapshot on PYTHONPATH
        return f"skreg imported from {package}"
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "skreg") else "")


def write_json(path: str, records: list[dict], summary: dict) -> None:
    """Write the records and the summary (with skreg's commit) to ``path``."""
    summary = {**summary, "skreg_commit": _git_head()}
    with open(path, "w") as f:
        json.dump({"records": records, "summary": summary}, f, indent=1)


def main(argv=None) -> None:
    """Run the benchmark (or the selection mode) and print the report."""
    args = parse_args(argv)
    added = parse_configs(args.skreg_config)
    names = args.problems.split(",") if args.problems else None
    if args.quick:
        args.splits, args.seeds = min(args.splits, 2), min(args.seeds, 2)
        if not args.selection:
            names = names or QUICK_PROBLEMS
    systems = choose_systems(args, added)
    print(
        f"skreg {skreg.__version__} at commit {_git_head()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, threads {args.threads}, anchors "
        f"version {ANCHOR_VERSION}"
    )
    with threadpool_limits(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args.selection:
            chosen = (
                args.systems.split(",")
                if args.systems
                else ["lasso", "skreg:group_lasso"]
            )
            summary = run_selection(
                chosen + [s for s in added if s not in chosen], args.seeds, names
            )
            records = []
        else:
            problems = select(names, args.half)
            reused = read_reused(args.reuse)
            records = []
            for problem in problems:
                records += run_problem(problem, systems, args, reused)
                if args.json:  # so that --reuse can pick up an interrupted run
                    write_json(args.json, records, {"partial": True})
            summary = print_table(records, problems, systems)
            summary["goals"] = print_goals(records, problems, systems)
    if args.json:
        write_json(args.json, records, summary)


if __name__ == "__main__":
    main()
