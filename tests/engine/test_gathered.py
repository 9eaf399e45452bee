"""`Params.gathered`: the demand search's subsets of runs, gathered only where read."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np

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
