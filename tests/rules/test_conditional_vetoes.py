"""Vetoes inside the bargaining: a veto on a contributor may hold only for some kinds,
in a share of runs, until a week, until the broker pays its price (a concession),
or unless a declared world condition holds (relations restored).

TUR and PAK are both keen (payoff 0.6) and each offers 2,000 troops against a
target of 3,000, so the force forms only with Türkiye counted. Israel accepts
the mandate and objects to Türkiye. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.6}, "offers": {"troops": 2000}}
BROKER = {"target": 3000, "minimum_viable": 1000, "deadline": 12}
PRICE = {"id": "guarantee", "change": {"tasks": {"add": ["police_training"]}}, "cost": 0.05}


def israel(*vetoes) -> dict:
    return {"ISR": {"name": "Israel", "base": 0.8, "threshold": 0.5, "vetoes": list(vetoes)}}


def case(*vetoes, **extra) -> dict:
    return {
        "states": {"TUR": KEEN, "PAK": KEEN},
        "veto_players": israel(*vetoes),
        "broker": dict(BROKER, **extra.pop("broker", {})),
        **extra,
    }


FIXED = case("TUR")
UNTIL = case({"state": "TUR", "until_week": 4})
LIFTED = case({"state": "TUR", "lifted_by": "guarantee"}, broker={"concessions": [PRICE]})
UNPAID = case({"state": "TUR"}, broker={"concessions": [PRICE]})
FIRM = case({"state": "TUR", "p": 0.5})
BOTH = dict(KEEN, offers={"troops": 2000, "police_trainers": 100})
TROOPS_ONLY = case({"state": "TUR", "kinds": ["troops"]}, states={"TUR": BOTH, "PAK": KEEN})
RELATIONS = {"label": "relations between Israel and Türkiye are restored"}
UNLESS = case(
    {"state": "TUR", "unless": "relations"}, world={"relations": dict(RELATIONS, from_week=5)}
)
TALKS = dict(PRICE, id="talks")
TALKED = case(
    {"state": "TUR", "unless": "relations"},
    world={"relations": dict(RELATIONS, by_concession="talks")},
    broker={"concessions": [TALKS]},
)
CAUTIOUS = case(  # risk-averse, so it offers police trainers, which the veto does not name
    {"state": "TUR", "kinds": ["troops"]},
    states={"TUR": dict(BOTH, risk_tolerance=0.0), "PAK": KEEN},
)


class TestConditionalVetoScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "until a week": UNTIL,
        "lifted by a concession": LIFTED,
        "in half the runs": FIRM,
        "troops only": TROOPS_ONLY,
        "switch off": dict(UNTIL, conditional_vetoes=False),
        "unless relations": UNLESS,
        "relations by a concession": TALKED,
    }


def tur(t) -> pd.DataFrame:
    s = t["states"]
    return s[s["state"] == "TUR"]


def lifted_when_paid(t: dict, cid: str) -> tuple[pd.Series, pd.DataFrame]:
    """The runs in which the broker made concession `cid` (in >90% of runs), and
    TUR's rows in them with the week it was made (`paid`): the veto on TUR holds
    through that week and not after."""
    runs = t["runs"]
    made = runs["concessions"].str.startswith(f"{cid}@")
    assert made.mean() > 0.9
    week = runs.loc[made, "concessions"].str.split("@").str[1].astype(int)
    rows = tur(t).merge(pd.DataFrame({"run": runs.loc[made, "run"], "paid": week}), on="run")
    assert (rows["vetoed"] == (rows["round"] <= rows["paid"])).all()
    return made, rows


def test_a_veto_with_no_condition_is_a_fixed_veto(scenario, simulate):
    """Its draw comes after every other draw: the same tables as `vetoes: [TUR]`."""
    fixed = simulate(scenario(**FIXED), runs=30)
    same = simulate(scenario(**case({"state": "TUR"})), runs=30)
    for name in ("runs", "states", "rounds"):
        pd.testing.assert_frame_equal(fixed[name], same[name], obj=name)
    assert tur(same)["vetoed"].all() and not tur(same)["counted"].any()


def test_a_time_limited_veto_bars_the_pledge_until_its_week_and_not_after(scenario, simulate):
    t = simulate(scenario(**UNTIL), runs=40)
    rows = tur(t)
    assert (rows["vetoed"] == (rows["round"] <= 4)).all()
    assert not rows.loc[rows["round"] <= 4, "counted"].any()
    assert rows.loc[rows["round"] > 4, "counted"].any()
    formed = t["runs"][t["runs"]["outcome"] == "formed"]
    assert len(formed) > 30 and (formed["rounds"] > 4).all()  # not before Türkiye counts


def test_the_broker_pays_a_veto_players_price_to_free_a_committed_contributor(scenario, simulate):
    t = simulate(scenario(**LIFTED), runs=40)
    runs = t["runs"]
    made, _ = lifted_when_paid(t, "guarantee")  # paid in almost every run, lifted after
    assert (runs.loc[made, "outcome"] == "formed").all()
    # Without the veto being lifted by it, the broker has no reason to make it.
    unpaid = simulate(scenario(**UNPAID), runs=40)["runs"]
    assert not unpaid["concessions"].str.contains("guarantee").any()
    assert not unpaid["coalition"].str.contains("TUR").any()


def test_a_veto_with_a_chance_holds_in_about_that_share_of_runs(scenario, simulate):
    t = simulate(scenario(**FIRM), runs=200)
    barred = tur(t).groupby("run")["vetoed"].agg(["all", "any"])
    assert (barred["all"] == barred["any"]).all()  # it holds all run long, or never
    share = barred["all"].mean()
    assert 0.38 < share < 0.62
    in_force = t["runs"]["coalition"].str.contains("TUR")
    assert (in_force == ~barred["all"].reindex(t["runs"]["run"]).to_numpy()).mean() > 0.9


def test_a_veto_on_troops_does_not_bar_other_kinds(scenario, simulate):
    bold, cautious = (
        tur(simulate(scenario(**TROOPS_ONLY), runs=30)),
        tur(simulate(scenario(**CAUTIOUS), runs=30)),
    )
    troops = bold[bold["kind"] == "troops"]
    trainers = cautious[cautious["kind"] == "police_trainers"]
    assert len(troops) and troops["vetoed"].all() and not troops["counted"].any()
    assert len(trainers) and not trainers["vetoed"].any()
    # While it pledges nothing, the veto on its troops is what the table shows.
    assert bold.loc[bold["kind"] == "", "vetoed"].all()


def test_with_the_switch_off_a_conditional_veto_holds_like_a_fixed_one(scenario, simulate):
    t = simulate(scenario(**dict(UNTIL, conditional_vetoes=False)), runs=30)
    assert tur(t)["vetoed"].all() and not tur(t)["counted"].any()
    off = simulate(scenario(**dict(UNTIL, vetoes=False)), runs=30)
    assert not tur(off)["vetoed"].any()


def test_the_chance_is_a_judgement_range_in_the_experiments_table(scenario, simulate):
    t = simulate(scenario(**case({"state": "TUR", "p": [0.2, 0.8]})), runs=50)
    drawn = t["params"]["veto_players.ISR.vetoes[0].p"]
    assert drawn.between(0.2, 0.8).all() and np.ptp(drawn) > 0.3


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"state": "TUU"}, r"vetoes\[0\]\.state: unknown state 'TUU' \(did you mean 'TUR'\?\)"),
        ({"state": "TUR", "kinds": ["tropps"]}, r"vetoes\[0\]\.kinds\[0\].*'troops'"),
        ({"state": "TUR", "lifted_by": "guarantees"}, r"vetoes\[0\]\.lifted_by.*'guarantee'"),
        ({"state": "TUR", "unless": "relation"}, r"vetoes\[0\]\.unless.*'relations'"),
        ({"state": "TUR", "unless": "ceasefire_holding"}, r"vetoes\[0\]\.unless: unknown"),
    ],
)
def test_a_bad_conditional_veto_is_refused_in_one_line(scenario_spec, entry, message):
    d = scenario_spec(
        **case(entry, broker={"concessions": [PRICE]}, world={"relations": RELATIONS})
    )
    with pytest.raises(ScenarioError, match=message):
        validate(d)


def test_a_veto_can_hold_until_the_contributor_takes_a_caveat(scenario, simulate):
    """Conditional on the contributor's caveats: the veto's price is a concession that
    grants TUR a caveat (it will not carry police training), so the veto lifts once
    TUR serves under that caveat, and TUR's troops then count at the caveat's share."""
    caveat = {"id": "no_training", "excludes": "police_training", "discount": 0.2}
    grant = {"id": "tur_caveat", "grants": {"state": "TUR", "caveat": "no_training"}}
    on_caveat = case(
        {"state": "TUR", "lifted_by": "tur_caveat"},
        states={"TUR": dict(KEEN, caveats=[caveat]), "PAK": KEEN},
        broker={"concessions": [dict(grant, cost=0.05)]},
        mandate={"tasks": {"add": ["police_training"]}},
    )
    t = simulate(scenario(**on_caveat), runs=40)
    _, rows = lifted_when_paid(t, "tur_caveat")
    end = rows[rows["round"] == rows.groupby("run")["round"].transform("max")]
    counted = end[end["counted"]]
    assert len(counted) > 30
    pak = t["states"][t["states"]["state"] == "PAK"].set_index(["run", "round"])
    force = t["rounds"].set_index(["run", "round"])["force"]
    key = list(zip(counted["run"], counted["round"], strict=True))
    pak_counted = pak.loc[key, "pledge"].where(pak.loc[key, "counted"], 0.0).to_numpy()
    expected = 0.8 * counted["pledge"].to_numpy() + pak_counted
    np.testing.assert_allclose(force.loc[key].to_numpy(), expected, rtol=1e-12)


def test_a_veto_unless_relations_are_restored_holds_until_the_condition_does(scenario, simulate):
    """Conditional on the contributor's relations with the veto player: declared as a
    world condition that comes true at the end of week 5, so the veto holds through
    week 5 (the states see the world as the previous week left it) and not after."""
    t = simulate(scenario(**UNLESS), runs=40)
    rows = tur(t)
    assert (rows["vetoed"] == (rows["round"] <= 5)).all()
    assert rows.loc[rows["round"] > 5, "counted"].any()
    formed = t["runs"][t["runs"]["outcome"] == "formed"]
    assert len(formed) > 30 and (formed["rounds"] > 5).all()
    # Restored from the start: the veto never holds; with the world frozen, always.
    restored = case(
        {"state": "TUR", "unless": "relations"},
        world={"relations": dict(RELATIONS, initially=True)},
    )
    assert not tur(simulate(scenario(**restored), runs=20))["vetoed"].any()
    frozen = simulate(scenario(**dict(UNLESS, world_conditions=False)), runs=20)
    assert tur(frozen)["vetoed"].all() and not tur(frozen)["counted"].any()


def test_the_broker_makes_the_concession_that_restores_relations_to_lift_a_veto(scenario, simulate):
    """The concession that sets the condition frees Türkiye's committed troops, so the
    broker credits it with them, as it does a `lifted_by` price."""
    t = simulate(scenario(**TALKED), runs=40)
    # The concession sets the condition at the end of its week; the veto holds until then.
    made, _ = lifted_when_paid(t, "talks")
    assert (t["runs"].loc[made, "outcome"] == "formed").all()


def test_the_story_says_what_lifts_a_veto(scenario, simulate):
    """The story names each condition of a conditional veto, and none for a fixed one."""
    from sim.analysis.story import story

    C = scenario(**TALKED)
    text = story(C, simulate(C, runs=2), 0)
    assert "Its objection is conditional: TUR (unless relations between Israel" in text
    timed = scenario(**case({"state": "TUR", "kinds": ["troops"], "p": 0.5, "until_week": 4}))
    text = story(timed, simulate(timed, runs=2), 0)
    assert "TUR (combat troops only, in 50% of runs, until week 4)" in text
    fixed = scenario(**FIXED)
    assert "conditional" not in story(fixed, simulate(fixed, runs=2), 0)


def test_explain_says_what_lifts_the_veto_and_the_weeks_it_barred(scenario):
    """`forcegen explain` (and `play`, which shares its text) names the veto player,
    the condition, and the weeks the veto barred the state's pledge in that run."""
    from sim.analysis.explain import explain
    from sim.analysis.explain.text import demand_section

    ex = explain(scenario(**UNLESS), "TUR", run=0)
    lines = [x for x in demand_section(ex) if "objects" in x]
    assert lines == [
        "- Israel objects to it as a contributor (unless relations between Israel and "
        "Türkiye are restored): the veto held in weeks 1–5 in this run."
    ]
    fixed = explain(scenario(**FIXED), "TUR", run=0)
    assert any("(fixed): the veto held in weeks 1–" in x for x in demand_section(fixed))
    assert not [
        x for x in demand_section(explain(scenario(**UNLESS), "PAK", run=0)) if "objects" in x
    ]
