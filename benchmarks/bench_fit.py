"""Fit-time benchmark: skreg vs scikit-learn (vs plain PyTorch, if installed).

Every library trains the same network with the same settings: Adam,
learning_rate_init=1e-3, alpha=1e-4 (L2), the same architecture, batch size
and number of epochs (tol=0 and n_iter_no_change=max_iter+1, so exactly
``max_iter`` epochs run), shuffle=True, random_state=0, no early stopping.
X is cast to the benchmarked dtype; both skreg and scikit-learn keep float32.

Usage::

    python benchmarks/bench_fit.py                      # all workloads, 3 repeats
    python benchmarks/bench_fit.py --workloads W1,W4 --dtypes float64
    python benchmarks/bench_fit.py --quick --repeats 1  # tiny smoke run
    python benchmarks/bench_fit.py --workloads W4 --score-seeds 10

``--score-seeds K`` (default 1) also fits every library on W1-W4 with
random_state = 0..K-1 (untimed; the data split stays the same) and reports the
mean and min..max test score. On small test sets the score difference at one
seed can be initialization noise (W4: 143 test samples, one sample = 0.007), so
with K > 1 the score goals compare the K-seed means; the seed-0 difference is
still printed, for information only.

Workloads (75/25 train/test split, train_test_split(random_state=0)):

W1  load_digits (X/16), hidden (256, 128), batch 64, 30 epochs, classifier
W2  make_regression(20000, 100, noise=10), hidden (256, 256), batch 256,
    20 epochs, regressor; X and y standardized (scalers fit on train)
W3  make_classification(50000, 200, n_informative=40, n_classes=5),
    hidden (512, 256), batch 256, 10 epochs, classifier
W4  load_breast_cancer (standardized), hidden (64,), batch 32, 200 epochs,
    classifier
W5  W2 for skreg only with penalty='elasticnet', dropout=0.2,
    batch_norm=True; timed in rounds alternating with skreg W2 fits, its
    reference (skipped when the installed skreg has no ``dropout`` /
    ``batch_norm`` parameters)

Reported per (workload, dtype, library): median fit wall time over
``--repeats`` runs, seconds per epoch, achieved GFLOP/s
(6 * n_train * n_weights * epochs / time), that as a fraction of the
machine's measured matmul peak, the test score (accuracy or R^2) and the time
ratio to scikit-learn (W5: to skreg's W2). A "goals" section follows.

The environment variables OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (which can slow
NumPy's BLAS) are printed but never changed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    make_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

ALL_WORKLOADS = ("W1", "W2", "W3", "W4", "W5")
ALL_DTYPES = ("float64", "float32")
LIBRARIES = ("skreg", "sklearn", "torch")

LEARNING_RATE = 1e-3
ALPHA = 1e-4
RANDOM_STATE = 0
PEAK_N = 2048
PEAK_N_QUICK = 512
PEAK_REPEATS = 5
TORCH_THREADS = 2  # --blas-threads N overrides it too

# Goals: skreg time / sklearn time, per workload and dtype.
TIME_GOALS = {
    ("W1", "float64"): 0.40,
    ("W1", "float32"): 0.40,
    ("W2", "float64"): 0.65,
    ("W2", "float32"): 0.55,
    ("W3", "float64"): 0.65,
    ("W3", "float32"): 0.55,
    ("W4", "float64"): 0.33,
    ("W4", "float32"): 0.33,
}
W5_GOAL = 1.3  # skreg W5 time / skreg W2 time
SCORE_GOAL = 0.01  # |skreg score - sklearn score| on W1-W4
SCORE_WORKLOADS = ("W1", "W2", "W3", "W4")  # --score-seeds applies to these


# -- workloads ---------------------------------------------------------------------
@dataclass
class Workload:
    name: str
    description: str
    task: str  # "classification" or "regression"
    hidden: tuple
    batch_size: int
    epochs: int
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    extra_skreg_params: dict = field(default_factory=dict)
    libraries: tuple = ("skreg", "sklearn", "torch")

    @property
    def n_train(self) -> int:
        return self.X_train.shape[0]

    def n_outputs(self) -> int:
        if self.task == "regression":
            return 1
        n_classes = len(np.unique(self.y_train))
        return 1 if n_classes == 2 else n_classes

    def layer_sizes(self) -> list[int]:
        return [self.X_train.shape[1], *self.hidden, self.n_outputs()]

    def n_weights(self) -> int:
        sizes = self.layer_sizes()
        return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))

    def flops(self) -> float:
        return 6.0 * self.n_train * self.n_weights() * self.epochs


def _split(X, y):
    return train_test_split(X, y, test_size=0.25, random_state=RANDOM_STATE)


def _standardize(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _subsample(X, y, n):
    """The first ``n`` rows of a shuffled copy (used by --quick)."""
    idx = np.random.default_rng(RANDOM_STATE).permutation(X.shape[0])[:n]
    return X[idx], y[idx]


def _shrink(hidden, batch_size, epochs, quick):
    if not quick:
        return hidden, batch_size, epochs
    return tuple(max(4, h // 16) for h in hidden), min(batch_size, 32), 2


def _raw_data(name: str, quick: bool):
    """(X_train, X_test, y_train, y_test) in float64, cached per process."""
    key = (name, quick)
    if key in _DATA_CACHE:
        return _DATA_CACHE[key]
    n_quick = 400
    if name == "W1":
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
        if quick:
            X, y = _subsample(X, y, n_quick)
        data = _split(X, y)
    elif name in ("W2", "W5"):
        if quick:
            X, y = make_regression(
                n_samples=n_quick, n_features=20, noise=10, random_state=RANDOM_STATE
            )
        else:
            X, y = make_regression(
                n_samples=20000, n_features=100, noise=10, random_state=RANDOM_STATE
            )
        X_train, X_test, y_train, y_test = _split(X, y)
        X_train, X_test = _standardize(X_train, X_test)
        y_scaler = StandardScaler().fit(y_train.reshape(-1, 1))
        y_train = y_scaler.transform(y_train.reshape(-1, 1)).ravel()
        y_test = y_scaler.transform(y_test.reshape(-1, 1)).ravel()
        data = (X_train, X_test, y_train, y_test)
    elif name == "W3":
        if quick:
            X, y = make_classification(
                n_samples=n_quick,
                n_features=20,
                n_informative=8,
                n_classes=5,
                random_state=RANDOM_STATE,
            )
        else:
            X, y = make_classification(
                n_samples=50000,
                n_features=200,
                n_informative=40,
                n_classes=5,
                random_state=RANDOM_STATE,
            )
        data = _split(X, y)
    elif name == "W4":
        X, y = load_breast_cancer(return_X_y=True)
        if quick:
            X, y = _subsample(X, y, n_quick)
        X_train, X_test, y_train, y_test = _split(X, y)
        X_train, X_test = _standardize(X_train, X_test)
        data = (X_train, X_test, y_train, y_test)
    else:
        raise ValueError(f"unknown workload {name!r}")
    _DATA_CACHE[key] = data
    return data


_DATA_CACHE: dict = {}


def make_workload(name: str, dtype: str, quick: bool) -> Workload:
    X_train, X_test, y_train, y_test = _raw_data(name, quick)
    X_train = np.ascontiguousarray(X_train, dtype=dtype)
    X_test = np.ascontiguousarray(X_test, dtype=dtype)
    specs = {
        "W1": ("digits/16", "classification", (256, 128), 64, 30),
        "W2": ("make_regression 20k x 100", "regression", (256, 256), 256, 20),
        "W3": ("make_classification 50k x 200", "classification", (512, 256), 256, 10),
        "W4": ("breast_cancer (std)", "classification", (64,), 32, 200),
        "W5": ("W2 + elasticnet/dropout/bn", "regression", (256, 256), 256, 20),
    }
    description, task, hidden, batch_size, epochs = specs[name]
    hidden, batch_size, epochs = _shrink(hidden, batch_size, epochs, quick)
    workload = Workload(
        name,
        description,
        task,
        hidden,
        batch_size,
        epochs,
        X_train,
        X_test,
        y_train,
        y_test,
    )
    if name == "W5":
        workload.extra_skreg_params = {
            "penalty": "elasticnet",
            "dropout": 0.2,
            "batch_norm": True,
        }
        workload.libraries = ("skreg",)
    return workload


# -- estimators ----------------------------------------------------------------------
def _common_params(w: Workload, seed: int = RANDOM_STATE) -> dict:
    return {
        "hidden_layer_sizes": w.hidden,
        "activation": "relu",
        "solver": "adam",
        "alpha": ALPHA,
        "batch_size": w.batch_size,
        "learning_rate_init": LEARNING_RATE,
        "max_iter": w.epochs,
        "tol": 0.0,
        "n_iter_no_change": w.epochs + 1,
        "early_stopping": False,
        "shuffle": True,
        "random_state": seed,
    }


def skreg_supports_w5() -> bool:
    import skreg

    params = skreg.MLPRegressor().get_params()
    return "dropout" in params and "batch_norm" in params


def _make_estimator(library: str, w: Workload, seed: int = RANDOM_STATE):
    params = _common_params(w, seed)
    if library == "skreg":
        import skreg

        params["penalty"] = "l2"
        params.update(w.extra_skreg_params)
        module = skreg
    else:
        import sklearn.neural_network as module
    cls = module.MLPClassifier if w.task == "classification" else module.MLPRegressor
    return cls(**params)


def _score_estimator(est, w: Workload) -> float:
    return float(est.score(w.X_test, w.y_test))


def fit_estimator(library: str, w: Workload, seed: int = RANDOM_STATE):
    """Fit once; return (seconds, epochs run, test score)."""
    est = _make_estimator(library, w, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(w.X_train, w.y_train)
        seconds = time.perf_counter() - start
    score = _score_estimator(est, w)
    weights = sum(W.size for W in est.coefs_)
    if weights != w.n_weights():
        raise RuntimeError(
            f"{library} on {w.name}: {weights} weights, expected {w.n_weights()}"
        )
    if est.coefs_[0].dtype != w.X_train.dtype:
        print(
            f"  note: {library} trained in {est.coefs_[0].dtype}, not {w.X_train.dtype}"
        )
    return seconds, int(est.n_iter_), score


# -- plain PyTorch (optional) ----------------------------------------------------------
_torch_threads = TORCH_THREADS


def torch_available() -> bool:
    """Whether PyTorch is installed (checked without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def warm_up_torch() -> None:
    """One untimed tiny training step: torch's first call pays one-off setup."""
    import torch

    torch.set_num_threads(_torch_threads)
    for dtype in (torch.float64, torch.float32):
        model = torch.nn.Sequential(
            torch.nn.Linear(8, 8, dtype=dtype),
            torch.nn.ReLU(),
            torch.nn.Linear(8, 1, dtype=dtype),
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        loss = model(torch.zeros(4, 8, dtype=dtype)).pow(2).mean()
        loss.backward()
        optimizer.step()


def fit_torch(w: Workload, seed: int = RANDOM_STATE):
    """A plain PyTorch CPU loop with the same settings; (seconds, epochs, score)."""
    import torch

    torch.set_num_threads(_torch_threads)
    torch_dtype = torch.float64 if w.X_train.dtype == np.float64 else torch.float32
    start = time.perf_counter()
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    sizes = w.layer_sizes()
    layers = []
    linears = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(fan_in, fan_out, dtype=torch_dtype)
        # scikit-learn's Glorot-uniform initialisation (relu / identity factor 6)
        bound = float(np.sqrt(6.0 / (fan_in + fan_out)))
        with torch.no_grad():
            linear.weight.uniform_(-bound, bound, generator=generator)
            linear.bias.uniform_(-bound, bound, generator=generator)
        layers.append(linear)
        linears.append(linear)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(
        model.parameters(),
        lr=LEARNING_RATE,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
    )
    X = torch.from_numpy(w.X_train)
    n_outputs = w.n_outputs()
    if w.task == "regression":
        Y = torch.from_numpy(w.y_train.astype(w.X_train.dtype)).reshape(-1, 1)

        def loss_fn(out, target):
            return 0.5 * torch.mean((out - target) ** 2)

    elif n_outputs == 1:
        Y = torch.from_numpy(w.y_train.astype(w.X_train.dtype)).reshape(-1, 1)
        loss_fn = torch.nn.functional.binary_cross_entropy_with_logits
    else:
        classes, encoded = np.unique(w.y_train, return_inverse=True)
        Y = torch.from_numpy(encoded.astype(np.int64))
        loss_fn = torch.nn.functional.cross_entropy
    l2 = ALPHA / 2.0 / w.n_train
    n = w.n_train
    for _ in range(w.epochs):
        perm = torch.randperm(n, generator=generator)
        for begin in range(0, n, w.batch_size):
            idx = perm[begin : begin + w.batch_size]
            optimizer.zero_grad(set_to_none=True)
            out = model(X[idx])
            loss = loss_fn(out, Y[idx])
            loss = loss + l2 * sum((lin.weight**2).sum() for lin in linears)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        out = model(torch.from_numpy(w.X_test)).numpy()
    if w.task == "regression":
        y_pred = out.ravel()
        ss_res = float(np.sum((w.y_test - y_pred) ** 2))
        ss_tot = float(np.sum((w.y_test - w.y_test.mean()) ** 2))
        score = 1.0 - ss_res / ss_tot
    else:
        classes = np.unique(w.y_train)
        if n_outputs == 1:
            y_pred = classes[(out.ravel() > 0).astype(int)]
        else:
            y_pred = classes[out.argmax(axis=1)]
        score = float(np.mean(y_pred == w.y_test))
    return seconds, w.epochs, score


# -- environment -------------------------------------------------------------------
def print_environment() -> None:
    import scipy
    import threadpoolctl

    import skreg

    print("== environment ==")
    print(f"python {platform.python_version()} on {platform.platform()}")
    print(f"cpu count: {os.cpu_count()}, {_load_text()}")
    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, skreg {skreg.__version__}, "
        f"threadpoolctl {threadpoolctl.__version__}"
    )
    if torch_available():
        from importlib.metadata import PackageNotFoundError, version

        try:
            torch_version = version("torch")
        except PackageNotFoundError:
            torch_version = "?"
        print(
            f"torch {torch_version} (benchmarked last, after all NumPy fits, "
            f"with torch.set_num_threads({_torch_threads}))"
        )
    else:
        print("torch: not installed (the PyTorch baseline is skipped)")
    for var in (
        "OPENBLAS_CORETYPE",
        "OPENBLAS_L2_SIZE",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
    ):
        print(f"{var}={os.environ.get(var, '<unset>')}")
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        print(f"numpy BLAS (build): {blas.get('name', '?')} {blas.get('version', '')}")
    except Exception:  # older numpy without mode="dicts"
        pass
    print("threadpoolctl.threadpool_info():")
    for info in threadpoolctl.threadpool_info():
        print(
            "  "
            + ", ".join(
                f"{key}={info.get(key)}"
                for key in (
                    "user_api",
                    "internal_api",
                    "num_threads",
                    "version",
                    "architecture",
                    "threading_layer",
                    "filepath",
                )
                if key in info
            )
        )
    print()


def _load_text() -> str:
    """The 1/5/15-minute load averages: other processes skew the timings."""
    try:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "load average: n/a"


def measure_peak(dtype: str, n: int, repeats: int = PEAK_REPEATS) -> float:
    """Median GFLOP/s of an n x n @ n x n np.matmul (2 n^3 flops)."""
    rng = np.random.default_rng(RANDOM_STATE)
    A = rng.standard_normal((n, n)).astype(dtype)
    B = rng.standard_normal((n, n)).astype(dtype)
    np.matmul(A, B)  # warm up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(A, B)
        rates.append(2.0 * n**3 / (time.perf_counter() - start) / 1e9)
    return statistics.median(rates)


# -- running ---------------------------------------------------------------------------
@dataclass
class Result:
    workload: str
    dtype: str
    library: str
    seconds: float
    epochs: int
    score: float
    gflops: float
    peak_fraction: float
    ratio: float | None = None
    reference: str = ""
    all_seconds: list = field(default_factory=list)
    # Test scores for random_state = 0..K-1 (--score-seeds K > 1; index 0 is
    # ``score``); empty when only seed 0 was fitted.
    seed_scores: list = field(default_factory=list)

    @property
    def mean_score(self) -> float:
        return statistics.fmean(self.seed_scores)


def _fit_once(library: str, w: Workload, seed: int = RANDOM_STATE):
    if library == "torch":
        return fit_torch(w, seed)
    return fit_estimator(library, w, seed)


def _summarize(library: str, w: Workload, runs: list, peak: float) -> Result:
    times = [seconds for seconds, _, _ in runs]
    _, epochs, score = runs[-1]
    median = statistics.median(times)
    gflops = w.flops() / median / 1e9
    result = Result(
        w.name,
        str(w.X_train.dtype),
        library,
        median,
        epochs,
        score,
        gflops,
        gflops / peak,
        all_seconds=times,
    )
    text = ", ".join(f"{t:.3f}" for t in times)
    print(
        f"  {w.name:<3} {result.dtype:<8} {library:<8} median {median:8.3f} s "
        f"(runs: {text}) epochs={epochs} score={score:.4f}",
        flush=True,
    )
    if epochs != w.epochs:
        print(f"  WARNING: {library} ran {epochs} epochs, expected {w.epochs}")
    return result


def run_interleaved(
    libraries: list[str], w: Workload, repeats: int, peak: float
) -> list[Result]:
    """``repeats`` rounds of one fit per library, so slow drifts in background
    load hit every library alike; one Result (median) per library."""
    runs = {library: [] for library in libraries}
    for _ in range(repeats):
        for library in libraries:
            runs[library].append(_fit_once(library, w))
    return [_summarize(library, w, runs[library], peak) for library in libraries]


def run_w5(w2: Workload, w5: Workload, repeats: int, peak: float) -> Result:
    """skreg W5 timed in rounds alternating with skreg W2 (its reference), so
    both see the same background load; the ratio is of the two medians."""
    runs = {"W2": [], "W5": []}
    for _ in range(repeats):
        runs["W2"].append(_fit_once("skreg", w2))
        runs["W5"].append(_fit_once("skreg", w5))
    reference = _summarize("skreg", w2, runs["W2"], peak)
    result = _summarize("skreg", w5, runs["W5"], peak)
    result.ratio = result.seconds / reference.seconds
    result.reference = f"skreg W2 {reference.seconds:.3f} s, interleaved"
    return result


def _fmt(value, spec, missing="-"):
    return missing if value is None else format(value, spec)


TABLE_HEADER = (
    f"{'workload':<8} {'dtype':<8} {'library':<8} {'fit_s':>9} {'s/epoch':>9} "
    f"{'GFLOP/s':>8} {'%peak':>6} {'score':>7} {'ratio':>6}  ref"
)


def format_row(r: Result) -> str:
    return (
        f"{r.workload:<8} {r.dtype:<8} {r.library:<8} {r.seconds:>9.3f} "
        f"{r.seconds / max(r.epochs, 1):>9.4f} {r.gflops:>8.2f} "
        f"{100 * r.peak_fraction:>5.1f}% {r.score:>7.4f} "
        f"{_fmt(r.ratio, '6.3f', '     -'):>6}  {r.reference}"
    )


def print_table(results: list[Result], peaks: dict) -> None:
    print("== results (median fit wall time) ==")
    peak_text = ", ".join(f"{d}: {p:.1f} GFLOP/s" for d, p in peaks.items())
    print(f"matmul peak: {peak_text}")
    print("ratio = fit time / fit time of 'ref' (same workload and dtype)")
    print(TABLE_HEADER)
    print("-" * len(TABLE_HEADER))
    for r in results:
        print(format_row(r))
    print()


SEEDS_HEADER = (
    f"{'workload':<8} {'dtype':<8} {'library':<8} {'seed0':>7} {'mean':>7} "
    f"{'min':>7} {'max':>7}"
)


def run_score_seeds(
    results: list[Result], workloads: list[str], n_seeds: int, quick: bool
) -> None:
    """Untimed fits with random_state = 1..n_seeds-1 for every result of a
    requested W1-W4 workload (seed 0 reuses the timed run's score). NumPy
    libraries first, torch last, as in the timed runs."""
    wanted = [name for name in workloads if name in SCORE_WORKLOADS]
    todo = [r for r in results if r.workload in wanted]
    if not todo:
        return
    print(f"== score over seeds 0..{n_seeds - 1} (extra fits, not timed) ==")
    todo.sort(key=lambda r: r.library == "torch")
    for r in todo:
        w = make_workload(r.workload, r.dtype, quick)
        scores = [r.score]
        for seed in range(1, n_seeds):
            scores.append(_fit_once(r.library, w, seed)[2])
        r.seed_scores = scores
        print(
            f"  {r.workload:<3} {r.dtype:<8} {r.library:<8} "
            f"mean {r.mean_score:.4f} (min {min(scores):.4f}, "
            f"max {max(scores):.4f})",
            flush=True,
        )
    print()


def print_seed_table(results: list[Result], n_seeds: int) -> None:
    rows = [r for r in results if r.seed_scores]
    if not rows:
        return
    print(
        f"== test score over {n_seeds} seeds (random_state 0..{n_seeds - 1}; "
        "same data split) =="
    )
    print(SEEDS_HEADER)
    print("-" * len(SEEDS_HEADER))
    for r in rows:
        print(
            f"{r.workload:<8} {r.dtype:<8} {r.library:<8} {r.score:>7.4f} "
            f"{r.mean_score:>7.4f} {min(r.seed_scores):>7.4f} "
            f"{max(r.seed_scores):>7.4f}"
        )
    print()


def _find(results, workload, dtype, library):
    for r in results:
        if (r.workload, r.dtype, r.library) == (workload, dtype, library):
            return r
    return None


def print_goals(results: list[Result], dtypes, quick: bool) -> None:
    print("== goals ==")
    if quick:
        print("(--quick: tiny workloads, the goals are not meaningful here)")
    lines = []
    for workload in ("W1", "W2", "W3", "W4"):
        for dtype in dtypes:
            ours = _find(results, workload, dtype, "skreg")
            theirs = _find(results, workload, dtype, "sklearn")
            if ours is None or theirs is None:
                continue
            goal = TIME_GOALS[(workload, dtype)]
            lines.append(
                (
                    f"{workload} {dtype} time skreg/sklearn",
                    f"{ours.ratio:.3f}",
                    f"<= {goal:.2f}",
                    ours.ratio <= goal,
                )
            )
            diff = abs(ours.score - theirs.score)
            if ours.seed_scores and theirs.seed_scores:
                k = len(ours.seed_scores)
                mean_diff = abs(ours.mean_score - theirs.mean_score)
                lines.append(
                    (
                        f"{workload} {dtype} |mean score over {k} seeds "
                        "skreg - sklearn|",
                        f"{mean_diff:.4f}",
                        f"<= {SCORE_GOAL:.2f}",
                        mean_diff <= SCORE_GOAL,
                    )
                )
                # Informational only: ok=None is not counted as a goal.
                lines.append(
                    (
                        f"{workload} {dtype} |score seed 0 skreg - sklearn|",
                        f"{diff:.4f}",
                        "",
                        None,
                    )
                )
            else:
                lines.append(
                    (
                        f"{workload} {dtype} |score skreg - sklearn|",
                        f"{diff:.4f}",
                        f"<= {SCORE_GOAL:.2f}",
                        diff <= SCORE_GOAL,
                    )
                )
    for dtype in dtypes:
        w5 = _find(results, "W5", dtype, "skreg")
        if w5 is not None and w5.ratio is not None:
            lines.append(
                (
                    f"W5 {dtype} time skreg W5 / skreg W2",
                    f"{w5.ratio:.3f}",
                    f"<= {W5_GOAL:.2f}",
                    w5.ratio <= W5_GOAL,
                )
            )
    if not lines:
        print("(no goal applies to the selected workloads)")
    width = max((len(line[0]) for line in lines), default=0)
    for name, value, goal, ok in lines:
        status = "info (not a goal)" if ok is None else ("PASS" if ok else "MISS")
        print(f"{name:<{width}}  {value:>7}  {goal:<8}  {status}")
    goals = [line for line in lines if line[3] is not None]
    if goals:
        n_pass = sum(line[3] for line in goals)
        print(f"{n_pass}/{len(goals)} goals met")
    print()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=3, help="fits per measurement (median)"
    )
    parser.add_argument(
        "--workloads",
        default=",".join(ALL_WORKLOADS),
        help="comma-separated subset of " + ",".join(ALL_WORKLOADS),
    )
    parser.add_argument(
        "--dtypes",
        default=",".join(ALL_DTYPES),
        help="comma-separated subset of " + ",".join(ALL_DTYPES),
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="cap the BLAS/OpenMP thread pools (threadpoolctl) and torch's threads "
        "at N for the peak and every fit (default: leave the libraries' own "
        "setting); 1 makes timings far less sensitive to other processes",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="shrink every workload to a tiny size (smoke test)",
    )
    parser.add_argument(
        "--score-seeds",
        type=int,
        default=1,
        metavar="K",
        help="also fit W1-W4 with random_state 0..K-1 (untimed) and compare the "
        "mean test scores; one seed's score is mostly initialization noise on "
        "small test sets (default 1: seed 0 only)",
    )
    args = parser.parse_args(argv)
    args.workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    args.dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    for w in args.workloads:
        if w not in ALL_WORKLOADS:
            parser.error(f"unknown workload {w!r}; choose from {ALL_WORKLOADS}")
    for d in args.dtypes:
        if d not in ALL_DTYPES:
            parser.error(f"unknown dtype {d!r}; choose from {ALL_DTYPES}")
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    if args.score_seeds < 1:
        parser.error("--score-seeds must be >= 1")
    if args.blas_threads is not None and args.blas_threads < 1:
        parser.error("--blas-threads must be >= 1")
    return args


def main(argv=None) -> int:
    global _torch_threads

    args = parse_args(argv)
    _torch_threads = args.blas_threads or TORCH_THREADS
    if args.blas_threads is None:
        return _run(args)
    import threadpoolctl

    with threadpoolctl.threadpool_limits(limits=args.blas_threads):
        return _run(args)


def _run(args) -> int:
    print_environment()
    if args.blas_threads is not None:
        print(
            f"--blas-threads {args.blas_threads}: BLAS/OpenMP pools and torch "
            f"capped at {args.blas_threads} thread(s) for the peak and every fit"
        )
        print()

    peak_n = PEAK_N_QUICK if args.quick else PEAK_N
    peaks = {}
    print(f"== matmul peak ({peak_n}x{peak_n} @ {peak_n}x{peak_n}) ==")
    for dtype in args.dtypes:
        peaks[dtype] = measure_peak(dtype, peak_n)
        print(f"{dtype}: {peaks[dtype]:.1f} GFLOP/s (median of {PEAK_REPEATS})")
    print()

    with_torch = torch_available()

    workloads = list(args.workloads)
    w5_supported = skreg_supports_w5()
    if "W5" in workloads and not w5_supported:
        print(
            "note: W5 skipped: this skreg's estimators have no 'dropout' / "
            "'batch_norm' parameters yet"
        )
        workloads.remove("W5")
    print()

    print("== runs ==")
    results: list[Result] = []
    torch_workloads: list[Workload] = []
    for name in workloads:
        for dtype in args.dtypes:
            w = make_workload(name, dtype, args.quick)
            if name == "W5":
                w2 = make_workload("W2", dtype, args.quick)
                results.append(run_w5(w2, w, args.repeats, peaks[dtype]))
                continue
            libraries = [lib for lib in ("skreg", "sklearn") if lib in w.libraries]
            results += run_interleaved(libraries, w, args.repeats, peaks[dtype])
            if with_torch and "torch" in w.libraries:
                torch_workloads.append(w)
    if torch_workloads:
        # Last, in one pass: torch's OpenMP threads and NumPy's OpenBLAS threads
        # spin-wait after use, and interleaving them on a small machine slows
        # both down erratically.
        warm_up_torch()
        for w in torch_workloads:
            results += run_interleaved(
                ["torch"], w, args.repeats, peaks[str(w.X_train.dtype)]
            )
    order = {name: i for i, name in enumerate(ALL_WORKLOADS)}
    results.sort(
        key=lambda r: (
            order[r.workload],
            ALL_DTYPES.index(r.dtype),
            LIBRARIES.index(r.library),
        )
    )

    for r in results:
        if r.workload == "W5":
            continue  # its ratio comes from its own interleaved W2 runs
        r.reference = "sklearn"
        ref = _find(results, r.workload, r.dtype, "sklearn")
        if ref is not None:
            r.ratio = r.seconds / ref.seconds
    print()

    if args.score_seeds > 1:
        # After every timed fit, so the timings are taken as without the option.
        run_score_seeds(results, workloads, args.score_seeds, args.quick)

    print_table(results, peaks)
    print_seed_table(results, args.score_seeds)
    print_goals(results, args.dtypes, args.quick)
    print(
        f"{_load_text()} (with {os.cpu_count()} CPUs: a load well above the "
        "benchmark's own ~1-2 means other processes competed for the CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
