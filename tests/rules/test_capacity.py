"""Capacity from evidence: a stated offer is an upper bound; `capacity` is what a
state can field, and it bounds the pledge.

Pakistan is keen (payoff 0.6); it offered 2,000 troops on the record and can
field between 500 and 1,000 (a judgement range). Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
import pytest

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.6}, "offers": {"troops": 2000}}
REALISED = {"states": {"PAK": dict(KEEN, capacity={"troops": [500, 1000]})}}
AS_OFFER = {"states": {"PAK": dict(KEEN, offers={"troops": [500, 1000]})}}


class TestCapacityScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {"realised capacity": REALISED}


def test_the_pledge_never_exceeds_the_realised_capacity(scenario, simulate):
    t = simulate(scenario(**REALISED), runs=60)
    drawn = t["params"].set_index("run")["states.PAK.capacity.troops"]
    assert drawn.between(500, 1000).all() and drawn.std() > 100
    s = t["states"]
    committed = s[(s["state"] == "PAK") & (s["stance"] == "committed")]
    assert len(committed)
    assert (committed["pledge"] <= committed["run"].map(drawn) + 1e-9).all()
    assert committed["pledge"].max() <= 1000  # never the stated 2,000


def test_a_capacity_is_drawn_where_the_offer_range_would_be(scenario, simulate):
    """Writing the range as capacity beside a stated offer changes no draw."""
    a = simulate(scenario(**REALISED), runs=20)
    b = simulate(scenario(**AS_OFFER), runs=20)
    for name in ("runs", "states", "rounds"):
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    assert list(a["params"]["states.PAK.capacity.troops"]) == list(
        b["params"]["states.PAK.offers.troops"]
    )


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ({"troops": 2500}, r"capacity\.troops: expected at most the stated offer \(2000\)"),
        ({"tropps": 500}, r"capacity\.tropps: unknown offered kind 'tropps' \(did you mean"),
    ],
)
def test_a_capacity_beyond_the_offer_is_refused(scenario_spec, capacity, message):
    d = scenario_spec(states={"PAK": dict(KEEN, capacity=capacity)})
    with pytest.raises(ScenarioError, match=message):
        validate(d)
