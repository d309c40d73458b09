"""The parameters of the CV estimators: the plain estimator's, less ``alpha``
and ``warm_start``, plus the cross-validation ones.

Only the declarative constraints and the name list live here; the
signatures themselves are in ``_cv_estimators`` (scikit-learn needs explicit
keyword arguments), and tests keep the two in step with the plain estimators.
"""

from __future__ import annotations

import inspect
from numbers import Integral, Real

from sklearn.metrics import get_scorer_names

from .._sklearn_compat import Interval, StrOptions

# Parameters of the plain estimator that the CV estimator sets itself.
NOT_FORWARDED = ("alpha", "warm_start")

_CV_CONSTRAINTS: dict = {
    "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "eps": [Interval(Real, 0, None, closed="neither")],
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    "relax": [Interval(Real, 0, 1, closed="both"), "array-like", None],
    "cv": ["cv_object"],
    "scoring": [StrOptions(set(get_scorer_names())), callable, None],
    "selection": [StrOptions({"best", "1se"})],
    "average_folds": ["boolean"],
    "adaptive": ["boolean"],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
}


def cv_parameter_constraints(estimator_class) -> dict:
    """The plain estimator's constraints without ``NOT_FORWARDED``, plus the
    CV parameters (which override ``l1_ratio`` and ``verbose``)."""
    constraints = {
        name: rule
        for name, rule in estimator_class._parameter_constraints.items()
        if name not in NOT_FORWARDED
    }
    return {**constraints, **_CV_CONSTRAINTS}


def forwarded_parameters(estimator_class) -> list[str]:
    """Names of the plain estimator's parameters that the CV estimator has."""
    names = inspect.signature(estimator_class.__init__).parameters
    return [name for name in names if name not in ("self", *NOT_FORWARDED)]
