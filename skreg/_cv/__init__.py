"""The cross-validated estimators: MLPRegressorCV and MLPClassifierCV."""

from .estimators import MLPClassifierCV, MLPRegressorCV

__all__ = ["MLPClassifierCV", "MLPRegressorCV"]
