"""Broker concessions: a concession that lifts a red line brings that state in.

PAK is keen (payoff 0.4) but will not disarm anyone; the mandate carries
weapons decommissioning and the broker's menu can drop it. IDN's red line
(self-defence only) is on no menu. The broker is short of its 1000 troops.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
import pytest

from .contract import EngineContract

NO_DISARMAMENT = {"id": "no_disarmament", "term": "tasks", "excludes": "weapons_decommissioning"}
SELF_DEFENCE_ONLY = {"id": "self_defence_only", "term": "use_of_force", "at_most": "self_defence"}
DROP_DISARMAMENT = {
    "id": "drop_disarmament",
    "change": {"tasks": {"remove": ["weapons_decommissioning"]}},
    "cost": 0.1,
}
PATIENCE = 2
LIFT = {
    "states": {"PAK": {"red_lines": [NO_DISARMAMENT]}, "IDN": {"red_lines": [SELF_DEFENCE_ONLY]}},
    "mandate": {"tasks": {"add": ["weapons_decommissioning"]}},
    "broker": {"concessions": [DROP_DISARMAMENT], "patience": PATIENCE},
}
# Israel accepts the mandate only while it carries decommissioning.
ISRAEL = {
    "ISR": {
        "name": "Israel",
        "base": 0.2,
        "effects": {"tasks": {"weapons_decommissioning": 0.5}},
        "threshold": 0.5,
    }
}


class TestConcessionScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "concession lifts a red line": LIFT,
        "concessions off": dict(LIFT, concessions=False),
        "concession would lose a veto player": dict(LIFT, veto_players=ISRAEL),
    }


def made(runs: pd.DataFrame) -> pd.DataFrame:
    """runs.concessions ('id@round;...') as rows of (run, concession, round)."""
    rows = [
        {"run": run, "concession": item.split("@")[0], "round": int(item.split("@")[1])}
        for run, text in zip(runs["run"], runs["concessions"], strict=True)
        for item in filter(None, text.split(";"))
    ]
    return pd.DataFrame(rows, columns=["run", "concession", "round"])


def test_the_broker_concedes_what_a_state_demands_and_the_state_comes_in(scenario, simulate):
    t = simulate(scenario(**LIFT), runs=100, seed=17)
    states, rounds = t["states"], t["rounds"]
    conceded = made(t["runs"])
    assert len(conceded) == 100  # once in every run ...
    assert (conceded["concession"] == "drop_disarmament").all()
    assert (conceded["round"] >= PATIENCE).all()  # ... not before the broker's patience runs out
    pak = states[states["state"] == "PAK"]
    for run, when in zip(conceded["run"], conceded["round"], strict=True):
        mine = pak[pak["run"] == run].set_index("round")
        # PAK demanded it in every round up to the concession, blocked by its red line,
        assert (mine.loc[:when, "demand"] == "drop_disarmament").all()
        assert (mine.loc[:when, "binding_red_line"] == "no_disarmament").all()
        assert (mine.loc[:when, "stance"] == "conditional").all()
        # the rounds table shows the concession in that round and the task gone after,
        r = rounds[rounds["run"] == run].set_index("round")
        assert r.loc[when, "concession"] == "drop_disarmament"
        assert "weapons_decommissioning" not in r.loc[when, "term.tasks"]
        # and PAK climbs: offered the round after, committed from the round after that
        # (or later, when noise holds it back a round), and committed at the end.
        assert mine.loc[when + 1, "stance"] == "offered"
        assert mine.index[mine["stance"] == "committed"].min() >= when + 2
        assert mine["stance"].iloc[-1] == "committed"
    assert (t["runs"]["coalition"] == "PAK").all()
    # IDN's red line is on no menu: it demands nothing and stays out.
    idn = states[states["state"] == "IDN"]
    assert (idn["stance"] == "declined").all()
    assert (idn["demand"] == "").all()


def test_without_concessions_the_state_never_commits(scenario, simulate):
    t = simulate(scenario(**dict(LIFT, concessions=False)), runs=100, seed=17)
    assert (t["runs"]["concessions"] == "").all()
    assert (t["rounds"]["concession"] == "").all()
    pak = t["states"][t["states"]["state"] == "PAK"]
    assert not pak["stance"].isin(["offered", "committed"]).any()
    assert (pak["stance"] == "declined").all()  # with nothing on the menu, nothing can lift it
    assert (t["runs"]["outcome"] == "stalled").all()


def test_a_concession_too_costly_for_what_it_brings_is_not_made(scenario, simulate):
    costly = dict(DROP_DISARMAMENT, cost=5.0)
    setup = dict(LIFT, broker={"concessions": [costly], "patience": PATIENCE})
    t = simulate(scenario(**setup), runs=50, seed=17)
    assert (t["runs"]["concessions"] == "").all()
    pak = t["states"][t["states"]["state"] == "PAK"]
    assert (pak["demand"] == "drop_disarmament").all()  # it keeps asking
    assert (pak["stance"] == "conditional").all()  # and stays conditional


@pytest.mark.parametrize("patience", [0, 4, 7])
def test_the_broker_waits_out_its_patience(scenario, simulate, patience):
    setup = dict(LIFT, broker={"concessions": [DROP_DISARMAMENT], "patience": patience})
    t = simulate(scenario(**setup), runs=30, seed=17)
    assert (made(t["runs"])["round"] == max(1, patience)).all()


def test_the_broker_will_not_buy_troops_with_a_veto_players_acceptance(scenario, simulate):
    with_israel = simulate(scenario(**dict(LIFT, veto_players=ISRAEL)), runs=50, seed=17)
    assert (with_israel["runs"]["concessions"] == "").all()
    assert with_israel["rounds"]["accepts.ISR"].all()
    # The same scenario without the veto mechanism: the concession is made.
    ablated = dict(LIFT, veto_players=ISRAEL, vetoes=False)
    without = simulate(scenario(**ablated), runs=50, seed=17)
    assert (made(without["runs"])["concession"] == "drop_disarmament").all()
    assert len(made(without["runs"])) == 50


def test_a_state_never_demands_a_concession_already_made(scenario, simulate):
    # The broker drops the task in round 2; PAK's clarity gate opens only in round 6.
    setup = dict(
        LIFT,
        states={"PAK": {"red_lines": [NO_DISARMAMENT], "clarity_threshold": 0.6}},
        mandate={"tasks": {"add": ["weapons_decommissioning"]}, "clarity": 0.0},
    )
    t = simulate(scenario(**setup, noise=False), runs=5, seed=17)
    when = made(t["runs"]).set_index(["run", "concession"])["round"]
    s = t["states"]
    asked = s[s["demand"] != ""]
    already = [
        (run, demand) in when.index and rnd > when[(run, demand)]
        for run, demand, rnd in zip(asked["run"], asked["demand"], asked["round"], strict=True)
    ]
    assert not any(already), asked[already].head()
