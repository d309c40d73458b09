"""The batched engine equals the single-model loop, model by model.

Every model of a batch is also trained alone by the single-model code
(``build_network`` + ``Network.initialize``, ``make_penalty``, the ``Adam`` /
``SGD`` optimizers, ``StochasticRun`` + ``train_epochs`` on ``X[rows]``) from
a generator with the same seed, and the two must agree exactly: float64
weights, batch-norm running statistics, loss curves, validation scores,
stopping epochs and statuses are compared with ``==`` (the stacked layout is
bit-identical, see ``skreg/_core/stacked.py``). Folds of unequal size, mixed
penalty kinds, weighted and unweighted models share one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.sparse as sp

from skreg._core import build_network
from skreg._core.penalties import FrozenInputs, make_penalty
from skreg._training import LossMonitor, StochasticRun, ValidationMonitor, train_epochs
from skreg._training.batched import (
    AdamSettings,
    ModelSpec,
    SGDSettings,
    models_per_chunk,
    predict_batched,
    stack_bytes,
    train_batched,
)
from skreg._training.batched.engine import batch_rows
from skreg._training.callbacks import held_out_loss
from skreg._training.optimizers import SGD, Adam

N_SAMPLES, N_FEATURES = 150, 6
PENALTIES = [
    (None, 0.0, 0.5),
    ("l2", 3.0, 0.5),
    ("l1", 2.0, 0.5),
    ("elasticnet", 4.0, 0.3),
    ("group_lasso", 3.0, 0.5),
]
ADAM = AdamSettings(learning_rate_init=0.01)
OPTIMIZERS = {
    "adam": ADAM,
    "sgd-nesterov-invscaling": SGDSettings(0.05, "invscaling", 0.9, True, 0.3),
    "sgd-momentum-constant": SGDSettings(0.02, "constant", 0.8, False),
    "sgd-plain": SGDSettings(0.02, "constant", 0.0, False),
}
ARCHITECTURES = {
    "plain": {},
    "dropout": {"dropout": [0.2, 0.1]},
    "batch_norm": {"batch_norm": True, "batch_norm_momentum": 0.3},
    "input_noise": {"input_noise": 0.3},
    "all": {"dropout": 0.15, "batch_norm": True, "input_noise": 0.2},
}


def make_data(loss="squared_error", n_outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    Z = X[:, :3] @ rng.standard_normal((3, n_outputs)) + 0.3 * rng.standard_normal(
        (N_SAMPLES, n_outputs)
    )
    if loss == "poisson":
        Y = rng.poisson(np.exp(0.3 * Z)).astype(float)
    elif loss == "binary_log_loss":
        Y = (Z > 0).astype(float)
    elif loss == "log_loss":
        Y = np.eye(n_outputs)[Z.argmax(axis=1)]
    else:
        Y = Z
    return X, Y


def folds(n_folds=3, n=N_SAMPLES):
    """Training rows of ``n_folds`` folds of unequal size (held-out 1/7, ...)."""
    return [np.setdiff1d(np.arange(n), np.arange(k, n, 5 + k)) for k in range(n_folds)]


@dataclass
class Case:
    """One model: its rows, seed, penalty and optional extras."""

    rows: np.ndarray
    seed: int
    penalty: str | None = "l2"
    alpha: float = 1.0
    l1_ratio: float = 0.5
    sample_weight: np.ndarray | None = None
    validation_rows: np.ndarray | None = None
    keep: np.ndarray | None = None  # frozen inputs (relaxed refit)
    score_calls: list = field(default_factory=list)


@dataclass
class Setup:
    """What the models of one batch share."""

    X: object
    Y: np.ndarray
    hidden: tuple = (7, 5)
    activation: str = "relu"
    loss: str = "squared_error"
    layers: dict = field(default_factory=dict)
    optimizer: object = ADAM
    max_iter: int = 5
    tol: float = 1e-4
    n_iter_no_change: int = 10
    batch_size: object = 32
    shuffle: bool = True
    dtype: type = np.float64

    def network(self):
        return build_network(
            self.X.shape[1],
            list(self.hidden),
            self.Y.shape[1],
            self.activation,
            self.loss,
            self.dtype,
            **self.layers,
        )

    def start(self, seed):
        """A fresh network initialized from generator ``seed`` (as ``fit``)."""
        net, rng = self.network(), np.random.default_rng(seed)
        net.initialize(rng, self.activation)
        return net, rng


def score(Y_val):
    """Higher is better: minus the mean squared error (float)."""
    return lambda pred: -float(np.mean((pred - Y_val) ** 2))


def single_fit(setup: Setup, case: Case):
    """The single-model loop on ``X[rows]``: (network, TrainResult, monitor)."""
    net, rng = setup.start(case.seed)
    X = setup.X[case.rows].astype(setup.dtype)
    Y = setup.Y[case.rows].astype(setup.dtype)
    sw = case.sample_weight
    sw = None if sw is None else sw.astype(setup.dtype)
    S = len(case.rows) if sw is None else float(sw.sum())
    penalty = make_penalty(
        case.penalty, case.alpha / S, case.l1_ratio, **net.input_groups
    )
    if case.keep is not None:  # as fitting._penalty
        penalty = FrozenInputs(penalty, case.keep, **net.input_groups)
    opt = setup.optimizer
    if isinstance(opt, AdamSettings):
        optimizer = Adam(
            [net.theta], opt.learning_rate_init, opt.beta_1, opt.beta_2, opt.epsilon
        )
    else:
        optimizer = SGD(
            [net.theta],
            opt.learning_rate_init,
            opt.lr_schedule,
            opt.momentum,
            opt.nesterov,
            opt.power_t,
        )
    run = StochasticRun(
        net,
        optimizer,
        penalty,
        rng,
        batch_rows(setup.batch_size, len(case.rows)),
        shuffle=setup.shuffle,
        merge_singleton=bool(setup.layers.get("batch_norm")),
    )
    if case.validation_rows is None:
        monitor = LossMonitor(setup.tol)
    else:
        X_val = setup.X[case.validation_rows].astype(setup.dtype)
        to_score = score(setup.Y[case.validation_rows])

        def network_score(network):  # as the plain estimators' (fitting.py)
            pred = network.predict(X_val, chunk_size=4096)
            return to_score(pred) if np.isfinite(pred).all() else np.nan

        monitor = ValidationMonitor(network_score, setup.tol)
    result = train_epochs(
        run,
        X,
        Y,
        sw,
        max_iter=setup.max_iter,
        monitor=monitor,
        n_iter_no_change=setup.n_iter_no_change,
    )
    if getattr(monitor, "best_state", None) is not None:
        net.load_state(monitor.best_state)
    net.rng_state = rng.bit_generator.state
    return net, result, monitor


def _single_rng_after(setup: Setup, case: Case) -> dict:
    """The state of the generator a single run of ``case`` leaves."""
    return single_fit(setup, case)[0].rng_state


def spec_for(setup: Setup, case: Case) -> ModelSpec:
    net, rng = setup.start(case.seed)
    validation_score = None
    if case.validation_rows is not None:
        to_score = score(setup.Y[case.validation_rows])

        def validation_score(pred):
            case.score_calls.append(len(case.score_calls))
            return to_score(pred)

    return ModelSpec(
        rows=case.rows,
        rng=rng,
        theta=net.theta.copy(),
        penalty=case.penalty,
        alpha=case.alpha,
        l1_ratio=case.l1_ratio,
        sample_weight=case.sample_weight,
        validation_rows=case.validation_rows,
        validation_score=validation_score,
        keep_inputs=case.keep,
    )


def batched_fit(setup: Setup, cases, **kwargs):
    return train_batched(
        setup.network(),
        setup.X,
        setup.Y,
        [spec_for(setup, c) for c in cases],
        optimizer=setup.optimizer,
        max_iter=setup.max_iter,
        tol=setup.tol,
        n_iter_no_change=setup.n_iter_no_change,
        batch_size=setup.batch_size,
        shuffle=setup.shuffle,
        **kwargs,
    )


def assert_same(setup: Setup, cases, outcomes, exact=True):
    """Each outcome equals its model trained alone (exactly, or to 1e-9)."""
    for case, outcome in zip(cases, outcomes):
        net, result, monitor = single_fit(setup, case)
        expected = net.state()
        assert outcome.state.keys() == expected.keys()
        for key, value in expected.items():
            if exact:
                np.testing.assert_array_equal(outcome.state[key], value, err_msg=key)
            else:
                np.testing.assert_allclose(outcome.state[key], value, atol=1e-9)
        assert outcome.status == result.status
        assert outcome.n_epochs == result.n_epochs
        losses = [r.loss for r in result.records]
        scores = [r.validation_score for r in result.records]
        if exact:
            assert [r.loss for r in outcome.records] == losses
            assert [r.validation_score for r in outcome.records] == scores
        else:
            np.testing.assert_allclose([r.loss for r in outcome.records], losses)
        assert outcome.best_epoch == getattr(monitor, "best_epoch", None)


def fold_penalty_cases(n_folds=3, own_seeds=False):
    """Every penalty on every fold (unequal sizes), one seed per fold (the
    models of a fold are twins: same rows, same stream) or per model."""
    return [
        Case(rows, seed=100 * k + j if own_seeds else k, penalty=p, alpha=a, l1_ratio=r)
        for k, rows in enumerate(folds(n_folds))
        for j, (p, a, r) in enumerate(PENALTIES)
    ]


@pytest.mark.parametrize("own_seeds", [False, True], ids=["twins", "own-seeds"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_every_penalty_and_layer_bit_identical(optimizer, architecture, own_seeds):
    X, Y = make_data()
    setup = Setup(
        X, Y, layers=ARCHITECTURES[architecture], optimizer=OPTIMIZERS[optimizer]
    )
    cases = fold_penalty_cases(own_seeds=own_seeds)
    assert_same(setup, cases, batched_fit(setup, cases))


def test_generators_end_where_single_runs_leave_them():
    """Twins draw from one generator; every model's generator still ends in
    the state its single run leaves (also for twins that stop early)."""
    X, Y = make_data()
    setup = Setup(
        X, Y, layers=ARCHITECTURES["all"], max_iter=30, tol=0.05, n_iter_no_change=2
    )
    cases = fold_penalty_cases()
    specs = [spec_for(setup, case) for case in cases]
    outcomes = train_batched(
        setup.network(),
        X,
        Y,
        specs,
        optimizer=ADAM,
        max_iter=30,
        tol=0.05,
        n_iter_no_change=2,
        batch_size=setup.batch_size,
    )
    assert len({o.n_epochs for o in outcomes}) > 1
    for case, spec in zip(cases, specs):
        assert spec.rng.bit_generator.state == _single_rng_after(setup, case)


def test_sample_weights_and_bootstrap_rows():
    """Bootstrap rows (repeats), weights with zeros, and unweighted models."""
    X, Y = make_data()
    rng = np.random.default_rng(1)
    setup = Setup(X, Y, layers={"batch_norm": True, "dropout": 0.1})
    cases = []
    for k in range(3):
        rows = np.sort(rng.integers(0, N_SAMPLES, size=N_SAMPLES - 10 * k))
        weights = rng.exponential(size=len(rows)) * (rng.random(len(rows)) > 0.1)
        cases.append(
            Case(
                rows,
                seed=10 + k,
                penalty="elasticnet",
                alpha=2.0,
                sample_weight=weights,
            )
        )
        cases.append(Case(rows, seed=20 + k, penalty="l1", alpha=1.0))
    assert_same(setup, cases, batched_fit(setup, cases))


@pytest.mark.parametrize("optimizer", ["adam", "sgd-nesterov-invscaling"])
def test_early_stopping_stops_each_model_at_its_own_epoch(optimizer):
    """Validation monitors per model: own stopping epoch, best-state restore
    (batch-norm running statistics included)."""
    X, Y = make_data()
    setup = Setup(
        X,
        Y,
        layers={"batch_norm": True},
        max_iter=40,
        n_iter_no_change=2,
        tol=1e-3,
        optimizer=OPTIMIZERS[optimizer],
    )
    cases = []
    for k, rows in enumerate(folds()):
        held_out = np.setdiff1d(np.arange(N_SAMPLES), rows)
        for alpha in (0.0, 5.0, 50.0):
            cases.append(Case(rows, seed=k, alpha=alpha, validation_rows=held_out))
    outcomes = batched_fit(setup, cases)
    assert_same(setup, cases, outcomes)
    epochs = {o.n_epochs for o in outcomes}
    assert len(epochs) > 1, "the models should stop at different epochs"
    assert any(o.status == "converged" and o.n_epochs < 40 for o in outcomes)
    # Stopped models left the stack: their score was computed once per epoch
    # they trained and never again.
    for case, outcome in zip(cases, outcomes):
        assert len(case.score_calls) == outcome.n_epochs


@pytest.mark.parametrize("weighted", [False, True])
def test_held_out_loss_monitor(weighted):
    """``validation_loss=True``: the held-out loss counts as an improvement
    too (``ValidationMonitor(loss=held_out_loss(...))``, classifiers)."""
    X, Y = make_data("binary_log_loss", 1)
    setup = Setup(
        X, Y, loss="binary_log_loss", max_iter=40, n_iter_no_change=2, tol=1e-3
    )
    rng = np.random.default_rng(3)
    specs, singles = [], []
    for k, rows in enumerate(folds()):
        held_out = np.setdiff1d(np.arange(N_SAMPLES), rows)
        sw_val = rng.exponential(size=len(held_out)) if weighted else None

        def accuracy(pred, Y_val=Y[held_out]):
            return float(np.mean((pred > 0.5) == Y_val))

        net, gen = setup.start(k)
        specs.append(
            ModelSpec(
                rows=rows,
                rng=gen,
                theta=net.theta.copy(),
                penalty="l2",
                alpha=1.0,
                validation_rows=held_out,
                validation_score=accuracy,
                validation_loss=True,
                validation_sample_weight=sw_val,
            )
        )
        net, gen = setup.start(k)
        run = StochasticRun(
            net, Adam([net.theta], 0.01), make_penalty("l2", 1.0 / len(rows)), gen, 32
        )

        def network_score(network, X_val=X[held_out], score=accuracy):
            pred = network.predict(X_val, chunk_size=4096)
            return score(pred) if np.isfinite(pred).all() else np.nan

        monitor = ValidationMonitor(
            network_score, 1e-3, loss=held_out_loss(X[held_out], Y[held_out], sw_val)
        )
        result = train_epochs(
            run,
            X[rows],
            Y[rows],
            None,
            max_iter=40,
            monitor=monitor,
            n_iter_no_change=2,
        )
        singles.append((result, monitor))
    outcomes = train_batched(
        setup.network(),
        X,
        Y,
        specs,
        optimizer=ADAM,
        max_iter=40,
        tol=1e-3,
        n_iter_no_change=2,
        batch_size=32,
    )
    for outcome, (result, monitor) in zip(outcomes, singles):
        assert outcome.n_epochs == result.n_epochs
        assert outcome.best_epoch == monitor.best_epoch
        assert [r.validation_score for r in outcome.records] == [
            r.validation_score for r in result.records
        ]
        np.testing.assert_array_equal(
            outcome.state["theta"], monitor.best_state["theta"]
        )


def test_loss_monitor_and_adaptive_schedule():
    """The training-loss rule stops models at different epochs; SGD's
    'adaptive' schedule divides each model's own learning rate."""
    X, Y = make_data()
    for optimizer in (ADAM, SGDSettings(0.05, "adaptive", 0.9, True)):
        setup = Setup(
            X, Y, max_iter=60, tol=0.05, n_iter_no_change=2, optimizer=optimizer
        )
        cases = fold_penalty_cases()
        outcomes = batched_fit(setup, cases)
        assert_same(setup, cases, outcomes)
        assert len({o.n_epochs for o in outcomes}) > 1
        if optimizer is not ADAM:
            assert any("Setting learning rate" in o.message for o in outcomes) or any(
                "too small" in o.message for o in outcomes
            )


def test_no_shuffle_and_small_models():
    """``shuffle=False``, ``batch_size='auto'`` and models smaller than a
    batch (one step per epoch) next to larger ones."""
    X, Y = make_data()
    setup = Setup(
        X,
        Y,
        shuffle=False,
        batch_size="auto",
        layers={"batch_norm": True, "dropout": 0.2},
    )
    sizes = [150, 149, 41, 3, 2]
    cases = [Case(np.arange(n), seed=n, penalty="l1", alpha=0.5) for n in sizes]
    assert_same(setup, cases, batched_fit(setup, cases))


def test_singleton_last_batch_is_merged_with_batch_norm():
    X, Y = make_data()
    setup = Setup(X, Y, batch_size=10, layers={"batch_norm": True})
    cases = [Case(np.arange(n), seed=n) for n in (21, 31, 30)]
    assert_same(setup, cases, batched_fit(setup, cases))


def test_chunking_does_not_change_results():
    X, Y = make_data()
    setup = Setup(X, Y, layers=ARCHITECTURES["all"], max_iter=4)
    cases = fold_penalty_cases()
    whole = batched_fit(setup, cases)
    budget = stack_bytes(setup.network(), 4, 32, N_SAMPLES)
    assert models_per_chunk(setup.network(), 32, N_SAMPLES, budget) == 4
    chunked = batched_fit(setup, cases, memory_budget=budget)
    for a, b in zip(whole, chunked):
        for key in a.state:
            np.testing.assert_array_equal(a.state[key], b.state[key])
        assert [r.loss for r in a.records] == [r.loss for r in b.records]


def test_stopped_model_stops_changing():
    """A model that stops keeps the weights of its stopping epoch while the
    others train on; its final state is what a run of that many epochs gives."""
    X, Y = make_data()
    setup = Setup(X, Y, max_iter=60, tol=0.05, n_iter_no_change=2)
    cases = fold_penalty_cases()
    outcomes = batched_fit(setup, cases)
    first = min(range(len(cases)), key=lambda i: outcomes[i].n_epochs)
    n_stop = outcomes[first].n_epochs
    assert n_stop < max(o.n_epochs for o in outcomes)
    short = Setup(X, Y, max_iter=n_stop, tol=0.05, n_iter_no_change=2)
    (alone,) = batched_fit(short, [cases[first]])
    np.testing.assert_array_equal(
        outcomes[first].final_state["theta"], alone.final_state["theta"]
    )


def test_divergence_is_reported_per_model():
    """Models blow up (or not) exactly as they do alone, with the reason."""
    X, Y = make_data()
    X = X * np.array([1, 1, 1, 30, 1, 1])
    setup = Setup(X, Y, max_iter=8, optimizer=SGDSettings(0.02, "constant", 0.9))
    cases = [
        Case(rows, seed=k, alpha=a)
        for k, rows in enumerate(folds(2))
        for a in (0.0, 100.0)
    ]
    outcomes = batched_fit(setup, cases)
    assert_same(setup, cases, outcomes)
    for case, outcome in zip(cases, outcomes):
        _, result, _ = single_fit(setup, case)
        assert outcome.reason == result.reason
    assert any(o.status == "diverged" for o in outcomes)


def test_predict_batched_equals_single_predict():
    X, Y = make_data(n_outputs=2)
    setup = Setup(X, Y, layers={"batch_norm": True, "dropout": 0.2})
    cases = fold_penalty_cases()
    outcomes = batched_fit(setup, cases)
    states = [o.state for o in outcomes]
    shared = predict_batched(setup.network(), states, X)
    held_out = [np.setdiff1d(np.arange(N_SAMPLES), c.rows) for c in cases]
    own = predict_batched(setup.network(), states, X, held_out)
    csr = predict_batched(setup.network(), states, sp.csr_matrix(X))
    assert shared.shape == (len(cases), N_SAMPLES, 2)
    for m, state in enumerate(states):
        net = setup.network()
        net.load_state(state)
        np.testing.assert_array_equal(shared[m], net.predict(X))
        np.testing.assert_array_equal(own[m], net.predict(X[held_out[m]]))
        np.testing.assert_allclose(csr[m], shared[m], rtol=1e-12, atol=1e-12)


# -- skip connection ---------------------------------------------------------
def with_skip(layers: dict) -> dict:
    return {**layers, "skip_connection": True}


def skip_block(setup: Setup, theta: np.ndarray) -> np.ndarray:
    """The skip weights ``(n_features, n_outputs)`` in a flat ``theta``."""
    net = setup.network()
    size = net.dense[0].W.size
    return theta[size : size + net.skip.W.size].reshape(net.skip.W.shape)


@pytest.mark.parametrize("own_seeds", [False, True], ids=["twins", "own-seeds"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_skip_connection_bit_identical(optimizer, architecture, own_seeds):
    """Every penalty on networks with a skip connection (the group lasso's
    groups joint over first-layer and skip rows), every layer and optimizer."""
    X, Y = make_data()
    layers = with_skip(ARCHITECTURES[architecture])
    setup = Setup(X, Y, layers=layers, optimizer=OPTIMIZERS[optimizer])
    assert setup.network().skip is not None
    cases = fold_penalty_cases(own_seeds=own_seeds)
    outcomes = batched_fit(setup, cases)
    assert_same(setup, cases, outcomes)
    # The skip weights start at 0 and were trained.
    assert all(skip_block(setup, o.state["theta"]).any() for o in outcomes)


@pytest.mark.parametrize("optimizer", ["adam", "sgd-momentum-constant"])
def test_skip_group_lasso_zeroes_joint_groups(optimizer):
    """A strong group lasso zeroes inputs in both blocks at once, model by
    model as alone (Adam's step: the harmonic mean over the joint row)."""
    X, Y = make_data(n_outputs=2)
    setup = Setup(
        X, Y, layers=with_skip({}), optimizer=OPTIMIZERS[optimizer], max_iter=15
    )
    cases = [
        Case(rows, seed=k, penalty="group_lasso", alpha=alpha)
        for k, rows in enumerate(folds(2))
        for alpha in (20.0, 60.0, 150.0)
    ]
    outcomes = batched_fit(setup, cases)
    assert_same(setup, cases, outcomes)
    n_first = setup.network().dense[0].W.shape
    n_zero = 0
    for outcome in outcomes:
        theta = outcome.state["theta"]
        first = theta[: np.prod(n_first)].reshape(n_first)
        skip = skip_block(setup, theta)
        zero = ~first.any(axis=1)
        np.testing.assert_array_equal(zero, ~skip.any(axis=1))
        n_zero += int(zero.sum())
    assert 0 < n_zero < len(outcomes) * N_FEATURES


@pytest.mark.parametrize("skip", [False, True], ids=["no-skip", "skip"])
@pytest.mark.parametrize(
    "loss, activation, n_outputs",
    [
        ("squared_error", "tanh", 2),
        ("poisson", "logistic", 1),
        ("binary_log_loss", "identity", 2),
        ("log_loss", "relu", 3),
    ],
)
def test_losses_and_activations_bit_identical(loss, activation, n_outputs, skip):
    X, Y = make_data(loss, n_outputs)
    layers = {"dropout": 0.1, "batch_norm": True}
    setup = Setup(
        X,
        Y,
        activation=activation,
        loss=loss,
        layers=with_skip(layers) if skip else layers,
    )
    cases = fold_penalty_cases(2)
    assert_same(setup, cases, batched_fit(setup, cases))


@pytest.mark.parametrize("skip", [False, True], ids=["no-skip", "skip"])
def test_float32_bit_identical(skip):
    X, Y = make_data()
    layers = ARCHITECTURES["all"]
    setup = Setup(
        X.astype(np.float32),
        Y.astype(np.float32),
        dtype=np.float32,
        layers=with_skip(layers) if skip else layers,
    )
    cases = fold_penalty_cases()
    outcomes = batched_fit(setup, cases)
    assert outcomes[0].state["theta"].dtype == np.float32
    assert_same(setup, cases, outcomes)


@pytest.mark.parametrize(
    "layers",
    [
        {},
        {"input_noise": 0.2, "dropout": 0.1},
        with_skip({}),
        with_skip({"input_noise": 0.2}),
    ],
    ids=["plain", "noise-dropout", "skip", "skip-noise"],
)
def test_sparse_csr_input(layers):
    X, Y = make_data()
    X[np.abs(X) < 0.8] = 0.0
    setup = Setup(sp.csr_matrix(X), Y, layers=layers)
    cases = fold_penalty_cases(2)
    assert_same(setup, cases, batched_fit(setup, cases))


def test_skip_early_stopping_and_predictions():
    """Validation scores (stacked predictions through the skip) and
    ``predict_batched`` equal the single network's."""
    X, Y = make_data(n_outputs=2)
    setup = Setup(
        X, Y, layers=with_skip({"batch_norm": True}), max_iter=30, n_iter_no_change=2
    )
    cases = []
    for k, rows in enumerate(folds()):
        held_out = np.setdiff1d(np.arange(N_SAMPLES), rows)
        for penalty, alpha in (("l2", 1.0), ("group_lasso", 5.0)):
            cases.append(Case(rows, k, penalty, alpha, validation_rows=held_out))
    outcomes = batched_fit(setup, cases)
    assert_same(setup, cases, outcomes)
    states = [o.state for o in outcomes]
    shared = predict_batched(setup.network(), states, X)
    csr = predict_batched(setup.network(), states, sp.csr_matrix(X))
    for m, state in enumerate(states):
        net = setup.network()
        net.load_state(state)
        np.testing.assert_array_equal(shared[m], net.predict(X))
        np.testing.assert_allclose(csr[m], shared[m], rtol=1e-12, atol=1e-12)


# -- frozen inputs (relaxed refits) ------------------------------------------
KEEP_MASKS = [
    None,
    np.array([True, False, True, True, False, True]),
    np.arange(N_FEATURES) != 0,
    np.zeros(N_FEATURES, dtype=bool),
    np.arange(N_FEATURES) < 2,
]


@pytest.mark.parametrize("skip", [False, True], ids=["no-skip", "skip"])
@pytest.mark.parametrize(
    "optimizer", ["adam", "sgd-nesterov-invscaling", "sgd-momentum-constant"]
)
def test_frozen_inputs_per_model_bit_identical(optimizer, skip):
    """Mixed keep masks (and None) in one stack, within twin runs too, every
    penalty: each model equals its single loop with ``FrozenInputs``."""
    X, Y = make_data()
    layers = {"dropout": 0.1, "input_noise": 0.1}
    setup = Setup(
        X,
        Y,
        layers=with_skip(layers) if skip else layers,
        optimizer=OPTIMIZERS[optimizer],
    )
    cases = fold_penalty_cases()
    for i, case in enumerate(cases):  # 5 penalties, masks shifted per fold
        case.keep = KEEP_MASKS[(i + i // len(PENALTIES)) % len(KEEP_MASKS)]
    outcomes = batched_fit(setup, cases)
    assert_same(setup, cases, outcomes)
    # Frozen rows get no gradient; a proximal step (non-smooth penalties
    # only, as in the single loop) then sets them to 0.
    shape = setup.network().dense[0].W.shape
    for case, outcome in zip(cases, outcomes):
        if case.keep is None:
            continue
        blocks = [np.reshape(outcome.state["theta"][: np.prod(shape)], shape)]
        start = [np.reshape(spec_for(setup, case).theta[: np.prod(shape)], shape)]
        if skip:
            blocks.append(skip_block(setup, outcome.state["theta"]))
            start.append(np.zeros_like(blocks[-1]))
        smooth = make_penalty(case.penalty, case.alpha, case.l1_ratio, shape).smooth
        for block, initial in zip(blocks, start):
            frozen = block[~case.keep]
            if smooth:
                np.testing.assert_array_equal(frozen, initial[~case.keep])
            else:
                assert not frozen.any()


def test_bad_keep_inputs_are_refused():
    X, Y = make_data()
    setup = Setup(X, Y)
    net, rng = setup.start(0)
    spec = ModelSpec(
        rows=np.arange(20),
        rng=rng,
        theta=net.theta.copy(),
        penalty="l1",
        alpha=1.0,
        keep_inputs=np.ones(N_FEATURES + 1, dtype=bool),
    )
    with pytest.raises(ValueError, match="keep_inputs"):
        train_batched(setup.network(), X, Y, [spec], optimizer=ADAM, max_iter=1)


# -- estimators: fit_many, refit_relaxed_many, CV paths ------------------------
ESTIMATOR = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=25)


def estimator_data(kind: str):
    X, Y = make_data()
    y = Y[:, 0] if kind == "regressor" else (Y[:, 0] > 0).astype(int)
    return X, y


def make_estimator(kind: str, **params):
    from skreg import MLPClassifier, MLPRegressor

    cls = MLPRegressor if kind == "regressor" else MLPClassifier
    return cls(**{**ESTIMATOR, **params})


def assert_same_estimator(batched, single):
    for name in ("coefs_", "intercepts_"):
        for a, b in zip(getattr(batched, name), getattr(single, name)):
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert hasattr(batched, "skip_coef_") == hasattr(single, "skip_coef_")
    if hasattr(single, "skip_coef_"):
        np.testing.assert_array_equal(batched.skip_coef_, single.skip_coef_)
    assert batched.loss_curve_ == single.loss_curve_
    assert batched.n_iter_ == single.n_iter_
    np.testing.assert_array_equal(
        batched.feature_importances_, single.feature_importances_
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
@pytest.mark.parametrize(
    "params",
    [
        {"skip_connection": True, "penalty": "group_lasso"},
        {"skip_connection": True, "penalty": "l1", "early_stopping": True},
        {"skip_connection": True, "penalty": "group_lasso", "relax": 0.3},
        {"penalty": "l1", "relax": 0.0, "solver": "sgd", "learning_rate_init": 0.05},
    ],
    ids=["skip-group-lasso", "skip-early-stopping", "skip-relax", "relax-sgd"],
)
def test_fit_many_with_skip_and_relax_equals_fit(kind, params):
    """``fit_many`` (skip networks, relaxed refits as a second batch) gives
    each estimator exactly what its own ``fit`` gives."""
    from skreg._mlp.batching import fit_many

    X, y = estimator_data(kind)
    alphas, rows = [2.0, 20.0, 60.0], folds(2)
    points = [(a, r) for r in rows for a in alphas]
    estimators = [
        make_estimator(kind, alpha=a, random_state=0, **params) for a, _ in points
    ]
    fit_many(estimators, X, y, None, [r for _, r in points])
    for est, (alpha, r) in zip(estimators, points):
        single = make_estimator(kind, alpha=alpha, random_state=0, **params)
        assert_same_estimator(est, single.fit(X[r], y[r]))
    if params.get("relax") is not None:  # the refit happened
        plain = {**params, "relax": None}
        unrelaxed = make_estimator(kind, alpha=alphas[-1], random_state=0, **plain)
        unrelaxed.fit(X[rows[-1]], y[rows[-1]])
        assert estimators[-1].n_iter_ > unrelaxed.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("skip", [False, True], ids=["no-skip", "skip"])
def test_refit_relaxed_many_equals_refit_relaxed(skip):
    """One relax value per estimator (1.0: left as it is), each refit equal
    to ``_refit_relaxed`` on a copy of the same fitted estimator."""
    import copy

    from skreg._mlp.batching import fit_many, refit_relaxed_many

    X, y = estimator_data("regressor")
    params = dict(penalty="group_lasso", skip_connection=skip, random_state=0)
    rows = folds(2)
    points = [(a, r) for r in rows for a in (5.0, 40.0)]
    fitted = fit_many(
        [make_estimator("regressor", alpha=a, **params) for a, _ in points],
        X,
        y,
        None,
        [r for _, r in points],
    )
    assert any(0 < est.n_features_selected_ < N_FEATURES for est in fitted)
    relax = [0.0, 0.5, 1.0, 0.3]
    sequential = [
        copy.deepcopy(est)._refit_relaxed(X[r], y[r], None, g)
        for est, (_, r), g in zip(fitted, points, relax)
    ]
    batched = refit_relaxed_many(
        [copy.deepcopy(est) for est in fitted],
        X,
        y,
        None,
        [r for _, r in points],
        relax,
    )
    for a, b, est, gamma in zip(batched, sequential, fitted, relax):
        assert_same_estimator(a, b)
        dropped = est.feature_importances_ == 0
        assert not a.feature_importances_[dropped].any()
        if gamma == 1.0:
            assert_same_estimator(a, est)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "penalty, sparse_path",
    [("group_lasso", "cold"), ("group_lasso", "dense_to_sparse"), ("l2", "cold")],
    ids=["cold", "dense_to_sparse", "warm"],
)
def test_cv_relaxed_paths_batched_equal_sequential(penalty, sparse_path, monkeypatch):
    """MLPRegressorCV with ``relax`` and a skip connection: the batched paths
    (points and relaxed refits in batches) score exactly as the sequential
    paths (``fit_fold_path``, one fit and refit at a time), for either order
    of a sparse penalty's path (``SPARSE_NETWORK_PATH``) and for L2."""
    import skreg._cv.base as cv_base
    import skreg._cv.path as cv_path
    import skreg._mlp.batching as batching
    from skreg import MLPRegressorCV

    monkeypatch.setattr(cv_path, "SPARSE_NETWORK_PATH", sparse_path)

    X, y = estimator_data("regressor")
    batch_sizes = []

    def counting(template, X, Y, models, **kwargs):
        batch_sizes.append(len(models))
        return train_batched(template, X, Y, models, **kwargs)

    monkeypatch.setattr(batching, "train_batched", counting)

    def search(batched: bool):
        can_batch = cv_base.can_batch if batched else (lambda template: False)
        monkeypatch.setattr(cv_base, "can_batch", can_batch)
        est = MLPRegressorCV(
            penalty=penalty,
            alphas=4,
            cv=3,
            relax=[0.0, 0.4, 1.0],
            skip_connection=True,
            adaptive=False,  # one search: its batches are counted below
            random_state=0,
            **ESTIMATOR,
        )
        return est.fit(X, y)

    batched, sequential = search(True), search(False)
    # 3 folds x 4 alphas, up to 2 relaxed refits each: relax 0.4 only where
    # the point dropped an input (path.skips_relaxation), relax 0 at every
    # point of a cold path and, along a warm one (L2, and the sparse
    # penalty's dense-to-sparse order), once per set of inputs (shared with
    # the path's earlier point of the same inputs; L2 keeps every input:
    # one per path). Cold paths: all points in one batch, all refits in
    # another; warm paths: one of each per alpha (none without refits).
    points = batched.support_path_[2]  # relax=1: (alpha, fold, feature)
    weaker = int((~points.all(axis=-1)).sum())
    cold = penalty == "group_lasso" and sparse_path == "cold"
    if cold:
        assert batch_sizes == [12, 12 + weaker]
    else:
        supports = [{points[k, f].tobytes() for k in range(4)} for f in range(3)]
        unpenalized = sum(len(s) for s in supports)
        assert sum(batch_sizes) == 12 + unpenalized + weaker
        assert all(size <= 6 for size in batch_sizes)
        if penalty == "l2":
            assert weaker == 0 and batch_sizes == [3, 3, 3, 3, 3]
    assert 0 < weaker < 12 or penalty == "l2"
    for name in (
        "cv_scores_",
        "n_iter_path_",
        "n_features_selected_path_",
        "support_path_",
    ):
        np.testing.assert_array_equal(getattr(batched, name), getattr(sequential, name))
    assert batched.cv_scores_.shape == (3, 4, 3)  # (relax, alpha, fold)
    assert_same_estimator(batched.estimator_, sequential.estimator_)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"rows": np.array([0, N_SAMPLES])}, "index"),
        ({"rows": np.array([], dtype=int)}, "non-empty"),
        ({"theta": np.zeros(3)}, "theta"),
        ({"sample_weight": np.ones(2)}, "aligned"),
        ({"validation_rows": np.arange(5)}, "go together"),
    ],
)
def test_bad_specs_are_refused(change, message):
    X, Y = make_data()
    setup = Setup(X, Y)
    net, rng = setup.start(0)
    fields = {
        "rows": np.arange(20),
        "rng": rng,
        "theta": net.theta.copy(),
        "penalty": "l2",
        "alpha": 1.0,
        **change,
    }
    with pytest.raises(ValueError, match=message):
        train_batched(
            setup.network(), X, Y, [ModelSpec(**fields)], optimizer=ADAM, max_iter=1
        )


def test_benchmark_runs_and_matches(capsys):
    """benchmarks/bench_batched.py: a one-epoch run prints its table, and
    the batched weights equal the sequential ones."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_batched.py"
    spec = importlib.util.spec_from_file_location("skreg_bench_batched", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses resolve annotations through it
    try:
        spec.loader.exec_module(bench)
        code = bench.main(["--cases", "cv-small", "--epochs", "1", "--repeats", "1"])
    finally:
        del sys.modules[spec.name]
    out = capsys.readouterr().out
    assert code == 0
    row = out.split(bench.TABLE_HEADER, 1)[1].splitlines()[1].split()
    assert row[:2] == ["cv-small", "50"]
    assert float(row[-1]) == 0.0  # max |dtheta|: bit-identical
