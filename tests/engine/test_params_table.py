"""The experiments table: every value a run drew, named by its scenario field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine.ensemble import run_ensemble
from sim.engine.model import ForceModel
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


@pytest.fixture(scope="module")
def flagship():
    C = compile_scenario(load(FLAGSHIP))
    return C, run_ensemble(C, runs=60, seed=5, detail=2)


def _at(data: dict, path: str):
    """The value at a dotted field path of a dumped scenario (list items by id)."""
    node = data
    for part in path.split("."):
        if isinstance(node, list):
            node = next(item for item in node if item.get("id") == part)
        else:
            node = node[part]
    return node


def test_one_row_per_run_one_column_per_range(flagship) -> None:
    C, tables = flagship
    params = tables["params"]
    assert list(params["run"]) == list(range(60))
    assert params.shape[1] == 1 + len(C.ranges)
    assert params.columns.is_unique


def test_each_column_is_a_scenario_field_and_stays_in_its_range(flagship) -> None:
    C, tables = flagship
    data = C.scenario.model_dump(mode="python", by_alias=True)
    params = tables["params"]
    for column in params.columns[1:]:
        low, high = _at(data, column)
        values = params[column].to_numpy()
        assert np.all((values >= low) & (values <= high)), column
        assert values.std() > 0, f"{column} was not drawn per run"


def test_the_table_names_what_the_issue_asks_for(flagship) -> None:
    _, tables = flagship
    columns = set(tables["params"].columns)
    assert {"broker.target", "states.IDN.domestic_opposition"} <= columns
    assert any(c.startswith("veto_players.ISR.") for c in columns)


def test_a_run_drew_the_values_its_mesa_model_uses(flagship) -> None:
    C, tables = flagship
    row = tables["params"].set_index("run").loc[7]
    model = ForceModel(C, seed=5, run=7)
    assert float(model.P.broker.target[0]) == row["broker.target"]
    i = C.states.index("IDN")
    assert float(model.P.state.domestic_opposition[0, i]) == row["states.IDN.domestic_opposition"]


def test_the_table_does_not_depend_on_how_runs_were_split() -> None:
    C = compile_scenario(load(FLAGSHIP))
    whole = run_ensemble(C, runs=12, seed=3, detail=0)["params"]
    parts = run_ensemble(C, runs=12, seed=3, detail=0, workers=2)["params"]
    assert whole.to_csv(index=False) == parts.to_csv(index=False)


def test_batches_merged_out_of_run_order_give_the_table_in_run_order(flagship) -> None:
    """The table is in run order whatever order its batches were merged in: batches
    in order are taken as they are (no sort), batches out of order are sorted, and
    each run keeps its own values."""
    from types import SimpleNamespace

    from sim.engine import tables

    C, _ = flagship
    E = len(C.ranges)
    first, second = np.arange(0, 3), np.arange(3, 5)
    values = {r: np.full(E, float(r)) + np.arange(E) / 1000 for r in range(5)}

    def batch(ids):
        return ids, np.stack([values[r] for r in ids])

    ordered = tables.params(SimpleNamespace(C=C, drawn=[batch(first), batch(second)]))
    shuffled = tables.params(SimpleNamespace(C=C, drawn=[batch(second), batch(first)]))
    for table in (ordered, shuffled):
        assert list(table["run"]) == [0, 1, 2, 3, 4]
        assert list(table.index) == [0, 1, 2, 3, 4]
        assert np.array_equal(table.iloc[:, 1:].to_numpy(), np.stack(list(values.values())))
    assert ordered.equals(shuffled)
