"""Compile the rules' loops once, at install (`make` runs `python -m sim.engine.warm`).

numba compiles each loop of `sim.rules.jit` on its first call and caches the
machine code on disk; compiling them all takes about 30 s (most of it the demand
search's pass, `sim.rules.search`), loading them from the cache about 1.5 s. Run here, on a few runs
of the flagship with the loops forced on, that cost is paid by the install, not
by the first large ensemble a user runs (or by each worker of the test suite).
Without numba it does nothing.
"""

from __future__ import annotations

from pathlib import Path

from sim.rules import jit

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"


def warm(path: Path = FLAGSHIP) -> bool:
    """Run a few runs of `path` with every compiled loop on; whether numba ran them."""
    if not jit.available() or not path.is_file():
        return False
    from sim.engine.ensemble import run_ensemble
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load

    with jit.forced():
        run_ensemble(compile_scenario(load(path)), runs=20, detail=2)
    return True


if __name__ == "__main__":
    warm()
