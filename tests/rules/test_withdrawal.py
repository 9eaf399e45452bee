"""Suspension and withdrawal under shocks (`events:`, `deployment.incident_hazard`,
`sim.rules.withdrawal`).

Two keen contributors (payoff 0.9) each offer 1,000 troops against a target of
1,000, so a force forms in the first weeks of every run and both contingents are
in theatre LAG weeks later, well before week 6. What happens next is the
mechanism: an event recalls or suspends a contingent, or casualties in theatre
make a state withdraw, with a chance that rises with its domestic opposition
and falls with its risk tolerance. Seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import summarise
from sim.charts import deployment as chart
from sim.engine.draws import watched
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate

from .contract import EngineContract

KEEN = {"incentives": {"ties": 0.9}}
STATES = {"PAK": dict(KEEN, blocs=["oic"]), "IDN": KEEN}
LAG = 2
WATCH = 10
STAGE = {"lag": LAG, "watch": WATCH}
RECALL_WEEK = 8
RECALL = {"recall": {"week": RECALL_WEEK, "effect": {"PAK": {"action": "withdraw"}}}}
CRISIS = {
    "crisis": {
        "label": "A crisis at home",
        "week": 6,
        "effect": {"oic": {"action": "suspend", "weeks": 3}},
    }
}
RISKY = {"incentives": {"ties": 0.9}, "domestic_opposition": 0.9, "risk_tolerance": 0.1}
SAFE = {"incentives": {"ties": 0.9}, "domestic_opposition": 0.1, "risk_tolerance": 0.9}

WITHDRAW = {"states": STATES, "deployment_stage": STAGE, "events": RECALL}
SUSPEND = {"states": STATES, "deployment_stage": STAGE, "events": CRISIS}
HAZARD = {
    "states": STATES,
    "deployment_stage": STAGE,
    "events": {
        "war": {"hazard": [0.02, 0.1], "effect": {"IDN": {"action": "suspend", "weeks": 2}}}
    },
}
INCIDENTS = {
    "states": {"PAK": RISKY, "IDN": SAFE},
    "deployment_stage": dict(STAGE, incident_hazard=[0.05, 0.2]),
}
SWITCHED_OFF = dict(WITHDRAW, withdrawal=False)


class TestWithdrawalScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "scheduled withdrawal": WITHDRAW,
        "bloc suspension": SUSPEND,
        "hazard range": HAZARD,
        "incidents in theatre": INCIDENTS,
        "switch off": SWITCHED_OFF,
    }


def weekly(C, t) -> np.ndarray:
    """(runs, weeks): deployed strength week by week, as the chart reads it."""
    return chart.strength(t["deployments"], t["runs"], watched(C), 0.0)


def rows(t, code: str) -> pd.DataFrame:
    d = t["deployments"]
    return d[d["state"] == code].set_index("run")


def test_a_scheduled_withdrawal_removes_the_contingent_from_that_week_on(scenario, simulate):
    C = scenario(**WITHDRAW)
    t = simulate(C, runs=40)
    pak, idn = rows(t, "PAK"), rows(t, "IDN")
    assert (t["runs"]["outcome"] == "formed").all()
    assert (pak["arrival_week"] < RECALL_WEEK).all()  # in theatre before the recall
    assert (pak["withdrawn_week"] == RECALL_WEEK).all() and (pak["withdrawn_by"] == "recall").all()
    assert idn["withdrawn_week"].isna().all()
    sizes = weekly(C, t)
    k = RECALL_WEEK - 1
    both = (pak["pledge"] + idn["pledge"]).to_numpy()
    assert np.allclose(sizes[:, k - 1], both)  # the week before: both in
    assert np.allclose(sizes[:, k:], idn["pledge"].to_numpy()[:, None])  # from week k on
    assert np.allclose(t["runs"]["deployed_force"], idn["pledge"])
    s = summarise(t, C)["deployment"]
    assert s["p_withdrawn"] == 1 and s["p_withdrawn_ci"][1] == 1
    assert s["states"]["PAK"]["p_withdrawn"] == 1 and s["states"]["IDN"]["p_withdrawn"] == 0
    assert s["states"]["PAK"]["withdrawn_by"] == {"recall": 1}


def test_a_suspension_removes_the_contingent_for_exactly_its_weeks(scenario, simulate):
    C = scenario(**SUSPEND)
    t = simulate(C, runs=40)
    pak, idn = rows(t, "PAK"), rows(t, "IDN")  # PAK is in the bloc the crisis names
    assert (pak["suspended"] == "6-8").all() and (pak["suspended_weeks"] == 3).all()
    assert (idn["suspended_weeks"] == 0).all() and pak["withdrawn_week"].isna().all()
    sizes = weekly(C, t)
    both = (pak["pledge"] + idn["pledge"]).to_numpy()
    assert (pak["arrival_week"] <= 5).all() and (idn["arrival_week"] <= 5).all()
    assert np.allclose(sizes[:, 4], both)  # week 5: both in
    assert np.allclose(sizes[:, 5:8], idn["pledge"].to_numpy()[:, None])  # weeks 6-8
    assert np.allclose(sizes[:, 8:], both[:, None])  # back from week 9
    assert np.allclose(t["runs"]["deployed_force"], both)
    assert summarise(t, C)["deployment"]["p_suspended"] == 1


def test_no_hazard_or_the_switch_off_means_no_shock(scenario, simulate):
    plain = simulate(scenario(states=STATES, deployment_stage=STAGE), runs=30)
    quiet = {"calm": {"hazard": [0, 0], "effect": {"PAK": {"action": "withdraw"}}}}
    for case in (dict(WITHDRAW, events=quiet), SWITCHED_OFF, dict(SUSPEND, withdrawal=False)):
        t = simulate(scenario(**case), runs=30)
        for name in ("runs", "deployments", "rounds", "states", "commits", "bands"):
            pd.testing.assert_frame_equal(plain[name], t[name], obj=name)
        extra = set(t["params"].columns) - set(plain["params"].columns)
        assert extra <= {"events.calm.hazard"}
        pd.testing.assert_frame_equal(plain["params"], t["params"][plain["params"].columns])
    assert (t["deployments"]["suspended_weeks"] == 0).all()


def test_high_opposition_and_low_tolerance_withdraw_after_incidents_more_often(scenario, simulate):
    C = scenario(**INCIDENTS)
    t = simulate(C, runs=200)
    pak, idn = rows(t, "PAK"), rows(t, "IDN")
    assert (pak["withdrawn_by"].isin(["incident", ""])).all()
    p_pak, p_idn = pak["withdrawn_week"].notna().mean(), idn["withdrawn_week"].notna().mean()
    assert p_pak > 0.5 and p_idn < 0.1 and p_pak > p_idn + 0.4
    s = summarise(t, C)["deployment"]["states"]
    assert s["PAK"]["p_withdrawn"] == pytest.approx(p_pak)
    # The withdrawal follows the incident: the contingent was in theatre before it left.
    gone = pak[pak["withdrawn_week"].notna()]
    assert (gone["arrival_week"] < gone["withdrawn_week"]).all()


def test_the_withdrawal_chance_is_opposition_times_intolerance(scenario):
    from sim.rules.withdrawal import withdraw_chance

    C = scenario(**INCIDENTS)
    assert withdraw_chance(C.params)[0].tolist() == pytest.approx([0.9 * 0.9, 0.1 * 0.1])


def test_shocks_leave_the_negotiation_as_it_was(scenario, simulate):
    """Their draws come after every other draw: no week of talks changes."""
    plain = simulate(scenario(states=STATES, deployment_stage=STAGE), runs=12)
    for case in (HAZARD, INCIDENTS | {"states": STATES}):
        shocked = simulate(scenario(**case), runs=12)
        for name in ("states", "rounds"):
            pd.testing.assert_frame_equal(plain[name], shocked[name], obj=name)


def test_the_deployments_table_is_the_same_in_both_engines(scenario, simulate):
    for case in (HAZARD, INCIDENTS, SUSPEND):
        C = scenario(**case)
        fast, mesa = simulate(C, runs=8), simulate(C, runs=8, engine="mesa")
        assert fast["deployments"].to_csv(index=False) == mesa["deployments"].to_csv(index=False)


def test_the_story_explain_and_report_tell_the_shocks(scenario, simulate):
    from sim.analysis.explain import explain
    from sim.analysis.explain.text import deployment_lines
    from sim.analysis.report import deployment_rows
    from sim.analysis.story import deployment_paragraph

    C = scenario(**WITHDRAW)
    t = simulate(C, runs=4)
    assert f"was withdrawn in week {RECALL_WEEK}" in deployment_paragraph(C, t, 0)
    text = " ".join(deployment_lines(explain(C, "PAK", run=0)))
    assert f"It was withdrawn in week {RECALL_WEEK} (recall)." in text
    C = scenario(**SUSPEND)
    text = " ".join(deployment_lines(explain(C, "PAK", run=0)))
    assert "It was suspended in weeks 6–8." in text
    said = deployment_paragraph(C, simulate(C, runs=2), 0)
    assert "then was suspended in weeks 6–8" in said
    summary = summarise(simulate(C, runs=4), C)
    assert any(r[0].startswith("P(withdrawn)") for r in deployment_rows(summary))
    quiet = summarise(simulate(scenario(**SWITCHED_OFF), runs=4), scenario(**SWITCHED_OFF))
    assert not any(r[0].startswith("P(withdrawn)") for r in deployment_rows(quiet))


def test_the_chart_shows_the_shocks(scenario, simulate, tmp_path):
    C = scenario(**SUSPEND)
    t = simulate(C, runs=10)
    hit = chart.shocked(t["deployments"], t["runs"], watched(C))
    assert hit[4] == 0 and hit[5] == 1  # suspended from week 6 in every run
    meta = {"deployment_staged": True, "weeks_watched": watched(C), "deadline": 12}
    out = chart.draw(t, meta, tmp_path)
    assert "suspended for a while in 100%" in out["caption"]
    plain = simulate(scenario(states=STATES, deployment_stage=STAGE), runs=10)
    assert chart.shocked(plain["deployments"], plain["runs"], watched(C)) is None


@pytest.mark.parametrize(
    ("events", "stage", "match"),
    [
        (
            {"recall": {"week": 3, "effect": {"PAKK": {"action": "withdraw"}}}},
            STAGE,
            r"events\.recall\.effect\.PAKK: unknown state or bloc 'PAKK' \(did you mean 'PAK'\?\)",
        ),
        (
            {"recall": {"week": 3, "effect": {"oci": {"action": "withdraw"}}}},
            STAGE,
            r"events\.recall\.effect\.oci: unknown state or bloc 'oci' \(did you mean 'oic'\?\)",
        ),
        (
            {"crisis": {"week": 3, "effect": {"PAK": {"action": "suspend"}}}},
            STAGE,
            r"events\.crisis\.effect\.PAK.*a suspension needs `weeks`",
        ),
        (
            {"crisis": {"hazzard": 0.1, "effect": {"PAK": {"action": "withdraw"}}}},
            STAGE,
            r"events\.crisis\.hazzard.*did you mean 'hazard'",
        ),
        (
            {"crisis": {"week": 3, "effect": {"PAK": {"action": "withdrew"}}}},
            STAGE,
            r"events\.crisis\.effect\.PAK\.action.*'withdraw'",
        ),
        (
            {"recall": {"week": 3, "effect": {"PAK": {"action": "withdraw"}}}},
            None,
            r"events\.recall: .*needs `deployment:`",
        ),
    ],
    ids=["state", "bloc", "suspend without weeks", "misspelt key", "misspelt action", "stage"],
)
def test_bad_events_are_refused_in_one_line(scenario_spec, events, stage, match):
    d = scenario_spec(states=STATES, deployment_stage=stage, events=events)
    with pytest.raises(ScenarioError, match=match) as err:
        validate(d)
    assert "\n" not in str(err.value)
