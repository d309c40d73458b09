"""The one place that imports scikit-learn's private API.

Everything else in skreg imports these names from here, so that a change in
scikit-learn's internals is fixed in one file.
"""

import functools

from sklearn.base import _fit_context as _sklearn_fit_context
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.metadata_routing import _raise_for_params, _routing_enabled
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - guarded by the >= 1.6 requirement
    raise ImportError("skreg requires scikit-learn >= 1.6") from None


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
    "validate_data",
]
