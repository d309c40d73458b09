"""Progress output: one line per epoch with verbose=True, a tqdm bar with 2."""

import re
import sys

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skreg import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

LINE = re.compile(
    r"^Iteration (\d+), loss = ([0-9.]+)"
    r"(?:, validation score = (-?[0-9.]+))?, elapsed = [0-9.]+s$"
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    return X, X[:, 0] - X[:, 1]


def _make(Estimator, **params):
    return Estimator(hidden_layer_sizes=(4,), random_state=0, **params)


def _targets(Estimator, y):
    return y > 0 if Estimator is MLPClassifier else y


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
def test_quiet_by_default(Estimator, data, capsys):
    X, y = data
    _make(Estimator, max_iter=3).fit(X, _targets(Estimator, y))
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
def test_one_line_per_epoch(Estimator, data, capsys):
    X, y = data
    est = _make(Estimator, max_iter=4, verbose=True).fit(X, _targets(Estimator, y))
    lines = capsys.readouterr().out.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [int(m[1]) for m in matches] == [1, 2, 3, 4]
    np.testing.assert_allclose(
        [float(m[2]) for m in matches], est.loss_curve_, atol=1e-8
    )
    assert all(m[3] is None for m in matches)  # no validation without early stopping


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
def test_lines_show_the_validation_score_with_early_stopping(Estimator, data, capsys):
    X, y = data
    est = _make(Estimator, max_iter=4, verbose=True, early_stopping=True)
    est.fit(X, _targets(Estimator, y))
    matches = [LINE.match(line) for line in capsys.readouterr().out.splitlines()]
    assert len(matches) == 4 and all(matches)
    np.testing.assert_allclose(
        [float(m[3]) for m in matches], est.validation_scores_, atol=1e-6
    )


def test_stopping_is_announced(data, capsys):
    X, y = data
    est = _make(MLPRegressor, max_iter=200, tol=10.0, verbose=True).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == est.n_iter_ + 1
    assert "did not improve more than tol" in out[-1]


def test_verbose_2_without_tqdm_prints_lines(data, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = data
    with pytest.warns(ConvergenceWarning):
        _make(MLPRegressor, max_iter=3, verbose=2).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(LINE.match(line) for line in lines)


def test_progress_bar_shows_a_tqdm_bar(data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    _make(MLPRegressor, max_iter=3, progress_bar=True).fit(X, y)
    captured = capsys.readouterr()
    assert "Iteration" not in captured.out  # verbose=0: no lines
    assert "3/3" in captured.err and "epoch" in captured.err
