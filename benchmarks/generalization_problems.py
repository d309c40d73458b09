"""Problem definitions of the generalization benchmark (``bench_generalization.py``).

Every problem is small tabular data that loads offline: scikit-learn's bundled data
sets, synthetic generators with fixed parameters and seeds, and real data shipped
inside pip packages (statsmodels, palmerpenguins, vega_datasets; each is imported
only by the loader that needs it). Loaders return a numeric ``(X, y)``:
categorical columns are one-hot encoded here (first level dropped), and rows
with a missing value are dropped here (the count is in each problem's ``note``),
so that every system gets the same numeric matrix. Targets are returned as the
data gives them (no target scaling): a user's ``make_pipeline(StandardScaler(),
model)`` sees them so.

This module imports neither skreg nor torch, so that the torch anchors
(``generalization_anchors_torch.py``, in their own virtualenv) use the very same
problems.
"""

from __future__ import annotations

import fcntl
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split


@dataclass(frozen=True)
class Problem:
    """One benchmark problem.

    Attributes
    ----------
    name : str
        Identifier used on the command line and in the result caches.
    task : {"regression", "classification"}
        What is predicted; the metric is R^2 or accuracy.
    family : {"linear", "nonlinear", "real"}
        Linear truth, nonlinear truth (both synthetic) or real data.
    source : str
        Where the data comes from, with the generator's parameters.
    loader : callable
        ``loader() -> (X, y)``, numeric arrays.
    informative : tuple of int
        Columns the truth depends on (synthetic problems only, else empty).
    noise : tuple of int
        Columns independent of the target (synthetic problems only, else
        empty). Columns in neither (redundant combinations, noisy copies) count
        as neither informative nor noise.
    note : str
        Preprocessing done by the loader (one-hot columns, dropped rows).
    """

    name: str
    task: str
    family: str
    source: str
    loader: Callable[[], tuple[np.ndarray, np.ndarray]]
    informative: tuple[int, ...] = ()
    noise: tuple[int, ...] = ()
    note: str = ""
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(X, y)`` as float64 ``X`` and the target (loaded once)."""
        if "data" not in self._cache:
            X, y = self.loader()
            self._cache["data"] = (np.asarray(X, dtype=np.float64), np.asarray(y))
        return self._cache["data"]


# -- helpers -----------------------------------------------------------------------
def _with_noise_inputs(X: np.ndarray, n_noise: int, seed: int) -> np.ndarray:
    """Append ``n_noise`` independent uniform(0, 1) inputs to ``X``."""
    rng = np.random.default_rng(seed)
    return np.hstack([X, rng.uniform(size=(X.shape[0], n_noise))])


def _frame_to_xy(df, target: str, categorical: list[str]):
    """Drop rows with a missing value, one-hot ``categorical``, split off ``target``."""
    import pandas as pd

    df = df.dropna()
    y = df[target].to_numpy()
    X = pd.get_dummies(df.drop(columns=[target]), columns=categorical, drop_first=True)
    return X.to_numpy(dtype=np.float64), y


def _logistic(n: int, p: int, n_informative: int, seed: int):
    """Linear-logistic truth: Gaussian inputs, ``n_informative`` nonzero weights."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:n_informative] = rng.choice([-1.0, 1.0], n_informative) * rng.uniform(
        1.0, 2.0, n_informative
    )
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-X @ beta))).astype(int)
    return X, y


def _make_regression(**kwargs):
    X, y, coef = datasets.make_regression(coef=True, **kwargs)
    return X, y, coef


def _coef_support(**kwargs) -> tuple[tuple[int, ...], tuple[int, ...]]:
    *_, coef = _make_regression(**kwargs)
    return tuple(np.flatnonzero(coef)), tuple(np.flatnonzero(coef == 0))


def _regression_problem(name: str, **kwargs) -> Problem:
    informative, noise = _coef_support(**kwargs)
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return Problem(
        name,
        "regression",
        "linear",
        f"make_regression({args})",
        lambda: _make_regression(**kwargs)[:2],
        informative,
        noise,
    )


# -- real data -----------------------------------------------------------------------
def _penguins_mass():
    import palmerpenguins

    df = palmerpenguins.load_penguins()
    return _frame_to_xy(df, "body_mass_g", ["species", "island", "sex", "year"])


def _vega(name: str):
    """A data set bundled with vega_datasets (pandas' read_json warning silenced)."""
    import warnings

    from vega_datasets import local_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(local_data, name)()


def _cars_mpg():
    df = _vega("cars").drop(columns=["Name"])
    df["Year"] = df["Year"].dt.year
    return _frame_to_xy(df, "Miles_per_Gallon", ["Origin"])


def _star98():
    import statsmodels.api as sm

    df = sm.datasets.star98.load_pandas().data
    share = df["NABOVE"] / (df["NABOVE"] + df["NBELOW"])
    return df.drop(columns=["NABOVE", "NBELOW"]).to_numpy(np.float64), share.to_numpy()


def _anes96_vote():
    import statsmodels.api as sm

    df = sm.datasets.anes96.load_pandas().data.drop(columns=["popul"])
    return df.drop(columns=["vote"]).to_numpy(np.float64), df["vote"].to_numpy(int)


def _seattle_weather():
    df = _vega("seattle_weather")
    df["month"] = df.pop("date").dt.month
    X, y = _frame_to_xy(df, "weather", ["month"])
    return X, y


def _friedman(kind: int, n: int, n_noise: int, noise: float, seed: int):
    make = {2: datasets.make_friedman2, 3: datasets.make_friedman3}[kind]
    X, y = make(n_samples=n, noise=noise, random_state=seed)
    return _with_noise_inputs(X, n_noise, seed), y


def _friedman1_sign(n: int, p: int, seed: int):
    X, y = datasets.make_friedman1(
        n_samples=n, n_features=p, noise=1.0, random_state=seed
    )
    return X, (y > np.median(y)).astype(int)


def _xy(loader):
    """Wrap a scikit-learn ``load_*`` function."""
    return lambda: loader(return_X_y=True)


_R5, _C5 = tuple(range(5)), tuple(range(4))

PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in [
        # ---- regression ----
        Problem(
            "diabetes",
            "regression",
            "real",
            "sklearn load_diabetes",
            _xy(datasets.load_diabetes),
        ),
        Problem(
            "penguins_mass",
            "regression",
            "real",
            "palmerpenguins (body_mass_g)",
            _penguins_mass,
            note="11 rows with a missing value dropped; species, island, sex, year "
            "one-hot",
        ),
        Problem(
            "cars_mpg",
            "regression",
            "real",
            "vega_datasets local cars (Miles_per_Gallon)",
            _cars_mpg,
            note="14 rows with a missing value dropped; Origin one-hot; Year as a "
            "number",
        ),
        Problem(
            "star98",
            "regression",
            "real",
            "statsmodels star98 (share NABOVE / (NABOVE + NBELOW))",
            _star98,
        ),
        Problem(
            "friedman1",
            "regression",
            "nonlinear",
            "make_friedman1(500, 30 features, noise=1, rs=0)",
            lambda: datasets.make_friedman1(
                500, n_features=30, noise=1.0, random_state=0
            ),
            _R5,
            tuple(range(5, 30)),
        ),
        Problem(
            "friedman2",
            "regression",
            "nonlinear",
            "make_friedman2(400, noise=30, rs=1) + 20 U(0,1) noise inputs",
            lambda: _friedman(2, 400, 20, 30.0, 1),
            _C5,
            tuple(range(4, 24)),
        ),
        Problem(
            "friedman3",
            "regression",
            "nonlinear",
            "make_friedman3(600, noise=0.1, rs=2) + 26 U(0,1) noise inputs",
            lambda: _friedman(3, 600, 26, 0.1, 2),
            _C5,
            tuple(range(4, 30)),
        ),
        _regression_problem(
            "linear_wide",
            n_samples=150,
            n_features=300,
            n_informative=15,
            noise=5.0,
            random_state=0,
        ),
        _regression_problem(
            "linear_noise",
            n_samples=1000,
            n_features=100,
            n_informative=10,
            noise=10.0,
            random_state=1,
        ),
        _regression_problem(
            "linear_corr",
            n_samples=400,
            n_features=50,
            n_informative=10,
            effective_rank=8,
            tail_strength=0.3,
            noise=1.0,
            random_state=2,
        ),
        _regression_problem(
            "linear_p1000",
            n_samples=100,
            n_features=1000,
            n_informative=10,
            noise=1.0,
            random_state=3,
        ),
        # ---- classification ----
        Problem(
            "breast_cancer",
            "classification",
            "real",
            "sklearn load_breast_cancer",
            _xy(datasets.load_breast_cancer),
        ),
        Problem(
            "wine",
            "classification",
            "real",
            "sklearn load_wine (3 classes)",
            _xy(datasets.load_wine),
        ),
        Problem(
            "digits",
            "classification",
            "real",
            "sklearn load_digits (10 classes)",
            _xy(datasets.load_digits),
        ),
        Problem(
            "anes96_vote",
            "classification",
            "real",
            "statsmodels anes96 (vote)",
            _anes96_vote,
            note="popul dropped (logpopul kept); ordinal codes as numbers",
        ),
        Problem(
            "seattle_weather",
            "classification",
            "real",
            "vega_datasets local seattle-weather (5 classes)",
            _seattle_weather,
            note="date -> month, one-hot",
        ),
        Problem(
            "clf_few_informative",
            "classification",
            "nonlinear",
            "make_classification(400, 60, n_informative=6, n_redundant=0, "
            "shuffle=False, rs=0)",
            lambda: datasets.make_classification(
                400, 60, n_informative=6, n_redundant=0, shuffle=False, random_state=0
            ),
            tuple(range(6)),
            tuple(range(6, 60)),
        ),
        Problem(
            "clf_correlated",
            "classification",
            "nonlinear",
            "make_classification(2000, 20, n_informative=4, n_redundant=6, "
            "n_clusters_per_class=3, flip_y=0.02, "
            "shuffle=False, rs=1)",
            lambda: datasets.make_classification(
                2000,
                20,
                n_informative=4,
                n_redundant=6,
                n_clusters_per_class=3,
                flip_y=0.02,
                shuffle=False,
                random_state=1,
            ),
            tuple(range(4)),
            tuple(range(10, 20)),
        ),
        Problem(
            "logistic_wide",
            "classification",
            "linear",
            "logistic truth, N(0,1) inputs, 200 x 500, 10 informative, seed 0",
            lambda: _logistic(200, 500, 10, 0),
            tuple(range(10)),
            tuple(range(10, 500)),
        ),
        Problem(
            "logistic_noise",
            "classification",
            "linear",
            "logistic truth, N(0,1) inputs, 1000 x 100, 5 informative, seed 1",
            lambda: _logistic(1000, 100, 5, 1),
            _R5,
            tuple(range(5, 100)),
        ),
        Problem(
            "friedman1_sign",
            "classification",
            "nonlinear",
            "make_friedman1(600, 40 features, noise=1, rs=3) > median",
            lambda: _friedman1_sign(600, 40, 3),
            _R5,
            tuple(range(5, 40)),
        ),
    ]
}

# The two halves, fixed before any tuning of skreg's defaults: defaults are chosen on
# "tune" only and the goals are reported on "heldout" (and on both). Each half has
# real, linear and nonlinear problems of both tasks; the split was made by family
# and task alone, before any system was run on these problems.
HALVES: dict[str, tuple[str, ...]] = {
    "tune": (
        "diabetes",
        "cars_mpg",
        "friedman1",
        "friedman3",
        "linear_wide",
        "linear_corr",
        "breast_cancer",
        "digits",
        "seattle_weather",
        "clf_few_informative",
        "logistic_wide",
    ),
    "heldout": (
        "penguins_mass",
        "star98",
        "friedman2",
        "linear_noise",
        "linear_p1000",
        "wine",
        "anes96_vote",
        "clf_correlated",
        "logistic_noise",
        "friedman1_sign",
    ),
}
assert sorted(HALVES["tune"] + HALVES["heldout"]) == sorted(PROBLEMS)


def select(names: list[str] | None = None, half: str = "all") -> list[Problem]:
    """Return the problems named in ``names`` (all if None) that are in ``half``."""
    allowed = set(PROBLEMS) if half == "all" else set(HALVES[half])
    if names:
        unknown = sorted(set(names) - set(PROBLEMS))
        if unknown:
            raise ValueError(f"unknown problems {unknown}; known: {sorted(PROBLEMS)}")
        return [PROBLEMS[n] for n in names if n in allowed]
    return [p for p in PROBLEMS.values() if p.name in allowed]


# -- the selection problems (issue "Input selection"; --selection mode) --------------
def friedman1_selection(seed: int) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
    """make_friedman1(n_samples=1000, n_features=200, noise=1): X, y and masks.

    Informative are inputs 0..4, noise the other 195.
    """
    X, y = datasets.make_friedman1(
        n_samples=1000, n_features=200, noise=1.0, random_state=seed
    )
    return X, y, _R5, tuple(range(5, 200))


def friedman1_correlated(seed: int) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
    """Friedman1's 5 informative inputs, 20 noisy copies of them, 100 noise inputs.

    Copy ``k`` (columns 5..24) is input ``k % 5`` plus N(0, 0.1^2) noise (the inputs
    are U(0, 1), so a copy's correlation with its original is about 0.94); columns
    25..124 are independent U(0, 1). Returns X, y, informative (0..4) and noise
    (25..124); the copies count as neither.
    """
    rng = np.random.default_rng(seed)
    X5, y = datasets.make_friedman1(
        n_samples=1000, n_features=5, noise=1.0, random_state=seed
    )
    copies = X5[:, np.arange(20) % 5] + 0.1 * rng.standard_normal((1000, 20))
    X = np.hstack([X5, copies, rng.uniform(size=(1000, 100))])
    return X, y, _R5, tuple(range(25, 125))


# -- shared by both runners: the splits and the result caches --------------------------
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def split(problem: Problem, seed: int):
    """The 70/30 split ``seed`` of ``problem`` (stratified for classification)."""
    X, y = problem.load()
    stratify = y if problem.task == "classification" else None
    return train_test_split(X, y, test_size=0.3, random_state=seed, stratify=stratify)


def input_mask_scores(problem: Problem, kept: np.ndarray | None) -> dict:
    """Inputs kept, and for known truths the informative recall and noise kept."""
    if kept is None:
        return {"n_kept": None, "recall": None, "noise_kept": None}
    kept = np.asarray(kept, dtype=bool)
    out = {"n_kept": int(kept.sum()), "recall": None, "noise_kept": None}
    if problem.informative:
        out["recall"] = float(kept[list(problem.informative)].mean())
        out["noise_kept"] = int(kept[list(problem.noise)].sum())
    return out


def _cache_path(problem_name: str) -> Path:
    return RESULTS_DIR / f"anchors_{problem_name}.json"


def read_cache(problem_name: str) -> dict[str, dict]:
    """The cached anchor records of a problem, keyed ``"<split>|<system>"``."""
    path = _cache_path(problem_name)
    if not path.exists():
        return {}
    return json.loads(path.read_text())["records"]


def write_records(problem_name: str, records: list[dict]) -> None:
    """Merge ``records`` into the problem's cache (locked: two runners may write)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = _cache_path(problem_name)
    with open(Path(tempfile.gettempdir()) / "skreg-bench-results.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = read_cache(problem_name)
        cached.update({f"{r['split']}|{r['system']}": r for r in records})
        ordered = dict(sorted(cached.items()))
        text = json.dumps({"problem": problem_name, "records": ordered}, indent=0)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(path)
