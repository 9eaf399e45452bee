"""forcegen sensitivity: the range that drives the outcome ranks first, a range with
no effect is not told apart from no effect, bad input writes nothing."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario.errors import ScenarioError
from sim.study.sensitivity import Request, run_study

ROOT = Path(__file__).resolve().parents[2]
DRIVER = "states.PAK.incentives.ties"
DUMMY = "states.PAK.clarity_threshold"
runner = CliRunner()


@pytest.fixture
def tiny(tmp_path: Path, scenario_spec) -> Path:
    """PAK alone can form the force; its incentive range decides whether it does.
    Its clarity threshold is a range too, but the mandate is fully clear, so it
    changes nothing."""
    spec = scenario_spec(
        {
            "PAK": {
                "offers": {"troops": 3000},
                "incentives": {"ties": [-0.6, 0.6]},
                "clarity_threshold": [0.0, 0.5],
            }
        }
    )
    spec["name"] = "tiny"
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def study(path: Path, out: Path, **options) -> pd.DataFrame:
    quiet = Console(file=io.StringIO())
    run_study(Request(path, out_dir=out, workers=1, **options), quiet, quiet, quiet=True)
    return pd.read_csv(out / "sensitivity.csv")


def main_rows(table: pd.DataFrame, method: str, index: str, outcome: str = "formed"):
    part = table[(table["method"] == method) & (table["index"] == index)]
    return part[part["outcome"] == outcome].set_index("parameter")


@pytest.mark.parametrize(("method", "index"), [("pawn", "pawn"), ("rbd_fast", "S1")])
def test_given_data_rank_the_driver_first(tiny, tmp_path, method, index) -> None:
    table = study(tiny, tmp_path / "out", methods=[method], outcomes=["formed"], runs=300)
    rows = main_rows(table, method, index)
    assert rows.loc[DRIVER, "rank"] == 1
    assert rows.loc[DRIVER, "distinguishable"]
    assert not rows.loc[DUMMY, "distinguishable"]
    assert rows.loc[DUMMY, "conf_low"] <= rows.loc[DUMMY, "zero_level"]


def test_delta_is_not_applied_to_an_outcome_with_ties(tiny, tmp_path) -> None:
    """SALib's delta drops the slices where a 0/1 outcome is constant: the driver's."""
    out = tmp_path / "out"
    with pytest.raises(
        ScenarioError, match=r"nothing to analyse: formed \(delta\): one value in more"
    ):
        study(tiny, out, methods=["delta"], outcomes=["formed"], runs=100)
    assert not out.exists()


def test_sobol_scores_a_range_with_no_effect_exactly_zero(tiny, tmp_path) -> None:
    table = study(tiny, tmp_path / "out", methods=["sobol"], groups="none", runs=64)
    for index in ("S1", "ST"):
        rows = main_rows(table, "sobol", index)
        assert rows.loc[DRIVER, "distinguishable"], index
        assert rows.loc[DUMMY, "conf_low"] <= 0 <= rows.loc[DUMMY, "conf_high"]
        assert not rows.loc[DUMMY, "distinguishable"]
    assert main_rows(table, "sobol", "ST").loc[DUMMY, "value"] == 0


def test_morris_ranks_the_driver_first(tiny, tmp_path) -> None:
    table = study(tiny, tmp_path / "out", methods=["morris"], outcomes=["formed"], runs=20)
    rows = main_rows(table, "morris", "mu_star")
    assert rows.loc[DRIVER, "rank"] == 1 and rows.loc[DRIVER, "distinguishable"]
    assert rows.loc[DUMMY, "value"] == 0


def test_the_folder_holds_table_words_chart_and_provenance(tiny, tmp_path) -> None:
    out = tmp_path / "out"
    table = study(tiny, out, methods=["pawn"], runs=200)
    names = {p.name for p in out.iterdir()}
    assert {"sensitivity.csv", "sensitivity.md", "sensitivity.png", "manifest.json"} <= names
    assert {"outcome", "method", "parameter", "actor", "index", "value"} <= set(table.columns)
    assert {"conf_low", "conf_high", "low", "high", "distinguishable"} <= set(table.columns)
    row = table[table["parameter"] == DRIVER].iloc[0]
    assert (row["low"], row["high"], row["actor"]) == (-0.6, 0.6, "states.PAK")
    assert set(table["outcome"]) >= {"formed", "force", "commit.PAK"}
    text = (out / "sensitivity.md").read_text(encoding="utf-8")
    assert "not distinguishable" in text or "None of the" in text


def test_from_a_results_folder(tiny, tmp_path) -> None:
    folder = tmp_path / "runs"
    assert (
        runner.invoke(app, ["run", str(tiny), "--runs", "200", "--out", str(folder)]).exit_code == 0
    )
    out = tmp_path / "out"
    args = ["sensitivity", str(tiny), "--from", str(folder), "--outcome", "commit.pak"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["outcome"]) == {"commit.PAK"}
    assert main_rows(table, "pawn", "pawn", "commit.PAK").loc[DRIVER, "rank"] == 1
    # a params.csv edited by hand: a word, inf or an empty cell is refused, naming the cell
    params = pd.read_csv(folder / "params.csv", dtype=str)
    for value, said in (("abc", "'abc'"), ("inf", "inf"), ("", "nan")):
        edited = params.copy()
        edited.loc[1, DRIVER] = value
        edited.to_csv(folder / "params.csv", index=False)
        line = refused([*args, "--method", "pawn"], tmp_path / "edited")
        assert f"params.csv, column '{DRIVER}', row 2: expected a finite number, got {said}" in line


def refused(args: list[str], out: Path) -> str:
    """The one line of a refusal; nothing written."""
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_bad_input_is_refused_in_one_line(tiny, tmp_path, scenario_spec) -> None:
    out = tmp_path / "out"
    t = str(tiny)
    assert "did you mean 'delta'" in refused(["sensitivity", t, "--method", "dleta"], out)
    assert "did you mean 'pawn'" in refused(["sensitivity", t, "--method", "pwan"], out)
    assert "did you mean 'formed'" in refused(["sensitivity", t, "--outcome", "fromed"], out)
    assert "unknown state" in refused(["sensitivity", t, "--outcome", "commit.XXX"], out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no params.csv" in refused(["sensitivity", t, "--from", str(empty)], out)
    big = ["sensitivity", t, "--method", "sobol", "--runs", "1000000"]
    assert "above the cap" in refused(big, out)
    assert "sobol and morris only" in refused(["sensitivity", t, "--groups", "actor"], out)
    fixed = scenario_spec({"PAK": {}})
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(fixed), encoding="utf-8")
    line = refused(["sensitivity", str(path)], out)
    assert "nothing to analyse: the scenario has no [low, high] ranges" in line


def test_a_design_is_bound_by_the_runs_every_command_shares(tiny) -> None:
    """A design may cost what a sweep or a what-if may (`sim.limits.MAX_TOTAL_RUNS`):
    Morris over tiny's two ranges costs 3 runs a trajectory, so the most trajectories
    are taken and one more is refused, naming the shared bound."""
    from sim import limits
    from sim.study import design
    from sim.study.sensitivity import check, design_costs, load

    assert not hasattr(design, "CAP")  # no second number for the same bound
    most = limits.MAX_TOTAL_RUNS // 3
    req = check(Request(tiny, methods=["morris"], groups="none", runs=most))
    C = load(req)
    names = ["states.PAK.clarity_threshold", DRIVER]
    assert design_costs(req, C, names) == {"morris": 3 * most}
    req.runs = most + 1
    with pytest.raises(ScenarioError) as caught:
        design_costs(req, C, names)
    assert str(caught.value) == (
        f"--runs: morris would cost {3 * most + 3:,} runs, above the cap of "
        f"{limits.MAX_TOTAL_RUNS:,}; lower --runs (try --groups actor)"
    )


def test_a_users_folder_is_left_alone(tiny, tmp_path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["sensitivity", str(tiny), "--out", str(out)])
    assert result.exit_code == 2
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


SHELL = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
SMALL = {"--runs": "64"}


def doc_commands() -> list[str]:
    text = (ROOT / "docs" / "study.md").read_text(encoding="utf-8")
    section = text.split("## Sensitivity", 1)[1].split("\n## ", 1)[0]
    lines = [ln.strip() for block in SHELL.findall(section) for ln in block.splitlines()]
    return [ln for ln in lines if ln.startswith("forcegen ")]


def test_the_docs_examples_run(tmp_path, monkeypatch) -> None:
    """Each `forcegen` line of the section runs as written, with small run counts and
    folders under tmp_path (a folder an earlier line writes is read by a later one)."""
    commands = doc_commands()
    assert any(c.startswith("forcegen sensitivity") for c in commands)
    monkeypatch.chdir(ROOT)
    for command in commands:
        args = shlex.split(command)[1:]
        args = [SMALL.get(args[i - 1], a) if i else a for i, a in enumerate(args)]
        args = [str(tmp_path / a) if a.startswith("results/") else a for a in args]
        if "--out" not in args:
            args += ["--out", str(tmp_path / "default")]
        result = runner.invoke(app, [*args, "--formats", "none"])  # the commands, not charts
        assert result.exit_code == 0, (command, result.output)


def test_p_deployed_is_an_outcome_where_the_runs_say_when_contingents_arrived() -> None:
    import pandas as pd

    from sim.study.outcomes import outcome_column
    from sim.study.sensitivity import default_outcomes

    runs = pd.DataFrame(
        {
            "outcome": ["formed", "undersized", "formed", "stalled"],
            "force": [1.0, 1.0, 1.0, 0.0],
            "coalition": ["AAA", "AAA", "AAA", ""],
            "deployed_week": pd.array([5, 9, pd.NA, pd.NA], dtype="Int64"),
        }
    )
    assert outcome_column(runs, "deployed", ["AAA"]).tolist() == [1.0, 1.0, 0.0, 0.0]
    # read back from a CSV, a run where none arrived is blank, not missing
    blank = runs.assign(deployed_week=["5", "9", "", ""])
    assert outcome_column(blank, "deployed", ["AAA"]).tolist() == [1.0, 1.0, 0.0, 0.0]
    assert "deployed" in default_outcomes(runs, ["AAA"])
    assert "deployed" not in default_outcomes(runs.drop(columns="deployed_week"), ["AAA"])
