"""skreg: properly regularized multilayer perceptrons for scikit-learn."""

from ._cv import MLPClassifierCV, MLPRegressorCV
from ._ensemble import MLPEnsembleClassifier, MLPEnsembleRegressor
from ._mlp import MLPClassifier, MLPRegressor

__version__ = "0.1.0.dev0"

__all__ = ["MLPClassifier", "MLPRegressor", "__version__"]
__all__ += ["MLPClassifierCV", "MLPRegressorCV"]
__all__ += ["MLPEnsembleClassifier", "MLPEnsembleRegressor"]
