"""Sphinx configuration of skreg's documentation.

Build from the repository root with ``sphinx-build -W -b html docs
docs/_build/html`` (after ``pip install ".[docs]"``). The build needs no
network: there is no intersphinx; references to scikit-learn, NumPy and SciPy
objects in docstrings resolve to plain links on their sites (see
``_external_reference``), and every other unresolved reference is an error
with ``-W`` (``nitpicky``).

The gallery runs every ``examples/plot_*.py``. ``SKREG_EXAMPLES_QUICK=1``
(what CI sets) runs them in their quick mode: less data and fewer epochs.
"""

import importlib
import inspect
import os
import re
import sys
from pathlib import Path

import skreg
from skreg import _doc_link

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))

project = "skreg"
author = "skreg developers"
copyright = "skreg developers"
version = release = skreg.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "images", "_templates"]
templates_path = ["_templates"]
nitpicky = True
toc_object_entries_show_parents = "hide"
default_role = "literal"

# -- API reference -------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- gallery -------------------------------------------------------------------
# The examples save their figure to SKREG_EXAMPLES_OUTPUT (default
# examples/output/); the gallery captures the open figures itself, so keep
# those copies out of the source tree.
os.environ.setdefault("SKREG_EXAMPLES_OUTPUT", str(DOCS / "_build" / "example_output"))
sphinx_gallery_conf = {
    "examples_dirs": [str(DOCS.parent / "examples")],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skreg",),
    "backreferences_dir": "api/generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "image_scrapers": ("matplotlib",),
    "capture_repr": ("_repr_html_",),
    "reset_modules": ("matplotlib", "skreg_gallery.define_file"),
    "reset_modules_order": "both",
}

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skreg {release}"
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    # A search icon instead of the search field, so that all seven links fit.
    "navbar_persistent": [],
    "navbar_end": ["search-button", "theme-switcher"],
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
    "navigation_with_keys": False,
}
# Pages without sub-pages get no (empty) section navigation on the left.
html_sidebars = {
    page: [] for page in ("index", "install", "quickstart", "differences", "changelog")
}

# -- references to other projects, without the network -------------------------
EXTERNAL_DOCS = {
    "sklearn": "https://scikit-learn.org/stable/modules/generated/{name}.html",
    "numpy": "https://numpy.org/doc/stable/reference/generated/{name}.html",
    "scipy": "https://docs.scipy.org/doc/scipy/reference/generated/{name}.html",
}
SKLEARN = "https://scikit-learn.org/stable/"
# The labels that docstrings inherited from scikit-learn refer to with :ref:.
SKLEARN_LABELS = {
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "metadata_routing": "metadata_routing.html",
    "r2_score": "modules/model_evaluation.html#r2-score",
}


def _external_page(target):
    """The page name of an importable dotted name: its module and first
    attribute (``sklearn.pipeline.Pipeline`` for ``...Pipeline.fit``)."""
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
            if obj is None:
                return None
        return ".".join(parts[: split + 1])
    return None


def _external_reference(app, env, node, contnode):
    """Resolve ``sklearn.*``, ``numpy.*`` and ``scipy.*`` to plain links."""
    from docutils import nodes

    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    template = EXTERNAL_DOCS.get(target.split(".")[0])
    if template is None:
        return None
    page = _external_page(target)
    if page is None:
        return None
    url = template.format(name=page)
    if page != target:
        url += f"#{target}"
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference.append(contnode)
    return reference


def _sklearn_label(match):
    text, label = match.group(1), match.group(2)
    if label not in SKLEARN_LABELS:
        raise ValueError(f"no address for scikit-learn's label {label!r}")
    return f"`{text} <{SKLEARN}{SKLEARN_LABELS[label]}>`__"


def _sklearn_term(match):
    text, term = match.group(1) or match.group(2), match.group(2)
    anchor = "term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")
    return f"`{text} <{SKLEARN}glossary.html#{anchor}>`__"


SKLEARN_ROLES = [
    (re.compile(r":ref:`([^`<]*?)\s*<([^`>]+)>`"), _sklearn_label),
    (re.compile(r":term:`(?:([^`<]*?)\s*<)?([^`<>]+)>?`"), _sklearn_term),
    # No MathJax: it would be fetched from the network when a page is viewed.
    (re.compile(r":math:`([^`]+)`"), r"``\1``"),
]


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    """Rewrite the roles of docstrings that skreg's estimators inherit from
    scikit-learn (its user-guide labels, glossary terms and math), which
    resolve only inside scikit-learn's own docs, into plain links and
    literals."""
    if not getattr(obj, "__module__", "").startswith("sklearn."):
        return
    for i, line in enumerate(lines):
        for pattern, replacement in SKLEARN_ROLES:
            line = pattern.sub(replacement, line)
        lines[i] = line


def _check_doc_links(app, exception):
    """Each public estimator's HTML-repr link names a page this build wrote."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for name in skreg.__all__:
        estimator = getattr(skreg, name)
        if not inspect.isclass(estimator):
            continue
        link = estimator()._get_doc_link()
        if not link.startswith(_doc_link.DOCS_URL + "/"):
            raise RuntimeError(f"{name}'s HTML repr links to {link!r}")
        page = out / link[len(_doc_link.DOCS_URL) + 1 :]
        if not page.is_file():
            raise RuntimeError(f"{name}'s HTML repr links to missing {page}")


def setup(app):
    app.connect("missing-reference", _external_reference)
    app.connect("autodoc-process-docstring", _plain_sklearn_roles)
    app.connect("build-finished", _check_doc_links)
