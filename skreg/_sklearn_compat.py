"""The one place that imports scikit-learn's private API.

Everything else in skreg imports these names from here, so that a change in
scikit-learn's internals is fixed in one file.
"""

import functools

import numpy as np
from sklearn.base import _fit_context as _sklearn_fit_context
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.class_weight import compute_class_weight as _compute_class_weight
from sklearn.utils.metadata_routing import _raise_for_params, _routing_enabled
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - guarded by the >= 1.6 requirement
    raise ImportError("skreg requires scikit-learn >= 1.6") from None


def compute_class_weight(class_weight, *, classes, y, sample_weight=None):
    """scikit-learn's ``compute_class_weight``; before scikit-learn 1.7 it
    has no ``sample_weight``, and the weighted ``'balanced'`` weights are
    computed here by the same formula (total weight over ``n_classes`` times
    each class's weight)."""
    try:
        return _compute_class_weight(
            class_weight, classes=classes, y=y, sample_weight=sample_weight
        )
    except TypeError:  # scikit-learn < 1.7
        if sample_weight is None or not isinstance(class_weight, str):
            return _compute_class_weight(class_weight, classes=classes, y=y)
    present, index = np.unique(y, return_inverse=True)
    counts = np.bincount(index, weights=np.asarray(sample_weight, dtype=float))
    frequency = counts.sum() / (len(present) * counts)
    return frequency[np.searchsorted(present, classes)]


def _fit_context(*, prefer_skip_nested_validation: bool):
    """scikit-learn's ``_fit_context``, whose parameter errors also suggest
    the valid spelling of a string parameter that is off only by case or by
    ``-`` / ``_`` (``penalty='L1'``: did you mean penalty='l1'?)."""
    validate = _sklearn_fit_context(
        prefer_skip_nested_validation=prefer_skip_nested_validation
    )

    def decorator(fit_method):
        validated = validate(fit_method)

        @functools.wraps(fit_method)
        def wrapper(estimator, *args, **kwargs):
            try:
                return validated(estimator, *args, **kwargs)
            except InvalidParameterError as exc:
                hint = _spelling_hint(estimator)
                if not hint:
                    raise
                raise InvalidParameterError(f"{exc} {hint}") from exc

        return wrapper

    return decorator


def _spelling_hint(estimator) -> str:
    """'Did you mean ...?' for string parameters that match an option once
    lower-cased, with ``-`` read as ``_``; empty when there are none."""

    def canonical(value):
        return value.lower().replace("-", "_")

    constraints = getattr(estimator, "_parameter_constraints", {})
    hints = []
    for name, value in estimator.get_params(deep=False).items():
        if not isinstance(value, str):
            continue
        options = set()
        for constraint in constraints.get(name, []):
            options |= set(getattr(constraint, "options", ()))
        if value in options:
            continue
        close = [o for o in options if isinstance(o, str)]
        close = [o for o in close if canonical(o) == canonical(value)]
        if close:
            hints.append(f"{name}={close[0]!r}")
    return f"Did you mean {', '.join(hints)}?" if hints else ""


__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_raise_for_params",
    "_routing_enabled",
    "_fit_context",
    "check_matplotlib_support",
    "compute_class_weight",
    "validate_data",
]
