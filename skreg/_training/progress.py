"""Per-epoch progress output: plain lines, or a tqdm bar when asked for."""

from __future__ import annotations

from .callbacks import EpochRecord


def format_epoch(record: EpochRecord) -> str:
    """One line per epoch, in the style of scikit-learn's MLP."""
    line = f"Iteration {record.epoch}, loss = {record.loss:.8f}"
    if record.validation_score is not None:
        line += f", validation score = {record.validation_score:.6f}"
    return line + f", elapsed = {record.elapsed:.2f}s"


class LineReporter:
    """``verbose=True`` (or 1): print one line per epoch."""

    def update(self, record: EpochRecord) -> None:
        print(format_epoch(record), flush=True)

    def message(self, text: str) -> None:
        print(text, flush=True)

    def close(self) -> None:
        pass


class BarReporter:
    """``verbose >= 2``: a tqdm progress bar over epochs."""

    def __init__(self, tqdm, total: int):
        self._bar = tqdm(total=total, unit="epoch", leave=True)

    def update(self, record: EpochRecord) -> None:
        postfix = {"loss": f"{record.loss:.5g}"}
        if record.validation_score is not None:
            postfix["val"] = f"{record.validation_score:.4g}"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)

    def message(self, text: str) -> None:
        self._bar.write(text)

    def close(self) -> None:
        self._bar.close()


def make_reporter(verbose, max_iter: int):
    """``None`` when quiet; a bar for ``verbose >= 2`` if tqdm is installed,
    plain lines otherwise."""
    if not verbose:
        return None
    if verbose >= 2:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return LineReporter()
        return BarReporter(tqdm, max_iter)
    return LineReporter()
