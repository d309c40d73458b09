"""Conventions of scikit-learn's estimators that the CV estimators and the
ensembles keep: tags, feature names of the fitted models, routing, hints."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags

from skreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)

_SKLEARN = tuple(int(v) for v in sklearn.__version__.split(".")[:2])


# -- tags ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "estimator",
    [MLPClassifier(), MLPClassifierCV(), MLPEnsembleClassifier()],
    ids=lambda e: type(e).__name__,
)
def test_classifiers_that_fit_multilabel_targets_say_so(estimator):
    assert get_tags(estimator).classifier_tags.multi_label


def test_an_ensemble_is_multilabel_when_its_members_are():
    ensemble = MLPEnsembleClassifier(LogisticRegression())
    assert not get_tags(ensemble).classifier_tags.multi_label


def test_multilabel_targets_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    for est in (
        MLPClassifierCV(hidden_layer_sizes=(8,), max_iter=30, alphas=2, cv=2),
        MLPEnsembleClassifier(MLPClassifier((8,), max_iter=30), n_estimators=2),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, Y)
        assert est.predict(X).shape == Y.shape


# -- feature names -------------------------------------------------------------------
@pytest.mark.parametrize(
    "estimator",
    [
        MLPRegressorCV(hidden_layer_sizes=(4,), max_iter=20, alphas=2, cv=2),
        MLPEnsembleRegressor(
            MLPRegressor(hidden_layer_sizes=(4,), max_iter=20), n_estimators=2
        ),
    ],
    ids=lambda e: type(e).__name__,
)
def test_fitted_models_know_the_feature_names(estimator):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = X["a"] - X["b"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    models = getattr(estimator, "estimators_", None) or [estimator.estimator_]
    for model in models:
        assert list(model.feature_names_in_) == ["a", "b", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        estimator.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        estimator.predict(X[["b", "a", "c"]])


# -- hints on common mistakes ----------------------------------------------------------
@pytest.mark.parametrize("cls", [MLPRegressorCV, MLPClassifierCV])
def test_alpha_for_a_cv_estimator_points_to_alphas(cls):
    with pytest.raises(TypeError, match=r"alphas=\[\.\.\.\]"):
        cls(alpha=0.1)


@pytest.mark.parametrize(
    "est, classifier",
    [
        (MLPRegressor(max_iter=5), "MLPClassifier"),
        (MLPRegressorCV(max_iter=5, alphas=2, cv=2), "MLPClassifierCV"),
        (MLPEnsembleRegressor(n_estimators=2), "MLPEnsembleClassifier"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_string_targets_for_a_regressor_point_to_the_classifier(est, classifier):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match=f"For class labels use {classifier}"):
        est.fit(X, np.array(["a", "b"] * 10))


@pytest.mark.parametrize(
    "params, hint",
    [
        ({"penalty": "L1"}, "penalty='l1'"),
        ({"solver": "Adam"}, "solver='adam'"),
        ({"penalty": "elastic-net"}, None),  # not only case or '-': no guess
        ({"penalty": "group-lasso"}, "penalty='group_lasso'"),
    ],
)
@pytest.mark.parametrize("cls", [MLPRegressor, MLPRegressorCV])
def test_a_misspelt_option_gets_a_suggestion(cls, params, hint):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="parameter of") as info:
        cls(**params).fit(X, X[:, 0])
    if hint is None:
        assert "Did you mean" not in str(info.value)
    else:
        assert str(info.value).endswith(f"Did you mean {hint}?")


# -- progress: verbose keeps scikit-learn's meaning, the bar has its own switch ---
class _FakeBar:
    """What skreg uses of tqdm's bar; remembers every bar made."""

    made: list = []

    def __init__(self, total, unit, leave):
        self.total, self.unit, self.n, self.written = total, unit, 0, []
        _FakeBar.made.append(self)

    def update(self, n=1):
        self.n += n

    def set_postfix(self, postfix, refresh=True):
        pass

    def write(self, text):
        self.written.append(text)

    def close(self):
        pass


@pytest.fixture
def fake_tqdm(monkeypatch):
    import sys
    import types

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = _FakeBar
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    _FakeBar.made = []
    return _FakeBar


def _regression(n=60):
    X = np.random.default_rng(0).normal(size=(n, 3))
    return X, X[:, 0] - X[:, 1]


def _fit_quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("verbose", [1, 2, 10])
def test_any_verbose_prints_lines_on_stdout_even_with_tqdm(verbose, fake_tqdm, capsys):
    X, y = _regression()
    _fit_quietly(MLPRegressor(max_iter=3, verbose=verbose), X, y)
    out = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in out] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
    ]
    assert fake_tqdm.made == []


def test_progress_bar_counts_the_epochs(fake_tqdm, capsys):
    X, y = _regression()
    _fit_quietly(MLPRegressor(max_iter=4, progress_bar=True), X, y)
    (bar,) = fake_tqdm.made
    assert (bar.total, bar.unit, bar.n) == (4, "epoch", 4)
    assert bar.written == [] and capsys.readouterr().out == ""


def test_progress_bar_with_verbose_writes_the_lines_through_the_bar(fake_tqdm):
    X, y = _regression()
    _fit_quietly(MLPRegressor(max_iter=2, progress_bar=True, verbose=1), X, y)
    (bar,) = fake_tqdm.made
    assert [line.split(",")[0] for line in bar.written] == [
        "Iteration 1",
        "Iteration 2",
    ]


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_cv_estimator_counts_its_paths(fake_tqdm, solver):
    X, y = _regression()
    est = MLPRegressorCV(
        solver=solver, max_iter=3, alphas=2, cv=3, progress_bar=True, adaptive=False
    )
    _fit_quietly(est, X, y)
    (bar,) = fake_tqdm.made  # one bar: the folds' fits show none
    assert (bar.total, bar.unit, bar.n) == (3, "path", 3)


def test_an_adaptive_cv_estimator_shows_one_bar_per_search(fake_tqdm):
    X, y = _regression()
    est = MLPRegressorCV(max_iter=20, alphas=3, cv=3, progress_bar=True)
    _fit_quietly(est, X, y)
    assert est.input_scale_ is not None  # the second search ran
    assert [(b.total, b.unit, b.n) for b in fake_tqdm.made] == [(3, "path", 3)] * 2


def test_an_ensemble_counts_its_members(fake_tqdm):
    X, y = _regression()
    member = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3)
    _fit_quietly(MLPEnsembleRegressor(member, n_estimators=3, progress_bar=True), X, y)
    (bar,) = fake_tqdm.made
    assert (bar.total, bar.unit, bar.n) == (3, "member", 3)


def test_progress_bar_without_tqdm_warns(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = _regression()
    with pytest.warns(UserWarning, match="progress_bar=True needs tqdm"):
        _fit_quietly(MLPRegressor(max_iter=2, progress_bar=True), X, y)


# -- class_weight ---------------------------------------------------------------------
def _standardized(load):
    from sklearn.preprocessing import StandardScaler

    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("dataset", ["binary", "multiclass"])
@pytest.mark.parametrize("class_weight", ["balanced", "dict"])
@pytest.mark.parametrize("weighted", [False, True])
def test_class_weight_matches_logistic_regression(dataset, class_weight, weighted):
    """No hidden layer, L2, lbfgs to convergence: LogisticRegression(C=1/alpha)
    with the same class_weight (and sample weights)."""
    if weighted and class_weight == "balanced" and _SKLEARN < (1, 7):
        pytest.skip(
            "before scikit-learn 1.7 LogisticRegression's 'balanced' weights "
            "ignore sample_weight (skreg's follow 1.7's weighted definition)"
        )
    from sklearn.datasets import load_breast_cancer, load_iris

    X, y = _standardized(load_breast_cancer if dataset == "binary" else load_iris)
    if class_weight == "dict":
        class_weight = {0: 3.0, 1: 0.5}  # class 2 of iris keeps weight 1
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    alpha = 2.0
    ref = LogisticRegression(C=1 / alpha, class_weight=class_weight, tol=1e-10)
    ref.set_params(max_iter=10_000).fit(X, y, sample_weight=sw)
    est = MLPClassifier(
        hidden_layer_sizes=(),
        solver="lbfgs",
        alpha=alpha,
        class_weight=class_weight,
        tol=1e-10,
        max_iter=10_000,
    ).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(est.predict_proba(X), ref.predict_proba(X), atol=1e-5)


def test_class_weight_changes_the_fit_of_every_solver():
    X, y = _regression(120)
    y = (y > 1).astype(int)  # imbalanced
    for solver in ("adam", "sgd", "lbfgs"):
        params = {"hidden_layer_sizes": (4,), "solver": solver, "max_iter": 30}
        plain = _fit_quietly(MLPClassifier(random_state=0, **params), X, y)
        weighted = _fit_quietly(
            MLPClassifier(random_state=0, class_weight="balanced", **params), X, y
        )
        assert not np.allclose(plain.coefs_[0], weighted.coefs_[0]), solver


def test_class_weight_refusals():
    X, y = _regression()
    labels = (y > 0).astype(int)
    est = MLPClassifier(class_weight="balanced", max_iter=2)
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        est.partial_fit(X, labels, classes=[0, 1])
    Y = np.column_stack([labels, 1 - labels])
    with pytest.raises(ValueError, match="multilabel"):
        MLPClassifier(class_weight={0: 2.0}, max_iter=2).fit(X, Y)
    est = MLPClassifier(class_weight={0: 2.0, 1: 1.0}, max_iter=2)
    _fit_quietly(est, X, labels)  # a dict works, fit and partial_fit
    est.partial_fit(X, labels)


def test_the_cv_classifier_forwards_class_weight():
    X, y = _regression(120)
    y = (y > 1).astype(int)
    est = MLPClassifierCV(
        hidden_layer_sizes=(), solver="lbfgs", alphas=2, cv=2, class_weight="balanced"
    ).fit(X, y)
    assert est.estimator_.class_weight == "balanced"


# -- metadata routing of the CV estimators ----------------------------------------
def _routing_data():
    X, y = _regression(60)
    groups = np.repeat(np.arange(6), 10)
    sample_weight = np.random.default_rng(1).uniform(0.5, 2.0, 60)
    return X, y, groups, sample_weight


def _cv_regressor(**params):
    return MLPRegressorCV(hidden_layer_sizes=(), solver="lbfgs", alphas=2, **params)


def test_the_cv_estimators_are_metadata_routers():
    from sklearn.utils.metadata_routing import MetadataRouter

    for est in (_cv_regressor(), MLPClassifierCV()):
        routing = est.get_metadata_routing()
        assert isinstance(routing, MetadataRouter)
        assert {"splitter", "scorer"} <= set(routing._route_mappings)


def test_routing_sends_only_requested_metadata_to_the_scorer():
    """A metric without sample_weight works once routing is enabled (without
    routing every weighted fit passes sample_weight to the scorer, as in
    LogisticRegressionCV)."""
    from sklearn import config_context
    from sklearn.metrics import make_scorer, mean_absolute_error
    from sklearn.model_selection import GroupKFold

    X, y, groups, sw = _routing_data()
    seen = []

    def unweighted(y_true, y_pred):
        seen.append(len(y_true))
        return -mean_absolute_error(y_true, y_pred)

    est = _cv_regressor(cv=GroupKFold(3), scoring=make_scorer(unweighted))
    with pytest.raises(TypeError, match="sample_weight"):
        est.fit(X, y, sample_weight=sw, groups=groups)
    with config_context(enable_metadata_routing=True):
        est.fit(X, y, sample_weight=sw, groups=groups)
    assert seen and set(seen) == {20}  # held-out folds of 2 of the 6 groups


def test_routing_passes_requested_weights_to_the_scorer_by_fold():
    from sklearn import config_context
    from sklearn.metrics import make_scorer

    X, y, _, sw = _routing_data()
    weights_seen = []

    def weighted(y_true, y_pred, sample_weight=None):
        weights_seen.append(sample_weight)
        return 0.0

    with config_context(enable_metadata_routing=True):
        scorer = make_scorer(weighted).set_score_request(sample_weight=True)
        _cv_regressor(cv=3, scoring=scorer, relax=None, adaptive=False).fit(
            X, y, sample_weight=sw
        )
    assert len(weights_seen) == 6  # 3 folds x 2 alphas (one search)
    assert all(w is not None and len(w) == 20 for w in weights_seen)
    assert np.allclose(np.sort(np.concatenate(weights_seen[::2])), np.sort(sw))


def test_groups_reach_the_splitter_with_and_without_routing():
    from sklearn import config_context
    from sklearn.model_selection import GroupKFold

    X, y, groups, _ = _routing_data()
    est = _cv_regressor(cv=GroupKFold(3))
    est.fit(X, y, groups=groups)
    with config_context(enable_metadata_routing=True):
        est.fit(X, y, groups=groups)


def test_metadata_without_routing_is_refused():
    X, y, groups, _ = _routing_data()
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        _cv_regressor(cv=3).fit(X, y, extra=groups)
