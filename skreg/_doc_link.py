"""Where skreg's documentation lives, and the link from each estimator's HTML
repr to its API page.

scikit-learn's HTML repr (the diagram a notebook shows for an estimator) puts
a "?" link to the estimator's API page in its header. It asks the estimator
for the address: an estimator whose top-level module is ``_doc_link_module``
gets ``_doc_link_template`` formatted with ``estimator_module`` (the module
path up to the first private part, ``skreg`` for every public estimator) and
``estimator_name`` (its class name); any other estimator gets no link. Both
are plain class attributes that scikit-learn reads, so nothing here imports
scikit-learn's private API.

No site is hosted, so the base address is the local build of the docs
(``sphinx-build -b html docs docs/_build/html``, the command in the README)
next to this package in a clone of the repository. It is the one constant
to change when the docs get a public address. The docs build checks that
every public estimator's link names a page it wrote (``docs/conf.py``).
"""

from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parent.parent
DOCS_URL = (_REPOSITORY / "docs" / "_build" / "html").as_uri()
"""Base address of skreg's documentation: the local HTML build, as a file URL."""

API_PAGE = "api/generated/{estimator_module}.{estimator_name}.html"
"""Path of an estimator's API page below :data:`DOCS_URL` (autosummary's naming)."""


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class DocLinkMixin:
    """Link an estimator's HTML repr to its page in skreg's API reference.

    Stand this mixin left of :class:`sklearn.base.BaseEstimator` in the bases,
    so that these attributes take precedence over scikit-learn's defaults
    (which link only estimators of the ``sklearn`` package).
    """

    _doc_link_module = "skreg"
    _doc_link_template = f"{_escape_braces(DOCS_URL)}/{API_PAGE}"
