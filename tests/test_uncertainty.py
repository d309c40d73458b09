"""Uncertainty: Monte Carlo dropout and the MLP ensembles (issue 8).

The intervals are the nominal 90% Gaussian intervals

    mean +- 1.645 * sqrt(std**2 + sigma2_hat)

with ``std`` the model's ``return_std`` (spread over dropout passes or over
members: model uncertainty only) and ``sigma2_hat`` the noise variance
estimated by the mean squared training residual of the mean prediction (a
plug-in estimate; a flexible network's training residuals are a little
smaller than the noise, so coverage comes out a little below 0.9).
``benchmarks/bench_uncertainty.py`` reports the same interval over several
seeds.
"""

import numpy as np
import pytest
from sklearn.base import clone

from skreg import (
    MLPClassifier,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
)

Z_90 = 1.645


# These networks are tiny: threaded BLAS only adds overhead (much of it on a
# loaded machine), and one thread keeps timings steady.
pytestmark = [
    pytest.mark.usefixtures("one_blas_thread"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


# -- data and models -----------------------------------------------------------
def _toy_1d(seed=0, n=200):
    """x uniform in [-1, 1], y = sin(3x) + N(0, 0.1^2)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 1))
    return X, np.sin(3 * X[:, 0]) + 0.1 * rng.randn(n)


_NEAR = np.linspace(-1, 1, 101)[:, None]
_FAR = np.r_[np.linspace(-3, -2, 50), np.linspace(2, 3, 50)][:, None]


def _homoscedastic(seed=0, n_train=400, n_test=1000, noise=0.3):
    """y = sin(3 x1) + x2^2 / 2 - x3 + N(0, 0.3^2), x uniform in [-1, 1]^3."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_train + n_test, 3))
    y = np.sin(3 * X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    y += noise * rng.randn(y.size)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _mc_dropout(random_state=0, **params):
    return MLPRegressor(
        **{
            "hidden_layer_sizes": (64,),
            "dropout": 0.2,
            "learning_rate_init": 0.01,
            "random_state": random_state,
            **params,
        }
    )


def _ensemble(random_state=0, **params):
    net = MLPRegressor(hidden_layer_sizes=(64,), learning_rate_init=0.01)
    return MLPEnsembleRegressor(net, random_state=random_state, **params)


_UNCERTAIN_MODELS = {
    "mc_dropout": lambda: _mc_dropout(),
    "ensemble": lambda: _ensemble(),
    "ensemble_bootstrap": lambda: _ensemble(bootstrap=True),
}


def _coverage(model, X_train, y_train, X_test, y_test):
    """Coverage of the 90% intervals described in the module docstring, and
    of the model-uncertainty-only intervals ``mean +- 1.645 * std``."""
    sigma2_hat = np.mean((y_train - model.predict(X_train)) ** 2)
    mean, std = model.predict(X_test, return_std=True)
    error = np.abs(y_test - mean)
    predictive = np.mean(error <= Z_90 * np.sqrt(std**2 + sigma2_hat))
    model_only = np.mean(error <= Z_90 * std)
    return predictive, model_only


# -- behaviour shared by MC dropout and the ensemble ---------------------------
@pytest.mark.parametrize("name", list(_UNCERTAIN_MODELS))
def test_std_grows_away_from_training_data(name):
    # Over seeds 0-5 the far/near ratio of the mean std was 3.1-3.9 for MC
    # dropout and 9-62 for the ensembles.
    model = _UNCERTAIN_MODELS[name]().fit(*_toy_1d())
    _, std_near = model.predict(_NEAR, return_std=True)
    _, std_far = model.predict(_FAR, return_std=True)
    assert np.all(std_near >= 0)
    assert std_far.mean() > 2 * std_near.mean()


@pytest.mark.parametrize("name", list(_UNCERTAIN_MODELS))
def test_coverage_of_90_percent_intervals(name):
    # Over seeds 0-5 (data and model): 0.84-0.95 with the noise term and
    # 0.13-0.61 without it; benchmarks/bench_uncertainty.py reports more.
    X_train, y_train, X_test, y_test = _homoscedastic()
    model = _UNCERTAIN_MODELS[name]().fit(X_train, y_train)
    predictive, model_only = _coverage(model, X_train, y_train, X_test, y_test)
    assert 0.75 <= predictive <= 0.97, predictive
    assert model_only < predictive


@pytest.mark.parametrize("name", list(_UNCERTAIN_MODELS))
def test_std_is_reproducible_with_a_seed(name):
    X, y = _toy_1d()
    first = _UNCERTAIN_MODELS[name]().fit(X, y).predict(_FAR, return_std=True)
    second = _UNCERTAIN_MODELS[name]().fit(X, y).predict(_FAR, return_std=True)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize("make", [_mc_dropout, _ensemble])
def test_another_seed_gives_another_std(make):
    X, y = _toy_1d()
    std_0 = make(random_state=0).fit(X, y).predict(_FAR, return_std=True)[1]
    std_1 = make(random_state=1).fit(X, y).predict(_FAR, return_std=True)[1]
    assert not np.array_equal(std_0, std_1)


# -- Monte Carlo dropout -------------------------------------------------------
def test_mc_dropout_repeated_predict_is_identical():
    model = _mc_dropout().fit(*_toy_1d())
    first = model.predict(_NEAR, return_std=True)
    second = model.predict(_NEAR, return_std=True)
    np.testing.assert_array_equal(first[1], second[1])
    # mc_samples passes of dropout: the mean is not the dropout-free output.
    assert not np.array_equal(first[0], model.predict(_NEAR))


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
def test_mc_dropout_without_dropout_says_what_to_do(cls):
    X, y = _toy_1d(n=40)
    if cls is MLPClassifier:
        model = cls(hidden_layer_sizes=(4,), max_iter=5).fit(X, y > 0)
        predict = lambda: model.predict_proba(X, mc_dropout=True)  # noqa: E731
    else:
        model = cls(hidden_layer_sizes=(4,), max_iter=5).fit(X, y)
        predict = lambda: model.predict(X, return_std=True)  # noqa: E731
    with pytest.raises(ValueError, match=r"dropout > 0.*dropout=0\.1"):
        predict()


@pytest.mark.parametrize("n_classes", [2, 3])
def test_mc_dropout_classifier_probabilities(n_classes):
    X, y = _toy_1d()
    y = np.digitize(y, np.quantile(y, np.linspace(0, 1, n_classes + 1)[1:-1]))
    clf = MLPClassifier(
        hidden_layer_sizes=(32,), dropout=0.3, learning_rate_init=0.01, random_state=0
    ).fit(X, y)
    proba = clf.predict_proba(_FAR, mc_dropout=True)
    assert proba.shape == (len(_FAR), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(proba, clf.predict_proba(_FAR, mc_dropout=True))
    refit = clone(clf).fit(X, y)
    np.testing.assert_array_equal(proba, refit.predict_proba(_FAR, mc_dropout=True))
    assert not np.array_equal(proba, clf.predict_proba(_FAR))


# -- the ensembles -------------------------------------------------------------
def test_ensemble_members_are_seeded_clones():
    X, y = _toy_1d(n=60)
    weights = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    ens = _ensemble(n_estimators=3).fit(X, y, sample_weight=weights)
    seeds = [m.random_state for m in ens.estimators_]
    assert len(set(seeds)) == 3
    assert all(isinstance(s, int) for s in seeds)
    member = clone(ens.estimator).set_params(random_state=seeds[1])
    member.fit(X, y, sample_weight=weights)
    for fitted, expected in zip(ens.estimators_[1].coefs_, member.coefs_):
        np.testing.assert_array_equal(fitted, expected)
    # The mean and std are those of the members' predictions (ddof=0).
    preds = np.stack([m.predict(_FAR) for m in ens.estimators_])
    mean, std = ens.predict(_FAR, return_std=True)
    np.testing.assert_allclose(mean, preds.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(std, preds.std(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(mean, ens.predict(_FAR))


def test_ensemble_seeds_do_not_depend_on_bootstrap_or_size():
    X, y = _toy_1d(n=60)
    small = _ensemble(n_estimators=2).fit(X, y)
    boot = _ensemble(n_estimators=3, bootstrap=True).fit(X, y)
    seeds = [m.random_state for m in small.estimators_]
    assert seeds == [m.random_state for m in boot.estimators_[:2]]
    # Same seeds, different rows: different members.
    assert not np.array_equal(
        small.estimators_[0].coefs_[0], boot.estimators_[0].coefs_[0]
    )


def test_ensemble_parallel_training_is_bit_identical():
    X, y = _toy_1d(n=60)
    serial = _ensemble(n_estimators=2, bootstrap=True).fit(X, y)
    parallel = _ensemble(n_estimators=2, bootstrap=True, n_jobs=2).fit(X, y)
    for a, b in zip(serial.predict(_FAR, True), parallel.predict(_FAR, True)):
        np.testing.assert_array_equal(a, b)


def test_ensemble_default_estimator():
    X, y = _toy_1d(n=40)
    reg = MLPEnsembleRegressor(n_estimators=2, random_state=0).fit(X, y)
    assert all(type(m) is MLPRegressor for m in reg.estimators_)
    clf = MLPEnsembleClassifier(n_estimators=2, random_state=0).fit(X, y > 0)
    assert all(type(m) is MLPClassifier for m in clf.estimators_)


def test_ensemble_multi_output_regression():
    X, y = _toy_1d(n=60)
    Y = np.column_stack([y, -y])
    mean, std = _ensemble(n_estimators=2).fit(X, Y).predict(_FAR, return_std=True)
    assert mean.shape == std.shape == (len(_FAR), 2)


def _classifier_ensemble(**params):
    net = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01)
    return MLPEnsembleClassifier(net, n_estimators=3, random_state=0, **params)


@pytest.mark.parametrize("bootstrap", [False, True])
def test_ensemble_classifier_soft_voting(bootstrap):
    X, y = _toy_1d()
    labels = np.array(["low", "mid", "high"])[np.digitize(y, [-0.5, 0.5])]
    ens = _classifier_ensemble(bootstrap=bootstrap).fit(X, labels)
    np.testing.assert_array_equal(ens.classes_, ["high", "low", "mid"])
    proba, proba_std = ens.predict_proba(_NEAR, return_std=True)
    assert proba.shape == proba_std.shape == (len(_NEAR), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    members = np.stack([m.predict_proba(_NEAR) for m in ens.estimators_])
    np.testing.assert_allclose(proba, members.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(proba_std, members.std(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(ens.predict(_NEAR), ens.classes_[proba.argmax(1)])
    np.testing.assert_allclose(ens.predict_log_proba(_NEAR), np.log(proba))
    assert ens.score(X, labels) > 0.8


def test_ensemble_classifier_bootstrap_keeps_rare_classes():
    # 3 rows of class 2 in 60: a plain bootstrap of 5 members misses it with
    # probability about 1 - (1 - 0.95**60)**5 = 0.2; the stratified one never.
    X, y = _toy_1d(n=60)
    y = (y > 0).astype(int)
    y[:3] = 2
    ens = _classifier_ensemble(bootstrap=True).set_params(n_estimators=5)
    ens.fit(X, y)
    for member in ens.estimators_:
        np.testing.assert_array_equal(member.classes_, [0, 1, 2])


def test_ensemble_multilabel_classifier():
    X, y = _toy_1d()
    Y = np.column_stack([y > 0, np.abs(y) > 0.5]).astype(int)
    ens = _classifier_ensemble(bootstrap=True).fit(X, Y)
    proba = ens.predict_proba(_NEAR)
    assert proba.shape == (len(_NEAR), 2)
    np.testing.assert_array_equal(ens.predict(_NEAR), (proba > 0.5).astype(int))
