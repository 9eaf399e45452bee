"""What an ensemble keeps for all its runs is bounded (`sim.limits.MAX_RECORDED`): each run's
drawn values, its weekly force and acceptances and its row, times the runs. A scenario
above it is refused in one line naming run.runs and the most runs it may have, before
anything runs; the flagship's largest ensemble (MAX_RUNS) stays allowed. Nothing here
runs a simulation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from in_process import refused
from shipped import runnable
from state_ids import code

from sim.limits import MAX_RECORDED, MAX_RUNS
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load, override, validate
from sim.scenario.references import recorded_per_run

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"


@pytest.mark.parametrize("path", runnable(), ids=lambda p: p.name)
def test_the_drawn_values_counted_are_those_a_run_draws(path: Path) -> None:
    sc = load(path)
    assert recorded_per_run(sc)[1] == len(compile_scenario(sc).ranges)


@pytest.fixture
def ranged(scenario_spec) -> dict:
    """150 states, each drawing two values a run (its risk tolerance and conformity)."""
    states = {code(i): {"risk_tolerance": [0.2, 0.8], "conformity": [0.0, 0.4]} for i in range(150)}
    return scenario_spec(states)


def most_runs(data: dict) -> int:
    per_run, drawn = recorded_per_run(validate(data))
    assert drawn == 300 and per_run > MAX_RECORDED // MAX_RUNS  # the bound falls below MAX_RUNS
    return MAX_RECORDED // per_run


def write(path: Path, data: dict, runs: int) -> Path:
    data["run"]["runs"] = runs
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_one_run_over_the_bound_is_refused_in_one_line(forcegen, tmp_path, ranged) -> None:
    most = most_runs(ranged)
    per_run = recorded_per_run(validate(ranged))[0]
    file = write(tmp_path / "wide.yaml", ranged, most + 1)
    refused(
        forcegen("validate", file),
        f"error: {file}: run.runs: {most + 1:,} runs x {per_run:,} values kept a run ",
        "(300 drawn values, ",
        f"= {(most + 1) * per_run:,}; an ensemble keeps at most {MAX_RECORDED:,}",
        f"at most {most:,} runs of this scenario",
    )


def test_runs_given_on_the_command_line_are_refused_before_anything_is_written(
    forcegen, tmp_path, ranged, monkeypatch
) -> None:
    import sim.engine.ensemble as ensemble

    def ran(*_a, **_k):
        raise AssertionError("the ensemble started: the run count was not refused")

    monkeypatch.setattr(ensemble, "record", ran)  # a failure here, not 900,000 runs
    most = most_runs(ranged)
    file = write(tmp_path / "wide.yaml", ranged, 10)
    out = tmp_path / "out"
    argv = ("run", file, "--runs", str(most + 1), "--formats", "none", "--out", out)
    refused(forcegen(*argv), f"error: {file}: run.runs: {most + 1:,} runs x ")
    assert not out.exists()


def test_at_the_bound_is_accepted(forcegen, tmp_path, ranged) -> None:
    file = write(tmp_path / "wide.yaml", ranged, most_runs(ranged))
    code_, _out, err = forcegen("validate", file)
    assert code_ == 0, err


def test_the_flagships_largest_ensemble_stays_allowed() -> None:
    # 155 drawn values, the force and two veto players' acceptance over 30 weeks, 16
    assert recorded_per_run(load(FLAGSHIP)) == (155 + 3 * 30 + 16, 155)
    sc = override(load(FLAGSHIP), runs=MAX_RUNS)
    assert sc.run.runs * recorded_per_run(sc)[0] <= MAX_RECORDED
    with pytest.raises(ScenarioError, match=r"run\.runs"):
        override(load(FLAGSHIP), runs=MAX_RUNS + 1)  # the schema's own bound
