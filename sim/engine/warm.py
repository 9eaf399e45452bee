"""Compile the rules' loops once, at install (`make` runs `python -m sim.engine.warm`).

numba compiles each loop of `sim.rules.jit` on its first call and caches the
machine code on disk; compiling them all takes about 25-30 s (most of it the compiled
passes: the demand search, the present terms), loading them from the cache about
2 s. Run here, on a few runs of the flagship with the loops forced on, that cost is
paid by the install, not by the first large ensemble a user runs (or by each worker
of the test suite).
Without numba it does nothing.
"""

from __future__ import annotations

from pathlib import Path

from sim.rules import jit

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"


def warm(path: Path = FLAGSHIP) -> bool:
    """Run a few runs of `path` with every compiled loop on, and explain one state (the
    numpy search with the rules' loops, as `forcegen explain` runs it in a process
    that has started many runs); whether numba ran them."""
    if not jit.available() or not path.is_file():
        return False
    from sim.analysis.explain.compute import explain
    from sim.engine.ensemble import run_ensemble
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load

    C = compile_scenario(load(path))
    with jit.forced():
        run_ensemble(C, runs=20, detail=2)
        explain(C, C.states[0], runs=20)
    return True


if __name__ == "__main__":
    warm()
