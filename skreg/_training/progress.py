"""Progress output: the one progress-reporting API of the package.

Two independent switches, as the estimators' parameters:

* ``verbose`` keeps scikit-learn's meaning: any ``verbose >= 1`` prints one
  line per epoch on stdout (``Iteration 3, loss = ...``).
* ``progress_bar=True`` shows a tqdm bar on stderr: over the epochs of one
  fit (the plain estimators) or over the fits of a search or an ensemble
  (the CV estimators and the ensembles, via :func:`fit_progress`). Without
  tqdm installed it warns once per fit and shows nothing.

With both, the epoch lines are written through the bar so the two do not
garble each other.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

from .callbacks import EpochRecord

_NO_TQDM = (
    "progress_bar=True needs tqdm, which is not installed (pip install tqdm); "
    "fitting without a progress bar."
)


def format_epoch(record: EpochRecord) -> str:
    """One line per epoch, in the style of scikit-learn's MLP."""
    line = f"Iteration {record.epoch}, loss = {record.loss:.8f}"
    if record.validation_score is not None:
        line += f", validation score = {record.validation_score:.6f}"
    return line + f", elapsed = {record.elapsed:.2f}s"


class LineReporter:
    """``verbose >= 1``: print one line per epoch."""

    def update(self, record: EpochRecord) -> None:
        print(format_epoch(record), flush=True)

    def message(self, text: str) -> None:
        print(text, flush=True)

    def close(self) -> None:
        pass


class BarReporter:
    """``progress_bar=True``: a tqdm bar over epochs (and, with ``lines``,
    the epoch lines written through it)."""

    def __init__(self, tqdm, total: int, lines: bool = False):
        self._bar = tqdm(total=total, unit="epoch", leave=True)
        self._lines = lines

    def update(self, record: EpochRecord) -> None:
        postfix = {"loss": f"{record.loss:.5g}"}
        if record.validation_score is not None:
            postfix["val"] = f"{record.validation_score:.4g}"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)
        if self._lines:
            self._bar.write(format_epoch(record))

    def message(self, text: str) -> None:
        self._bar.write(text)

    def close(self) -> None:
        self._bar.close()


def _tqdm():
    """tqdm's bar class, or None (with a warning) when it is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn(_NO_TQDM, UserWarning, stacklevel=4)
        return None
    return tqdm


def make_reporter(verbose, max_iter: int, progress_bar: bool = False):
    """The epoch reporter of one fit: a bar, lines, both, or ``None``."""
    lines = bool(verbose)
    tqdm = _tqdm() if progress_bar else None
    if tqdm is not None:
        return BarReporter(tqdm, max_iter, lines=lines)
    return LineReporter() if lines else None


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass


@contextmanager
def fit_progress(progress_bar: bool, total: int, unit: str = "fit"):
    """A bar over the ``total`` fits of a search or an ensemble (``update(n)``
    after ``n`` fits finished), or a no-op without ``progress_bar``."""
    tqdm = _tqdm() if progress_bar else None
    if tqdm is None:
        yield _NoBar()
        return
    bar = tqdm(total=total, unit=unit, leave=True)
    try:
        yield bar
    finally:
        bar.close()
