"""A sweep over mandate terms runs its points together as one array of runs, and
each point computes to what it computes alone (`sim.explore.batched`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.explore import batched
from sim.explore.cache import PointCache
from sim.explore.runner import run_point
from sim.explore.sweep import load_sweep, run_sweep
from sim.parallel import Serial

SWEEPS = Path(__file__).resolve().parents[2] / "scenarios" / "sweeps"


@pytest.mark.parametrize("name", ["clarity_x_funding", "decommissioning_x_force"])
def test_points_run_together_give_what_each_gives_alone(name: str) -> None:
    sw = load_sweep(SWEEPS / f"{name}.yaml", runs=24, steps=2)
    assert batched.batchable(sw.axes) and len(sw.scenarios) >= 4
    together = batched.run_points(sw.scenarios)
    alone = [run_point(sc) for sc in sw.scenarios]
    assert together == alone
    # the points differ, so the test could tell them apart
    assert len({r["p_formed"] for r in alone} | {r["scenario_sha256"] for r in alone}) > 1


def test_a_group_larger_than_a_batch_splits_its_runs(monkeypatch) -> None:
    """Points × runs above one engine batch run in several batches of run ids."""
    monkeypatch.setattr(batched, "BATCH", 40)
    sw = load_sweep(SWEEPS / "clarity_x_funding.yaml", runs=30, steps=2)
    assert batched.run_points(sw.scenarios[:3]) == [run_point(sc) for sc in sw.scenarios[:3]]


def test_a_sweep_over_anything_but_the_mandate_runs_point_by_point() -> None:
    sw = load_sweep(SWEEPS / "target_x_deadline.yaml", runs=10, steps=2)
    assert not batched.batchable(sw.axes)
    assert batched.group_size(200) == 10 and batched.group_size(5000) == 1


def test_the_sweep_table_is_the_same_batched_or_not(tmp_path, monkeypatch) -> None:
    sw = load_sweep(SWEEPS / "decommissioning_x_force.yaml", runs=16, steps=3)
    fast = run_sweep(sw, Serial(), PointCache(tmp_path / "a"))
    monkeypatch.setattr(batched, "batchable", lambda axes: False)
    slow = run_sweep(sw, Serial(), PointCache(tmp_path / "b"))
    assert fast.computed == slow.computed == len(sw.points)
    pd.testing.assert_frame_equal(fast.table, slow.table)
