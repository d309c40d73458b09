"""The parameter and attribute text of the ensembles."""

from __future__ import annotations

from .._docstring import class_docstring

_PARAMETERS = """\
estimator : estimator instance, default=None
    The network every member is cloned from; ``None`` is ``{default}()``.
    Any skreg network works (dropout, batch norm, penalties, early stopping
    are kept). Its ``random_state`` is replaced by each member's own seed.

n_estimators : int, default=5
    Number of members (at least 2).

bootstrap : bool, default=False
    Train each member on ``n_samples`` rows drawn with replacement{strata}
    instead of on all rows. The resampled rows are passed as rows, not as
    sample-weight counts: skreg's dropout masks, input noise and batch-norm
    statistics are drawn per row, and minibatch epochs keep ``n_samples``
    rows, so a member sees exactly what a network fitted to a resampled
    data set would see. Caveat: with ``early_stopping=True`` the member's
    validation split is taken from the resampled rows and can contain
    copies of its training rows, so it stops later than it would on fresh
    data. Without bootstrap the members differ only by their seeds
    (initial weights, minibatch order, dropout masks): the "deep ensemble",
    which usually gives the better uncertainty.

n_jobs : int, default=None
    Number of members trained in parallel by joblib (``None`` is 1 unless
    in a ``joblib.parallel_config`` context, ``-1`` is all processors).
    When members run in parallel, BLAS uses one thread inside each.

random_state : int, RandomState instance or None, default=None
    Seeds the members: member ``i`` gets ``random_state`` ``seeds[i, 0]``
    and bootstrap rows from ``seeds[i, 1]``, where ``seeds`` is drawn from
    this random state. An int reproduces the whole ensemble bit for bit,
    for any ``n_jobs``.

verbose : int, default=0
    Verbosity of joblib's progress messages while training the members.

progress_bar : bool, default=False
    Show a tqdm progress bar on stderr over the members as they finish.
    Needs tqdm; without it a warning is raised and no bar is shown."""

_ATTRIBUTES = """\
estimators_ : list of estimators
    The fitted members, each a clone of ``estimator`` with its own
    ``random_state``."""


def ensemble_docstring(summary: str, *, default: str, strata: str, **sections) -> str:
    """The numpydoc class docstring of an ensemble whose default member is
    ``default``; ``strata`` says how bootstrap rows are drawn. ``sections``
    are :func:`~skreg._docstring.class_docstring`'s (``extra_attributes``,
    ``see_also``, ``examples``)."""
    return class_docstring(
        summary,
        parameters=[_PARAMETERS.format(default=default, strata=strata)],
        attributes=[_ATTRIBUTES],
        **sections,
    )
