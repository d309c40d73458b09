"""One numpydoc builder for every estimator family.

Each family keeps its own parameter and attribute text (``_mlp/docstrings``,
``_cv/docstrings``, ``_ensemble/docstrings``); this module assembles a class
docstring from such parts and selects entries from a shared text, so
regressor and classifier (and the CV estimators, which reuse the plain
estimators' network parameters) share one text instead of copies.
"""

from __future__ import annotations

import re

# The last attributes of every skreg estimator (scikit-learn's own text).
FEATURES_IN_ATTRIBUTES = """\
n_features_in_ : int
    Number of features seen during fit.

feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of features seen during fit (string column names only)."""


def without_entries(text: str, names) -> str:
    """``text`` (numpydoc ``name : type`` entries separated by blank lines)
    without the entries whose name is in ``names``."""
    entries = re.split(r"\n\n(?=\w+ : )", text)
    kept = [e for e in entries if e.split(" : ", 1)[0] not in set(names)]
    return "\n\n".join(kept)


def in_order(text: str, names) -> str:
    """``text``'s entries in the order of their names in ``names`` (a
    signature's parameters: numpydoc's validation requires that order)."""
    entries = re.split(r"\n\n(?=\w+ : )", text)
    position = {name: i for i, name in enumerate(names)}
    entries.sort(key=lambda entry: position[entry.split(" : ", 1)[0]])
    return "\n\n".join(entries)


def class_docstring(
    summary: str,
    *,
    parameters: list[str],
    attributes: list[str],
    extra_parameters: str = "",
    extra_attributes: str = "",
    see_also: str = "",
    examples: str = "",
    order=None,
) -> str:
    """A numpydoc class docstring: the summary, then Parameters, Attributes
    (ending with ``FEATURES_IN_ATTRIBUTES``), See Also and Examples sections.

    ``parameters`` and ``attributes`` are the family's shared text (see the
    family builders: ``mlp_docstring``, ``cv_docstring``,
    ``ensemble_docstring``, which pass the rest through);
    ``extra_parameters`` and ``extra_attributes`` the estimator's own
    entries, put first. Empty parts are left out. With ``order`` (the
    signature's parameter names) the Parameters entries follow it.
    """
    parameters = [extra_parameters, *parameters]
    attributes = [extra_attributes, *attributes, FEATURES_IN_ATTRIBUTES]

    def join(parts):
        return "\n\n".join(part.strip("\n") for part in parts if part.strip())

    parameters = join(parameters)
    if order is not None:
        parameters = in_order(parameters, order)
    return (
        f"{summary}\n\nParameters\n----------\n{parameters}\n\n"
        f"Attributes\n----------\n{join(attributes)}\n\n"
        f"See Also\n--------\n{see_also}\n\nExamples\n--------\n{examples}\n"
    )
