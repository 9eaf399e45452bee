"""Benchmark: the fast engine against the Mesa model, and how the fast engine scales.

    .venv/bin/python bench/engines.py            # quick: engines ratio + small scaling
    .venv/bin/python bench/engines.py --full     # the figures in docs/performance.md

Both engines are timed in one process, alternating, on the flagship scenario.
Wall-clock figures depend on the machine and its load; the ratio is the robust one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sim  # noqa: F401  (sets one BLAS thread before numpy loads)
from bench.synthetic import synthetic
from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


def rate(C, runs: int, engine: str, detail: int = 50) -> float:
    """Runs per second for one ensemble (tables included, no charts)."""
    start = time.perf_counter()
    run_ensemble(C, runs=runs, detail=detail, engine=engine)
    return runs / (time.perf_counter() - start)


def engines(fast_runs: int, mesa_runs: int, reps: int) -> None:
    C = compile_scenario(load(FLAGSHIP))
    fast, mesa = [], []
    for _ in range(reps):
        fast.append(rate(C, fast_runs, "fast"))
        mesa.append(rate(C, mesa_runs, "mesa"))
    f, m = statistics.median(fast), statistics.median(mesa)
    print(
        f"res2803: fast {f:,.0f} runs/s ({fast_runs} runs), mesa {m:,.1f} runs/s "
        f"({mesa_runs} runs), ratio {f / m:,.0f}x  (median of {reps}, alternating)"
    )


def scaling(full: bool) -> None:
    C = compile_scenario(load(FLAGSHIP))
    print("\n| runs | runs/s |\n|---:|---:|")
    for n in (100, 1_000, 10_000, 100_000) if full else (100, 1_000, 5_000):
        print(f"| {n:,} | {rate(C, n, 'fast'):,.0f} |")
    print("\n| states | runs/s (2,000 runs) |\n|---:|---:|")
    for s in (10, 25, 50, 100, 200) if full else (10, 50):
        Cs = compile_scenario(synthetic(s, seed=1))
        print(f"| {s} | {rate(Cs, 2000, 'fast'):,.0f} |")
    print("\n| rounds | runs/s (2,000 runs, 16 synthetic states) |\n|---:|---:|")
    for t in (13, 26, 52, 104) if full else (13, 26):
        Ct = compile_scenario(synthetic(16, seed=1, rounds=t))
        print(f"| {t} | {rate(Ct, 2000, 'fast'):,.0f} |")


def end_to_end(runs: int) -> None:
    """The whole command, charts included, in a fresh process; its peak memory too.

    A small wrapper process starts the command and reports the largest resident
    set of any process it waited for (the command and its workers).
    """
    out = Path("/tmp") / f"forcegen-bench-{runs}"
    forcegen = str(Path(sys.executable).with_name("forcegen"))
    wrapper = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    cmd = [
        sys.executable,
        "-c",
        wrapper,
        forcegen,
        "run",
        str(FLAGSHIP),
        "--runs",
        str(runs),
        "--out",
        str(out),
        "--quiet",
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    took = time.perf_counter() - start
    peak = float(proc.stdout.strip().splitlines()[-1])
    print(f"end to end, res2803, {runs:,} runs: {took:.1f} s, peak {peak:,.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="the figures in docs/performance.md")
    args = ap.parse_args()
    if args.full:
        engines(2000, 200, 3)
    else:
        engines(1000, 40, 2)
    scaling(args.full)
    print()
    for runs in (1_000, 10_000, 100_000) if args.full else (1_000,):
        end_to_end(runs)


if __name__ == "__main__":
    main()
