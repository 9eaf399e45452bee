"""The fast engine: many runs advanced together as (runs x states) arrays.

It plays the same week (`sim.engine.round.play_week`) as the Mesa model, on a
batch of runs at a time, so a run computes to the same numbers in either
engine. Runs that have ended are left out of later weeks, so their final
state stays as it was.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from threadpoolctl import threadpool_limits

from sim.engine.draws import draw_many, horizon, parameters
from sim.engine.record import Recorder
from sim.engine.round import finish, play_week, start
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def run_batch(
    C: Compiled, seed: int, runs: np.ndarray, rec: Recorder, ranges: np.ndarray | None = None
) -> None:
    """Run a batch of runs (global ids) to their end and record them.

    `ranges` (R, E), when given, replaces the runs' uniforms for the judgement
    ranges (an experimental design, `sim.engine.design`); every other draw of a
    run is its own, as always."""
    with threadpool_limits(1, user_api="blas"):
        _run(C, seed, runs, rec, ranges)


def _run(C: Compiled, seed: int, runs: np.ndarray, rec: Recorder, ranges) -> None:
    """`run_batch`'s work, with BLAS on one thread: its matrix products are small."""
    mech = C.scenario.run.mechanisms
    draws = draw_many(C, seed, runs)
    if ranges is not None:
        draws.ranges = np.asarray(ranges, dtype=float).reshape(len(runs), len(C.ranges))
    P = parameters(C, draws.ranges, draws.bars)
    world = start(C, P, len(runs), mech)
    _weeks(C, P, world, draws, lambda week, active: rec.round(week.view(runs[active])))
    finish(rec, runs, world, C, P, draws)


def _weeks(C: Compiled, P: Params, world, draws, record) -> None:
    """Play the weeks on `world` (in place), each on the runs still negotiating, and
    hand each week and those runs' rows to `record`.

    Until a run ends the weeks play on `world` itself; from then on on a copy of the
    runs still negotiating (`sub`, their parameters `Pw`), taken again only in a week
    some run ends, whose final rows go back into `world` then."""
    mech = C.scenario.run.mechanisms
    active = np.arange(draws.noise.shape[0])
    sub, Pw = world, P
    for t in range(1, horizon(C) + 1):
        noise, slots = draws.noise[active, t - 1], draws.slots[active, t - 1]
        record(play_week(C, Pw, sub, t, noise, slots, mech), active)
        going = sub.outcome == 0
        if going.all():
            continue
        if sub is not world:
            ended = np.flatnonzero(~going)
            world.write_back(sub.subset(ended), active[ended])
        if not going.any():
            return
        keep = np.flatnonzero(going)  # whole-number indices gather faster than a mask
        sub, Pw, active = sub.subset(keep), Pw.take(keep), active[keep]
    if sub is not world:  # the deadline ends every run; were it not so, none is lost
        world.write_back(sub, active)


def run_points(
    C: Compiled, seed: int, runs: np.ndarray, points: list[Compiled], recs: list[Recorder]
) -> None:
    """The same runs (global ids `runs`) of several points, as one array: block p is
    every run of `points[p]`, recorded into `recs[p]`.

    The points must share `C`'s structure and differ only in their starting mandate
    and their parameters (`sim.explore.batched` checks it): a sweep over mandate
    terms or the broker's target runs its points this way. They share every draw
    (the same runs, common random numbers), so each block computes to the numbers
    the point computes alone, and one array of runs pays Python's per-week cost
    once for all of them. A recorder that keeps per-round detail (`detail` > 0) is
    handed its detailed runs' rows in full, the others' force and acceptance."""
    with threadpool_limits(1, user_api="blas"):
        _run_points(C, seed, runs, points, recs)


def _run_points(C: Compiled, seed, runs, points, recs) -> None:
    mech = C.scenario.run.mechanisms
    n, B = len(runs), len(points)
    one = draw_many(C, seed, runs)
    draws = one.take(np.tile(np.arange(n), B))
    ids, block = np.tile(runs, B), np.repeat(np.arange(B), n)
    P = Params.concat([parameters(Cp, one.ranges, one.bars) for Cp in points], n)
    mandates = np.repeat(np.stack([Cp.mandate0 for Cp in points]), n, axis=0)
    world = start(C, P, n * B, mech, mandates)

    def record(week, active) -> None:
        view = week.view(ids[active])
        for p, rec in enumerate(recs):
            mine = block[active] == p
            if rec.detail:  # the detailed runs in full; the others as below
                shown = mine & (view.runs < rec.detail)
                if shown.any():
                    rec.round(view.take(np.flatnonzero(shown)))
                mine &= ~shown
            if mine.any():  # a run without detail is recorded by its force and acceptance
                rec.round(replace(view, runs=view.runs[mine], force=view.force[mine],
                                  accept=view.accept[mine]))  # fmt: skip

    _weeks(C, P, world, draws, record)
    for p, (Cp, rec) in enumerate(zip(points, recs, strict=True)):
        idx = np.flatnonzero(block == p)
        finish(rec, runs, world.subset(idx), Cp, P.take(idx), draws.take(idx))
