"""The fast engine computes the very same runs as the Mesa model."""

from __future__ import annotations

from pathlib import Path

import pytest
from shipped import runnable

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load


@pytest.mark.parametrize("path", runnable(), ids=lambda p: p.stem)
def test_mesa_and_fast_give_identical_tables(path: Path) -> None:
    C = compile_scenario(load(path))
    fast = run_ensemble(C, runs=4, seed=9, detail=4, engine="fast")
    mesa = run_ensemble(C, runs=4, seed=9, detail=4, engine="mesa")
    for name in ("runs", "params", "rounds", "states", "commits", "coalitions", "bands"):
        assert fast[name].to_csv(index=False) == mesa[name].to_csv(index=False), name
