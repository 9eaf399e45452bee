"""The ensemble driver: many runs of one scenario, in batches, with either engine.

Runs are cut into batches of consecutive run numbers; a batch is computed in
this process or on an executor's workers (`sim.parallel`), and recorders are
merged in run order. Because each run draws from its own generator and tables
are sorted by run, the tables are identical whatever the engine, the batch size,
the executor and the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from sim.engine import fast
from sim.engine.record import Recorder
from sim.parallel import ENGINE, Executor, Pool, Serial
from sim.rules import jit
from sim.scenario.arrays import Compiled
from sim.workers import FORK_MAX_RUNS

if TYPE_CHECKING:  # the tables are built by the recorder, which imports pandas then
    import pandas as pd

BATCH = 2000
"""Runs per batch of the fast engine: large enough to amortise Python overhead,
small enough that a batch's arrays stay a few tens of MB (the flagship's: about 10 MB);
fewer for a wide scenario (`batch_runs`)."""
BATCH_BYTES = 256 * 2**20
"""The most a batch's arrays may take, about: a scenario of many states and concessions
gets fewer runs a batch. Each week asks what every open concession would do for every
state in every run (`sim.rules.decide`: a pledge and a ranking key per run, state and
concession, and numpy's temporaries beside them), so memory grows with their product:
250 states and 200 concessions took 969 MB at 500 runs, and a batch of 2,000 runs
would take about 3 GB."""
BYTES_PER_CONCESSION = 32
"""Bytes a batch holds per run, state and concession (and one for the whole menu),
measured: 250 states and 200 concessions took 643 MB more at 500 runs than at 100,
32 bytes per run, state and evaluation."""
BYTES_PER_SLOT = 24
"""Bytes a batch holds per run, state and offered kind, measured: 250 states of 51 kinds
took 0.24 MB more a run, 19 bytes a slot."""
MESA_BATCH = 50
FORK_RUNS = 500
"""From this many runs, a command left to its default workers that runs in one
process shares the batches with a forked copy of itself (`sim.fork`): below it,
the week's fixed Python cost, paid by both halves, outweighs what the second core
saves (measured in docs/performance.md)."""


def batch_runs(C: Compiled, most: int | None = None) -> int:
    """Runs per batch of the fast engine for this scenario: `most` (default `BATCH`), or
    fewer where a batch's arrays would take more than `BATCH_BYTES`; at least one.
    The tables do not depend on it (each run draws from its own generator)."""
    S, K = C.slot_kind.shape
    per_run = S * (BYTES_PER_CONCESSION * (len(C.concessions) + 1) + BYTES_PER_SLOT * K)
    return max(1, min(BATCH if most is None else most, BATCH_BYTES // max(per_run, 1)))


def batches(runs: int, size: int) -> Iterator[np.ndarray]:
    """Consecutive run numbers, `size` at a time."""
    for start in range(0, runs, size):
        yield np.arange(start, min(runs, start + size))


def run_batch(
    C: Compiled, seed: int, ids: np.ndarray, runs: int, detail: int, engine: str, share: int = 0
) -> Recorder:
    """Compute one batch of runs into a fresh recorder (also the worker's task).

    `share`: the runs of the ensemble each process computes, about; a process with
    many runs to compute uses the compiled loops from its first batch on (`jit.started`)."""
    jit.started(len(ids), share)
    rec = Recorder(C, runs, detail, first=int(ids[0]), count=len(ids))
    if engine == "fast":
        fast.run_batch(C, seed, ids, rec)
    elif engine == "mesa":
        from sim.engine.model import ForceModel

        for run in ids:
            ForceModel(C, seed, int(run), rec).run_model()
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return rec


def run_ensemble(
    C: Compiled,
    runs: int | None = None,
    seed: int | None = None,
    detail: int = 50,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Run `runs` runs and return the tidy tables. Same seed, same tables.

    Batches run on `executor` (`sim.parallel`), else here one after another.
    `workers=N` is a shorthand for a pool of N processes made for this call.
    """
    if executor is None and workers is not None and workers > 1:
        with Pool(workers, ENGINE) as pool:
            return record(C, runs, seed, detail, engine, progress, pool).tables()
    return record(C, runs, seed, detail, engine, progress, executor).tables()


def record(
    C: Compiled,
    runs: int | None = None,
    seed: int | None = None,
    detail: int = 50,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> Recorder:
    """Run `runs` runs into one recorder (`run_ensemble` without the tables)."""
    runs = C.scenario.run.runs if runs is None else runs
    seed = C.scenario.run.seed if seed is None else seed
    executor = executor or Serial()
    # A forked helper takes half the batches where it may, up to FORK_MAX_RUNS runs: it
    # sends its share back in one piece at the end, so more would raise the memory peak
    # (a command that found no idle core for a pool then runs them here alone). Below
    # FORK_RUNS, where this process has imports to do (the charts',
    # `Serial.warm_pending`), it takes them all, unsplit, while this process imports.
    overlap = runs < FORK_RUNS and executor.warm_pending()
    if FORK_RUNS <= runs <= FORK_MAX_RUNS or overlap:
        executor = executor.for_short_jobs()
    size = batch_runs(C) if engine == "fast" else MESA_BATCH
    if executor.workers > 1 and not overlap:
        # A whole number of batches per worker, so no worker is left with the tail.
        n_batches = executor.workers * -(-runs // (executor.workers * size))
        size = max(1, -(-runs // n_batches))
    share = -(-runs // executor.workers)
    jobs = [(C, seed, ids, runs, detail, engine, share) for ids in batches(runs, size)]
    rec = Recorder(C, runs, detail)
    done: dict[int, Recorder] = {}
    merged = 0
    for i, part in executor.imap(run_batch, jobs):
        done[i] = part
        while merged in done:  # merge in run order, whatever order batches finish in
            rec.merge(done.pop(merged))
            merged += 1
        if progress:
            progress(len(jobs[i][2]))
    return rec
