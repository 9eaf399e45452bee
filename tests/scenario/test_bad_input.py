"""Bad input is refused with one line naming the file and the field path."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load

ISF = Path(__file__).resolve().parents[2] / "scenarios" / "isf"


def variant(tmp_path: Path, body: str, name: str = "variant.yaml") -> Path:
    """A scenario file that extends the flagship and changes what `body` says."""
    path = tmp_path / name
    path.write_text(f"extends: {ISF / 'res2803.yaml'}\n{body}", encoding="utf-8")
    return path


CASES = {
    "unknown key": (
        "states:\n  PAK:\n    domestic_oposition: 0.5\n",
        "states.PAK.domestic_oposition",
        "did you mean 'domestic_opposition'?",
    ),
    "misspelt term": (
        "mandate:\n  use_of_forse: enforcement\n",
        "mandate.use_of_forse",
        "did you mean 'use_of_force'?",
    ),
    "misspelt task": (
        "mandate:\n  tasks: {add: [weapons_decomissioning]}\n",
        "mandate.tasks",
        "did you mean 'weapons_decommissioning'?",
    ),
    "misspelt level": (
        "mandate:\n  use_of_force: enforcment\n",
        "mandate.use_of_force",
        "did you mean 'enforcement'?",
    ),
    "misspelt bloc": (
        "states:\n  PAK:\n    blocs: [oics]\n",
        "states.PAK.blocs[0]",
        "did you mean 'oic'?",
    ),
    "misspelt vetoed actor": (
        "veto_players:\n  ISR:\n    vetoes: [TUK]\n",
        "veto_players.ISR.vetoes[0]",
        "did you mean 'TUR'?",
    ),
    "negative capacity": (
        "states:\n  PAK:\n    offers: {troops: -5}\n",
        "states.PAK.offers.troops",
        ">= 0",
    ),
    "clarity above 1": ("mandate:\n  clarity: 1.5\n", "mandate.clarity", "[0, 1]"),
    "zero runs": ("run:\n  runs: 0\n", "run.runs", "greater than or equal to 1"),
    "too many runs": ("run:\n  runs: 100000000\n", "run.runs", "less than or equal to"),
    "undefined kind": (
        "force:\n  counts: [troop]\n",
        "force.counts",
        "did you mean 'troops'?",
    ),
    "undefined concession term": (
        "broker:\n  concessions:\n    - {id: x, change: {zones: border_only}}\n",
        "broker.concessions[0].change.zones",
        "did you mean 'zone'?",
    ),
    "veto requirement on the world": (
        "veto_players:\n  ISR:\n    requires: [{id: x, requires: ceasefire_holding}]\n",
        "veto_players.ISR.requires[0]",
        "not a world condition",
    ),
    "two initial offers": (
        "states:\n  IDN:\n    offers: {troops: 100, medical: 50}\n"
        "    initial_offer: {troops: 100, medical: 50}\n",
        "states.IDN.initial_offer",
        "or a 'package' that lists its kinds",
    ),
    "initial offer outside the package": (
        "states:\n  ITA:\n    initial_offer: {formed_police: 140, troops: 200}\n",
        "states.ITA.initial_offer.troops",
        "'troops' is not in its package",
    ),
    "range upside down": (
        "states:\n  PAK:\n    conformity: [0.9, 0.1]\n",
        "states.PAK.conformity",
        "range low",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_path_and_hint(tmp_path: Path, case: str) -> None:
    body, path, hint = CASES[case]
    file = variant(tmp_path, body)
    with pytest.raises(ScenarioError) as exc:
        load(file)
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith(str(file)), text
    assert path in text, text
    assert hint in text, text


def test_object_constructing_yaml_tag_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "evil.yaml"
    file.write_text("title: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="tags that construct objects"):
        load(file)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found") as exc:
        load(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(exc.value)


def test_missing_parent_is_named(tmp_path: Path) -> None:
    file = tmp_path / "child.yaml"
    file.write_text("extends: parent.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"extends a missing file 'parent\.yaml'"):
        load(file)


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="cycle"):
        load(tmp_path / "a.yaml")


SCENARIOS = ISF.parent


@pytest.mark.parametrize("command", [["run"], ["validate"], ["explain", "--state", "PAK"]])
def test_a_sweep_file_given_as_a_scenario_is_named_as_one(tmp_path: Path, command) -> None:
    """`forcegen run sweep.yaml` says what the file is and which command reads it, not
    that a scenario's first required field is missing."""
    from typer.testing import CliRunner

    from sim.cli import app

    sweep = SCENARIOS / "sweeps" / "target_x_deadline.yaml"
    args = [command[0], str(sweep), *command[1:]]
    args += ["--out", str(tmp_path / "o")] if command == ["run"] else []
    result = CliRunner().invoke(app, args)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert lines == [
        f"error: {sweep}: a sweep file (it has 'base' and 'axes'), not a scenario file: "
        "run it with 'forcegen sweep'"
    ]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("scenario", ["isf/res2803.yaml", "unifil2006/unifil2006.yaml"])
def test_a_scenario_file_given_as_a_sweep_is_named_as_one(tmp_path: Path, scenario) -> None:
    from sim.explore.sweep_file import load_sweep

    with pytest.raises(ScenarioError) as info:
        load_sweep(SCENARIOS / scenario)
    assert str(info.value) == (
        f"{SCENARIOS / scenario}: a scenario file, not a sweep file (a sweep file has 'base' "
        "and 'axes'): run it with 'forcegen run', or name it as a sweep file's 'base'"
    )
    # a sweep file with a misspelt field is still told which one
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {SCENARIOS / scenario}\naxis: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="did you mean 'axes'"):
        load_sweep(bad)
