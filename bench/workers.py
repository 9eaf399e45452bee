"""Benchmark: what a process pool costs, what a run costs, and when workers pay.

    .venv/bin/python bench/workers.py                      # the figures in docs/performance.md
    .venv/bin/python bench/workers.py --runs 1000 10000 --repeat 3

Measures, on the flagship (`scenarios/isf/res2803.yaml`):

1. the pool's fixed cost: from creating a pool of N spawned workers (each set up
   by `sim.parallel.worker_init`, importing the engine and the charts) until every
   worker has started its first job, then shutting it down; wall time and the
   workers' CPU time;
2. what crosses the process boundary: pickling one job (the compiled scenario
   and a batch's run numbers) and one batch's results (its recorder), both ways;
3. the fast engine's cost per run, CPU time in this process (batches of 2,000,
   one BLAS thread), and the per-run estimate `sim.workers.run_cost` uses;
4. the whole `forcegen run ... --quiet` in a fresh process, charts included,
   with `--workers 1`, `--workers 2` and the default, alternating the order in
   each repetition; wall time and CPU time (the command and its workers), median.

The machine is shared: the load average is printed before each part.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread, as the command line sets

import numpy as np  # noqa: E402

from sim import workers as policy  # noqa: E402
from sim.engine.ensemble import run_batch  # noqa: E402
from sim.parallel import CHARTS, Pool, cores  # noqa: E402
from sim.scenario.arrays import compile_scenario  # noqa: E402
from sim.scenario.loader import load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
CONDITIONS = ("1", "2", "default")


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _stamp(pause: float) -> tuple[int, float]:
    """A job: which worker ran it, and when it started (monotonic, shared by processes)."""
    started = time.monotonic()
    time.sleep(pause)
    return os.getpid(), started


def pool_cost(n: int, repeat: int) -> None:
    """Wall time until all `n` workers run a job, shutdown, and the workers' CPU."""
    ready, total, cpu = [], [], []
    for _ in range(repeat):
        before = _children_cpu()
        t0 = time.monotonic()
        with Pool(n, CHARTS) as pool:
            first: dict[int, float] = {}
            for _i, (pid, started) in pool.imap(_stamp, [(0.2,)] * (2 * n)):
                first[pid] = min(started, first.get(pid, started))
        total.append(time.monotonic() - t0 - 0.2 * 2)  # the jobs' own sleep left out
        ready.append(max(first.values()) - t0)
        cpu.append(_children_cpu() - before)
    print(
        f"pool of {n}: all workers ready after {statistics.median(ready):.2f} s wall "
        f"(of {', '.join(f'{x:.2f}' for x in ready)}); start + shutdown "
        f"{statistics.median(total):.2f} s; workers' CPU {statistics.median(cpu):.2f} s"
    )


def _both_ways(obj) -> tuple[float, int]:
    """Seconds to pickle and unpickle `obj` (best of 3), and its size in bytes."""
    best, size = float("inf"), 0
    for _ in range(3):
        t0 = time.perf_counter()
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)
        best, size = min(best, time.perf_counter() - t0), len(data)
    return best, size


def pickling(C, batch: int) -> None:
    job = (C, 0, np.arange(batch), 10 * batch, 50, "fast")
    rec = run_batch(*job)
    for name, obj in (
        ("one job (scenario + run numbers)", job),
        (f"one batch's results ({batch} runs)", rec),
    ):
        seconds, size = _both_ways(obj)
        print(f"pickle {name}: {size / 1e6:.2f} MB, {seconds * 1e3:.1f} ms both ways")


def per_run(C, runs: int, repeat: int) -> float:
    """CPU seconds per run of the fast engine here (median), and the estimate beside it."""
    run_batch(C, 0, np.arange(200), 200, 50, "fast")  # warm up
    costs = []
    for _ in range(repeat):
        t0 = time.process_time()
        for start in range(0, runs, 2000):
            ids = np.arange(start, min(runs, start + 2000))
            run_batch(C, 0, ids, runs, 50 if start == 0 else 0, "fast")
        costs.append((time.process_time() - t0) / runs)
    cost = statistics.median(costs)
    print(
        f"fast engine, {runs} runs: {cost * 1e6:.0f} µs CPU per run (of "
        f"{', '.join(f'{x * 1e6:.0f}' for x in costs)}); estimate used by the policy "
        f"{policy.run_cost(C) * 1e6:.0f} µs ({policy.cost_units(C):,} units)"
    )
    return cost


def command(runs: int, workers: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `forcegen run` (CPU: the command and its workers),
    as `python -m sim` with this interpreter (so `PYTHONPATH` can pick a checkout)."""
    argv = [
        sys.executable,
        "-m",
        "sim",
        "run",
        str(FLAGSHIP),
        "--runs",
        str(runs),
        "--quiet",
        "--out",
        str(out),
    ]
    if workers != "default":
        argv += ["--workers", workers]
    before = _children_cpu()
    t0 = time.monotonic()
    subprocess.run(argv, check=True, capture_output=True)
    return time.monotonic() - t0, _children_cpu() - before


def end_to_end(run_counts: list[int], repeat: int) -> None:
    C = compile_scenario(load(FLAGSHIP))
    print(
        "\n| runs | default decided | --workers 1 | --workers 2 | default |"
        "\n|---:|---:|---:|---:|---:|"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for runs in run_counts:
            wall: dict[str, list[float]] = {c: [] for c in CONDITIONS}
            cpu: dict[str, list[float]] = {c: [] for c in CONDITIONS}
            chosen = []  # what the policy decides just before each default command
            for rep in range(repeat):
                k = rep % len(CONDITIONS)
                for cond in CONDITIONS[k:] + CONDITIONS[:k]:  # a different order each time
                    if cond == "default":
                        chosen.append(str(policy.decide(runs, policy.run_cost(C))))
                    w, c = command(runs, cond, Path(tmp) / f"r{runs}-{cond}-{rep}")
                    wall[cond].append(w)
                    cpu[cond].append(c)
            cells = [
                f"{statistics.median(wall[c]):.1f} s ({statistics.median(cpu[c]):.1f} s CPU)"
                for c in CONDITIONS
            ]
            print(f"| {runs:,} | {', '.join(chosen)} | {' | '.join(cells)} |", flush=True)
            for c in CONDITIONS:
                print(f"<!-- {runs} {c}: wall {wall[c]} -->", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-commands", action="store_true", help="parts 1-3 only")
    args = parser.parse_args()
    print(f"{cores()} cores for this process; {_load()}")
    C = compile_scenario(load(FLAGSHIP))
    for n in sorted({1, min(2, cores()), cores()}):
        pool_cost(n, args.repeat)
    pickling(C, 2000)
    per_run(C, 4000, args.repeat)
    print(_load())
    if not args.skip_commands:
        end_to_end(args.runs, args.repeat)
        print(_load())


if __name__ == "__main__":
    main()
