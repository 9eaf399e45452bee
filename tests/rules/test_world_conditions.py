"""World conditions: red lines on the world, not the mandate (`world:`).

A keen contributor (payoff 0.6, alone well short of the 5,000 target, so the
run goes on to the deadline) has one red line: it requires a declared
condition, "Hamas has agreed to disarm". The condition comes true on a
schedule (week 4), by a weekly hazard, or when the broker makes the
concession `talks`. The states see it as it stood at the end of the previous
week. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim.analysis.words import requirement
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

LABEL = "Hamas has agreed to disarm"
NEEDS_DISARMAMENT = {"id": "disarmed_first", "requires": "disarmament"}
KEEN = {"incentives": {"ties": 0.6}, "red_lines": [NEEDS_DISARMAMENT]}
SHORT = {"target": 5000, "minimum_viable": 4000}
TALKS = {"id": "talks", "change": {"tasks": {"add": ["police_training"]}}, "cost": 0.05}

WEEK = 4


def world(**fields) -> dict:
    return {"disarmament": {"label": LABEL, **fields}}


SCHEDULED = {"states": {"PAK": KEEN}, "broker": SHORT, "world": world(from_week=WEEK)}
HAZARD = {"states": {"PAK": KEEN}, "broker": SHORT, "world": world(hazard=[0.05, 0.3])}
NEVER = {"states": {"PAK": KEEN}, "broker": SHORT, "world": world(hazard=0.0)}
CERTAIN = {"states": {"PAK": KEEN}, "broker": SHORT, "world": world(hazard=1.0)}
CONCEDED = {
    "states": {"PAK": KEEN},
    "broker": dict(SHORT, concessions=[TALKS]),
    "world": world(by_concession="talks"),
}
SWITCHED_OFF = dict(SCHEDULED, world_conditions=False)


class TestWorldConditionScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "scheduled": SCHEDULED,
        "hazard range": HAZARD,
        "by concession": CONCEDED,
        "switch off": SWITCHED_OFF,
    }


def committed_weeks(tables) -> np.ndarray:
    s = tables["states"]
    return s.loc[s["stance"] == "committed", "round"].to_numpy()


def first_week_true(tables) -> np.ndarray:
    r = tables["rounds"]
    return r[r["world.disarmament"]].groupby("run")["round"].min().to_numpy()


def test_a_state_stays_out_until_the_scheduled_condition_holds(scenario, simulate):
    t = simulate(scenario(**SCHEDULED), runs=100, seed=17)
    r = t["rounds"]
    assert (r["world.disarmament"] == (r["round"] >= WEEK)).all()
    # It sees the condition from the week after; never committed before then ...
    assert committed_weeks(t).min() > WEEK
    # ... and committed by the deadline in most runs once it holds.
    last = t["states"].groupby("run").last()
    assert (last["stance"] == "committed").mean() > 0.9


def test_while_the_condition_is_false_the_red_line_binds(scenario, simulate):
    t = simulate(scenario(**NEVER), runs=50, seed=17)
    assert not t["rounds"]["world.disarmament"].any()
    assert len(committed_weeks(t)) == 0
    assert (t["states"]["binding_red_line"] == "disarmed_first").all()


def test_a_hazard_of_one_fires_in_week_one(scenario, simulate):
    t = simulate(scenario(**CERTAIN), runs=50, seed=17)
    assert (first_week_true(t) == 1).all()
    assert len(first_week_true(t)) == 50


def test_a_hazard_range_is_drawn_per_run_and_recorded(scenario, simulate):
    t = simulate(scenario(**HAZARD), runs=200, seed=17)
    drawn = t["params"]["world.disarmament.hazard"]
    assert drawn.between(0.05, 0.3).all() and drawn.std() > 0.03
    first = first_week_true(t)
    # Weekly chances of 5-30% over 12 weeks: true by the deadline in most runs,
    # but at various weeks, and in some runs not at all.
    assert 0.6 < len(first) / 200 < 1.0
    assert len(set(first)) > 5
    # Once true, it stays true.
    r = t["rounds"].sort_values(["run", "round"])
    assert (r.groupby("run")["world.disarmament"].diff().fillna(0) >= 0).all()


def test_a_condition_set_by_a_concession_holds_from_the_week_after(scenario, simulate):
    t = simulate(scenario(**CONCEDED), runs=50, seed=17)
    runs = t["runs"]
    # The state demands the concession that meets its red line, and the broker makes it.
    assert runs["concessions"].str.startswith("talks@").all()
    made = runs["concessions"].str.split("@").str[1].astype(int).to_numpy()
    assert (first_week_true(t) == made).all()
    s = t["states"]
    week_of = dict(zip(runs["run"], made, strict=True))
    before = s[s["round"] <= s["run"].map(week_of)]
    after = s[s["round"] > s["run"].map(week_of)]
    assert (before["binding_red_line"] == "disarmed_first").all()
    assert (after["binding_red_line"] == "").all()
    assert (runs["force"] > 0).mean() > 0.9


def test_with_the_switch_off_a_condition_keeps_its_initial_value(scenario, simulate):
    t = simulate(scenario(**SWITCHED_OFF), runs=50, seed=17)
    assert not t["rounds"]["world.disarmament"].any()
    assert len(committed_weeks(t)) == 0
    held = dict(SWITCHED_OFF, world=world(from_week=WEEK, initially=True))
    t = simulate(scenario(**held), runs=50, seed=17)
    assert t["rounds"]["world.disarmament"].all()


def test_a_condition_that_never_fires_leaves_every_other_draw_as_it_was(scenario, simulate):
    plain = {"states": {"PAK": {"incentives": {"ties": [0.0, 0.4]}}}, "broker": SHORT}
    declared = dict(plain, world=world(hazard=[0.0, 0.0]))
    a = simulate(scenario(**plain), runs=30, seed=17)
    b = simulate(scenario(**declared), runs=30, seed=17)
    assert a["states"].to_csv(index=False) == b["states"].to_csv(index=False)
    same = list(a["params"].columns)
    assert a["params"].to_csv(index=False) == b["params"][same].to_csv(index=False)


def test_an_unknown_condition_in_a_red_line_is_refused_with_a_hint(scenario_spec):
    bad = {"id": "x", "requires": "disarmament_agred"}
    d = scenario_spec({"PAK": {"red_lines": [bad]}}, world=world())
    with pytest.raises(ScenarioError, match=r"did you mean 'disarmament'\?") as err:
        validate(d)
    assert "states.PAK.red_lines[0].requires" in str(err.value)
    d = scenario_spec({"PAK": {"red_lines": [{"id": "x", "requires": "ceasfire_holding"}]}})
    with pytest.raises(ScenarioError, match=r"did you mean 'ceasefire_holding'\?"):
        validate(d)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"by_concession": "talkz"}, r"unknown concession 'talkz' \(did you mean 'talks'\?\)"),
        ({"hazard": 1.5}, r"<= 1.0"),
        ({"hazard": [0.2, 0.1]}, r"above high"),
        ({"hazard": float("nan")}, r"finite"),
        ({"from_week": 0}, r"greater than or equal to 1"),
        ({"becomes": True}, r"becomes"),
    ],
    ids=["concession", "hazard above 1", "range reversed", "nan", "week 0", "unknown key"],
)
def test_a_bad_condition_is_refused(scenario_spec, fields, message):
    d = scenario_spec({"PAK": KEEN}, broker={"concessions": [TALKS]}, world=world(**fields))
    with pytest.raises(ScenarioError, match=message):
        validate(d)


def test_a_declared_condition_may_not_reuse_a_built_in_name(scenario_spec):
    d = scenario_spec(world={"ceasefire_holding": {"label": "Calm"}})
    with pytest.raises(ScenarioError, match="built-in world condition"):
        validate(d)


def test_a_red_line_on_a_declared_condition_is_described_by_its_label(scenario):
    from sim.analysis.explain.text import describe

    C = scenario(**SCHEDULED)
    assert requirement(C, "disarmament") == LABEL
    assert describe(C, C.scenario.states["PAK"].red_lines[0]) == f"requires {LABEL}"
    assert requirement(C, "host_consent") == "host consent"


def test_saudi_arabia_commits_only_where_hamas_agreed_to_disarm() -> None:
    """The record's condition, written as what it says: under the mandate that
    leaves Hamas armed (border monitoring), Saudi Arabia commits only in runs
    where the world condition came true, not in every run as its old proxy did."""
    from pathlib import Path

    from sim.engine.ensemble import run_ensemble
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load

    isf = Path(__file__).resolve().parents[2] / "scenarios" / "isf"
    C = compile_scenario(load(isf / "border_monitoring.yaml"))
    t = run_ensemble(C, runs=200, detail=200)
    states, rounds = t["states"], t["rounds"]
    sau = states[(states["state"] == "SAU") & (states["stance"] == "committed")]
    held = rounds.set_index(["run", "round"])["world.hamas_disarmament_agreed"]
    # Committed in week t only if the condition held at the end of week t - 1.
    for run, week in zip(sau["run"], sau["round"], strict=True):
        assert week > 1 and held.loc[(run, week - 1)]
    share = sau["run"].nunique() / 200
    assert 0 < share < 0.3
