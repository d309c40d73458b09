"""WeightDistributionDisplay: histograms of fitted weights, zeros counted."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike

from ._base import display, estimator_name, final_estimator, get_axes, merge


@display
class WeightDistributionDisplay:
    """Histograms of the dense weights of one or several fitted models.

    One step histogram per model, on shared bins, so that L1, L2 and elastic
    net can be compared at a glance. Weights that are exactly 0.0 would be a
    single spike at 0 that flattens every other bar, so by default they are
    left out of the histogram and counted in the legend instead ("612 of
    640 weights exactly 0"); ``include_zeros=True`` bins them too. Biases
    and batch-norm parameters are never drawn (they are not penalized).

    Build it with :meth:`from_estimator` / :meth:`from_estimators`, or from
    the weights themselves.

    Parameters
    ----------
    weights : list of array-like
        One array of weights per model (any shape; flattened).
    labels : list of str, default=None
        One legend label per model; None numbers them.

    Attributes
    ----------
    n_weights_ : list of int
        Number of weights of each model.
    n_zeros_ : list of int
        Number of weights of each model that are exactly 0.0.
    bin_edges_ : ndarray
        The bins shared by the histograms.
    counts_ : list of ndarray
        The bar heights of each model's histogram.
    patches_ : list
        The matplotlib patches of each model's histogram.
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    LossCurveDisplay : Training loss and validation score per epoch.
    RegularizationPathDisplay : Cross-validated score along the alpha path.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import MLPRegressor
    >>> from skreg.plotting import WeightDistributionDisplay
    >>> X, y = make_regression(n_samples=100, n_features=8, random_state=0)
    >>> models = [
    ...     MLPRegressor(hidden_layer_sizes=(), solver="lbfgs", penalty=p, alpha=2000.0)
    ...     for p in ("l2", "l1")
    ... ]
    >>> models = [model.fit(X, y) for model in models]
    >>> disp = WeightDistributionDisplay.from_estimators(models)
    >>> disp.n_zeros_[0] == 0, disp.n_zeros_[1] > 0
    (True, True)
    >>> import matplotlib.pyplot as plt
    >>> plt.close(disp.figure_)
    """

    weights: list[ArrayLike]
    labels: list[str] | None = None

    @classmethod
    def from_estimator(cls, estimator, *, label=None, layers=None, ax=None, **kwargs):
        """Plot the weight histogram of one fitted model.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            A model with ``coefs_`` (skreg's or scikit-learn's MLPs, the CV
            estimators); for a ``Pipeline``, its last step.
        label : str, default=None
            Legend label; None describes the penalty.
        layers, ax, **kwargs : see :meth:`from_estimators`
            The weight matrices drawn, the axes to draw on and the arguments
            of :meth:`plot`, as in :meth:`from_estimators`, which this calls
            with the one estimator.

        Returns
        -------
        display : WeightDistributionDisplay
        """
        labels = None if label is None else [label]
        return cls.from_estimators(
            [estimator], labels=labels, layers=layers, ax=ax, **kwargs
        )

    @classmethod
    def from_estimators(
        cls, estimators, *, labels=None, layers=None, ax=None, **kwargs
    ):
        """Plot the weight histograms of several fitted models on one axes.

        Parameters
        ----------
        estimators : list of fitted estimators or Pipelines
            Models with ``coefs_``; for a ``Pipeline``, its last step.
        labels : list of str, default=None
            One legend label per model; None describes each penalty.
        layers : int, sequence of int or None, default=None
            Which weight matrices of each model (0 is input to first hidden
            layer); None is all of them.
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : WeightDistributionDisplay
        """
        models = [final_estimator(est) for est in estimators]
        if labels is None:
            labels = [_describe(model) for model in models]
        elif len(labels) != len(models):
            raise ValueError(f"Got {len(labels)} labels for {len(models)} estimators.")
        weights = [_dense_weights(model, layers) for model in models]
        return cls(weights=weights, labels=list(labels)).plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, bins=50, include_zeros=False, hist_kwargs=None):
        """Draw the histograms.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.
        bins : int, default=50
            Number of bins shared by all the histograms.
        include_zeros : bool, default=False
            Also bin the weights that are exactly 0.0.
        hist_kwargs : dict, default=None
            Keyword arguments of each ``ax.hist`` call.

        Returns
        -------
        self : WeightDistributionDisplay
            The display, holding the artists, axes and figure it drew.
        """
        ax = get_axes(ax, type(self).__name__)
        flat = [np.asarray(w, dtype=float).ravel() for w in self.weights]
        labels = self.labels or [f"model {i}" for i in range(len(flat))]
        self.n_weights_ = [w.size for w in flat]
        self.n_zeros_ = [int(np.count_nonzero(w == 0)) for w in flat]
        drawn = [w if include_zeros else w[w != 0] for w in flat]
        self.bin_edges_ = _shared_bins(drawn, bins)
        self.counts_, self.patches_ = [], []
        for i, (w, label) in enumerate(zip(drawn, labels)):
            n, n_zero = self.n_weights_[i], self.n_zeros_[i]
            kw = merge(
                {
                    "bins": self.bin_edges_,
                    "histtype": "step",
                    "linewidth": 1.5,
                    "color": f"C{i}",
                    "label": f"{label}: {n_zero} of {n} weights exactly 0 "
                    f"({n_zero / max(n, 1):.0%})",
                },
                hist_kwargs,
            )
            counts, _, patches = ax.hist(w, **kw)
            self.counts_.append(counts)
            self.patches_.append(patches)
        ax.set_xlabel(
            "weight value" if include_zeros else "weight value (exact zeros not binned)"
        )
        ax.set_ylabel("number of weights")
        ax.legend(fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _dense_weights(model, layers) -> np.ndarray:
    coefs = getattr(model, "coefs_", None)
    if coefs is None:
        raise TypeError(
            f"{estimator_name(model)} has no coefs_; WeightDistributionDisplay "
            "needs a fitted MLP (or a Pipeline ending in one)."
        )
    if layers is None:
        chosen = list(coefs)
    elif isinstance(layers, Integral):
        chosen = [coefs[layers]]
    else:
        chosen = [coefs[i] for i in layers]
    return np.concatenate([W.ravel() for W in chosen])


def _describe(model) -> str:
    penalty = getattr(model, "penalty", "l2")  # scikit-learn's MLPs: L2
    if penalty == "elasticnet":
        return f"elasticnet (l1_ratio={getattr(model, 'l1_ratio', 0.5):g})"
    return str(penalty)


def _shared_bins(arrays, bins: int) -> np.ndarray:
    """Bin edges covering every array, symmetric about 0."""
    values = [a for a in arrays if a.size]
    reach = max((float(np.abs(a).max()) for a in values), default=1.0) or 1.0
    return np.linspace(-reach, reach, bins + 1)
