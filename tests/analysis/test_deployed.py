"""'Deployed' has one meaning, whatever form the runs table arrives in."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from sim.analysis.deployed import deployed, week

RUNS = pd.DataFrame(
    {
        "run": [0, 1, 2, 3],
        "outcome": ["formed", "stalled", "undersized", "formed"],
        "rounds": [5, 26, 26, 7],
        "deployed_week": pd.array([9, None, 30, None], dtype="Int64"),
    }
)


def test_a_computed_table_a_csv_and_text_blanks_read_the_same() -> None:
    from_csv = pd.read_csv(io.StringIO(RUNS.to_csv(index=False)))
    as_text = RUNS.assign(deployed_week=["9", "", "30", ""])
    for table in (RUNS, from_csv, as_text):
        assert deployed(table).tolist() == [True, False, True, False]
        np.testing.assert_array_equal(week(table).to_numpy(), [9.0, np.nan, 30.0, np.nan])


def test_a_table_from_before_the_deployment_stage_counts_formed_runs() -> None:
    old = RUNS.drop(columns="deployed_week")
    assert deployed(old).tolist() == [True, False, True, True]
    np.testing.assert_array_equal(week(old).to_numpy(), [5.0, np.nan, 26.0, 7.0])
