"""Benchmark: the engine's cost per run-round-state against a numba floor kernel of
the same shape.

    .venv/bin/python bench/floor.py [--runs 4000] [--repeat 3]

The floor does, for every run-week the flagship plays, the arithmetic the week's
decisions cannot do without, in one compiled loop over random inputs of the
flagship's sizes: for the present terms, each open concession (the flagship's
average count per run-week, measured here) and the whole menu, a changed mandate
row, each red line's predicate, each preference entry's distance, and for each
state the payoff of each offered kind from its components, the best free kind and
the pledge there. It leaves out everything else the engine does (acceptance and
consent, perception and risk, caveats, the bookkeeping of demands, the broker,
deployment, draws, recording), so it is a lower bound, not a second engine.

Issue 13's goal: the engine within 2x of this floor per run-round-state.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import FLAGSHIP, ensemble_args
from sim.engine.ensemble import run_ensemble
from sim.rules import demands
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load


def floor_kernel():
    """The floor loop, compiled on first use (numba is in the test extra)."""
    import numba

    @numba.njit(cache=True)
    def week(m, changes, n_eval, col, ideal, scale, owner, lop, lcol, lval, lowner, coef,
             cap, unit, out):  # fmt: skip
        R, S, K = cap.shape
        row = np.empty(m.shape[1])
        dist = np.zeros(S)
        blocked = np.zeros(S, np.bool_)
        for r in range(R):
            for q in range(n_eval):
                row[:] = m[r]
                row[changes[q]] = 1.0 - row[changes[q]]
                blocked[:] = False
                for i in range(lop.shape[0]):
                    x = row[lcol[i]]
                    if not (x >= lval[i] if lop[i] == 0 else x <= lval[i]):
                        blocked[lowner[i]] = True
                dist[:] = 0.0
                for e in range(col.shape[0]):
                    dist[owner[e]] += abs(row[col[e]] - ideal[e]) / scale[e]
                for s in range(S):
                    b, t = -1, -np.inf
                    for k in range(K):
                        if blocked[s] or cap[r, s, k] < unit[r, s, k]:
                            continue
                        u = coef[0, s, k] * row[0] - coef[1, s, k] * dist[s] - coef[2, s, k]
                        if u > t:
                            b, t = k, u
                    if b >= 0:
                        share = min(1.0, max(0.1, t))
                        out[r, s] += np.floor(cap[r, s, b] * share / unit[r, s, b]) * unit[r, s, b]

    return week


def floor_inputs(C, R: int, n_eval: int) -> tuple:
    """The floor loop's arguments: random inputs of the flagship's sizes for R runs."""
    rng = np.random.default_rng(17)
    S, K = C.slot_kind.shape
    F, E, L = len(C.mandate0), len(C.prefs["owner"]), max(len(C.red["op"]), 1)
    return (
        rng.random((R, F)), rng.integers(0, F, n_eval), n_eval, rng.integers(0, F, E),
        rng.random(E), rng.uniform(1, 3, E), np.sort(rng.integers(0, S, E)),
        rng.integers(0, 2, L), rng.integers(0, F, L), rng.random(L), rng.integers(0, S, L),
        rng.random((3, S, K)), rng.choice([0.0, 500.0, 2000.0], (R, S, K)),
        rng.choice([10.0, 100.0], (R, S, K)), np.zeros((R, S)),
    )  # fmt: skip


def floor_cost(C, R: int, n_eval: int, repeat: int) -> float:
    """Seconds per run-week of the floor loop on random inputs of the flagship's sizes."""
    args = floor_inputs(C, R, n_eval)
    week = floor_kernel()
    week(*args)
    times = []
    for _ in range(repeat):
        start = time.process_time()
        week(*args)
        times.append(time.process_time() - start)
    return statistics.median(times) / R


def engine_cost(C, runs: int, repeat: int) -> tuple[float, float]:
    """(CPU seconds per run-week of the fast engine, open concessions per run-week)."""
    opened = [0]
    menu = demands.open_menu

    def counting(C_, m, made):
        out = menu(C_, m, made)
        opened[0] += int(out.sum())
        return out

    run_ensemble(C, runs=2000, detail=1)  # enough runs started for the compiled loops
    times = []
    for _ in range(repeat):
        start = time.process_time()
        tables = run_ensemble(C, runs=runs, detail=1)
        times.append(time.process_time() - start)
    weeks = int(tables["runs"]["rounds"].sum())
    demands.open_menu = counting  # `decide` reads it from the module
    try:
        run_ensemble(C, runs=runs, detail=1)
    finally:
        demands.open_menu = menu
    return statistics.median(times) / weeks, opened[0] / weeks


def main() -> None:
    args = ensemble_args(__doc__)
    C = compile_scenario(load(FLAGSHIP))
    S = len(C.states)
    engine, open_per_week = engine_cost(C, args.runs, args.repeat)
    n_eval = round(open_per_week) + 2  # the present terms and the whole menu too
    floor = floor_cost(C, args.runs, n_eval, 3 * args.repeat)  # a few ms each: more of them
    print(f"open concessions per run-week: {open_per_week:.2f}; floor evaluates {n_eval}")
    print(
        f"engine: {engine * 1e6:.1f} us per run-week, {engine / S * 1e6:.2f} us per run-round-state"
    )
    print(
        f"floor:  {floor * 1e6:.1f} us per run-week, {floor / S * 1e6:.2f} us per run-round-state"
    )
    print(f"engine / floor: {engine / floor:.1f}x (issue 13's goal: within 2x)")


if __name__ == "__main__":
    main()
