"""The checks every estimator family shares, each written once.

Input, target, sample-weight, class-label and magnitude checks, and the one
seed bound. The plain, CV and ensemble estimators call these, so the same
mistake gets the same message from each of them. The numeric layers
(``_core``, ``_training``) never import this module: they do not know
scikit-learn.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._sklearn_compat import _check_sample_weight, validate_data

# Seeds handed to fits, generators and members are drawn below this bound.
MAX_SEED = np.iinfo(np.int32).max

_ACCEPT_SPARSE = ["csr", "csc"]
_DTYPES = (np.float64, np.float32)


def draw_seed(random_state) -> int:
    """One integer seed from ``random_state`` (an int is kept as it is)."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(
        random_state, bool
    ):
        return int(random_state)
    return int(check_random_state(random_state).randint(MAX_SEED))


def make_rng(random_state: np.random.RandomState) -> np.random.Generator:
    """A Generator seeded from a RandomState (reproducible)."""
    return np.random.default_rng(random_state.randint(MAX_SEED))


def check_magnitude(A, name: str) -> None:
    """Refuse values whose squares overflow the dtype: no network trained on
    them can be computed reliably (activations, variances and losses square
    them), so the model would end up predicting inf or nan."""
    if sp.issparse(A):
        A = A.data
    if A.size == 0 or not np.issubdtype(A.dtype, np.floating):
        return
    limit = np.sqrt(np.finfo(A.dtype).max) / 1e4
    largest = max(abs(float(A.max())), abs(float(A.min())))  # no copy of A
    if largest > limit:
        raise ValueError(
            f"{name} has values as large as {largest:.3g} in absolute value, too "
            f"large for stable {A.dtype} arithmetic (limit {limit:.3g}). "
            f"Standardize {name} (e.g. with sklearn.preprocessing.StandardScaler) "
            "or rescale it before fitting."
        )


def validate_fit_data(estimator, X, y, *, classifier: bool, reset: bool = True):
    """``X`` (CSR if sparse) and ``y`` (1-D when it has one column) for fit."""
    if not classifier:
        check_numeric_targets(y, type(estimator).__name__)
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=_ACCEPT_SPARSE,
        multi_output=True,
        y_numeric=not classifier,
        dtype=_DTYPES,
        reset=reset,
    )
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    return (X.tocsr() if sp.issparse(X) else X), y


def check_numeric_targets(y, estimator_name: str) -> None:
    """A regressor's targets must be numbers: point string labels to the
    classifier instead of failing on "could not convert string to float"."""
    kind = getattr(getattr(y, "dtype", None), "kind", None)
    if kind in tuple("biufc") or y is None:  # complex: validate_data says so
        return
    try:
        np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        first = np.asarray(y, dtype=object).ravel()[:1]
        example = f" such as {first[0]!r}" if first.size else ""
        classifier = estimator_name.replace("Regressor", "Classifier")
        raise ValueError(
            f"{estimator_name} needs numeric targets y, but y has values{example} "
            f"that are not numbers. For class labels use {classifier}."
        ) from None


def validate_predict_X(estimator, X):
    """Prediction input of a fitted estimator (CSR if sparse)."""
    check_is_fitted(estimator)
    X = validate_data(
        estimator, X, accept_sparse=_ACCEPT_SPARSE, dtype=_DTYPES, reset=False
    )
    return X.tocsr() if sp.issparse(X) else X


def inner_predict_X(estimator, X):
    """Prediction input for a fitted model inside ``estimator`` (a CV refit,
    ensemble members): checked against ``estimator``, then passed on as given
    when it was fitted with feature names, so that the inner model (which
    knows them too) checks the columns without warning; validated otherwise.
    """
    validated = validate_predict_X(estimator, X)
    return X if hasattr(estimator, "feature_names_in_") else validated


def check_fit_sample_weight(sample_weight, X):
    """Non-negative weights of ``X``'s dtype with a positive sum, or None."""
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    if not sample_weight.sum() > 0:
        raise ValueError(
            "The sample weights sum to zero: at least one sample needs a "
            "positive weight."
        )
    return sample_weight


def check_class_labels(y, estimator_name: str) -> None:
    """Discrete labels of one kind: binary, multiclass or multilabel.

    Mixed string and number labels are refused first: with NumPy 2,
    scikit-learn's own checks (``type_of_target``, ``unique_labels``) fail on
    them with a bare ``TypeError`` from sorting before they can say so.
    """
    y = np.asarray(y)
    if y.dtype == object and len({isinstance(v, str) for v in y.ravel()}) > 1:
        raise ValueError(
            "Mix of label input types (string and number): use labels of one type."
        )
    check_classification_targets(y)  # "Unknown label type: continuous ..."
    target_type = type_of_target(y, input_name="y")
    if target_type == "multiclass-multioutput":
        raise ValueError(
            f"{estimator_name} does not support multiclass-multioutput targets "
            "(one multiclass label per column); use a label-indicator matrix for "
            "multilabel data, or sklearn.multioutput.MultiOutputClassifier."
        )


def check_two_classes(classes, estimator_name: str) -> None:
    """A classifier needs samples of at least two classes."""
    if len(classes) < 2:
        raise ValueError(
            f"{estimator_name} needs samples of at least 2 classes in the data, "
            f"but the data contains only one class: {classes[0]!r}."
        )
