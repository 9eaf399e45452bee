"""The concessions each run made, read from the runs table's "id@round;..." text."""

from __future__ import annotations

import pandas as pd

from sim.analysis.summary import concession_summary, parse_concessions


def test_each_item_in_the_runs_order_and_its_own_order() -> None:
    """Runs sharing a text are parsed alike, items keep their order within a run, an
    id holding "@" keeps it (the round follows the last), and a run without
    concessions gives no row."""
    runs = pd.DataFrame(
        {
            "run": [7, 3, 9, 4],
            "concessions": ["b@5;a@2", "", "odd@id@11", "b@5;a@2"],
        }
    )
    made = parse_concessions(runs)
    assert made["run"].tolist() == [7, 7, 9, 4, 4]
    assert made["concession"].tolist() == ["b", "a", "odd@id", "b", "a"]
    assert made["round"].tolist() == [5, 2, 11, 5, 2]


def test_no_concession_made_gives_an_empty_table_and_a_zero_share() -> None:
    from types import SimpleNamespace

    runs = pd.DataFrame({"run": [0, 1], "concessions": ["", ""]})
    made = parse_concessions(runs)
    assert made.empty and list(made.columns) == ["run", "concession", "round"]
    C = SimpleNamespace(concessions=["a"])
    assert concession_summary(runs, C) == {"a": {"share": 0.0, "median_round": None}}
