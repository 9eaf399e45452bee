"""The ensemble driver: many runs of one scenario, in batches, with either engine."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.engine import fast
from sim.engine.record import Recorder
from sim.scenario.arrays import Compiled

BATCH = 2000
"""Runs per batch of the fast engine: large enough to amortise Python overhead,
small enough that a batch's arrays stay a few tens of MB."""


def run_ensemble(
    C: Compiled,
    runs: int | None = None,
    seed: int | None = None,
    detail: int = 50,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run `runs` runs and return the tidy tables. Same seed, same tables."""
    runs = C.scenario.run.runs if runs is None else runs
    seed = C.scenario.run.seed if seed is None else seed
    rec = Recorder(C, runs, detail)
    if engine == "fast":
        for start in range(0, runs, BATCH):
            ids = np.arange(start, min(runs, start + BATCH))
            fast.run_batch(C, seed, ids, rec)
            if progress:
                progress(len(ids))
    elif engine == "mesa":
        from sim.engine.model import ForceModel

        for run in range(runs):
            ForceModel(C, seed, run, rec).run_model()
            if progress:
                progress(1)
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return rec.tables()
