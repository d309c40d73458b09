"""Helpers shared by the displays: lazy matplotlib, axes, fitted models."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.utils.validation import check_is_fitted

from .._sklearn_compat import check_matplotlib_support


def display(cls):
    """Make ``cls`` a display class: its annotated fields, in order, are the
    keyword-only parameters of its ``__init__``, which only stores them.

    Like scikit-learn's displays, a display compares by identity and keeps
    the default ``repr`` (it holds arrays, and artists once drawn).
    """
    return dataclass(cls, kw_only=True, eq=False, repr=False)


def import_pyplot(caller: str):
    """``matplotlib.pyplot``, imported only when a display draws
    (scikit-learn's ``ImportError`` when matplotlib is missing)."""
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt

    return plt


def get_axes(ax, caller: str):
    """``ax``, or the axes of a new figure when ``ax`` is None."""
    plt = import_pyplot(caller)
    if ax is None:
        _, ax = plt.subplots()
    return ax


def final_estimator(estimator):
    """The last step of a ``Pipeline`` (the estimator itself otherwise),
    checked to be fitted."""
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    check_is_fitted(estimator)
    return estimator


def estimator_name(estimator) -> str:
    return type(estimator).__name__


def merge(defaults: dict, overrides: dict | None) -> dict:
    """Keyword arguments for a matplotlib call: ``defaults`` updated by the
    user's ``overrides``."""
    return {**defaults, **(overrides or {})}


def combined_legend(ax, ax2, **kwargs):
    """One legend for ``ax`` and its twin ``ax2`` (may be None).

    ``ax`` is raised above its twin (with a transparent background) so that
    the legend is drawn over both and ``loc="best"`` avoids ``ax``'s curves.
    """
    handles, labels = ax.get_legend_handles_labels()
    if ax2 is not None:
        more_handles, more_labels = ax2.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
    return ax.legend(handles, labels, **kwargs)
