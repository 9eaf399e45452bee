"""Cost of the fast engine per run-week on the flagship, for comparing versions.

    .venv/bin/python bench/run_week.py [--runs 2000] [--repeat 3]

Times `run_ensemble` (tables only, one process, detail for one run) and divides
the CPU time by the number of run-weeks played (the sum of each run's weeks,
from the runs table), so versions whose runs last longer or shorter compare
fairly. Uses only interfaces every version since the shared round has, so the
same file can time an older checkout: `PYTHONPATH=<checkout> python bench/run_week.py`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import sim
from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

FLAGSHIP = Path(sim.__file__).resolve().parents[1] / "scenarios" / "isf" / "res2803.yaml"
"""The flagship of the checkout being timed (its own scenario files)."""


def cost(runs: int) -> tuple[float, int]:
    """(CPU seconds, run-weeks) of one ensemble of `runs` runs."""
    C = compile_scenario(load(FLAGSHIP))
    start = time.process_time()
    tables = run_ensemble(C, runs=runs, detail=1)
    return time.process_time() - start, int(tables["runs"]["rounds"].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cost(200)  # warm up imports and caches
    per_week = []
    for _ in range(args.repeat):
        seconds, weeks = cost(args.runs)
        per_week.append(seconds / weeks * 1e6)
    print(
        f"{args.runs} runs: {weeks:,} run-weeks, median {statistics.median(per_week):.1f} µs "
        f"per run-week (of {', '.join(f'{x:.1f}' for x in per_week)})"
    )


if __name__ == "__main__":
    main()
