"""Incidents raise the incident level, and the level can push committed states out.

AAA starts committed with payoff 0.3 before risk; it is fully risk-averse, so
the incident level comes straight off its payoff (risk = 0.2 + level). With
about one incident a round the level settles near 0.4 and its payoff falls
below the exit level (-0.2); without incidents it never moves.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim.engine.draws import parameters
from sim.rules import events
from sim.scenario.schema import Mechanisms

from .contract import EngineContract

ENV = {"incident_rate": {"base": 1.0}, "incident_severity": 0.2, "incident_decay": 0.6}
COMMITTED = {"initial_stance": "committed", "incentives": {"ties": 0.3}, "risk_tolerance": 0.0}
CEASEFIRE = {
    "incentives": {"ties": 0.6},
    "red_lines": [{"id": "calm", "requires": "ceasefire_holding"}],
}
VIOLENT = {
    "states": {"AAA": COMMITTED, "BBB": CEASEFIRE},
    "environment": ENV,
    "broker": {"target": 10_000},
}


class TestIncidentScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "incidents": VIOLENT,
        "incidents off": dict(VIOLENT, incidents=False),
    }


def test_incidents_raise_the_incident_level_round_by_round(scenario, simulate):
    t = simulate(scenario(**VIOLENT), runs=100, seed=17)
    r = t["rounds"].sort_values(["run", "round"])
    assert r["incidents"].mean() == pytest.approx(1.0, abs=0.2)  # rate 1 a round
    previous = r.groupby("run")["incident_level"].shift(1).fillna(0.0)
    expected = 0.6 * previous + 0.2 * r["incidents"]
    assert np.allclose(r["incident_level"], expected)
    assert (r.loc[r["incidents"] > 0, "incident_level"] >= 0.2).all()


def test_incidents_push_a_committed_state_out(scenario, simulate):
    on = simulate(scenario(**VIOLENT), runs=100, seed=17)
    off = simulate(scenario(**dict(VIOLENT, incidents=False)), runs=100, seed=17)
    aaa_on = on["states"][on["states"]["state"] == "AAA"]
    aaa_off = off["states"][off["states"]["state"] == "AAA"]
    left = aaa_on.groupby("run")["stance"].apply(lambda s: (s != "committed").any())
    assert left.mean() > 0.9
    # It leaves through its payoff: the risk component carries the incident level.
    merged = aaa_on.merge(on["rounds"][["run", "round", "incident_level"]], on=["run", "round"])
    merged["seen"] = merged.groupby("run")["incident_level"].shift(1).fillna(0.0)
    assert np.allclose(merged["risk"], -(0.2 + merged["seen"]))
    # Without incidents: no incident, no level, and AAA never moves.
    assert (off["rounds"]["incidents"] == 0).all()
    assert (off["rounds"]["incident_level"] == 0).all()
    assert (aaa_off["stance"] == "committed").all()


def test_incidents_break_a_ceasefire_red_line(scenario, simulate):
    on = simulate(scenario(**VIOLENT), runs=100, seed=17)
    bbb = on["states"][on["states"]["state"] == "BBB"]
    merged = bbb.merge(on["rounds"][["run", "round", "incident_level"]], on=["run", "round"])
    merged["seen"] = merged.groupby("run")["incident_level"].shift(1).fillna(0.0)
    broken = merged["seen"] > 0.25  # environment.ceasefire_threshold
    assert broken.any()
    assert (merged.loc[broken, "binding_red_line"] == "calm").all()
    assert (merged.loc[broken, "stance"] == "declined").all()
    assert (merged.loc[~broken, "binding_red_line"] == "").all()
    off = simulate(scenario(**dict(VIOLENT, incidents=False)), runs=100, seed=17)
    bbb_off = off["states"][off["states"]["state"] == "BBB"]
    assert (bbb_off["binding_red_line"] == "").all()
    assert (bbb_off.groupby("run")["stance"].last() == "committed").all()


@pytest.mark.parametrize(
    ("host_base", "slots", "count"),
    [
        (None, [0.1, 0.2, 0.3, 0.9], 2),  # rate 1.0: a slot fires below 0.25
        (0.0, [0.1, 0.2, 0.3, 0.9], 3),  # no consent: rate 1.0 + 0.5 -> below 0.375
        (1.0, [0.1, 0.2, 0.3, 0.9], 2),  # full consent adds nothing
        (None, [0.9, 0.9, 0.9, 0.9], 0),
    ],
)
def test_incident_count_and_level_from_hand_built_slots(scenario, host_base, slots, count):
    hosts = {} if host_base is None else {"HAM": {"name": "Hamas", "base": host_base}}
    C = scenario(environment=ENV, hosts=hosts)
    P = parameters(C, np.zeros((1, len(C.ranges))))
    consent = np.array([1.0 if host_base is None else host_base])
    level = np.array([0.5])
    n, new = events.incidents(
        C, P, C.mandate0[None], consent, level, np.array([slots]), Mechanisms()
    )
    assert n.tolist() == [count]
    assert new == pytest.approx([0.6 * 0.5 + 0.2 * count])
    off = Mechanisms(incidents=False)
    n0, level0 = events.incidents(C, P, C.mandate0[None], consent, level, np.array([slots]), off)
    assert n0.tolist() == [0] and level0.tolist() == [0.0]


@pytest.mark.parametrize(
    ("force", "deployable", "t", "expected"),
    [
        (1000, True, 3, "formed"),
        (1000, False, 3, "running"),  # a rejected mandate cannot deploy
        (600, True, 3, "running"),
        (600, True, 12, "undersized"),  # at the deadline, above the minimum viable size
        (400, True, 12, "stalled"),
        (1000, False, 12, "stalled"),
    ],
)
def test_outcome_check(force, deployable, t, expected):
    got = events.outcome(
        np.array([float(force)]), 1000.0, 500.0, np.array([deployable]), t, deadline=12
    )
    assert ("running", "formed", "undersized", "stalled")[int(got[0])] == expected
