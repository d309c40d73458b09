"""The package layout is the layer diagram: each folder imports only below it.

    _core  <  _training  <  shared estimator helpers  <  _mlp  <  _cv, _ensemble
    (plotting and the demo sit on top)

The numeric layers never import scikit-learn, and scikit-learn's private API
is imported in one module only.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "skreg"

# What each part of the package may import from skreg itself.
_HELPERS = {"_sklearn_compat", "_validation", "_docstring", "_parallel", "_doc_link"}
ALLOWED = {
    "_core": {"_core"},
    "_training": {"_core", "_training"},
    "_sklearn_compat": set(),
    "_validation": {"_sklearn_compat"},
    "_docstring": set(),
    "_parallel": set(),
    "_doc_link": set(),
    "_mlp": {"_core", "_training", "_mlp"} | _HELPERS,
    "_cv": {"_core", "_mlp", "_cv"} | _HELPERS,
    "_ensemble": {"_mlp", "_ensemble"} | _HELPERS,
}
NUMERIC = ("_core", "_training")


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _part(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path):
    """Absolute names imported by ``path`` (relative imports resolved)."""
    package = list(path.relative_to(PACKAGE.parent).parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize(
    "path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE.parent))
)
def test_imports_follow_the_layers(path):
    part = _part(path)
    if part not in ALLOWED:
        return  # __init__, __main__, _demo, plotting: the top of the diagram
    used = {
        name.split(".")[1]
        for name in _imports(path)
        if name.startswith("skreg.") and name.count(".") >= 1
    }
    assert used <= ALLOWED[part], f"{path.name} imports {used - ALLOWED[part]}"


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if _part(p) in NUMERIC],
    ids=lambda p: str(p.relative_to(PACKAGE.parent)),
)
def test_numeric_layers_never_import_scikit_learn(path):
    names = [n for n in _imports(path) if n.split(".")[0] == "sklearn"]
    assert names == []


def test_private_scikit_learn_api_has_one_door():
    offenders = []
    for path in _modules():
        if path.name == "_sklearn_compat.py":
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "sklearn" and any(p.startswith("_") for p in parts[1:]):
                offenders.append((path.name, name))
    assert offenders == []


def test_few_top_level_modules():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 8, top
