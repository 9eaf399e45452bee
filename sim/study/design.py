"""Runs at the points Sobol (Saltelli) and Morris choose, on the fast engine.

SALib's sample is a stack of blocks: Saltelli's base point with its D + 1
cross-samples (A, AB_1 .. AB_D, B), Morris' trajectory of D + 1 points. All
points of one block are computed as the same run of the scenario's seed (the
same decision noise and incidents), so an index measures what the ranges
change, not the difference between two runs' luck: a range with no effect
gets an index of exactly 0. Each block position is one design
(`sim.engine.design`) whose row i is run i.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.engine.design import design_batch
from sim.engine.ensemble import batches
from sim.engine.record import Recorder
from sim.parallel import Executor, Serial
from sim.scenario.arrays import Compiled
from sim.study.problem import factors

MORRIS_LEVELS = 4
ROWS_PER_JOB = 2000


def block(method: str, problem: dict) -> int:
    """Points per base sample: D + 2 for Sobol (first and total order), D + 1 for Morris."""
    d = len(factors(problem))
    return d + 2 if method == "sobol" else d + 1


def base_count(method: str, n: int) -> int:
    """Sobol's base sample is a power of 2 (the Sobol' sequence's balance needs it)."""
    return 1 << max(0, math.ceil(math.log2(n))) if method == "sobol" else n


def cost(method: str, problem: dict, n: int) -> int:
    """Runs the design costs for `n` base samples (or trajectories)."""
    return base_count(method, n) * block(method, problem)


def sample(method: str, problem: dict, n: int, seed: int) -> np.ndarray:
    """SALib's sample: (cost, D) positions in [0, 1]."""
    if method == "sobol":
        from SALib.sample import sobol as salib_sobol

        return salib_sobol.sample(
            problem, base_count(method, n), calc_second_order=False, seed=seed
        )
    from SALib.sample import morris as salib_morris

    with warnings.catch_warnings():
        # a group of one range makes Morris' sampler say it "ignores" groups; it does not
        warnings.filterwarnings("ignore", message=".*group.*", category=UserWarning)
        return salib_morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)


def run_blocks(
    C: Compiled,
    X: np.ndarray,
    width: int,
    seed: int,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """The runs table of every row of X (blocks of `width` rows), in X's order.

    Row b * width + k is run b at the positions X[b * width + k]."""
    X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)  # SALib's floats may overshoot by 1e-16
    n = X.shape[0] // width
    chunks = list(batches(n, ROWS_PER_JOB))
    jobs = [(C, seed, ids, X[k::width][ids], n) for k in range(width) for ids in chunks]
    recorders = [Recorder(C, n, 0) for _ in range(width)]
    for i, part in (executor or Serial()).imap(design_batch, jobs):
        recorders[i // len(chunks)].merge(part)
        if progress:
            progress(len(jobs[i][2]))
    runs = pd.concat([rec.tables()["runs"] for rec in recorders], ignore_index=True)
    r = np.arange(n * width)
    return runs.iloc[(r % width) * n + r // width].reset_index(drop=True)
