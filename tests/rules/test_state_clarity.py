"""Per-state clarity: a state may wait on its own clarity term, not the force-wide one.

The vocabulary adds `roe_clarity` (clarity of the rules of engagement, a number
term). The force-wide term `clarity` starts at 0, `roe_clarity` at 0 too; the
broker's engagement of 1/8 a week firms up both, so each reaches 0.5 in week 4
and 0.75 in week 6 (binary fractions: no rounding at the thresholds). Every
state is keen (payoff 0.6) and starts *considering*, so it climbs one rung a
week once its gate opens. The target is out of reach: runs last to the deadline.
Seed 17.
"""

from __future__ import annotations

import copy
from typing import ClassVar

import numpy as np
import pytest

from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

ENGAGEMENT = 0.125
ROE = "roe_clarity"
KEEN = {"incentives": {"ties": 0.6}}
OWN = {**KEEN, "clarity_term": ROE, "clarity_threshold": 0.75}
FORCE_WIDE = {**KEEN, "clarity_threshold": 0.5}
SLOW = {"engagement": ENGAGEMENT, "target": 10_000}
CLARIFY = {"id": "clarify_roe", "label": "Clarify the rules of engagement", "cost": 0.05}
CLARIFY["change"] = {ROE: 0.9}
CAVEATS = {"id": "allow_caveats", "change": {"national_caveats": True}, "cost": 0.0}

TWO_GATES = {"states": {"AAA": OWN, "BBB": FORCE_WIDE}, "mandate": {"clarity": 0.0}, "broker": SLOW}
# AAA waits on a term the engagement alone brings to 0.9 only after the deadline;
# the broker can write it down (clarify_roe). The cheaper `allow_caveats` comes
# first in the demand search's order but does nothing for AAA's gate.
ASKS = {
    "states": {"AAA": {**OWN, "clarity_threshold": 0.9}, "BBB": FORCE_WIDE},
    "mandate": {"clarity": 0.5},
    "broker": {"engagement": 0.05, "target": 10_000, "concessions": [CAVEATS, CLARIFY]},
}


@pytest.fixture
def spec(scenario_spec):
    """The conftest mapping with `roe_clarity` in the vocabulary (0 in the mandate)."""

    def make(states=None, **overrides):
        d = scenario_spec(states, **overrides)
        d["vocabulary"][ROE] = {"kind": "number", "label": "Clarity of the rules of engagement"}
        d["mandate"].setdefault(ROE, 0.0)
        return d

    return make


@pytest.fixture
def scenario(spec):
    """This module's scenarios carry the `roe_clarity` term."""
    return lambda states=None, **overrides: compile_scenario(validate(spec(states, **overrides)))


class TestStateClarityScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "own clarity term": TWO_GATES,
        "a concession raises it": ASKS,
        "gate off": dict(TWO_GATES, clarity_gate=False),
    }


def first(rows, mask):
    """The first round at which `mask` holds, per run."""
    return rows[mask].groupby("run")["round"].min()


def test_the_engagement_firms_up_every_clarity_term(scenario, simulate):
    t = simulate(scenario(**TWO_GATES), runs=10, seed=17)
    r = t["rounds"]
    expected = np.minimum(1.0, r["round"] * ENGAGEMENT)
    assert np.allclose(r[f"term.{ROE}"], expected)
    assert np.allclose(r["clarity"], expected)


def test_a_state_waits_on_its_own_term_while_the_other_moves_on_the_force_wide_one(
    scenario, simulate
):
    t = simulate(scenario(**TWO_GATES), runs=40, seed=17)
    s = t["states"].merge(t["rounds"][["run", "round", f"term.{ROE}"]], on=["run", "round"])
    aaa, bbb = s[s["state"] == "AAA"], s[s["state"] == "BBB"]
    # BBB leaves considering in week 4 (force-wide clarity 0.5), AAA in week 6 (ROE 0.75).
    assert (first(bbb, bbb["stance"] != "considering") == 4).all()
    assert (first(aaa, aaa["stance"] != "considering") == 6).all()
    assert (aaa.loc[aaa[f"term.{ROE}"] < 0.75, "stance"] == "considering").all()
    # One rung a week from there: BBB commits in week 6, AAA only in week 8.
    b_in, a_in = first(bbb, bbb["stance"] == "committed"), first(aaa, aaa["stance"] == "committed")
    assert len(b_in) == len(a_in) == 40
    assert (b_in == 6).all() and (a_in == 8).all()
    assert (a_in > b_in).all()


def test_with_the_gate_switched_off_neither_waits(scenario, simulate):
    t = simulate(scenario(**dict(TWO_GATES, clarity_gate=False)), runs=20, seed=17)
    week1 = t["states"][t["states"]["round"] == 1]
    assert (week1["stance"] == "conditional").all()


def test_a_state_waiting_on_its_own_term_demands_the_concession_that_raises_it(scenario, simulate):
    t = simulate(scenario(**ASKS), runs=40, seed=17)
    s, runs = t["states"], t["runs"]
    aaa, bbb = s[s["state"] == "AAA"], s[s["state"] == "BBB"]
    # Week 1: AAA is in on the terms but its gate is closed (ROE 0.05 < 0.9): it asks
    # for the clarification, not the cheaper concession that leaves its gate shut.
    week1 = aaa[aaa["round"] == 1]
    assert (week1["stance"] == "considering").all()
    assert (week1["demand"] == "clarify_roe").all()
    # BBB's gate is open: it demands nothing.
    assert (bbb["demand"] == "").all()
    # The broker writes the rules of engagement down at its first chance (patience 2) ...
    assert (runs["concessions"] == "clarify_roe@2").all()
    # ... AAA sees them from week 3, and climbs from there.
    assert (first(aaa, aaa["stance"] != "considering") == 3).all()
    assert (aaa.loc[aaa["round"] >= 3, "demand"] == "").all()
    assert (first(aaa, aaa["stance"] == "committed") == 5).all()


def test_without_the_concession_the_state_waits_past_the_deadline(scenario, simulate):
    no_menu = copy.deepcopy(ASKS)
    no_menu["broker"]["concessions"] = [CAVEATS]
    t = simulate(scenario(**no_menu), runs=20, seed=17)
    aaa = t["states"][t["states"]["state"] == "AAA"]
    assert (aaa["stance"] == "considering").all()  # 0.05 a week reaches 0.6 by week 12
    assert (aaa["demand"] == "").all()  # nothing on the menu opens its gate


def test_a_concession_that_cannot_open_the_gate_is_not_demanded(scenario, simulate):
    high = copy.deepcopy(ASKS)
    high["states"]["AAA"]["clarity_threshold"] = 0.95  # above the 0.9 written down
    t = simulate(scenario(**high), runs=20, seed=17)
    aaa = t["states"][t["states"]["state"] == "AAA"]
    assert (aaa["demand"] == "").all()
    assert (t["runs"]["concessions"] == "").all()


def test_a_misspelt_clarity_term_is_refused_with_a_hint(spec):
    d = spec({"AAA": {"clarity_term": "roe_clarty"}})
    with pytest.raises(
        ScenarioError, match=r"states\.AAA\.clarity_term.*did you mean 'roe_clarity'"
    ):
        validate(d)


def test_a_clarity_term_must_be_a_number_term(spec):
    d = spec({"AAA": {"clarity_term": "national_caveats"}})
    with pytest.raises(ScenarioError, match=r"expected a number term.*national_caveats"):
        validate(d)


def test_a_states_clarity_term_lies_in_0_1_in_the_mandate_and_in_concessions(spec):
    d = spec(
        {"AAA": {"clarity_term": ROE}}, broker={"concessions": [CLARIFY | {"change": {ROE: 2}}]}
    )
    with pytest.raises(ScenarioError, match=r"\[0, 1\]"):
        validate(d)
    d["broker"]["concessions"] = []
    d["mandate"][ROE] = -0.5
    with pytest.raises(ScenarioError, match=r"mandate\.roe_clarity.*\[0, 1\]"):
        validate(d)


def test_explain_names_the_term_a_state_waits_on(scenario):
    from sim.analysis.explain import explain
    from sim.analysis.explain.text import flip_text, holding_back

    C = scenario(**ASKS)
    ex = explain(C, "AAA", run=0)
    week1 = ex.weeks[0]
    assert not week1.gate_open
    assert week1.clarity_term == ROE and week1.clarity == pytest.approx(0.05)
    assert holding_back(week1, ex) == "waiting for clarity on the rules of engagement (0.05 < 0.90)"
    # The concession that flips it is the one that opens its gate, and it is its demand.
    assert week1.flip.concession == "clarify_roe" and week1.flip.how == "demand"
    assert "Clarify the rules of engagement (its demand)" in flip_text(C, week1)
    # A state waiting on the force-wide term is told as before.
    other = explain(scenario(**TWO_GATES), "BBB", run=0)
    assert holding_back(other.weeks[0], other) == "waiting for clarity (0.12 < 0.50)"
