"""Packages: a state commits several kinds at once, each at its own size.

ITA offers 400 troops and 100 police trainers as one package; both kinds count
toward the target. Committed, it brings its lead kind (the one with the best
payoff) and the other kind as a package part, each sized by the pledge rule on
its own payoff and capacity. A red line limited to troops keeps the troops home
and the trainers go; a veto on ITA's troops stops them counting and the
trainers still count. A stated package holds as stated. With
`mechanisms.packages` off the tables are those of the same file without a
package. Expected behaviour declared under seed 17.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from sim.rules import packages
from sim.scenario.arrays import COMMITTED

from .contract import TABLES, EngineContract

TASK = "weapons_decommissioning"
BOTH = {"troops": 400, "police_trainers": 100}
ITA = {"offers": BOTH, "package": ["troops", "police_trainers"], "incentives": {"ties": 0.6}}
COUNT_BOTH = {"counts": ["troops", "police_trainers"]}
BROKER = {"target": 450, "minimum_viable": 200}

PACKAGE = {"states": {"ITA": ITA}, "force": COUNT_BOTH, "broker": BROKER}
NO_TROOPS_FOR_DISARMAMENT = {
    "id": "no_disarmament_troops",
    "term": "tasks",
    "excludes": TASK,
    "kinds": ["troops"],
}
RED_LINE = {
    "states": {"ITA": {**ITA, "red_lines": [NO_TROOPS_FOR_DISARMAMENT]}},
    "mandate": {"tasks": {"add": [TASK]}},
    "force": COUNT_BOTH,
    "broker": BROKER,
}
VETOED = {
    **PACKAGE,
    "veto_players": {
        "ISR": {
            "name": "Israel",
            "base": 0.8,
            "threshold": 0.5,
            "vetoes": [{"state": "ITA", "kinds": ["troops"]}],
        }
    },
}
STATED = {
    "states": {
        "ITA": {
            **ITA,
            "incentives": {"ties": 0.15},  # between the offer and commit levels
            "initial_offer": {"police_trainers": 60, "troops": 300},
            "initial_stance": "offered",
        }
    },
    "force": COUNT_BOTH,
    "broker": BROKER,
}
WITHOUT = {"states": {"ITA": {k: v for k, v in ITA.items() if k != "package"}}}


class TestPackageScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "a package of two kinds": PACKAGE,
        "a red line on one kind of the package": RED_LINE,
        "a veto on one kind of the package": VETOED,
        "a stated package": STATED,
        "packages off": dict(PACKAGE, packages=False),
    }


def last(t: dict[str, pd.DataFrame], state: str = "ITA") -> pd.DataFrame:
    s = t["states"][t["states"]["state"] == state]
    return s[s["round"] == s.groupby("run")["round"].transform("max")].set_index("run")


def parts(text: pd.Series) -> pd.DataFrame:
    """The `package` column as one column per kind."""
    rows = [{p.split(":")[0]: float(p.split(":")[1]) for p in t.split(";") if p} for t in text]
    table = pd.DataFrame(rows, index=text.index, columns=list(BOTH))
    return table.fillna(0.0)


def test_a_committed_state_brings_every_kind_of_its_package(scenario, simulate):
    t = simulate(scenario(**PACKAGE), runs=40)
    end = last(t)
    committed = end[end["stance"] == "committed"]
    assert len(committed) > 30
    extra = parts(committed["package"])
    # The lead kind is one kind; the other comes as the package part, never the same.
    for run, row in committed.iterrows():
        other = ({"troops", "police_trainers"} - {row["kind"]}).pop()
        assert extra.loc[run, other] > 0
        assert extra.loc[run, row["kind"]] == 0.0
    # Both kinds count: the force is the lead pledge plus the counted parts.
    force = t["runs"].set_index("run")["force"]
    expected = committed["pledge"] + committed["package_counted"]
    np.testing.assert_allclose(force.loc[committed.index], expected, rtol=1e-12)
    np.testing.assert_allclose(committed["package_counted"], extra.sum(axis=1), rtol=1e-12)
    # Each part within its own capacity and in whole units of its kind.
    assert (extra["police_trainers"] <= 100).all() and (extra["troops"] <= 400).all()
    assert (extra["police_trainers"] % 10 == 0).all() and (extra["troops"] % 100 == 0).all()


def test_p_commit_counts_a_state_once_and_each_kind_it_brings(scenario, simulate):
    t = simulate(scenario(**PACKAGE), runs=40)
    commits = t["commits"].set_index(["state", "kind"])
    committed = (last(t)["stance"] == "committed").mean()
    # Per kind: committed with that kind, as the lead or as a part (both, every time).
    assert commits.loc[("ITA", "troops"), "p_commit"] == committed
    assert commits.loc[("ITA", "police_trainers"), "p_commit"] == committed
    # Per state: the lead kinds, summed, once per committed run.
    assert commits.xs("ITA", level="state")["p_lead"].sum() == committed


def test_a_red_line_on_one_kind_keeps_that_kind_home_and_the_rest_goes(scenario, simulate):
    t = simulate(scenario(**RED_LINE), runs=40)
    end = last(t)
    committed = end[end["stance"] == "committed"]
    assert len(committed) > 30
    assert (committed["kind"] == "police_trainers").all()
    assert (committed["package"] == "").all()  # the troops part is blocked
    without_line = last(simulate(scenario(**PACKAGE), runs=40))
    assert (without_line["package"] != "").any()


def test_a_veto_on_one_kind_stops_it_counting_and_the_rest_counts(scenario, simulate):
    t = simulate(scenario(**VETOED), runs=40)
    end = last(t)
    committed = end[end["stance"] == "committed"]
    assert len(committed) > 30
    extra = parts(committed["package"])
    lead_troops = committed["kind"] == "troops"
    # Vetoed troops: not counted as the lead kind, not counted as a part.
    assert not committed.loc[lead_troops, "counted"].any()
    counted_parts = np.where(lead_troops, extra["police_trainers"], 0.0)
    np.testing.assert_allclose(committed["package_counted"], counted_parts, rtol=1e-12)
    force = t["runs"].set_index("run")["force"].loc[committed.index]
    trainers = np.where(lead_troops, counted_parts, committed["pledge"])
    np.testing.assert_allclose(force, trainers, rtol=1e-12)


def test_a_stated_package_holds_as_stated(scenario, simulate):
    t = simulate(scenario(**STATED), runs=16)
    s = t["states"]
    week1 = s[(s["state"] == "ITA") & (s["round"] == 1)]
    held = week1[week1["stance"] == "offered"]
    assert len(held) > 8
    assert (held["kind"] == "police_trainers").all() and (held["pledge"] == 60).all()
    assert (held["package"] == "troops:300").all()


def test_with_the_switch_off_the_tables_are_those_without_a_package(scenario, simulate):
    off = simulate(scenario(**PACKAGE, packages=False), runs=24)
    without = simulate(scenario(**{**PACKAGE, **WITHOUT}), runs=24)
    for name in (*TABLES, "commits"):
        pd.testing.assert_frame_equal(off[name], without[name], obj=name)
    assert (off["states"]["package"] == "").all()
    on = simulate(scenario(**PACKAGE), runs=24)
    assert not on["runs"]["force"].equals(off["runs"]["force"])


def test_a_part_below_the_offer_level_or_blocked_stays_home(scenario):
    """The rule on arrays: one state, slots (troops, trainers), lead = troops."""
    C = scenario(**PACKAGE)
    offered = C.scenario.decision.thresholds.offered
    u = np.array([[[0.5, offered - 0.01]], [[0.5, offered + 0.3]], [[0.5, 0.9]]])
    free = np.array([[[True, True]], [[True, True]], [[True, False]]])
    best = np.zeros((3, 1), int)
    in_ = np.ones((3, 1), bool)
    got = packages.parts(C, C.params, u, free, best, in_)
    assert got[0, 0].tolist() == [0.0, 0.0]  # payoff below the offer level
    assert got[1, 0, 0] == 0.0 and 10 <= got[1, 0, 1] <= 100  # the part, sized on its own
    assert got[2, 0].tolist() == [0.0, 0.0]  # blocked by a red line
    # Out of the force, nothing; and the lead kind is never its own part.
    assert not packages.parts(C, C.params, u, free, best, ~in_).any()
    stance = np.full((3, 1), COMMITTED)
    counted = packages.counted(
        C, C.params, stance, got, C.mandate0[None].repeat(3, 0), C.scenario.run.mechanisms
    )
    np.testing.assert_array_equal(counted, got)


def test_explain_and_the_story_name_every_part_and_what_counts(scenario, simulate):
    from sim.analysis import story
    from sim.analysis.explain.compute import explain
    from sim.analysis.explain.text import contribution

    C = scenario(**VETOED)
    t = simulate(C, runs=40)
    end = last(t)
    run = int(end.index[(end["stance"] == "committed") & (end["kind"] == "troops")][0])
    ex = explain(C, "ITA", run=run)
    final = ex.weeks[-1]
    assert final.kind == "troops" and final.package.startswith("police_trainers:")
    size = float(final.package.split(":")[1])
    text = contribution(C, final)
    assert f"with {size:,.0f} police trainers" in text
    assert "the combat troops do not count toward the target (vetoed)" in text
    told = story.story(C, t, run)
    assert f"with {size:,.0f} police trainers" in told


def test_every_reader_of_the_commits_table_counts_a_package_once(scenario, simulate):
    from sim.analysis.commits import by_state
    from sim.analysis.summary import summarise
    from sim.charts.stance_timeline import p_commit_by_state
    from sim.explore.runner import outcome_of

    C = scenario(**PACKAGE)
    t = simulate(C, runs=40)
    committed = (last(t)["stance"] == "committed").mean()
    assert committed > 0.5
    assert summarise(t, C)["states"]["ITA"]["p_commit"] == committed
    assert by_state(t["commits"])["ITA"] == committed
    assert p_commit_by_state(t["commits"])["ITA"] == committed
    assert outcome_of(t["runs"], t["commits"], C.states)["p_commit"]["ITA"] == committed
    # A folder written before packages has no p_lead: p_commit is then the state's share.
    old = t["commits"].drop(columns="p_lead").query("kind == 'troops'")
    assert by_state(old)["ITA"] == committed


def test_the_commit_chart_stacks_lead_kinds_and_names_the_parts(scenario, simulate):
    from sim.charts import commit_by_kind

    C = scenario(**PACKAGE)
    t = simulate(C, runs=40)
    meta = {"states": {s: {"name": s} for s in C.states}}
    table, _ = commit_by_kind._matrix(t["commits"], meta)
    committed = (last(t)["stance"] == "committed").mean()
    assert table.loc["ITA"].sum() == committed  # the bar's length is P(commit), once
    parts = commit_by_kind._parts(t["commits"], table, meta)
    assert parts["ITA"].endswith("(package)") and parts["ITA"].startswith(" + ")
    off = simulate(scenario(**PACKAGE, packages=False), runs=40)
    table_off, _ = commit_by_kind._matrix(off["commits"], meta)
    assert commit_by_kind._parts(off["commits"], table_off, meta) == {}


def test_the_report_says_why_a_package_s_kinds_add_up_to_more(scenario, simulate):
    from sim.analysis.report import kind_parts, packaged
    from sim.analysis.summary import summarise

    C = scenario(**PACKAGE)
    st = summarise(simulate(C, runs=40), C)["states"]["ITA"]
    assert packaged(st) and sum(st["p_commit_by_kind"].values()) > st["p_commit"]
    assert "a package counts in each kind it brings" in kind_parts(C, st)
    off = scenario(**PACKAGE, packages=False)
    st_off = summarise(simulate(off, runs=40), off)["states"]["ITA"]
    assert not packaged(st_off)
    assert "package" not in kind_parts(off, st_off)
