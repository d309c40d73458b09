"""The one place that imports scikit-learn's private API.

Everything else in skreg imports these names from here, so that a change in
scikit-learn's internals is fixed in one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import HasMethods, Interval, Options, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - guarded by the >= 1.6 requirement
    raise ImportError("skreg requires scikit-learn >= 1.6") from None

__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "check_matplotlib_support",
    "validate_data",
]
