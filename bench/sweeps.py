"""Benchmark: a sweep over mandate terms, its points batched together or one by one.

    .venv/bin/python bench/sweeps.py                 # clarity_x_funding, --steps 10, 500 runs
    .venv/bin/python bench/sweeps.py --steps 20 --runs 200

Runs the sweep in one process with a fresh point cache each time, alternating
batched (`sim.explore.batched`) and point by point, and prints the wall times.
The points' results are the same either way (`tests/explore/test_batched.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from sim.explore import batched  # noqa: E402
from sim.explore.cache import PointCache  # noqa: E402
from sim.explore.sweep import load_sweep, run_sweep  # noqa: E402
from sim.parallel import Serial  # noqa: E402

SWEEPS = Path(__file__).resolve().parents[1] / "scenarios" / "sweeps"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", default="clarity_x_funding")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    sw = load_sweep(SWEEPS / f"{args.sweep}.yaml", runs=args.runs, steps=args.steps)
    print(f"{args.sweep}: {len(sw.points)} points × {args.runs} runs, one process")
    real = batched.batchable
    for _ in range(args.repeat):
        for mode in ("batched", "point by point"):
            batched.batchable = real if mode == "batched" else (lambda axes: False)
            start = time.perf_counter()
            run_sweep(sw, Serial(), PointCache(Path(tempfile.mkdtemp())))
            print(f"{mode}: {time.perf_counter() - start:.1f} s")
    batched.batchable = real


if __name__ == "__main__":
    main()
