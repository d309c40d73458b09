"""Shared test data and quick network settings, as fixtures.

``tests`` is not a package, so the test files take these as fixtures rather than
importing them. The data factories are session-scoped and return fresh arrays
on every call: a test may modify what it gets without affecting another test.
"""

import pytest
from sklearn.datasets import load_diabetes, make_classification, make_regression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

# A small, quick network: the default of the ``fast_params`` fixture.
FAST = {
    "hidden_layer_sizes": (8,),
    "learning_rate_init": 0.01,
    "max_iter": 100,
    "random_state": 0,
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "fast(**params): settings that replace the fast_params fixture's defaults "
        "(on a module, class or test; a closer marker overrides key by key)",
    )


@pytest.fixture
def fast_params(request):
    """Settings for a small, quick network (a new dict for every test).

    A module, class or test changes them with ``pytest.mark.fast(max_iter=30)``;
    a test's marker overrides its class's and module's, key by key.
    """
    params = dict(FAST)
    for marker in reversed(list(request.node.iter_markers("fast"))):
        params.update(marker.kwargs)
    return params


@pytest.fixture
def fast_estimator(fast_params):
    """``fast_estimator(Est, **params)``: ``Est`` with ``fast_params`` updated
    by ``params``."""

    def make(Est, **params):
        return Est(**{**fast_params, **params})

    return make


@pytest.fixture
def one_blas_thread():
    """Limit BLAS to one thread: tiny networks only lose time to threading."""
    with threadpool_limits(limits=1):
        yield


# -- data ----------------------------------------------------------------------
def _scale_target(y, target):
    """``y`` standardized, divided by its standard deviation, or unchanged."""
    if target == "standardize":
        return (y - y.mean()) / y.std()
    if target == "unit_variance":
        return y / y.std()
    if target is None:
        return y
    raise ValueError(f"unknown target scaling {target!r}")


# The other make_regression / make_classification settings of the default data.
REGRESSION = {"noise": 1.0, "bias": 2.0, "random_state": 0}
CLASSIFICATION = {"n_informative": 3, "n_redundant": 0, "random_state": 0}


def _regression(n_samples=80, n_features=4, *, target="standardize", **params):
    X, y = make_regression(n_samples, n_features, **{**REGRESSION, **params})
    return StandardScaler().fit_transform(X), _scale_target(y, target)


def _classification(n_samples=80, n_features=4, *, standardize=True, **params):
    X, y = make_classification(n_samples, n_features, **{**CLASSIFICATION, **params})
    return (StandardScaler().fit_transform(X) if standardize else X), y


def _diabetes(target="standardize"):
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), _scale_target(y, target)


@pytest.fixture(scope="session")
def make_regression_data():
    """``make_regression_data(n_samples=80, n_features=4, *, target="standardize",
    **params)``: ``make_regression(n_samples, n_features, **{**REGRESSION,
    **params})`` with X standardized and y
    scaled by ``target``: ``"standardize"`` (zero mean, unit variance),
    ``"unit_variance"`` (divided by its standard deviation) or ``None``."""
    return _regression


@pytest.fixture(scope="session")
def make_classification_data():
    """``make_classification_data(n_samples=80, n_features=4, *,
    standardize=True, **params)``: ``make_classification(n_samples, n_features,
    **{**CLASSIFICATION, **params})``, X standardized unless ``standardize`` is
    false."""
    return _classification


@pytest.fixture(scope="session")
def load_diabetes_data():
    """``load_diabetes_data(target="standardize")``: the diabetes data with
    standardized X; ``target`` as for ``make_regression_data``."""
    return _diabetes


@pytest.fixture
def diabetes():
    """The diabetes data, X and y standardized (y: zero mean, unit variance)."""
    return _diabetes()
