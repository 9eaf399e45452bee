"""How many processes `--workers 0` (the default) uses: a policy that never loses.

A pool pays a fixed cost before it does any work: spawning each worker and
importing numpy, pandas, the engine and matplotlib in it (bytecode is not cached
on the project's machine), and every batch's results are pickled back to the
parent. With `n` cores to itself it saves at most `work × (1 - 1/n)`; with the
other cores busy (a shared machine) it saves nothing and its workers compete
with the parent's neighbours. So: one process unless the command's work (its runs
× the estimated cost of one run) saves at least `MARGIN` times the pool's cost
on cores that are idle now, and never more workers than those idle cores.

The constants are measured by `bench/workers.py` (docs/performance.md, "Worker
policy (issue 13)"). An explicit `--workers N` is obeyed (capped at the cores);
the results are identical whatever the number of workers.
"""

from __future__ import annotations

import os
import time
from typing import Any

POOL_SECONDS = 1.25
"""Wall time a pool of two workers costs on this machine, from its start until every
worker has begun its first job, plus its shutdown (spawn, imports from cached
bytecode, as `make` and pip install it): the upper end of 0.9–1.22 s measured with
`bench/workers.py` (docs/performance.md, "Worker policy"). Before bytecode was
compiled at install it was 3 s, every worker compiling its imports from source."""

PICKLE_SECONDS = 25e-6
"""Per run, the parent's cost of taking a batch's results back from a worker."""

MARGIN = 2.0
"""Use the pool only when it saves at least this many times its cost: the cost of a
run is an estimate, the machine is shared, and losing is what must not happen."""

SECONDS_PER_UNIT = 0.3e-6
"""Fast engine, seconds per unit of `cost_units`, calibrated on res2803 on an idle
machine (about 0.6 ms per run; more on a busy one, when no pool is used anyway)."""

FIXED_STATES = 58
"""A run-week's work that does not grow with the states (broker, veto players,
hosts, incidents, Python overhead per array operation), counted in states: from
the states table of docs/performance.md (10 → 200 states: 480 → 1,830 µs a run)."""

MESA_FACTOR = 100
"""The Mesa model's cost per run over the fast engine's (measured 97-110×)."""

DEFAULT_RUN_SECONDS = 0.6e-3
"""A run's cost when the scenario is not given (the flagship's, fast engine)."""

SAMPLE_SECONDS = 0.25
"""How long `idle_cores` watches the machine (only when the work could pay a pool)."""


def cost_units(C: Any) -> int:
    """A cheap measure of one run's work: weeks to the deadline × (states + fixed part)."""
    return scenario_units(C.scenario)


def scenario_units(sc: Any) -> int:
    """`cost_units` of a validated scenario, without compiling it."""
    return int(sc.broker.deadline) * (FIXED_STATES + len(sc.states))


def run_cost(C: Any, engine: str = "fast") -> float:
    """Estimated seconds of one run of the compiled scenario `C` with `engine`."""
    return scenarios_cost([C.scenario], engine)


def scenarios_cost(scenarios: Any, engine: str = "fast") -> float:
    """Estimated seconds of one run, on average over the runs of these validated
    scenarios (compare's files, a sweep's points, a study's candidates), each
    weighted by its run count."""
    scenarios = list(scenarios)
    weights = [max(int(sc.run.runs), 1) for sc in scenarios]
    units = sum(w * scenario_units(sc) for w, sc in zip(weights, scenarios, strict=True))
    seconds = units / max(sum(weights), 1) * SECONDS_PER_UNIT
    return seconds * MESA_FACTOR if engine == "mesa" else seconds


def _cpu_times(cpus: set[int]) -> tuple[int, int] | None:
    """(idle, total) jiffies of these CPUs since boot, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    idle = total = 0
    for line in lines:
        name, *fields = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
            ticks = [int(x) for x in fields[:8]]
            idle += ticks[3] + ticks[4]  # idle, iowait
            total += sum(ticks)
    return (idle, total) if total else None


MIN_WINDOW, MAX_WINDOW = 0.3, 60.0
"""Seconds since the command started (`mark`) within which `others_busy` judges:
below, too few clock ticks of /proc/stat to tell; above (a long-lived `serve`),
too old to say what the machine does now (the load average says it then)."""

_window: tuple[float, tuple[int, int] | None, float] | None = None


def own_cpus() -> set[int]:
    """The cores this process may use."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not on Linux
        return set(range(os.cpu_count() or 1))


def mark() -> None:
    """Start watching the machine as the command starts (the command line calls it):
    what other processes use meanwhile (`others_busy`) tells, at no wait, whether a
    core is free, where the load average still counts the previous command of a
    script."""
    global _window
    _window = (time.monotonic(), _cpu_times(own_cpus()), _own_cpu())


def others_busy(cpus: set[int] | None = None, wait: bool = False) -> float | None:
    """Cores kept busy since `mark` by other processes than this one (its own CPU time
    and its ended children's taken out), or None when not marked, too early to tell,
    or not on Linux.

    `wait`: where the command started less than `MIN_WINDOW` ago, wait until it is that
    old and answer, rather than None. The callers' fallback, the load average, still
    counts a script's previous command for a minute: `run --runs 100000` started 0.25 s
    before it asked, just after another, ran in one process instead of a pool."""
    if _window is None:
        return None
    wall, before, own = _window
    elapsed = time.monotonic() - wall
    if wait and before is not None and 0 <= elapsed < MIN_WINDOW:
        time.sleep(MIN_WINDOW - elapsed + 0.01)  # past it, whatever the rounding
        elapsed = time.monotonic() - wall
    if not MIN_WINDOW <= elapsed <= MAX_WINDOW or before is None:
        return None
    cpus = own_cpus() if cpus is None else cpus
    after = _cpu_times(cpus)
    if after is None or after[1] <= before[1]:
        return None
    idle, total = after[0] - before[0], after[1] - before[1]
    busy = len(cpus) * (total - idle) / total
    return max(0.0, busy - (_own_cpu() - own) / elapsed)


def _own_cpu() -> float:
    """CPU seconds of this process and of its children that have ended (a forked
    helper, a pool's workers once shut down): work of this command, not of others."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def idle_cores(cpus: set[int] | None = None, seconds: float = SAMPLE_SECONDS) -> float:
    """How many of this process's cores are free for a pool: those other processes
    left unused since the command started (`others_busy`), or, without that window,
    the fewer of those idle over the next `seconds` (from /proc/stat) and those the
    last minute's load left free (`os.getloadavg`). A neighbour's bursts show in
    the sample, a steady neighbour in the load (and in the window)."""
    cpus = own_cpus() if cpus is None else cpus
    others = others_busy(cpus, wait=True)
    if others is not None:
        return max(0.0, len(cpus) - others)
    try:
        recent = max(0.0, len(cpus) - os.getloadavg()[0])
    except OSError:  # no load average: the sample alone
        recent = float(len(cpus))
    before = _cpu_times(cpus)
    if before is None:
        return recent
    time.sleep(seconds)
    after = _cpu_times(cpus) or before
    ticks = after[1] - before[1]
    now = len(cpus) * (after[0] - before[0]) / ticks if ticks > 0 else float(len(cpus))
    return min(now, recent)


def pays(runs: int, run_seconds: float, n: int) -> bool:
    """Whether `n` workers save at least `MARGIN` times the pool's cost on `runs` runs."""
    if n < 2:
        return False
    saved = runs * (run_seconds * (1 - 1 / n) - PICKLE_SECONDS)
    return saved >= MARGIN * POOL_SECONDS


def threshold(run_seconds: float, n: int = 2) -> int:
    """The fewest runs for which `n` idle cores are used (`pays`), for docs and tests."""
    per_run = run_seconds * (1 - 1 / n) - PICKLE_SECONDS
    return -int(-MARGIN * POOL_SECONDS // per_run) if per_run > 0 else 2**63 - 1


FORK_MAX_RUNS = 50_000
"""Up to this many runs a pool must save its cost against the forked helper
(`sim.fork`: this process and a forked copy of it, started in milliseconds), not
against one process; above it a pool is used where it pays against one process:
the helper sends its share of the results back in one piece at the end, which
raises the memory peak (100,000 runs of the flagship: 1.15 GB with the helper,
0.93 GB with a pool of two). So above it an ensemble left to one process (no idle
core for a pool) is not shared with the helper either (`sim.engine.ensemble.record`;
3 December 2026: 1.03 GB with it, 0.82 GB without)."""


def pays_over_helper(runs: int, run_seconds: float, n: int) -> bool:
    """Whether `n` workers save at least `MARGIN` times the pool's cost on `runs` runs
    against the two processes of the forked helper (never on two cores)."""
    if n <= 2:  # and no division by zero idle cores
        return False
    saved = runs * (run_seconds * (1 / 2 - 1 / n) - PICKLE_SECONDS)
    return saved >= MARGIN * POOL_SECONDS


def helper_available(cores: int) -> bool:
    """Whether one process would have the forked helper's second core (`sim.fork`)."""
    from sim.fork import can_fork

    return cores >= 2 and can_fork()


def decide(
    runs: int,
    run_seconds: float | None = None,
    engine: str = "fast",
    cores: int | None = None,
    idle: float | None = None,
    helper: bool | None = None,
) -> int:
    """The processes for `runs` runs of about `run_seconds` each (`run_cost`).

    `cores` are those this process may use (`sim.parallel.cores`); `idle` how many
    of them are idle now (`idle_cores`, measured only when the work could pay a
    pool at all); `helper` whether one process would have the forked helper
    (`helper_available`). One process unless `pays` on the idle cores (and, with
    the helper, up to `FORK_MAX_RUNS` runs, `pays_over_helper`); then as many
    workers as cores idle (rounded), never more than `cores`.
    """
    if run_seconds is None:
        run_seconds = DEFAULT_RUN_SECONDS * (MESA_FACTOR if engine == "mesa" else 1)
    if cores is None:
        from sim.parallel import cores as own_cores

        cores = own_cores()
    if not pays(runs, run_seconds, cores):  # not even with every core to itself
        return 1
    if helper is None:
        helper = helper_available(cores)
    if helper and runs <= FORK_MAX_RUNS and not pays_over_helper(runs, run_seconds, cores):
        # No pool beats the helper on every core, so none on fewer (it saves less): one
        # process whatever is idle, and no quarter-second watch of the machine to find
        # out (`run --runs 10000` on two cores).
        return 1
    if idle is None:
        idle = idle_cores()
    n = min(cores, int(idle + 0.5))
    while n > 1 and not pays(runs, run_seconds, n):
        n -= 1
    over_helper = runs > FORK_MAX_RUNS or pays_over_helper(runs, run_seconds, n)
    if n > 1 and not over_helper and helper:
        return 1  # one process, and the forked helper beside it
    return max(1, n)
