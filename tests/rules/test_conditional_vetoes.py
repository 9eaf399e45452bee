"""Vetoes inside the bargaining: a veto on a contributor may hold only for some kinds,
in a share of runs, until a week, or until the broker pays its price (a concession).

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
    }


def tur(t) -> pd.DataFrame:
    s = t["states"]
    return s[s["state"] == "TUR"]


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
    made = runs["concessions"].str.startswith("guarantee@")
    assert made.mean() > 0.9  # the price is paid in almost every run ...
    week = runs.loc[made, "concessions"].str.split("@").str[1].astype(int)
    rows = tur(t).merge(pd.DataFrame({"run": runs.loc[made, "run"], "paid": week}), on="run")
    # ... the veto holds through the week it is paid, and not after
    assert (rows["vetoed"] == (rows["round"] <= rows["paid"])).all()
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
    ],
)
def test_a_bad_conditional_veto_is_refused_in_one_line(scenario_spec, entry, message):
    d = scenario_spec(**case(entry, broker={"concessions": [PRICE]}))
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
    runs = t["runs"]
    made = runs["concessions"].str.startswith("tur_caveat@")
    assert made.mean() > 0.9
    week = runs.loc[made, "concessions"].str.split("@").str[1].astype(int)
    rows = tur(t).merge(pd.DataFrame({"run": runs.loc[made, "run"], "paid": week}), on="run")
    assert (rows["vetoed"] == (rows["round"] <= rows["paid"])).all()
    end = rows[rows["round"] == rows.groupby("run")["round"].transform("max")]
    counted = end[end["counted"]]
    assert len(counted) > 30
    pak = t["states"][t["states"]["state"] == "PAK"].set_index(["run", "round"])
    force = t["rounds"].set_index(["run", "round"])["force"]
    key = list(zip(counted["run"], counted["round"], strict=True))
    pak_counted = pak.loc[key, "pledge"].where(pak.loc[key, "counted"], 0.0).to_numpy()
    expected = 0.8 * counted["pledge"].to_numpy() + pak_counted
    np.testing.assert_allclose(force.loc[key].to_numpy(), expected, rtol=1e-12)
