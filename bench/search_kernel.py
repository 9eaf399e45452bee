"""Benchmark: the demand search in one compiled pass
(`sim.rules.search.note_all`) against the search concession by concession with the
rules' compiled loops (`demands.each_concession`, `search.note`).

    .venv/bin/python bench/search_kernel.py [--runs 4000] [--repeat 3]

Both give the same tables (`tests/rules/test_fused.py` runs every shipped scenario
both ways). Prints CPU seconds per ensemble, alternating, and the pass's cost per
evaluation (a run's open concession, or its whole menu) on one week captured from
the flagship.
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import FLAGSHIP, ensemble_args
from sim.engine.ensemble import run_ensemble
from sim.rules import demands, jit, search
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

FUSED = search.note_all


def by_concession(C, P, m, obs, now, open_, made, needs, waits, offered, *out):
    """The search as the numpy path runs it (each rule's compiled loop inside), and the
    whole menu."""
    for j, p in demands.each_concession(C, P, m, obs, now, open_):
        search.note(j, p, needs, waits, offered, *out)
    return demands.whole_menu(C, P, m, obs, now, made)


def timed(C, runs: int, fused: bool) -> float:
    search.note_all = FUSED if fused else by_concession
    start = time.process_time()
    run_ensemble(C, runs=runs, detail=1)
    return time.process_time() - start


def main() -> None:
    args = ensemble_args(__doc__)
    C = compile_scenario(load(FLAGSHIP))
    jit.MIN_RUNS = 0
    timed(C, 2000, True)
    timed(C, 2000, False)
    one, each = [], []
    for _ in range(args.repeat):
        one.append(timed(C, args.runs, True))
        each.append(timed(C, args.runs, False))
    print(
        f"{args.runs} runs, CPU s: one compiled pass {statistics.median(one):.2f} "
        f"(of {one}), concession by concession {statistics.median(each):.2f} (of {each})"
    )
    captured = []
    jit.bind()
    loop = search._search_loop
    search._search_loop = lambda *a: (captured.append(copy.deepcopy(a)), loop(*a))[1]
    timed(C, 2000, True)
    search._search_loop = loop
    week = captured[len(captured) // 4]
    best = min(_once(loop, week) for _ in range(5))
    n = int(week[1].sum()) + week[1].shape[0]  # the open concessions, then the whole menu
    print(
        f"one week, 2,000 runs: {best * 1e3:.1f} ms for {n:,} evaluations (each open "
        f"concession and the whole menu, in each run), {best / n * 1e9:.0f} ns each"
    )


def _once(loop, args) -> float:
    a = copy.deepcopy(args)
    start = time.perf_counter()
    loop(*a)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
