"""The stance ladder and its hysteresis.

`stance.ladder` is tested directly on hand-built arrays (one rung up per round,
an immediate fall, a committed state staying above the exit level), then in
whole runs: with noise on and a payoff hovering at a rung threshold, hysteresis
cuts the number of stance changes.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim.rules import stance
from sim.scenario.arrays import COMMITTED, CONDITIONAL, CONSIDERING, DECLINED, OFFERED, STANCES
from sim.scenario.schema import Thresholds

from .contract import EngineContract

TH = Thresholds()  # conditional -0.1, offered 0.1, committed 0.25, exit -0.2
H = 0.05

# A payoff that sits on the 'offered' threshold (0.1), shaken by noise of sd 0.05.
HOVERING = {
    "states": {"AAA": {"incentives": {"ties": TH.offered}}},
    "broker": {"deadline": 40},
    "decision": {"noise_sd": 0.05, "hysteresis": H},
    "bandwagon": False,
}
# A committed state whose payoff wanders around 0, between the exit level and the offer level.
COMMITTED_WANDERING = {
    "states": {"AAA": {"incentives": {"ties": 0.0}, "initial_stance": "committed"}},
    "broker": {"deadline": 30},
    "decision": {"noise_sd": 0.1},
    "bandwagon": False,
}


class TestHysteresisScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "hovering, hysteresis": HOVERING,
        "hovering, no hysteresis": dict(HOVERING, hysteresis=False),
        "committed, wandering payoff": COMMITTED_WANDERING,
    }


def ladder(prev, u, *, available=True, liftable=False, gate=True, h=H):
    """One state's next stance, by name, from `stance.ladder` on (1, 1) arrays."""
    out = stance.ladder(
        np.array([[STANCES.index(prev)]]),
        np.array([[u]]),
        np.array([[available]]),
        np.array([[liftable]]),
        np.array([[gate]]),
        TH,
        h,
    )
    return STANCES[int(out[0, 0])]


@pytest.mark.parametrize(
    ("prev", "u", "expected"),
    [
        # One rung up per round, however high the payoff.
        ("declined", 5.0, "conditional"),
        ("considering", 5.0, "conditional"),
        ("conditional", 5.0, "offered"),
        ("offered", 5.0, "committed"),
        ("committed", 5.0, "committed"),
        # A fall is immediate, to the level the payoff supports.
        ("offered", -0.5, "declined"),
        ("committed", -0.5, "declined"),
        ("committed", TH.exit - 0.01, "declined"),  # just below exit: out, and all the way
        # Committed stays while the payoff stays at or above the exit level ...
        ("committed", -0.15, "committed"),
        ("committed", TH.exit, "committed"),
        # ... which the lower rungs do not enjoy.
        ("offered", -0.15, "conditional"),
        # A climb needs the next level cleared by h; a fall needs it missed by h.
        ("conditional", TH.offered + 0.02, "conditional"),
        ("conditional", TH.offered + H + 0.01, "offered"),
        ("offered", TH.offered - 0.02, "offered"),
        ("offered", TH.offered - H - 0.01, "conditional"),
        ("offered", TH.committed + 0.02, "offered"),
        # Considering below every threshold: the payoff supports 'declined'.
        ("considering", -0.5, "declined"),
    ],
)
def test_ladder_with_hysteresis(prev, u, expected):
    assert ladder(prev, u) == expected


@pytest.mark.parametrize(
    ("prev", "u", "expected"),
    [
        ("conditional", TH.offered + 0.02, "offered"),
        ("offered", TH.offered - 0.02, "conditional"),
        ("offered", TH.committed + 0.02, "committed"),
        ("committed", -0.15, "committed"),
    ],
)
def test_ladder_without_hysteresis_moves_on_every_crossing(prev, u, expected):
    assert ladder(prev, u, h=0.0) == expected


def test_ladder_caps_a_state_with_no_kind_free_of_red_lines():
    assert ladder("committed", 5.0, available=False, liftable=True) == "conditional"
    assert ladder("committed", 5.0, available=False, liftable=False) == "declined"
    # The cap applies behind a closed clarity gate too.
    assert ladder("offered", 5.0, available=False, gate=False) == "declined"


def test_ladder_holds_the_stance_behind_a_closed_gate():
    for prev in STANCES:
        assert ladder(prev, 5.0, gate=False) == prev
        assert ladder(prev, -5.0, gate=False) == prev


def test_ladder_climbs_one_rung_a_round_to_committed():
    prev = np.full((1, 1), CONSIDERING)
    path = []
    for _ in range(4):
        prev = stance.ladder(prev, np.ones((1, 1)), *np.ones((3, 1, 1), bool), TH, H)
        path.append(int(prev[0, 0]))
    assert path == [CONDITIONAL, OFFERED, COMMITTED, COMMITTED]


def test_ladder_works_elementwise_over_runs_and_states():
    prev = np.array([[DECLINED, OFFERED, COMMITTED], [COMMITTED, CONSIDERING, OFFERED]])
    u = np.array([[0.5, -0.5, -0.1], [-0.3, 0.0, 0.5]])
    yes = np.ones(prev.shape, bool)
    out = stance.ladder(prev, u, yes, ~yes, yes, TH, np.array([[H], [0.0]]))
    assert out.tolist() == [[CONDITIONAL, DECLINED, COMMITTED], [DECLINED, CONDITIONAL, COMMITTED]]


@pytest.mark.parametrize(
    ("u", "capacity", "unit", "expected"),
    [
        (TH.offered, 1000, 100, 200),  # min share 0.25 of 1000 = 250 -> 2 whole units
        (0.6, 1000, 100, 1000),  # full payoff: the whole capacity
        (5.0, 1000, 100, 1000),  # never above capacity
        (0.35, 1000, 100, 600),  # half-way: 0.25 + 0.75 * 0.5 = 0.625
        (TH.offered, 100, 100, 100),  # at least one unit when capacity allows
        (5.0, 50, 100, 0),  # nothing when capacity is below one unit
    ],
)
def test_pledge_grows_with_the_payoff_in_whole_units(u, capacity, unit, expected):
    got = stance.pledge(
        np.array([u]), np.array([float(capacity)]), np.array([float(unit)]), 0.1, 0.6, 0.25
    )
    assert got.tolist() == [expected]


def changes_per_run(states):
    """How many times each run's (single) state changed its stance."""
    return states.groupby("run")["stance"].apply(
        lambda s: int((s.to_numpy()[1:] != s.to_numpy()[:-1]).sum())
    )


def test_hysteresis_cuts_stance_changes_when_the_payoff_hovers_at_a_threshold(scenario, simulate):
    on = changes_per_run(simulate(scenario(**HOVERING), runs=100, seed=17)["states"])
    off = changes_per_run(
        simulate(scenario(**dict(HOVERING, hysteresis=False)), runs=100, seed=17)["states"]
    )
    # Same seed, same noise: only the switch differs.
    assert on.sum() < 0.6 * off.sum()
    assert (on <= off).mean() > 0.9
    assert on.sum() > 0  # it does still move: the noise is large enough to cross the band


def test_a_committed_state_stays_committed_while_its_payoff_stays_above_exit(scenario, simulate):
    t = simulate(scenario(**COMMITTED_WANDERING), runs=100, seed=17)
    s = t["states"].sort_values(["run", "round"]).copy()
    s["prev"] = s.groupby("run")["stance"].shift(1).fillna("committed")
    was = s[s["prev"] == "committed"]
    above = was["payoff"] >= TH.exit
    assert (was.loc[above, "stance"] == "committed").all()
    assert (was.loc[~above, "stance"] != "committed").all()
    # Both happen under this seed: most rows stay, a few drop out.
    assert above.sum() > 100
    assert (~above).sum() > 0
    # The wandering payoff is below the commit level most of the time.
    assert (was["payoff"] < TH.committed).mean() > 0.8
