"""Concessions change the mandate: set a value, or cap/raise an ordinal term."""

from __future__ import annotations

import numpy as np

from sim.rules.terms import apply_changes, changes_anything


def test_a_cap_lowers_only_what_is_above_it() -> None:
    m = np.array([[2.0, 1.0], [0.0, 1.0]])  # column 0: an ordinal level per run
    capped = apply_changes(m, [(0, 1.0, -1)])
    assert capped[:, 0].tolist() == [1.0, 0.0]
    assert changes_anything(m, [(0, 1.0, -1)]).tolist() == [True, False]


def test_a_floor_raises_only_what_is_below_it() -> None:
    m = np.array([[2.0, 1.0], [0.0, 1.0]])
    raised = apply_changes(m, [(0, 1.0, 1)])
    assert raised[:, 0].tolist() == [2.0, 1.0]
    assert changes_anything(m, [(0, 1.0, 1)]).tolist() == [False, True]


def test_a_set_value_is_open_only_where_it_differs() -> None:
    m = np.array([[2.0, 1.0], [0.0, 0.0]])
    assert apply_changes(m, [(1, 0.0, 0)])[:, 1].tolist() == [0.0, 0.0]
    assert changes_anything(m, [(1, 0.0, 0)]).tolist() == [True, False]
    assert m[0, 1] == 1.0  # the input is not modified
