"""A run is told with its own drawn values, and explain reads what the rules computed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.explain import explain
from sim.analysis.story import story
from sim.analysis.summary import meta, stalled_detail
from sim.engine.ensemble import run_ensemble
from sim.numbers import force
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
RUNS = 6


@pytest.fixture(scope="module")
def isf():
    C = compile_scenario(load(ROOT / "isf" / "res2803.yaml"))
    return C, run_ensemble(C, runs=RUNS, detail=RUNS)


def test_the_story_names_the_runs_own_drawn_target(isf) -> None:
    C, tables = isf
    lo, hi = C.scenario.broker.target
    params = tables["params"].set_index("run")
    shown = set()
    for run in range(RUNS):
        drawn = float(params.loc[run, "broker.target"])
        text = story(C, tables, run)
        assert f"seeks {force(drawn)} in this run ({force(lo)}–{force(hi)} across runs)" in text
        shown.add(force(drawn))
    assert shown - {force((lo + hi) / 2)}, "some run's target differs from the midpoint"
    assert len(shown) > 1, "each run names its own target"


def test_a_fixed_target_is_named_as_it_is(isf) -> None:
    C = compile_scenario(load(ROOT / "unifil2006" / "unifil2006.yaml"))
    tables = run_ensemble(C, runs=3, detail=3)
    drawn = float(tables["params"].set_index("run").loc[1, "broker.minimum_viable"])
    text = story(C, tables, 1)
    assert f"seeks {force(C.scenario.broker.target)} and accepts at least {force(drawn)} " in text


def test_meta_holds_each_runs_drawn_target_when_it_is_a_range(isf) -> None:
    C, tables = isf
    m = meta(C, tables)
    assert m["target_range"] == tuple(float(x) for x in C.scenario.broker.target)
    params = tables["params"]
    assert m["target_by_run"] == dict(zip(params["run"], params["broker.target"], strict=True))
    assert "minimum_viable_range" not in m and "minimum_viable_by_run" not in m
    assert m["target"] == 10_000.0, "the scenario's value stays for the charts that use it"


def test_stalled_runs_are_held_to_their_own_minimum() -> None:
    """UNIFIL's minimum viable force is a range: a run is short of its own minimum."""
    C = compile_scenario(load(ROOT / "unifil2006" / "unifil2006.yaml"))
    runs = pd.DataFrame(
        {"run": [0, 1], "outcome": ["stalled", "stalled"], "force": [3500.0, 3500.0]}
        | {"rejected_by": ["", ""]}
    )
    params = pd.DataFrame({"run": [0, 1], "broker.minimum_viable": [3000.0, 5000.0]})
    assert stalled_detail(runs, C, params)["short_of_minimum"] == 0.5
    assert stalled_detail(runs, C)["short_of_minimum"] == 1.0  # the middle, 4,000


@pytest.mark.parametrize("code", ["IDN", "PAK", "EGY", "AZE"])
def test_explain_names_the_demand_the_engine_recorded(isf, code) -> None:
    """Week by week, the demand explain names is the engine's `demand` in states.csv for
    the same run and week, and the concession it says would flip the state is that
    demand whenever the state has one (the rule's own search, not a second one)."""
    C, tables = isf
    run = 1
    st = tables["states"]
    rows = st[(st["run"] == run) & (st["state"] == code)].set_index("round")
    ex = explain(C, code, run)
    assert [w.week for w in ex.weeks] == list(rows.index)
    for w in ex.weeks:
        assert w.demand == rows.loc[w.week, "demand"], (code, w.week)
        assert w.binding == rows.loc[w.week, "binding_red_line"], (code, w.week)
        if w.demand:
            assert w.flip is not None and w.flip.concession == w.demand, (code, w.week)
            assert w.flip.how in ("demand", "bundle")
            assert w.flip.to == "offered"
        if w.flip is not None and w.flip.how == "demand":
            assert w.flip.concession == w.demand


def test_the_states_explained_do_demand_in_that_run(isf) -> None:
    _, tables = isf
    st = tables["states"]
    asking = set(st.loc[(st["run"] == 1) & (st["demand"] != ""), "state"])
    assert {"IDN", "EGY", "AZE"} <= asking, "the demand test needs states that demand"


def test_explain_names_the_runs_own_target(isf) -> None:
    C, tables = isf
    drawn = float(tables["params"].set_index("run").loc[2, "broker.target"])
    ex = explain(C, "IDN", 2)
    assert ex.target == drawn
    from sim.analysis.explain.text import run_line

    assert f"of a target of {force(drawn)} in this run" in run_line(ex)
