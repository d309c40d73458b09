"""Early stopping is at least as robust as scikit-learn's.

scikit-learn stops when the validation score (a classifier's accuracy on the
held-out ``validation_fraction``) has not improved by ``tol`` for
``n_iter_no_change`` epochs. On small data the accuracy of a few held-out
samples is flat for the first epochs (the network still predicts one class),
and with one optimizer step per epoch (fewer samples than the batch size)
both libraries used to stop there: on the binary blobs of
``check_classifiers_train``, 20 of 100 seeds of scikit-learn's MLP ended
below its own 0.83 training-accuracy threshold. skreg's classifier also
counts an epoch whose held-out log loss improved by ``tol``
(``skreg._training.callbacks.ValidationMonitor``).
"""

import warnings

import numpy as np
import pytest
import sklearn.neural_network as sklearn_nn
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.utils import shuffle
from sklearn.utils.estimator_checks import check_classifiers_train

from skreg import MLPClassifier
from skreg._training.callbacks import EpochRecord, ValidationMonitor

THRESHOLD = 0.83  # check_classifiers_train: training accuracy > 0.83


def _blobs():
    """The binary problem of check_classifiers_train."""
    X, y = make_blobs(n_samples=300, random_state=0)
    X, y = shuffle(X, y, random_state=7)
    X = StandardScaler().fit_transform(X)
    return X[y != 2], y[y != 2]


def _standardized(load):
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


DATASETS = {
    "blobs": _blobs,
    "iris": lambda: _standardized(load_iris),
    "wine": lambda: _standardized(load_wine),
    "breast_cancer": lambda: _standardized(load_breast_cancer),
}


def _n_below_threshold(Estimator, X, y, seeds) -> int:
    below = 0
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = Estimator(early_stopping=True, random_state=seed).fit(X, y)
        below += not accuracy_score(y, est.predict(X)) > THRESHOLD
    return below


@pytest.mark.parametrize("dataset", DATASETS)
def test_no_more_fits_below_the_threshold_than_scikit_learn(dataset):
    X, y = DATASETS[dataset]()
    seeds = range(20)
    ours = _n_below_threshold(MLPClassifier, X, y, seeds)
    theirs = _n_below_threshold(sklearn_nn.MLPClassifier, X, y, seeds)
    assert ours <= theirs, (ours, theirs)


def test_check_classifiers_train_with_early_stopping():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_classifiers_train("MLPClassifier", MLPClassifier(early_stopping=True))


# -- the monitor -------------------------------------------------------------------
class _Net:
    """What the monitor needs of a network: a state to snapshot."""

    def __init__(self):
        self.epoch = 0

    def state(self):
        return {"epoch": self.epoch}


def _run(scores, losses, tol=1e-4):
    """Feed a monitor these per-epoch held-out scores and losses."""
    net = _Net()
    it = iter(zip(scores, losses))
    current = {}

    def advance():
        current["score"], current["loss"] = next(it)

    monitor = ValidationMonitor(
        lambda _: current["score"], tol, loss=lambda _: current["loss"]
    )
    counts = []
    for epoch in range(1, len(scores) + 1):
        advance()
        net.epoch = epoch
        monitor.update(EpochRecord(epoch, 0.0), net)
        counts.append(monitor.no_improvement_count)
    return monitor, counts


def test_a_flat_score_with_a_falling_loss_is_progress():
    monitor, counts = _run([0.5] * 5, [0.7, 0.6, 0.5, 0.4, 0.3])
    assert counts == [0, 0, 0, 0, 0]
    assert monitor.best_epoch == 1  # scikit-learn's: the first best score


def test_neither_improving_counts():
    _, counts = _run([0.8, 0.8, 0.79, 0.8], [0.5, 0.5, 0.6, 0.50005])
    assert counts == [0, 1, 2, 3]


def test_a_better_score_wins_over_a_lower_loss():
    monitor, _ = _run([0.6, 0.9, 0.8], [0.5, 0.6, 0.4])
    assert monitor.best_epoch == 2
    assert monitor.best_score == 0.9


def test_nan_never_improves():
    monitor, counts = _run([0.5, np.nan, np.nan], [0.5, np.nan, np.nan])
    assert counts == [0, 1, 2]
    assert monitor.best_epoch == 1


def test_without_a_loss_the_rule_is_scikit_learns():
    net, scores = _Net(), iter([0.5, 0.5, 0.50005, 0.6])
    monitor = ValidationMonitor(lambda _: next(scores), tol=1e-4)
    counts = []
    for epoch in range(1, 5):
        monitor.update(EpochRecord(epoch, 0.0), net)
        counts.append(monitor.no_improvement_count)
    assert counts == [0, 1, 2, 0]


# -- the score ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("weighted", [False, True])
def test_validation_score_is_the_accuracy_of_the_decoded_labels(kind, weighted):
    rng = np.random.default_rng(0)
    n = 200
    if kind == "multilabel":
        y = rng.integers(0, 2, size=(n, 3))
    else:
        y = rng.integers(0, 2 if kind == "binary" else 4, size=n)
    est = MLPClassifier()
    est._label_binarizer = LabelBinarizer().fit(y)
    Y = est._label_binarizer.transform(y).astype(float)
    P = rng.uniform(size=Y.shape)
    if kind == "multiclass":
        P /= P.sum(axis=1, keepdims=True)
    P[:5] = 0.5  # ties at the threshold decode as the negative label
    sw = rng.uniform(size=n) if weighted else None
    expected = accuracy_score(
        est._label_binarizer.inverse_transform(Y),
        est._label_binarizer.inverse_transform(P if P.shape[1] > 1 else P.ravel()),
        sample_weight=sw,
    )
    assert est._validation_score(Y, P, sw) == pytest.approx(expected, abs=1e-12)
