"""Tests of skreg.plotting: the drawn artists hold the estimators' numbers."""

import copy
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPClassifier, MLPClassifierCV, MLPRegressor, MLPRegressorCV


def test_import_skreg_does_not_import_matplotlib():
    code = (
        "import sys, skreg, skreg.plotting\n"
        "assert 'matplotlib' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skreg.plotting import (  # noqa: E402
    LossCurveDisplay,
    RegularizationPathDisplay,
    WeightDistributionDisplay,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def regression_data(make_regression_data):
    return make_regression_data(150, 8, n_informative=3, noise=5.0, bias=0.0)


@pytest.fixture(scope="module")
def early_stopped(regression_data):
    X, y = regression_data
    return MLPRegressor(
        hidden_layer_sizes=(32,),
        early_stopping=True,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)


@pytest.fixture(scope="module")
def path_cv(regression_data):
    X, y = regression_data
    return MLPRegressorCV(
        hidden_layer_sizes=(), penalty="l1", solver="lbfgs", alphas=6, cv=3, relax=None
    ).fit(X, y)


# -- LossCurveDisplay ------------------------------------------------------------
def test_loss_curve_lines_are_the_estimators_curves(early_stopped):
    est = early_stopped
    disp = LossCurveDisplay.from_estimator(est)
    n = len(est.loss_curve_)
    np.testing.assert_array_equal(disp.loss_line_.get_xdata(), np.arange(1, n + 1))
    np.testing.assert_array_equal(disp.loss_line_.get_ydata(), est.loss_curve_)
    np.testing.assert_array_equal(
        disp.validation_line_.get_ydata(), est.validation_scores_
    )
    best_epoch = int(np.argmax(est.validation_scores_)) + 1
    assert disp.best_epoch == best_epoch
    assert est.validation_scores_[best_epoch - 1] == est.best_validation_score_
    assert disp.best_epoch_line_.get_xdata()[0] == best_epoch
    assert disp.stop_line_.get_xdata()[0] == est.n_iter_ == n
    assert disp.best_epoch < disp.stopped_epoch  # it did stop early
    assert disp.validation_line_.axes is disp.ax2_
    assert disp.loss_line_.axes is disp.ax_
    assert disp.figure_ is disp.ax_.figure
    assert disp.ax2_.get_ylabel() == "validation R$^2$"
    legend = disp.ax_.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert f"best epoch {best_epoch} (weights restored)" in texts
    assert f"stopped (epoch {n})" in texts


def test_loss_curve_draws_on_the_given_axes(early_stopped):
    fig, ax = plt.subplots()
    disp = LossCurveDisplay.from_estimator(early_stopped, ax=ax)
    assert disp.ax_ is ax and disp.figure_ is fig


def test_loss_curve_without_early_stopping_has_no_twin_axis(regression_data):
    X, y = regression_data
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0)
    with pytest.warns(Warning):  # ConvergenceWarning at max_iter
        est.fit(X, y > 0)
    disp = LossCurveDisplay.from_estimator(est)
    assert disp.ax2_ is None and disp.validation_line_ is None
    assert disp.best_epoch_line_ is None
    np.testing.assert_array_equal(disp.loss_line_.get_ydata(), est.loss_curve_)


def test_loss_curve_classifier_score_name():
    X, y = make_classification(n_samples=120, random_state=0)
    est = MLPClassifier(
        hidden_layer_sizes=(4,), early_stopping=True, max_iter=50, random_state=0
    )
    est.fit(X, y)
    disp = LossCurveDisplay.from_estimator(est)
    assert disp.ax2_.get_ylabel() == "validation accuracy"


def test_loss_curve_of_a_pipeline_uses_its_last_step(regression_data, early_stopped):
    X, y = regression_data
    pipe = make_pipeline(StandardScaler(), early_stopped).fit(X, y)
    disp = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(disp.loss_line_.get_ydata(), pipe[-1].loss_curve_)


def test_loss_curve_of_lbfgs_raises(regression_data):
    X, y = regression_data
    est = MLPRegressor(hidden_layer_sizes=(), solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="solver='adam' or 'sgd'"):
        LossCurveDisplay.from_estimator(est)


def test_loss_curve_from_data():
    disp = LossCurveDisplay(
        loss_curve=[3.0, 2.0, 1.5, 1.6],
        validation_scores=[0.1, 0.5, 0.7, 0.6],
        best_epoch=3,
    ).plot()
    assert disp.stop_line_.get_xdata()[0] == 4
    assert disp.best_epoch_line_.get_xdata()[0] == 3
    assert disp.ax2_.get_ylabel() == "validation score"


# -- RegularizationPathDisplay ---------------------------------------------------
def test_path_lines_are_the_cv_attributes(path_cv):
    cv = path_cv
    disp = RegularizationPathDisplay.from_estimator(cv)
    np.testing.assert_array_equal(disp.score_line_.get_xdata(), cv.alphas_)
    np.testing.assert_array_equal(disp.score_line_.get_ydata(), cv.mean_cv_scores_)
    assert disp.ax_.get_xscale() == "log"
    assert disp.alpha_line_.get_xdata()[0] == cv.alpha_
    # The band spans mean ± sem at every alpha.
    vertices = disp.sem_band_.get_paths()[0].vertices
    for alpha, mean, sem in zip(cv.alphas_, cv.mean_cv_scores_, cv.sem_cv_scores_):
        at = np.isclose(vertices[:, 0], alpha)
        assert np.isclose(vertices[at, 1].min(), mean - sem)
        assert np.isclose(vertices[at, 1].max(), mean + sem)
    # L1: the second axis is the mean fraction of exact zeros.
    np.testing.assert_allclose(
        disp.secondary_line_.get_ydata(), cv.sparsity_path_.mean(axis=-1)
    )
    assert disp.secondary_line_.axes is disp.ax2_
    assert disp.threshold_line_ is None  # 'best' rule
    assert disp.best_alpha_line_ is None  # chosen == best
    assert disp.figure_ is disp.ax_.figure


def test_path_one_standard_error_rule(regression_data):
    X, y = regression_data
    cv = MLPRegressorCV(
        hidden_layer_sizes=(),
        penalty="l1",
        solver="lbfgs",
        alphas=8,
        cv=3,
        selection="1se",
        relax=None,
    ).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(cv)
    k = int(np.argmax(cv.mean_cv_scores_))
    threshold = cv.mean_cv_scores_[k] - cv.sem_cv_scores_[k]
    assert np.isclose(disp.threshold_line_.get_ydata()[0], threshold)
    assert disp.alpha_line_.get_xdata()[0] == cv.alpha_
    assert cv.mean_cv_scores_[list(cv.alphas_).index(cv.alpha_)] >= threshold
    if cv.alpha_ != cv.alphas_[k]:
        assert disp.best_alpha_line_.get_xdata()[0] == cv.alphas_[k]
    else:
        assert disp.best_alpha_line_ is None


def test_path_group_lasso_counts_selected_features(regression_data):
    X, y = regression_data
    cv = MLPRegressorCV(
        hidden_layer_sizes=(),
        penalty="group_lasso",
        solver="lbfgs",
        alphas=5,
        cv=3,
        relax=None,
    ).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(cv)
    np.testing.assert_allclose(
        disp.secondary_line_.get_ydata(), cv.n_features_selected_path_.mean(axis=-1)
    )
    assert "features selected" in disp.ax2_.get_ylabel()


def test_path_draws_the_chosen_relaxation_or_the_one_asked(regression_data):
    X, y = regression_data
    relax = [0.0, 0.5, 1.0]
    cv = MLPRegressorCV(
        hidden_layer_sizes=(), penalty="l1", solver="lbfgs", alphas=4, cv=3, relax=relax
    ).fit(X, y)
    r = relax.index(cv.relax_)
    disp = RegularizationPathDisplay.from_estimator(cv)
    np.testing.assert_array_equal(disp.score_line_.get_ydata(), cv.mean_cv_scores_[r])
    np.testing.assert_allclose(
        disp.secondary_line_.get_ydata(), cv.sparsity_path_[r].mean(axis=-1)
    )
    assert disp.alpha_line_.get_xdata()[0] == cv.alpha_
    assert f"relax={cv.relax_:g}" in disp.ax_.get_title()
    other = relax[(r + 1) % 3]
    disp = RegularizationPathDisplay.from_estimator(cv, relax=other)
    np.testing.assert_array_equal(
        disp.score_line_.get_ydata(), cv.mean_cv_scores_[(r + 1) % 3]
    )
    assert disp.alpha_line_ is None  # alpha_ belongs to the chosen relaxation
    with pytest.raises(ValueError, match="relax=0.3 was not cross-validated"):
        RegularizationPathDisplay.from_estimator(cv, relax=0.3)
    plain = MLPRegressorCV(
        hidden_layer_sizes=(), penalty="l1", solver="lbfgs", alphas=4, cv=3, relax=None
    ).fit(X, y)
    with pytest.raises(ValueError, match="the path has relax=None"):
        RegularizationPathDisplay.from_estimator(plain, relax=0.5)


def test_path_l2_has_no_second_axis_unless_asked(regression_data):
    X, y = regression_data
    cv = MLPRegressorCV(
        hidden_layer_sizes=(), penalty="l2", solver="lbfgs", alphas=4, cv=3
    ).fit(X, y)
    assert RegularizationPathDisplay.from_estimator(cv).ax2_ is None
    disp = RegularizationPathDisplay.from_estimator(cv, secondary="n_features_selected")
    assert disp.ax2_ is not None
    with pytest.raises(ValueError, match="secondary must be"):
        RegularizationPathDisplay.from_estimator(cv, secondary="zeros")


def test_path_several_l1_ratios(regression_data):
    X, y = regression_data
    cv = MLPRegressorCV(
        hidden_layer_sizes=(),
        penalty="elasticnet",
        l1_ratio=[0.2, 0.9],
        solver="lbfgs",
        alphas=4,
        cv=3,
        relax=None,
    ).fit(X, y)
    i = [0.2, 0.9].index(cv.l1_ratio_)
    disp = RegularizationPathDisplay.from_estimator(cv, show_support=True)
    np.testing.assert_array_equal(disp.score_line_.get_ydata(), cv.mean_cv_scores_[i])
    np.testing.assert_array_equal(disp.support, cv.support_path_[i].mean(axis=1))
    assert disp.alpha_line_.get_xdata()[0] == cv.alpha_
    assert f"l1_ratio={cv.l1_ratio_:g}" in disp.ax_.get_title()
    other = [0.2, 0.9][1 - i]
    disp = RegularizationPathDisplay.from_estimator(cv, l1_ratio=other)
    np.testing.assert_array_equal(
        disp.score_line_.get_ydata(), cv.mean_cv_scores_[1 - i]
    )
    assert disp.alpha_line_ is None  # alpha_ belongs to the other path
    with pytest.raises(ValueError, match="was not cross-validated"):
        RegularizationPathDisplay.from_estimator(cv, l1_ratio=0.5)


def test_path_classifier_and_pipeline():
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifierCV(
            hidden_layer_sizes=(), solver="lbfgs", alphas=4, cv=3, relax=None
        ),
    ).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(
        disp.score_line_.get_ydata(), pipe[-1].mean_cv_scores_
    )
    assert disp.ax_.get_ylabel() == "mean CV accuracy"


def test_path_from_data():
    disp = RegularizationPathDisplay(
        alphas=[100.0, 10.0, 1.0],
        mean_scores=[0.1, 0.5, 0.4],
        sem_scores=[0.05, 0.05, 0.1],
        alpha=10.0,
    ).plot()
    assert disp.alpha_line_.get_xdata()[0] == 10.0
    assert disp.best_alpha_line_ is None and disp.threshold_line_ is None
    assert disp.ax2_ is None
    disp = RegularizationPathDisplay(
        alphas=[100.0, 10.0, 1.0],
        mean_scores=[0.1, 0.5, 0.4],
        sem_scores=[0.05, 0.05, 0.1],
        alpha=100.0,
        best_alpha=10.0,
        secondary=[0, 3, 5],
        secondary_name="features",
    ).plot()
    assert disp.best_alpha_line_.get_xdata()[0] == 10.0
    np.testing.assert_array_equal(disp.secondary_line_.get_ydata(), [0, 3, 5])
    assert disp.ax2_.get_ylabel() == "features"


def test_path_needs_a_cv_estimator(early_stopped):
    with pytest.raises(TypeError, match="MLPRegressorCV or MLPClassifierCV"):
        RegularizationPathDisplay.from_estimator(early_stopped)
    with pytest.raises(TypeError, match="MLPRegressorCV or MLPClassifierCV"):
        RegularizationPathDisplay.from_estimator(early_stopped, show_support=True)


# -- RegularizationPathDisplay: the support heat map ----------------------------
@pytest.fixture(scope="module")
def relaxed_cv(regression_data):
    X, y = regression_data
    return MLPRegressorCV(
        hidden_layer_sizes=(),
        penalty="group_lasso",
        solver="lbfgs",
        alphas=5,
        cv=3,
        relax=[0.0, 0.5, 1.0],
    ).fit(X, y)


def test_support_is_the_fraction_of_folds_using_each_input(relaxed_cv):
    cv = relaxed_cv
    r = [0.0, 0.5, 1.0].index(cv.relax_)
    disp = RegularizationPathDisplay.from_estimator(cv, show_support=True)
    expected = cv.support_path_[r].mean(axis=1)  # (alpha, fold, input) -> folds
    assert expected.shape == (5, 8)
    assert 0 < expected.mean() < 1  # some inputs dropped, some kept
    np.testing.assert_array_equal(disp.support, expected)
    # One row per input, one cell per alpha, edges at the geometric midpoints.
    np.testing.assert_array_equal(disp.support_mesh_.get_array(), expected.T)
    x_edges = disp.support_mesh_.get_coordinates()[0, :, 0]
    np.testing.assert_allclose(x_edges[1:-1], np.sqrt(cv.alphas_[:-1] * cv.alphas_[1:]))
    assert disp.support_ax_.get_xscale() == "log"
    assert disp.support_ax_.get_shared_x_axes().joined(disp.ax_, disp.support_ax_)
    assert disp.support_alpha_line_.get_xdata()[0] == cv.alpha_
    assert disp.colorbar_ is not None
    assert disp.support_ax_.figure is disp.figure_
    # The score above is drawn as without the heat map.
    np.testing.assert_array_equal(disp.score_line_.get_ydata(), cv.mean_cv_scores_[r])
    other = (r + 1) % 3
    disp = RegularizationPathDisplay.from_estimator(
        cv, relax=[0.0, 0.5, 1.0][other], show_support=True
    )
    np.testing.assert_array_equal(disp.support, cv.support_path_[other].mean(axis=1))
    assert disp.support_alpha_line_ is None  # alpha_ belongs to relax_'s path
    assert RegularizationPathDisplay.from_estimator(cv).support_ax_ is None


def test_support_rows_are_named_by_the_inputs(relaxed_cv, regression_data):
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    disp = RegularizationPathDisplay.from_estimator(relaxed_cv, show_support=True)
    labels = [t.get_text() for t in disp.support_ax_.get_yticklabels()]
    assert labels == [f"x{j}" for j in range(8)]
    columns = [f"c{j}" for j in range(8)]
    frame = pd.DataFrame(X, columns=columns)
    params = dict(hidden_layer_sizes=(), solver="lbfgs", alphas=3, cv=3)
    for model in (
        MLPRegressorCV(**params).fit(frame, y),  # its feature_names_in_
        make_pipeline(StandardScaler(), MLPRegressorCV(**params)).fit(frame, y),
    ):
        disp = RegularizationPathDisplay.from_estimator(model, show_support=True)
        assert disp.feature_names == columns
        labels = [t.get_text() for t in disp.support_ax_.get_yticklabels()]
        assert labels == columns


def test_support_labels_are_thinned_out_for_many_inputs():
    n_features = 95
    disp = RegularizationPathDisplay(
        alphas=[10.0, 1.0],
        mean_scores=[0.2, 0.4],
        sem_scores=[0.1, 0.1],
        support=np.ones((2, n_features)),
        feature_names=[f"gene{j}" for j in range(n_features)],
    ).plot()
    labels = [t.get_text() for t in disp.support_ax_.get_yticklabels()]
    assert labels == [f"gene{j}" for j in range(0, n_features, 4)]
    assert disp.support_mesh_.get_array().shape == (n_features, 2)
    assert disp.support_alpha_line_ is None  # no alpha given


def test_support_draws_on_the_given_axes(relaxed_cv):
    fig, (ax, support_ax) = plt.subplots(2, 1)
    disp = RegularizationPathDisplay.from_estimator(
        relaxed_cv, show_support=True, ax=ax, support_ax=support_ax, colorbar=False
    )
    assert disp.ax_ is ax and disp.support_ax_ is support_ax
    assert disp.figure_ is fig and len(fig.axes) == 3  # ax, its twin, support_ax
    assert ax.get_shared_x_axes().joined(ax, support_ax)
    assert disp.colorbar_ is None
    assert ax.get_xlabel() == "alpha (penalty strength)"  # the user's layout


def test_support_errors(relaxed_cv):
    cv = copy.copy(relaxed_cv)
    del cv.support_path_
    with pytest.raises(ValueError, match="has no support_path_"):
        RegularizationPathDisplay.from_estimator(cv, show_support=True)
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="pass both ax"):
        RegularizationPathDisplay.from_estimator(relaxed_cv, show_support=True, ax=ax)
    with pytest.raises(ValueError, match="no support to draw"):
        RegularizationPathDisplay.from_estimator(relaxed_cv, support_ax=ax)
    path = dict(alphas=[10.0, 1.0], mean_scores=[0.2, 0.4], sem_scores=[0.1, 0.1])
    n_figures = len(plt.get_fignums())
    with pytest.raises(ValueError, match="n_alphas=2, got"):
        RegularizationPathDisplay(**path, support=np.ones((3, 4))).plot()
    assert len(plt.get_fignums()) == n_figures  # checked before drawing
    with pytest.raises(ValueError, match="2 names for 4 inputs"):
        RegularizationPathDisplay(
            **path, support=np.ones((2, 4)), feature_names=["a", "b"]
        ).plot()


# -- WeightDistributionDisplay ---------------------------------------------------
def test_weights_count_exact_zeros(regression_data):
    X, y = regression_data
    models = [
        MLPRegressor(
            hidden_layer_sizes=(16,),
            solver="lbfgs",
            penalty=penalty,
            alpha=30.0,
            max_iter=300,
            random_state=0,
        ).fit(X, y)
        for penalty in ("l2", "l1")
    ]
    disp = WeightDistributionDisplay.from_estimators(models)
    for model, n, n_zero, counts in zip(
        models, disp.n_weights_, disp.n_zeros_, disp.counts_
    ):
        flat = np.concatenate([W.ravel() for W in model.coefs_])
        assert n == flat.size
        assert n_zero == np.count_nonzero(flat == 0)
        assert counts.sum() == n - n_zero  # zeros are not binned
    assert disp.n_zeros_[0] == 0 and disp.n_zeros_[1] > 0
    texts = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert texts[1].startswith(f"l1: {disp.n_zeros_[1]} of {disp.n_weights_[1]}")
    assert disp.figure_ is disp.ax_.figure


def test_weights_include_zeros_and_layers(path_cv):
    est = path_cv.estimator_
    disp = WeightDistributionDisplay.from_estimator(
        est, label="lasso", include_zeros=True, layers=0
    )
    assert disp.n_weights_ == [est.coefs_[0].size]
    assert disp.counts_[0].sum() == est.coefs_[0].size
    assert disp.ax_.get_legend().get_texts()[0].get_text().startswith("lasso: ")


def test_weights_of_sklearn_mlp_and_errors(regression_data, early_stopped):
    X, y = regression_data
    sk = SklearnMLPRegressor(hidden_layer_sizes=(4,), max_iter=1000, solver="lbfgs")
    sk.fit(X, y)
    disp = WeightDistributionDisplay.from_estimator(sk)
    assert disp.n_weights_ == [sum(W.size for W in sk.coefs_)]
    with pytest.raises(ValueError, match="labels"):
        WeightDistributionDisplay.from_estimators([sk, early_stopped], labels=["a"])
    with pytest.raises(TypeError, match="has no coefs_"):
        WeightDistributionDisplay.from_estimator(StandardScaler().fit(X))


def test_weights_from_data():
    disp = WeightDistributionDisplay(weights=[np.array([0.0, 0.0, 1.0, -1.0])]).plot(
        bins=4
    )
    assert disp.n_zeros_ == [2]
    np.testing.assert_array_equal(disp.bin_edges_, [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert disp.counts_[0].sum() == 2


def test_displays_say_when_matplotlib_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="requires matplotlib"):
        LossCurveDisplay(loss_curve=[1.0]).plot()
