"""Every example runs headless in quick mode and saves its figure; the
README's image links resolve."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_has_a_title_and_cells(script):
    source = script.read_text()
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring and docstring.splitlines()[0].startswith("=")
    assert "\n# %%\n" in source


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_saves_its_figure(script, tmp_path):
    pytest.importorskip("matplotlib")
    env = {
        **os.environ,
        "SKREG_EXAMPLES_QUICK": "1",
        "SKREG_EXAMPLES_OUTPUT": str(tmp_path),
        "MPLBACKEND": "Agg",
        # Small matrices: one BLAS thread per example is faster, and keeps a
        # busy 2-core CI machine from thrashing.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figure = tmp_path / f"{script.stem}.png"
    assert figure.is_file() and figure.stat().st_size > 10_000
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _readme_images():
    text = (ROOT / "README.md").read_text()
    markdown = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    html = re.findall(r"<img[^>]*\ssrc=\"([^\"]+)\"", text)
    return markdown + html


def test_readme_image_links_resolve():
    links = _readme_images()
    assert links, "the README shows no example figure"
    for link in links:
        assert not re.match(r"[a-z]+://", link), f"{link}: use a relative link"
        assert (ROOT / link).is_file(), f"README links to missing {link}"


def test_readme_figures_come_from_examples():
    """Each committed figure is named after the example that regenerates it."""
    stems = {script.stem for script in EXAMPLES}
    for link in _readme_images():
        assert Path(link).stem in stems, link


def test_readme_python_blocks_run(tmp_path):
    """The quick start and the plotting snippet run as written (the Dask block
    needs a cluster and is left out)."""
    pytest.importorskip("matplotlib")
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    code = "\n".join(block for block in blocks if "dask" not in block)
    assert "MLPRegressorCV" in code and "skreg.plotting" in code
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "path.png").is_file()
