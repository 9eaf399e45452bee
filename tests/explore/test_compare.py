"""compare: the diff names exactly the clauses that differ; results folders are reused."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import app
from sim.explore import compare as compare_mod
from sim.explore import paths
from sim.explore.diff import ABSENT, PRESENT, diff
from sim.scenario.loader import load, validate

from .conftest import FLAGSHIP, one_line, runner

CHANGES = {
    "mandate.use_of_force": "defence_of_mandate",
    "mandate.tasks.weapons_decommissioning": False,
    "mandate.tasks.ceasefire_monitoring": True,
    "states.PAK.conformity": 0.3,
    "states.PAK.red_lines.no_disarmament.caveat_ok": True,
    "broker.deadline": 20,
    "broker.concessions.trust_fund.cost": 0.2,
    "veto_players.ISR.threshold": 0.6,
    "decision.bandwagon": 0.3,
    "run.mechanisms.noise": False,
}
GROUPS = {"mandate": 3, "actors": 5, "settings": 2}


@pytest.fixture(scope="module")
def base():
    return load(FLAGSHIP)


def test_diff_names_exactly_the_clauses_that_differ(base) -> None:
    other = paths.apply(base, CHANGES)
    clauses = diff([base, other])
    assert {c.path for c in clauses} == set(CHANGES)
    for c in clauses:
        assert c.values == (paths.get(base, c.path), paths.get(other, c.path))
    assert {g: sum(c.group == g for c in clauses) for g in GROUPS} == GROUPS
    assert [c.group for c in clauses][:3] == ["mandate"] * 3  # mandate first


def test_each_clause_is_found_on_its_own(base) -> None:
    for path, value in CHANGES.items():
        assert [c.path for c in diff([base, paths.apply(base, {path: value})])] == [path]


def test_documentation_is_not_a_clause(base) -> None:
    data = paths.mapping(base)
    data["title"] = "Another title"
    data["description"] = "Another description"
    data["states"]["PAK"]["evidence"] = data["states"]["PAK"]["evidence"][:1]
    data["states"]["PAK"]["judgement"] = {}
    assert diff([base, validate(data)]) == []


def test_an_actor_in_one_scenario_only_is_one_clause(scenario_spec) -> None:
    a = validate(scenario_spec({"PAK": {}, "IDN": {}}))
    b = validate(scenario_spec({"PAK": {}}))
    clauses = diff([a, b])
    assert [(c.path, c.values) for c in clauses] == [("states.IDN", (PRESENT, ABSENT))]


def variant(tmp: Path, name: str, body: str) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(f"extends: {FLAGSHIP}\nname: {name}\n{body}", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> dict:
    """Two variants of 2803 compared once with `forcegen compare` (8 runs each)."""
    tmp = tmp_path_factory.mktemp("compare")
    a = variant(
        tmp,
        "caveats_a",
        "mandate:\n  national_caveats: true\nstates:\n  PAK:\n    conformity: 0.3\n",
    )
    b = variant(tmp, "perimeter_b", "mandate:\n  zone: perimeter\nbroker:\n  deadline: 20\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp)
        result = runner.invoke(app, ["compare", str(a), str(b), "--runs", "8", "--out", "cmp"])
    assert result.exit_code == 0, result.output
    return {"tmp": tmp, "a": a, "b": b, "out": tmp / "cmp", "output": result.output}


def test_compare_writes_the_diff_table_charts_and_results_folders(compared) -> None:
    out = compared["out"]
    d = pd.read_csv(out / "diff.csv")
    assert set(d["clause"]) == {
        "mandate.national_caveats",
        "mandate.zone",
        "states.PAK.conformity",
        "broker.deadline",
    }
    comp = pd.read_csv(out / "comparison.csv")
    assert list(comp["scenario"]) == ["caveats_a", "perimeter_b"]
    assert (comp["p_formed_lo"] <= comp["p_formed"]).all()
    assert (comp["p_formed"] <= comp["p_formed_hi"]).all()
    assert {"p_commit.PAK", "kind.PAK", "acceptance.ISR"} <= set(comp.columns)
    md = (out / "compare.md").read_text()
    for clause in d["clause"]:
        assert f"`{clause}`" in md
    for name in ("compare_commit", "compare_formed", "compare_force", "compare_time"):
        assert (out / "charts" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert f"charts/{name}.png" in md
    for name in ("caveats_a", "perimeter_b"):
        manifest = json.loads((compared["tmp"] / "results" / name / "manifest.json").read_text())
        assert manifest["runs"] == 8


def test_compare_reuses_results_whose_manifest_matches(compared, monkeypatch) -> None:
    def no_running(*_a, **_k):
        raise AssertionError("compare ran a scenario whose results folder matched")

    monkeypatch.setattr(compare_mod, "simulate", no_running)
    monkeypatch.chdir(compared["tmp"])
    args = ["compare", str(compared["a"]), str(compared["b"]), "--runs", "8", "--out", "again"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    first = pd.read_csv(compared["out"] / "comparison.csv")
    again = pd.read_csv(compared["tmp"] / "again" / "comparison.csv")
    assert not first["reused"].any() and again["reused"].all()
    pd.testing.assert_frame_equal(first.drop(columns="reused"), again.drop(columns="reused"))
    # a different run count does not match: that scenario would be run
    result = runner.invoke(app, [*args[:3], "--runs", "9", "--out", "third"])
    assert isinstance(result.exception, AssertionError)
    assert not (compared["tmp"] / "third").exists()


@pytest.mark.parametrize(
    "extra, expected",
    [
        ([], "at least two scenario files"),
        (["{missing}"], "file not found"),
        (["{flagship}", "--runs", "0"], "--runs"),
        (["{flagship}"], "two scenarios are named 'res2803'"),
    ],
)
def test_compare_refusals_are_one_line_exit_2(tmp_path, monkeypatch, extra, expected) -> None:
    monkeypatch.chdir(tmp_path)
    names = {"missing": str(tmp_path / "missing.yaml"), "flagship": str(FLAGSHIP)}
    argv = ["compare", str(FLAGSHIP), *[a.format(**names) for a in extra]]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert expected in one_line(result.output)
    assert list(tmp_path.iterdir()) == []
