"""RegularizationPathDisplay: cross-validated score against alpha, and
which inputs the models along the path use."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import is_classifier

from .._cv.select import select
from ._base import (
    combined_legend,
    display,
    estimator_name,
    final_estimator,
    get_axes,
    import_pyplot,
    merge,
)

_SECONDARY_LABELS = {
    "n_features_selected": "input features selected (mean over folds)",
    "sparsity": "fraction of weights exactly 0 (mean over folds)",
}
# The second axis that ``secondary='auto'`` picks for each penalty.
_AUTO_SECONDARY = {
    "group_lasso": "n_features_selected",
    "l1": "sparsity",
    "elasticnet": "sparsity",
}
# At most this many input names label the support heat map's y axis.
_MAX_INPUT_LABELS = 30


@display
class RegularizationPathDisplay:
    """Mean cross-validated score ± one standard error along the alpha path.

    The mean score over the folds is drawn against alpha on a log axis, with
    a band of one standard error of the mean on each side. A solid vertical
    line marks the chosen alpha; when the one-standard-error rule chose it,
    a dashed line marks the alpha of the best mean score and a dotted
    horizontal line the threshold the rule used (best mean minus its
    standard error). For sparse penalties a second axis ``ax2_`` shows the
    number of selected input features or the fraction of exact-zero weights.

    With ``support``, a heat map below the score (``support_ax_``, sharing
    its alpha axis) shows which inputs the models use: one row per input, one
    cell per alpha, coloured by the fraction of folds whose model uses the
    input there (cell edges at the geometric midpoints between the alphas),
    with the chosen alpha marked.

    Build it with :meth:`from_estimator` from a fitted
    :class:`~skreg.MLPRegressorCV` / :class:`~skreg.MLPClassifierCV`, or from
    the path data itself.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,)
        The alphas of the path.
    mean_scores : array-like of shape (n_alphas,)
        Mean cross-validated score at each alpha.
    sem_scores : array-like of shape (n_alphas,)
        Standard error of the mean score at each alpha.
    alpha : float, default=None
        The chosen alpha, or None to mark none.
    best_alpha : float, default=None
        The alpha of the best mean score; marked only when it differs from
        ``alpha``.
    threshold : float, default=None
        The one-standard-error rule's score threshold, or None.
    secondary : array-like of shape (n_alphas,), default=None
        Values for the second axis (e.g. selected features), or None.
    secondary_name : str, default=None
        Label of the second axis.
    score_name : str, default="score"
        Name of the score (y axis: "mean CV <score_name>").
    title : str, default=None
        Title of the axes.
    support : array-like of shape (n_alphas, n_features), default=None
        Fraction of the folds whose model uses each input at each alpha
        (from 0 to 1), drawn as a heat map; None draws none.
    feature_names : array-like of str of shape (n_features,), default=None
        Names of the inputs, labelling the heat map's rows; None is
        ``"x0", "x1", ...``.

    Attributes
    ----------
    score_line_ : matplotlib Line2D
        The mean CV score.
    sem_band_ : matplotlib PolyCollection
        The band of ± one standard error.
    alpha_line_ : matplotlib Line2D or None
        Vertical line at ``alpha``.
    best_alpha_line_ : matplotlib Line2D or None
        Vertical line at ``best_alpha`` (only when it differs from ``alpha``).
    threshold_line_ : matplotlib Line2D or None
        Horizontal line at ``threshold``.
    secondary_line_ : matplotlib Line2D or None
        The second-axis curve.
    ax_ : matplotlib Axes
        Axes of the score.
    ax2_ : matplotlib Axes or None
        Twin axes of ``secondary``.
    support_ax_ : matplotlib Axes or None
        Axes of the ``support`` heat map.
    support_mesh_ : matplotlib QuadMesh or None
        The heat map: its array holds ``support`` transposed (one row per
        input).
    support_alpha_line_ : matplotlib Line2D or None
        Vertical line at ``alpha`` on the heat map.
    colorbar_ : matplotlib Colorbar or None
        Colour bar of the heat map.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    LossCurveDisplay : Training loss and validation score per epoch.
    WeightDistributionDisplay : Histograms of fitted weights.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import MLPRegressorCV
    >>> from skreg.plotting import RegularizationPathDisplay
    >>> X, y = make_regression(n_samples=100, n_features=8, noise=5.0, random_state=0)
    >>> cv = MLPRegressorCV(
    ...     hidden_layer_sizes=(), penalty="l1", solver="lbfgs", alphas=5, cv=3,
    ...     relax=None,
    ... ).fit(X / 10, y / 100)
    >>> disp = RegularizationPathDisplay.from_estimator(cv)
    >>> list(disp.score_line_.get_ydata()) == list(cv.mean_cv_scores_)
    True

    With ``show_support=True``, a heat map below shows which of the 8 inputs
    the models use at each alpha (the fraction of the 3 folds):

    >>> disp = RegularizationPathDisplay.from_estimator(cv, show_support=True)
    >>> disp.support.shape
    (5, 8)
    >>> bool((disp.support == cv.support_path_.mean(axis=1)).all())
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """

    alphas: ArrayLike
    mean_scores: ArrayLike
    sem_scores: ArrayLike
    alpha: float | None = None
    best_alpha: float | None = None
    threshold: float | None = None
    secondary: ArrayLike | None = None
    secondary_name: str | None = None
    score_name: str = "score"
    title: str | None = None
    support: ArrayLike | None = None
    feature_names: ArrayLike | None = None

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        l1_ratio=None,
        relax=None,
        secondary="auto",
        show_support=False,
        ax=None,
        **kwargs,
    ):
        """Plot the path of a fitted MLPRegressorCV or MLPClassifierCV.

        Parameters
        ----------
        estimator : fitted MLPRegressorCV, MLPClassifierCV or Pipeline
            The CV estimator (for a ``Pipeline``, its last step).
        l1_ratio : float, default=None
            With several ``l1_ratio`` values, the path to draw; None is the
            chosen ``l1_ratio_``. The chosen alpha is marked only on that path.
        relax : float, default=None
            With several ``relax`` values, the relaxation whose path to draw;
            None is the chosen ``relax_``. The chosen alpha is marked only on
            that path.
        secondary : {'auto', 'n_features_selected', 'sparsity'} or None, \
default='auto'
            The second axis: the number of input features with a non-zero
            first-layer row, or the fraction of exact-zero weights, each the
            mean over the folds. ``'auto'`` is ``'n_features_selected'`` for
            ``penalty='group_lasso'``, ``'sparsity'`` for ``'l1'`` and
            ``'elasticnet'``, and None (no second axis) for ``'l2'``.
        show_support : bool, default=False
            Also draw which inputs the models use along the drawn path: the
            estimator's ``support_path_`` averaged over the folds (the
            ``support`` parameter), as a heat map below the score. Its rows
            are named by the estimator's ``feature_names_in_``, or, for a
            ``Pipeline``, by the feature names its earlier steps put out.
        ax : matplotlib Axes, default=None
            Axes to draw the score on; None makes a new figure (of two
            stacked axes with ``show_support``, which then needs the
            heat map's axes ``support_ax`` too: see :meth:`plot`).
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        est = final_estimator(estimator)
        if not hasattr(est, "mean_cv_scores_"):
            raise TypeError(
                f"{estimator_name(est)} has no regularization path; "
                "RegularizationPathDisplay needs a fitted MLPRegressorCV or "
                "MLPClassifierCV."
            )
        alphas_row, row, chosen, drawn = cls._path_row(est, l1_ratio, relax)
        mean, sem = row(est.mean_cv_scores_), row(est.sem_cv_scores_)
        alphas = alphas_row(est.alphas_)
        # A drawn relax row can be all NaN (no point dropped an input, so no
        # refit at that relax: the CV's skipped cells); it has no best alpha.
        k_best = None
        if not np.isnan(mean).all():
            _, k_best = select(mean[np.newaxis], sem[np.newaxis], "best")
        threshold = None
        if chosen and est.selection == "1se":
            threshold = float(mean[k_best] - np.nan_to_num(sem[k_best]))
        if secondary == "auto":
            secondary = _AUTO_SECONDARY.get(est.penalty)
        values = None
        if secondary is not None:
            if secondary not in _SECONDARY_LABELS:
                raise ValueError(
                    f"secondary must be 'auto', None or one of "
                    f"{sorted(_SECONDARY_LABELS)}, got {secondary!r}."
                )
            values = row(getattr(est, f"{secondary}_path_")).mean(axis=-1)
        support = names = None
        if show_support:
            if not hasattr(est, "support_path_"):
                raise ValueError(
                    f"{estimator_name(est)} has no support_path_; refit it with "
                    "this version of skreg to draw its support."
                )
            support = row(est.support_path_).mean(axis=-2)  # over the folds
            names = _input_names(estimator, est)
        display = cls(
            alphas=alphas,
            mean_scores=mean,
            sem_scores=sem,
            alpha=est.alpha_ if chosen else None,
            best_alpha=None if k_best is None else float(alphas[k_best]),
            threshold=threshold,
            secondary=values,
            secondary_name=_SECONDARY_LABELS.get(secondary),
            score_name=_score_name(est),
            title=_title(est, drawn),
            support=support,
            feature_names=names,
        )
        return display.plot(ax=ax, **kwargs)

    @staticmethod
    def _path_row(est, l1_ratio, relax):
        """Functions selecting the drawn path from the ``alphas_`` attribute
        and from a ``*_path_`` / ``*cv_scores_`` attribute (whose further
        axes, e.g. ``support_path_``'s inputs, are kept), and whether it is
        the chosen path."""
        ratios = np.atleast_1d(np.asarray(est.l1_ratio, dtype=float))
        i, l1_chosen = _axis_index("l1_ratio", ratios, est.l1_ratio_, l1_ratio)
        relaxes = [] if est.relax is None else np.atleast_1d(est.relax)
        relaxes = np.asarray(relaxes, dtype=float)
        r, relax_chosen = _axis_index("relax", relaxes, est.relax_, relax)

        def alphas_row(a):
            a = np.asarray(a)
            return a[i] if ratios.size > 1 else a

        def row(a):
            a = alphas_row(a)
            return a[r] if relaxes.size > 1 else a

        drawn = {
            "l1_ratio": est.l1_ratio_ if i is None else float(ratios[i]),
            "relax": est.relax_ if r is None else float(relaxes[r]),
        }
        return alphas_row, row, l1_chosen and relax_chosen, drawn

    def plot(
        self,
        ax=None,
        *,
        support_ax=None,
        score_kwargs=None,
        secondary_kwargs=None,
        support_kwargs=None,
        colorbar=True,
    ):
        """Draw the path.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the score on; None makes a new figure. With
            ``support``, None makes a figure of two stacked axes sharing the
            alpha axis: the score above, the heat map below.
        support_ax : matplotlib Axes, default=None
            Axes to draw the ``support`` heat map on. Give it together with
            ``ax`` (or neither); it is made to share ``ax``'s alpha axis.
            Only for a display with ``support``.
        score_kwargs : dict, default=None
            Keyword arguments of the mean-score curve's ``ax.plot``.
        secondary_kwargs : dict, default=None
            Keyword arguments of the second-axis curve's ``ax2.plot``.
        support_kwargs : dict, default=None
            Keyword arguments of the heat map's ``support_ax.pcolormesh``
            (default ``cmap="Blues", vmin=0, vmax=1``).
        colorbar : bool, default=True
            Whether to add a colour bar below the heat map.

        Returns
        -------
        self : RegularizationPathDisplay
            The display, holding the artists, axes and figure it drew.
        """
        support, names = self._checked_support()
        ax, support_ax, stacked = self._get_axes(ax, support_ax, support)
        alphas = np.asarray(self.alphas, dtype=float)
        mean = np.asarray(self.mean_scores, dtype=float)
        sem = np.nan_to_num(np.asarray(self.sem_scores, dtype=float))
        kw = merge(
            {"color": "C0", "marker": "o", "markersize": 3, "label": "mean CV score"},
            score_kwargs,
        )
        (self.score_line_,) = ax.plot(alphas, mean, **kw)
        self.sem_band_ = ax.fill_between(
            alphas,
            mean - sem,
            mean + sem,
            color=self.score_line_.get_color(),
            alpha=0.2,
            label="± 1 standard error",
        )
        ax.set_xscale("log")
        ax.set_xlabel("alpha (penalty strength)")
        ax.set_ylabel(f"mean CV {self.score_name}")
        self._mark_alphas(ax)
        self._draw_secondary(ax, secondary_kwargs)
        combined_legend(ax, self.ax2_, loc="best", fontsize="small")
        if self.title:
            ax.set_title(self.title)
        self._draw_support(support_ax, support, names, support_kwargs, colorbar)
        if stacked:
            ax.set_xlabel("")  # the heat map below carries the alpha axis
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _checked_support(self):
        """``support`` as an array checked against the path, and the names
        of its inputs; (None, None) without ``support``."""
        if self.support is None:
            return None, None
        n_alphas = np.size(self.alphas)
        support = np.asarray(self.support, dtype=float)
        if support.ndim != 2 or support.shape[0] != n_alphas:
            raise ValueError(
                f"support must have shape (n_alphas, n_features) with "
                f"n_alphas={n_alphas}, got {support.shape}."
            )
        return support, _names(self.feature_names, support.shape[1])

    def _get_axes(self, ax, support_ax, support):
        """The score's and the heat map's axes, and whether they were made
        here as one figure of two stacked axes."""
        caller = type(self).__name__
        if support is None:
            if support_ax is not None:
                raise ValueError(
                    "support_ax is given but the display has no support to "
                    "draw; pass support (or show_support=True to from_estimator)."
                )
            return get_axes(ax, caller), None, False
        if ax is None and support_ax is None:
            # Room for the rows and the colour bar below them.
            heat_height = float(np.clip(0.18 * support.shape[1], 1.2, 6.0)) + 0.8
            _, (ax, support_ax) = import_pyplot(caller).subplots(
                2,
                1,
                sharex=True,
                layout="constrained",
                figsize=(6.4, 3.6 + heat_height),
                height_ratios=(3.6, heat_height),
            )
            return ax, support_ax, True
        if ax is None or support_ax is None:
            raise ValueError(
                "To draw the support on given axes pass both ax (the score) "
                "and support_ax (the heat map), or neither for a new figure."
            )
        if not ax.get_shared_x_axes().joined(ax, support_ax):
            support_ax.sharex(ax)
        return ax, support_ax, False

    def _mark_alphas(self, ax) -> None:
        self.alpha_line_ = self.best_alpha_line_ = self.threshold_line_ = None
        if self.alpha is not None:
            rule = "1se rule" if self.threshold is not None else "best mean"
            self.alpha_line_ = ax.axvline(
                self.alpha,
                color="C2",
                label=f"chosen alpha = {self.alpha:.3g} ({rule})",
            )
        if self.best_alpha is not None and (
            self.alpha is None or not np.isclose(self.best_alpha, self.alpha)
        ):
            self.best_alpha_line_ = ax.axvline(
                self.best_alpha,
                color="C2",
                linestyle="--",
                label=f"best mean score at alpha = {self.best_alpha:.3g}",
            )
        if self.threshold is not None:
            self.threshold_line_ = ax.axhline(
                self.threshold,
                color="0.4",
                linestyle=":",
                label="best mean − 1 standard error",
            )

    def _draw_secondary(self, ax, secondary_kwargs) -> None:
        self.ax2_ = self.secondary_line_ = None
        if self.secondary is None:
            return
        self.ax2_ = ax.twinx()
        label = self.secondary_name or "secondary"
        kw = merge(
            {
                "color": "C3",
                "linestyle": "-.",
                "drawstyle": "steps-mid",
                "label": label,
            },
            secondary_kwargs,
        )
        (self.secondary_line_,) = self.ax2_.plot(
            np.asarray(self.alphas, dtype=float), self.secondary, **kw
        )
        self.ax2_.set_ylabel(label, color=self.secondary_line_.get_color())

    def _draw_support(self, ax, support, names, support_kwargs, colorbar) -> None:
        self.support_ax_ = self.support_mesh_ = None
        self.support_alpha_line_ = self.colorbar_ = None
        if support is None:
            return
        alphas = np.asarray(self.alphas, dtype=float)
        kw = merge({"cmap": "Blues", "vmin": 0.0, "vmax": 1.0}, support_kwargs)
        rows = np.arange(support.shape[1] + 1) - 0.5
        self.support_mesh_ = ax.pcolormesh(
            log_cell_edges(alphas), rows, support.T, **kw
        )
        ax.set_xscale("log")
        ax.set_ylim(rows[-1], rows[0])  # the first input on top
        step = -(-len(names) // _MAX_INPUT_LABELS)
        ticks = np.arange(0, len(names), step)
        ax.set_yticks(ticks, [names[j] for j in ticks])
        ax.tick_params(axis="y", labelsize="small")
        ax.set_xlabel("alpha (penalty strength)")
        ax.set_ylabel("input")
        if self.alpha is not None:
            self.support_alpha_line_ = ax.axvline(self.alpha, color="C2")
        if colorbar:
            self.colorbar_ = ax.figure.colorbar(
                self.support_mesh_,
                ax=ax,
                location="bottom",
                label="fraction of folds whose model uses the input",
            )
        self.support_ax_ = ax


def log_cell_edges(centers: np.ndarray) -> np.ndarray:
    """Edges of cells around ``centers`` on a log axis: the geometric
    midpoints between neighbours, and the outer edges as far out as the
    nearest midpoint (half a decade either side of a single center)."""
    centers = np.asarray(centers, dtype=float)
    if centers.size == 1:
        return centers * np.array([10**-0.5, 10**0.5])
    mids = np.sqrt(centers[:-1] * centers[1:])
    first, last = centers[0] ** 2 / mids[0], centers[-1] ** 2 / mids[-1]
    return np.concatenate([[first], mids, [last]])


def _names(feature_names, n_features: int) -> list[str]:
    """``feature_names`` as strings (``x0, x1, ...`` when None), checked
    against the number of inputs."""
    if feature_names is None:
        return [f"x{j}" for j in range(n_features)]
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ValueError(
            f"feature_names has {len(names)} names for {n_features} inputs."
        )
    return names


def _input_names(estimator, est):
    """The names of ``est``'s inputs: its ``feature_names_in_``, or what the
    earlier steps of the ``Pipeline`` ``estimator`` put out; None (``x0, x1,
    ...``) when neither is known."""
    names = getattr(est, "feature_names_in_", None)
    if names is None and hasattr(estimator, "steps"):
        head = [step for _, step in estimator.steps[:-1]]
        if head and all(hasattr(step, "get_feature_names_out") for step in head):
            names = estimator[:-1].get_feature_names_out()
    return None if names is None else list(names)


def _score_name(est) -> str:
    if est.scoring is None:
        return "accuracy" if is_classifier(est) else "R$^2$"
    return est.scoring if isinstance(est.scoring, str) else "score"


def _title(est, drawn) -> str:
    title = f"{estimator_name(est)}, penalty={est.penalty!r}"
    if est.penalty == "elasticnet":
        title += f", l1_ratio={drawn['l1_ratio']:g}"
    if drawn["relax"] is not None:
        title += f", relax={drawn['relax']:g}"
    return title


def _axis_index(name, values, fitted, wanted):
    """The index of ``wanted`` (None: the ``fitted`` value) among the
    cross-validated ``values`` of one axis, and whether it is the fitted one.
    A single value (or none) is no axis: index None."""
    if values.size <= 1:
        if wanted is not None and (fitted is None or not np.isclose(wanted, fitted)):
            raise ValueError(
                f"{name}={wanted} was not cross-validated; the path has "
                f"{name}={fitted}."
            )
        return None, True
    target = fitted if wanted is None else wanted
    matches = np.flatnonzero(np.isclose(values, target))
    if matches.size == 0:
        raise ValueError(
            f"{name}={wanted} was not cross-validated; choose one of {values.tolist()}."
        )
    return int(matches[0]), bool(np.isclose(target, fitted))
