"""Red lines are hard: never crossed in any run, whatever the payoff.

A state whose red line is 'tasks excludes weapons_decommissioning' never offers
or commits an in-theatre kind while the mandate it decided on carries that
task. It may still send an out-of-theatre kind (trainers), and with
`caveat_ok` it can commit troops once the mandate allows national caveats.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.rules import red_lines

from .contract import EngineContract

NO_DISARMAMENT = {"id": "no_disarmament", "term": "tasks", "excludes": "weapons_decommissioning"}
DROP_DISARMAMENT = {
    "id": "drop_disarmament",
    "change": {"tasks": {"remove": ["weapons_decommissioning"]}},
    # The cost is sampled per run: the broker concedes early in some runs, late or never in others.
    "cost": [0.0, 1.0],
}
WITH_DISARMAMENT = {"tasks": {"add": ["weapons_decommissioning"]}}
IN_THEATRE = ("troops",)
TASK = "weapons_decommissioning"

# Keen states (payoff 0.4, well above the commit threshold) held back only by the red line.
RED_LINE_STATES = {
    "PAK": {"red_lines": [NO_DISARMAMENT], "offers": {"troops": 1000, "police_trainers": 200}},
    "IDN": {"red_lines": [NO_DISARMAMENT]},
    "TUR": {"red_lines": [dict(NO_DISARMAMENT, caveat_ok=True)]},
    "ITA": {"incentives": {"ties": 0.1}},
}
RED_LINE = {
    "states": RED_LINE_STATES,
    "mandate": WITH_DISARMAMENT,
    "broker": {"target": 3000, "concessions": [DROP_DISARMAMENT]},
}
CAVEATS = {
    "states": {"TUR": {"red_lines": [dict(NO_DISARMAMENT, caveat_ok=True)]}},
    "mandate": {**WITH_DISARMAMENT, "national_caveats": True},
}


class TestRedLineScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "red line with a concession": RED_LINE,
        "caveat_ok under caveats": CAVEATS,
    }


def mandate_seen(tables: dict[str, pd.DataFrame], C) -> pd.DataFrame:
    """Per (run, round): the tasks in the mandate the states decided on.

    States decide at the start of a round on the mandate as it stood at the end
    of the previous round (round 0: the mandate as written); a concession made
    in round t shows in rounds.term.tasks of round t but binds from round t+1.
    """
    rounds = tables["rounds"][["run", "round", "term.tasks"]].copy()
    rounds["round"] += 1
    first = pd.DataFrame(
        {
            "run": tables["runs"]["run"],
            "round": 1,
            "term.tasks": ";".join(C.scenario.mandate["tasks"]),
        }
    )
    seen = pd.concat([first, rounds], ignore_index=True)
    seen["task_in_mandate"] = seen["term.tasks"].str.split(";").apply(lambda ts: TASK in ts)
    return seen[["run", "round", "task_in_mandate"]]


def test_a_red_line_is_never_crossed_in_300_runs(scenario, simulate):
    C = scenario(**RED_LINE)
    t = simulate(C, runs=300, seed=17)
    rows = t["states"].merge(mandate_seen(t, C), on=["run", "round"], how="left", validate="m:1")
    assert rows["task_in_mandate"].notna().all()
    crossing = (
        rows["state"].isin(["PAK", "IDN", "TUR"])
        & rows["task_in_mandate"]
        & rows["stance"].isin(["offered", "committed"])
        & rows["kind"].isin(IN_THEATRE)
    )
    assert not crossing.any(), rows[crossing].head()
    # ...while the same states, freed of the task, do come in with troops,
    troops_in = rows[~rows["task_in_mandate"] & (rows["stance"] == "committed")]
    assert {"PAK", "IDN", "TUR"} <= set(troops_in.loc[troops_in["kind"] == "troops", "state"])
    # and the broker dropped the task in some runs but not all (the cost is sampled).
    dropped = t["runs"]["concessions"].str.contains("drop_disarmament")
    assert 0 < dropped.sum() < len(dropped)


def test_a_red_line_states_which_line_binds_while_blocked(scenario, simulate):
    C = scenario(**RED_LINE)
    t = simulate(C, runs=50, seed=17)
    rows = t["states"].merge(mandate_seen(t, C), on=["run", "round"])
    idn = rows[rows["state"] == "IDN"]
    blocked = idn[idn["task_in_mandate"]]
    assert (blocked["binding_red_line"] == "no_disarmament").all()
    assert blocked["stance"].isin(["declined", "conditional"]).all()
    assert (idn.loc[~idn["task_in_mandate"], "binding_red_line"] == "").all()


def test_a_red_line_state_may_still_send_an_out_of_theatre_kind(scenario, simulate):
    C = scenario(**RED_LINE)
    t = simulate(C, runs=50, seed=17)
    rows = t["states"].merge(mandate_seen(t, C), on=["run", "round"])
    pak = rows[(rows["state"] == "PAK") & rows["task_in_mandate"]]
    trainers = pak[(pak["stance"] == "committed") & (pak["kind"] == "police_trainers")]
    assert len(trainers) > 0
    # Trainers do not count toward the force target in this scenario.
    assert not trainers["counted"].any()
    # IDN has no trainers to offer: with the task in, it is never in at all.
    idn = rows[(rows["state"] == "IDN") & rows["task_in_mandate"]]
    assert not idn["stance"].isin(["offered", "committed"]).any()


def test_a_red_line_on_trainers_too_keeps_the_state_out(scenario, simulate):
    every_kind = dict(NO_DISARMAMENT, kinds=["troops", "police_trainers"])
    states = {
        "PAK": {"red_lines": [every_kind], "offers": {"troops": 1000, "police_trainers": 200}}
    }
    t = simulate(scenario(states, mandate=WITH_DISARMAMENT), runs=50)
    assert not t["states"]["stance"].isin(["offered", "committed"]).any()
    assert (t["states"]["stance"] == "declined").all()  # nothing on the menu could lift it


@pytest.mark.parametrize(
    ("caveat_ok", "caveats", "commits"),
    [(True, True, True), (True, False, False), (False, True, False)],
    ids=["caveat_ok+caveats", "caveat_ok without caveats", "caveats without caveat_ok"],
)
def test_caveat_ok_lets_a_state_commit_troops_only_under_national_caveats(
    scenario, simulate, caveat_ok, caveats, commits
):
    line = dict(NO_DISARMAMENT, caveat_ok=caveat_ok)
    C = scenario(
        {"TUR": {"red_lines": [line]}}, mandate={**WITH_DISARMAMENT, "national_caveats": caveats}
    )
    t = simulate(C, runs=100, seed=17)
    assert (t["rounds"]["term.tasks"].str.contains(TASK)).all()  # the task never leaves
    final = t["states"][t["states"]["round"] == t["states"]["round"].max()]
    committed_troops = (final["stance"] == "committed") & (final["kind"] == "troops")
    if commits:
        assert committed_troops.mean() > 0.9
        assert t["runs"]["coalition"].eq("TUR").mean() > 0.9
    else:
        assert not t["states"]["stance"].isin(["offered", "committed"]).any()
        assert (t["runs"]["coalition"] == "").all()


def test_red_line_operators_on_hand_built_mandates(scenario):
    """`red_lines.blocked`, one operator at a time, on mandates written by hand."""
    lines = [
        dict(NO_DISARMAMENT),
        {"id": "not_enforcement", "term": "use_of_force", "at_most": "defence_of_mandate"},
        {"id": "some_force", "term": "use_of_force", "at_least": "defence_of_mandate"},
        {"id": "training", "term": "tasks", "includes": "police_training"},
        {"id": "caveats", "term": "national_caveats", "is": True},
        # A number written as a string: the schema refuses `at_least: 0.5` (see report).
        {"id": "clear", "term": "clarity", "at_least": "0.5"},
        {"id": "calm", "requires": "ceasefire_holding"},
    ]
    codes = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG"]
    # Every state offers both kinds, in the vocabulary's order (troops, trainers).
    offers = {"troops": 1000, "police_trainers": 100}
    states = {
        code: {"red_lines": [line], "offers": offers}
        for code, line in zip(codes, lines, strict=True)
    }
    C = scenario(states)
    row = C.cols.encode
    mandates = [
        # (mandate, ceasefire holding, which states are blocked)
        (
            {
                "use_of_force": "defence_of_mandate",
                "tasks": ["ceasefire_monitoring", "police_training"],
                "national_caveats": True,
                "clarity": 0.5,
            },
            True,
            set(),
        ),
        (
            {
                "use_of_force": "enforcement",
                "tasks": ["weapons_decommissioning"],
                "national_caveats": False,
                "clarity": 0.4,
            },
            False,
            {"AAA", "BBB", "DDD", "EEE", "FFF", "GGG"},
        ),
        (
            {
                "use_of_force": "self_defence",
                "tasks": [],
                "national_caveats": False,
                "clarity": 1.0,
            },
            True,
            {"CCC", "DDD", "EEE"},
        ),
    ]
    m = np.stack([row(mandate) for mandate, _, _ in mandates])
    world = np.array([[holding, True, True] for _, holding, _ in mandates])
    blocked, first = red_lines.blocked(C, m, world, np.zeros(len(mandates), bool))
    troops = C.kinds.index("troops")
    for r, (_, _, expected) in enumerate(mandates):
        got = {code for i, code in enumerate(C.states) if blocked[r, i, troops]}
        assert got == expected, r
        for i, code in enumerate(C.states):
            assert first[r, i, troops] == (i if code in expected else -1)
    # By default a red line binds in-theatre kinds only: trainers are never blocked.
    assert not blocked[:, :, C.kinds.index("police_trainers")].any()
    # National caveats lift only caveat_ok task lines (none here): nothing changes.
    again, _ = red_lines.blocked(C, m, world, np.ones(len(mandates), bool))
    assert (again == blocked).all()


def test_national_caveats_lift_a_caveat_ok_line_and_nothing_else(scenario):
    states = {
        "TUR": {"red_lines": [dict(NO_DISARMAMENT, caveat_ok=True)]},
        "IDN": {"red_lines": [NO_DISARMAMENT]},
    }
    C = scenario(states)
    m = C.cols.encode({**C.scenario.mandate, "tasks": [TASK]})[None]
    world = np.ones((1, 3), bool)
    troops = C.kinds.index("troops")
    without, _ = red_lines.blocked(C, m, world, np.array([False]))
    with_, _ = red_lines.blocked(C, m, world, np.array([True]))
    assert without[0, :, troops].tolist() == [True, True]
    assert with_[0, :, troops].tolist() == [False, True]


def test_a_red_line_on_a_number_term_can_be_written_as_a_number(scenario):
    line = {"id": "clear", "term": "clarity", "at_least": 0.5}
    C = scenario({"AAA": {"red_lines": [line]}})
    assert C.red["value"].tolist() == [0.5]
