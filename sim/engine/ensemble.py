"""The ensemble driver: many runs of one scenario, in batches, with either engine.

Runs are cut into batches of consecutive run numbers; a batch is computed in
this process or in a worker, and recorders are merged. Because each run draws
from its own generator and tables are sorted by run, the tables are identical
whatever the engine, the batch size and the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, as_completed

import numpy as np
import pandas as pd

from sim.engine import fast
from sim.engine.record import Recorder
from sim.scenario.arrays import Compiled

BATCH = 2000
"""Runs per batch of the fast engine: large enough to amortise Python overhead,
small enough that a batch's arrays stay a few tens of MB."""
MESA_BATCH = 50


def batches(runs: int, size: int) -> Iterator[np.ndarray]:
    """Consecutive run numbers, `size` at a time."""
    for start in range(0, runs, size):
        yield np.arange(start, min(runs, start + size))


def run_batch(
    C: Compiled, seed: int, ids: np.ndarray, runs: int, detail: int, engine: str
) -> Recorder:
    """Compute one batch of runs into a fresh recorder (also the worker's task)."""
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
    workers: int = 1,
    pool: Executor | None = None,
) -> dict[str, pd.DataFrame]:
    """Run `runs` runs and return the tidy tables. Same seed, same tables."""
    runs = C.scenario.run.runs if runs is None else runs
    seed = C.scenario.run.seed if seed is None else seed
    size = BATCH if engine == "fast" else MESA_BATCH
    workers = getattr(pool, "_max_workers", workers)
    if workers > 1:
        # A whole number of batches per worker, so no worker is left with the tail.
        n_batches = workers * -(-runs // (workers * size))
        size = max(1, -(-runs // n_batches))
    rec = Recorder(C, runs, detail)
    jobs = list(batches(runs, size))
    if pool is not None:
        return _collect(pool, C, seed, jobs, runs, detail, engine, rec, progress)
    if workers <= 1:
        for ids in jobs:
            rec.merge(run_batch(C, seed, ids, runs, detail, engine))
            if progress:
                progress(len(ids))
        return rec.tables()
    from sim.parallel import make_pool, stop

    own = make_pool(workers, warm=False)
    try:
        return _collect(own, C, seed, jobs, runs, detail, engine, rec, progress)
    except BaseException:
        stop(own)
        raise
    finally:
        own.shutdown(wait=True, cancel_futures=True)


def _collect(pool, C, seed, jobs, runs, detail, engine, rec, progress):
    """Submit every batch to the pool and merge the recorders as they finish."""
    futures = {pool.submit(run_batch, C, seed, ids, runs, detail, engine): len(ids) for ids in jobs}
    for fut in as_completed(futures):
        rec.merge(fut.result())
        if progress:
            progress(futures[fut])
    return rec.tables()
