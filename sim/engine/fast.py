"""The fast engine: many runs advanced together as (runs x states) arrays.

It plays the same week (`sim.engine.round.play_week`) as the Mesa model, on a
batch of runs at a time, so a run computes to the same numbers in either
engine. Runs that have ended are left out of later weeks, so their final
state stays as it was.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from sim.engine.draws import draw_many, horizon, parameters
from sim.engine.record import Recorder
from sim.engine.round import finish, play_week, start
from sim.scenario.arrays import Compiled


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
    active = np.arange(len(runs))
    for t in range(1, horizon(C) + 1):
        sub = world.subset(active)
        noise, slots = draws.noise[active, t - 1], draws.slots[active, t - 1]
        week = play_week(C, P.take(active), sub, t, noise, slots, mech)
        rec.round(week.view(runs[active]))
        world.write_back(sub, active)
        active = active[sub.outcome == 0]
        if not len(active):
            break
    finish(rec, runs, world, C, P, draws)
