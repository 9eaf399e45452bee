"""A `--from` results folder edited by hand, or of another scenario, is refused by
`forcegen sensitivity` and `forcegen discover` alike: one line naming the folder,
the table, the column and row and what was expected, exit status 2, nothing
written. Before, a truncated runs.csv was silently read as fewer runs (discover),
a force written as a word was a traceback, inf or -5000 and an outcome 'victory'
were analysed, a run listed twice counted twice (sensitivity), and sensitivity
read a folder whose manifest names another scenario."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()
DRIVER = "states.PAK.incentives.ties"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A two-state scenario (PAK, IDN) with ranges, and a results folder of 20 of its runs."""
    from tests.conftest import spec

    tmp = tmp_path_factory.mktemp("edited")
    data = spec(
        {
            "PAK": {"offers": {"troops": 3000}, "incentives": {"ties": [-0.6, 0.6]}},
            "IDN": {"offers": {"troops": 2000}, "clarity_threshold": [0.0, 0.5]},
        }
    )
    data["name"] = "tiny"
    scenario = tmp / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    folder = tmp / "runs"
    argv = ["run", str(scenario), "--runs", "20", "--out", str(folder), "--formats", "none"]
    result = runner.invoke(app, [*argv, "--quiet"])
    assert result.exit_code == 0, result.output
    return scenario, folder


def edit(folder: Path, where: Path, name: str, change) -> Path:
    """A copy of the folder's two tables and manifest, with `name` changed by `change`."""
    where.mkdir()
    for file in ("params.csv", "runs.csv", "manifest.json"):
        (where / file).write_bytes((folder / file).read_bytes())
    if name == "manifest.json":
        made = json.loads((where / name).read_text())
        (where / name).write_text(json.dumps(change(made)))
    else:
        table = pd.read_csv(where / name, dtype=str, keep_default_na=False)
        change(table).to_csv(where / name, index=False)
    return where


def cell(column: str, row: int, value: str):
    def change(table: pd.DataFrame) -> pd.DataFrame:
        table.loc[row, column] = value
        return table

    return change


def other_scenario(made: dict) -> dict:
    made["scenario"] = "funded"
    return made


EDITS = {
    "runs cut short": ("runs.csv", lambda t: t.iloc[:12], "run 12 is only in params.csv"),
    "params cut short": ("params.csv", lambda t: t.iloc[:12], "run 12 is only in runs.csv"),
    "no rows": ("runs.csv", lambda t: t.iloc[:0], "runs.csv holds no runs"),
    "a run twice": ("params.csv", cell("run", 1, "0"), "params.csv lists run 0 twice"),
    "outcome a word": (
        "runs.csv",
        cell("outcome", 2, "stalle"),
        "runs.csv, column 'outcome', row 3: expected formed, undersized or stalled, "
        "got 'stalle' (did you mean 'stalled'?)",
    ),
    "force a word": (
        "runs.csv",
        cell("force", 2, "lots"),
        "runs.csv, column 'force', row 3: expected a finite number >= 0, got 'lots'",
    ),
    "force inf": ("runs.csv", cell("force", 4, "inf"), "column 'force', row 5: expected a"),
    "force negative": ("runs.csv", cell("force", 0, "-5000"), "row 1: expected a finite number"),
    "deployed week a word": (
        "runs.csv",
        cell("deployed_week", 0, "soon"),
        "column 'deployed_week', row 1: expected blank or a week >= 0, got 'soon'",
    ),
    "unknown state": (
        "runs.csv",
        cell("coalition", 3, "PAK;PKA"),
        "column 'coalition', row 4: unknown state 'PKA' (did you mean 'PAK'?)",
    ),
    "another scenario": (
        "manifest.json",
        other_scenario,
        "holds results of scenario 'funded', not 'tiny'",
    ),
}


def refused(argv: list[str], out: Path) -> str:
    result = runner.invoke(app, [*argv, "--out", str(out), "--formats", "none"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert not out.exists()
    return lines[0]


@pytest.mark.parametrize("case", list(EDITS))
def test_an_edited_folder_is_refused_by_both_studies(made, tmp_path: Path, case: str) -> None:
    scenario, folder = made
    name, change, expected = EDITS[case]
    edited = edit(folder, tmp_path / "edited", name, change)
    for argv in (
        ["sensitivity", str(scenario), "--from", str(edited), "--outcome", "force"],
        ["discover", str(scenario), "--outcome", "formed", "--from", str(edited)],
    ):
        line = refused(argv, tmp_path / "out")
        assert line.startswith("error: ") and str(edited) in line, line
        assert expected in line, line


def test_a_value_outside_the_scenarios_range_is_refused(made, tmp_path: Path) -> None:
    """sensitivity analyses the drawn values against the scenario's ranges: a value
    drawn from another version of them is refused (discover reads any columns)."""
    scenario, folder = made
    edited = edit(folder, tmp_path / "edited", "params.csv", cell(DRIVER, 6, "0.9"))
    argv = ["sensitivity", str(scenario), "--from", str(edited), "--outcome", "force"]
    line = refused(argv, tmp_path / "out")
    assert f"params.csv, column '{DRIVER}', row 7: 0.9 lies outside this scenario's range" in line
    assert "[-0.6, 0.6]" in line


def test_the_folder_as_written_is_read(made, tmp_path: Path) -> None:
    """The checks refuse only what forcegen run does not write: its own folder passes,
    in any row order, with a stalled run's blank deployed week and coalition."""
    from sim.study.data import check_runs

    scenario, folder = made
    params = pd.read_csv(folder / "params.csv")
    runs = pd.read_csv(folder / "runs.csv", dtype=str, keep_default_na=False)
    runs.loc[0, ["coalition", "deployed_week"]] = ""  # as a run that stalled is written
    runs.loc[0, "outcome"] = "stalled"
    runs["run"] = runs["run"].astype(int)
    check_runs(params, runs.sample(frac=1, random_state=np.random.default_rng(1)), "--from")
    out = tmp_path / "out"
    argv = ["sensitivity", str(scenario), "--from", str(folder), "--outcome", "force"]
    result = runner.invoke(app, [*argv, "--out", str(out), "--formats", "none"])
    assert result.exit_code == 0, result.output
