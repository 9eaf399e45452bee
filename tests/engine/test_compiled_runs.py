"""Whole runs on the compiled loops give the numpy rules' bytes: every week of every
run in sequence, with runs ending along the way (the world's subsets of the runs still
negotiating). The rule tests compare the two on one week at a time."""

from __future__ import annotations

import pytest
from shipped import runnable
from test_reproducible import csv_bytes

from sim.engine.ensemble import run_ensemble
from sim.rules import jit
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

pytest.importorskip("numba")

CASES = [
    p for p in runnable() if p.stem in ("res2803", "national_caveats", "unifil2006", "haiti2023")
]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_whole_runs_on_the_compiled_loops_give_the_numpy_rules_bytes(path, monkeypatch):
    C = compile_scenario(load(path))
    monkeypatch.setenv(jit.DISABLE, "1")
    plain = run_ensemble(C, runs=100, seed=29, detail=100)
    monkeypatch.delenv(jit.DISABLE)
    monkeypatch.setattr(jit, "MIN_RUNS", 0)
    fused = run_ensemble(C, runs=100, seed=29, detail=100)
    assert csv_bytes(plain) == csv_bytes(fused)
    # The runs negotiate for several weeks; on the flagship they end in different weeks.
    weeks = plain["runs"]["rounds"]
    assert weeks.min() > 1
    assert weeks.nunique() > 1 or path.stem != "res2803"
