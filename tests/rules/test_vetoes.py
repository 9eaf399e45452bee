"""Veto players: a vetoed contributor's pledge never counts; a rejected mandate cannot deploy.

TUR and PAK are both keen (payoff 0.6); Israel accepts the mandate but vetoes TUR.
"""

from __future__ import annotations

from typing import ClassVar

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.6}, "offers": {"troops": 2000}}
ISRAEL = {"name": "Israel", "base": 0.8, "threshold": 0.5, "vetoes": ["TUR"]}
VETO = {
    "states": {"TUR": KEEN, "PAK": KEEN},
    "veto_players": {"ISR": ISRAEL},
    "broker": {"target": 3000, "minimum_viable": 1000},
}
# Israel rejects a mandate with enforcement powers; the mandate has them.
REJECTING = {"name": "Israel", "base": 0.9, "effects": {"use_of_force": {"enforcement": -0.6}}}
REJECTED = {
    "states": {"PAK": KEEN},
    "mandate": {"use_of_force": "enforcement"},
    "veto_players": {"ISR": REJECTING},
    "broker": {"target": 1000, "minimum_viable": 500},
}


class TestVetoScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "vetoed contributor": VETO,
        "vetoes off": dict(VETO, vetoes=False),
        "rejected mandate": REJECTED,
    }


def test_a_vetoed_contributors_pledge_never_counts(scenario, simulate):
    t = simulate(scenario(**VETO), runs=200, seed=17)
    states = t["states"]
    tur = states[states["state"] == "TUR"]
    assert tur["vetoed"].all()
    assert not tur["counted"].any()
    # It does commit (the veto is not its choice), it just does not count.
    assert (tur["stance"] == "committed").any()
    assert not t["runs"]["coalition"].str.contains("TUR").any()
    assert not t["coalitions"]["members"].str.contains("TUR").any()
    # PAK, not vetoed, counts whenever it is committed.
    pak = states[states["state"] == "PAK"]
    assert (pak["counted"] == (pak["stance"] == "committed")).all()
    assert t["runs"]["coalition"].eq("PAK").mean() > 0.9


def test_the_counted_force_is_the_sum_of_counted_pledges(scenario, simulate):
    t = simulate(scenario(**VETO), runs=200, seed=17)
    states, rounds, runs = t["states"], t["rounds"], t["runs"]
    counted = (
        states.assign(counted_pledge=states["pledge"].where(states["counted"], 0.0))
        .groupby(["run", "round"])["counted_pledge"]
        .sum()
    )
    force = rounds.set_index(["run", "round"])["force"]
    assert (counted.reindex(force.index) == force).all()
    assert force.max() > 0
    # The committed-but-uncounted TUR pledge shows in pledged.troops, not in the force.
    assert (rounds["pledged.troops"] > rounds["force"]).any()
    # A run's final force is its last round's counted force.
    last = rounds.sort_values("round").groupby("run").last()["force"]
    assert (runs.set_index("run")["force"] == last).all()


def test_switching_vetoes_off_lets_the_vetoed_contributor_count(scenario, simulate):
    t = simulate(scenario(**dict(VETO, vetoes=False)), runs=200, seed=17)
    tur = t["states"][t["states"]["state"] == "TUR"]
    assert (tur["counted"] == (tur["stance"] == "committed")).all()
    assert tur["counted"].any()
    assert t["runs"]["coalition"].str.contains("TUR").mean() > 0.9
    # With both counted the target is met more often than with TUR vetoed.
    vetoed = simulate(scenario(**VETO), runs=200, seed=17)
    formed = (t["runs"]["outcome"] == "formed").mean()
    assert formed > (vetoed["runs"]["outcome"] == "formed").mean() + 0.3


def test_a_mandate_the_veto_player_rejects_cannot_deploy(scenario, simulate):
    t = simulate(scenario(**REJECTED), runs=100, seed=17)
    assert not t["rounds"]["accepts.ISR"].any()
    assert t["rounds"]["accept.ISR"].round(12).eq(0.3).all()
    assert (t["rounds"]["force"] >= 1000).any()  # the troops are there ...
    assert not t["runs"]["outcome"].isin(["formed", "undersized"]).any()  # ... but cannot deploy
    off = simulate(scenario(**dict(REJECTED, vetoes=False)), runs=100, seed=17)
    assert off["runs"]["outcome"].isin(["formed", "undersized"]).all()


def test_the_vetoed_column_follows_the_switch(scenario, simulate):
    """states.csv marks TUR vetoed only while the vetoes mechanism is on."""
    on = simulate(scenario(**VETO), runs=20, seed=17)["states"]
    off = simulate(scenario(**dict(VETO, vetoes=False)), runs=20, seed=17)["states"]
    assert on.loc[on["state"] == "TUR", "vetoed"].all()
    assert not on.loc[on["state"] == "PAK", "vetoed"].any()
    assert not off["vetoed"].any()
