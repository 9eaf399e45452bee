"""Benchmark: the floor kernel's arithmetic with the runs on the innermost axis.

    .venv/bin/python bench/layout.py [--repeat 15]

`bench/floor.py`'s loop takes one run at a time (its arrays (runs, states, kinds)),
as the engine's compiled passes do. Here the same arithmetic, on the same inputs,
runs with each array's runs on its last axis and the loop over runs innermost, so
the compiler can use the processor's vector instructions; the runs are taken in
blocks of 256, 1,000 and 4,000. It prints whether the outputs are the same bytes
and each layout's cost per run-week (median of `--repeat`, alternating), to say
what such a layout would give the engine's passes (docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import FLAGSHIP
from bench.floor import floor_inputs, floor_kernel
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

N_EVAL = 9
"""Evaluations per run-week, as `bench/floor.py` finds on the flagship."""


def by_runs_kernel():
    """The floor loop with the runs innermost, compiled on first use."""
    import numba

    @numba.njit(cache=True)
    def week(mT, changes, n_eval, col, ideal, scale, owner, lop, lcol, lval, lowner, coef,
             capT, unitT, outT, flip, dist, blocked, best, top):  # fmt: skip
        R = mT.shape[1]
        S, K = capT.shape[0], capT.shape[1]
        for q in range(n_eval):
            c = changes[q]
            for r in range(R):  # the changed column; the others are read from `mT`
                flip[r] = 1.0 - mT[c, r]
            dist[:, :] = 0.0
            blocked[:, :] = False
            for i in range(lop.shape[0]):
                src = flip if lcol[i] == c else mT[lcol[i]]
                o, v, up = lowner[i], lval[i], lop[i] == 0
                for r in range(R):
                    ok = src[r] >= v if up else src[r] <= v
                    blocked[o, r] = blocked[o, r] or not ok
            for e in range(col.shape[0]):
                src = flip if col[e] == c else mT[col[e]]
                o, ie, se = owner[e], ideal[e], scale[e]
                for r in range(R):
                    dist[o, r] += abs(src[r] - ie) / se
            first = flip if c == 0 else mT[0]
            for s in range(S):
                best[:] = -1
                top[:] = -np.inf
                for k in range(K):
                    c0, c1, c2 = coef[0, s, k], coef[1, s, k], coef[2, s, k]
                    for r in range(R):
                        u = c0 * first[r] - c1 * dist[s, r] - c2
                        better = (
                            not blocked[s, r] and capT[s, k, r] >= unitT[s, k, r] and u > top[r]
                        )
                        best[r] = k if better else best[r]
                        top[r] = u if better else top[r]
                for r in range(R):
                    b = best[r]
                    if b >= 0:
                        share = min(1.0, max(0.1, top[r]))
                        outT[s, r] += (
                            np.floor(capT[s, b, r] * share / unitT[s, b, r]) * unitT[s, b, r]
                        )

    return week


def by_runs(args: tuple) -> tuple:
    """`floor_inputs`' arguments laid out for `by_runs_kernel`, with its scratch."""
    m, changes, n_eval, col, ideal, scale, owner, lop, lcol, lval, lowner, coef, cap, unit, _ = args
    R, S = cap.shape[:2]
    return (
        np.ascontiguousarray(m.T), changes, n_eval, col, ideal, scale, owner, lop, lcol, lval,
        lowner, coef, np.ascontiguousarray(cap.transpose(1, 2, 0)),
        np.ascontiguousarray(unit.transpose(1, 2, 0)), np.zeros((S, R)), np.zeros(R),
        np.zeros((S, R)), np.zeros((S, R), np.bool_), np.zeros(R, np.int64), np.zeros(R),
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    repeat = ap.parse_args().repeat
    C = compile_scenario(load(FLAGSHIP))
    per_run, innermost = floor_kernel(), by_runs_kernel()
    for R in (256, 1000, 4000):
        args = floor_inputs(C, R, N_EVAL)
        other = by_runs(args)
        per_run(*args)
        innermost(*other)
        same = args[-1].tobytes() == np.ascontiguousarray(other[14].T).tobytes()
        times: dict[str, list[float]] = {"run": [], "innermost": []}
        for _ in range(repeat):
            for name, fn, a in (("run", per_run, args), ("innermost", innermost, other)):
                start = time.process_time()
                fn(*a)
                times[name].append(time.process_time() - start)
        a, b = (statistics.median(times[n]) / R * 1e6 for n in ("run", "innermost"))
        print(f"{R:>5} runs: same bytes {same}; a run at a time {a:.2f} us per run-week, "
              f"runs innermost {b:.2f} ({a / b:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
