"""Side payments bring in a pivotal state, only when the budget allows.

PIV sits at payoff 0.2: enough to offer (0.1), not to commit (0.25 + h 0.05).
No noise, no bandwagon: without help it stays 'offered' for ever. Paying the
gap (0.1) lifts it over the commit level. A smaller state, OTH, is pivotal too
but the broker pays the largest first.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from .contract import EngineContract

GAP = 0.25 + 0.05 - 0.2  # committed + hysteresis - payoff

STATES = {
    "PIV": {"incentives": {"ties": 0.2}, "offers": {"troops": 1500}},
    "OTH": {"incentives": {"ties": 0.2}, "offers": {"troops": 300}},
}


def broker(budget, max_per_state=0.2):
    return {"target": 2000, "side_payments": {"budget": budget, "max_per_state": max_per_state}}


def setup(budget, max_per_state=0.2, **switches):
    return dict(
        states=STATES,
        broker=broker(budget, max_per_state),
        noise=False,
        bandwagon=False,
        **switches,
    )


class TestSidePaymentScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "budget for one": setup(0.15),
        "budget for both": setup(0.5),
        "no budget": setup(0.0),
        "side payments off": setup(0.5, side_payments=False),
    }


def final(tables):
    s = tables["states"]
    last = s[s["round"] == s.groupby("run")["round"].transform("max")]
    return last.set_index(["run", "state"])["stance"].unstack()


def test_a_side_payment_brings_in_the_largest_pivotal_state(scenario, simulate):
    t = simulate(scenario(**setup(0.15)), runs=10, seed=17)
    paid = t["rounds"][t["rounds"]["side_payment_to"] != ""]
    # One payment per run, to PIV, in round 1, of exactly the gap.
    assert paid.groupby("run").size().eq(1).all() and len(paid) == 10
    assert (paid["side_payment_to"] == "PIV").all()
    assert (paid["round"] == 1).all()
    assert t["runs"]["side_payments"].tolist() == pytest.approx([GAP] * 10)
    # It shows in PIV's payoff from the next round, and PIV commits.
    s = t["states"]
    piv = s[s["state"] == "PIV"]
    assert (piv.loc[piv["round"] == 1, "side_payment"] == 0).all()
    assert piv.loc[piv["round"] > 1, "side_payment"].to_numpy() == pytest.approx(GAP)
    assert (final(t)["PIV"] == "committed").all()
    # The budget left (0.05) is below OTH's gap: OTH stays at 'offered'.
    assert (final(t)["OTH"] == "offered").all()


def test_a_larger_budget_pays_both(scenario, simulate):
    t = simulate(scenario(**setup(0.5)), runs=10, seed=17)
    paid = t["rounds"][t["rounds"]["side_payment_to"] != ""]
    order = paid.sort_values(["run", "round"]).groupby("run")["side_payment_to"].apply(list)
    assert all(payees == ["PIV", "OTH"] for payees in order) and len(order) == 10
    assert t["runs"]["side_payments"].tolist() == pytest.approx([2 * GAP] * 10)
    assert (final(t) == "committed").all().all()


@pytest.mark.parametrize(
    ("budget", "max_per_state", "switches"),
    [(0.0, 0.2, {}), (0.05, 0.2, {}), (0.5, 0.05, {}), (0.5, 0.2, {"side_payments": False})],
    ids=["no budget", "budget below the gap", "cap below the gap", "side payments off"],
)
def test_no_payment_when_the_budget_does_not_allow_it(
    scenario, simulate, budget, max_per_state, switches
):
    t = simulate(scenario(**setup(budget, max_per_state, **switches)), runs=10, seed=17)
    assert (t["rounds"]["side_payment_to"] == "").all()
    assert (t["runs"]["side_payments"] == 0).all()
    assert (t["states"]["side_payment"] == 0).all()
    assert (final(t) == "offered").all().all()
    assert (t["runs"]["coalition"] == "").all()


def test_no_payment_to_a_vetoed_state(scenario, simulate):
    israel = {"ISR": {"name": "Israel", "base": 1.0, "vetoes": ["PIV"]}}
    t = simulate(scenario(**setup(0.15), veto_players=israel), runs=10, seed=17)
    paid = t["rounds"].loc[t["rounds"]["side_payment_to"] != "", "side_payment_to"]
    assert "PIV" not in set(paid)
    assert (final(t)["PIV"] == "offered").all()
