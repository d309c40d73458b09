"""Run scikit-learn's own MLP tests against skreg.

The installed ``sklearn/neural_network/tests/test_mlp.py`` (never a copy kept
in this repository) is read, its import line
``from sklearn.neural_network import MLPClassifier, MLPRegressor`` is
rewritten to ``from skreg import MLPClassifier, MLPRegressor``, a
``global_random_seed`` fixture returning 42 is added (scikit-learn's own
conftest provides it), and the tests that read scikit-learn's private
attributes are removed (``PRIVATE``). The result is written to a temporary
directory and run with pytest in a subprocess.

Usage::

    python benchmarks/sklearn_test_mlp.py          # summary and the failures
    python benchmarks/sklearn_test_mlp.py -x -v    # extra arguments go to pytest

``tests/test_sklearn_mlp_suite.py`` runs the same and compares the failures
with the documented deliberate differences.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor"
REPLACEMENT = "from skreg import MLPClassifier, MLPRegressor"

#: Tests that read scikit-learn's private attributes (``_backprop``,
#: ``_optimizer``, ``_no_improvement_count``, ...): skreg has none of them.
PRIVATE = (
    "test_fit",
    "test_gradient",
    "test_learning_rate_warmstart",
    "test_adaptive_learning_rate",
    "test_n_iter_no_change",
)

SEED_FIXTURE = '''

@pytest.fixture
def global_random_seed():
    """scikit-learn's conftest fixture, fixed to one seed."""
    return 42
'''


def installed_test_file() -> Path | None:
    """The installed ``test_mlp.py``, or None if scikit-learn ships no tests."""
    spec = importlib.util.find_spec("sklearn.neural_network")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "tests" / "test_mlp.py"
    return path if path.is_file() else None


def rewritten_source(path: Path) -> str:
    """``test_mlp.py`` importing skreg's estimators, with the seed fixture
    added and the private-attribute tests removed."""
    source = path.read_text()
    if source.count(IMPORT) != 1:
        raise RuntimeError(f"{path} does not contain {IMPORT!r} exactly once")
    source = source.replace(IMPORT, REPLACEMENT)
    removed = "\n".join(f"del {name}" for name in PRIVATE)
    return source + SEED_FIXTURE + "\n" + removed + "\n"


def run(pytest_args=(), path: Path | None = None) -> dict[str, str]:
    """Run the rewritten tests; ``{test id: 'passed' | 'failed' | 'skipped'}``."""
    path = installed_test_file() if path is None else path
    if path is None:
        raise FileNotFoundError("scikit-learn's test_mlp.py is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        test_file = Path(tmp) / "test_mlp_skreg.py"
        test_file.write_text(rewritten_source(path))
        report = Path(tmp) / "report.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--rootdir={tmp}",
            f"--junitxml={report}",
            str(test_file),
            *pytest_args,
        ]
        subprocess.run(command, cwd=tmp, check=False)
        return _outcomes(report)


def _outcomes(report: Path) -> dict[str, str]:
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        outcomes[case.get("name")] = outcome
    return outcomes


def main(argv=None) -> int:
    outcomes = run(sys.argv[1:] if argv is None else argv)
    counts = {k: sum(v == k for v in outcomes.values()) for k in ("passed", "failed")}
    skipped = len(outcomes) - counts["passed"] - counts["failed"]
    print(
        f"\nscikit-learn's test_mlp.py on skreg: {counts['passed']} passed, "
        f"{counts['failed']} failed, {skipped} skipped of {len(outcomes)} "
        f"(left out: {', '.join(PRIVATE)})"
    )
    for name, outcome in sorted(outcomes.items()):
        if outcome == "failed":
            print(f"  FAILED {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
