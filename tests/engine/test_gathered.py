"""`Params.gathered`: the demand search's subsets of runs, gathered only where read."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from sim.engine.draws import draw_many, parameters
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"


def _params():
    C = compile_scenario(load(FLAGSHIP))
    d = draw_many(C, 7, np.arange(12))
    return parameters(C, d.ranges, d.bars)


def test_every_array_is_the_one_take_gives() -> None:
    P = _params()
    rows = np.array([1, 4, 5, 11])
    copied, lazy = P.take(rows), P.gathered(rows)
    for group in fields(P):
        for f in fields(getattr(P, group.name)):
            want = getattr(getattr(copied, group.name), f.name)
            got = getattr(getattr(lazy, group.name), f.name)
            assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True), (
                group.name,
                f.name,
            )


def test_an_array_is_gathered_once_when_first_read_and_never_otherwise() -> None:
    P = _params()
    assert P.state.capacity.shape[0] == 12  # drawn per run: a gather is real work
    lazy = P.gathered(np.array([0, 3]))
    assert "capacity" not in vars(lazy.state) and "risk_tolerance" not in vars(lazy.state)
    first = lazy.state.capacity
    assert first.shape[0] == 2 and lazy.state.capacity is first  # kept, not gathered again
    assert "risk_tolerance" not in vars(lazy.state)  # an array nobody read stays ungathered


@pytest.mark.parametrize("shape", [(7,), (7, 3), (7, 3, 2)])
def test_rows_at_gathers_what_indexing_does(shape):
    """`rows_at` (np.take for whole-number indices, as the weeks take the runs still
    negotiating) gives `v[idx]`'s values, dtype and C order, for indices, a mask and
    none."""
    from sim.scenario.params import rows_at

    v = np.arange(np.prod(shape), dtype=float).reshape(shape)
    mask = np.array([True, False, True, True, False, False, True])
    for idx in (np.flatnonzero(mask), mask, np.array([], np.int64), np.array([6, 0, 6])):
        got, want = rows_at(v, idx), v[idx]
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want) and got.flags.c_contiguous
        assert not np.shares_memory(got, v)  # a copy: the subset may be changed in place
