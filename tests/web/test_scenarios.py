"""The page's list of scenarios without a browser: the shipped files, the teacher's
local files (the folder of the scenario `serve` was given, the working folder's
`scenarios/`), an invalid local file's one-line error, and every other path refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.scenario.errors import ScenarioError
from sim.web import scenarios
from sim.web.server import SCENARIO_ENV

from .browser import ROOT

FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
BAD = "extends: {flagship}\nmandate:\n  use_of_force: sometimes\n"


@pytest.fixture
def teacher(tmp_path, monkeypatch) -> Path:
    """A teacher's folder: class/week3.yaml (given to serve), scenarios/ with a good file,
    an invalid one, a sweep and a note, and a scenario elsewhere that is not listed."""
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "week3.yaml").write_text(f"extends: {FLAGSHIP}\n", encoding="utf-8")
    (tmp_path / "scenarios" / "sweeps").mkdir(parents=True)
    (tmp_path / "scenarios" / "mine.yaml").write_text(
        f"extends: {FLAGSHIP}\nmandate:\n  use_of_force: self_defence\n", encoding="utf-8"
    )
    (tmp_path / "scenarios" / "bad.yaml").write_text(
        BAD.format(flagship=FLAGSHIP), encoding="utf-8"
    )
    (tmp_path / "scenarios" / "sweeps" / "s.yaml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "scenarios" / "notes.txt").write_text("not a scenario\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "other.yaml").write_text(f"extends: {FLAGSHIP}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(SCENARIO_ENV, "class/week3.yaml")
    return tmp_path


def test_local_files_are_listed_after_the_shipped_ones(teacher) -> None:
    assert scenarios.local() == ("class/week3.yaml", "scenarios/bad.yaml", "scenarios/mine.yaml")
    listed = scenarios.listed()
    assert listed[: len(scenarios.shipped())] == scenarios.shipped()
    assert listed[len(scenarios.shipped()) :] == scenarios.local()
    assert "scenarios/isf/res2803.yaml" in listed


def test_a_listed_local_file_opens_by_any_of_its_paths(teacher) -> None:
    assert scenarios.resolve("scenarios/mine.yaml") == "scenarios/mine.yaml"
    assert scenarios.resolve(str(teacher / "scenarios" / "mine.yaml")) == "scenarios/mine.yaml"
    assert scenarios.resolve("./class/../scenarios/mine.yaml") == "scenarios/mine.yaml"
    sc = scenarios.load("scenarios/mine.yaml")
    assert sc.mandate["use_of_force"] == "self_defence"
    assert sc.mandate["use_of_force"] != sim.load(FLAGSHIP).mandate["use_of_force"]


@pytest.mark.parametrize(
    "raw",
    [
        "elsewhere/other.yaml",  # a valid scenario, but not in a listed folder
        "scenarios/sweeps/s.yaml",
        "scenarios/notes.txt",
        "/etc/passwd",
        "../../../../etc/hosts",
        "scenarios/isf/actors.yaml",
    ],
)
def test_anything_not_listed_is_refused(teacher, raw) -> None:
    with pytest.raises(ScenarioError, match="is not one of the shipped scenarios"):
        scenarios.resolve(raw)
    with pytest.raises(ScenarioError, match="is not one of the shipped scenarios"):
        scenarios.load(raw)


def test_an_invalid_local_file_gives_its_one_line_error(teacher) -> None:
    with pytest.raises(ScenarioError) as got:
        scenarios.load("scenarios/bad.yaml")
    with pytest.raises(ScenarioError) as direct:
        sim.load(teacher / "scenarios" / "bad.yaml")
    assert str(got.value) == str(direct.value)
    assert "\n" not in str(got.value) and "use_of_force" in str(got.value)


def test_a_local_file_is_read_again_when_it_changes(teacher) -> None:
    path = teacher / "scenarios" / "bad.yaml"
    with pytest.raises(ScenarioError):
        scenarios.load("scenarios/bad.yaml")
    path.write_text(f"extends: {FLAGSHIP}\n", encoding="utf-8")
    assert scenarios.load("scenarios/bad.yaml").mandate == sim.load(FLAGSHIP).mandate


def test_the_command_line_may_give_any_scenario_file(teacher, monkeypatch) -> None:
    monkeypatch.delenv(SCENARIO_ENV)
    assert scenarios.resolve(Path("elsewhere/other.yaml")) == "elsewhere/other.yaml"
    assert scenarios.resolve(Path(FLAGSHIP)) == "scenarios/isf/res2803.yaml"
    with pytest.raises(ScenarioError, match="use_of_force"):
        scenarios.resolve(Path("scenarios/bad.yaml"))  # validated on the command line
    with pytest.raises(ScenarioError, match="is not one of the shipped scenarios"):
        scenarios.resolve(Path("/etc/passwd"))
    # once given, its folder joins the list (the page resolves the name as text)
    monkeypatch.setenv(SCENARIO_ENV, "elsewhere/other.yaml")
    assert "elsewhere/other.yaml" in scenarios.listed()
    assert scenarios.resolve("elsewhere/other.yaml") == "elsewhere/other.yaml"
