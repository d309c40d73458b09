"""Deep ensembles: MLPEnsembleRegressor and MLPEnsembleClassifier."""

from .estimators import MLPEnsembleClassifier, MLPEnsembleRegressor

__all__ = ["MLPEnsembleClassifier", "MLPEnsembleRegressor"]
