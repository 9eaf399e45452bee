"""Runs at chosen values of the judgement calls: an experimental design.

A sensitivity analysis (Sobol, Morris) or a robustness study chooses the values
of the ranges itself instead of letting each run draw them. A design is a
matrix `U` (N, E) of positions inside the scenario's E ranges (0 = low end,
1 = high end, columns in `C.ranges` order, named by `sim.scenario.drawn`).
Row i is computed as run `first + i` of the scenario's seed, with its own
decision noise and incident draws, so two designs that share rows share worlds
(common random numbers across candidate mandates).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.engine import fast
from sim.engine.ensemble import batch_runs, batches
from sim.engine.record import Recorder
from sim.parallel import Executor, Serial
from sim.scenario.arrays import Compiled


def design_batch(C: Compiled, seed: int, ids: np.ndarray, U: np.ndarray, n: int) -> Recorder:
    """One batch of design rows (also a worker's task): no per-week detail kept."""
    rec = Recorder(C, n, 0, first=int(ids[0]), count=len(ids))
    fast.run_batch(C, seed, ids, rec, ranges=U)
    return rec


def run_design(
    C: Compiled,
    U: np.ndarray,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables of N runs, run i at the range positions `U[i]` (fast engine).

    Refuses positions outside [0, 1] or a matrix of the wrong width: a design is
    made by code, so a bad one is a programming error, not a user's input."""
    U = np.asarray(U, dtype=float)
    E = len(C.ranges)
    if U.ndim != 2 or U.shape[1] != E:
        raise ValueError(f"design: expected an (N, {E}) matrix, got shape {U.shape}")
    if not np.isfinite(U).all() or (U < 0).any() or (U > 1).any():
        raise ValueError("design: positions must be finite and within [0, 1]")
    seed = C.scenario.run.seed if seed is None else seed
    n = U.shape[0]
    executor = executor or Serial()
    jobs = [(C, seed, ids, U[ids], n) for ids in batches(n, batch_runs(C))]
    rec = Recorder(C, n, 0)
    done: dict[int, Recorder] = {}
    merged = 0
    for i, part in executor.imap(design_batch, jobs):
        done[i] = part
        while merged in done:
            rec.merge(done.pop(merged))
            merged += 1
        if progress:
            progress(len(jobs[i][2]))
    return rec.tables()
