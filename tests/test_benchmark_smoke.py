"""Smoke test of benchmarks/bench_fit.py: a tiny --quick run must complete."""

import importlib.util
import re
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fit.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("skreg_bench_fit", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through it
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


@pytest.mark.skipif(not BENCH.exists(), reason="benchmarks/bench_fit.py not found")
def test_bench_fit_quick_runs_and_prints_table(capsys):
    bench = _load_bench()
    start = time.perf_counter()
    code = bench.main(
        ["--quick", "--repeats", "1", "--workloads", "W1,W4", "--dtypes", "float64"]
    )
    elapsed = time.perf_counter() - start
    out = capsys.readouterr().out
    assert code == 0
    assert elapsed < 20, f"quick benchmark took {elapsed:.1f} s"

    assert bench.TABLE_HEADER in out
    table = out.split(bench.TABLE_HEADER, 1)[1].split("== goals ==", 1)[0]
    rows = [line.split() for line in table.splitlines() if line.strip()]
    libraries = ["skreg", "sklearn"] + (["torch"] if bench.torch_available() else [])
    for workload in ("W1", "W4"):
        for library in libraries:
            matching = [
                row for row in rows if row[:3] == [workload, "float64", library]
            ]
            assert len(matching) == 1, (workload, library, table)
            row = matching[0]
            fit_seconds, score = float(row[3]), float(row[7])
            assert fit_seconds > 0
            assert 0.0 <= score <= 1.0
    assert "== goals ==" in out
    # Default --score-seeds 1: no seed table, single-seed score goal.
    assert bench.SEEDS_HEADER not in out
    assert "mean score over" not in out
    assert "W1 float64 |score skreg - sklearn|" in out


@pytest.mark.skipif(not BENCH.exists(), reason="benchmarks/bench_fit.py not found")
def test_bench_fit_quick_score_seeds(capsys):
    bench = _load_bench()
    code = bench.main(
        [
            "--quick",
            "--repeats",
            "1",
            "--workloads",
            "W4",
            "--dtypes",
            "float64",
            "--score-seeds",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0

    assert bench.SEEDS_HEADER in out
    table = out.split(bench.SEEDS_HEADER, 1)[1].split("== goals ==", 1)[0]
    rows = [line.split() for line in table.splitlines() if line.strip()]
    libraries = ["skreg", "sklearn"] + (["torch"] if bench.torch_available() else [])
    for library in libraries:
        matching = [row for row in rows if row[:3] == ["W4", "float64", library]]
        assert len(matching) == 1, (library, table)
        seed0, mean, low, high = map(float, matching[0][3:7])
        assert 0.0 <= low <= min(seed0, mean) <= max(seed0, mean) <= high <= 1.0

    goals = out.split("== goals ==", 1)[1]
    assert "W4 float64 |mean score over 2 seeds skreg - sklearn|" in goals
    assert "W4 float64 |score seed 0 skreg - sklearn|" in goals
    assert "info (not a goal)" in goals
    # The time goal and the mean-score goal count; the seed-0 line does not.
    assert re.search(r"^[0-2]/2 goals met$", goals, re.MULTILINE), goals
