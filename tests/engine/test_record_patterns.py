"""The recorder names each run's pattern (coalition, concessions made, veto players
rejecting) once per distinct row (`record._distinct`): the same text, row by row, as
naming every row."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.record import _distinct, _patterns


@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool])
def test_each_row_gets_the_text_of_its_own_values(dtype):
    rng = np.random.default_rng(4)
    rows = rng.integers(-1, 3, (500, 7)).astype(dtype)
    rows[::3] = rows[0]  # many runs share a pattern
    calls = []

    def text(row):
        calls.append(1)
        return ",".join(str(v) for v in row.tolist())

    assert _distinct(rows, text) == [",".join(str(v) for v in r.tolist()) for r in rows]
    assert len(calls) == len(np.unique(rows, axis=0))  # once per distinct row
    view = rows[:, ::2]  # a strided view names its own values too
    assert _distinct(view, text) == [",".join(str(v) for v in r.tolist()) for r in view]


def test_a_boolean_pattern_names_the_columns_set_and_an_empty_one_names_none():
    rows = np.array([[True, False, True], [False, False, False], [True, False, True]])
    assert _patterns(rows, lambda cols: ";".join(map(str, cols))) == ["0;2", "", "0;2"]
    assert _distinct(np.zeros((2, 0), bool), lambda row: f"{len(row)}") == ["0", "0"]
