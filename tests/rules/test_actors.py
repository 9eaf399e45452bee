"""Veto players' acceptance and host actors' consent follow their effects.

Pure-function tests of `actors.acceptance` / `actors.consent` on mandate rows
written by hand, then the same quantities as the engine records them.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim.engine.draws import parameters
from sim.rules import actors

from .contract import EngineContract

VETO_PLAYERS = {
    # Israel wants disarmament and freedom of action: a slope on use_of_force
    # (0.2 over the whole ordinal scale) and a weight on the task.
    "ISR": {
        "name": "Israel",
        "base": 0.3,
        "effects": {"tasks": {"weapons_decommissioning": 0.4}, "use_of_force": 0.2},
        "threshold": 0.5,
    },
    # The Council accepts anything short of enforcement.
    "UNSC": {
        "name": "UN Security Council",
        "base": 1.0,
        "requires": [
            {"id": "no_enforcement", "term": "use_of_force", "at_most": "defence_of_mandate"}
        ],
    },
}
HOSTS = {
    "HAM": {
        "name": "Hamas",
        "base": 0.9,
        "effects": {
            "tasks": {"weapons_decommissioning": -0.8},
            "use_of_force": {"enforcement": -0.3},
        },
        "threshold": 0.5,
    },
    "FAT": {
        "name": "Fatah",
        "base": 0.4,
        "effects": {"national_caveats": 0.3, "use_of_force": {"self_defence": 0.8}},
        "threshold": 0.5,
    },
}
MANDATES = [
    {"use_of_force": "self_defence", "tasks": ["ceasefire_monitoring"], "national_caveats": False},
    {
        "use_of_force": "enforcement",
        "tasks": ["ceasefire_monitoring", "weapons_decommissioning"],
        "national_caveats": True,
    },
    {
        "use_of_force": "defence_of_mandate",
        "tasks": ["weapons_decommissioning"],
        "national_caveats": True,
    },
]
# Expected, mandate by mandate (see the effects above; clipped to [0, 1]).
ACCEPTANCE = [[0.3, 1.0], [0.9, 0.0], [0.8, 1.0]]  # ISR 0.3 + 0.4 + 0.2 * level / 2
ACCEPTS = [[False, True], [True, False], [True, True]]
CONSENT = [[0.9, 1.0], [0.0, 0.7], [0.1, 0.7]]  # HAM -0.2 -> 0; FAT 1.2 -> 1
ALL_CONSENT = [True, False, False]

ACTORS = {"veto_players": VETO_PLAYERS, "hosts": HOSTS}


class TestActorScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {"veto players and hosts": dict(ACTORS, mandate=MANDATES[2])}


@pytest.fixture
def setup(scenario):
    C = scenario(**ACTORS)
    P = parameters(C, np.zeros((1, len(C.ranges))))
    m = np.stack([C.cols.encode({**C.scenario.mandate, **mandate}) for mandate in MANDATES])
    return C, P, m


def test_acceptance_follows_the_veto_players_effects(setup):
    C, P, m = setup
    assert C.veto_ids == ["ISR", "UNSC"]
    acc, accepts = actors.acceptance(C, P, m)
    assert acc == pytest.approx(np.array(ACCEPTANCE))
    assert accepts.tolist() == ACCEPTS
    for v in range(len(C.veto_ids)):
        assert actors.acceptance_of(C, P, m, v) == pytest.approx(acc[:, v])


def test_consent_follows_the_hosts_effects(setup):
    C, P, m = setup
    consent, all_ok = actors.consent(C, P, m)
    assert consent == pytest.approx(np.array(CONSENT))
    assert all_ok.tolist() == ALL_CONSENT
    assert actors.lowest(consent) == pytest.approx([0.9, 0.0, 0.1])


def test_acceptance_moves_in_the_direction_of_each_effect(setup):
    C, P, m = setup
    base = m[2:3]
    lower_force = base.copy()
    lower_force[0, C.cols.col["use_of_force"]] = 0.0
    no_task = base.copy()
    no_task[0, C.cols.task_col[("tasks", "weapons_decommissioning")]] = 0.0
    isr = actors.acceptance_of(C, P, base, 0)[0]
    assert actors.acceptance_of(C, P, lower_force, 0)[0] == pytest.approx(isr - 0.1)
    assert actors.acceptance_of(C, P, no_task, 0)[0] == pytest.approx(isr - 0.4)
    ham = actors.consent_of(C, P, base, 0)[0]
    assert actors.consent_of(C, P, no_task, 0)[0] == pytest.approx(ham + 0.8)


def test_without_hosts_consent_is_full(scenario):
    C = scenario()
    P = parameters(C, np.zeros((1, len(C.ranges))))
    consent, all_ok = actors.consent(C, P, C.mandate0[None])
    assert consent.shape == (1, 0)
    assert all_ok.tolist() == [True]
    assert actors.lowest(consent).tolist() == [1.0]


def test_the_engine_records_acceptance_and_consent_of_the_mandate_in_force(scenario, simulate):
    """After a concession drops decommissioning, Israel's acceptance falls by its
    weight (0.4) and Hamas's consent rises by its (0.8), from that round on."""
    drop = {
        "id": "drop_disarmament",
        "change": {"tasks": {"remove": ["weapons_decommissioning"]}},
        "cost": 0.0,
    }
    C = scenario(
        {
            "PAK": {
                "red_lines": [{"id": "x", "term": "tasks", "excludes": "weapons_decommissioning"}]
            }
        },
        mandate=MANDATES[2],
        broker={"concessions": [drop], "veto_loss_cost": 0.0},
        **ACTORS,
    )
    t = simulate(C, runs=10, seed=17)
    r = t["rounds"]
    before = r["term.tasks"].str.contains("weapons_decommissioning")
    assert before.any() and (~before).any()
    assert r.loc[before, "accept.ISR"].round(12).eq(0.8).all()
    assert r.loc[~before, "accept.ISR"].round(12).eq(0.4).all()
    assert r.loc[before, "accepts.ISR"].all() and not r.loc[~before, "accepts.ISR"].any()
    assert r.loc[before, "consent.HAM"].round(12).eq(0.1).all()
    assert r.loc[~before, "consent.HAM"].round(12).eq(0.9).all()


def test_low_host_consent_raises_the_risk_contributors_face(scenario, simulate):
    """risk = base 0.2 + consent_risk 0.5 * (1 - consent); a state with risk
    tolerance 0.5 bears half of it on troops (kind risk 1)."""
    states = {"PAK": {"risk_tolerance": 0.5}}
    hostile = {"HAM": {"name": "Hamas", "base": 0.3}}
    calm = simulate(scenario(states, incidents=False), runs=5)["states"]
    tense = simulate(scenario(states, hosts=hostile, incidents=False), runs=5)["states"]
    assert np.allclose(calm["risk"], -0.5 * 0.2)
    assert np.allclose(tense["risk"], -0.5 * (0.2 + 0.5 * 0.7))
    assert (tense["payoff"] < calm["payoff"]).all()
