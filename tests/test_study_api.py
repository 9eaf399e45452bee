"""The studies from Python (docs/api.md): sim.sensitivity, sim.discover, sim.robust
give what their commands write, through the same code, and refuse bad input
with the command's one line, naming the keyword argument where the command names
its option."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.study.methods import given_problem, pawn_median

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
ROBUST = ROOT / "scenarios" / "sweeps" / "robust_mandates.yaml"
RUNS = 200
runner = CliRunner()


@pytest.fixture(scope="module")
def results() -> sim.Results:
    return sim.run(FLAGSHIP, runs=RUNS)


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refusal(*args: str) -> str:
    """The one line a command prints when it refuses (without 'error: ')."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert line.startswith("error: ")
    return line.removeprefix("error: ")


def as_typed(line: str, option: str, argument: str) -> str:
    """The command's refusal as the API words it: the keyword argument named where the
    command names its option, and no option left."""
    assert option in line, line
    said = line.replace(option, argument)
    assert "--" not in said, said
    return said


def manifest_command(folder: Path) -> list[str]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["command"]


def same_folder(mine: Path, theirs: Path, table: str) -> None:
    """The same table bytes; the manifest's command differs only by --out."""
    assert (mine / table).read_bytes() == (theirs / table).read_bytes()
    a, b = manifest_command(mine), manifest_command(theirs)
    a[a.index("--out") + 1] = b[b.index("--out") + 1] = "OUT"
    assert a == b


def test_names_are_lazy_and_import_sim_stays_light() -> None:
    assert {"sensitivity", "discover", "robust"} <= set(dir(sim))
    code = (
        "import sys, sim; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('SALib', 'scipy', 'numpy', 'pandas', 'matplotlib')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sensitivity_on_given_results_is_the_commands_study(results, tmp_path) -> None:
    study = sim.sensitivity(results, outcome="formed")
    assert set(study.table["method"]) == {"pawn"} and study.outcomes == ["formed"]
    assert study.runs == {"given": RUNS}
    fresh = sim.sensitivity(FLAGSHIP, outcome="formed", runs=RUNS)  # run here, same seed
    pd.testing.assert_frame_equal(study.table, fresh.table)
    top = study.top()
    assert len(top) == 10 and list(top["rank"]) == list(range(1, 11))
    assert top["parameter"].isin(results.params.columns).all()
    mine = study.save(tmp_path / "api")
    theirs = tmp_path / "cli"
    cli(
        "sensitivity",
        str(FLAGSHIP),
        "--method",
        "pawn",
        "--outcome",
        "formed",
        "--runs",
        str(RUNS),
        "--out",
        str(theirs),
    )
    same_folder(mine, theirs, "sensitivity.csv")
    assert (mine / "sensitivity.md").read_text() == (theirs / "sensitivity.md").read_text()
    assert "## P(formed): PAWN (given data)" in study.text


def test_sensitivity_sobol_design_and_figure(tmp_path) -> None:
    study = sim.sensitivity(FLAGSHIP, method="sobol", outcome="formed_or_undersized", runs=4)
    assert set(study.table["index"]) == {"S1", "ST"}
    assert study.runs == {"sobol": 4 * 24}
    open_before = plt.get_fignums()
    fig = study.figure()
    assert isinstance(fig, Figure) and plt.get_fignums() == open_before
    assert "P(formed or undersized)" in fig.axes[0].get_title(loc="left")
    # An outcome that is the same in every base sample has no Sobol index: refused,
    # with what to do, not analysed into zeros.
    with pytest.raises(sim.ScenarioError, match=r"same in every base sample.*raise runs$"):
        sim.sensitivity(FLAGSHIP, method="sobol", outcome="formed", runs=4)


def test_sensitivity_refuses_as_the_command_does(results, tmp_path) -> None:
    out = str(tmp_path / "never")
    for kwargs, args, named in [
        ({"method": "pwan"}, ["--method", "pwan"], "method"),
        ({"outcome": "fromed"}, ["--outcome", "fromed"], "outcome"),
        ({"runs": 0}, ["--runs", "0"], "runs"),
        (
            {"method": "sobol", "groups": "nope"},
            ["--method", "sobol", "--groups", "nope"],
            "groups",
        ),
    ]:
        with pytest.raises(sim.ScenarioError) as caught:
            sim.sensitivity(FLAGSHIP, **kwargs)
        line = refusal("sensitivity", str(FLAGSHIP), *args, "--out", out)
        assert str(caught.value) == as_typed(line, f"--{named}", named)
    with pytest.raises(sim.ScenarioError, match="sobol runs at points it chooses"):
        sim.sensitivity(results, method="sobol")
    with pytest.raises(sim.ScenarioError, match="given results hold their runs"):
        sim.sensitivity(results, runs=100)
    with pytest.raises(sim.ScenarioError, match="expected a whole number"):
        sim.sensitivity(FLAGSHIP, runs=2.5)
    assert not Path(out).exists()


def test_pawn_is_salibs_pawn() -> None:
    """The array PAWN gives SALib's numbers, ties and all, to the last bits of a float
    (SciPy's versions on 3.11 and 3.12 sum the same terms in different orders)."""
    from SALib.analyze import pawn as salib_pawn

    rng = np.random.default_rng(3)
    X = np.column_stack([rng.random(300), rng.integers(0, 4, 300), rng.random(300)])
    for y in (X[:, 0] > 0.4, np.round(X[:, 0] * 3 + rng.random(300), 1)):
        y = y.astype(float)
        names = ["a", "b", "c"]
        expected = salib_pawn.analyze(given_problem(names, X), X, y, S=10)["median"]
        np.testing.assert_allclose(pawn_median(X, y), expected, rtol=1e-12, atol=1e-15)


def test_discover_on_given_results_is_the_commands(results, tmp_path) -> None:
    found = sim.discover(results, outcome="stalled")
    assert found.outcome == "stalled"
    assert found.text.startswith(f"In all {RUNS} runs the force stalls in ")
    assert found.describe() == found.text
    assert {"box", "stage", "parameter", "density", "coverage"} <= set(found.table.columns)
    assert 0 <= found.base_rate <= 1
    assert isinstance(found.figure(), Figure)
    mine = found.save(tmp_path / "api")
    theirs = tmp_path / "cli"
    printed = cli(
        "discover",
        str(FLAGSHIP),
        "--outcome",
        "stalled",
        "--runs",
        str(RUNS),
        "--seed",
        "2803",
        "--out",
        str(theirs),
    )
    same_folder(mine, theirs, "boxes.csv")
    assert (mine / "trajectory.csv").read_bytes() == (theirs / "trajectory.csv").read_bytes()
    assert " ".join(found.text.split()) in " ".join(printed.split())
    with pytest.raises(sim.ScenarioError) as caught:
        sim.discover(FLAGSHIP, outcome="force")
    line = refusal("discover", str(FLAGSHIP), "--outcome", "force", "--out", str(tmp_path / "x"))
    assert str(caught.value) == as_typed(line, "--outcome", "outcome")
    with pytest.raises(sim.ScenarioError, match="leave them out with given results"):
        sim.discover(results, runs=10)


def test_discover_refuses_too_few_runs_as_the_command_does(tmp_path) -> None:
    """10 runs of the flagship form the force twice: more runs is the way out, named as
    the caller gives them (`runs`, `--runs`)."""
    with pytest.raises(sim.ScenarioError) as caught:
        sim.discover(FLAGSHIP, outcome="formed", runs=10)
    assert str(caught.value) == (
        "too few runs to discover from: formed happens in 2 of 10 runs "
        "(at least 5 needed; try more runs)"
    )
    args = ["--outcome", "formed", "--runs", "10", "--out", str(tmp_path / "x")]
    line = refusal("discover", str(FLAGSHIP), *args)
    assert str(caught.value) == as_typed(line, "--runs", "runs")


def test_discover_refuses_runs_the_file_does_not_take_naming_the_file(tmp_path) -> None:
    """As `forcegen discover` and `sim.run` do: the file and its field (it named the
    scenario's name, the scenario having been handed on to `sim.run` as loaded)."""
    with pytest.raises(sim.ScenarioError) as caught:
        sim.discover(FLAGSHIP, runs=10**7)
    assert str(caught.value).startswith(f"{FLAGSHIP}: run.runs: Input should be less than")
    args = ["--outcome", "stalled", "--runs", str(10**7), "--out", str(tmp_path / "x")]
    assert str(caught.value) == refusal("discover", str(FLAGSHIP), *args)


def test_robust_is_the_commands_ranking(tmp_path) -> None:
    ranking = sim.robust(ROBUST, worlds=4, runs_per_world=3, criterion="regret")
    assert len(ranking.table) == 4 and list(ranking.table["rank"]) == [1, 2, 3, 4]
    assert len(ranking.worlds) == 4 * 4
    assert ranking.text.splitlines()[0].startswith("1. ")
    assert isinstance(ranking.figure(), Figure)
    mine = ranking.save(tmp_path / "api")
    theirs = tmp_path / "cli"
    cli(
        "robust",
        str(ROBUST),
        "--worlds",
        "4",
        "--runs-per-world",
        "3",
        "--criterion",
        "regret",
        "--workers",
        "1",
        "--out",
        str(theirs),
    )
    same_folder(mine, theirs, "robust.csv")
    assert (mine / "worlds.csv").read_bytes() == (theirs / "worlds.csv").read_bytes()
    with pytest.raises(sim.ScenarioError) as caught:
        sim.robust(ROBUST, criterion="regert")
    line = refusal("robust", str(ROBUST), "--criterion", "regert", "--out", str(tmp_path / "x"))
    assert str(caught.value) == as_typed(line, "--criterion", "criterion")
    with pytest.raises(sim.ScenarioError, match="expected a whole number >= 2"):
        sim.robust(ROBUST, worlds=1)
