"""A red line with an exception on the world: `unless: <world condition>`.

Egypt: "Hamas disarmament only if voluntary". A keen contributor (payoff 0.6,
alone short of the 5,000 target, so runs last to the deadline) refuses a
mandate that carries weapons decommissioning, unless the declared condition
"Hamas has agreed to disarm" holds. The condition comes true at the end of week
4 (scheduled), or when the broker makes the concession `talks`; the states see
it from the following week. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim.rules import red_lines
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

TASK = "weapons_decommissioning"
VOLUNTARY = {"id": "only_if_voluntary", "term": "tasks", "excludes": TASK, "unless": "agreed"}
KEEN = {"incentives": {"ties": 0.6}, "red_lines": [VOLUNTARY]}
SHORT = {"target": 5000, "minimum_viable": 4000}
WITH_TASK = {"tasks": ["ceasefire_monitoring", TASK]}
TALKS = {"id": "talks", "change": {"tasks": {"add": ["police_training"]}}, "cost": 0.05}
WEEK = 4


def world(**fields) -> dict:
    return {"agreed": {"label": "Hamas has agreed to disarm", **fields}}


SCHEDULED = {
    "states": {"PAK": KEEN},
    "mandate": WITH_TASK,
    "broker": SHORT,
    "world": world(from_week=WEEK),
}
CONCEDED = {
    "states": {"PAK": KEEN},
    "mandate": WITH_TASK,
    "broker": dict(SHORT, concessions=[TALKS]),
    "world": world(by_concession="talks"),
}
SWITCHED_OFF = dict(SCHEDULED, world_conditions=False)


class TestUnlessScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "unless, scheduled": SCHEDULED,
        "unless, by concession": CONCEDED,
        "unless, switch off": SWITCHED_OFF,
    }


def pak(t):
    s = t["states"]
    return s[s["state"] == "PAK"]


def test_the_line_binds_until_the_condition_holds_and_not_after(scenario, simulate):
    t = simulate(scenario(**SCHEDULED), runs=60, seed=17)
    rows = pak(t)
    before, after = rows[rows["round"] <= WEEK], rows[rows["round"] > WEEK]
    assert (before["binding_red_line"] == "only_if_voluntary").all()
    assert before["stance"].isin(["declined", "conditional"]).all()
    assert (after["binding_red_line"] == "").all()
    # The task never leaves the mandate: the exception alone lets it in.
    assert t["rounds"]["term.tasks"].str.contains(TASK).all()
    committed = rows.loc[rows["stance"] == "committed", "round"]
    assert committed.min() > WEEK
    last = rows.groupby("run").last()
    assert (last["stance"] == "committed").mean() > 0.9


def test_with_world_conditions_off_the_line_keeps_binding(scenario, simulate):
    t = simulate(scenario(**SWITCHED_OFF), runs=30, seed=17)
    rows = pak(t)
    assert (rows["binding_red_line"] == "only_if_voluntary").all()
    assert not rows["stance"].isin(["offered", "committed"]).any()


def test_a_condition_that_holds_from_the_start_lifts_the_line_at_once(scenario, simulate):
    held = dict(SCHEDULED, world=world(initially=True))
    t = simulate(scenario(**held), runs=20, seed=17)
    assert (pak(t)["binding_red_line"] == "").all()
    held_off = dict(held, world_conditions=False)  # switched off: its initial value counts
    t = simulate(scenario(**held_off), runs=20, seed=17)
    assert (pak(t)["binding_red_line"] == "").all()


def test_a_state_demands_the_concession_that_makes_its_exception_hold(scenario, simulate):
    t = simulate(scenario(**CONCEDED), runs=30, seed=17)
    rows = pak(t)
    assert (rows.loc[rows["round"] == 1, "demand"] == "talks").all()
    assert (t["runs"]["concessions"] == "talks@2").all()
    assert (rows.loc[rows["round"] >= 3, "binding_red_line"] == "").all()


def test_unless_on_hand_built_worlds(scenario):
    """`red_lines.held` on one mandate with the task, the condition false then true."""
    C = scenario(**SCHEDULED)
    m = np.repeat(C.cols.encode(C.scenario.mandate)[None], 2, axis=0)  # with the task
    world_rows = np.array([[True, True, True, False], [True, True, True, True]])
    assert red_lines.held(C, m, world_rows)[:, 0].tolist() == [False, True]
    # A caller that leaves the declared conditions out judges the line on the mandate.
    assert red_lines.held(C, m, world_rows[:, :3])[:, 0].tolist() == [False, False]
    # Without the task the line holds whatever the world.
    no_task = {**C.scenario.mandate, "tasks": ["ceasefire_monitoring"]}
    clear = np.repeat(C.cols.encode(no_task)[None], 2, axis=0)
    assert red_lines.held(C, clear, world_rows)[:, 0].all()


def test_a_misspelt_exception_is_refused_with_a_hint(scenario_spec):
    d = scenario_spec({"PAK": {"red_lines": [dict(VOLUNTARY, unless="agred")]}}, world=world())
    with pytest.raises(ScenarioError, match=r"red_lines\[0\]\.unless.*did you mean 'agreed'"):
        validate(d)


def test_a_built_in_condition_may_be_the_exception(scenario):
    line = dict(VOLUNTARY, unless="ceasefire_holding")
    C = scenario({"PAK": {"red_lines": [line]}}, mandate=WITH_TASK)
    assert C.red["unless"].tolist() == [0]


def test_a_veto_players_requirement_takes_no_exception(scenario_spec):
    req = {"id": "un_only", "term": "use_of_force", "at_most": "enforcement", "unless": "agreed"}
    d = scenario_spec(veto_players={"VET": {"name": "Veto", "requires": [req]}}, world=world())
    with pytest.raises(ScenarioError, match=r"veto_players\.VET\.requires\[0\]"):
        validate(d)
