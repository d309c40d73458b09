"""The plain estimators: MLPRegressor and MLPClassifier on one shared base."""

from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
