"""Veto players inside the bargaining: a veto player that rejects the mandate demands
the concession under which it would accept, and the broker weighs that demand
against the states' (`sim.rules.vetoes.demands`, `sim.rules.broker.concede`).

Two keen contributors (payoff 0.6) offer 1,000 troops each against a target of
1,500, so the force is large enough from week 1. Israel accepts at 0.4 + 0.3 when
the force decommissions weapons (threshold 0.5): it rejects the mandate as
written and would accept with `decommission` made. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.6}, "offers": {"troops": 1000}}
DECOMMISSION = {
    "id": "decommission",
    "change": {"tasks": {"add": ["weapons_decommissioning"]}},
    "cost": 0.3,
}
ISRAEL = {
    "ISR": {
        "name": "Israel",
        "base": 0.4,
        "threshold": 0.5,
        "effects": {"tasks": {"weapons_decommissioning": 0.3}},
    }
}
BROKER = {"target": 1500, "minimum_viable": 1000, "concessions": [DECOMMISSION]}
DEMANDS = {"states": {"PAK": KEEN, "EGY": KEEN}, "veto_players": ISRAEL, "broker": BROKER}
# Pakistan will not decommission weapons: the concession Israel asks for costs the
# broker a contributor, and without Pakistan the force is short.
NO_DISARM = {"id": "no_disarm", "term": "tasks", "excludes": "weapons_decommissioning"}
TRADE = dict(DEMANDS, states={"PAK": dict(KEEN, red_lines=[NO_DISARM]), "EGY": KEEN})


class TestVetoDemandScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "demand": DEMANDS,
        "trade": TRADE,
        "switch off": dict(DEMANDS, veto_demands=False),
    }


def concession_week(runs: pd.DataFrame, cid: str) -> pd.Series:
    made = (
        runs["concessions"]
        .fillna("")
        .str.split(";")
        .map(lambda xs: next((int(x.split("@")[1]) for x in xs if x.startswith(cid + "@")), -1))
    )
    return made


def test_a_rejecting_veto_player_demands_the_concession_and_the_broker_makes_it(scenario, simulate):
    t = simulate(scenario(**DEMANDS), runs=30)
    runs, rounds = t["runs"], t["rounds"]
    week = concession_week(runs, "decommission")
    # Made in every run once the broker's patience (2 weeks) has run out, and the force forms.
    assert (week == 2).all()
    assert (runs["outcome"] == "formed").all() and (runs["rounds"] == 3).all()
    # Israel asks for it in the weeks it rejects the mandate (1 and 2), then for nothing.
    asked = rounds["demand.ISR"] == "decommission"
    assert set(rounds.loc[asked, "round"]) == {1, 2}
    assert (rounds.loc[~asked, "demand.ISR"] == "").all()
    assert rounds.loc[rounds["round"] >= 2, "accepts.ISR"].all()


def test_with_the_switch_off_the_broker_does_not_hear_the_veto_player(scenario, simulate):
    t = simulate(scenario(**dict(DEMANDS, veto_demands=False)), runs=30)
    assert (concession_week(t["runs"], "decommission") == -1).all()
    assert (t["runs"]["outcome"] == "stalled").all()
    assert (t["rounds"]["demand.ISR"] == "").all()


def test_the_broker_trades_a_veto_players_demand_against_a_contributors_red_line(
    scenario, simulate
):
    """Decommissioning wins Israel and loses Pakistan. The broker makes it: without it
    the mandate is rejected and the run stalls; with it Egypt's troops remain, and the
    run forms undersized wherever Egypt's pledge reaches the minimum viable 1,000."""
    t = simulate(scenario(**TRADE), runs=30)
    runs = t["runs"]
    assert (concession_week(runs, "decommission") == 2).all()
    assert (runs["rejected_by"] == "").all()
    assert not runs["coalition"].str.contains("PAK").any()
    assert (runs["outcome"] == "undersized").mean() > 0.2
    off = simulate(scenario(**dict(TRADE, veto_demands=False)), runs=30)["runs"]
    assert (off["rejected_by"] == "ISR").all() and (off["outcome"] == "stalled").all()


def test_the_story_says_what_the_veto_player_asked_for(scenario, simulate):
    from sim.analysis.story import story

    C = scenario(
        **dict(
            DEMANDS,
            broker=dict(BROKER, concessions=[dict(DECOMMISSION, label="Decommission weapons")]),
        )
    )
    text = story(C, simulate(C, runs=2), 0)
    assert "Israel rejected the mandate and asked for decommission weapons (weeks 1–2)." in text
    quiet = scenario(**dict(DEMANDS, veto_demands=False))
    assert "asked for" not in story(quiet, simulate(quiet, runs=2), 0)


def test_play_shows_what_the_veto_player_asks_for(scenario_spec, tmp_path):
    """`forcegen play`'s transcript tells the table each week what Israel asks for."""
    import yaml
    from typer.testing import CliRunner

    from sim.cli import app

    path = tmp_path / "demands.yaml"
    path.write_text(yaml.safe_dump(scenario_spec(**DEMANDS)), encoding="utf-8")
    out = tmp_path / "out"
    args = ["play", str(path), "--as", "PAK", "--out", str(out), "--formats", "none"]
    result = CliRunner().invoke(app, args, input="\n" * 200)
    assert result.exit_code == 0, result.output
    text = (out / "transcript.md").read_text(encoding="utf-8")
    assert text.count("; Israel asks for decommission.") == 2
    assert "The broker conceded: decommission, on the demand of Israel" in text
