"""LossCurveDisplay: training loss and validation score per epoch."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import is_classifier

from ._base import (
    combined_legend,
    display,
    estimator_name,
    final_estimator,
    get_axes,
    merge,
)


@display
class LossCurveDisplay:
    """Training loss per epoch and, with early stopping, validation score.

    The training loss (the objective: data term plus penalty, skreg's
    ``loss_curve_``) is drawn on ``ax_``; the validation score of each epoch,
    when there is one, on a twin axis ``ax2_``. A dotted vertical line marks
    the last epoch run (where training stopped) and, with early stopping, a
    dashed one the best validation epoch, whose weights the model keeps.

    Build it with :meth:`from_estimator`, or from the curves themselves.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss at the end of each epoch (epochs are numbered from 1).
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score of each epoch (early stopping), or None.
    best_epoch : int, default=None
        The epoch (from 1) whose weights were restored, or None.
    stopped_epoch : int, default=None
        The last epoch run; None means ``len(loss_curve)``.
    score_name : str, default="validation score"
        Label of the validation-score axis.
    estimator_name : str, default=None
        Name used in the title.

    Attributes
    ----------
    loss_line_ : matplotlib Line2D
        The training-loss curve.
    validation_line_ : matplotlib Line2D or None
        The validation-score curve.
    stop_line_ : matplotlib Line2D
        Vertical line at ``stopped_epoch``.
    best_epoch_line_ : matplotlib Line2D or None
        Vertical line at ``best_epoch``.
    ax_ : matplotlib Axes
        Axes of the training loss.
    ax2_ : matplotlib Axes or None
        Twin axes of the validation score (None without one).
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    RegularizationPathDisplay : Cross-validated score along the alpha path.
    WeightDistributionDisplay : Histograms of fitted weights.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import MLPRegressor
    >>> from skreg.plotting import LossCurveDisplay
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = MLPRegressor(
    ...     hidden_layer_sizes=(16,), early_stopping=True, learning_rate_init=0.01,
    ...     max_iter=500, random_state=0,
    ... ).fit(X / 10, y / 100)
    >>> disp = LossCurveDisplay.from_estimator(reg)
    >>> disp.stopped_epoch == reg.n_iter_
    True
    >>> bool(disp.validation_line_.get_ydata().max() == reg.best_validation_score_)
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.close(disp.figure_)
    """

    loss_curve: ArrayLike
    validation_scores: ArrayLike | None = None
    best_epoch: int | None = None
    stopped_epoch: int | None = None
    score_name: str = "validation score"
    estimator_name: str | None = None

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **kwargs):
        """Plot the loss curve of a fitted skreg (or scikit-learn) MLP.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            An estimator with ``loss_curve_`` (a stochastic solver), e.g.
            :class:`~skreg.MLPRegressor`, :class:`~skreg.MLPClassifier` or a
            CV estimator (whose curve is the refit's); for a ``Pipeline`` its
            last step.
        ax : matplotlib Axes, default=None
            Axes to draw the loss on; None makes a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        est = final_estimator(estimator)
        loss_curve = getattr(est, "loss_curve_", None)
        if loss_curve is None:
            raise ValueError(
                f"{estimator_name(est)} has no loss_curve_: solver="
                f"{getattr(est, 'solver', None)!r} records none. Use "
                "solver='adam' or 'sgd' to follow training epoch by epoch."
            )
        scores = getattr(est, "validation_scores_", None)
        best_epoch = None if not scores else int(np.argmax(scores)) + 1
        metric = "accuracy" if is_classifier(est) else "R$^2$"
        display = cls(
            loss_curve=loss_curve,
            validation_scores=scores or None,
            best_epoch=best_epoch,
            stopped_epoch=len(loss_curve),
            score_name=f"validation {metric}",
            estimator_name=estimator_name(est),
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, loss_kwargs=None, validation_kwargs=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the loss on; None makes a new figure.
        loss_kwargs : dict, default=None
            Keyword arguments of the loss curve's ``ax.plot``.
        validation_kwargs : dict, default=None
            Keyword arguments of the validation curve's ``ax2.plot``.

        Returns
        -------
        self : LossCurveDisplay
            The display, holding the artists, axes and figure it drew.
        """
        ax = get_axes(ax, type(self).__name__)
        loss = np.asarray(self.loss_curve, dtype=float)
        epochs = np.arange(1, loss.size + 1)
        stopped = loss.size if self.stopped_epoch is None else self.stopped_epoch
        kw = merge({"color": "C0", "label": "training loss"}, loss_kwargs)
        (self.loss_line_,) = ax.plot(epochs, loss, **kw)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (data term + penalty)")
        self.stop_line_ = ax.axvline(
            stopped, color="0.4", linestyle=":", label=f"stopped (epoch {stopped})"
        )
        self.ax2_ = self.validation_line_ = self.best_epoch_line_ = None
        if self.validation_scores is not None:
            self.ax2_ = ax.twinx()
            scores = np.asarray(self.validation_scores, dtype=float)
            kw = merge({"color": "C1", "label": self.score_name}, validation_kwargs)
            (self.validation_line_,) = self.ax2_.plot(
                np.arange(1, scores.size + 1), scores, **kw
            )
            self.ax2_.set_ylabel(self.score_name)
        if self.best_epoch is not None:
            self.best_epoch_line_ = ax.axvline(
                self.best_epoch,
                color="C2",
                linestyle="--",
                label=f"best epoch {self.best_epoch} (weights restored)",
            )
        combined_legend(ax, self.ax2_, loc="best", fontsize="small")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
