"""Stated positions: an offer on the record holds until the state's stance moves.

One state offers 800 troops on the record, at `offered`. Its payoff is its
incentive (0.15, between the offer and commit levels), so the pledge-size rule
would give 300 (a share 0.325 of its 1,000). The tests check that it pledges
800 while it stays at `offered`; that a side payment lifting it to `committed`
has the pledge re-decided from the payoff; that a red line coming to block
the stated kind ends the offer; and that with `stated_positions` off week 1 is
decided from the payoff, as before the mechanism existed.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import pandas as pd
from shipped import SCENARIOS

from sim.analysis.explain.compute import explain
from sim.analysis.explain.text import contribution, headline
from sim.engine import round as week
from sim.engine.trace import Trace
from sim.rules import stated
from sim.rules.decide import Decision
from sim.scenario.arrays import COMMITTED, CONDITIONAL, OFFERED, compile_scenario
from sim.scenario.loader import load
from sim.teach.seat import Choice, apply_choices

from .contract import TABLES, EngineContract

SEED = 17
STATED = 800.0
FROM_PAYOFF = 300.0  # 1000 x (0.25 + 0.75 x (0.15 - 0.1) / 0.5) = 325, in whole units of 100

OFFERED_ON_RECORD = {
    "states": {
        "AAA": {
            "incentives": {"ties": 0.15},
            "initial_offer": {"troops": STATED},
            "initial_stance": "offered",
        }
    },
    "decision": {"noise_sd": 0.02},
    "bandwagon": False,
}
# A side payment of 0.15 lifts the payoff to the commit level (0.25 + h) in week 2.
PAID_TO_COMMIT = dict(OFFERED_ON_RECORD, broker={"side_payments": {"budget": 0.5}}, noise=False)
# Clarity firms up by 0.1 a week from 0.3: the troops red line (clarity at most 0.45)
# holds in week 1 and binds from week 2; police trainers stay free.
RED_LINE_LATER = {
    "states": {
        "AAA": {
            "offers": {"troops": 1000, "police_trainers": 200},
            "incentives": {"ties": 0.15},
            "initial_offer": {"troops": STATED},
            "initial_stance": "offered",
            "red_lines": [{"id": "vague", "term": "clarity", "at_most": 0.45, "kinds": ["troops"]}],
        }
    },
    "mandate": {"clarity": 0.3},
    "broker": {"engagement": 0.1},
    "noise": False,
    "bandwagon": False,
}
COMMITTED_ON_RECORD = {
    "states": {
        "AAA": {
            "incentives": {"ties": 0.15},
            "initial_offer": {"troops": STATED},
            "initial_stance": "committed",
        },
        "BBB": {"incentives": {"ties": 0.5}},
    },
    "broker": {"target": 2000, "minimum_viable": 1000},
    "decision": {"noise_sd": 0.05},
}


def off(case: dict) -> dict:
    """The case with the mechanism switched off."""
    return dict(case, stated_positions=False)


class TestStatedPositionScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "offered on the record": OFFERED_ON_RECORD,
        "offered on the record, switch off": off(OFFERED_ON_RECORD),
        "paid to commit": PAID_TO_COMMIT,
        "red line binds later": RED_LINE_LATER,
        "committed on the record, a second state": COMMITTED_ON_RECORD,
    }


def weeks(tables) -> pd.DataFrame:
    """State AAA's weeks, in order (one run)."""
    s = tables["states"]
    return s[s["state"] == "AAA"].sort_values(["run", "round"]).reset_index(drop=True)


def test_an_offer_on_the_record_holds_while_the_payoff_keeps_the_state_at_offered(
    scenario, simulate
):
    s = weeks(simulate(scenario(**OFFERED_ON_RECORD), runs=20, seed=SEED))
    assert (s["stance"] == "offered").all()
    assert (s["kind"] == "troops").all()
    assert (s["pledge"] == STATED).all()
    # The payoff moved with the noise, but never out of the offered band.
    assert s["payoff"].std() > 0.005
    assert s["round"].max() == 12


def test_with_the_switch_off_week_1_is_decided_from_the_payoff(scenario, simulate):
    s = weeks(simulate(scenario(**off(OFFERED_ON_RECORD)), runs=20, seed=SEED))
    assert (s["stance"] == "offered").all()
    first = s[s["round"] == 1]
    assert (first["pledge"] < STATED).all()
    assert set(first["pledge"]) <= {FROM_PAYOFF - 100, FROM_PAYOFF, FROM_PAYOFF + 100}


def test_once_the_payoff_lifts_the_state_to_committed_its_pledge_is_re_decided(scenario, simulate):
    on = weeks(simulate(scenario(**PAID_TO_COMMIT), runs=4, seed=SEED))
    plain = weeks(simulate(scenario(**off(PAID_TO_COMMIT)), runs=4, seed=SEED))
    w1, w2 = on[on["round"] == 1], on[on["round"] == 2]
    assert (w1["stance"] == "offered").all() and (w1["pledge"] == STATED).all()
    assert (w2["stance"] == "committed").all()
    assert (w2["pledge"] == 500.0).all()  # 1000 x (0.25 + 0.75 x 0.2 / 0.5), in units of 100
    # From the commitment on, the week is the payoff's, exactly as without the mechanism.
    later = ["round", "stance", "kind", "pledge", "counted"]
    pd.testing.assert_frame_equal(
        on.loc[on["round"] >= 2, later].reset_index(drop=True),
        plain.loc[plain["round"] >= 2, later].reset_index(drop=True),
    )


def test_a_red_line_blocking_the_stated_kind_ends_the_stated_offer(scenario, simulate):
    s = weeks(simulate(scenario(**RED_LINE_LATER), runs=2, seed=SEED))
    w1, rest = s[s["round"] == 1], s[s["round"] >= 2]
    assert (w1["kind"] == "troops").all() and (w1["pledge"] == STATED).all()
    # Still offered, on the kind that remains free, at the size its payoff supports.
    assert (rest["stance"] == "offered").all()
    assert (rest["kind"] == "police_trainers").all()
    assert (rest["pledge"] == 60.0).all()  # 200 x 0.325 = 65, in whole units of 10


def test_a_commitment_on_the_record_keeps_its_size_while_it_lasts(scenario, simulate):
    s = weeks(simulate(scenario(**COMMITTED_ON_RECORD), runs=40, seed=SEED))
    prev = s.groupby("run")["stance"].shift(1).fillna("committed")
    moved = (s["stance"] != prev).groupby(s["run"]).cummax()
    still = s[~moved]
    assert len(still) > 0 and (still["stance"] == "committed").all()
    assert (still["pledge"] == STATED).all() and still["counted"].all()


def test_switching_the_mechanism_off_reproduces_the_tables_of_a_scenario_with_no_offer(
    scenario, simulate
):
    """Off is the model before the mechanism: the record's offer only seeds week 0, so
    the weeks are those of the same state with the offer taken off the record."""
    no_offer = {
        **OFFERED_ON_RECORD,
        "states": {"AAA": {"incentives": {"ties": 0.15}, "initial_stance": "offered"}},
    }
    with_offer = simulate(scenario(**off(OFFERED_ON_RECORD)), runs=10, seed=SEED)
    without = simulate(scenario(**no_offer), runs=10, seed=SEED)
    for name in TABLES:
        pd.testing.assert_frame_equal(with_offer[name], without[name], obj=name)
    # Switched on, the offer changes the weeks.
    held = simulate(scenario(**OFFERED_ON_RECORD), runs=10, seed=SEED)
    assert not held["states"]["pledge"].equals(with_offer["states"]["pledge"])


def test_a_human_seat_ends_the_offer_on_the_record(scenario):
    C = scenario(**PAID_TO_COMMIT, side_payments=False)

    def week_1_only(model, dec: Decision) -> Decision:
        if model.t != 1:
            return dec
        return apply_choices(
            C, model.P, dec, {"AAA": 0}, {"AAA": Choice("offered", "troops", 800.0)}
        )

    trace = Trace(C, SEED, 0, override=week_1_only).run_to_end()
    first, second = trace.snapshots[0], trace.snapshots[1]
    assert first.proposed.stated[0, 0] and not first.decision.stated[0, 0]
    # Week 2, the model's own: the offer is no longer on the record, the payoff decides.
    assert second.decision.stance[0, 0] == OFFERED
    assert second.decision.pledge[0, 0] == FROM_PAYOFF


def test_hold_keeps_kind_and_pledge_only_where_the_stance_stays_offered_or_committed(scenario):
    C = scenario(states={"AAA": {}, "BBB": {}, "CCC": {}, "DDD": {}})
    R, S = 1, 4
    free = np.ones((R, S, C.slot_kind.shape[1]), bool)
    prev = np.array([[OFFERED, OFFERED, CONDITIONAL, COMMITTED]])
    new = np.array([[OFFERED, COMMITTED, CONDITIONAL, COMMITTED]])
    dec = Decision(
        stance=new,
        kind=np.where(new >= OFFERED, 0, -1),
        pledge=np.where(new >= OFFERED, 300.0, 0.0),
        payoff=np.zeros((R, S)),
        components={},
        binding=np.full((R, S), -1),
        demand=np.full((R, S), -1),
        gain=np.zeros((R, 0)),
        best=np.zeros((R, S), int),
        available=np.ones((R, S), bool),
        gate_open=np.ones((R, S), bool),
        accept_if=np.zeros((R, 0, 0), bool),
        open_=np.zeros((R, 0), bool),
        free=free,
    )
    flag = np.array([[True, True, True, False]])
    kind = np.zeros((R, S), int)
    pledge = np.full((R, S), STATED)
    out = stated.hold(C, dec, prev, kind, pledge, flag)
    assert out.stated.tolist() == [[True, False, True, False]]
    assert stated.held(out).tolist() == [[True, False, False, False]]
    assert out.pledge.tolist() == [[STATED, 300.0, 0.0, 300.0]]
    # The same week with the stated kind blocked: the flag clears, the payoff decides.
    free[0, 0, :] = False
    gone = stated.hold(C, dec, prev, kind, pledge, flag)
    assert not gone.stated[0, 0] and gone.pledge[0, 0] == 300.0
    assert stated.held(dec).tolist() == [[False] * 4]  # no flag at all: nothing held


def test_explain_says_when_a_state_held_its_stated_offer(scenario):
    C = scenario(**OFFERED_ON_RECORD)
    ex = explain(C, "AAA", run=0)
    assert all(w.held for w in ex.weeks)
    assert "still holding its stated offer of 800 " in headline(ex)
    assert "(stated offer, on the record)" in contribution(C, ex.weeks[0])
    C = scenario(**RED_LINE_LATER)
    ex = explain(C, "AAA", run=0)
    assert [w.held for w in ex.weeks[:3]] == [True, False, False]
    assert "held its stated offer of 800 " in headline(ex)
    assert "(on the record) in week 1;" in headline(ex)
    assert "stated offer" not in contribution(C, ex.weeks[1])


def test_switched_off_the_engine_plays_as_it_did_without_the_rule(scenario, simulate, monkeypatch):
    """Off, every case gives the tables of the engine with the rule taken out."""
    cases = (OFFERED_ON_RECORD, PAID_TO_COMMIT, RED_LINE_LATER, COMMITTED_ON_RECORD)
    switched_off = [simulate(scenario(**off(c)), runs=6, seed=SEED) for c in cases]

    def without_the_rule(C, dec, *_):
        return dataclasses.replace(dec, stated=np.zeros(dec.stance.shape, bool))

    monkeypatch.setattr(week.stated, "hold", without_the_rule)
    for c, got in zip(cases, switched_off, strict=True):
        before = simulate(scenario(**c), runs=6, seed=SEED)
        for name in TABLES:
            pd.testing.assert_frame_equal(got[name], before[name], obj=name)


def test_kind_free_where_flagged_is_kind_free_there():
    """`kind_free` looked at only where a state is still on a stated offer gives what
    it gives everywhere, there, and false elsewhere (the flagship's slots, random
    kinds including none and kinds a state does not offer)."""
    C = compile_scenario(load(SCENARIOS / "isf" / "res2803.yaml"))
    rng = np.random.default_rng(5)
    R, (S, K) = 400, C.slot_kind.shape
    free = rng.random((R, S, K)) < 0.6
    kind = rng.integers(-1, len(C.kinds), (R, S))
    flag = rng.random((R, S)) < 0.3
    everywhere = stated.kind_free(C, free, kind)
    assert everywhere.any() and not everywhere.all()
    np.testing.assert_array_equal(stated.kind_free(C, free, kind, flag), everywhere & flag)
