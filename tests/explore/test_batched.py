"""Sweep points that differ only in their mandate or the broker's target run together
as one array of runs, and each computes to what it computes alone
(`sim.explore.batched`)."""

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
def test_points_run_together_give_what_each_gives_alone(name: str, monkeypatch) -> None:
    sw = load_sweep(SWEEPS / f"{name}.yaml", runs=24, steps=2)
    assert batched.batchable(sw.axes) and len(sw.scenarios) >= 4
    calls = []
    real = batched.run_together
    monkeypatch.setattr(batched, "run_together", lambda *a: calls.append(a) or real(*a))
    together = batched.run_points(sw.scenarios)
    assert len(calls) == 1 and len(calls[0][3]) == len(sw.scenarios)  # one array of runs
    alone = [run_point(sc) for sc in sw.scenarios]
    assert together == alone
    # the points differ, so the test could tell them apart
    assert len({r["p_formed"] for r in alone} | {r["scenario_sha256"] for r in alone}) > 1


def test_a_group_larger_than_a_batch_splits_its_runs(monkeypatch) -> None:
    """Points × runs above one engine batch run in several batches of run ids."""
    monkeypatch.setattr(batched, "BATCH", 40)
    sw = load_sweep(SWEEPS / "clarity_x_funding.yaml", runs=30, steps=2)
    assert batched.run_points(sw.scenarios[:3]) == [run_point(sc) for sc in sw.scenarios[:3]]


def test_more_points_than_a_bounded_batch_holds_run_in_smaller_arrays(monkeypatch) -> None:
    """Where a batch's memory bound (`ensemble.BATCH_BYTES`) allows fewer runs than the
    group has points, the points run in arrays of at most that many, the same results."""
    from sim.engine import ensemble

    sw = load_sweep(SWEEPS / "clarity_x_funding.yaml", runs=2, steps=2)
    points = sw.scenarios[:3]
    monkeypatch.setattr(ensemble, "BATCH_BYTES", 1)  # one run a batch: one point an array
    calls = []
    real = batched.run_together
    monkeypatch.setattr(batched, "run_together", lambda *a: calls.append(a) or real(*a))
    assert batched.run_points(points) == [run_point(sc) for sc in points]
    assert calls and all(len(c[3]) == 1 for c in calls)  # each array holds one point


def test_points_that_differ_in_the_deadline_run_in_groups_of_one_deadline() -> None:
    """The deadline sets the horizon (structure), the target only a parameter: a
    target × deadline sweep runs its targets together, deadline by deadline."""
    sw = load_sweep(SWEEPS / "target_x_deadline.yaml", runs=10, steps=3)
    assert batched.batchable(sw.axes)
    assert batched.together("broker.target") and batched.together("mandate.clarity")
    assert not batched.together("broker.deadline") and not batched.together("mandatex")
    todo = [(str(i), sc, p) for i, (sc, p) in enumerate(zip(sw.scenarios, sw.points, strict=True))]
    groups = batched.groups(sw.axes, todo)
    deadlines = [{sc.broker.deadline for _, sc, _ in g} for g in groups]
    targets = {sc.broker.target for sc in sw.scenarios}
    assert all(len(d) == 1 for d in deadlines)
    assert len(groups) == len({sc.broker.deadline for sc in sw.scenarios}) > 1
    assert all(len(g) == len(targets) > 1 for g in groups)
    group = [sc for _, sc, _ in groups[0]]
    assert {sc.broker.target for sc in group} == targets
    assert batched.run_points(group) == [run_point(sc) for sc in group]
    assert batched.group_size(200) == 10 and batched.group_size(5000) == 1


def test_points_of_different_structure_run_one_by_one(monkeypatch) -> None:
    """Two deadlines in one group (a grouping error) are caught by the structure check
    and computed point by point, with the same results."""
    sw = load_sweep(SWEEPS / "target_x_deadline.yaml", runs=8, steps=2)
    mixed = [sc for sc in sw.scenarios if sc.broker.target == sw.scenarios[0].broker.target]
    mixed = mixed[:2]
    assert len({sc.broker.deadline for sc in mixed}) == 2
    from sim.scenario.arrays import compile_scenario

    a, b = (compile_scenario(sc) for sc in mixed)
    assert not batched.same_structure(a, b)
    calls = []
    monkeypatch.setattr(batched, "run_together", lambda *a: calls.append(a))
    assert batched.run_points(mixed) == [run_point(sc) for sc in mixed]
    assert calls == []


@pytest.mark.parametrize("name", ["decommissioning_x_force", "target_x_deadline"])
def test_the_sweep_table_is_the_same_batched_or_not(name, tmp_path, monkeypatch) -> None:
    sw = load_sweep(SWEEPS / f"{name}.yaml", runs=16, steps=3)
    fast = run_sweep(sw, Serial(), PointCache(tmp_path / "a"))
    monkeypatch.setattr(batched, "batchable", lambda axes: False)
    slow = run_sweep(sw, Serial(), PointCache(tmp_path / "b"))
    assert fast.computed == slow.computed == len(sw.points)
    pd.testing.assert_frame_equal(fast.table, slow.table)


def test_points_with_detail_run_together_give_what_each_gives_alone(monkeypatch) -> None:
    """A what-if keeps the per-round detail of its first runs (each state's final payoff,
    its binding red line): run together, each point's detailed runs are recorded in
    full and give what the point gives alone."""
    sw = load_sweep(SWEEPS / "clarity_x_funding.yaml", runs=16, steps=2)
    calls = []
    real = batched.run_together
    monkeypatch.setattr(batched, "run_together", lambda *a: calls.append(a) or real(*a))
    together = batched.run_points(sw.scenarios, detail=5)
    assert len(calls) == 1
    alone = [run_point(sc, 5) for sc in sw.scenarios]
    assert together == alone
    assert all(r["final_payoff"] and r["red_line_binds"] for r in alone)
    assert len({repr(r["final_payoff"]) for r in alone}) > 1  # the points tell apart
    assert together != batched.run_points(sw.scenarios, detail=3)  # the detail is read
