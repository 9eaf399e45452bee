"""Benchmark: the fast engine against the Mesa model, and how the fast engine scales.

    .venv/bin/python bench/engines.py            # quick: engines ratio + small scaling
    .venv/bin/python bench/engines.py --full     # the figures in docs/performance.md

Both engines are timed in one process, alternating, on the flagship scenario.
Wall-clock figures depend on the machine and its load; the ratio is the robust one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _var in BLAS_THREADS:  # one BLAS thread, as the command line sets (before numpy loads)
    os.environ.setdefault(_var, "1")

from bench.synthetic import synthetic  # noqa: E402
from sim.engine.ensemble import run_ensemble  # noqa: E402
from sim.scenario.arrays import compile_scenario  # noqa: E402
from sim.scenario.loader import load  # noqa: E402

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


NOTEBOOK = """
import time, sys
import sim
start = time.perf_counter()
sim.run(sys.argv[1], runs=int(sys.argv[2]))
first = time.perf_counter() - start
start = time.perf_counter()
sim.run(sys.argv[1], runs=int(sys.argv[2]))
print(first, time.perf_counter() - start)
"""


def notebook(runs: int = 1000) -> None:
    """`sim.run` from Python, as in a notebook: a fresh process that has only done
    `import sim` (so the first call loads numpy, pandas ...), BLAS as the user's."""
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREADS}
    cmd = [sys.executable, "-c", NOTEBOOK, str(FLAGSHIP), str(runs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    first, again = map(float, proc.stdout.split())
    print(
        f"sim.run, res2803, {runs:,} runs, after import sim: {first:.2f} s "
        f"(first call, imports included), {again:.2f} s (again)"
    )


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
    notebook(1_000)


if __name__ == "__main__":
    main()
