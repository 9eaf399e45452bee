"""Mesa's own tools work on the model: batch_run, DataCollector, AgentSet queries."""

from __future__ import annotations

import inspect
from pathlib import Path

import mesa
import pandas as pd
import pytest

import sim
from sim.engine.ensemble import run_ensemble
from sim.engine.model import Contributor
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = "scenarios/isf/res2803.yaml"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)


def _two_replicates() -> dict:
    """Two replicates as this Mesa version's batch_run asks for them: `iterations=2`
    (Mesa 3.3), or `rng=[None, None]` where `iterations` is deprecated (Mesa 3.5)."""
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        return {"rng": [None, None]}
    return {"iterations": 2}


def test_batch_run_as_the_mesa_documentation_shows() -> None:
    rows = mesa.batch_run(
        sim.ForceModel,
        parameters={"scenario": FLAGSHIP},
        max_steps=40,
        display_progress=False,
        **_two_replicates(),
    )
    table = pd.DataFrame(rows)
    C = compile_scenario(load(FLAGSHIP))
    agents = len(C.states) + 1 + len(C.veto_ids) + len(C.host_ids)
    assert len(table) == 2 * agents
    assert {"force", "outcome", "stance", "kind", "pledge", "AgentID", "Step"} <= set(table)
    states = table.dropna(subset=["stance"])
    assert len(states) == 2 * len(C.states)
    assert set(states["stance"]) <= {
        "declined",
        "considering",
        "conditional",
        "offered",
        "committed",
    }


def test_every_step_is_collected_and_matches_the_engine() -> None:
    rows = mesa.batch_run(
        sim.ForceModel,
        parameters={"scenario": FLAGSHIP, "run": [0, 1]},
        max_steps=40,
        data_collection_period=1,
        display_progress=False,
    )
    table = pd.DataFrame(rows)
    C = compile_scenario(load(FLAGSHIP))
    engine = run_ensemble(C, runs=2, detail=2)
    rounds = engine["rounds"].set_index(["run", "round"])
    states = engine["states"].set_index(["run", "round", "state"])
    codes = {i + 1: code for i, code in enumerate(C.states)}  # agents are created states first
    for (run, step), group in table[table["Step"] >= 1].groupby(["run", "Step"]):
        assert group["force"].iloc[0] == rounds.loc[(run, step), "force"]
        rows = group.dropna(subset=["stance"])
        assert len(rows) == len(C.states)
        for _, row in rows.iterrows():
            expected = states.loc[(run, step, codes[row["AgentID"]])]
            assert (row["stance"], row["pledge"]) == (expected["stance"], expected["pledge"])


def test_agents_are_views_of_the_run() -> None:
    model = sim.ForceModel(scenario=FLAGSHIP, run=3)
    model.run_model()
    tables = run_ensemble(compile_scenario(load(FLAGSHIP)), runs=4, detail=4)
    final = tables["states"].query("run == 3")
    final = final[final["round"] == final["round"].max()].set_index("state")
    committed = model.agents.select(
        lambda a: isinstance(a, Contributor) and a.stance_name == "committed"
    )
    assert {a.code for a in committed} == set(final.index[final["stance"] == "committed"])
    for agent in model.agents_by_type[Contributor]:
        assert agent.pledge == final.loc[agent.code, "pledge"]
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.steps + 1  # week 0 and every week played
    assert frame["outcome"].iloc[-1] == tables["runs"].set_index("run").loc[3, "outcome"]
