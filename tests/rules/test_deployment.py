"""Deployment: a pledge is not a force (`deployment:`, `sim.rules.deployment`).

Two keen contributors (payoff 0.6) each offer 1,000 troops against a target of
1,000, so a force forms in the first weeks of every run. What happens next is
the mechanism: an approval vote (Pakistan's parliament), a generation lag, and
entry conditions (a world condition, host consent) decide the week each
contingent reaches the theatre. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import summarise
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.6}}
STATES = {"PAK": KEEN, "IDN": KEEN}
LAG = 3
WATCH = 10
VOTE = {"approval": {"by": "National Assembly", "p": 0.5, "weeks": 2}}
BOARD = {"board": {"label": "The Board of Peace is set up", "from_week": 8}}

FIXED = {"states": STATES, "deployment_stage": {"lag": LAG, "watch": WATCH}}
RANGED = {"states": STATES, "deployment_stage": {"lag": [1, 6], "watch": WATCH}}
PARLIAMENT = {
    "states": {"PAK": dict(KEEN, deployment=VOTE), "IDN": KEEN},
    "deployment_stage": {"lag": LAG, "watch": WATCH},
}
ENTRY = {
    "states": STATES,
    "world": BOARD,
    "deployment_stage": {"lag": 0, "requires": ["board"], "watch": WATCH},
}
HOSTILE_HOST = {"HAM": {"name": "Hamas", "base": 0.1, "threshold": 0.5}}
CONSENT = {
    "states": STATES,
    "hosts": HOSTILE_HOST,
    "deployment_stage": {"lag": 0, "host_consent": True, "watch": WATCH},
}
SWITCHED_OFF = dict(FIXED, deployment=False)


class TestDeploymentScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "fixed lag": FIXED,
        "lag range": RANGED,
        "parliament": PARLIAMENT,
        "entry condition": ENTRY,
        "host consent": CONSENT,
        "switch off": SWITCHED_OFF,
    }


def arrivals(t) -> pd.DataFrame:
    """The deployments table with each run's formation week beside it."""
    ended = t["runs"].set_index("run")["rounds"]
    d = t["deployments"]
    return d.assign(formed=d["run"].map(ended))


def test_a_contingent_arrives_its_lag_after_the_force_forms(scenario, simulate):
    t = simulate(scenario(**FIXED), runs=60)
    d = arrivals(t)
    assert (t["runs"]["outcome"] == "formed").all()
    assert len(d) == 2 * 60
    assert (d["arrival_week"] == d["formed"] + LAG).all()
    # The first arrival is what runs.csv reports, and the strength is every pledge in.
    first = d.groupby("run")["arrival_week"].min()
    assert (t["runs"].set_index("run")["deployed_week"] == first).all()
    pledged = d.groupby("run")["pledge"].sum()
    assert np.allclose(t["runs"].set_index("run")["deployed_force"], pledged)


def test_a_lag_range_is_drawn_per_run_and_rounded_up_to_whole_weeks(scenario, simulate):
    t = simulate(scenario(**RANGED), runs=80)
    d = arrivals(t)
    wait = d["arrival_week"] - d["formed"]
    drawn = t["params"].set_index("run")["deployment.lag"]
    assert drawn.between(1, 6).all() and drawn.std() > 1
    assert (wait == np.ceil(d["run"].map(drawn) - 1e-9)).all()
    # One draw per run, shared by the states that give no lag of their own.
    assert (d.groupby("run")["arrival_week"].nunique() == 1).all()


def test_a_failed_vote_keeps_the_contingent_home(scenario, simulate):
    t = simulate(scenario(**PARLIAMENT), runs=200)
    d = arrivals(t)
    pak, idn = d[d["state"] == "PAK"], d[d["state"] == "IDN"]
    assert set(pak["approval"]) == {"passed", "failed"} and set(idn["approval"]) == {""}
    passed = (pak["approval"] == "passed").mean()
    assert 0.38 < passed < 0.62  # p = 0.5 over 200 votes
    assert pak.loc[pak["approval"] == "failed", "arrival_week"].isna().all()
    ok = pak[pak["approval"] == "passed"]
    assert (ok["arrival_week"] == ok["formed"] + 2 + LAG).all()  # the vote, then the lag
    assert (idn["arrival_week"] == idn["formed"] + LAG).all()
    s = summarise(t, scenario(**PARLIAMENT))["deployment"]["states"]["PAK"]
    assert s["votes"] == 200 and s["votes_passed"] == pytest.approx(passed)


def test_the_force_waits_for_its_entry_condition(scenario, simulate):
    t = simulate(scenario(**ENTRY), runs=40)
    d = arrivals(t)
    assert (d["formed"] < 8).all()  # formed before the Board of Peace is set up
    assert (d["arrival_week"] == 8).all()  # and entered the week it was


def test_without_host_consent_a_formed_force_never_deploys(scenario, simulate):
    C = scenario(**CONSENT)
    t = simulate(C, runs=40)
    assert (t["runs"]["outcome"] == "formed").all()
    assert t["runs"]["deployed_week"].isna().all()
    d = summarise(t, C)["deployment"]
    assert d["p_deployed"] == 0 and d["p_formed_not_deployed"] == 1


def test_with_the_mechanism_off_a_pledge_deploys_the_week_the_force_forms(scenario, simulate):
    t = simulate(scenario(**SWITCHED_OFF), runs=30)
    d = arrivals(t)
    assert len(d) == 60 and (d["arrival_week"] == d["formed"]).all()


def test_without_a_stage_deployed_means_formed(scenario, simulate):
    t = simulate(scenario(states=STATES), runs=30)
    runs = t["runs"]
    assert (runs["deployed_week"] == runs["rounds"]).all()


def test_the_stage_leaves_the_negotiation_as_it_was(scenario, simulate):
    """Its draws come after every other draw, so adding it changes no week of talks."""
    plain = simulate(scenario(states=STATES, broker={"target": 5000}), runs=12)
    staged = simulate(scenario(**dict(FIXED, broker={"target": 5000})), runs=12)
    for name in ("states", "rounds"):
        pd.testing.assert_frame_equal(plain[name], staged[name], obj=name)


def test_the_deployments_table_is_the_same_in_both_engines(scenario, simulate):
    C = scenario(**PARLIAMENT)
    fast, mesa = simulate(C, runs=10), simulate(C, runs=10, engine="mesa")
    assert len(fast["deployments"]) == 20
    assert fast["deployments"].to_csv(index=False) == mesa["deployments"].to_csv(index=False)


def test_a_misspelt_entry_condition_is_refused_with_a_hint(scenario_spec):
    d = scenario_spec(**dict(ENTRY, deployment_stage={"requires": ["bord"]}))
    with pytest.raises(ScenarioError, match=r"deployment\.requires\[0\].*'board'"):
        validate(d)


def test_a_contingent_deployment_needs_the_stage(scenario_spec):
    d = scenario_spec(states={"PAK": dict(KEEN, deployment=VOTE)})
    with pytest.raises(ScenarioError, match=r"states\.PAK\.deployment.*deployment: \{\}"):
        validate(d)


def test_explain_tells_the_vote_the_lag_and_the_wait_at_the_border(scenario, simulate):
    from sim.analysis.explain import explain
    from sim.analysis.explain.text import deployment_lines

    text = " ".join(deployment_lines(explain(scenario(**ENTRY), "PAK", run=0)))
    assert "ready in week" in text
    assert "entered in week 8, once the force's entry conditions held" in text
    assert "the Board of Peace is set up" in text
    C = scenario(**PARLIAMENT)
    d = simulate(C, runs=20)["deployments"]
    failed = int(d.loc[(d["state"] == "PAK") & (d["approval"] == "failed"), "run"].iloc[0])
    text = " ".join(deployment_lines(explain(C, "PAK", run=failed)))
    assert "National Assembly rejected the deployment" in text
    assert text.endswith("The contingent stayed home.")
    assert deployment_lines(explain(scenario(**SWITCHED_OFF), "PAK", run=0)) == []
