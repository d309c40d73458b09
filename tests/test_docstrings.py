"""Every public docstring passes numpydoc's validation, documents what the
object has, and every estimator's HTML repr links to its API page.

numpydoc's checks cover the sections (names, order, underlines), the
summary and the parameter lists: the documented parameters must be exactly
the signature's, in its order, each with a type and a description. The API
pages (docs/api/) are generated from these docstrings, so an error here is a
wrong or missing entry there. numpydoc comes with the docs extra
(``pip install ".[docs]"``): without it the numpydoc tests skip, and CI runs
this file again after installing it. The link tests need no numpydoc, so they
also run against the oldest supported scikit-learn.
"""

import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning

import skreg
import skreg.plotting
from skreg import _doc_link

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = (skreg, skreg.plotting)

# Codes never reported, with the reason. scikit-learn's own docstring test
# (sklearn/tests/test_docstrings.py) ignores the same three.
IGNORED = {
    # A return value may be named so that the text can refer to it
    # ("self : object", "display : LossCurveDisplay"), scikit-learn's style.
    "RT02": "first line of Returns should contain only the type",
    # The summary may start on the line of the opening quotes or the next.
    "GL01": "summary should start in the line after the opening quotes",
    # Short docstrings of generated methods end without a blank line.
    "GL02": "closing quotes should be placed in the line after the last text",
}
# Codes reported for classes only: a method's extended summary, See Also and
# Examples would repeat its class's (whose Examples run as doctests).
CLASS_ONLY = {
    "ES01": "no extended summary",
    "SA01": "no See Also section",
    "EX01": "no Examples section",
}


def _public_classes():
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                yield f"{module.__name__}.{name}", obj


def _public_functions():
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            if inspect.isfunction(getattr(module, name)):
                yield f"{module.__name__}.{name}"


def _public_methods():
    """Every public method and property of every public class, inherited
    ones included (they appear on the API pages too)."""
    for class_path, cls in _public_classes():
        for name, member in inspect.getmembers(cls):
            if name.startswith("_"):
                continue
            if callable(member) or isinstance(
                inspect.getattr_static(cls, name), property
            ):
                yield f"{class_path}.{name}"


CLASSES = [path for path, _ in _public_classes()]
METHODS = list(_public_methods())
FUNCTIONS = list(_public_functions())


def _errors(path, *, is_class):
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    report = numpydoc_validate.validate(path)
    return [
        f"{code}: {message}"
        for code, message in report["errors"]
        if code not in IGNORED and (is_class or code not in CLASS_ONLY)
    ]


def test_the_public_api_is_collected():
    assert len(CLASSES) == 9  # six estimators, three displays
    assert "skreg.MLPRegressor.fit" in METHODS
    assert "skreg.plotting.LossCurveDisplay.from_estimator" in METHODS


@pytest.mark.parametrize("path", CLASSES)
def test_class_docstring(path):
    assert _errors(path, is_class=True) == []


@pytest.mark.parametrize("path", METHODS + FUNCTIONS)
def test_method_and_function_docstring(path):
    assert _errors(path, is_class=False) == []


# -- every fitted attribute is documented ---------------------------------------


def _fitted(cls):
    """A fitted instance on tiny data, with batch norm and the skip
    connection on (they add attributes) and as few epochs as will do."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=40)
    classifier = is_classifier(cls())
    if classifier:
        y = (y > 0).astype(int)
    network = dict(
        hidden_layer_sizes=(4,), max_iter=5, batch_norm=True, skip_connection=True
    )
    if cls in (skreg.MLPRegressor, skreg.MLPClassifier):
        estimator = cls(**network, random_state=0)
    elif cls in (skreg.MLPRegressorCV, skreg.MLPClassifierCV):
        estimator = cls(**network, alphas=2, cv=2, random_state=0)
    else:
        member = skreg.MLPClassifier if classifier else skreg.MLPRegressor
        estimator = cls(member(**network), n_estimators=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # after 5 epochs
        return estimator.fit(X, y)


def _documented_attributes(cls):
    docscrape = pytest.importorskip("numpydoc.docscrape")
    names = set()
    for name, _, _ in docscrape.ClassDoc(cls)["Attributes"]:
        names.update(part.strip() for part in name.split(","))
    return names


def _documented_for(estimator):
    """The attributes ``type(estimator)`` documents. A CV estimator copies
    its refitted ``estimator_``'s attributes and documents them as one entry
    ending in ``...`` that refers to the plain estimator's page."""
    names = _documented_attributes(type(estimator))
    if "..." in names and hasattr(estimator, "estimator_"):
        names |= _documented_attributes(type(estimator.estimator_))
    return names


ESTIMATORS = [cls for _, cls in _public_classes() if hasattr(cls, "fit")]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_fitted_attribute_is_documented(cls):
    pytest.importorskip("numpydoc")
    estimator = _fitted(cls)
    fitted = {
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("_")
    }
    missing = fitted - _documented_for(estimator)
    assert not missing, f"{cls.__name__} documents no {sorted(missing)}"


# -- API pages and the HTML repr's link to them ---------------------------------


def test_every_public_class_has_an_api_page():
    """docs/api/index.rst's autosummary lists every public class, so the
    build writes a page for each (generated/<module>.<name>.html)."""
    text = (ROOT / "docs" / "api" / "index.rst").read_text()
    listed = set()
    for block in re.split(r"\.\. (?:current)?module:: ", text)[1:]:
        module, _, body = block.partition("\n")
        listed.update(
            f"{module.strip()}.{name}"
            for name in re.findall(r"^   ([A-Z]\w+)$", body, flags=re.M)
        )
    assert listed == set(CLASSES)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_html_repr_links_to_the_api_page(cls):
    from sklearn.utils import estimator_html_repr

    page = _doc_link.API_PAGE.format(
        estimator_module="skreg", estimator_name=cls.__name__
    )
    url = f"{_doc_link.DOCS_URL}/{page}"
    estimator = cls()
    assert estimator._get_doc_link() == url
    assert f'href="{url}"' in estimator_html_repr(estimator)


def test_differences_page_lists_every_added_parameter():
    """skreg's MLPs keep every parameter of scikit-learn's, and
    docs/differences.rst's table lists each one they add."""
    from sklearn import neural_network

    text = (ROOT / "docs" / "differences.rst").read_text()
    listed = set(re.findall(r"^   \* - ``(\w+)``$", text, flags=re.M))
    for ours in (skreg.MLPRegressor, skreg.MLPClassifier):
        theirs = getattr(neural_network, ours.__name__)
        our_names = set(inspect.signature(ours).parameters)
        their_names = set(inspect.signature(theirs).parameters)
        assert their_names <= our_names
        assert our_names - their_names - {"loss"} <= listed
