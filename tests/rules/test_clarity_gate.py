"""The clarity gate: no state moves before the terms are as final as it needs.

Clarity starts at 0 and rises by `broker.engagement` = 1/8 a round, so it
reaches 0.25 in round 2, 0.5 in round 4 and 0.875 in round 7 (binary
fractions: no rounding at the thresholds). Every state is keen (payoff 0.4).
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest

from .contract import EngineContract

ENGAGEMENT = 0.125
THRESHOLDS = {"AAA": 0.25, "BBB": 0.5, "CCC": 0.8, "DDD": 0.0}
GATE = {
    "states": {code: {"clarity_threshold": th} for code, th in THRESHOLDS.items()},
    "mandate": {"clarity": 0.0},
    "broker": {"engagement": ENGAGEMENT, "target": 10_000},
}


class TestClarityGateScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "clarity gate": GATE,
        "gate off": dict(GATE, clarity_gate=False),
    }


def first_round(rows, mask):
    """The first round at which `mask` holds, per run (NaN-free: asserts it happens)."""
    return rows[mask].groupby("run")["round"].min()


@pytest.mark.parametrize("code", list(THRESHOLDS))
def test_a_state_leaves_considering_in_the_first_round_clarity_reaches_its_threshold(
    scenario, simulate, code
):
    C = scenario(**GATE)
    t = simulate(C, runs=40, seed=17)
    rounds, states = t["rounds"], t["states"]
    threshold = THRESHOLDS[code]
    opens = first_round(rounds, rounds["clarity"] >= threshold)
    # The gate opens where the broker's pace says it does ...
    expected = max(1, math.ceil(threshold / ENGAGEMENT))
    assert (opens == expected).all()
    assert len(opens) == 40
    # ... and the state leaves 'considering' in exactly that round, in every run.
    mine = states[states["state"] == code]
    leaves = first_round(mine, mine["stance"] != "considering")
    assert leaves.to_dict() == opens.to_dict()
    # Until then it is considering, whatever its payoff.
    merged = mine.merge(rounds[["run", "round", "clarity"]], on=["run", "round"])
    before = merged[merged["clarity"] < threshold]
    assert (before["stance"] == "considering").all()
    assert (before["payoff"] > 0.25).all()  # it would have climbed otherwise


def test_the_gate_closes_the_ladder_for_states_that_already_offered(scenario, simulate):
    """Below the threshold a state holds its stance: an offer is not turned into a commitment."""
    C = scenario(
        {"BBB": {"clarity_threshold": 0.5, "initial_stance": "offered"}},
        mandate={"clarity": 0.0},
        broker={"engagement": ENGAGEMENT},
    )
    t = simulate(C, runs=20)
    s = t["states"]
    assert (s.loc[s["round"] < 4, "stance"] == "offered").all()
    assert (s.loc[s["round"] == 4, "stance"] == "committed").all()


def test_switching_the_gate_off_lets_every_state_move_in_round_one(scenario, simulate):
    t = simulate(scenario(**dict(GATE, clarity_gate=False)), runs=40)
    first = t["states"][t["states"]["round"] == 1]
    assert (first["stance"] == "conditional").all()
    with_gate = simulate(scenario(**GATE), runs=40)
    first_gated = with_gate["states"][with_gate["states"]["round"] == 1]
    assert set(first_gated.loc[first_gated["stance"] == "conditional", "state"]) == {"DDD"}


def test_red_lines_apply_behind_a_closed_gate(scenario, simulate):
    line = {"id": "no_disarmament", "term": "tasks", "excludes": "weapons_decommissioning"}
    C = scenario(
        {"AAA": {"clarity_threshold": 0.9, "red_lines": [line]}},
        mandate={"clarity": 0.0, "tasks": ["weapons_decommissioning"]},
        broker={"engagement": ENGAGEMENT},
    )
    t = simulate(C, runs=10)
    assert (t["states"]["stance"] == "declined").all()
