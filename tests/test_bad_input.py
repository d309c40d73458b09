"""Bad input: every public estimator and method refuses invalid data and
parameters with an error a user can act on, and a failed call loses nothing.

The matrix runs over every estimator class in ``skreg.__all__`` and over the
methods that class has (``fit``, ``partial_fit``, ``predict``,
``predict_proba``, ``predict_log_proba``, ``score``). Each case asserts the
exception type and a message that names the problem (scikit-learn's own
validation messages, such as "Input X contains NaN", count as such).

Cases are tables (``FIT_CASES``, ``PREDICT_CASES``, ``INVALID_PARAMS``,
``COMBINATION_CASES``, ...); the test ids read ``<estimator>-<method>-<case>``.
Divergence (a learning rate or data scale that makes the training loss
non-finite) is tested per estimator and solver at the end of this file.
"""

from __future__ import annotations

import inspect
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import skreg

ESTIMATORS = sorted(
    (
        obj
        for name in skreg.__all__
        if inspect.isclass(obj := getattr(skreg, name))
        and issubclass(obj, BaseEstimator)
    ),
    key=lambda cls: cls.__name__,
)
PLAIN = [skreg.MLPRegressor, skreg.MLPClassifier]
SOLVERS = ["adam", "sgd", "lbfgs"]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Small and quick settings; each is applied only where the estimator has it.
FAST = {
    "hidden_layer_sizes": (3,),
    "max_iter": 5,
    "learning_rate_init": 0.01,
    "random_state": 0,
    "alphas": 2,  # cross-validated estimators
    "cv": 2,
    "n_estimators": 2,  # ensembles
}


def make(Est, **params):
    """``Est`` with the quick settings and ``params`` (which it must have)."""
    est = Est()
    names = est.get_params()
    missing = set(params) - set(names)
    assert not missing, f"{Est.__name__} has no parameter(s) {missing}"
    fast = {k: v for k, v in FAST.items() if k in names}
    if "estimator" in names and "estimator" not in params:  # ensembles
        plain = skreg.MLPClassifier if is_classifier(est) else skreg.MLPRegressor
        fast["estimator"] = make(plain)
    return est.set_params(**{**fast, **params})


def has_param(Est, name):
    return name in Est().get_params()


def kind(Est):
    return "classifier" if is_classifier(Est()) else "regressor"


def data(Est, n=24):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 4)
    if kind(Est) == "classifier":
        return X, np.arange(n) % 2
    return X, X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1


def call_fit(est, method, X, y, sample_weight=None, classes=None):
    """``fit`` or ``partial_fit`` (a classifier's first one needs classes)."""
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    if method == "partial_fit" and is_classifier(est):
        kwargs["classes"] = np.array([0, 1]) if classes is None else classes
    return getattr(est, method)(X, y, **kwargs)


def fit_methods(Est, **params):
    methods = ["fit"]
    if hasattr(make(Est, **params), "partial_fit"):
        methods.append("partial_fit")
    return methods


def predict_methods(Est):
    est = make(Est)
    names = ["predict", "predict_proba", "predict_log_proba", "score"]
    return [name for name in names if hasattr(est, name)]


# =============================================================================
# Bad data at fit / partial_fit
# =============================================================================
@dataclass
class Case:
    """``mutate(X, y) -> (X, y, sample_weight)``; ``only`` restricts the
    case to regressors or classifiers; ``params`` are set on the estimator."""

    mutate: object
    exc: type
    match: str
    only: str | None = None
    params: dict = field(default_factory=dict)


def _set(A, index, value, dtype=None):
    A = np.array(A, dtype=dtype if dtype is not None else np.asarray(A).dtype)
    A[index] = value
    return A


def _strings(X):
    S = X.astype(object)
    S[0, 1] = "a"
    return S


NAN, INF = np.nan, np.inf
FIT_CASES = {
    # -- X --------------------------------------------------------------------
    "X_nan": Case(lambda X, y: (_set(X, (0, 0), NAN), y, None), ValueError,
                  "Input X contains NaN"),
    "X_inf": Case(lambda X, y: (_set(X, (0, 0), INF), y, None), ValueError,
                  "Input X contains infinity"),
    "X_neg_inf": Case(lambda X, y: (_set(X, (3, 2), -INF), y, None), ValueError,
                      "Input X contains infinity"),
    "X_sparse_nan": Case(
        lambda X, y: (sp.csr_matrix(_set(X, (0, 0), NAN)), y, None),
        ValueError, "Input X contains NaN"),
    "X_none_in_object_array": Case(
        lambda X, y: (_set(X, (0, 0), None, dtype=object), y, None),
        ValueError, "Input X contains NaN"),
    "X_empty": Case(lambda X, y: (X[:0], y[:0], None), ValueError,
                    r"0 sample\(s\)"),
    "X_no_features": Case(lambda X, y: (X[:, :0], y, None), ValueError,
                          r"0 feature\(s\)"),
    "X_1d": Case(lambda X, y: (X[:, 0], y, None), ValueError,
                 "Expected 2D array, got 1D array"),
    "X_3d": Case(lambda X, y: (X.reshape(-1, 2, 2), y, None), ValueError,
                 "dim 3"),
    "X_scalar": Case(lambda X, y: (3.0, y, None), ValueError,
                     "Expected 2D array, got scalar"),
    "X_complex": Case(lambda X, y: (X + 1j, y, None), ValueError,
                      "Complex data not supported"),
    "X_strings": Case(lambda X, y: (_strings(X), y, None), ValueError,
                      "could not convert string to float"),
    "X_ragged_lists": Case(
        lambda X, y: ([list(r) for r in X[:-1]] + [[1.0]], y, None),
        ValueError, "inhomogeneous"),
    "X_y_lengths_differ": Case(lambda X, y: (X, y[:-1], None), ValueError,
                               "inconsistent numbers of samples"),
    # -- y --------------------------------------------------------------------
    "y_nan": Case(lambda X, y: (X, _set(y, 0, NAN, float), None), ValueError,
                  "Input (y )?contains NaN"),
    "y_inf": Case(lambda X, y: (X, _set(y, 0, INF, float), None), ValueError,
                  "Input (y )?contains infinity"),
    "y_3d": Case(lambda X, y: (X, np.zeros((len(y), 2, 2)), None), ValueError,
                 "dim 3"),
    "y_none": Case(lambda X, y: (X, None, None), ValueError,
                   "(requires y to be passed|got None)"),
    # -- sample_weight --------------------------------------------------------
    "sw_negative": Case(lambda X, y: (X, y, _set(np.ones(len(y)), 0, -1.0)),
                        ValueError, "Negative values in data passed to"),
    "sw_nan": Case(lambda X, y: (X, y, _set(np.ones(len(y)), 0, NAN)), ValueError,
                   "sample_weight contains NaN"),
    "sw_inf": Case(lambda X, y: (X, y, _set(np.ones(len(y)), 0, INF)), ValueError,
                   "sample_weight contains infinity"),
    "sw_all_zero": Case(lambda X, y: (X, y, np.zeros(len(y))), ValueError,
                        "(non-zero|sum to zero)"),
    "sw_wrong_length": Case(lambda X, y: (X, y, np.ones(3)), ValueError,
                            r"sample_weight.shape == \(3,\), expected \(24,\)"),
    "sw_2d": Case(lambda X, y: (X, y, np.ones((len(y), 2))), ValueError,
                  "1D array"),
    "sw_strings": Case(lambda X, y: (X, y, np.array(["a"] * len(y))), ValueError,
                       "could not convert string to float"),
    # -- magnitude: overflow must be refused with its cause -------------------
    "X_around_1e300": Case(lambda X, y: (X * 1e300, y, None), ValueError,
                           "(?i)(scal|standardi)"),
    # -- regressor targets ------------------------------------------------------
    "y_strings": Case(lambda X, y: (X, np.array(["a", "b"] * (len(y) // 2)), None),
                      ValueError, "(could not convert string to float|numeric)",
                      only="regressor"),
    "y_around_1e300": Case(lambda X, y: (X, y * 1e300, None), ValueError,
                           "(?i)(scal|standardi)", only="regressor"),
    "poisson_negative_y": Case(lambda X, y: (X, y, None), ValueError,
                               "non-negative", only="regressor",
                               params={"loss": "poisson"}),
    "poisson_y_around_1e300": Case(lambda X, y: (X, np.abs(y) * 1e300, None),
                                   ValueError, "(?i)(scal|standardi)",
                                   only="regressor", params={"loss": "poisson"}),
    # -- classifier targets -----------------------------------------------------
    "y_continuous": Case(lambda X, y: (X, X[:, 0], None), ValueError,
                         "Unknown label type: .*continuous", only="classifier"),
    "y_mixed_str_int_labels": Case(
        lambda X, y: (X, np.array(["a", 1] * (len(y) // 2), dtype=object), None),
        ValueError, "Mix of label input types", only="classifier"),
    "y_single_class": Case(lambda X, y: (X, np.zeros_like(y), None), ValueError,
                           "(?i)only one class", only="classifier"),
    "y_multiclass_multioutput": Case(
        lambda X, y: (X, np.c_[np.arange(len(y)) % 3, y], None), ValueError,
        "(?i)multioutput", only="classifier"),
}  # fmt: skip


def _fit_case_params():
    params = []
    for Est in ESTIMATORS:
        for name, case in FIT_CASES.items():
            if case.only not in (None, kind(Est)):
                continue
            if any(not has_param(Est, p) for p in case.params):
                continue
            for method in fit_methods(Est, **case.params):
                if name == "y_single_class" and Est is skreg.MLPClassifier:
                    continue  # accepted, as by scikit-learn's (test below)
                params.append(
                    pytest.param(
                        Est, method, name, id=f"{Est.__name__}-{method}-{name}"
                    )
                )
    return params


@pytest.mark.parametrize("Est, method, name", _fit_case_params())
def test_bad_fit_data(Est, method, name):
    case = FIT_CASES[name]
    X, y, sample_weight = case.mutate(*data(Est))
    est = make(Est, **case.params)
    with pytest.raises(case.exc, match=case.match):
        call_fit(est, method, X, y, sample_weight)


# =============================================================================
# Bad data at predict / predict_proba / predict_log_proba / score
# =============================================================================
PREDICT_CASES = {
    "X_nan": (lambda X: _set(X, (0, 0), NAN), ValueError, "Input X contains NaN"),
    "X_inf": (lambda X: _set(X, (0, 0), INF), ValueError, "Input X contains infinity"),
    "X_sparse_nan": (lambda X: sp.csr_matrix(_set(X, (0, 0), NAN)), ValueError,
                     "Input X contains NaN"),
    "X_empty": (lambda X: X[:0], ValueError, r"0 sample\(s\)"),
    "X_1d": (lambda X: X[0], ValueError, "Expected 2D array, got 1D array"),
    "X_3d": (lambda X: X.reshape(-1, 2, 2), ValueError, "dim 3"),
    "X_complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "X_strings": (_strings, ValueError, "could not convert string to float"),
    "X_fewer_features": (lambda X: X[:, :3], ValueError,
                         "X has 3 features, but .* is expecting 4 features"),
    "X_more_features": (lambda X: np.c_[X, X[:, :1]], ValueError,
                        "X has 5 features, but .* is expecting 4 features"),
}  # fmt: skip

_FITTED: dict = {}


def fitted(Est, **params):
    """A fitted ``make(Est, **params)``, cached: tests must not modify it."""
    key = (Est, tuple(sorted(params.items())))
    if key not in _FITTED:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _FITTED[key] = make(Est, **params).fit(*data(Est))
    return _FITTED[key]


def call_predict(est, method, X, y):
    if method == "score":
        return est.score(X, y)
    return getattr(est, method)(X)


def _predict_case_params():
    return [
        pytest.param(Est, method, name, id=f"{Est.__name__}-{method}-{name}")
        for Est in ESTIMATORS
        for method in predict_methods(Est)
        for name in PREDICT_CASES
    ]


@pytest.mark.parametrize("Est, method, name", _predict_case_params())
def test_bad_predict_data(Est, method, name):
    mutate, exc, match = PREDICT_CASES[name]
    X, y = data(Est)
    with pytest.raises(exc, match=match):
        call_predict(fitted(Est), method, mutate(X), y)


_PREDICT_METHODS = [
    pytest.param(Est, method, id=f"{Est.__name__}-{method}")
    for Est in ESTIMATORS
    for method in predict_methods(Est)
]


@pytest.mark.parametrize("Est, method", _PREDICT_METHODS)
def test_not_fitted(Est, method):
    X, y = data(Est)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        call_predict(make(Est), method, X, y)


@pytest.mark.parametrize("Est, method", _PREDICT_METHODS)
def test_renamed_pandas_columns_at_predict(Est, method):
    pd = pytest.importorskip("pandas")
    X, y = data(Est)
    columns = ["a", "b", "c", "d"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make(Est).fit(pd.DataFrame(X, columns=columns), y)
    renamed = pd.DataFrame(X, columns=["a", "b", "c", "e"])
    with pytest.raises(ValueError, match="feature names should match"):
        call_predict(est, method, renamed, y)


@pytest.mark.parametrize("Est, method", _PREDICT_METHODS)
def test_reordered_pandas_columns_at_predict(Est, method):
    pd = pytest.importorskip("pandas")
    X, y = data(Est)
    columns = ["a", "b", "c", "d"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make(Est).fit(pd.DataFrame(X, columns=columns), y)
    reordered = pd.DataFrame(X, columns=columns)[["b", "a", "c", "d"]]
    with pytest.raises(ValueError, match="same order"):
        call_predict(est, method, reordered, y)


SCORE_CASES = {
    "y_wrong_length": (lambda y: y[:-1], "inconsistent numbers of samples"),
    "y_nan": (lambda y: _set(y, 0, NAN, float), "contains NaN"),
}


@pytest.mark.parametrize(
    "Est, name",
    [
        pytest.param(Est, name, id=f"{Est.__name__}-score-{name}")
        for Est in ESTIMATORS
        for name in SCORE_CASES
    ],
)
def test_bad_score_targets(Est, name):
    mutate, match = SCORE_CASES[name]
    X, y = data(Est)
    with pytest.raises(ValueError, match=match):
        fitted(Est).score(X, mutate(y))


@pytest.mark.parametrize(
    "Est, method",
    [p for p in _PREDICT_METHODS if p.values[1] in ("predict", "predict_proba")],
)
def test_predict_overflow_is_not_silent(Est, method):
    """Inputs far outside the training range whose outputs overflow: raise a
    ValueError naming the cause, or at least warn; never silent inf / NaN."""
    X, _ = data(Est)
    X_huge = np.sign(X) * np.finfo(np.float64).max  # finite, valid input
    est = fitted(Est)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = getattr(est, method)(X_huge)
        except ValueError as exc:
            assert re.search("(non-finite|overflow|too large)", str(exc))
            return
    if np.issubdtype(np.asarray(out).dtype, np.number):
        finite = np.isfinite(out).all()
    else:
        finite = True  # class labels
    assert finite or caught, f"{method} returned non-finite values silently"


# =============================================================================
# Invalid parameter values (scikit-learn's InvalidParameterError)
# =============================================================================
INVALID_PARAMS = {
    "hidden_layer_sizes": [-1, 1.5, "ab"],
    "activation": ["softmax"],
    "solver": ["newton-cg"],
    "alpha": [-1.0, NAN, INF],
    "penalty": ["l3", "L1"],
    "l1_ratio": [-0.1, 1.5],
    "batch_size": [0, "big", 2.5],
    "learning_rate": ["fast"],
    "learning_rate_init": [0.0, -0.1, INF],
    "power_t": [-0.5],
    "max_iter": [0, 2.5],
    "shuffle": ["yes"],
    "random_state": ["seed", -1],
    "tol": [-1e-4, NAN],
    "verbose": ["loud"],
    "warm_start": ["yes"],
    "momentum": [-0.1, 1.5],
    "nesterovs_momentum": ["yes"],
    "early_stopping": ["yes"],
    "validation_fraction": [1.0, -0.1],
    "beta_1": [1.0, -0.1],
    "beta_2": [1.0],
    "epsilon": [0.0],
    "n_iter_no_change": [0, -INF],
    "max_fun": [0],
    "dropout": [1.0, -0.1, "half"],
    "batch_norm": ["yes"],
    "batch_norm_momentum": [0.0, 1.5],
    "skip_connection": ["yes"],
    "input_scale": ["ab", 3],
    "standardize_target": ["yes"],
    "relax": [1.5, -0.1],
    "progress_bar": ["yes"],
    "class_weight": ["heavy", 3],
    "input_noise": [-0.1],
    "mc_samples": [1],
    "loss": ["huber"],
    # cross-validated estimators
    "alphas": [0, "many"],
    "eps": [0.0],
    "cv": ["five", 1],
    "scoring": ["nope"],
    "selection": ["worst"],
    "average_folds": ["yes"],
    "adaptive": ["yes"],
    "n_jobs": ["2", 1.5],
    # ensembles
    "estimator": ["mlp"],
    "n_estimators": [0, 1.5],
    "bootstrap": ["yes"],
}


def _fallback_invalid_value(Est, name):
    """An invalid value from scikit-learn's own generator, for a constrained
    parameter that ``INVALID_PARAMS`` does not list yet."""
    from sklearn.utils._param_validation import (
        generate_invalid_param_val,
        make_constraint,
    )

    for constraint in Est._parameter_constraints[name]:
        try:
            return [generate_invalid_param_val(make_constraint(constraint))]
        except NotImplementedError:
            continue
    return []


def _invalid_param_params():
    params = []
    for Est in ESTIMATORS:
        for name in sorted(getattr(Est, "_parameter_constraints", {})):
            values = INVALID_PARAMS.get(name) or _fallback_invalid_value(Est, name)
            for value in values:
                for method in ("fit", "partial_fit"):
                    est = make(Est)
                    if method == "partial_fit" and not hasattr(est, "partial_fit"):
                        continue
                    # partial_fit is gated on solver / early_stopping first
                    if method == "partial_fit" and name in ("solver", "early_stopping"):
                        continue
                    params.append(
                        pytest.param(
                            Est,
                            method,
                            name,
                            value,
                            id=f"{Est.__name__}-{method}-{name}={value!r}",
                        )
                    )
    return params


@pytest.mark.parametrize("Est, method, name, value", _invalid_param_params())
def test_invalid_parameter_value(Est, method, name, value):
    est = make(Est)
    est.set_params(**{name: value})  # __init__ / set_params only store
    X, y = data(Est)
    with pytest.raises(
        InvalidParameterError,
        match=rf"The '{name}' parameter of {Est.__name__} must be",
    ):
        call_fit(est, method, X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_constrained_parameter_has_invalid_values(Est):
    """A new parameter needs a row in INVALID_PARAMS (or must be covered by
    scikit-learn's generator)."""
    uncovered = [
        name
        for name in getattr(Est, "_parameter_constraints", {})
        if not (INVALID_PARAMS.get(name) or _fallback_invalid_value(Est, name))
    ]
    assert not uncovered


@pytest.mark.parametrize("Est", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_constrained(Est):
    constrained = set(getattr(Est, "_parameter_constraints", {}))
    assert set(Est().get_params(deep=False)) <= constrained


# =============================================================================
# Invalid combinations of valid values
# =============================================================================
# (params, exception, match); data from data(Est) unless given as 4th entry
COMBINATION_CASES = {
    "dropout_list_too_long": (
        {"hidden_layer_sizes": (3,), "dropout": [0.1, 0.2]}, ValueError,
        "dropout has 2 rates but hidden_layer_sizes has 1 hidden layer"),
    "dropout_list_too_short": (
        {"hidden_layer_sizes": (3, 3), "dropout": [0.1]}, ValueError,
        "dropout has 1 rates but hidden_layer_sizes has 2 hidden layer"),
    "dropout_list_without_hidden_layers": (
        {"hidden_layer_sizes": (), "dropout": [0.1]}, ValueError,
        "dropout has 1 rates but hidden_layer_sizes has 0 hidden layer"),
    "dropout_list_rate_1": (
        {"hidden_layer_sizes": (3, 3), "dropout": [0.1, 1.0]}, ValueError,
        r"dropout rate must be in \[0, 1\)"),
    "dropout_list_negative_rate": (
        {"hidden_layer_sizes": (3,), "dropout": [-0.5]}, ValueError,
        r"dropout rate must be in \[0, 1\)"),
    "dropout_list_nan_rate": (
        {"hidden_layer_sizes": (3,), "dropout": [NAN]}, ValueError,
        r"dropout rate must be in \[0, 1\)"),
    "dropout_with_lbfgs": (
        {"solver": "lbfgs", "dropout": 0.2}, ValueError, "(?i)l-bfgs"),
    "dropout_list_with_lbfgs": (
        {"solver": "lbfgs", "dropout": [0.2]}, ValueError, "(?i)l-bfgs"),
    "input_noise_with_lbfgs": (
        {"solver": "lbfgs", "input_noise": 0.1}, ValueError, "(?i)l-bfgs"),
    "hidden_layer_sizes_zero": (
        {"hidden_layer_sizes": (3, 0)}, ValueError,
        "hidden_layer_sizes must contain positive integers"),
    "hidden_layer_sizes_negative": (
        {"hidden_layer_sizes": [-2]}, ValueError,
        "hidden_layer_sizes must contain positive integers"),
    "hidden_layer_sizes_fraction": (
        {"hidden_layer_sizes": (2.5,)}, ValueError,
        "hidden_layer_sizes must contain positive integers"),
    "hidden_layer_sizes_nested": (
        {"hidden_layer_sizes": [[2, 3]]}, ValueError,
        "hidden_layer_sizes must contain positive integers"),
    "hidden_layer_sizes_strings": (
        {"hidden_layer_sizes": ["a"]}, ValueError,
        "hidden_layer_sizes must contain positive integers"),
    "batch_norm_batch_size_1": (
        {"batch_norm": True, "batch_size": 1}, ValueError, "at least 2 samples"),
}  # fmt: skip


def _combination_params():
    params = []
    for Est in ESTIMATORS:
        for name, (kwargs, _, _) in COMBINATION_CASES.items():
            if not all(has_param(Est, p) for p in kwargs):
                continue
            for method in fit_methods(Est, **kwargs):
                params.append(
                    pytest.param(
                        Est, method, name, id=f"{Est.__name__}-{method}-{name}"
                    )
                )
    return params


@pytest.mark.parametrize("Est, method, name", _combination_params())
def test_invalid_combination(Est, method, name):
    kwargs, exc, match = COMBINATION_CASES[name]
    est = make(Est, **kwargs)
    with pytest.raises(exc, match=match):
        call_fit(est, method, *data(Est))


@pytest.mark.parametrize(
    "Est",
    [
        Est
        for Est in ESTIMATORS
        if has_param(Est, "batch_norm") and kind(Est) == "regressor"
    ],
    ids=lambda c: c.__name__,
)
@pytest.mark.parametrize("solver", SOLVERS)
def test_batch_norm_single_sample_fit(Est, solver):
    """(A classifier's single sample is a single class: see y_single_class.)
    A cross-validated estimator may refuse one sample for its folds first."""
    X, y = data(Est)
    est = make(Est, batch_norm=True, solver=solver)
    with pytest.raises(ValueError, match="(at least 2 samples|number of samples)"):
        est.fit(X[:1], y[:1])


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
def test_batch_norm_partial_fit_single_sample(Est):
    X, y = data(Est)
    est = make(Est, batch_norm=True)
    with pytest.raises(ValueError, match="at least 2 samples"):
        call_fit(est, "partial_fit", X[:1], y[:1])


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
def test_batch_norm_partial_fit_single_sample_after_training(Est):
    X, y = data(Est)
    est = make(Est, batch_norm=True)
    call_fit(est, "partial_fit", X, y)
    with pytest.raises(ValueError, match="at least 2 samples"):
        est.partial_fit(X[:1], y[:1])


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
def test_partial_fit_unavailable_for_lbfgs(Est):
    """scikit-learn's ``available_if`` raises a generic AttributeError whose
    cause (shown in the traceback) is skreg's explanation."""
    est = make(Est, solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        est.partial_fit  # noqa: B018
    messages = [str(info.value), str(info.value.__cause__)]
    match = "only available for stochastic optimizers"
    assert any(re.search(match, m) for m in messages), messages


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
def test_partial_fit_with_early_stopping_raises_like_scikit_learn(Est):
    """The method exists (as scikit-learn's does) and calling it explains."""
    X, y = data(Est)
    est = make(Est, early_stopping=True)
    assert hasattr(est, "partial_fit")
    kwargs = {"classes": np.unique(y)} if Est is skreg.MLPClassifier else {}
    with pytest.raises(ValueError, match="does not support early_stopping=True"):
        est.partial_fit(X, y, **kwargs)


def test_classifier_partial_fit_needs_classes_first():
    X, y = data(skreg.MLPClassifier)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        make(skreg.MLPClassifier).partial_fit(X, y)


def test_classifier_partial_fit_label_not_in_classes():
    X, y = data(skreg.MLPClassifier)
    est = make(skreg.MLPClassifier)
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        est.partial_fit(X, y, classes=[0, 2])


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_classifier_single_class_predicts_that_class(method):
    """As scikit-learn's MLPClassifier: one class is fitted, not refused (the
    CV estimators and ensembles, which score or stratify by class, refuse)."""
    X, y = data(skreg.MLPClassifier)
    est = make(skreg.MLPClassifier)
    y_one = np.full_like(y, 3)
    if method == "fit":
        est.fit(X, y_one)
    else:
        est.partial_fit(X, y_one, classes=[3])
    np.testing.assert_array_equal(est.classes_, [3])
    np.testing.assert_array_equal(est.predict(X), y_one)
    np.testing.assert_array_equal(est.predict_proba(X), np.ones((len(y), 1)))


def test_classifier_warm_start_with_other_classes():
    X, y = data(skreg.MLPClassifier)
    est = make(skreg.MLPClassifier, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="same classes"):
        est.fit(X, y + 1)


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_second_call_with_other_feature_count(Est, how):
    X, y = data(Est)
    est = make(Est, warm_start=how == "warm_start")
    method = "fit" if how == "warm_start" else "partial_fit"
    call_fit(est, method, X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 4"):
        call_fit(est, method, X[:, :3], y)


def test_regressor_partial_fit_other_output_count():
    X, y = data(skreg.MLPRegressor)
    est = make(skreg.MLPRegressor).partial_fit(X, y)
    with pytest.raises(ValueError, match="number of outputs"):
        est.partial_fit(X, np.c_[y, y])


@pytest.mark.parametrize(
    "Est",
    [Est for Est in ESTIMATORS if has_param(Est, "mc_samples")],
    ids=lambda c: c.__name__,
)
def test_monte_carlo_dropout_without_dropout(Est):
    est = fitted(Est)
    X, _ = data(Est)
    if is_regressor(est):
        call = lambda: est.predict(X, return_std=True)  # noqa: E731
    else:
        call = lambda: est.predict_proba(X, mc_dropout=True)  # noqa: E731
    with pytest.raises(ValueError, match=r"needs dropout > 0"):
        call()


CV_CASES = {
    "penalty_none": ({"penalty": None}, "no strength to choose"),
    "several_l1_ratios_without_elasticnet": (
        {"penalty": "l2", "l1_ratio": [0.2, 0.8]},
        "only make sense with penalty='elasticnet'",
    ),
    "l1_ratio_list_out_of_range": (
        {"penalty": "elasticnet", "l1_ratio": [0.5, 1.5]},
        r"l1_ratio values must be in \[0, 1\]",
    ),
    "negative_alpha_in_list": ({"alphas": [1.0, -1.0]}, "non-negative finite"),
    "nan_alpha_in_list": ({"alphas": [1.0, NAN]}, "non-negative finite"),
    "empty_alphas": ({"alphas": []}, "non-negative finite"),
    "cv_larger_than_n_samples": ({"cv": 50}, "Cannot have number of splits"),
}


@pytest.mark.parametrize(
    "Est, name",
    [
        pytest.param(Est, name, id=f"{Est.__name__}-fit-{name}")
        for Est in ESTIMATORS
        for name in CV_CASES
        if has_param(Est, "alphas")
    ],
)
def test_invalid_cv_combination(Est, name):
    params, match = CV_CASES[name]
    with pytest.raises(ValueError, match=match):
        make(Est, **params).fit(*data(Est))


# =============================================================================
# A failed call loses nothing and changes nothing
# =============================================================================
def _state(est):
    return {
        k: (v.copy() if isinstance(v, np.ndarray) else v)
        for k, v in vars(est).items()
        if k.endswith("_") and not k.startswith("_")
    }


def _assert_same_state(before, after):
    assert before.keys() == after.keys()
    for k in before:
        a, b = before[k], after[k]
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            for u, v in zip(a, b, strict=True):
                np.testing.assert_array_equal(u, v, err_msg=k)
        elif isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=k)
        else:
            assert a == b or (a != a and b != b), k


@pytest.mark.parametrize(
    "Est, method",
    [
        pytest.param(Est, m, id=f"{Est.__name__}-{m}")
        for Est in ESTIMATORS
        for m in fit_methods(Est)
    ],
)
@pytest.mark.parametrize("bad", ["X_nan", "sw_negative", "X_no_features"])
def test_rejected_input_leaves_a_fitted_model_unchanged(Est, method, bad):
    """Input that validation refuses must not touch the fitted model."""
    X, y = data(Est)
    est = clone(fitted(Est))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        call_fit(est, method, X, y)
    before, pred = _state(est), est.predict(X)
    X_bad, y_bad, sw = FIT_CASES[bad].mutate(X, y)
    with pytest.raises(ValueError):
        call_fit(est, method, X_bad, y_bad, sw)
    _assert_same_state(before, _state(est))
    np.testing.assert_array_equal(est.predict(X), pred)


@pytest.mark.parametrize(
    "Est, solver",
    [
        (skreg.MLPRegressor, "adam"),
        (skreg.MLPRegressor, "sgd"),
        (skreg.MLPClassifier, "sgd"),
    ],
    ids=["MLPRegressor-adam", "MLPRegressor-sgd", "MLPClassifier-sgd"],
)
def test_partial_fit_continues_after_a_diverging_call(Est, solver):
    """A partial_fit that diverges raises, keeps the previous weights, and
    the next partial_fit on good data trains on: the optimizer state of the
    failed call (e.g. non-finite Adam moments) must not poison it."""
    X, y = data(Est)
    est = make(Est, solver=solver)
    for _ in range(3):
        call_fit(est, "partial_fit", X, y)
    coefs = [W.copy() for W in est.coefs_]
    pred = est.predict(X)
    with pytest.raises(ValueError, match="(?i)(scal|standardi)"):
        est.partial_fit(X * 1e300, y)
    for W, W0 in zip(est.coefs_, coefs, strict=True):
        np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(est.predict(X), pred)
    est.partial_fit(X, y)
    assert all(np.isfinite(W).all() for W in est.coefs_)
    assert np.isfinite(est.loss_)


# =============================================================================
# Divergence: one test per estimator x solver (x early stopping)
# =============================================================================
def _diverging_data(Est, n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    if is_classifier(Est()):
        return X, (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, X @ rng.randn(5)


# (estimator, solver) -> (parameters, input scale, dtype, with early stopping:
# "restore" the best finite epoch or "raise" when no epoch predicted finite
# values on the validation set). Standardized inputs and a too high learning
# rate, except the classifier with adam: Adam's steps are bounded by the
# learning rate and the log-loss gradient is bounded, so it only diverges
# when unscaled inputs are added.
DIVERGING = {
    "MLPRegressor-sgd": (
        skreg.MLPRegressor, "sgd",
        {"hidden_layer_sizes": (16,), "learning_rate_init": 10.0},
        1.0, np.float64, "restore"),
    "MLPRegressor-adam": (
        skreg.MLPRegressor, "adam",
        {"hidden_layer_sizes": (16, 16), "learning_rate_init": 1e6},
        1.0, np.float32, "raise"),
    "MLPClassifier-sgd": (
        skreg.MLPClassifier, "sgd",
        {"hidden_layer_sizes": (16, 16), "activation": "identity",
         "learning_rate_init": 10.0},
        1.0, np.float64, "restore"),
    "MLPClassifier-adam": (
        skreg.MLPClassifier, "adam",
        {"hidden_layer_sizes": (20, 20, 20, 20), "learning_rate_init": 1e6},
        1e6, np.float32, "raise"),
}  # fmt: skip


def _diverging_fit(case, **extra):
    Est, solver, params, scale, dtype, _ = DIVERGING[case]
    X, y = _diverging_data(Est)
    est = Est(solver=solver, max_iter=30, random_state=0, **params, **extra)
    return est, (X * scale).astype(dtype), y


@pytest.mark.parametrize("case", DIVERGING)
def test_divergence_raises_naming_the_learning_rate(case):
    est, X, y = _diverging_fit(case)
    with pytest.raises(ValueError, match="non-finite") as info:
        est.fit(X, y)
    message = str(info.value)
    assert f"learning_rate_init={est.learning_rate_init}" in message
    assert "standardize X" in message


@pytest.mark.parametrize(
    "Est, scale, match",
    [
        # overflows inside the solver: the objective becomes non-finite
        (skreg.MLPRegressor, 1e100, "non-finite"),
        # the log loss does not overflow below the magnitude limit: refused
        # up front instead
        (skreg.MLPClassifier, 1e200, "too large"),
    ],
    ids=["MLPRegressor", "MLPClassifier"],
)
def test_divergence_lbfgs_with_unscaled_inputs_names_the_scaling(Est, scale, match):
    """lbfgs has no learning rate: huge inputs make it overflow, and the
    message points at the scaling only (no learning rate to lower)."""
    X, y = _diverging_data(Est)
    est = Est(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=50, random_state=0)
    with pytest.raises(ValueError, match=match) as info:
        est.fit(X * scale, y)
    message = str(info.value)
    assert "standardize X" in message or "Standardize X" in message
    assert "learning_rate_init" not in message


@pytest.mark.parametrize("case", DIVERGING)
def test_divergence_with_early_stopping(case):
    """Early stopping restores the best finite epoch and warns; when no
    epoch predicted finite values on the validation set it raises."""
    est, X, y = _diverging_fit(case, early_stopping=True)
    if DIVERGING[case][-1] == "raise":
        with pytest.raises(ValueError, match="learning_rate_init"):
            est.fit(X, y)
        return
    with pytest.warns(ConvergenceWarning, match="Restored the best weights"):
        est.fit(X, y)
    assert est.n_iter_ < est.max_iter  # stopped by the divergence
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert all(np.isfinite(W).all() for W in est.coefs_)
    assert np.isfinite(est.predict(X).astype(float)).all()
    # the weights of the best epoch: a fit stopped there predicts the same
    best = int(np.argmax(est.validation_scores_)) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = clone(est).set_params(max_iter=best).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))


def _diverge_from_epoch(monkeypatch, epoch):
    """Make the stochastic loop's parameters non-finite from ``epoch`` on:
    a run that is fine for some epochs, then diverges."""
    from skreg._training import stochastic

    original = stochastic.StochasticRun.run_epoch
    calls = {"n": 0}

    def run_epoch(self, X, y, sample_weight=None):
        calls["n"] += 1
        total = original(self, X, y, sample_weight)
        if calls["n"] >= epoch:
            self.network.theta[0] = np.inf
        return total

    monkeypatch.setattr(stochastic.StochasticRun, "run_epoch", run_epoch)


@pytest.mark.parametrize("Est", PLAIN, ids=lambda c: c.__name__)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_injected_divergence_with_early_stopping_restores_the_best_weights(
    Est, solver, monkeypatch
):
    X, y = _diverging_data(Est)
    est = Est(
        hidden_layer_sizes=(8,),
        solver=solver,
        early_stopping=True,
        learning_rate_init=0.01,
        max_iter=50,
        random_state=0,
    )
    _diverge_from_epoch(monkeypatch, 4)
    with pytest.warns(ConvergenceWarning, match="Restored the best weights"):
        est.fit(X, y)
    assert all(np.isfinite(W).all() for W in est.coefs_)
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert len(est.validation_scores_) == 3  # the finite epochs
    monkeypatch.undo()
    best = int(np.argmax(est.validation_scores_)) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = clone(est).set_params(max_iter=best).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))
