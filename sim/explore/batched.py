"""Sweep points that differ only in their mandate or the broker's target, run
together as one array of runs.

The engine reads a scenario's mandate only as the first week's row of numbers,
and the broker's target and minimum viable force only as per-run parameters.
Points of a sweep that differ only there (`TOGETHER`) share everything else:
the states, the menu, the draws, the horizon. They run as blocks of one array
(`sim.engine.fast.run_points`), so the engine's per-week Python cost is paid
once for several points, and batches are large enough for the compiled pass
(`sim.rules.jit`). Points that differ on another axis (the deadline, a
state's parameter) are grouped by its values: `target_x_deadline` runs its
targets together, deadline by deadline. Each point computes to the numbers it
computes alone (`tests/explore/test_batched.py`); a group whose compiled
structure is not the same is run point by point.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from sim.engine.ensemble import BATCH, batch_runs, batches
from sim.engine.fast import run_points as run_together
from sim.engine.record import Recorder
from sim.explore.runner import POINT_TABLES, point_result, run_point
from sim.rules import jit
from sim.scenario.arrays import Compiled, compile_scenario
from sim.scenario.schema import Scenario

TOGETHER = ("mandate.", "broker.target", "broker.minimum_viable")
"""Axis paths the engine reads only through the first week's mandate or the per-run
parameters (checked: no rule reads `scenario.mandate` or these broker fields)."""

PER_POINT = ("scenario", "mandate0", "params", "ranges")
"""The compiled fields in which points run together may differ."""


def together(path: str) -> bool:
    """Points that differ on this axis can run in one array."""
    return any(path == p or (p.endswith(".") and path.startswith(p)) for p in TOGETHER)


def batchable(axes: list[Any]) -> bool:
    """Some axis lets points run together."""
    return any(together(a.path) for a in axes)


def group_size(runs: int) -> int:
    """Points per array: as many as fit one engine batch (`BATCH` runs), at least one."""
    return max(1, BATCH // max(runs, 1))


def groups(axes: list[Any], todo: list[tuple[str, Scenario, dict]]) -> list[list]:
    """The points to compute (key, scenario, point) in groups that can run together:
    the same values on every axis that is not `together`, at most `group_size` each."""
    apart = [a.path for a in axes if not together(a.path)]
    by_key: dict[str, list] = {}
    for item in todo:
        by_key.setdefault(repr([item[2][p] for p in apart]), []).append(item)
    k = group_size(todo[0][1].run.runs) if todo else 1
    return [g[i : i + k] for g in by_key.values() for i in range(0, len(g), k)]


def run_points(scenarios: list[Scenario], detail: int = 0) -> list[dict[str, Any]]:
    """The results of points with the same runs and seed, as `run_point` gives them
    one by one (also a worker's task): together when their compiled structure is
    the same, else one by one. `detail`: the runs whose per-round detail is kept."""
    points = [compile_scenario(sc) for sc in scenarios]
    base = points[0]
    if not all(same_structure(base, C) for C in points[1:]):
        return [run_point(sc, detail) for sc in scenarios]
    cap = batch_runs(base, BATCH)
    if len(points) > cap:  # a wide scenario: fewer points to an array (`BATCH_BYTES`)
        return [
            r
            for i in range(0, len(points), cap)
            for r in run_points(scenarios[i : i + cap], detail)
        ]
    runs, seed = base.scenario.run.runs, base.scenario.run.seed
    recs = [Recorder(C, runs, detail) for C in points]
    for ids in batches(runs, max(1, cap // len(points))):
        jit.started(len(ids) * len(points))
        parts = [Recorder(C, runs, detail, first=int(ids[0]), count=len(ids)) for C in points]
        run_together(base, seed, ids, points, parts)
        for rec, part in zip(recs, parts, strict=True):
            rec.merge(part)
    return [
        point_result(C, rec.tables(POINT_TABLES), rec) for C, rec in zip(points, recs, strict=True)
    ]


def same_structure(a: Compiled, b: Compiled) -> bool:
    """The scenarios are equal but for the mandate and the `TOGETHER` broker fields;
    every compiled field but the mandate row and the parameters is equal; and so is
    every range's place (its bounds may differ: they are parameters)."""
    if _settings(a.scenario) != _settings(b.scenario):
        return False
    for f in fields(a):
        if f.name not in PER_POINT and not _equal(getattr(a, f.name), getattr(b, f.name)):
            return False
    where = [[(r.group, r.field, r.index) for r in C.ranges] for C in (a, b)]
    return where[0] == where[1]


def _settings(sc: Scenario) -> dict:
    """The scenario without what points run together may differ in."""
    data = sc.model_dump()
    data.pop("mandate")
    for path in TOGETHER:
        head, _, field = path.partition(".")
        if field:
            data[head].pop(field)
    return data


def _equal(x: Any, y: Any) -> bool:
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
            return False
        return x.shape == y.shape and bool(np.all((x == y) | ((x != x) & (y != y))))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_equal(x[k], y[k]) for k in x)
    if isinstance(x, list | tuple) and isinstance(y, list | tuple):
        return len(x) == len(y) and all(_equal(i, j) for i, j in zip(x, y, strict=True))
    if hasattr(x, "__dataclass_fields__") and type(x) is type(y):
        return all(_equal(getattr(x, f.name), getattr(y, f.name)) for f in fields(x))
    return x == y
