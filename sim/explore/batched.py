"""Sweep points over mandate terms, run together as one array of runs.

A sweep whose every axis is a mandate term (`mandate.clarity`,
`mandate.tasks.weapons_decommissioning`, ...) has points that differ only in the
mandate the negotiation starts from: the same states, parameters, draws and
menu. Such points run as blocks of one array (`sim.engine.fast.run_mandates`),
so the engine's per-week Python cost is paid once for several points, and
batches are large enough for the compiled pass (`sim.rules.fused`). Each point
computes to the numbers it computes alone (`tests/explore/test_batched.py`);
other sweeps (a deadline, a target, a state's parameter) run point by point.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sim.engine.ensemble import BATCH, batches
from sim.engine.fast import run_mandates
from sim.engine.record import Recorder
from sim.explore.runner import point_result
from sim.rules import fused
from sim.scenario.arrays import compile_scenario
from sim.scenario.schema import Scenario

MANDATE = "mandate."


def batchable(axes: list[Any]) -> bool:
    """Every axis is a mandate term, so the points differ only in their mandate."""
    return bool(axes) and all(a.path.startswith(MANDATE) for a in axes)


def group_size(runs: int) -> int:
    """Points per array: as many as fit one engine batch (`BATCH` runs), at least one."""
    return max(1, BATCH // max(runs, 1))


def run_points(scenarios: list[Scenario]) -> list[dict[str, Any]]:
    """The results of points that differ only in their mandate (same runs and seed),
    as `sim.explore.runner.run_point` gives them one by one (also a worker's task)."""
    base = compile_scenario(scenarios[0])
    points = [replace(base, scenario=sc, mandate0=base.cols.encode(sc.mandate)) for sc in scenarios]
    runs, seed = base.scenario.run.runs, base.scenario.run.seed
    recs = [Recorder(C, runs, 0) for C in points]
    mandates = [C.mandate0 for C in points]
    for ids in batches(runs, max(1, BATCH // len(points))):
        fused.started(len(ids) * len(points))
        parts = [Recorder(C, runs, 0, first=int(ids[0]), count=len(ids)) for C in points]
        run_mandates(base, seed, ids, mandates, parts)
        for rec, part in zip(recs, parts, strict=True):
            rec.merge(part)
    return [point_result(C, rec.tables(), rec) for C, rec in zip(points, recs, strict=True)]
