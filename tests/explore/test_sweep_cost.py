"""A sweep's runs in all (points x runs per point) are bounded by the limit a what-if
shares (`sim.limits.MAX_TOTAL_RUNS`): a sweep above it is refused in one line naming the
file and where its points and runs come from, before any point is built, run, cached or
written. Nothing here runs a simulation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim import limits
from sim.cli import app
from sim.explore import whatif
from sim.explore.sweep_file import load_sweep
from sim.scenario.errors import ScenarioError
from sim.study import robust

from .conftest import one_line, runner

TARGETS = {"from": 1000, "to": 2000, "steps": 100}
FORCE = ["self_defence", "defence_of_mandate", "enforcement"]  # 100 x 3 = 300 points


@pytest.fixture
def base(tmp_path: Path, scenario_spec) -> Path:
    """A small base scenario (one state, run.runs 10,000)."""
    data = scenario_spec()
    data["run"]["runs"] = 10_000
    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def sweep(tmp_path: Path, base: Path, **fields) -> Path:
    """A sweep file over the broker's target and the use of force, `fields` added."""
    grid = [
        {"path": "broker.target", "values": TARGETS},
        {"path": "mandate.use_of_force", "values": FORCE},
    ]
    axes = fields.pop("axes", grid)
    data = {"base": str(base), **fields, "axes": axes}
    path = tmp_path / "costly.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def refused(tmp_path: Path, file: Path, *fragments: str, options: tuple = ()) -> str:
    """Exit 2, one line naming the file and each fragment; the --out folder (empty, given)
    stays empty and no cache is made."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    argv = ["sweep", str(file), *options, "--out", str(out), "--cache", str(cache)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    line = one_line(result.output)
    assert line.startswith(f"error: {file}: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert list(out.iterdir()) == [] and not cache.exists()
    return line


def test_a_grid_over_the_bound_is_refused_before_anything_is_written(tmp_path, base) -> None:
    refused(
        tmp_path,
        sweep(tmp_path, base, runs=10_000),
        "axes, runs: 300 points x 10,000 runs each (the file's runs) = 3,000,000 runs",
        f"a sweep runs at most {limits.MAX_TOTAL_RUNS:,}",
        "lower runs or give fewer values (or --steps) on its axes",
    )


def test_runs_from_the_command_line_are_named(tmp_path, base) -> None:
    refused(
        tmp_path,
        sweep(tmp_path, base, runs=5),
        "axes, --runs: 300 points x 7,000 runs each (--runs) = 2,100,000 runs",
        "lower --runs",
        options=("--runs", "7000"),
    )


def test_runs_from_the_base_are_named(tmp_path, base) -> None:
    refused(
        tmp_path,
        sweep(tmp_path, base),
        "axes, base: 300 points x 10,000 runs each (the base's run.runs) = 3,000,000 runs",
    )


def test_a_latin_hypercube_names_its_samples(tmp_path, base) -> None:
    refused(
        tmp_path,
        sweep(tmp_path, base, runs=10_000, design="lhs", samples=201),
        "samples, runs: 201 points x 10,000 runs each",
        "give fewer samples",
    )


def test_at_the_bound_a_sweep_loads_and_one_run_more_is_refused(tmp_path, base) -> None:
    axes = [
        {"path": "broker.target", "values": [1000, 2000]},
        {"path": "mandate.use_of_force", "values": FORCE[:2]},
    ]  # 4 points
    file = sweep(tmp_path, base, axes=axes)
    each = limits.MAX_TOTAL_RUNS // 4
    assert len(load_sweep(file, runs=each).points) == 4
    with pytest.raises(ScenarioError) as caught:
        load_sweep(file, runs=each + 1)
    assert caught.value.file == str(file)
    assert caught.value.path == "axes, --runs"


def test_a_what_if_a_robust_study_and_a_sweep_share_the_bound() -> None:
    assert whatif.MAX_RUNS is robust.MAX_RUNS is limits.MAX_TOTAL_RUNS == 2_000_000


def test_a_robust_study_above_the_shared_bound_is_refused_in_one_line() -> None:
    """2.4 million runs (4 candidates × 10,000 worlds × 60 runs) is more than any other
    command may ask for; robust refuses it too, naming both settings and the bound."""
    robust.check_cost(4, 10_000, 50)  # 2,000,000: allowed
    with pytest.raises(ScenarioError) as caught:
        robust.check_cost(4, 10_000, 51)
    assert "= 2,040,000 runs; robust runs at most 2,000,000" in str(caught.value)
    assert caught.value.path == "--worlds × --runs-per-world"
