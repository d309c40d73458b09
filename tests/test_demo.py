"""The ``python -m skreg`` demo: its quick run prints a table that matches the
fitted models it returns."""

import contextlib
import io
import re

import numpy as np
import pytest

from skreg._demo import N_FEATURES, N_INFORMATIVE, describe_selection, main

MODELS = [
    "skreg MLPRegressorCV",
    "sklearn MLP, GridSearchCV",
    "LassoCV",
    "HistGradientBoosting",
]


@pytest.fixture(scope="module")
def quick_run():
    """The quick demo's results and its printed output, run once for the module
    (capsys is function-scoped, so stdout is captured here by hand)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        results = main(["--quick"])
    return results, out.getvalue()


def table_rows(output):
    """The printed table's rows as lists of cells, keyed by model name."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("model "))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        name, _, rest = line.partition("  ")
        rows[name.strip()] = rest.split()
    return rows


def test_table_has_a_row_per_model_with_its_test_score(quick_run):
    results, output = quick_run
    rows = table_rows(output)
    assert list(rows) == MODELS
    assert [r.name for r in results] == MODELS
    for result in results:
        r2, seconds = (float(cell) for cell in rows[result.name][:2])
        assert r2 == pytest.approx(result.r2, abs=5e-4)
        assert -1.0 < r2 <= 1.0
        assert seconds >= 0.0


def test_skreg_row_counts_the_selected_inputs(quick_run):
    results, output = quick_run
    skreg = results[0].model[-1]
    used, informative, noise = table_rows(output)["skreg MLPRegressorCV"][2:]
    assert int(used) == skreg.n_features_selected_
    kept = skreg.feature_importances_ > 0
    assert informative == f"{kept[:N_INFORMATIVE].sum()}/{N_INFORMATIVE}"
    assert noise == f"{kept[N_INFORMATIVE:].sum()}/{N_FEATURES - N_INFORMATIVE}"


def test_lasso_row_counts_its_nonzero_coefficients(quick_run):
    results, output = quick_run
    lasso = results[2].model[-1]
    used = table_rows(output)["LassoCV"][2]
    assert int(used) == np.count_nonzero(lasso.coef_)


def test_models_without_selection_use_every_input(quick_run):
    _, output = quick_run
    rows = table_rows(output)
    for name in MODELS[1], MODELS[3]:
        assert rows[name][2:] == ["all", str(N_FEATURES), "-", "-"]


def test_last_line_names_skreg_inputs_and_its_alpha(quick_run):
    results, output = quick_run
    skreg = results[0].model[-1]
    summary = output[output.index("skreg kept") :]
    assert f"alpha_={skreg.alpha_:.4g}" in summary
    named = summary.split(" (x0..")[0]
    if skreg.n_features_selected_ == N_FEATURES:
        assert named == f"skreg kept all {N_FEATURES} inputs"
    else:
        kept = {int(j) for j in re.findall(r"\bx(\d+)\b", named)}
        assert kept == set(np.flatnonzero(skreg.feature_importances_))
        assert named.startswith(f"skreg kept {skreg.n_features_selected_} inputs")
    refit = skreg.estimator_.n_features_selected_
    assert f"the refit alone uses {refit} (" in " ".join(summary.split())


def test_last_line_names_a_partial_selection(quick_run):
    results, _ = quick_run
    mask = np.zeros(N_FEATURES, dtype=bool)
    mask[[0, 3, 7]] = True
    line = describe_selection(results[0].model[-1], mask)
    assert line.startswith("skreg kept 3 inputs: x0, x3, x7 (x0..x4")
