"""Benchmark: the rules' compiled loops (`sim/rules/jit.py`) against the numpy rules.

    .venv/bin/python bench/fused.py            # 2,000 and 10,000 runs, three alternations

Times the fast engine on the flagship (tables included, no charts) with the
compiled loops and with the numpy rules (`FORCEGEN_NO_NUMBA`), alternating in one
process after a warm-up that pays numba's start-up. The tables are the same bytes
either way (`tests/rules/test_fused.py`, `tests/rules/test_jit.py`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from sim.engine.ensemble import run_ensemble  # noqa: E402
from sim.rules import jit  # noqa: E402
from sim.scenario.arrays import compile_scenario  # noqa: E402
from sim.scenario.loader import load  # noqa: E402

FLAGSHIP = Path(__file__).resolve().parents[1] / "scenarios" / "isf" / "res2803.yaml"


def timed(C, runs: int, compiled: bool) -> float:
    """Seconds for one ensemble (tables included, no charts)."""
    if compiled:
        os.environ.pop(jit.DISABLE, None)
    else:
        os.environ[jit.DISABLE] = "1"
    start = time.perf_counter()
    run_ensemble(C, runs=runs, detail=50)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[2_000, 10_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    C = compile_scenario(load(FLAGSHIP))
    start = time.perf_counter()
    timed(C, jit.MIN_RUNS, True)  # enough runs started; numba's import, the loops' load
    timed(C, 10, True)
    print(f"warm-up ({jit.MIN_RUNS:,} runs, numba loaded): {time.perf_counter() - start:.2f} s")
    print(
        "\n| runs | numpy rules, runs/s | compiled loops, runs/s | speed-up |\n|---:|---:|---:|---:|"
    )
    for runs in args.runs:
        plain, comp = [], []
        for _ in range(args.repeat):
            plain.append(timed(C, runs, False))
            comp.append(timed(C, runs, True))
        p, c = statistics.median(plain), statistics.median(comp)
        print(f"| {runs:,} | {runs / p:,.0f} | {runs / c:,.0f} | {p / c:.2f}× |")
    os.environ.pop(jit.DISABLE, None)


if __name__ == "__main__":
    main()
