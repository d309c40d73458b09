"""Plots of fitted skreg models, in scikit-learn's Display style.

Each display is built either from a fitted estimator
(``XDisplay.from_estimator(est)``) or from the plotted data itself
(``XDisplay(...).plot()``), draws on a given ``ax`` or a new figure, and
keeps the figure and axes it drew on (``figure_``, ``ax_``).

matplotlib is an optional dependency (``pip install "skreg[plot]"``): it is
imported when a display draws, never by ``import skreg`` or
``import skreg.plotting``.
"""

from ._loss_curve import LossCurveDisplay
from ._regularization_path import RegularizationPathDisplay
from ._weights import WeightDistributionDisplay

__all__ = [
    "LossCurveDisplay",
    "RegularizationPathDisplay",
    "WeightDistributionDisplay",
]
