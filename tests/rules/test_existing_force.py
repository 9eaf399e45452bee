"""A force already in theatre counts toward the target (an existing mission expanded).

One keen contributor (payoff 0.6) can bring at most 2,000 troops; the target is
3,000 and the minimum viable size 2,500. Alone it never reaches either. With
1,000 personnel already in theatre (`force.in_theatre`), the same pledge
completes the force. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.6}, "offers": {"troops": 2000}}
ALONE = {"states": {"PAK": KEEN}, "broker": {"target": 3000, "minimum_viable": 2500}}
EXPANDED = dict(ALONE, force={"counts": ["troops"], "in_theatre": 1000})


class TestExistingForceScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {"new mission": ALONE, "existing mission": EXPANDED}


def test_the_force_in_theatre_completes_what_pledges_alone_cannot(scenario, simulate):
    alone = simulate(scenario(**ALONE), runs=100, seed=17)
    expanded = simulate(scenario(**EXPANDED), runs=100, seed=17)
    assert (alone["runs"]["outcome"] == "stalled").all()
    assert (expanded["runs"]["outcome"] == "formed").mean() > 0.9
    # The counted force is the pledges plus the force already there, week by week.
    pledged = expanded["states"].assign(c=lambda d: d["pledge"] * d["counted"])
    by_week = pledged.groupby(["run", "round"])["c"].sum()
    rounds = expanded["rounds"].set_index(["run", "round"])["force"]
    assert (rounds - by_week.loc[rounds.index] == 1000).all()


def test_the_report_says_the_force_in_theatre_counts(scenario, simulate):
    from sim.analysis.report import scenario_paragraph

    text = scenario_paragraph(scenario(**EXPANDED), {"runs": 10})
    assert "1,000 already in theatre count from the start" in text
    assert "already in theatre" not in scenario_paragraph(scenario(**ALONE), {"runs": 10})
